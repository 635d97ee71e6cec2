"""Every sentence a user can read from the filings app: the filing workflow's refusals, the upload
checks and the reasons a roster row is refused. Tests import these constants instead of copying text."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# --- Filings --------------------------------------------------------------------------------------
FILING_ALREADY_STARTED = _(
    "该培训已于 %(start)s 开始，不能再备案：培训须在开始前备案。如确有特殊情况，请联系 %(bureau)s。"
)
PAPER_RECEIVED_AFTER_START = _("纸质备案材料须在培训开始前收到（培训开始日期为 %(start)s）。")
PAPER_RECEIVED_REQUIRED = _("请填写纸质备案材料的收到日期。")
PAPER_RECEIVED_IN_FUTURE = _("纸质备案材料的收到日期不能晚于今天。")
END_BEFORE_START = _("结束日期不能早于开始日期。")
DAYS_OUT_OF_RANGE = _("培训天数应在 1 天至开始、结束日期之间的 %(days)s 天之间。")
PLANNED_HOURS_OVER_LIMIT = _("计划学时不能超过每天 %(per_day)s 学时 × %(days)s 天 = %(limit)s 学时。")
PLANNED_HOURS_NOT_POSITIVE = _("计划学时应大于 0。")
NOT_A_FILING_ORGANISATION = _("您不能以该机构的名义备案培训。")
PAPER_ORGANISATION_OUTSIDE = _("只能代录本局负责备案的单位或主管部门的纸质备案。")
RETURN_REASON_REQUIRED = _("请填写退回理由。")
TRANSITION_NOT_ALLOWED = _("该备案当前为“%(status)s”，不能%(action)s。")
NOT_YOUR_FILING = _("您无权处理该备案。")
FILING_NOT_EDITABLE = _("只有被退回的备案可以修改后重新提交。")
TEXT_TOO_LONG = _("不能超过 %(limit)s 个字（现为 %(length)s 个字）。")

ATTACHMENT_TOO_LARGE = _("附件“%(name)s”超过 %(limit)s MB。")
ATTACHMENT_TYPE = _("附件“%(name)s”的格式不受支持，请上传 PDF、图片、Word 或 Excel 文件。")
ATTACHMENT_TOO_MANY = _("每项备案最多上传 %(limit)s 个附件。")
ATTACHMENT_NONE = _("请选择要上传的附件。")

# --- Imports: who, when -----------------------------------------------------------------------------
IMPORT_FILING_NOT_APPROVED = _("备案尚未通过审核，不能导入学员名单。")
IMPORT_TRAINING_NOT_ENDED = _("培训尚未结束（结束日期 %(end)s），结束后方可导入学员名单和学时。")
IMPORT_NOT_ALLOWED = _("只有审核该备案的人社部门工作人员可以导入学员名单。")
IMPORT_CHANNEL_NOT_ALLOWED = _("只有市人社局工作人员可以导入行业学时。")
IMPORT_ALREADY_ACTIVE = _("该培训（或行业年度）已有一个正在进行的导入，请等待其完成或取消后再上传。")
IMPORT_YEAR_OUT_OF_RANGE = _("学时年度应在 %(first)s 年至 %(last)s 年之间。")
IMPORT_NOT_CANCELLABLE = _("该导入已结束，不能取消。")
IMPORT_NOT_RETRYABLE = _("只有失败的导入可以重新运行。")

# --- Imports: the file ------------------------------------------------------------------------------
FILE_REQUIRED = _("请选择要上传的 Excel 文件。")
FILE_TOO_LARGE = _("文件超过 %(limit)s MB，请拆分后分批导入。")
FILE_EMPTY = _("上传的文件是空的。")
FILE_NOT_XLSX = _("只能上传 Excel 2007 及以上版本的 .xlsx 文件（请用“另存为”选择 .xlsx 格式）。")
FILE_OLD_XLS = _("这是旧版 .xls 文件或加密的 Excel 文件，请用 Excel 另存为 .xlsx（不设密码）后再上传。")
FILE_CORRUPT = _("文件已损坏或不是有效的 .xlsx 文件，请重新保存后上传。")
FILE_TOO_MANY_ENTRIES = _("文件结构异常（包含 %(count)s 个内部文件，上限 %(limit)s 个），已拒绝处理。")
FILE_INFLATES_TOO_MUCH = _("文件解压后过大（超过 %(limit)s MB），可能是恶意文件，已拒绝处理。")
FILE_COMPRESSION_SUSPICIOUS = _("文件压缩比异常（%(ratio)s 倍），可能是恶意文件，已拒绝处理。")
FILE_NO_SHEET = _("文件中没有工作表。")
FILE_NO_HEADER = _("文件为空：没有找到表头。请下载模板，按模板填写后上传。")
FILE_WRONG_HEADER = _("表头不正确，缺少“%(columns)s”列。请下载模板，按模板的表头填写后上传。")
FILE_NO_ROWS = _("文件中没有数据行（只有表头）。")
FILE_TOO_MANY_ROWS = _("文件有 %(count)s 行数据，超过单次导入上限 %(limit)s 行，请拆分后分批导入。")
IMPORT_FAILED_UNEXPECTEDLY = _(
    "导入过程中发生意外错误，已处理的行不受影响。请稍后重新运行，或联系技术支持（400-806-8255）。"
)
IMPORT_TIMED_OUT = _("导入超时，已处理的行不受影响。请重新运行，导入会从中断处继续。")

# --- Imports: rows -----------------------------------------------------------------------------------
ROW_ID_NUMBER_AS_NUMBER = _(
    "身份证号码被 Excel 存成了数字，末尾几位已丢失。请把该列设为“文本”格式后重新填写。"
)
ROW_NAME_REQUIRED = _("姓名为空。")
ROW_NAME_MISMATCH = _("姓名与该身份证号码在平台注册的姓名不一致。")
ROW_HOURS_REQUIRED = _("学时为空。")
ROW_HOURS_NOT_A_NUMBER = _("学时“%(value)s”不是数字。")
ROW_HOURS_NOT_POSITIVE = _("学时应大于 0。")
ROW_HOURS_OVER_LIMIT = _(
    "学时 %(hours)s 超过上限：本次培训 %(days)s 天，每天至多 %(per_day)s 学时，共 %(limit)s 学时。"
)
ROW_HOURS_TOO_LARGE = _("学时 %(hours)s 超过单行上限 %(limit)s 学时。")
ROW_DATE_INVALID = _("%(column)s“%(value)s”不是有效日期（示例：2024-05-10）。")
ROW_DATE_OUTSIDE_FILING = _("%(column)s %(value)s 不在备案的培训日期（%(start)s 至 %(end)s）之内。")
ROW_DATE_OUTSIDE_YEAR = _("%(column)s %(value)s 不在 %(year)s 年度之内。")
ROW_DATES_REVERSED = _("结束日期早于开始日期。")
ROW_DUPLICATE = _("身份证号码在文件中重复出现（第 %(rows)s 行），均未记入。请合并为一行后重新导入。")
ROW_ALREADY_CREDITED_DIFFERENT = _(
    "该人员已记入本次培训 %(hours)s 学时，本行未重复记入。如需更改学时，请使用“更正导入”。"
)
ROW_HELD = _("该身份证号码尚未注册，学时已暂存，本人注册后自动记入。")
ROW_UPDATED = _("学时由 %(old)s 更正为 %(new)s（原记录已冲销）。")
ROW_REVOKED = _("学时 %(old)s 已撤销（原记录已冲销）。")
ROW_REVOKE_NOTHING = _("学时为 0 表示撤销，但该人员没有可撤销的学时。")
ROW_CELL_TOO_LONG = _("%(column)s内容过长。")
