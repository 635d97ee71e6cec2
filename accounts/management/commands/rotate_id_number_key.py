"""Re-encrypts every stored national ID number under the newest key in ID_NUMBER_KEYS, so an old key
can then be removed. Every model with an `id_number_encrypted` field is covered; rows are updated in
batches, each batch in its own transaction, so the command can be stopped and re-run safely."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.audit import audit_record
from accounts.identity import rotate_id_number_token


class Command(BaseCommand):
    help = "Re-encrypt stored ID numbers with the first key of ID_NUMBER_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        total = 0
        for model in apps.get_models():
            if "id_number_encrypted" not in {field.name for field in model._meta.get_fields()}:
                continue
            field = "id_number_encrypted"  # a name, not an attribute: Model itself does not declare it
            rows = model._default_manager.exclude(**{field: ""}).order_by("pk").values_list("pk", field)
            last_pk = 0
            while True:
                batch = list(rows.filter(pk__gt=last_pk)[:batch_size])
                if not batch:
                    break
                rotated = [model(pk=pk, **{field: rotate_id_number_token(token)}) for pk, token in batch]
                with transaction.atomic():
                    model._default_manager.bulk_update(rotated, [field])
                last_pk = batch[-1][0]
                total += len(batch)
            self.stdout.write(f"{model._meta.label}: re-encrypted")
        audit_record(actor=None, action="identity.key_rotation", detail={"rows": total})
        self.stdout.write(f"{total} ID numbers re-encrypted under the newest key.")
