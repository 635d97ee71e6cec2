"""A Redis cache that degrades instead of failing: when Redis is unreachable, reads miss and writes
are dropped (logged once a minute), so pages keep working and only rate limits and cached figures
are temporarily off. The database stays the source of truth for everything that matters."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
_last_warning = 0.0


def _warn(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("Redis cache unavailable, continuing without it: %s", error.__class__.__name__)


class ResilientRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except _REDIS_DOWN as error:
            _warn(error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except _REDIS_DOWN as error:
            _warn(error)
            return {}

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:  # type: ignore[override]
        try:
            super().set(key, value, timeout, version)
        except _REDIS_DOWN as error:
            _warn(error)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:  # type: ignore[override]
        try:
            return super().add(key, value, timeout, version)
        except _REDIS_DOWN as error:
            _warn(error)
            return True

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except _REDIS_DOWN as error:
            _warn(error)
            raise ValueError(key) from error

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except _REDIS_DOWN as error:
            _warn(error)
            return False

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> list[Any]:  # type: ignore[override]
        try:
            return super().set_many(data, timeout, version)
        except _REDIS_DOWN as error:
            _warn(error)
            return []

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except _REDIS_DOWN as error:
            _warn(error)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except _REDIS_DOWN as error:
            _warn(error)
            return False

    def clear(self) -> None:
        try:
            super().clear()
        except _REDIS_DOWN as error:
            _warn(error)
