"""Demo data: the Jining tree, some departments, units and one account for every role, so a newcomer
can click through the platform. Used by `manage.py load_demo` and by the browser tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from learning.models import Notice

from . import identity, services
from .management.commands.load_organisations import load_organisations
from .models import Membership, MembershipStatus, Organisation, OrganisationKind, Role, UnitType, User

JINING_CSV = Path(__file__).resolve().parent / "data" / "jining-organisations.csv"
DEMO_PASSWORD = "Demo-Taibai-2024"  # noqa: S105  # nosec B105  (demo only, printed in the README)


def make_id_number(region: str, birth: datetime.date, sequence: int) -> str:
    first_seventeen = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first_seventeen + identity.id_number_check_character(first_seventeen)


def make_credit_code(serial: int) -> str:
    """A valid unified social credit code: 91 (enterprise), 370800 (Jining), a serial organisation code."""
    first_seventeen = f"91370800{serial:09d}"
    return first_seventeen + identity.credit_code_check_character(first_seventeen)


@dataclass(frozen=True)
class DemoAccount:
    mobile: str
    real_name: str
    role: str
    organisation: str | None
    id_number: str


# (mobile, name, role, organisation name, ID number region + sequence)
DEMO_ACCOUNTS = [
    DemoAccount(
        "13800000000",
        "平台管理员",
        Role.PLATFORM_ADMIN,
        None,
        make_id_number("370802", datetime.date(1980, 1, 1), 11),
    ),
    DemoAccount(
        "13800000001",
        "市局王科长",
        Role.CITY_BUREAU_STAFF,
        "济宁市人力资源和社会保障局",
        make_id_number("370802", datetime.date(1979, 3, 12), 21),
    ),
    DemoAccount(
        "13800000002",
        "任城区李干事",
        Role.COUNTY_BUREAU_STAFF,
        "任城区人力资源和社会保障局",
        make_id_number("370811", datetime.date(1985, 6, 2), 31),
    ),
    DemoAccount(
        "13800000003",
        "教体局赵老师",
        Role.DEPARTMENT_REVIEWER,
        "任城区教育和体育局",
        make_id_number("370811", datetime.date(1983, 9, 18), 41),
    ),
    DemoAccount(
        "13800000004",
        "实验中学孙主任",
        Role.UNIT_ADMIN,
        "任城区实验中学",
        make_id_number("370811", datetime.date(1982, 12, 5), 51),
    ),
    DemoAccount(
        "13800000005",
        "张敏",
        Role.PROFESSIONAL,
        "任城区实验中学",
        make_id_number("370811", datetime.date(1990, 4, 23), 62),
    ),
    DemoAccount(
        "13800000006",
        "职业学院刘老师",
        Role.PROVIDER_STAFF,
        "济宁职业技术学院",
        make_id_number("370802", datetime.date(1987, 7, 7), 71),
    ),
    DemoAccount(
        "13800000007",
        "陈静",
        Role.PROFESSIONAL,
        "济宁鲁科智能科技有限公司",
        make_id_number("370811", datetime.date(1993, 2, 14), 82),
    ),
    DemoAccount(
        "13800000008",
        "科技公司周经理",
        Role.UNIT_ADMIN,
        "济宁鲁科智能科技有限公司",
        make_id_number("370811", datetime.date(1984, 10, 30), 91),
    ),
]

# (name, kind, parent name, unit type)
DEMO_ORGANISATIONS = [
    ("济宁市卫生健康委员会", OrganisationKind.DEPARTMENT, "济宁市人力资源和社会保障局", ""),
    ("济宁市工业和信息化局", OrganisationKind.DEPARTMENT, "济宁市人力资源和社会保障局", ""),
    ("任城区教育和体育局", OrganisationKind.DEPARTMENT, "任城区人力资源和社会保障局", ""),
    ("兖州区卫生健康局", OrganisationKind.DEPARTMENT, "兖州区人力资源和社会保障局", ""),
    ("济宁市第一人民医院", OrganisationKind.UNIT, "济宁市卫生健康委员会", UnitType.HOSPITAL),
    ("任城区实验中学", OrganisationKind.UNIT, "任城区教育和体育局", UnitType.SCHOOL),
    ("任城区第二实验小学", OrganisationKind.UNIT, "任城区教育和体育局", UnitType.SCHOOL),
    ("济宁鲁科智能科技有限公司", OrganisationKind.UNIT, "任城区人力资源和社会保障局", UnitType.ENTERPRISE),
    ("兖州区人民医院", OrganisationKind.UNIT, "兖州区卫生健康局", UnitType.HOSPITAL),
    ("曲阜远东机械制造有限公司", OrganisationKind.UNIT, "曲阜市人力资源和社会保障局", UnitType.ENTERPRISE),
    ("济宁市继续教育协会", OrganisationKind.PROVIDER, "济宁市人力资源和社会保障局", ""),
]


@transaction.atomic
def load_demo() -> list[DemoAccount]:
    load_organisations(JINING_CSV)
    for serial, (name, kind, parent_name, unit_type) in enumerate(DEMO_ORGANISATIONS, start=1):
        parent = Organisation.objects.get(name=parent_name)
        if not Organisation.objects.filter(name=name, parent=parent).exists():
            services.organisation_create(
                actor=None,
                name=name,
                kind=kind,
                parent=parent,
                credit_code=make_credit_code(serial) if kind == OrganisationKind.UNIT else "",
                unit_type=unit_type,
            )
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(mobile=account.mobile).exists():
            continue
        organisation = Organisation.objects.get(name=account.organisation) if account.organisation else None
        if account.role == Role.PROFESSIONAL:
            assert organisation is not None
            user = services.user_register(
                registration=services.Registration(
                    mobile=account.mobile,
                    password=DEMO_PASSWORD,
                    real_name=account.real_name,
                    id_number=account.id_number,
                    unit=organisation,
                    title_series="中小学教师" if organisation.unit_type == UnitType.SCHOOL else "工程技术",
                    title_level="intermediate",
                    specialty="数学" if organisation.unit_type == UnitType.SCHOOL else "软件工程",
                    education="bachelor",
                )
            )
            if account.mobile == "13800000005":
                # The first demo professional is already confirmed by the unit; the second waits.
                Membership.objects.filter(user=user, status=MembershipStatus.PENDING).update(
                    status=MembershipStatus.CONFIRMED, decided_at=timezone.now()
                )
            continue
        user = User.objects.create_user(account.mobile, DEMO_PASSWORD, real_name=account.real_name)
        services._set_id_number(user, account.id_number)
        if account.role == Role.PLATFORM_ADMIN:
            user.is_staff = user.is_superuser = True
        user.save()
        services.role_grant(actor=None, user=user, role=account.role, organisation=organisation)
    if not Notice.objects.exists():
        city = Organisation.objects.get(kind=OrganisationKind.CITY_BUREAU)
        Notice.objects.create(
            title="关于做好2024年度专业技术人员继续教育有关工作的通知",
            body="2024年公需科目学习于2024年5月10日开始，年度累计不少于30学时；专业科目年度不少于60学时。"
            "请各单位组织专业技术人员按时完成学习，诚信申报学时。",
            region=city,
            published_at=timezone.make_aware(datetime.datetime(2024, 4, 26, 9, 0)),
        )
        Notice.objects.create(
            title="2024年度“数字技术工程师”培训报名通知",
            body="面向先进制造业企业、数字化转型企业、“专精特新”企业及高校毕业生开展，报名通知在平台公开发布。",
            region=city,
            published_at=timezone.make_aware(datetime.datetime(2024, 5, 6, 9, 0)),
        )
    from learning.demo import load_demo_catalogue

    load_demo_catalogue()
    return DEMO_ACCOUNTS


def copy_year_rules_up_to_this_year() -> None:
    """The notice sets 2024; the demo runs today, so each later year up to this one starts as a copy
    (as city bureau staff would do), and claims can be filed for the current year. Only the demo
    command does this: tests build their own years."""
    from hours.models import YearRuleSet
    from hours.services import year_rules_copy

    this_year = timezone.localdate().year
    for year in range(2025, this_year + 1):
        if not YearRuleSet.objects.filter(year=year).exists():
            year_rules_copy(actor=None, from_year=year - 1, to_year=year)
