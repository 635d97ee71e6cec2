from typing import Any

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, copy_year_rules_up_to_this_year, load_demo
from hours.review_demo import load_review_demo


class Command(BaseCommand):
    help = "Load the Jining organisation tree and demo accounts for every role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = load_demo()
        copy_year_rules_up_to_this_year()
        # Claims waiting at every review stage, so each reviewer's queue has work (once only).
        filed = load_review_demo()
        self.stdout.write(f"Demo data loaded. Password for every demo account: {DEMO_PASSWORD}")
        for account in accounts:
            self.stdout.write(f"  {account.mobile}  {account.role:<22} {account.real_name}")
        if filed:
            self.stdout.write(f"Demo claims filed for review: {len(filed)}")
