"""Every sentence a user can read from the conversion rules, in one place.

The rules package is pure Python (no Django), so these are plain Chinese strings with ``str.format``
placeholders rather than ``gettext`` calls; the Django layer shows them as they are, and the tests import
the same constants so a reworded message cannot silently diverge from what the tests expect.
"""

from __future__ import annotations

# Rule registry.
RULE_UNKNOWN = "未知的学时折算规则：{code}"
RULE_NOT_CLAIMABLE_TRAINING = (
    "培训进修类学时由组织、派出或同意的行业主管部门、用人单位统一备案并导入，个人无需申报"
)

# Field validation (one message per field; ClaimFieldError collects them all).
FIELD_REQUIRED = "请填写{label}"
FIELD_NOT_TEXT = "{label}格式无效"
FIELD_TOO_LONG = "{label}不能超过{max_length}个字"
FIELD_NOT_INTEGER = "{label}须为整数"
FIELD_NOT_NUMBER = "{label}须为数字"
FIELD_TOO_MANY_DECIMAL_PLACES = "{label}最多保留一位小数"
FIELD_BELOW_MINIMUM = "{label}不能小于{minimum}"
FIELD_ABOVE_MAXIMUM = "{label}不能大于{maximum}"
FIELD_OUT_OF_RANGE = "{label}须在{minimum}至{maximum}之间"
FIELD_UNKNOWN_CHOICE = "请选择有效的{label}"
FIELD_NOT_DATE = "{label}须为有效日期，格式如2024-05-10"
MONTH_ORDER = "结束月份不能早于开始月份"

# Refusals and adjustments of a claim.
EVIDENCE_ALREADY_CREDITED = "该证明材料已认定过学时，不能重复申报"
COMPETITION_CREDITED_UNDER_OTHER_RULE = (
    "该比赛已按{other_code}“{other_title}”认定学时，不可重复抵扣{subject}学时"
)
EVENT_OUTSIDE_YEAR = "{label}为{event_date}，不在{year}年度内，只能申报当年度学时"
YEARLY_CAP_APPLIED = (
    "{title}累计上限{cap}学时，本年度已认定{prior}学时，本次认定{credited}学时（申报{claimed}学时）"
)
YEARLY_CAP_REACHED = "{title}累计上限{cap}学时，本年度已认定{prior}学时，已达到年度上限，不能再认定"
DAILY_CAP_APPLIED = "{title}每天不超过{per_day}学时，{days}天最多认定{limit}学时（申报{claimed}学时）"
REDUCTION_NOT_ELIGIBLE = (
    "{reason}须年度内超过{months_away_over}个月才能按实际在岗时间折算，"
    "当年在岗{months_on_post}个月（离岗{months_away}个月），不符合条件"
)
REDUCTION_NOT_NEEDED = "当年在岗{months_on_post}个月，无需按实际在岗时间折算"
REDUCTION_ALREADY_CREDITED = "本年度已认定过按实际在岗时间折算，不能重复申报"

SUBJECT_PUBLIC = "公需科目"
SUBJECT_PROFESSIONAL = "专业科目"

# Claim window.
CLAIM_WINDOW_NOT_OPEN = "{year}年度学时申报将于{opens}开始，目前尚未开放"
CLAIM_WINDOW_CLOSED = "{year}年度学时申报已于{closes}截止，不能再申报"

# A year's rule set (edited by bureau staff as JSON).
FIGURES_MISSING_KEYS = "年度学时规则不完整，缺少：{keys}"
FIGURES_UNKNOWN_KEYS = "年度学时规则含有未知项：{keys}"
FIGURES_BAD_VALUE = "年度学时规则中“{key}”的值无效：{value}"
FIGURES_BAD_CHOICES = "年度学时规则中“{key}”须恰好包含：{expected}"
FIGURES_NEGATIVE = "年度学时规则中“{key}”不能为负数"
FIGURES_WINDOW_ORDER = "年度学时规则中申报截止日期不能早于开始日期"
FIGURES_YEAR_MISMATCH = "这是{figures_year}年度的学时规则，不能用于{year}年度"
