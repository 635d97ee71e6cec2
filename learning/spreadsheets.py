"""Reading the small xlsx files organisers upload (live attendance, assessment results).

Only real xlsx files are opened: the size is checked first, then the zip signature, then openpyxl
reads values only (no formulas evaluated, no macros). People are matched by ID number (through its
keyed digest, never in clear) or by mobile number.
"""

from __future__ import annotations

import io
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import identity
from accounts.models import User

MAX_XLSX_BYTES = 2 * 1024 * 1024
MAX_XLSX_ROWS = 5000
ZIP_SIGNATURE = b"PK\x03\x04"

XLSX_TOO_LARGE = _("文件不能超过 2 MB。")
XLSX_NOT_XLSX = _("请上传 Excel 文件（.xlsx）。")
XLSX_UNREADABLE = _("无法读取该 Excel 文件，请检查后重新上传。")
XLSX_TOO_MANY_ROWS = _("一次最多导入 5000 行。")
XLSX_EMPTY = _("文件中没有数据行。")


def read_rows(upload: IO[bytes], *, size: int | None = None) -> list[list[str]]:
    """The data rows (after the header row) as stripped strings."""
    data = upload.read(MAX_XLSX_BYTES + 1)
    if len(data) > MAX_XLSX_BYTES or (size is not None and size > MAX_XLSX_BYTES):
        raise ValidationError(XLSX_TOO_LARGE)
    if not data.startswith(ZIP_SIGNATURE):
        raise ValidationError(XLSX_NOT_XLSX)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True)):
            if number == 0:
                continue  # header
            if number > MAX_XLSX_ROWS:
                raise ValidationError(XLSX_TOO_MANY_ROWS)
            cells = ["" if value is None else str(value).strip() for value in row]
            if any(cells):
                rows.append(cells)
        workbook.close()
    except ValidationError:
        raise
    except Exception as error:  # a corrupt or disguised file: refuse it whatever the parser says
        raise ValidationError(XLSX_UNREADABLE) from error
    if not rows:
        raise ValidationError(XLSX_EMPTY)
    return rows


def person_key(value: str) -> str:
    """How a person is looked up: "digest:…" for an ID number, "mobile:…" for a mobile number."""
    value = identity.to_half_width(value).strip()
    if identity.looks_like_id_number(value):
        return "digest:" + identity.id_number_digest(identity.normalise_id_number(value))
    return "mobile:" + value


def shown_key(value: str) -> str:
    """Column A as a row error may repeat it (on the page, and so in the messages cookie): a mobile
    number as typed; anything else masked like an ID number, as the filings roster importer masks its
    rows, since it is one or may be a mistyped one."""
    try:
        identity.clean_mobile(value)
    except ValidationError:
        return identity.mask_id_number(identity.normalise_id_number(value))[:40]
    return value


def people_by_key(values: list[str]) -> dict[str, User]:
    keys = {value: person_key(value) for value in values}
    digests = [key[7:] for key in keys.values() if key.startswith("digest:")]
    mobiles = [key[7:] for key in keys.values() if key.startswith("mobile:")]
    found: dict[str, User] = {}
    for user in User.objects.filter(id_number_digest__in=digests):
        found["digest:" + user.id_number_digest] = user
    for user in User.objects.filter(mobile__in=mobiles):
        found["mobile:" + user.mobile] = user
    return {value: found[key] for value, key in keys.items() if key in found}
