"""Loads a city's organisation tree from a CSV file (name, kind, parent, phone, note).

The city is data: Jining ships as accounts/data/jining-organisations.csv; another municipality is
another file. Re-running changes nothing that is already there.
"""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import services
from accounts.models import Organisation, OrganisationKind, PlatformContact

KIND_MAP = {
    "city_bureau": (OrganisationKind.CITY_BUREAU, False),
    "county_bureau": (OrganisationKind.COUNTY_BUREAU, False),
    "zone_bureau": (OrganisationKind.ZONE_BUREAU, False),
    "department": (OrganisationKind.DEPARTMENT, False),
    "unit": (OrganisationKind.UNIT, False),
    "provider": (OrganisationKind.PROVIDER, False),
    "public_provider": (OrganisationKind.PROVIDER, True),
}


def load_organisations(path: Path) -> tuple[int, int]:
    """Returns (organisations created, contact lines created)."""
    created = contacts = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with transaction.atomic():
        for order, row in enumerate(rows):
            name, kind, parent_name = row["name"].strip(), row["kind"].strip(), row.get("parent", "").strip()
            phone = row.get("phone", "").strip()
            if kind == "support":
                _, made = PlatformContact.objects.get_or_create(
                    name=name, defaults={"phone": phone, "sort_order": order}
                )
                contacts += int(made)
                continue
            if kind not in KIND_MAP:
                raise CommandError(f"Unknown kind {kind!r} for {name!r}")
            parent = Organisation.objects.filter(name=parent_name).first() if parent_name else None
            if parent_name and parent is None:
                raise CommandError(f"Parent {parent_name!r} of {name!r} must come earlier in the file")
            if Organisation.objects.filter(name=name, parent=parent).exists():
                continue
            organisation_kind, is_public = KIND_MAP[kind]
            services.organisation_create(
                actor=None,
                name=name,
                kind=organisation_kind,
                parent=parent,
                phone=phone,
                credit_code=row.get("credit_code", "").strip(),
                is_public_subject_provider=is_public,
                sort_order=order,
            )
            created += 1
    return created, contacts


class Command(BaseCommand):
    help = "Load an organisation tree (bureaus, providers, contact lines) from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        created, contacts = load_organisations(options["csv_path"])
        self.stdout.write(f"organisations created: {created}; contact lines created: {contacts}")
