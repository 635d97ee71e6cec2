"""Reading and checking a roster, without the database: each row rule with its Chinese reason, the
forgiving normalisation of what people type, the header, empty files, and formulas read as values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts import identity
from filings import messages, roster
from filings.reports import EXAMPLE_ID_NUMBER, EXAMPLE_NAME
from filings.roster import RosterFileError, RowRules, check_rows, parse_workbook

from .helpers import Formula, hand_made_xlsx, id_number, workbook_bytes

START = datetime.date(2026, 5, 10)
END = datetime.date(2026, 5, 12)
LIMIT_MESSAGE = str(messages.ROW_HOURS_OVER_LIMIT) % {
    "hours": "%(hours)s",
    "days": 3,
    "per_day": "8",
    "limit": "24",
}
DATE_MESSAGE = str(messages.ROW_DATE_OUTSIDE_FILING) % {
    "column": "%(column)s",
    "value": "%(value)s",
    "start": START.isoformat(),
    "end": END.isoformat(),
}
RULES = RowRules(
    hours_limit=Decimal(24),
    hours_limit_message=LIMIT_MESSAGE,
    first_date=START,
    last_date=END,
    date_message=DATE_MESSAGE,
    allow_zero_hours=False,
    example_id_number=EXAMPLE_ID_NUMBER,
)
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def check(rows: list[list[object]], rules: RowRules = RULES) -> list[roster.RosterRow]:
    return check_rows(parse_workbook(workbook_bytes(rows)), rules).rows


def only_row(cells: list[object], rules: RowRules = RULES) -> roster.RosterRow:
    (row,) = check([cells], rules)
    return row


def id_ending_in_x() -> str:
    return next(candidate for candidate in map(id_number, range(100, 999)) if candidate.endswith("X"))


# --- ID numbers -----------------------------------------------------------------------------------


def test_a_clean_row() -> None:
    number = id_number(101)
    row = only_row([number, "李四", 8, "2026-05-10", "2026-05-12"])
    assert row.is_valid
    assert row.id_number == number
    assert row.digest == identity.id_number_digest(number)
    assert row.masked == identity.mask_id_number(number)
    assert row.hours == Decimal("8.0")
    assert row.row_number == 2


def test_full_width_digits_spaces_and_lowercase_x_are_normalised() -> None:
    number = id_ending_in_x()
    typed = " " + number[:6] + " " + number[6:14].translate(FULL_WIDTH) + "\u3000" + number[14:].lower()
    row = only_row([typed, "王 五", "８"])
    assert row.is_valid, row.errors
    assert row.id_number == number
    assert row.name == "王五"
    assert row.hours == Decimal(8)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("37081119910315", identity.ID_NUMBER_LENGTH),
        ("37081119910315101A", identity.ID_NUMBER_CHARACTERS),
        ("370811199102301017", identity.ID_NUMBER_BIRTH_DATE),
        ("370811199103151011", identity.ID_NUMBER_CHECK_DIGIT),
        ("", identity.ID_NUMBER_REQUIRED),
    ],
)
def test_id_number_checks(typed: str, reason: object) -> None:
    if typed == "370811199103151011":
        assert id_number(101) != typed  # the real check character differs
    row = only_row([typed, "李四", 8])
    assert row.errors == [str(reason)]
    assert row.digest == ""


def test_id_number_saved_by_excel_as_a_number() -> None:
    row = only_row([float(id_number(101)[:17] + "0"), "李四", 8])
    assert row.errors == [str(messages.ROW_ID_NUMBER_AS_NUMBER)]


def test_the_templates_example_row_is_skipped() -> None:
    rows = check([[EXAMPLE_ID_NUMBER, EXAMPLE_NAME, 8], [id_number(101), "李四", 8]])
    assert [row.row_number for row in rows] == [3]


# --- Names, hours, dates --------------------------------------------------------------------------


def test_name_required_and_middle_dots_unified() -> None:
    assert only_row([id_number(101), "", 8]).errors == [str(messages.ROW_NAME_REQUIRED)]
    assert only_row([id_number(101), "阿依古丽•买买提", 8]).name == "阿依古丽·买买提"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(8, "8.0"), (7.5, "7.5"), ("6.25", "6.3"), ("１２学时", "12.0"), ("4 小时", "4.0"), (24, "24.0")],
)
def test_hours_are_read_forgivingly(cell: object, expected: str) -> None:
    row = only_row([id_number(101), "李四", cell])
    assert row.is_valid, row.errors
    assert row.hours == Decimal(expected)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("", str(messages.ROW_HOURS_REQUIRED)),
        ("八", str(messages.ROW_HOURS_NOT_A_NUMBER) % {"value": "八"}),
        (0, str(messages.ROW_HOURS_NOT_POSITIVE)),
        (-2, str(messages.ROW_HOURS_NOT_POSITIVE)),
        (24.1, LIMIT_MESSAGE % {"hours": "24.1"}),
        (30, LIMIT_MESSAGE % {"hours": "30"}),
    ],
)
def test_hours_checks(cell: object, reason: str) -> None:
    assert only_row([id_number(101), "李四", cell]).errors == [reason]


def test_zero_hours_are_allowed_in_a_correction() -> None:
    rules = RowRules(**{**RULES.__dict__, "allow_zero_hours": True})
    assert only_row([id_number(101), "李四", 0], rules).hours == Decimal(0)


@pytest.mark.parametrize(
    "cell", [datetime.date(2026, 5, 11), "2026/5/11", "2026年5月11日", "20260511", "２０２６-０５-１１"]
)
def test_dates_in_any_usual_form(cell: object) -> None:
    assert only_row([id_number(101), "李四", 8, cell, None]).is_valid


def test_dates_outside_the_filing_invalid_or_reversed() -> None:
    outside = only_row([id_number(101), "李四", 8, "2026-05-09", None])
    assert outside.errors == [DATE_MESSAGE % {"column": "开始日期", "value": "2026-05-09"}]
    invalid = only_row([id_number(101), "李四", 8, None, "2026-02-30"])
    assert invalid.errors == [str(messages.ROW_DATE_INVALID) % {"column": "结束日期", "value": "2026-02-30"}]
    reversed_row = only_row([id_number(101), "李四", 8, "2026-05-12", "2026-05-10"])
    assert reversed_row.errors == [str(messages.ROW_DATES_REVERSED)]


def test_every_reason_of_a_row_is_kept() -> None:
    row = only_row(["123", "", "abc"])
    assert row.errors == [
        str(identity.ID_NUMBER_LENGTH),
        str(messages.ROW_NAME_REQUIRED),
        str(messages.ROW_HOURS_NOT_A_NUMBER) % {"value": "abc"},
    ]


def test_duplicates_inside_the_file_are_all_refused() -> None:
    number = id_number(101)
    rows = check([[number, "李四", 8], [id_number(102), "王五", 8], [number.lower(), "李四", 6]])
    duplicate = str(messages.ROW_DUPLICATE) % {"rows": "2、4"}
    assert [row.errors for row in rows] == [[duplicate], [], [duplicate]]
    assert [row.digest for row in rows] == ["", identity.id_number_digest(id_number(102)), ""]


# --- The file -------------------------------------------------------------------------------------


def test_blank_rows_are_skipped_but_keep_excel_row_numbers() -> None:
    parsed = parse_workbook(
        workbook_bytes([[id_number(101), "李四", 8], [None, None, None], [id_number(102), "王五", 8]])
    )
    checked = check_rows(parsed, RULES)
    assert [row.row_number for row in checked.rows] == [2, 4]
    assert checked.total_rows == 3


def test_header_synonyms_order_and_a_title_row_above() -> None:
    data = workbook_bytes(
        [
            ["培训学员名单（第一期）"],
            ["学时（小时）", "学员姓名", "身份证号", "备注"],
            [8, "李四", id_number(101), ""],
        ],
        headers=None,
    )
    parsed = parse_workbook(data)
    assert parsed.header_row_number == 2
    (row,) = check_rows(parsed, RULES).rows
    assert row.is_valid and row.row_number == 3 and row.name == "李四"


def test_wrong_header() -> None:
    data = workbook_bytes([[id_number(101), "李四", 8]], headers=["证件", "姓名", "课时"])
    with pytest.raises(RosterFileError) as caught:
        parse_workbook(data)
    assert caught.value.messages == [str(messages.FILE_WRONG_HEADER) % {"columns": "身份证号码”“学时"}]


def test_empty_file() -> None:
    with pytest.raises(RosterFileError) as caught:
        parse_workbook(workbook_bytes([], headers=None))
    assert caught.value.messages == [str(messages.FILE_NO_HEADER)]


def test_header_only() -> None:
    with pytest.raises(RosterFileError) as caught:
        parse_workbook(workbook_bytes([[None, None, None]]))
    assert caught.value.messages == [str(messages.FILE_NO_ROWS)]


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "MAX_DATA_ROWS", 2)
    with pytest.raises(RosterFileError) as caught:
        parse_workbook(workbook_bytes([[id_number(i), "李四", 8] for i in range(101, 104)]))
    assert caught.value.messages == [str(messages.FILE_TOO_MANY_ROWS) % {"count": 3, "limit": 2}]


def test_formulas_are_read_as_their_values_never_evaluated() -> None:
    number = id_number(101)
    data = hand_made_xlsx(
        [
            ["身份证号码", "姓名", "学时"],
            [Formula('"' + number[:9] + '"&"' + number[9:] + '"', number), "李四", Formula("4+4", 8)],
            [
                id_number(102),
                Formula('HYPERLINK("http://example.invalid","王五")', "王五"),
                Formula("SUM(A1:A2)", 6),
            ],
        ]
    )
    rows = check_rows(parse_workbook(data), RULES).rows
    assert [(row.id_number, row.name, row.hours, row.errors) for row in rows] == [
        (number, "李四", Decimal(8), []),
        (id_number(102), "王五", Decimal(6), []),
    ]


def test_a_formula_without_a_cached_value_is_empty() -> None:
    data = workbook_bytes([[id_number(101), "李四", "=4+4"]])
    assert only_row_of(data).errors == [str(messages.ROW_HOURS_REQUIRED)]


def only_row_of(data: bytes) -> roster.RosterRow:
    (row,) = check_rows(parse_workbook(data), RULES).rows
    return row


def test_the_roster_sheet_is_preferred_over_the_first() -> None:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["这里不是名单"])
    sheet = workbook.create_sheet("学员名单")
    sheet.append(["身份证号码", "姓名", "学时"])
    sheet.append([id_number(101), "李四", 8])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert only_row_of(buffer.getvalue()).is_valid


# --- The fast paths agree with accounts.identity -----------------------------------------------------

TODAY = datetime.date(2026, 11, 29)


@given(
    st.one_of(
        st.text(alphabet="0123456789X", min_size=16, max_size=19),
        st.builds(
            lambda birth, sequence, check: id_number(sequence, birth=birth)[:17] + check,
            st.dates(min_value=datetime.date(1890, 1, 1), max_value=datetime.date(2030, 12, 31)),
            st.integers(min_value=0, max_value=999),
            st.sampled_from("0123456789X"),
        ),
        st.text(min_size=0, max_size=20),
    )
)
@settings(max_examples=500, deadline=None)
def test_the_fast_id_check_agrees_with_identity(text: str) -> None:
    assert roster.IdNumberChecker(TODAY).error(text) == identity.id_number_error(text, TODAY)


@given(st.text(min_size=0, max_size=20))
@settings(max_examples=200, deadline=None)
def test_the_fast_normalisation_agrees_with_identity(text: str) -> None:
    assert roster.normalise_id_cell(text) == identity.normalise_id_number(text)


def test_the_fast_digest_agrees_with_identity() -> None:
    digest = roster.id_number_digester()
    for sequence in range(100, 140):
        number = id_number(sequence)
        assert digest(number) == identity.id_number_digest(number)


@given(
    st.text(alphabet="0123456789", min_size=17, max_size=17),
)
@settings(max_examples=300, deadline=None)
def test_the_check_character_in_one_call_agrees_with_identity(first_seventeen: str) -> None:
    assert roster.id_check_character(first_seventeen) == identity.id_number_check_character(first_seventeen)


@pytest.mark.parametrize("length", [1, 32, 63, 64, 65, 200])
def test_the_fast_digest_agrees_with_identity_for_any_key_length(settings: object, length: int) -> None:
    settings.ID_NUMBER_HASH_KEY = "钥" * (length // 3) + "k" * (length % 3)  # type: ignore[attr-defined]
    digest = roster.id_number_digester()
    for sequence in (100, 101, 999):
        number = id_number(sequence)
        assert digest(number) == identity.id_number_digest(number)


# Cells as calamine gives them: strings, floats, dates, "" for an empty cell. Mostly clean values (the
# fast path's), some slightly off (so each of its conditions is met and missed), some messy.
_ENDING_IN_X = [number for number in map(id_number, range(100, 300)) if number.endswith("X")]
_CLEAN_IDS = st.one_of(
    st.builds(
        lambda sequence, birth: id_number(sequence, birth=birth),
        st.integers(min_value=100, max_value=110),  # few: duplicates happen
        st.sampled_from([datetime.date(1991, 3, 15), datetime.date(1899, 12, 31), datetime.date(2027, 1, 1)]),
    ),
    st.sampled_from(_ENDING_IN_X),
    st.sampled_from([number[:17] + "x" for number in _ENDING_IN_X]),
)
_CLEAN_NAMES = st.sampled_from(["李四", "王五", "阿依古丽"])
_CLEAN_HOURS = st.sampled_from([8.0, 7.5, 24.0, 0.5])
_CLEAN_DATES = st.one_of(
    st.just(""), st.dates(min_value=datetime.date(2026, 5, 9), max_value=datetime.date(2026, 5, 13))
)
_ROW_IDS = st.one_of(
    _CLEAN_IDS,
    st.builds(lambda sequence: id_number(sequence)[:17] + "X", st.integers(min_value=100, max_value=999)),
    st.builds(lambda number: number[:17] + number[17].lower(), _CLEAN_IDS),
    st.builds(lambda number, digit: number[:17] + digit, _CLEAN_IDS, st.sampled_from("0123456789Xx")),
    st.builds(lambda number: number.lower(), _CLEAN_IDS),
    st.builds(lambda number: number[:17], _CLEAN_IDS),
    st.builds(lambda number: " " + number, _CLEAN_IDS),
    st.builds(lambda number: number[:17].translate(FULL_WIDTH) + number[17], _CLEAN_IDS),
    st.just(EXAMPLE_ID_NUMBER),
    st.sampled_from(
        ["", "37081119910315101A", "３７０８１１１９９１０３１５１０１Ｘ", float(id_number(101)[:17] + "0")]
    ),
    st.text(alphabet="0123456789Xx", min_size=18, max_size=18),
)
_ROW_NAMES = st.one_of(
    _CLEAN_NAMES,
    st.sampled_from(["", "阿依古丽•买买提", "王 五", "Ｌｉ", "李" * 50, "李" * 51, "O'Neil", "Li", 8.0]),
    st.text(min_size=0, max_size=4),
)
_ROW_HOURS = st.one_of(
    _CLEAN_HOURS,
    st.sampled_from([24.1, 0.0, -2.0, 6.25, 30.0, "８学时", "", "abc", 8, float("nan")]),
    st.floats(min_value=-1, max_value=30, allow_nan=False),
)
_ROW_DATES = st.one_of(
    _CLEAN_DATES,
    st.sampled_from(["2026-05-11", "2026/5/9", "  ", None, 46153.0, datetime.datetime(2026, 5, 11, 9, 30)]),
)


_CLEAN = (_CLEAN_IDS, _CLEAN_NAMES, _CLEAN_HOURS, _CLEAN_DATES, _CLEAN_DATES)
_ANY = (_ROW_IDS, _ROW_NAMES, _ROW_HOURS, _ROW_DATES, _ROW_DATES)
_ROWS = st.one_of(
    st.tuples(*_CLEAN),
    st.tuples(*_ANY),
    # Clean but for one cell.
    *(st.tuples(*_CLEAN[:position], _ANY[position], *_CLEAN[position + 1 :]) for position in range(5)),
)


@given(st.lists(_ROWS, min_size=1, max_size=8))
@settings(max_examples=500, deadline=None)
def test_the_fast_row_path_agrees_with_the_general_one(rows: list[tuple[object, ...]]) -> None:
    parsed = roster.ParsedRoster(
        header_row_number=1,
        columns={roster.ID_NUMBER: 0, roster.NAME: 1, roster.HOURS: 2, roster.START: 3, roster.END: 4},
        rows=[list(row) for row in rows],
    )

    def outcome(fast_path: bool) -> list[tuple[object, ...]]:
        checked = check_rows(parsed, RULES, today=TODAY, fast_path=fast_path)
        return [
            (
                row.index,
                row.row_number,
                row.id_number,
                row.digest,
                row.masked,
                row.name,
                row.hours,
                row.hours_text,
                row.errors,
                row.person_id,
            )
            for row in checked.rows
        ]

    assert outcome(fast_path=True) == outcome(fast_path=False)
