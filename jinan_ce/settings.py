"""Settings, 12-factor: everything that differs between machines comes from the environment.

With nothing set, the platform runs on SQLite with Celery tasks executed in-process (the one-command
demo). With DATABASE_URL / REDIS_URL set it uses PostgreSQL (psycopg 3) and a real broker. With
DJANGO_ENV=production it refuses to start until its secrets are given.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"

if IS_PRODUCTION:
    missing = [
        name
        for name in ("DJANGO_SECRET_KEY", "ID_NUMBER_KEYS", "ID_NUMBER_HASH_KEY", "DATABASE_URL", "REDIS_URL")
        if not env.str(name, default="")
    ]
    if missing:
        raise ImproperlyConfigured(
            f"Production settings need these environment variables: {', '.join(missing)}"
        )

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop"
)
DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
# The address printed in certificates' QR codes; set it behind a proxy (else the request's host is used).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# National ID numbers are encrypted at rest (Fernet; the first key encrypts, all keys decrypt, so a key
# can be rotated) and looked up through a keyed hash. Development derives both from SECRET_KEY.
ID_NUMBER_KEYS = env.list("ID_NUMBER_KEYS", default=[])
ID_NUMBER_HASH_KEY = env.str("ID_NUMBER_HASH_KEY", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "django_filters",
    "accounts",
    "learning",
    "hours",
    "filings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.request_context.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.security.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.security.SecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so its 400 page has the session, the user, the language and the CSP nonce to render with.
    "jinan_ce.middleware.NulCharacterMiddleware",
]

ROOT_URLCONF = "jinan_ce.urls"
WSGI_APPLICATION = "jinan_ce.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    }
]

# Bootstrap's classes on every form field's widget (jinan_ce/forms.py), whatever the form or template.
FORM_RENDERER = "jinan_ce.forms.BootstrapFormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# A fixed test database name (scripts/test points its Celery worker at it); by default Django's test_<name>.
if env.str("DATABASE_TEST_NAME", default=""):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("DATABASE_TEST_NAME")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Scale-out (docs/scaling.md): an optional streaming read replica for heavy report reads. Only code inside
# `jinan_ce.db_routers.reading_from_replica()` reads there; every write, and every other read, stays on
# the primary. Unset (the default, and every test run) the router changes nothing.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jinan_ce.db_routers.ReportReplicaRouter"]

REDIS_URL = env.str("REDIS_URL", default="")


def _redis_database(url: str, number: int) -> str:
    """The same Redis server, another logical database: the cache must never share the broker's, or
    clearing the cache would drop queued tasks."""
    trimmed = url.rstrip("/")
    head, _, last = trimmed.rpartition("/")
    server = head if last.isdigit() else trimmed
    return f"{server}/{number}"


CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default=_redis_database(REDIS_URL, 1) if REDIS_URL else "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "jinan_ce.cache.ResilientRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            # Fail fast when Redis is down: the page goes on without the cache.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = "Asia/Shanghai"
# Celery beat. Hours reminders: the task runs every morning and reminds those behind on the month-days
# listed in HOURS_REMINDER_DATES (MM-DD, comma-separated); each date is sent once (hours.ReminderRun).
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # Tasks whose message never reached the broker (it was down): sent again (jinan_ce.queue).
    "republish-queued-tasks": {
        "task": "accounts.tasks.republish_queued_task",
        "schedule": 60,
        "options": {"expires": 60},
    },
    "hours-reminders": {
        "task": "hours.tasks.hours_reminders_task",
        "schedule": crontab(hour=9, minute=0),
        "kwargs": {"dates": env.list("HOURS_REMINDER_DATES", default=["09-01", "11-01", "12-01"])},
    },
    # Export files (reports, certificate ZIPs) deleted once past their keeping time (hours.reports).
    "hours-exports-expire": {
        "task": "hours.tasks.exports_expire_task",
        "schedule": crontab(hour=3, minute=30),
        "options": {"queue": "reports"},
    },
    # The bureaus' dashboard figures, precomputed for the visits (hours.dashboards, every 15 minutes).
    "hours-dashboard-figures": {
        "task": "hours.tasks.dashboard_figures_task",
        "schedule": 15 * 60,
        "options": {"queue": "reports", "expires": 15 * 60},
    },
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues (docs/scaling.md): long jobs never wait behind, or starve, the short ones. A worker started
# without -Q consumes all four (the test and Compose workers); production runs one worker pool per queue,
# on its own host if need be: `celery -A jinan_ce worker -Q imports`, `-Q reports`, `-Q pdf`, `-Q default`.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "imports", "reports", "pdf")]
CELERY_TASK_CREATE_MISSING_QUEUES = True
CELERY_TASK_ROUTES = {
    "filings.*": {"queue": "imports"},  # roster and industry-channel imports
    "hours.tasks.export_run_task": {"queue": "reports"},  # compliance reports and certificate ZIPs
    "hours.tasks.hours_reminders_task": {"queue": "reports"},  # a pass over every professional
    "hours.tasks.certificate_render_task": {"queue": "pdf"},  # WeasyPrint, CPU-bound
    "*.report*": {"queue": "reports"},
    "*.pdf*": {"queue": "pdf"},
    "*.import*": {"queue": "imports"},
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.IdNumberOrMobileBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.security.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.security.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "accounts.security.PlatformWordsValidator"},
]

# Login failures (django-axes): 5 failures for one login from one address within 15 minutes lock that
# pair for 15 minutes. The login is stored as a keyed hash, never in clear.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.security.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.request_context.axes_client_ip"
AXES_VERBOSE = False
# axes keeps the GET and POST data of every failed attempt (shown in the admin) and names the client in
# its log lines; these fields are masked there. The login field holds an ID number or a mobile number
# (allauth's form and the token API post "login", the admin's form "username"); the rest are passwords
# and one-time codes. "username" and "ip_address" are axes' own defaults, which this list replaces.
AXES_SENSITIVE_PARAMETERS = [
    "login",
    "username",
    "mobile",
    "id_number",
    "password",
    "oldpassword",
    "password1",
    "password2",
    "otp",
    "code",
    "ip_address",
]

# Staff (unit admin and above) need a TOTP second factor and a password younger than 90 days. The
# one-command demo leaves the second factor off so newcomers can click through; production and the
# security tests turn it on.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=IS_PRODUCTION)
STAFF_PASSWORD_MAX_AGE_DAYS = 90
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="继续教育平台")

# Sessions: 30 minutes idle, 12 hours at most. Changing the password (Django's session hash) or
# disabling the account ends every session of that account. The idle expiry slides with activity, but
# a session is written at most once a minute (accounts.security.SessionRefreshMiddleware), not on every
# request: a write per page view and per heartbeat was a durable commit each (docs/scaling.md). Sessions
# are read through the cache (Redis) and written through to the database, which stays the record.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Activity tracking would cost a SELECT and an UPDATE on every request (heartbeats included); the
# sessions list still shows where and when each session started.
USERSESSIONS_TRACK_ACTIVITY = False
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: login by national ID number or mobile number (the user model's USERNAME_FIELD is the
# mobile number; the backend also accepts an ID number). No e-mail verification: real-name data is the
# identity here, e-mail is optional.
ACCOUNT_USER_MODEL_USERNAME_FIELD = "mobile"
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.RegistrationForm", "login": "accounts.forms.LoginForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = False
# Messages such as "以 … 成功登录" name the person, not their mobile number.
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
# Per-address limits on login and registration attempts (allauth); lockout itself is axes' job above.
ACCOUNT_RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="30/m/ip"),
    "signup": env.str("RATE_LIMIT_SIGNUP", default="20/h/ip"),
    "login_failed": False,
    "reset_password": "10/h/ip,5/h/key",  # nosec B105  (a rate, not a password)
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence, rosters and certificates live outside the web root and are served only through views that
# check authorization. STORAGE_BACKEND=s3 puts them in an S3-compatible object store (MinIO, Ceph,
# a cloud's OSS/COS) through django-storages (`pip install "django-storages[s3]"`), so every gunicorn
# and Celery host sees the same files; the bucket stays private (no public ACL, signed URLs off: the
# views stream the file after their own check). See docs/scaling.md.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "s3":
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("STORAGE_S3_BUCKET"),
            "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("STORAGE_S3_REGION", default="") or None,
            "access_key": env.str("STORAGE_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("STORAGE_S3_SECRET_KEY", default="") or None,
            "location": env.str("STORAGE_S3_PREFIX", default="private"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": env.str("STORAGE_S3_ADDRESSING_STYLE", default="path"),
        },
    }
elif STORAGE_BACKEND == "filesystem":
    _DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private"))},
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}")
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Lesson videos uploaded by providers (MP4 or WebM): the largest accepted, in bytes (a front proxy's
# body limit, e.g. nginx client_max_body_size, must allow as much on the upload URLs).
LEARNING_VIDEO_MAX_BYTES = env.int("LEARNING_VIDEO_MAX_BYTES", default=500 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@jinan-ce.local")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.security.PolicyTokenAuthentication",  # DRF's, with the session's rules
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jinan_ce.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_RATE", default="120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "继续教育管理服务平台 API",
    "DESCRIPTION": "专业技术人员继续教育管理服务平台的 REST API。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/img/favicon.svg",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every choice set gets its own schema name, so enums of different models never collide.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "accounts.models.OrganisationKind",
        "UnitTypeEnum": "accounts.models.UnitType",
        "EducationEnum": "accounts.models.Education",
        "TitleLevelEnum": "accounts.models.TitleLevel",
        "RoleEnum": "accounts.models.Role",
        "MembershipStatusEnum": "accounts.models.MembershipStatus",
        "ExportKindEnum": "hours.certificate_models.ExportKind",
        "ExportStatusEnum": "hours.certificate_models.ExportStatus",
        "LedgerCategoryEnum": "hours.models.LedgerCategory",
        "SourceTypeEnum": "hours.models.SourceType",
        "ClaimStatusEnum": "hours.models.ClaimStatus",
        "ReviewStageKindEnum": "hours.review_models.ReviewStageKind",
        "CourseKindEnum": "learning.models.CourseKind",
        "CourseStatusEnum": "learning.models.CourseStatus",
        "LessonKindEnum": "learning.models.LessonKind",
        "StudyFlagKindEnum": "learning.models.StudyFlagKind",
        "ReviewStatusEnum": "learning.models.ReviewStatus",
        "AttendanceSourceEnum": "learning.models.AttendanceSource",
        "SelectionStatusEnum": "learning.models.SelectionStatus",
        "ApplicantCategoryEnum": "learning.models.ApplicantCategory",
        "CohortStatusEnum": "learning.models.CohortStatus",
        "AssessmentResultEnum": "learning.models.AssessmentResult",
        "TechnicalLevelEnum": "learning.models.TechnicalLevel",
        "TrainingKindEnum": "filings.models.TrainingKind",
        "FilingStatusEnum": "filings.models.FilingStatus",
        "FilingChannelEnum": "filings.models.FilingChannel",
        "ImportSourceEnum": "filings.models.ImportSource",
        "ImportStatusEnum": "filings.models.ImportStatus",
        "ImportPhaseEnum": "filings.models.ImportPhase",
        "CreditStatusEnum": "filings.models.CreditStatus",
        "IssueKindEnum": "filings.models.IssueKind",
    },
}

# Content Security Policy: nothing but this origin; no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Nothing is framed, except evidence previews, whose views opt in with xframe_options_sameorigin and
# a matching CSP frame-ancestors.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_id_numbers": {"()": "accounts.logging.MaskIdNumbersFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_id_numbers"]}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs seven "Step n" lines per document at INFO: a certificate ZIP of 5,000 people
        # would write 35,000 of them. Its warnings (a missing glyph, an unreachable resource) still show.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

SILENCED_SYSTEM_CHECKS = ["models.W047"]  # SQLite (demo only) cannot enforce NULLS NOT DISTINCT

PLATFORM_NAME = _("专业技术人员继续教育管理服务平台")
