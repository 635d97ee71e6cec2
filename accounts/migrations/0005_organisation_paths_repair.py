"""Organisations added through the Django admin before it went through organisation_create were saved
with an empty path (and depth 0, no bureau); those under them got paths without the leading "/". An
empty path is a prefix of every path, so a role held there governed the whole city. This walks the tree
from its roots and gives every organisation the path, depth and bureau organisation_create would have.
With a well-formed tree (the usual case) it changes nothing."""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

PATH_PATTERN = re.compile(r"/(?:[0-9]+/)+")
BUREAU_KINDS = ("city_bureau", "county_bureau", "zone_bureau")


def repair_organisation_paths(apps: Any, schema_editor: Any) -> None:
    Organisation = apps.get_model("accounts", "Organisation")
    rows = list(Organisation.objects.only("id", "kind", "parent_id", "path", "depth", "bureau_id"))
    if all(PATH_PATTERN.fullmatch(row.path) for row in rows):
        return
    children: dict[int | None, list[Any]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    changed = []
    # (organisation, its parent's path, its parent's depth, its parent's bureau), roots first.
    pending = [(row, "/", -1, None) for row in children.get(None, [])]
    while pending:
        row, parent_path, parent_depth, parent_bureau = pending.pop()
        path, depth = f"{parent_path}{row.pk}/", parent_depth + 1
        bureau = row.pk if row.kind in BUREAU_KINDS else parent_bureau
        if (row.path, row.depth, row.bureau_id) != (path, depth, bureau):
            row.path, row.depth, row.bureau_id = path, depth, bureau
            changed.append(row)
        pending.extend((child, path, depth, bureau) for child in children.get(row.pk, []))
    Organisation.objects.bulk_update(changed, ["path", "depth", "bureau"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_identifiers_compared_bytewise"),
    ]

    operations = [
        migrations.RunPython(repair_organisation_paths, migrations.RunPython.noop, elidable=True),
    ]
