"""Reading and checking a roster file, with no database: python-calamine parses the workbook (cached
formula values, never formulas), the header is matched forgivingly, and every row is checked on its own
(ID number checksum, name, hours, dates) and against the other rows (duplicates). The importer adds
what needs the database: accounts for the ID numbers, and the credits already made.

Cells are taken the way people fill them in: full-width digits and spaces, a lowercase x, hours typed as
"８学时", dates as 2024-05-10, 2024/5/10, 2024年5月10日 or real date cells.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import itemgetter

from django.core.exceptions import ValidationError
from python_calamine import CalamineError, CalamineWorkbook

from accounts import identity

from . import messages

MAX_DATA_ROWS = 200_000
HEADER_SEARCH_ROWS = 10
ONE_DECIMAL_PLACE = Decimal("0.1")
PREFERRED_SHEET = "学员名单"

# Column keys and the header texts (after normalising) that name them.
ID_NUMBER = "id_number"
NAME = "name"
HOURS = "hours"
START = "start"
END = "end"
DATE = "date"
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    ID_NUMBER: ("身份证号码", "身份证号", "公民身份号码", "身份证件号码", "证件号码", "身份证"),
    NAME: ("姓名", "学员姓名", "参训人员姓名", "人员姓名"),
    HOURS: ("学时", "学时数", "培训学时", "获得学时", "认定学时", "专业科目学时"),
    START: ("开始日期", "培训开始日期", "参训开始日期"),
    END: ("结束日期", "培训结束日期", "参训结束日期"),
    DATE: ("完成日期", "学习日期", "获得日期", "日期"),
}
COLUMN_LABELS = {
    ID_NUMBER: "身份证号码",
    NAME: "姓名",
    HOURS: "学时",
    START: "开始日期",
    END: "结束日期",
    DATE: "完成日期",
}
REQUIRED_COLUMNS = (ID_NUMBER, NAME, HOURS)

_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(].*?[)）]")
_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", "‧": "·", "∙": "·", "●": "·"})
_WHITESPACE = re.compile(r"\s+")
_HOURS_SUFFIX = re.compile(r"(学时|小时|课时|h|H)$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# An 18-digit number stored as a float has lost its last digits: nothing to recover, say so.
ID_NUMBER_AS_FLOAT_FROM = 1e15


class RosterFileError(ValidationError):
    """The whole file is refused (no sheet, wrong header, no rows): nothing is imported."""


def _refuse(message: object, **params: object) -> RosterFileError:
    return RosterFileError(str(message) % params if params else str(message), code="roster_file")


@dataclass
class ParsedRoster:
    header_row_number: int  # 1-based Excel row of the header
    columns: dict[str, int]
    rows: Sequence[Sequence[object]]  # the data rows after the header, blank ones included

    def row_number(self, index: int) -> int:
        return self.header_row_number + 1 + index


def normalise_header(text: object) -> str:
    return _HEADER_NOISE.sub("", identity.to_half_width(str(text or "")))


def _match_header(cells: Sequence[object]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        text = normalise_header(cell)
        if not text:
            continue
        for key, names in HEADER_SYNONYMS.items():
            if key not in columns and text in names:
                columns[key] = position
                break
    return columns


def parse_workbook(data: bytes) -> ParsedRoster:
    """The roster sheet ("学员名单" if there is one, else the first), its header and data rows."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if not names:
            raise _refuse(messages.FILE_NO_SHEET)
        sheet = (
            workbook.get_sheet_by_name(PREFERRED_SHEET)
            if PREFERRED_SHEET in names
            else workbook.get_sheet_by_index(0)
        )
        # skip_empty_area=False keeps row positions, so the report's row numbers are Excel's.
        cells = sheet.to_python(skip_empty_area=False)
    except RosterFileError:
        raise
    except (CalamineError, ValueError, OSError) as error:
        raise _refuse(messages.FILE_CORRUPT) from error
    except Exception as error:  # calamine's own errors (ZipError, XmlError, ...) subclass Exception
        raise _refuse(messages.FILE_CORRUPT) from error
    header_index = None
    best: dict[str, int] = {}
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        if not any(str(cell).strip() for cell in row if cell is not None):
            continue
        columns = _match_header(row)
        if len(columns) > len(best):
            best, header_index = columns, index
        if all(key in columns for key in REQUIRED_COLUMNS):
            break
    if header_index is None:
        raise _refuse(messages.FILE_NO_HEADER)
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in best]
    if missing:
        raise _refuse(messages.FILE_WRONG_HEADER, columns="”“".join(missing))
    rows = cells[header_index + 1 :]
    while rows and _is_blank(rows[-1]):
        rows.pop()
    if not rows:
        raise _refuse(messages.FILE_NO_ROWS)
    if len(rows) > MAX_DATA_ROWS:
        raise _refuse(messages.FILE_TOO_MANY_ROWS, count=len(rows), limit=MAX_DATA_ROWS)
    return ParsedRoster(header_row_number=header_index + 1, columns=best, rows=rows)


def _is_blank(row: Sequence[object]) -> bool:
    for cell in row:
        if cell is None:
            continue
        if isinstance(cell, str):
            if cell.strip():
                return False
        else:
            return False
    return True


# --- ID numbers, fast ----------------------------------------------------------------------------------

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_ID_CHECK_CHARACTERS = "10X98765432"
_ID_CHECK_BASE = 13  # 13 = 2 (mod 11): see id_check_character


def id_check_character(first_seventeen: str) -> str:
    """The check character of 17 ASCII digits, as ``identity.id_number_check_character`` gives it, in one
    C call: the weights 7, 9, 10, 5, ... are 2**17, 2**16, ... (mod 11), and reading the digits as a
    base-13 number weighs them by 13**16, 13**15, ... = 2**16, 2**15, ... (mod 11); doubling that gives
    the weighted sum (mod 11)."""
    return _ID_CHECK_CHARACTERS[2 * int(first_seventeen, _ID_CHECK_BASE) % 11]


def normalise_id_cell(value: object) -> str:
    """``identity.normalise_id_number`` of the cell, skipping the work for an already clean number."""
    if isinstance(value, str) and len(value) == 18 and value.isascii() and value.isalnum():
        return value.upper()
    return identity.normalise_id_number(cell_text(value))


class IdNumberChecker:
    """``identity.id_number_error`` at a roster's pace: a valid number is recognised here in about a
    microsecond (shape, check character, birth date cached per date); anything else goes to
    ``identity.id_number_error``, which gives the reason in its own words. A property test holds the two
    to the same answer."""

    def __init__(self, today: datetime.date | None = None) -> None:
        self.today = today or datetime.date.today()
        self.births: dict[str, bool] = {}

    def birth_valid(self, digits: str) -> bool:
        valid = self.births.get(digits)
        if valid is None:
            try:
                birth = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            except ValueError:
                valid = False
            else:
                valid = birth.year >= 1900 and birth <= self.today
            self.births[digits] = valid
        return valid

    def is_valid(self, normalised: str) -> bool:
        """True for a valid number; False says nothing (``error`` then tells why, or that it is fine)."""
        return (
            len(normalised) == 18
            and normalised.isascii()
            and normalised[:17].isdigit()
            and _ID_CHECK_CHARACTERS[2 * int(normalised[:17], _ID_CHECK_BASE) % 11] == normalised[17]
            and self.birth_valid(normalised[6:14])
        )

    def error(self, normalised: str) -> str | None:
        if self.is_valid(normalised):
            return None
        return identity.id_number_error(normalised, self.today)


# The keyed digest, prepared once per import (accounts.identity owns the key and the algorithm).
id_number_digester = identity.id_number_digester


# --- Row checks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowRules:
    """What a row must satisfy for one import."""

    hours_limit: Decimal
    hours_limit_message: str  # already formatted except for %(hours)s
    first_date: datetime.date
    last_date: datetime.date
    date_message: str  # formatted except for %(column)s and %(value)s
    allow_zero_hours: bool  # a correction file's 0 revokes the person's hours
    example_id_number: str = ""


@dataclass(slots=True)
class RosterRow:
    index: int
    row_number: int
    id_number: str = ""
    digest: str = ""
    masked: str = ""
    name: str = ""
    hours: Decimal | None = None
    hours_text: str = ""
    errors: list[str] = field(default_factory=list)
    person_id: int | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class CheckedRoster:
    rows: list[RosterRow]  # non-blank rows, in file order
    total_rows: int  # data rows including blank ones (the checkpoint counts these)

    @property
    def digests(self) -> list[str]:
        return [row.digest for row in self.rows if row.digest and row.is_valid]


_FULL_WIDTH_FIRST = "\uff01"


def normalise_name(value: object) -> str:
    # Most names are CJK letters only: no spaces, no full-width forms, no dots to unify.
    if isinstance(value, str) and value.isalpha() and max(value) < _FULL_WIDTH_FIRST:
        return value
    return _WHITESPACE.sub("", identity.to_half_width(str(value or ""))).translate(_NAME_DOTS)


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < ID_NUMBER_AS_FLOAT_FROM:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


_HOURS_CACHE: dict[object, Decimal | None] = {}


def parse_hours(value: object) -> Decimal | None:
    """Hours as a Decimal rounded to one place (half up), or None when the cell is not a number. A
    roster repeats a handful of values, so numbers are remembered."""
    if value.__class__ is float:
        cached = _HOURS_CACHE.get(value)
        if cached is None and len(_HOURS_CACHE) < 10_000:
            cached = _HOURS_CACHE[value] = _parse_hours(value)
        return cached if cached is not None else _parse_hours(value)
    return _parse_hours(value)


def _parse_hours(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        text = repr(float(value))
    else:
        text = identity.to_half_width(str(value)).strip().replace(",", "")
        text = _HOURS_SUFFIX.sub("", text).strip()
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(ONE_DECIMAL_PLACE, rounding=ROUND_HALF_UP)


def parse_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial date in a cell not formatted as a date
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        value = cell_text(value)
    text = _WHITESPACE.sub("", identity.to_half_width(str(value)))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def check_rows(
    parsed: ParsedRoster,
    rules: RowRules,
    digest: Callable[[str], str] | None = None,
    today: datetime.date | None = None,
    *,
    fast_path: bool = True,
) -> CheckedRoster:
    """Every non-blank row, checked on its own and for duplicates. Rows keep all their reasons.
    ``fast_path=False`` sends every row through the general path (a test holds the two equal)."""
    columns = parsed.columns
    id_column = columns[ID_NUMBER]
    name_column = columns[NAME]
    hours_column = columns[HOURS]
    date_columns = [(key, columns[key]) for key in (START, END, DATE) if key in columns]
    width = max(columns.values()) + 1
    texts = {
        "id_as_number": str(messages.ROW_ID_NUMBER_AS_NUMBER),
        "name_required": str(messages.ROW_NAME_REQUIRED),
        "name_long": str(messages.ROW_CELL_TOO_LONG) % {"column": COLUMN_LABELS[NAME]},
        "hours_required": str(messages.ROW_HOURS_REQUIRED),
        "hours_not_number": str(messages.ROW_HOURS_NOT_A_NUMBER),
        "hours_not_positive": str(messages.ROW_HOURS_NOT_POSITIVE),
        "date_invalid": str(messages.ROW_DATE_INVALID),
        "dates_reversed": str(messages.ROW_DATES_REVERSED),
    }
    digest = digest or id_number_digester()
    id_checker = IdNumberChecker(today)
    zero = Decimal(0)
    checked: list[RosterRow] = []
    first_date, last_date, hours_limit = rules.first_date, rules.last_date, rules.hours_limit
    start_position, end_position = columns.get(START), columns.get(END)
    date_positions = [position for _key, position in date_columns]
    first_row_number = parsed.header_row_number + 1

    def dates_fine(cells: Sequence[object]) -> bool:
        """Every date cell empty or a date within the range, and the end not before the start."""
        for position in date_positions:
            value = cells[position]
            if value == "":
                continue
            if value.__class__ is not datetime.date or not first_date <= value <= last_date:  # type: ignore[operator]
                return False
        if start_position is not None and end_position is not None:
            start, end = cells[start_position], cells[end_position]
            if start != "" and end != "" and end < start:  # type: ignore[operator]
                return False
        return True

    def check_row(index: int, cells: Sequence[object]) -> RosterRow | None:
        """The general path, for any row the fast path below does not take: every reason collected."""
        raw_id, raw_name, raw_hours = cells[id_column], cells[name_column], cells[hours_column]
        row = RosterRow(index=index, row_number=first_row_number + index)
        errors = row.errors
        # ID number.
        if isinstance(raw_id, float) and abs(raw_id) >= ID_NUMBER_AS_FLOAT_FROM:
            errors.append(texts["id_as_number"])
            row.masked = identity.mask_id_number(cell_text(raw_id)[:18])
        else:
            normalised = normalise_id_cell(raw_id)
            row.masked = identity.mask_id_number(normalised)[:40]
            error = id_checker.error(normalised)
            if error:
                errors.append(error)
            else:
                row.id_number = normalised
                if normalised == rules.example_id_number:
                    return None  # the template's example row, left in by mistake
        # Name.
        name = normalise_name(raw_name)
        row.name = name[:100]
        if not name:
            errors.append(texts["name_required"])
        elif len(name) > 50:
            errors.append(texts["name_long"])
        # Hours.
        row.hours_text = cell_text(raw_hours)[:40]
        if row.hours_text == "":
            errors.append(texts["hours_required"])
        else:
            hours = parse_hours(raw_hours)
            if hours is None:
                errors.append(texts["hours_not_number"] % {"value": row.hours_text[:20]})
            elif hours < zero or (hours == zero and not rules.allow_zero_hours):
                errors.append(texts["hours_not_positive"])
            elif hours > hours_limit:
                errors.append(rules.hours_limit_message % {"hours": _format(hours)})
            else:
                row.hours = hours
        # Dates.
        dates: dict[str, datetime.date] = {}
        for key, position in date_columns:
            raw = cells[position]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            value = parse_date(raw)
            if value is None:
                errors.append(
                    texts["date_invalid"] % {"column": COLUMN_LABELS[key], "value": cell_text(raw)[:20]}
                )
            elif not first_date <= value <= last_date:
                errors.append(rules.date_message % {"column": COLUMN_LABELS[key], "value": value.isoformat()})
            else:
                dates[key] = value
        if START in dates and END in dates and dates[END] < dates[START]:
            errors.append(texts["dates_reversed"])
        return row

    # The fast path: a clean 18-character number, a plain name, hours as a number cell, dates as date
    # cells (or none). Whatever it does not accept goes through check_row, which says why. What rosters
    # repeat (the hours, the dates, the birth dates) is judged once per distinct value.
    birth_valid = id_checker.birth_valid
    example = rules.example_id_number
    check_characters = _ID_CHECK_CHARACTERS
    hours_seen: dict[float, tuple[Decimal | None, str]] = {}  # hours, or None when not fine; text
    dates_seen: dict[object, bool] = {}
    if len(date_positions) > 1:
        date_cells: Callable[[Sequence[object]], object] | None = itemgetter(*date_positions)
    elif date_positions:
        position = date_positions[0]
        date_cells = lambda cells: cells[position]  # noqa: E731
    else:
        date_cells = None
    first_of: dict[str, RosterRow] = {}  # ID number: its first row
    repeated: dict[str, list[RosterRow]] = {}  # ID number: all its rows, for numbers given twice or more
    append = checked.append
    for index, cells in enumerate(parsed.rows):
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        raw_id, raw_name, raw_hours = cells[id_column], cells[name_column], cells[hours_column]
        if (
            fast_path
            and raw_id.__class__ is str
            and len(raw_id) == 18  # type: ignore[arg-type]
            and raw_id.isascii()  # type: ignore[union-attr]
            and raw_id[:17].isdigit()  # type: ignore[index]
            and raw_name.__class__ is str
            and 0 < len(raw_name) <= 50  # type: ignore[arg-type]
            and raw_name.isalpha()  # type: ignore[union-attr]
            and max(raw_name) < _FULL_WIDTH_FIRST  # type: ignore[type-var]
            and raw_hours.__class__ is float
        ):
            normalised = raw_id if raw_id[17] != "x" else raw_id.upper()  # type: ignore[index,union-attr]
            hours_found = hours_seen.get(raw_hours)  # type: ignore[call-overload]
            if hours_found is None:
                hours = parse_hours(raw_hours)
                if hours is not None and not zero < hours <= hours_limit:
                    hours = None  # check_row says why
                hours_found = (hours, cell_text(raw_hours))
                if len(hours_seen) < 10_000:
                    hours_seen[raw_hours] = hours_found  # type: ignore[index]
            if date_cells is None:
                dates_valid = True
            else:
                key = date_cells(cells)
                dates_valid = dates_seen.get(key)  # type: ignore[assignment]
                if dates_valid is None:
                    dates_valid = dates_fine(cells)
                    if len(dates_seen) < 10_000:
                        dates_seen[key] = dates_valid
            if (
                hours_found[0] is not None
                and dates_valid
                and check_characters[2 * int(normalised[:17], _ID_CHECK_BASE) % 11] == normalised[17]
                and birth_valid(normalised[6:14])
                and normalised != example
            ):
                row = RosterRow(
                    index,
                    first_row_number + index,
                    normalised,
                    "",
                    f"{normalised[:6]}********{normalised[14:]}",  # identity.mask_id_number
                    raw_name,  # type: ignore[arg-type]
                    hours_found[0],
                    hours_found[1],
                )
                first = first_of.setdefault(normalised, row)
                if first is not row:
                    repeated.setdefault(normalised, [first]).append(row)
                append(row)
                continue
        if not (raw_id and raw_id.__class__ is str) and _is_blank(cells):
            continue
        checked_row = check_row(index, cells)
        if checked_row is None:
            continue
        if checked_row.id_number:
            first = first_of.setdefault(checked_row.id_number, checked_row)
            if first is not checked_row:
                repeated.setdefault(checked_row.id_number, [first]).append(checked_row)
        append(checked_row)
    duplicate_message = str(messages.ROW_DUPLICATE)
    for id_number, rows in repeated.items():
        del first_of[id_number]
        numbers = "、".join(str(row.row_number) for row in rows)
        for row in rows:
            row.errors.append(duplicate_message % {"rows": numbers})
    for id_number, row in first_of.items():
        row.digest = digest(id_number)
    return CheckedRoster(rows=checked, total_rows=len(parsed.rows))


def _format(value: Decimal) -> str:
    return f"{value:f}".removesuffix(".0")


def format_hours(value: Decimal) -> str:
    return _format(value.quantize(ONE_DECIMAL_PLACE, rounding=ROUND_HALF_UP))
