"""Today's date for the filing rules ("filed before it starts", "imported after it ends"), in one place
so that a browser test can move the clock of the live server it runs in-process."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()
