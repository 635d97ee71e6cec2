# ruff: noqa: S311, E501  (seeded generators on purpose: the data set must be reproducible, not secret; SQL unwrapped)
"""The load data set: a city's year (and a few before it) at full size, written with COPY.

What it builds, all deterministic for a given seed:

* the real Jining tree (accounts/data) and the demo accounts and catalogue (known logins);
* departments under every bureau and ~people/25 units of very different sizes (log-normal: a few
  hospitals of thousands, many firms of a handful), some straight under their bureau;
* the professionals: valid ID numbers (GB 11643 check character), each encrypted with the platform's
  Fernet keys, keyed digest and mask computed per person; one password hash for all load accounts
  (LOAD_PASSWORD, hashed once: Argon2 per account would take hours and prove nothing);
* staff: an admin per unit, reviewers per department, staff per bureau and at the city;
* the target year as it stands late in the year (the deadline rush): provider choices, enrolments,
  lesson progress, study sessions, course credits in the ledger; claims at every status and review
  stage (by default people/5 of them waiting for review); training filings with finished roster
  imports and industry-channel imports, their roster credits (some held for unregistered ID numbers)
  and ledger credits;
* history years: rule sets, catalogue copies and the ledger, claims and filings of each year.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone

from accounts import identity
from accounts.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Role,
    RoleAssignment,
    User,
)
from filings.models import (
    CreditStatus,
    FilingChannel,
    FilingStatus,
    ImportPhase,
    ImportSource,
    ImportStatus,
    RosterCredit,
    RosterImport,
    TrainingFiling,
    TrainingKind,
    ledger_source_id,
)
from hours.models import (
    Claim,
    ClaimEvidence,
    ClaimStatus,
    LedgerCategory,
    LedgerEntry,
    SourceType,
    YearRuleSet,
)
from hours.rules import evidence_key, validate_fields
from learning.models import (
    Course,
    CourseKind,
    Enrolment,
    Lesson,
    LessonProgress,
    ProviderChoice,
    StudyLease,
    StudySession,
)

from . import names
from .copy import (
    TableWriter,
    add_foreign_keys,
    create_indexes,
    drop_foreign_keys,
    drop_indexes,
    foreign_keys,
    insert_columns,
    reset_sequence,
    secondary_indexes,
)

LOAD_PASSWORD = "Load-Jining-2024!"  # noqa: S105  # nosec B105  (load data only; printed by the command)
PROFESSIONAL_MOBILE_PREFIX = "16"  # 16xxxxxxxxx: professionals
STAFF_MOBILE_PREFIX = "17"  # 17xxxxxxxxx: unit admins, reviewers, bureau staff
COUNTY_REGION_CODES = {
    "任城区": "370811",
    "兖州区": "370812",
    "曲阜市": "370881",
    "泗水县": "370831",
    "邹城市": "370883",
    "微山县": "370826",
    "鱼台县": "370827",
    "金乡县": "370828",
    "嘉祥县": "370829",
    "汶上县": "370830",
    "梁山县": "370832",
}
CITY_REGION_CODE = "370802"

# Tables whose secondary indexes are dropped during the load and rebuilt after it (much faster than
# maintaining them row by row). Unique constraints and primary keys stay in place throughout.
BULK_MODELS = (
    User,
    Membership,
    RoleAssignment,
    Organisation,
    LedgerEntry,
    Claim,
    ClaimEvidence,
    Enrolment,
    LessonProgress,
    ProviderChoice,
    StudySession,
    StudyLease,
    TrainingFiling,
    RosterImport,
    RosterCredit,
)


@dataclass
class Options:
    people: int
    year: int
    history_years: int = 3
    seed: int = 2024
    pending_claims: int | None = None  # default: people // 5
    log: Callable[[str], None] = print


@dataclass
class Unit:
    id: int
    path: str
    bureau_id: int
    unit_type: str
    region: str
    size: int
    department_id: int | None


@dataclass
class Stats:
    timings: list[tuple[str, float]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count


class Ids:
    """Explicit primary keys, so rows can refer to each other before they are written. Blocks are
    reserved from the table's own identity sequence, so rows inserted by SQL (which take ``nextval``)
    and rows copied with these ids never collide."""

    BLOCK = 100_000

    def __init__(self) -> None:
        self._next: dict[type, int] = {}
        self._end: dict[type, int] = {}

    def take(self, model: type, count: int = 1) -> int:
        first = self._next.get(model, 0)
        if first + count > self._end.get(model, 0):
            size = max(count, self.BLOCK)
            table = model._meta.db_table  # type: ignore[attr-defined]
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
                first = int(cursor.fetchone()[0])
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + size - 1]
                )
            self._end[model] = first + size
        self._next[model] = first + count
        return first


def _aware(day: datetime.date, seconds: int = 9 * 3600) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(seconds=seconds)
    return timezone.make_aware(moment)


def database_is_empty() -> bool:
    """No load data yet: fewer people than the demo's handful."""
    return User.objects.count() < 100


class Generator:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.random = random.Random(options.seed)
        self.ids = Ids()
        self.stats = Stats()
        self.now = timezone.now()
        self.password_hash = make_password(LOAD_PASSWORD)
        self.years = list(range(options.year - options.history_years, options.year + 1))
        # The data set shows the target year late in the year: the deadline rush.
        self.snapshot = datetime.date(options.year, 11, 20)
        self.units: list[Unit] = []
        self.people_units: list[int] = []  # index → unit id, parallel to people_ids
        self.people_first_id = 0
        self.people_digests: list[str] = []
        self.people_masks: list[str] = []
        self.people_names: list[str] = []
        self.unit_by_id: dict[int, Unit] = {}
        self.evidence_name = ""
        self.evidence_sha = ""
        self.roster_name = ""

    # --- driving ------------------------------------------------------------------------------------

    def step(self, label: str, function: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        self.stats.timings.append((label, elapsed))
        self.options.log(f"  {label}: {elapsed:.1f} s")
        return result

    def run(self) -> Stats:
        from accounts.demo import load_demo

        log = self.options.log
        log(f"generating {self.options.people:,} professionals, years {self.years[0]}-{self.years[-1]}")
        self.step("demo tree, accounts and catalogue", load_demo)
        self.step("year rule sets and catalogues", self.prepare_years)
        self.step("placeholder files", self.placeholder_files)
        tables = [model._meta.db_table for model in BULK_MODELS]
        indexes = secondary_indexes(tables)
        keys = foreign_keys(tables)
        self.step(f"drop {len(indexes)} secondary indexes", lambda: drop_indexes(indexes))
        self.step(f"drop {len(keys)} foreign keys", lambda: drop_foreign_keys(keys))
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        self.step("organisations", self.organisations)
        self.step("people (ID numbers encrypted per person)", self.people)
        self.step("staff", self.staff)
        for year in self.years:
            self.step(
                f"{year}: study (choices, enrolments, progress, sessions, course credits)",
                functools.partial(self.study, year),
            )
            self.step(f"{year}: claims at every stage", functools.partial(self.claims, year))
            self.step(f"{year}: filings, roster and channel imports", functools.partial(self.filings, year))
        self.step("reset id sequences", self.reset_sequences)
        self.step(f"rebuild {len(indexes)} secondary indexes", lambda: create_indexes(indexes))
        self.step(f"restore and validate {len(keys)} foreign keys", lambda: add_foreign_keys(keys))
        cache.clear()
        return self.stats

    def reset_sequences(self) -> None:
        for model in BULK_MODELS:
            if model is not StudyLease:
                reset_sequence(model)

    # --- years --------------------------------------------------------------------------------------

    def prepare_years(self) -> None:
        from hours.rules import RuleFigures
        from hours.services.year_rules import copied_figures

        base = YearRuleSet.objects.order_by("year").first()
        assert base is not None, "no year rule set at all: run the migrations first"
        base_figures = RuleFigures.from_dict(base.figures)
        base_courses = list(Course.objects.filter(year=base.year).prefetch_related("lessons"))
        for year in self.years:
            if not YearRuleSet.objects.filter(year=year).exists():
                YearRuleSet.objects.create(year=year, figures=copied_figures(base_figures, year).to_dict())
            if Course.objects.filter(year=year).exists():
                continue
            for course in base_courses:
                lessons = list(course.lessons.all())
                course.pk = None
                course.year = year
                course.save()
                Lesson.objects.bulk_create(
                    [
                        Lesson(
                            course=course,
                            order=lesson.order,
                            title=lesson.title,
                            kind=lesson.kind,
                            duration_seconds=lesson.duration_seconds,
                            body=lesson.body,
                        )
                        for lesson in lessons
                    ]
                )
        cache.clear()

    def placeholder_files(self) -> None:
        """One small evidence file and one roster file on the default storage, shared by every generated
        row that needs a file (the rows are what the benchmarks read; the bytes are never served)."""
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        evidence = b"%PDF-1.4\n% load data evidence placeholder\n%%EOF\n"
        self.evidence_sha = hashlib.sha256(evidence).hexdigest()
        name = "load/evidence-placeholder.pdf"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(evidence))
        self.evidence_name = name
        roster = "load/roster-placeholder.xlsx"
        if not default_storage.exists(roster):
            roster = default_storage.save(roster, ContentFile(b"PK\x05\x06" + b"\x00" * 18))
        self.roster_name = roster

    # --- organisations ------------------------------------------------------------------------------

    def organisations(self) -> None:
        rng = self.random
        city = Organisation.objects.get(kind=OrganisationKind.CITY_BUREAU)
        bureaus = list(
            Organisation.objects.filter(
                kind__in=(OrganisationKind.COUNTY_BUREAU, OrganisationKind.ZONE_BUREAU)
            ).order_by("id")
        )
        n_units = max(20, self.options.people // 25)
        # Log-normal unit sizes, scaled to the number of people: a long tail of big hospitals and schools.
        raw = [rng.lognormvariate(0, 1.25) for _ in range(n_units)]
        scale = self.options.people / sum(raw)
        sizes = [max(1, int(value * scale)) for value in raw]
        sizes[0] += self.options.people - sum(sizes)
        if sizes[0] < 1:  # rounding took too many from the first: spread the rest
            deficit = 1 - sizes[0]
            sizes[0] = 1
            for index in sorted(range(n_units), key=lambda i: -sizes[i]):
                if deficit == 0:
                    break
                if sizes[index] > 1:
                    sizes[index] -= 1
                    deficit -= 1
        rng.shuffle(sizes)
        # City-level units take a bigger share (市直: city hospitals, universities).
        parents: list[tuple[Organisation, str, list[tuple[int, str, str]]]] = []
        for bureau in [city, *bureaus]:
            short = bureau.name.replace("人力资源和社会保障局", "").replace("人力资源部", "")
            region = COUNTY_REGION_CODES.get(short, CITY_REGION_CODE)
            pool = names.CITY_DEPARTMENTS if bureau.pk == city.pk else names.COUNTY_DEPARTMENTS
            department_names: list[tuple[str, str]] = []
            for department_name, unit_type in pool:
                full = f"济宁市{department_name}" if bureau.pk == city.pk else f"{short}{department_name}"
                department_names.append((full, unit_type))
            parents.append((bureau, region, [(0, name, unit_type) for name, unit_type in department_names]))

        org_id = self.ids.take(Organisation, 0)
        # Departments the demo already made, by (parent, name): looked up now, since no query may run on
        # the connection while a COPY is open.
        existing = {
            (parent_id, name): (pk, path)
            for pk, parent_id, name, path in Organisation.objects.values_list(
                "id", "parent_id", "name", "path"
            )
        }
        credit_serial = 100_000
        with TableWriter(
            Organisation,
            [
                "id",
                "name",
                "kind",
                "parent",
                "path",
                "depth",
                "bureau",
                "credit_code",
                "unit_type",
                "is_active",
                "sort_order",
                "created_at",
            ],
        ) as table:
            department_slots: list[tuple[int, str, int, str, str]] = []  # (id, path, bureau, type, region)
            for bureau, region, departments in parents:
                for order, (_zero, name, unit_type) in enumerate(departments):
                    if (bureau.pk, name) in existing:
                        found_id, found_path = existing[(bureau.pk, name)]
                        department_slots.append((found_id, found_path, bureau.pk, unit_type, region))
                        continue
                    org_id = self.ids.take(Organisation)
                    path = f"{bureau.path}{org_id}/"
                    table.row(
                        (
                            org_id,
                            name,
                            OrganisationKind.DEPARTMENT,
                            bureau.pk,
                            path,
                            bureau.depth + 1,
                            bureau.pk,
                            "",
                            "",
                            True,
                            order,
                            self.now,
                        )
                    )
                    department_slots.append((org_id, path, bureau.pk, unit_type, region))
            bureau_slots = [(bureau.pk, bureau.path, bureau.depth, region) for bureau, region, _ in parents]
            counters: dict[tuple[int, str], int] = {}
            for index, size in enumerate(sizes):
                org_id = self.ids.take(Organisation)
                credit_serial += 1
                first17 = f"91370800{credit_serial:09d}"
                credit_code = first17 + identity.credit_code_check_character(first17)
                if rng.random() < 0.3:  # a private enterprise straight under its bureau
                    bureau_id, bureau_path, depth, region = rng.choice(bureau_slots)
                    unit_type, parent_id, parent_path, parent_depth, department_id = (
                        "enterprise",
                        bureau_id,
                        bureau_path,
                        depth,
                        None,
                    )
                    pattern = rng.choice(names.PRIVATE_PATTERNS)
                else:
                    department_id, parent_path, bureau_id, unit_type, region = rng.choice(department_slots)
                    parent_id, parent_depth = department_id, parent_path.count("/") - 2
                    pattern = rng.choice(names.UNIT_NAME_PATTERNS[unit_type])
                key = (parent_id, pattern)
                counters[key] = counters.get(key, 0) + 1
                name = (
                    f"济宁{pattern.format(n=f'{counters[key]}')}"
                    if "{n}号" in pattern
                    else (pattern.format(n=counters[key]))
                )
                name = f"{name}（{index + 1}）"
                path = f"{parent_path}{org_id}/"
                table.row(
                    (
                        org_id,
                        name[:120],
                        OrganisationKind.UNIT,
                        parent_id,
                        path,
                        parent_depth + 1,
                        bureau_id,
                        credit_code,
                        unit_type,
                        True,
                        0,
                        self.now,
                    )
                )
                unit = Unit(org_id, path, bureau_id, unit_type, region, size, department_id)
                self.units.append(unit)
                self.unit_by_id[org_id] = unit
        self.stats.add("organisations", table.count)

    # --- people -------------------------------------------------------------------------------------

    def people(self) -> None:
        rng = self.random
        people = self.options.people
        first_id = self.ids.take(User, people)
        self.people_first_id = first_id
        cipher_started = 0.0
        sequences: dict[tuple[str, int], int] = {}
        birth_start = datetime.date(1962, 1, 1).toordinal()
        birth_span = datetime.date(2001, 12, 31).toordinal() - birth_start
        educations = (
            "doctorate",
            "master",
            "bachelor",
            "bachelor",
            "bachelor",
            "college",
            "college",
            "secondary",
        )
        levels = (
            "senior",
            "associate_senior",
            "intermediate",
            "intermediate",
            "assistant",
            "assistant",
            "junior",
        )
        unit_iter: Iterator[Unit] = (unit for unit in self.units for _ in range(unit.size))
        membership_id = self.ids.take(Membership, people)
        role_id = self.ids.take(RoleAssignment, people)
        with (
            TableWriter(
                User,
                [
                    "id",
                    "password",
                    "mobile",
                    "real_name",
                    "id_number_encrypted",
                    "id_number_digest",
                    "id_number_masked",
                    "unit",
                    "title_series",
                    "title_level",
                    "specialty",
                    "education",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "date_joined",
                    "password_changed_at",
                ],
            ) as users,
            TableWriter(
                Membership, ["id", "user", "unit", "status", "requested_at", "decided_at"]
            ) as memberships,
            TableWriter(
                RoleAssignment, ["id", "user", "role", "organisation", "is_active", "granted_at"]
            ) as roles,
        ):
            for index in range(people):
                unit = next(unit_iter)
                person_id = first_id + index
                birth_ordinal = birth_start + rng.randrange(birth_span)
                key = (unit.region, birth_ordinal)
                sequence = sequences.get(key, 0) + 1
                sequences[key] = sequence
                birth = datetime.date.fromordinal(birth_ordinal)
                first17 = f"{unit.region}{birth:%Y%m%d}{sequence % 1000:03d}"
                if sequence >= 1000:  # more than 999 people born on one day in one county: next day
                    later = datetime.date.fromordinal(birth_ordinal + sequence // 1000)
                    first17 = f"{unit.region}{later:%Y%m%d}{sequence % 1000:03d}"
                number = first17 + identity.id_number_check_character(first17)
                started = time.perf_counter()
                encrypted = identity.encrypt_id_number(number)
                cipher_started += time.perf_counter() - started
                digest = identity.id_number_digest(number)
                masked = identity.mask_id_number(number)
                name = (
                    rng.choice(names.SURNAMES)
                    + rng.choice(names.GIVEN)
                    + (rng.choice(names.GIVEN) if rng.random() < 0.6 else "")
                )
                self.people_units.append(unit.id)
                self.people_digests.append(digest)
                self.people_masks.append(masked)
                self.people_names.append(name)
                joined = _aware(
                    datetime.date(self.years[0] - 1, 1, 1) + datetime.timedelta(days=rng.randrange(700))
                )
                users.row(
                    (
                        person_id,
                        self.password_hash,
                        f"{PROFESSIONAL_MOBILE_PREFIX}{index:09d}",
                        name,
                        encrypted,
                        digest,
                        masked,
                        unit.id,
                        rng.choice(names.TITLE_SERIES[unit.unit_type]),
                        rng.choice(levels),
                        rng.choice(names.SPECIALTIES),
                        rng.choice(educations),
                        True,
                        False,
                        False,
                        joined,
                        self.now,
                    )
                )
                memberships.row(
                    (
                        membership_id + index,
                        person_id,
                        unit.id,
                        MembershipStatus.CONFIRMED,
                        joined,
                        joined + datetime.timedelta(days=2),
                    )
                )
                roles.row((role_id + index, person_id, Role.PROFESSIONAL, None, True, joined))
        self.stats.add("users", users.count)
        self.stats.add("memberships", memberships.count)
        self.stats.add("role assignments", roles.count)
        self.stats.timings.append(("  of which Fernet encryption of ID numbers", cipher_started))
        self.options.log(f"    Fernet encryption of {people:,} ID numbers: {cipher_started:.1f} s")

    def staff(self) -> None:
        """A unit admin per unit, two reviewers per department, five staff per county bureau, ten at
        the city. Their ID numbers come from a reserved sequence range (900-999) so they never clash."""
        rng = self.random
        departments = list(
            Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).values_list("id", flat=True)
        )
        bureaus = list(
            Organisation.objects.filter(
                kind__in=(OrganisationKind.COUNTY_BUREAU, OrganisationKind.ZONE_BUREAU)
            ).values_list("id", flat=True)
        )
        city = Organisation.objects.get(kind=OrganisationKind.CITY_BUREAU).pk
        slots = [(Role.UNIT_ADMIN, unit.id) for unit in self.units]
        slots += [(Role.DEPARTMENT_REVIEWER, pk) for pk in departments for _ in range(2)]
        slots += [(Role.COUNTY_BUREAU_STAFF, pk) for pk in bureaus for _ in range(5)]
        slots += [(Role.CITY_BUREAU_STAFF, city)] * 10
        first_id = self.ids.take(User, len(slots))
        role_id = self.ids.take(RoleAssignment, len(slots))
        birth = datetime.date(1975, 1, 1)
        with (
            TableWriter(
                User,
                [
                    "id",
                    "password",
                    "mobile",
                    "real_name",
                    "id_number_encrypted",
                    "id_number_digest",
                    "id_number_masked",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "date_joined",
                    "password_changed_at",
                ],
            ) as users,
            TableWriter(
                RoleAssignment, ["id", "user", "role", "organisation", "is_active", "granted_at"]
            ) as roles,
        ):
            for index, (role, organisation_id) in enumerate(slots):
                day = birth + datetime.timedelta(days=index // 100)
                first17 = f"{CITY_REGION_CODE}{day:%Y%m%d}{900 + index % 100:03d}"
                number = first17 + identity.id_number_check_character(first17)
                name = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN) + rng.choice(names.GIVEN)
                users.row(
                    (
                        first_id + index,
                        self.password_hash,
                        f"{STAFF_MOBILE_PREFIX}{index:09d}",
                        name,
                        identity.encrypt_id_number(number),
                        identity.id_number_digest(number),
                        identity.mask_id_number(number),
                        True,
                        False,
                        False,
                        self.now,
                        self.now,
                    )
                )
                roles.row((role_id + index, first_id + index, role, organisation_id, True, self.now))
        self.stats.add("users", users.count)
        self.stats.add("role assignments", roles.count)

    # --- study --------------------------------------------------------------------------------------

    def study(self, year: int) -> None:
        """Provider choices, enrolments, lesson progress, a study session for each lesson in progress,
        leases, and the course credits in the ledger, generated inside PostgreSQL (INSERT ... SELECT):
        at ~10 rows per person and year this is most of the data set, and no Python loop can produce
        tens of millions of rows in minutes. Pseudo-random but deterministic: every choice is a hash of
        (person, year, purpose). History years keep the provider choices and the course credits only."""
        is_target = year == self.options.year
        courses = list(
            Course.objects.filter(year=year).select_related("provider").order_by("kind", "sort_order", "id")
        )
        premium_parts = set(
            Course.objects.filter(year=year, premium__isnull=False).values_list("id", flat=True)
        )
        providers = sorted(
            {c.provider_id for c in courses if c.provider.is_public_subject_provider and c.is_public}
        )
        if not providers:
            return
        rows = []
        ordinals: dict[tuple[int, str], int] = {}
        for course in courses:
            if course.pk in premium_parts:
                continue
            if course.kind == CourseKind.PROFESSIONAL:
                slot = -1
            elif course.provider_id in providers:
                slot = providers.index(course.provider_id)
            else:
                continue
            key = (slot, course.kind)
            ordinals[key] = ordinals.get(key, 0) + 1
            rows.append(
                (
                    course.pk,
                    slot,
                    course.kind,
                    ordinals[key] - 1,
                    course.hours,
                    _course_category(course.kind),
                    f"完成课程《{course.title}》（{course.provider.name}）",
                )
            )
        compulsory = max(
            (n for (s, k), n in ordinals.items() if k == CourseKind.PUBLIC_COMPULSORY), default=0
        )
        elective = max((n for (s, k), n in ordinals.items() if k == CourseKind.PUBLIC_ELECTIVE), default=1)
        professional = ordinals.get((-1, CourseKind.PROFESSIONAL), 0)
        first, last = self.people_first_id, self.people_first_id + self.options.people - 1
        snapshot = _aware(self.snapshot if is_target else datetime.date(year, 12, 31), 20 * 3600)
        opens = _aware(datetime.date(year, 5, 10))
        done, partial = (420, 800) if is_target else (880, 960)  # per mille: done, done + partial
        parameters: dict[str, Any] = {
            "year": year,
            "first": first,
            "last": last,
            "done": done,
            "partial": partial,
            "providers": len(providers),
            "compulsory": compulsory,
            "elective": elective,
            "professional": max(professional, 1),
            "has_professional": professional > 0,
            "snapshot": snapshot,
            "opens": opens,
        }
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS load_course; DROP TABLE IF EXISTS load_enrol")
            cursor.execute(
                "CREATE TEMP TABLE load_course"
                " (course_id bigint, slot int, kind text, ord int, hours numeric,"
                " category text, memo text)"
            )
            cursor.executemany("INSERT INTO load_course VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
            # One row per person and year that studied at all: stage, provider slot, chosen time, a hash.
            cursor.execute(
                """
                CREATE TEMP TABLE load_enrol AS
                WITH people AS (
                    SELECT id AS person_id,
                           abs(hashtext(id::text || ':' || %(year)s || ':stage')::bigint) %% 1000 AS draw,
                           abs(hashtext(id::text || ':' || %(year)s || ':h')::bigint) AS h
                    FROM accounts_user WHERE id BETWEEN %(first)s AND %(last)s
                ), staged AS (
                    SELECT person_id, h, (person_id %% %(providers)s)::int AS slot,
                           CASE WHEN draw < %(done)s THEN 'done' ELSE 'partial' END AS stage,
                           %(opens)s::timestamptz
                               + make_interval(days => (h %% 120)::int, secs => (h %% 43200)::int)
                               AS chosen_at
                    FROM people WHERE draw < %(partial)s
                )
                SELECT s.person_id, s.h, s.stage, s.slot, s.chosen_at, c.course_id, c.kind, c.ord, c.hours,
                       c.category, c.memo,
                       least(s.chosen_at + make_interval(hours => 37 * (c.ord + 1) + (s.h %% 13)::int),
                             %(snapshot)s::timestamptz - interval '3 hours') AS enrolled_at,
                       s.stage = 'done' OR c.ord < s.h %% (%(compulsory)s + 1) AS completed
                FROM staged s JOIN load_course c
                    ON c.slot = s.slot AND c.kind = 'public_compulsory'
                WHERE s.stage = 'done' OR c.ord <= s.h %% (%(compulsory)s + 1)
                UNION ALL
                SELECT s.person_id, s.h, s.stage, s.slot, s.chosen_at, c.course_id, c.kind, c.ord, c.hours,
                       c.category, c.memo,
                       least(s.chosen_at + make_interval(hours => 37 * (c.ord + 1) + (s.h %% 13)::int),
                             %(snapshot)s::timestamptz - interval '3 hours'),
                       s.stage = 'done' OR (s.h / 11 + c.ord) %% 2 = 0
                FROM staged s JOIN load_course c
                    ON c.slot = s.slot AND c.kind = 'public_elective'
                WHERE (c.ord + s.person_id) %% %(elective)s
                      < CASE WHEN s.stage = 'done' THEN 5 ELSE (s.h / 7) %% 4 END
                UNION ALL
                SELECT s.person_id, s.h, s.stage, s.slot, s.chosen_at, c.course_id, c.kind, c.ord, c.hours,
                       c.category, c.memo,
                       least(s.chosen_at + make_interval(hours => 37 * (c.ord + 1) + (s.h %% 13)::int),
                             %(snapshot)s::timestamptz - interval '3 hours'),
                       s.stage = 'done' OR (s.h / 17) %% 2 = 0
                FROM staged s JOIN load_course c
                    ON c.kind = 'professional' AND c.ord = s.person_id %% %(professional)s
                WHERE %(has_professional)s AND (s.h / 13) %% 100 < 15
                """,
                parameters,
            )
            self._insert_select(
                cursor,
                ProviderChoice,
                ["person", "year", "provider", "chosen_at", "locked_at"],
                """SELECT DISTINCT ON (e.person_id) e.person_id, %(year)s, c.provider_id, e.chosen_at,
                          e.chosen_at + interval '5 minutes'
                   FROM load_enrol e JOIN learning_course c ON c.id = e.course_id
                   WHERE e.kind <> 'professional' ORDER BY e.person_id""",
                parameters,
                "provider choices",
            )
            if is_target:  # past years' enrolments are never read by a page or a benchmark: ledger only
                self._insert_select(
                    cursor,
                    Enrolment,
                    ["person", "course", "enrolled_at", "completed_at", "credited_hours", "quiz_passed_at"],
                    """SELECT person_id, course_id, enrolled_at,
                          CASE WHEN completed THEN enrolled_at + interval '2 hours' END,
                          CASE WHEN completed THEN hours END,
                          CASE WHEN completed THEN enrolled_at + interval '2 hours' END
                   FROM load_enrol""",
                    parameters,
                    "enrolments",
                )
            self._insert_select(
                cursor,
                LedgerEntry,
                [
                    "person",
                    "year",
                    "category",
                    "hours",
                    "rule_code",
                    "source_type",
                    "source_id",
                    "memo",
                    "created_at",
                ],
                """SELECT person_id, %(year)s, category, hours, '', 'course', course_id::text, memo,
                          enrolled_at + interval '2 hours'
                   FROM load_enrol WHERE completed""",
                parameters,
                "ledger entries",
            )
            if not is_target:
                return
            # Lesson progress: every lesson of a completed course; the first lessons of one in progress,
            # the next one part-watched.
            self._insert_select(
                cursor,
                LessonProgress,
                ["enrolment", "lesson", "watched_ms", "resume_ms", "completed_at", "last_studied_at"],
                """WITH lessons AS (
                       SELECT l.id, l.course_id, l.duration_seconds,
                              row_number() OVER (PARTITION BY l.course_id ORDER BY l."order", l.id) AS n,
                              count(*) OVER (PARTITION BY l.course_id) AS total
                       FROM learning_lesson l JOIN load_course c ON c.course_id = l.course_id
                   ), rows AS (
                       SELECT en.id AS enrolment_id, l.id AS lesson_id, l.duration_seconds * 1000 AS full_ms,
                              e.completed, e.h, e.enrolled_at, l.n,
                              CASE WHEN e.completed THEN l.total
                                   ELSE (e.h / 3 + e.ord) %% (l.total + 1) END AS watched
                       FROM load_enrol e
                       JOIN learning_enrolment en ON en.person_id = e.person_id AND en.course_id = e.course_id
                       JOIN lessons l ON l.course_id = e.course_id
                   )
                   SELECT enrolment_id, lesson_id,
                          CASE WHEN n <= watched THEN full_ms ELSE (h %% full_ms) END,
                          CASE WHEN n <= watched THEN 0 ELSE (h %% full_ms) END,
                          CASE WHEN n <= watched THEN enrolled_at + make_interval(mins => 10 * n::int) END,
                          enrolled_at + make_interval(mins => 10 * n::int)
                   FROM rows WHERE n <= watched + 1""",
                parameters,
                "lesson progress",
            )
            self._insert_select(
                cursor,
                StudySession,
                [
                    "person",
                    "progress",
                    "token",
                    "started_at",
                    "last_heartbeat_at",
                    "position_ms",
                    "credited_ms",
                    "accepted_heartbeats",
                ],
                """SELECT en.person_id, p.id, 'load' || lpad(p.id::text, 28, '0'), p.last_studied_at,
                          p.last_studied_at, p.watched_ms, p.watched_ms, greatest(1, p.watched_ms / 30000)
                   FROM learning_lessonprogress p
                   JOIN learning_enrolment en ON en.id = p.enrolment_id
                   JOIN load_course c ON c.course_id = en.course_id
                   WHERE p.completed_at IS NULL AND en.person_id BETWEEN %(first)s AND %(last)s""",
                parameters,
                "study sessions",
            )
            self._insert_select(
                cursor,
                StudyLease,
                ["person", "session", "updated_at"],
                """SELECT DISTINCT ON (s.person_id) s.person_id, s.id, s.last_heartbeat_at
                   FROM learning_studysession s
                   WHERE s.person_id BETWEEN %(first)s AND %(last)s AND s.token LIKE 'load%%'
                     AND NOT EXISTS (SELECT 1 FROM learning_studylease l WHERE l.person_id = s.person_id)
                   ORDER BY s.person_id, s.last_heartbeat_at DESC""",
                parameters,
                "study leases",
            )

    def _insert_select(
        self,
        cursor: Any,
        model: type[models.Model],
        fields: list[str],
        select: str,
        parameters: dict[str, Any],
        label: str,
    ) -> None:
        """INSERT INTO the model's table the SELECT's columns, every other column filled with its model
        default (as TableWriter does), so a field added later with a default needs no change here."""
        columns, extra = insert_columns(model, fields)
        placeholders = "".join(f", %(extra_{index})s" for index in range(len(extra)))
        parameters = {**parameters, **{f"extra_{index}": value for index, value in enumerate(extra)}}
        column_list = ", ".join(f'"{column}"' for column in columns)
        cursor.execute(
            f'INSERT INTO "{model._meta.db_table}" ({column_list})'  # noqa: S608
            f" SELECT q.*{placeholders} FROM ({select}) q",
            parameters,
        )
        self.stats.add(label, cursor.rowcount)

    # --- claims -------------------------------------------------------------------------------------

    def claims(self, year: int) -> None:
        """Claims of every status; in the target year the deadline rush leaves ``pending_claims`` waiting
        at the three review stages (unit, department, bureau; a unit without a department skips the
        second). Approved ones are in the ledger. Fields are valid for their rule, so the review
        benchmarks can approve them."""
        rng = random.Random(self.options.seed * 37 + year)
        is_target = year == self.options.year
        people = self.options.people
        pending = (
            (self.options.pending_claims if self.options.pending_claims is not None else people // 5)
            if is_target
            else 0
        )
        others = int(people * (0.25 if is_target else 0.3))
        statuses: list[str] = [ClaimStatus.SUBMITTED] * pending
        weights = (
            [
                (ClaimStatus.APPROVED, 55),
                (ClaimStatus.DRAFT, 12),
                (ClaimStatus.RETURNED, 10),
                (ClaimStatus.REJECTED, 8),
                (ClaimStatus.WITHDRAWN, 10),
                (ClaimStatus.REVOKED, 5),
            ]
            if is_target
            else [
                (ClaimStatus.APPROVED, 80),
                (ClaimStatus.REJECTED, 10),
                (ClaimStatus.WITHDRAWN, 8),
                (ClaimStatus.REVOKED, 2),
            ]
        )
        population, cumulative = zip(*weights, strict=True)
        statuses += rng.choices(population, weights=cumulative, k=others)
        rng.shuffle(statuses)
        rules = (
            (
                "PUB-3",
                LedgerCategory.PUBLIC_CONVERSION,
                lambda r: {"modules": r.randrange(1, 4)},
                lambda v: Decimal(5 * v["modules"]),
            ),
            (
                "PUB-2",
                LedgerCategory.PUBLIC_CONVERSION,
                lambda r: {"grade": r.choice("ABC")},
                lambda v: Decimal({"A": 30, "B": 20, "C": 10}[v["grade"]]),
            ),
            (
                "PRO-3",
                LedgerCategory.PROFESSIONAL,
                lambda r: {"courses": r.randrange(1, 4)},
                lambda v: Decimal(10 * v["courses"]),
            ),
        )
        window_open = datetime.date(year, 1, 10)
        last_day = self.snapshot if is_target else datetime.date(year, 12, 31)
        span = (last_day - window_open).days
        claim_first = self.ids.take(Claim, len(statuses))
        evidence_first = self.ids.take(ClaimEvidence, len(statuses))
        with (
            TableWriter(
                Claim,
                [
                    "id",
                    "person",
                    "year",
                    "rule_code",
                    "fields",
                    "evidence_key",
                    "status",
                    "preview_hours",
                    "preview_reasons",
                    "credited_hours",
                    "credit_reasons",
                    "unit",
                    "current_stage",
                    "review_started",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "decided_at",
                ],
            ) as claims,
            TableWriter(
                ClaimEvidence,
                [
                    "id",
                    "claim",
                    "file",
                    "original_name",
                    "content_type",
                    "size",
                    "sha256",
                    "uploaded_at",
                    "uploaded_by",
                ],
            ) as evidence,
            TableWriter(
                LedgerEntry,
                [
                    "id",
                    "person",
                    "year",
                    "category",
                    "hours",
                    "rule_code",
                    "source_type",
                    "source_id",
                    "memo",
                    "created_at",
                    "reverses",
                ],
            ) as ledger,
        ):
            for offset, status in enumerate(statuses):
                claim_id = claim_first + offset
                # Pending claims crowd into the last weeks; others spread over the year.
                if status == ClaimStatus.SUBMITTED:
                    created_day = last_day - datetime.timedelta(days=int(rng.expovariate(1 / 12)) % 60)
                else:
                    created_day = window_open + datetime.timedelta(days=rng.randrange(max(1, span)))
                index = rng.randrange(people)
                person_id = self.people_first_id + index
                unit = self.unit_by_id[self.people_units[index]]
                code, category, make_fields, hours_of = rules[offset % len(rules)]
                raw = make_fields(rng)
                raw["certificate_number"] = f"LD{year}{claim_id:010d}"
                values = validate_fields(code, raw)
                key = evidence_key(code, values, year=year)
                hours = hours_of(raw)
                fields = {
                    name: (str(value) if isinstance(value, Decimal | datetime.date) else value)
                    for name, value in values.items()
                }
                created = _aware(created_day, rng.randrange(8 * 3600, 22 * 3600))
                submitted = (
                    created + datetime.timedelta(minutes=rng.randrange(5, 600))
                    if status != ClaimStatus.DRAFT
                    else None
                )
                stage = None
                if status == ClaimStatus.SUBMITTED:
                    stages = (1, 2, 3) if unit.department_id else (1, 3)
                    stage = rng.choices(stages, weights=(45, 25, 30)[: len(stages)])[0]
                decided = None
                if status in (
                    ClaimStatus.APPROVED,
                    ClaimStatus.REJECTED,
                    ClaimStatus.REVOKED,
                    ClaimStatus.WITHDRAWN,
                    ClaimStatus.RETURNED,
                ):
                    decided = (submitted or created) + datetime.timedelta(days=rng.randrange(1, 20))
                    if decided > _aware(last_day, 20 * 3600):
                        decided = _aware(last_day, 20 * 3600)
                reasons = [f"每个合格模块{5}学时"] if code == "PUB-3" else []
                credited = hours if status in (ClaimStatus.APPROVED, ClaimStatus.REVOKED) else None
                has_unit = status != ClaimStatus.DRAFT
                claims.row(
                    (
                        claim_id,
                        person_id,
                        year,
                        code,
                        fields,
                        key,
                        status,
                        hours,
                        reasons,
                        credited,
                        reasons if credited is not None else [],
                        unit.id if has_unit else None,
                        stage,
                        status
                        in (
                            ClaimStatus.APPROVED,
                            ClaimStatus.REJECTED,
                            ClaimStatus.RETURNED,
                            ClaimStatus.REVOKED,
                        )
                        or (stage is not None and stage > 1),
                        created,
                        decided or submitted or created,
                        submitted,
                        decided if status not in (ClaimStatus.RETURNED,) else None,
                    )
                )
                evidence.row(
                    (
                        evidence_first + offset,
                        claim_id,
                        self.evidence_name,
                        "证明材料.pdf",
                        "application/pdf",
                        48,
                        self.evidence_sha,
                        created,
                        person_id,
                    )
                )
                if credited is not None:
                    entry_id = self.ids.take(LedgerEntry)
                    ledger.row(
                        (
                            entry_id,
                            person_id,
                            year,
                            category,
                            credited,
                            code,
                            SourceType.CLAIM,
                            str(claim_id),
                            f"学时申报 #{claim_id}（{code}）",
                            decided,
                            None,
                        )
                    )
                    if status == ClaimStatus.REVOKED and decided is not None:
                        ledger.row(
                            (
                                self.ids.take(LedgerEntry),
                                person_id,
                                year,
                                category,
                                -credited,
                                code,
                                SourceType.CLAIM,
                                str(claim_id),
                                "撤销：抽查发现材料不实",
                                decided + datetime.timedelta(days=30),
                                entry_id,
                            )
                        )
        self.stats.add("claims", claims.count)
        self.stats.add("claim evidence", evidence.count)
        self.stats.add("ledger entries", ledger.count)

    # --- filings ------------------------------------------------------------------------------------

    def filings(self, year: int) -> None:
        """Training filings by departments and big units, with finished roster imports crediting their
        participants (PRO-2), and one industry-channel import per channel (health, education,
        accounting) crediting the people of hospitals, schools and a share of institutions."""
        rng = random.Random(self.options.seed * 41 + year)
        people = self.options.people
        is_target = year == self.options.year
        by_unit: dict[int, list[int]] = {}
        for index, unit_id in enumerate(self.people_units):
            by_unit.setdefault(unit_id, []).append(index)
        big_units = [unit for unit in self.units if unit.size >= 40]
        filer = (
            Organisation.objects.filter(kind=OrganisationKind.CITY_BUREAU)
            .values_list("id", flat=True)
            .first()
        )
        staff_actor = (
            RoleAssignment.objects.filter(role=Role.CITY_BUREAU_STAFF)
            .values_list("user_id", flat=True)
            .first()
        )
        assert filer is not None and staff_actor is not None
        n_filings = max(2, people // 500)
        filing_first = self.ids.take(TrainingFiling, n_filings)
        imports_first = self.ids.take(RosterImport, n_filings + 3)
        last_day = self.snapshot if is_target else datetime.date(year, 12, 20)
        held_serial = 0
        with (
            TableWriter(
                TrainingFiling,
                [
                    "id",
                    "title",
                    "kind",
                    "organiser",
                    "organisation",
                    "bureau",
                    "start_date",
                    "end_date",
                    "training_days",
                    "planned_hours",
                    "place",
                    "expected_participants",
                    "channel",
                    "status",
                    "filed_by",
                    "submitted_at",
                    "decided_at",
                    "decided_by",
                    "created_at",
                    "updated_at",
                ],
            ) as filings,
            TableWriter(
                RosterImport,
                [
                    "id",
                    "source",
                    "filing",
                    "scope",
                    "year",
                    "bureau",
                    "file",
                    "original_name",
                    "file_size",
                    "status",
                    "phase",
                    "progress",
                    "total_rows",
                    "checkpoint",
                    "credited_count",
                    "held_count",
                    "created_by",
                    "created_at",
                    "started_at",
                    "finished_at",
                ],
            ) as imports,
            TableWriter(
                RosterCredit,
                [
                    "scope",
                    "source",
                    "filing",
                    "year",
                    "id_number_digest",
                    "id_number_masked",
                    "name",
                    "person",
                    "hours",
                    "status",
                    "revision",
                    "last_import",
                    "row_number",
                    "created_at",
                    "updated_at",
                ],
            ) as credits,
            TableWriter(
                LedgerEntry,
                [
                    "id",
                    "person",
                    "year",
                    "category",
                    "hours",
                    "rule_code",
                    "source_type",
                    "source_id",
                    "memo",
                    "created_at",
                    "created_by",
                ],
            ) as ledger,
        ):
            for offset in range(n_filings):
                filing_id = filing_first + offset
                unit = rng.choice(big_units or self.units)
                start = datetime.date(year, 3, 1) + datetime.timedelta(days=rng.randrange(250))
                days = rng.randrange(1, 6)
                end = start + datetime.timedelta(days=days - 1)
                hours = Decimal(days * 8)
                finished = end < last_day
                status = rng.choices(
                    (
                        FilingStatus.APPROVED,
                        FilingStatus.SUBMITTED,
                        FilingStatus.RETURNED,
                        FilingStatus.WITHDRAWN,
                    ),
                    weights=(80, 10, 5, 5),
                )[0]
                submitted = _aware(start - datetime.timedelta(days=rng.randrange(7, 40)))
                decided = submitted + datetime.timedelta(days=3) if status != FilingStatus.SUBMITTED else None
                title = f"{year}年度专业技术人员{rng.choice(names.SPECIALTIES)}专题培训班（第{offset + 1}期）"
                members = by_unit.get(unit.id, [])
                participants = rng.sample(members, min(len(members), rng.randrange(20, 300)))
                filings.row(
                    (
                        filing_id,
                        title,
                        rng.choice(TrainingKind.values),
                        "济宁市继续教育协会",
                        unit.id,
                        unit.bureau_id,
                        start,
                        end,
                        days,
                        hours,
                        "济宁市会议中心",
                        max(1, len(participants)),
                        FilingChannel.ONLINE,
                        status,
                        staff_actor,
                        submitted,
                        decided,
                        staff_actor if decided else None,
                        submitted,
                        decided or submitted,
                    )
                )
                if status != FilingStatus.APPROVED or not finished or not participants:
                    continue
                import_id = imports_first + offset
                scope = f"filing:{filing_id}"
                imported = _aware(end + datetime.timedelta(days=rng.randrange(2, 15)))
                held: list[int | None] = [None] * (1 if rng.random() < 0.3 else 0)
                rows: list[int | None] = [*participants, *held]
                imports.row(
                    (
                        import_id,
                        ImportSource.FILING,
                        filing_id,
                        scope,
                        year,
                        unit.bureau_id,
                        self.roster_name,
                        f"{title}学员名单.xlsx",
                        24,
                        ImportStatus.FINISHED,
                        ImportPhase.DONE,
                        100,
                        len(rows),
                        len(rows),
                        len(participants),
                        len(held),
                        staff_actor,
                        imported,
                        imported,
                        imported + datetime.timedelta(seconds=20),
                    )
                )
                memo = f"培训备案：{title}（{start.isoformat()}至{end.isoformat()}）"
                for row_number, slot in enumerate(rows, start=2):
                    if slot is None:
                        held_serial += 1
                        first17 = f"{CITY_REGION_CODE}19800101{held_serial % 1000:03d}"
                        digest = hashlib.sha256(f"held:{year}:{filing_id}:{held_serial}".encode()).hexdigest()
                        credits.row(
                            (
                                scope,
                                ImportSource.FILING,
                                filing_id,
                                year,
                                digest,
                                identity.mask_id_number(first17 + "0"),
                                rng.choice(names.SURNAMES) + rng.choice(names.GIVEN),
                                None,
                                hours,
                                CreditStatus.HELD,
                                1,
                                import_id,
                                row_number,
                                imported,
                                imported,
                            )
                        )
                        continue
                    index = slot
                    person_id = self.people_first_id + index
                    credits.row(
                        (
                            scope,
                            ImportSource.FILING,
                            filing_id,
                            year,
                            self.people_digests[index],
                            self.people_masks[index],
                            self.people_names[index],
                            person_id,
                            hours,
                            CreditStatus.CREDITED,
                            1,
                            import_id,
                            row_number,
                            imported,
                            imported,
                        )
                    )
                    ledger.row(
                        (
                            self.ids.take(LedgerEntry),
                            person_id,
                            year,
                            LedgerCategory.PROFESSIONAL,
                            hours,
                            "PRO-2",
                            SourceType.IMPORT,
                            ledger_source_id(scope, person_id, 1),
                            memo,
                            imported,
                            staff_actor,
                        )
                    )
            # Industry channels: the provincial systems' hours for health, education and accounting staff.
            channel_units = {
                ImportSource.HEALTH: {u.id for u in self.units if u.unit_type == "hospital"},
                ImportSource.EDUCATION: {u.id for u in self.units if u.unit_type == "school"},
                ImportSource.ACCOUNTING: {
                    u.id for u in self.units if u.unit_type == "institution" and u.id % 4 == 0
                },
            }
            labels = {
                ImportSource.HEALTH: "卫生健康行业",
                ImportSource.EDUCATION: "教育行业",
                ImportSource.ACCOUNTING: "会计行业",
            }
            for number, (source, unit_ids) in enumerate(channel_units.items()):
                import_id = imports_first + n_filings + number
                scope = f"{source}:{year}"
                imported = _aware(last_day - datetime.timedelta(days=20))
                members = [index for unit_id in unit_ids for index in by_unit.get(unit_id, [])]
                credited = [index for index in members if rng.random() < (0.6 if is_target else 0.9)]
                imports.row(
                    (
                        import_id,
                        source,
                        None,
                        scope,
                        year,
                        filer,
                        self.roster_name,
                        f"{labels[source]}{year}年度学时.xlsx",
                        24,
                        ImportStatus.FINISHED,
                        ImportPhase.DONE,
                        100,
                        len(credited),
                        len(credited),
                        len(credited),
                        0,
                        staff_actor,
                        imported,
                        imported,
                        imported + datetime.timedelta(minutes=5),
                    )
                )
                memo = f"{labels[source]}学时导入（{year}年度）"
                for row_number, index in enumerate(credited, start=2):
                    person_id = self.people_first_id + index
                    hours = Decimal(rng.choice((24, 30, 40, 60, 72)))
                    credits.row(
                        (
                            scope,
                            source,
                            None,
                            year,
                            self.people_digests[index],
                            self.people_masks[index],
                            self.people_names[index],
                            person_id,
                            hours,
                            CreditStatus.CREDITED,
                            1,
                            import_id,
                            row_number,
                            imported,
                            imported,
                        )
                    )
                    ledger.row(
                        (
                            self.ids.take(LedgerEntry),
                            person_id,
                            year,
                            LedgerCategory.PROFESSIONAL,
                            hours,
                            "",
                            SourceType.IMPORT,
                            ledger_source_id(scope, person_id, 1),
                            memo,
                            imported,
                            staff_actor,
                        )
                    )
        self.stats.add("training filings", filings.count)
        self.stats.add("roster imports", imports.count)
        self.stats.add("roster credits", credits.count)
        self.stats.add("ledger entries", ledger.count)


def _course_category(kind: str) -> str:
    categories: dict[str, str] = {
        CourseKind.PUBLIC_COMPULSORY: LedgerCategory.PUBLIC_COMPULSORY,
        CourseKind.PUBLIC_ELECTIVE: LedgerCategory.PUBLIC_ELECTIVE,
        CourseKind.PROFESSIONAL: LedgerCategory.PROFESSIONAL,
    }
    return categories[kind]


def review_state_backfill(log: Callable[[str], None] = print) -> dict[str, int]:
    """The review workflow's state for every claim in review that has none yet: its chain of stages
    (unit, the supervising department when there is one, the HR bureau; round 1), the open stage's
    organisation and deadline on the claim (the reviewer queues' index), the submission on record and
    an approval record for each stage already passed. Idempotent; also run on a data set generated
    before the workflow existed (``generate_load_data --review-state``). Decided claims keep no chain."""
    try:
        from hours.review_models import ClaimReviewStage, ReviewRecord
    except ImportError:
        log("  review workflow tables not present: skipped")
        return {}
    counts: dict[str, int] = {}
    generator = Generator.__new__(Generator)
    generator.stats = Stats()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS load_chain")
        cursor.execute(
            """
            CREATE TEMP TABLE load_chain AS
            SELECT c.id AS claim_id, c.current_stage, c.submitted_at, c.person_id, u.id AS unit_id, u.name AS unit_name,
                   CASE WHEN p.kind = 'department' THEN p.id END AS department_id, u.bureau_id
            FROM hours_claim c
            JOIN accounts_organisation u ON u.id = c.unit_id
            LEFT JOIN accounts_organisation p ON p.id = u.parent_id
            WHERE c.status = 'submitted' AND c.submitted_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM hours_claimreviewstage s WHERE s.claim_id = c.id)
            """
        )
        # Everything was loaded in this transaction, where autovacuum cannot see it: without statistics
        # the planner nests loops over hundreds of thousands of rows (one run spent 11 minutes of CPU on
        # the review records' INSERT before it was stopped).
        cursor.execute("ANALYZE load_chain")
        cursor.execute("ANALYZE accounts_roleassignment")
        cursor.execute("ANALYZE accounts_organisation")
        generator._insert_select(
            cursor,
            ClaimReviewStage,
            [
                "claim",
                "round",
                "position",
                "kind",
                "organisation",
                "deadline_days",
                "state",
                "opened_at",
                "due_at",
                "decided_at",
            ],
            """
            SELECT claim_id, 1, row_number() OVER (PARTITION BY claim_id ORDER BY kind), kind, organisation, days,
                   CASE WHEN kind < stage THEN 'approved' WHEN kind = stage THEN 'open' ELSE 'waiting' END,
                   CASE WHEN kind <= stage THEN submitted_at + (kind - 1) * interval '2 days' END,
                   CASE WHEN kind <= stage THEN submitted_at + (kind - 1) * interval '2 days' + days * interval '1 day' END,
                   CASE WHEN kind < stage THEN submitted_at + kind * interval '2 days' END
            FROM (
                SELECT claim_id, coalesce(current_stage, 1) AS stage, submitted_at, 1 AS kind, unit_id AS organisation,
                       7 AS days FROM load_chain
                UNION ALL
                SELECT claim_id, coalesce(current_stage, 1), submitted_at, 2, department_id, 7
                FROM load_chain WHERE department_id IS NOT NULL
                UNION ALL
                SELECT claim_id, coalesce(current_stage, 1), submitted_at, 3, bureau_id, 10 FROM load_chain
            ) chain
            """,
            {},
            "review stages",
        )
        cursor.execute("ANALYZE hours_claimreviewstage")
        cursor.execute(
            """
            UPDATE hours_claim c SET review_organisation_id = s.organisation_id, review_due_at = s.due_at,
                                     current_stage = s.kind, review_started = (s.position > 1)
            FROM hours_claimreviewstage s
            WHERE s.claim_id = c.id AND s.state = 'open' AND c.review_organisation_id IS NULL
            """
        )
        counts["claims placed in a queue"] = cursor.rowcount
        generator._insert_select(
            cursor,
            ReviewRecord,
            [
                "claim",
                "round",
                "decision",
                "from_status",
                "to_status",
                "actor",
                "actor_name",
                "role",
                "organisation",
                "organisation_name",
                "created_at",
            ],
            """
            SELECT l.claim_id, 1, 'submit', 'draft', 'submitted', l.person_id, u.real_name, 'professional',
                   l.unit_id, l.unit_name, l.submitted_at
            FROM load_chain l JOIN accounts_user u ON u.id = l.person_id
            """,
            {},
            "review records",
        )
        generator._insert_select(
            cursor,
            ReviewRecord,
            [
                "claim",
                "stage",
                "round",
                "stage_kind",
                "decision",
                "from_status",
                "to_status",
                "actor",
                "actor_name",
                "role",
                "organisation",
                "organisation_name",
                "created_at",
            ],
            """
            SELECT s.claim_id, s.id, 1, s.kind, 'approve', 'submitted', 'submitted', h.user_id, u.real_name, h.role,
                   s.organisation_id, o.name, s.decided_at
            FROM hours_claimreviewstage s
            JOIN load_chain l ON l.claim_id = s.claim_id
            JOIN accounts_organisation o ON o.id = s.organisation_id
            JOIN (
                -- the first reviewer of each organisation, once, for a hash join (not a lookup per stage)
                SELECT DISTINCT ON (ra.organisation_id) ra.organisation_id, ra.user_id, ra.role
                FROM accounts_roleassignment ra
                WHERE ra.is_active
                  AND ra.role IN ('unit_admin', 'department_reviewer', 'county_bureau_staff', 'city_bureau_staff')
                ORDER BY ra.organisation_id, ra.id
            ) h ON h.organisation_id = s.organisation_id
            JOIN accounts_user u ON u.id = h.user_id
            WHERE s.state = 'approved'
            """,
            {},
            "review records",
        )
        cursor.execute("DROP TABLE load_chain")
        cursor.execute("ANALYZE hours_claim")
        cursor.execute("ANALYZE hours_claimreviewstage")
        cursor.execute("ANALYZE hours_reviewrecord")
    counts.update(generator.stats.rows)
    for label, count in counts.items():
        log(f"  {label}: {count:,}")
    return counts


def vacuum_analyze(log: Callable[[str], None]) -> float:
    """VACUUM (ANALYZE) the loaded tables: statistics for the planner and the visibility map for
    index-only scans, as autovacuum would have left them on a live system."""
    started = time.perf_counter()
    tables = [model._meta.db_table for model in BULK_MODELS]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    log(f"  vacuum analyze: {elapsed:.1f} s")
    return elapsed


def table_sizes() -> list[tuple[str, int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_total_relation_size(c.oid))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = 'public' AND c.reltuples > 1000
            ORDER BY pg_total_relation_size(c.oid) DESC
            """
        )
        return list(cursor.fetchall())


def database_size() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return str(cursor.fetchone()[0])


def generate(options: Options) -> Stats:
    if connection.vendor != "postgresql":
        raise RuntimeError(
            "the load generator writes with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database"
        )
    generator = Generator(options)
    started = time.perf_counter()
    with transaction.atomic():
        stats = generator.run()
        started_review = time.perf_counter()
        for label, count in review_state_backfill(options.log).items():
            stats.add(label, count)
        stats.timings.append(("review workflow state", time.perf_counter() - started_review))
    stats.timings.append(("vacuum analyze", vacuum_analyze(options.log)))
    stats.timings.append(("total", time.perf_counter() - started))
    return stats


__all__ = [
    "LOAD_PASSWORD",
    "Options",
    "database_is_empty",
    "database_size",
    "generate",
    "review_state_backfill",
    "table_sizes",
]
