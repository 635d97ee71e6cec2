"""HTTP Range requests (RFC 9110, section 14) for files served through views, so that a video player can
seek and resume: Django's FileResponse always sends the whole file.

One range per request (what players ask for); a request for several ranges, or a header this does not
understand, gets the whole file with 200, which the RFC allows. A range that starts past the end answers
416 with the file's size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

CHUNK_BYTES = 64 * 1024
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte positions asked for, None for "the whole file", or
    RangeNotSatisfiable. ``bytes=500-`` is from 500 to the end, ``bytes=-500`` the last 500 bytes."""
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:  # several ranges, another unit, or nonsense: the whole file
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # a suffix: the last N bytes
        length = int(last_text)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(size - length, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None  # invalid: ignored, as the RFC says
    if first >= size:
        raise RangeNotSatisfiable
    return first, min(last, size - 1)


def _stream(handle: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def ranged_file_response(
    request: HttpRequest, handle: IO[bytes], *, size: int, content_type: str
) -> HttpResponse | StreamingHttpResponse:
    """The whole file (200) or the one range asked for (206), always advertising ``Accept-Ranges``."""
    try:
        wanted = parse_range(request.headers.get("Range"), size)
    except RangeNotSatisfiable:
        handle.close()
        refusal = HttpResponse(status=416)
        refusal["Content-Range"] = f"bytes */{size}"
        refusal["Accept-Ranges"] = "bytes"
        return refusal
    first, last = wanted if wanted is not None else (0, size - 1)
    length = max(last - first + 1, 0)
    response = StreamingHttpResponse(
        _stream(handle, first, length), status=206 if wanted is not None else 200, content_type=content_type
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response
