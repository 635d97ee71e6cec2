"""What each Annex 1 rule asks a claimant for, as data.

A claim form, its review page and the evidence check are all generated from these specs, so a rule's
fields, their Chinese labels and the sentence of the notice it rests on live in exactly one place. The
quotes are copied verbatim from Annex 1 of the Jining notice of 2024-04-26 (the PDF's page break inside
PRO-5 is joined); a reviewer reads the law next to the claim instead of a paraphrase of it.

PRO-2 (training and further study) is deliberately absent from ``RULES``: the notice says the organising
department or unit files it and the HR bureau imports the hours ("个人无需操作"), so a person cannot claim it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from . import messages

FieldKind = Literal["int", "decimal", "choice", "month", "date", "text"]
Category = Literal["public_conversion", "professional", "requirement_reduction"]
Choices = tuple[tuple[str, str], ...]

CATEGORY_PUBLIC: Category = "public_conversion"
CATEGORY_PROFESSIONAL: Category = "professional"
CATEGORY_REQUIREMENT_REDUCTION: Category = "requirement_reduction"

PUB_1 = "PUB-1"
PUB_2 = "PUB-2"
PUB_3 = "PUB-3"
PUB_4 = "PUB-4"
PRO_1 = "PRO-1"
PRO_2 = "PRO-2"
PRO_3 = "PRO-3"
PRO_4 = "PRO-4"
PRO_5 = "PRO-5"
PRO_6 = "PRO-6"
PRO_7 = "PRO-7"
PRO_8 = "PRO-8"
R1 = "R1"

#: The two rules under which one competition may be credited, but only under one of them.
COMPETITION_RULES = frozenset({PUB_4, PRO_7})
#: The two rules under which one dispatched assignment is credited, explicitly both at once.
DISPATCH_RULES = frozenset({PUB_1, PRO_1})
#: Rules whose hours arrive through training filings and imports, never through a personal claim.
NOT_CLAIMABLE = frozenset({PRO_2})

# Choice codes are English (stable in the database and in the year's figures); labels are Chinese.
FOREIGN_LANGUAGE_GRADE_CHOICES: Choices = (("A", "A级"), ("B", "B级"), ("C", "C级"))
COMPETITION_LEVEL_CHOICES: Choices = (
    ("national", "国家级"),
    ("provincial", "省级"),
    ("city", "市级"),
    ("county", "县级"),
)
RESEARCH_ITEM_CHOICES: Choices = (
    ("research_award", "科研成果奖励"),
    ("patent", "专利"),
    ("other_outcome", "其他重要成果"),
    ("academic_paper", "学术论文"),
    ("technical_paper", "技术论文"),
    ("conference_paper", "学术会议交流论文"),
    ("monograph", "著作"),
    ("translation", "译著"),
)
EXPERT_ACTIVITY_CHOICES: Choices = (
    ("grassroots_service", "专家服务基层"),
    ("title_evaluation", "职称评审"),
    ("exam_marking", "人事考试阅卷"),
    ("skill_evaluation", "职业技能等级评价"),
    ("talent_project_review", "重大人才项目评审"),
)
SKILL_GRADE_CHOICES: Choices = (
    ("chief_technician", "首席技师"),
    ("special_technician", "特级技师"),
    ("senior_technician", "高级技师"),
    ("technician", "技师"),
    ("senior_worker", "高级工"),
)
REDUCTION_REASON_CHOICES: Choices = (
    ("abroad", "因公派出境外工作"),
    ("sick_leave", "因伤病请病假"),
    ("maternity", "休产假"),
)

#: Long enough for any certificate, document or DOI number; short enough to keep keys readable.
NUMBER_MAX_LENGTH = 64
TITLE_MAX_LENGTH = 200


@dataclass(frozen=True)
class FieldSpec:
    """One input of a claim form; ``compute.validate_fields`` turns raw form values into typed ones.

    ``min_value``/``max_value`` bound numbers (inclusive); ``max_length`` bounds text; ``choices`` are
    (code, Chinese label) pairs for ``kind == "choice"``.
    """

    name: str
    label: str
    kind: FieldKind
    required: bool = True
    choices: Choices = ()
    min_value: int | Decimal | None = None
    max_value: int | Decimal | None = None
    max_length: int | None = None
    help: str = ""

    def choice_label(self, value: str) -> str:
        """The Chinese label of a choice code, for messages and review pages."""
        return dict(self.choices)[value]


@dataclass(frozen=True)
class RuleSpec:
    """One Annex 1 rule: what it is called, the law it quotes, the evidence it needs and its fields."""

    code: str
    category: Category
    title: str
    quote: str
    evidence_label: str
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec:
        for field_spec in self.fields:
            if field_spec.name == name:
                return field_spec
        raise KeyError(name)


def _month(name: str, label: str, help_text: str) -> FieldSpec:
    return FieldSpec(name=name, label=label, kind="month", min_value=1, max_value=12, help=help_text)


def _number(name: str, label: str, *, required: bool = True, help_text: str = "") -> FieldSpec:
    return FieldSpec(
        name=name,
        label=label,
        kind="text",
        required=required,
        max_length=NUMBER_MAX_LENGTH,
        help=help_text,
    )


def _title(name: str, label: str, help_text: str = "") -> FieldSpec:
    return FieldSpec(name=name, label=label, kind="text", max_length=TITLE_MAX_LENGTH, help=help_text)


_DISPATCH_FIELDS = (
    _month("from_month", "开始月份", "援派期间落在申报年度内的第一个月（1至12）"),
    _month("to_month", "结束月份", "援派期间落在申报年度内的最后一个月（1至12），含当月"),
    _number("document_number", "援派文件文号", help_text="组织援派文件的文号"),
)


def _competition_fields(proof_label: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(name="level", label="比赛级别", kind="choice", choices=COMPETITION_LEVEL_CHOICES),
        _title("competition_name", "比赛名称", "填写比赛的完整名称"),
        FieldSpec(name="held_on", label="比赛日期", kind="date", help="比赛结束的日期；多日比赛填写最后一天"),
        _number("document_number", f"{proof_label}编号", required=False, help_text="有编号的请填写"),
    )


_SPECS: tuple[RuleSpec, ...] = (
    RuleSpec(
        code=PUB_1,
        category=CATEGORY_PUBLIC,
        title="援派及基层服务（公需科目）",
        quote=(
            "参加各级党委、政府组织的援派,以及到基层参加支教、支农、支医、扶贫等工作的专业技术人员,"
            "以组织援派文件为依据,援派期间每年可认定公需科目 30 学时。"
            "不足一年的,按月份比例计算(如援派 6 个月,则认定为 15 学时)。"
        ),
        evidence_label="组织援派文件",
        fields=_DISPATCH_FIELDS,
    ),
    RuleSpec(
        code=PUB_2,
        category=CATEGORY_PUBLIC,
        title="全国职称外语考试",
        quote=(
            "参加全国职称外语考试成绩合格的,以考试成绩通知书为依据,"
            "A、B、C 级可分别认定当年度公需科目 30 学时、20 学时、10 学时。"
        ),
        evidence_label="考试成绩通知书",
        fields=(
            FieldSpec(name="grade", label="合格级别", kind="choice", choices=FOREIGN_LANGUAGE_GRADE_CHOICES),
            _number("certificate_number", "成绩通知书编号"),
        ),
    ),
    RuleSpec(
        code=PUB_3,
        category=CATEGORY_PUBLIC,
        title="计算机应用能力考试",
        quote=(
            "参加全国专业技术人员计算机应用能力考试成绩合格的,以考试合格证书为依据,"
            "每个考试模块可认定当年度公需科目 5 学时,累计不超过 30 学时。"
        ),
        evidence_label="考试合格证书",
        fields=(
            FieldSpec(
                name="modules", label="合格模块数", kind="int", min_value=1, help="本证书对应的合格考试模块数"
            ),
            _number("certificate_number", "合格证书编号"),
        ),
    ),
    RuleSpec(
        code=PUB_4,
        category=CATEGORY_PUBLIC,
        title="技能竞赛（抵扣公需科目）",
        quote=(
            "参加由行业主管部门组织、人力资源社会保障部门认可的技能竞赛、技术比武、行业性比赛活动或其他种类的学习,"
            "以参赛证明为依据,可选择抵扣公需科目或专业科目学时。"
            "如选择抵扣公需科目学时,可分别抵扣当年度 5(国家级)、4(省级)、3(市级)、3(县级)学时,"
            "国家、省另有规定的从其规定。抵扣公需科目后,不可重复抵扣专业科目学时。"
        ),
        evidence_label="参赛证明",
        fields=_competition_fields("参赛证明"),
    ),
    RuleSpec(
        code=PRO_1,
        category=CATEGORY_PROFESSIONAL,
        title="援派及基层服务（专业科目）",
        quote=(
            "参加各级党委、政府组织的援派，以及到基层参加支教、支农、支医、扶贫等工作的专业技术人员，"
            "以组织援派文件为依据，援派期间每年可按专业科目 60 学时认定。"
            "不足一年的，按月份比例计算（如援派 6 个月，则认定为 30 学时）。专业科目可与公需科目同时认定。"
        ),
        evidence_label="组织援派文件",
        fields=_DISPATCH_FIELDS,
    ),
    RuleSpec(
        code=PRO_3,
        category=CATEGORY_PROFESSIONAL,
        title="自学考试",
        quote=(
            "参加自学考试的，以单科合格证书或学校出具的有学籍编号的成绩单等为依据，"
            "当年度可按每门课 10 学时认定，每年累计不超过 40 学时。"
        ),
        evidence_label="单科合格证书或有学籍编号的成绩单",
        fields=(
            FieldSpec(
                name="courses", label="合格课程门数", kind="int", min_value=1, help="当年度考试合格的课程门数"
            ),
            _number(
                "certificate_number",
                "证书或成绩单编号",
                help_text="单科合格证书编号，或学校出具的成绩单编号",
            ),
        ),
    ),
    RuleSpec(
        code=PRO_4,
        category=CATEGORY_PROFESSIONAL,
        title="科研成果及论文著作",
        quote=(
            "科研成果、论文著作等可折算学时。成果类，包括科研成果奖励、专利或用人单位认可的其他重要成果等。"
            "论文著作类，包括公开发表的学术、技术论文、学术会议交流论文、出版著作、译著等。"
            "以成果著作作为依据，当年度每项（篇、本）计 10 学时，折算学时每年累计不超过 30 学时。"
        ),
        evidence_label="成果或论文著作",
        fields=(
            FieldSpec(name="item_kind", label="成果类别", kind="choice", choices=RESEARCH_ITEM_CHOICES),
            _title("title", "成果或论文著作名称"),
            FieldSpec(
                name="published_on", label="发表或获得日期", kind="date", help="发表、出版、授权或获奖的日期"
            ),
            _number("item_number", "DOI、ISBN或专利号", required=False, help_text="有编号的请填写"),
        ),
    ),
    RuleSpec(
        code=PRO_5,
        category=CATEGORY_PROFESSIONAL,
        title="受邀专家活动",
        quote=(
            "参加专家服务基层、职称评审、人事考试阅卷、职业技能等级评价、重大人才项目评审等活动的受邀专家，"
            "以受邀函或通知为依据，按实际工作时间认定当年度学时，每天不超过 8 学时，往返和休息时间除外。"
        ),
        evidence_label="受邀函或通知",
        fields=(
            FieldSpec(name="activity", label="活动类别", kind="choice", choices=EXPERT_ACTIVITY_CHOICES),
            FieldSpec(
                name="days",
                label="工作天数",
                kind="int",
                min_value=1,
                max_value=366,
                help="实际工作的天数，往返和休息日除外",
            ),
            FieldSpec(
                name="hours",
                label="实际工作学时",
                kind="decimal",
                min_value=Decimal("0.1"),
                help="仅填写实际工作时间，往返和休息时间除外；最多一位小数",
            ),
            _number("invitation_number", "受邀函或通知文号"),
        ),
    ),
    RuleSpec(
        code=PRO_6,
        category=CATEGORY_PROFESSIONAL,
        title="职业资格考试",
        quote=(
            "参加全国专业技术类职业资格考试，以及行业公认的国际注册类考试，"
            "以考试通过的资格证书为依据，当年度认定 16 学时。"
        ),
        evidence_label="资格证书",
        fields=(
            _title("qualification_name", "资格名称"),
            _number("certificate_number", "资格证书编号"),
        ),
    ),
    RuleSpec(
        code=PRO_7,
        category=CATEGORY_PROFESSIONAL,
        title="技能竞赛（抵扣专业科目）",
        quote=(
            "参加由行业主管部门组织、人力资源社会保障部门认可的技能竞赛、技术比武、行业性比赛活动或其他种类的学习，"
            "以参赛文件为依据，可选择抵扣公需科目或专业科目学时。"
            "如选择抵扣专业科目学时，可分别抵扣当年度 30（国家级）、20（省级）、10（市级）、5（县级）学时，"
            "国家、省另有规定的从其规定。抵扣专业科目后，不可重复抵扣公需科目学时。"
        ),
        evidence_label="参赛文件",
        fields=_competition_fields("参赛文件"),
    ),
    RuleSpec(
        code=PRO_8,
        category=CATEGORY_PROFESSIONAL,
        title="企业职业技能评价",
        quote=(
            "参加企业职业技能评价，获得企业首席技师、特级技师、高级技师、技师、高级工技能等级证书的，"
            "以等级证书为依据，可分别抵扣当年度 30、25、20、15、10 学时。"
        ),
        evidence_label="等级证书",
        fields=(
            FieldSpec(name="grade", label="技能等级", kind="choice", choices=SKILL_GRADE_CHOICES),
            _number("certificate_number", "等级证书编号"),
        ),
    ),
    RuleSpec(
        code=R1,
        category=CATEGORY_REQUIREMENT_REDUCTION,
        title="按实际在岗时间折算",
        quote=(
            "有下列情况之一的，经本人所在单位批准，并提交相关材料，可按实际在岗时间折算并认定学时："
            "因公派，年度内在境外工作超过 6 个月的；因受伤、患重病，年度内请病假超过 6 个月的；"
            "女职工休产假的（如因上述原因，当年在岗 4 个月，则年度仅需完成 10 学时公需科目、20 学时专业科目，"
            "剩余 20 学时公需科目、40 学时专业科目依据相关材料通过“学时申报”申请获得。）。"
        ),
        evidence_label="单位批准材料及相关证明材料",
        fields=(
            FieldSpec(name="reason", label="折算原因", kind="choice", choices=REDUCTION_REASON_CHOICES),
            FieldSpec(
                name="months_on_post",
                label="当年实际在岗月数",
                kind="int",
                min_value=0,
                max_value=12,
                help="申报年度内实际在岗的整月数",
            ),
            _number("document_number", "单位批准文件编号", required=False, help_text="有编号的请填写"),
        ),
    ),
)

#: Every rule a person may claim, by code. PRO-2 is not here: see the module docstring.
RULES: dict[str, RuleSpec] = {spec.code: spec for spec in _SPECS}


class RuleNotClaimableError(ValueError):
    """Raised for a code no person may claim: unknown, or PRO-2 (filed and imported, not claimed)."""

    def __init__(self, code: str) -> None:
        self.code = code
        if code in NOT_CLAIMABLE:
            message = messages.RULE_NOT_CLAIMABLE_TRAINING
        else:
            message = messages.RULE_UNKNOWN.format(code=code)
        super().__init__(message)


def is_claimable(code: str) -> bool:
    """Whether a person may file a claim under this rule (False for PRO-2 and for unknown codes)."""
    return code in RULES


def get_spec(code: str) -> RuleSpec:
    """The spec of a claimable rule, or ``RuleNotClaimableError`` with a message a user can read."""
    try:
        return RULES[code]
    except KeyError:
        raise RuleNotClaimableError(code) from None


def subject_of(category: Category) -> str:
    """公需科目 or 专业科目, for messages that name which side of the requirement a rule feeds."""
    return messages.SUBJECT_PUBLIC if category == CATEGORY_PUBLIC else messages.SUBJECT_PROFESSIONAL
