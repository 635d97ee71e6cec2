"""Loads the demo 2024 catalogue (idempotent): python manage.py load_demo_catalogue"""

from typing import Any

from django.core.management.base import BaseCommand

from learning.demo import load_demo_catalogue


class Command(BaseCommand):
    help = "Load the demo 2024 course catalogue, a premium course and a Digital Technology Engineer cohort."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_demo_catalogue()
        self.stdout.write(f"courses created: {created}")
