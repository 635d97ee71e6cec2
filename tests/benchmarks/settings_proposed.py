"""The platform's settings with the changes docs/scaling.md proposes for sessions, to measure them
before their owners adopt them:

    python -m tests.benchmarks.run --http-only --settings tests.benchmarks.settings_proposed

* no session write on every request: the idle expiry slides at most once a minute;
* sessions read through the cache (Redis), written through to the database.
"""

from jinan_ce.settings import *  # noqa: F403
from jinan_ce.settings import MIDDLEWARE

SESSION_SAVE_EVERY_REQUEST = False
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
MIDDLEWARE = list(MIDDLEWARE)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "tests.benchmarks.proposed.SessionRefreshMiddleware",
)
