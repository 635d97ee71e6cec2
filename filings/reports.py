"""The spreadsheets the platform hands out: the roster template and an import's report.

Every cell that carries what someone typed is neutralised against formula injection (OWASP: a cell
starting with = + - @, a tab or a carriage return is prefixed with an apostrophe and written as text),
and ID numbers are only ever written masked.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from accounts import identity

from .models import ImportSource, IssueKind, RosterImport, RosterIssue, TrainingFiling

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The template's example: a made-up number (region 000000 does not exist) with a valid check character,
# so that an example row left in the file is recognised and skipped.
_EXAMPLE_FIRST_SEVENTEEN = "00000019900101001"
EXAMPLE_ID_NUMBER = _EXAMPLE_FIRST_SEVENTEEN + identity.id_number_check_character(_EXAMPLE_FIRST_SEVENTEEN)
EXAMPLE_NAME = "张三（示例，导入时自动跳过）"

FILING_HEADERS = ("身份证号码", "姓名", "学时", "开始日期", "结束日期", "工作单位", "备注")
CHANNEL_HEADERS = ("身份证号码", "姓名", "学时", "完成日期", "项目名称", "工作单位", "备注")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="A61B1B")
_EXAMPLE_FONT = Font(italic=True, color="808080")


def neutralise(value: Any) -> Any:
    """A value safe to put in a cell: strings that a spreadsheet would run as a formula get a leading
    apostrophe; numbers and dates pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _text_cell(sheet: Worksheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl guesses
    return cell


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Template ---------------------------------------------------------------------------------------


def roster_template(
    *, filing: TrainingFiling | None = None, source: str = ImportSource.FILING, year: int | None = None
) -> bytes:
    """The .xlsx to fill in: Chinese headers, one example row (skipped on import), a sheet of instructions."""
    is_filing = source == ImportSource.FILING
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "学员名单"
    headers = FILING_HEADERS if is_filing else CHANNEL_HEADERS
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    if is_filing and filing is not None:
        example = [
            EXAMPLE_ID_NUMBER,
            EXAMPLE_NAME,
            float(min(filing.planned_hours, Decimal(8))),
            filing.start_date,
            filing.end_date,
            "某某单位",
            "",
        ]
    elif is_filing:
        example = [EXAMPLE_ID_NUMBER, EXAMPLE_NAME, 8, None, None, "某某单位", ""]
    else:
        example = [
            EXAMPLE_ID_NUMBER,
            EXAMPLE_NAME,
            24,
            f"{year or timezone.localdate().year}-06-30",
            "某某继续医学教育项目",
            "某某医院",
            "",
        ]
    sheet.append(example)
    for cell in sheet[2]:
        cell.font = _EXAMPLE_FONT
    # The ID column is text, so Excel keeps all 18 digits (a number would lose the last three).
    for row in range(2, 5002):
        sheet.cell(row=row, column=1).number_format = "@"
    for row in range(2, 5002):
        for column in (4, 5) if is_filing else (4,):
            sheet.cell(row=row, column=column).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFG", (24, 14, 10, 14, 14 if is_filing else 30, 28, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    lines = [
        _("填写说明"),
        _("1. 请在“学员名单”工作表中从第 2 行起每人填写一行，不要修改第 1 行表头。")
        + _("第 2 行为示例，导入时自动跳过，可删除。"),
        _("2. 身份证号码：18 位，末位 X 大小写均可；全角数字和空格会自动处理。请保持该列为“文本”格式。"),
        _("3. 姓名：须与身份证号码一致；已在平台注册的人员须与注册姓名一致。"),
        _("4. 学时：大于 0 的数字，可保留一位小数。"),
    ]
    if is_filing:
        lines += [
            _("5. 每人学时不得超过“培训天数 × 每天 8 学时”。")
            + _("开始、结束日期可不填，填写时须在备案的培训日期之内。"),
            _("6. 尚未在平台注册的人员，学时先暂存，本人注册后自动记入。"),
            _("7. 同一培训重复导入不会重复计学时；如需更改某人学时，")
            + _("请使用“更正导入”上传更正后的名单（学时填 0 表示撤销）。"),
        ]
        if filing is not None:
            lines += [
                "",
                _("培训名称：%(title)s") % {"title": filing.title},
                _("培训日期：%(start)s 至 %(end)s，共 %(days)s 天")
                % {
                    "start": filing.start_date.isoformat(),
                    "end": filing.end_date.isoformat(),
                    "days": filing.training_days,
                },
            ]
    else:
        lines += [
            _("5. 完成日期可不填，填写时须在所选学时年度之内。每人每个行业、每个年度一行（年度合计学时）。"),
            _("6. 尚未在平台注册的人员，学时先暂存，本人注册后自动记入。"),
            _("7. 再次导入同一年度不会重复计学时；如需更改，请使用“更正导入”（学时填 0 表示撤销）。"),
        ]
    for line in lines:
        notes.append([neutralise(line)])
    notes.column_dimensions["A"].width = 110
    notes["A1"].font = Font(bold=True, size=14)
    return _workbook_bytes(workbook)


# --- Report -----------------------------------------------------------------------------------------


def _issue_rows(sheet: Worksheet, issues: Iterable[RosterIssue]) -> None:
    for issue in issues:
        sheet.append(
            [
                issue.row_number,
                _text_cell(sheet, issue.id_number_masked),
                _text_cell(sheet, issue.name),
                _text_cell(sheet, issue.hours_text),
                _text_cell(sheet, issue.message),
            ]
        )


def import_report(roster_import: RosterImport, issues: QuerySet[RosterIssue]) -> bytes:
    """Summary, every bad row with its reason, the held rows, and the corrections."""
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(_("导入结果"))
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 60
    subject = (
        roster_import.filing.title
        if roster_import.filing
        else f"{roster_import.get_source_display()}（{roster_import.year}年度）"
    )
    lines: list[tuple[str, Any]] = [
        (_("导入内容"), subject),
        (_("文件"), roster_import.original_name),
        (_("导入方式"), _("更正导入") if roster_import.is_correction else _("普通导入")),
        (_("状态"), roster_import.get_status_display()),
        (_("上传时间"), timezone.localtime(roster_import.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("数据行数"), roster_import.total_rows),
        (_("新记入"), roster_import.credited_count),
        (_("已更正"), roster_import.updated_count),
        (_("已撤销"), roster_import.revoked_count),
        (_("已记入，未重复计入"), roster_import.unchanged_count),
        (_("待注册暂存"), roster_import.held_count),
        (_("问题行（未记入）"), roster_import.error_count),
    ]
    if roster_import.failure_message:
        lines.append((_("失败原因"), roster_import.failure_message))
    for label, value in lines:
        summary.append([_text_cell(summary, label), _text_cell(summary, value)])
    headers = [_("行号"), _("身份证号码"), _("姓名"), _("学时"), _("原因")]
    for kind, title, header in (
        (IssueKind.ERROR, _("问题行"), _("原因")),
        (IssueKind.HELD, _("待注册暂存"), _("说明")),
        (None, _("更正记录"), _("说明")),
    ):
        sheet = workbook.create_sheet(title)
        for column, width in zip("ABCDE", (8, 22, 14, 10, 80), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.append([*headers[:4], header])
        selected = (
            issues.filter(kind=kind)
            if kind is not None
            else issues.filter(kind__in=[IssueKind.UPDATED, IssueKind.REVOKED])
        )
        _issue_rows(sheet, selected.order_by("row_number", "id").iterator(chunk_size=5000))
    return _workbook_bytes(workbook)
