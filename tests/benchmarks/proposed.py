"""The session middleware docs/scaling.md proposes for accounts/security.py, here only so that the
benchmarks can measure it (tests/benchmarks/settings_proposed.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

SESSION_REFRESH_SECONDS = 60
SESSION_REFRESHED_KEY = "jinan_ce_session_refreshed"


class SessionRefreshMiddleware:
    """Keeps the idle timeout sliding (to within a minute) without writing the session on every request."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(SESSION_REFRESHED_KEY, 0)) >= SESSION_REFRESH_SECONDS:
                session[SESSION_REFRESHED_KEY] = now  # modified: SessionMiddleware saves it, new expiry
        return response
