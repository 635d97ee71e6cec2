"""Building roster files for the tests: ordinary ones through openpyxl, and hand-made archives for what
openpyxl cannot write (formulas with cached values) and for hostile files (bombs, lying archives).
Everything is generated here; no binary is committed."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.demo import make_id_number
from filings.reports import CHANNEL_HEADERS, FILING_HEADERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def id_number(
    sequence: int, birth: datetime.date = datetime.date(1991, 3, 15), region: str = "370811"
) -> str:
    return make_id_number(region, birth, sequence)


def workbook_bytes(
    rows: Iterable[Sequence[Any]], headers: Sequence[str] | None = FILING_HEADERS, title: str = "学员名单"
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    if headers is not None:
        sheet.append(list(headers))
    for row in rows:
        sheet.append([float(value) if isinstance(value, Decimal) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def channel_workbook_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    return workbook_bytes(rows, CHANNEL_HEADERS)


def upload(data: bytes, name: str = "名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


# --- Hand-made archives ---------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'  # noqa: E501
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="学员名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'  # noqa: E501
    "</Relationships>"
)


class Formula:
    """A formula cell with the value Excel cached for it."""

    def __init__(self, formula: str, cached: Any) -> None:
        self.formula = formula
        self.cached = cached


def _column(index: int) -> str:
    return chr(ord("A") + index)


def _cell(reference: str, value: Any) -> str:
    if isinstance(value, Formula):
        if isinstance(value.cached, str):
            return (
                f'<c r="{reference}" t="str"><f>{escape(value.formula)}</f><v>{escape(value.cached)}</v></c>'
            )
        return f'<c r="{reference}"><f>{escape(value.formula)}</f><v>{value.cached}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: Sequence[Sequence[Any]]) -> str:
    body = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            _cell(f"{_column(i)}{number}", value) for i, value in enumerate(row) if value is not None
        )
        body.append(f'<row r="{number}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )


def hand_made_xlsx(rows: Sequence[Sequence[Any]], extra_entries: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml(rows))
        for name, data in (extra_entries or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(inflated_megabytes: int) -> bytes:
    """A workbook whose sheet inflates to ``inflated_megabytes`` MB of zeros (about 1,000 times its size)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        chunk = b"0" * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            for _ in range(inflated_megabytes):
                entry.write(chunk)
    return buffer.getvalue()


def many_entries(count: int) -> bytes:
    return hand_made_xlsx(
        [["身份证号码", "姓名", "学时"]], {f"xl/media/image{i}.png": b"x" for i in range(count)}
    )


def lying_archive(true_megabytes: int = 20, declared_bytes: int = 1000) -> bytes:
    """A bomb that understates its sheet's size in both the local header and the central directory,
    so the declared sizes look harmless; only inflating it shows the truth."""
    data = bytearray(zip_bomb(true_megabytes))
    true_size = true_megabytes * 1024 * 1024
    target = b"xl/worksheets/sheet1.xml"
    # Local file header: signature, ..., uncompressed size at offset 22, file name at 30.
    local = 0
    while True:
        local = data.find(b"PK\x03\x04", local)
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_length]) == target:
            break
        local += 4
    assert struct.unpack_from("<I", data, local + 22)[0] == true_size
    struct.pack_into("<I", data, local + 22, declared_bytes)
    central = 0
    while True:
        central = data.find(b"PK\x01\x02", central)
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == target:
            break
        central += 4
    assert struct.unpack_from("<I", data, central + 24)[0] == true_size
    struct.pack_into("<I", data, central + 24, declared_bytes)
    return bytes(data)
