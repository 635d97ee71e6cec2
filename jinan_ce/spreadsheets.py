"""Writing spreadsheets people will open in Excel/WPS: cells from user data that start with = + - @
(or a tab/CR) are neutralised so they are shown, never evaluated (OWASP "CSV injection")."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A write-only workbook (constant memory however many rows)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
