"""Settings for Burgerberaad, read from the environment.

The embedded default needs no server: an SQLite file, Celery tasks run
in-process, and mail goes to a development mailbox readable in the site.
PostgreSQL and Redis take over when DATABASE_URL / CELERY_BROKER_URL say so.
DJANGO_ENV=production refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_str

# Lets classes such as ModelForm[Assembly] be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", ("development", "production"), "development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs SECRET_KEY: a random string of at least 50 characters."
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs ALLOWED_HOSTS: a comma-separated list of host names."
        )
    DEBUG = False
else:
    # A development key: never used in production (see above).
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-burgerberaad-not-for-production-0123")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    DEBUG = env_bool("DEBUG", True)

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The reverse proxies in front of the site (addresses or networks, such as
# 127.0.0.1 or 10.0.0.0/8). From these only, X-Forwarded-For names the visitor
# (assembly/client_address.py); without them every visitor behind the proxy
# shares the proxy's address, and one visitor's typos lock out all others.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must be IP addresses or networks, comma-separated, not {_proxy!r}"
        ) from _error

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
    "import_export",
    "django_celery_beat",
    "csp",
    "assembly",
    "sessions.apps.SessionsConfig",
    "participants",
    "recommendations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "assembly.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "assembly.middleware.StaffNeedsTotpMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "assembly.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's database. A double tap sends a form twice at once: with
    # SQLite's deferred transactions the second write then fails at once with
    # "database is locked" (a server error after the first had saved). Taking
    # the write lock at the start of each transaction, and waiting for it,
    # queues the second behind the first, as PostgreSQL's row locks do.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_cache_url = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Rendered template fragments that depend only on the release (templates,
    # translations, settings): each process keeps its own, whatever CACHE_URL
    # says, because a local read costs less than the round trip to Redis.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
    },
}

AUTH_USER_MODEL = "assembly.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the login. Members sign in with a code sent by
# e-mail; staff roles use a password plus TOTP (enforced by
# assembly.middleware.StaffNeedsTotpMiddleware). Nobody signs up: accounts come
# from a role given by an organiser or from a registration.
ACCOUNT_ADAPTER = "assembly.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# A mail that is slow or lost: the code page offers a new code (twice, rate-limited).
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_RATE_LIMITS_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Burgerberaad] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Burgerberaad"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
# locale/ first: makemessages writes there. locale_overrides/ holds our Dutch
# for strings of django-allauth, whose own Dutch says "je" where this site says "u".
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads wait on disk for a worker (BRP extracts, receipts): readable by the
# server user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Largest PDF an organiser or expert may upload as briefing material (bytes).
# A proxy in front must accept request bodies a little larger than this.
MATERIAL_MAX_UPLOAD_BYTES = env_int("MATERIAL_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Largest receipt (photo or PDF) a member may upload with an expense claim (bytes).
RECEIPT_MAX_UPLOAD_BYTES = env_int("RECEIPT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# The organisation that pays members: the debtor of the SEPA credit transfer file.
SEPA_DEBTOR_NAME = env_str("SEPA_DEBTOR_NAME", "Stichting Burgerberaad")
# The demo account is a textbook example; production has no default, so an
# export refuses until the real account is set.
SEPA_DEBTOR_IBAN = env_str("SEPA_DEBTOR_IBAN", "" if PRODUCTION else "NL91ABNA0417164300")
SEPA_DEBTOR_BIC = env_str("SEPA_DEBTOR_BIC", "" if PRODUCTION else "ABNANL2A")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Mail: SMTP when EMAIL_HOST is set; otherwise (development and the demo) the
# development mailbox, stored in the database and readable by organisers.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST or PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    # Seconds before a silent mail server counts as down: without it a hung
    # server holds a task (and Django's own sends) until the task time limit.
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
    DEV_MAILBOX = False
else:
    EMAIL_BACKEND = "assembly.mail.DevMailboxBackend"
    DEV_MAILBOX = True
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Burgerberaad <noreply@burgerberaad.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address citizens can write to with questions (printed in letters).
INVITATION_CONTACT_EMAIL = env_str("INVITATION_CONTACT_EMAIL", "secretariaat@burgerberaad.example")
# A phone number for questions, printed beside the address in letters and on
# the sign-up pages: a letter reaches people without e-mail too. Empty: none.
INVITATION_CONTACT_PHONE = env_str(
    "INVITATION_CONTACT_PHONE", "" if PRODUCTION else "0800 000 0000"
)

# Celery: Redis when CELERY_BROKER_URL is set; otherwise tasks run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Results are kept in the database by the tasks themselves; a result backend
# is only needed by callers that wait on a task (the service tests do).
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# A worker that dies mid-task leaves the message unacknowledged, so another
# worker runs it again; tasks claim their work in the database, so a rerun
# does nothing twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 3300)
# The lottery's tasks (a panel draw, a replacement by LEXIMIN) have a limit of
# their own, in seconds. On a 2-core machine a pool of 10,000 takes about 80 s
# (bench/README.sortition.md), but where peeling gets stuck the engine falls
# back on column generation, which can take hours on a pool of thousands (a
# real pool has about 4,000 people). Six hours by default, so such a run is not
# cut off by the general limit; a run that stops at it says so.
LOTTERY_TIME_LIMIT = env_int("LOTTERY_TIME_LIMIT", 6 * 3600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long Redis waits before handing an unacknowledged task (its worker died)
# to another worker. Tasks are split into short chunks, so ten minutes is safe.
# With Redis down, a web request that queues a task gives up after one quick
# retry instead of kombu's default of several seconds of back-off: the work is
# in the database (an outbox row, a queued run) and a sweep picks it up.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600),
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "assembly.tasks.sessions_clear_expired", "schedule": 3600.0},
    # E-mails whose send task never ran (the queue was down) go out within a minute.
    "outbox-sweep": {"task": "assembly.tasks.outbox_sweep_task", "schedule": 60.0},
    # Lottery runs whose task never reached the queue (Redis was down) are sent again.
    "selection-runs-requeue": {
        "task": "participants.tasks_selection.selection_runs_requeue_task",
        "schedule": 120.0,
    },
    # The same for invitation draws and letter/e-mail runs.
    "invitations-requeue": {
        "task": "participants.tasks.invitations_requeue_task",
        "schedule": 120.0,
    },
    # Population imports whose worker died fail, and their stored file goes.
    "population-imports-stale": {
        "task": "participants.tasks.population_imports_stale_task",
        "schedule": 600.0,
    },
    # The same for replacements drawn by LEXIMIN (their run has a task of its own).
    "replacements-requeue": {
        "task": "participants.tasks_panel.replacement_runs_requeue_task",
        "schedule": 120.0,
    },
    # Planned releases of materials, public after the weekend, and the e-mail to members.
    "materials-due": {"task": "sessions.tasks_materials.materials_due_task", "schedule": 60.0},
    # New dates or a new venue of a published weekend whose e-mail task never reached the queue.
    "weekend-changes-due": {
        "task": "sessions.tasks_schedule.weekend_changes_due_task",
        "schedule": 60.0,
    },
    # Electronic ballots whose closing time has passed are closed and their result fixed.
    "ballots-close-due": {
        "task": "recommendations.tasks_ballots.ballots_close_due_task",
        "schedule": 60.0,
    },
    # Day allowances in line with the check-ins and the rules; batched/paid rows never change.
    "allowances-compute": {
        "task": "participants.tasks_money.allowances_compute_all_task",
        "schedule": crontab(hour=2, minute=15),
    },
    # Members' personal data, a set period after the final report (AVG).
    "privacy-retention": {
        "task": "recommendations.tasks_privacy.privacy_retention_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Members absent two weekends in a row: one e-mail per organiser per member, ever.
    "attendance-absence-flags": {
        "task": "participants.tasks_attendance.attendance_absence_flags_task",
        "schedule": crontab(hour=7, minute=30),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# Security headers. The Content-Security-Policy allows no inline script or
# style: every page loads its CSS and JavaScript from /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Sessions in PostgreSQL, without Django's key look-up before the insert (see
# config/session_store.py): one query less for each citizen who enters a code.
SESSION_ENGINE = "config.session_store"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# A chosen language lasts as long as a year's visits, not one browser session:
# a member who reads English should not find Dutch on each new visit.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs hold ids, never names, e-mail addresses, answers or secrets. Several
# links carry their key in the path (config/log_filters.py): the filter blanks
# it on the loggers that write paths, before any handler sees the record, and
# again on the one handler, for the django.security.* loggers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "config.log_filters.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["redact_secrets"],
        },
    },
    "loggers": {
        # Django's own defaults add a console handler (a second copy of each
        # line in development) and mail to ADMINS with the request's POST data:
        # everything goes through the root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["redact_secrets"]},
        "django.security.csrf": {"filters": ["redact_secrets"]},
        # runserver's request lines, with their query strings.
        "django.server": {
            "handlers": ["server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
