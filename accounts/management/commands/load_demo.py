from typing import Any

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, copy_year_rules_up_to_this_year, load_demo


class Command(BaseCommand):
    help = "Load the Jining organisation tree and demo accounts for every role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = load_demo()
        copy_year_rules_up_to_this_year()
        self.stdout.write(f"Demo data loaded. Password for every demo account: {DEMO_PASSWORD}")
        for account in accounts:
            self.stdout.write(f"  {account.mobile}  {account.role:<22} {account.real_name}")
