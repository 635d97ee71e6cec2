"""The Celery application. With no REDIS_URL the settings make every task run eagerly in-process,
so the one-command demo needs no servers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinan_ce.settings")

app = Celery("jinan_ce")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
