"""Reading numbers out of request parameters, in one place.

``str.isdigit()`` is true for "²", "①" and other characters that ``int()`` refuses (a ValueError, so a
500), and ``int()`` on its own takes "١٢", "1_2" and numbers of thousands of digits. A parameter counts
as a number here only when it is plain ASCII digits, so every view and API reads one the same way.
"""

from __future__ import annotations

#: 18 decimal digits always fit a signed 64-bit column (a bigint primary key, a year, a count).
MAX_DIGITS = 18


def parse_int(value: str | None, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The non-negative integer ``value`` spells in ASCII digits (surrounding spaces allowed), or None
    when it is missing, empty, signed, in other digits or longer than ``max_digits``: callers treat
    None as "no such parameter" or answer with their own message."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (0 < len(text) <= max_digits and text.isascii() and text.isdigit()):
        return None
    return int(text)
