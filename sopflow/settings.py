"""SOPFlow settings: one file, every deploy-time value from the environment.

Development defaults are safe for a laptop (`make run`); with DJANGO_DEBUG off (the default)
a missing DJANGO_SECRET_KEY or DJANGO_ALLOWED_HOSTS stops start-up instead of guessing.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "development-only-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in production, or set DJANGO_DEBUG=1 for development."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set (comma-separated host names). "
            "Set it in production, or set DJANGO_DEBUG=1 for development."
        )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Everything the application writes (SQLite file, uploaded DKB extracts, evidence files,
# generated reports, backups) lives under VAR_DIR, outside the web root and outside git.
VAR_DIR = Path(os.environ.get("SOPFLOW_VAR_DIR", BASE_DIR / "var"))
PRIVATE_STORAGE_DIR = Path(os.environ.get("SOPFLOW_PRIVATE_DIR", VAR_DIR / "private"))
BACKUP_DIR = Path(os.environ.get("SOPFLOW_BACKUP_DIR", VAR_DIR / "backups"))

# Signing: local PKCS#12 files live here; the BSrE esign server is used for officers set to it.
SIGNING_DIR = Path(os.environ.get("SOPFLOW_SIGNING_DIR", VAR_DIR / "signing"))
SOPFLOW_BSRE_URL = os.environ.get("SOPFLOW_BSRE_URL", "")
SOPFLOW_BSRE_USERNAME = os.environ.get("SOPFLOW_BSRE_USERNAME", "")
SOPFLOW_BSRE_PASSWORD = os.environ.get("SOPFLOW_BSRE_PASSWORD", "")
SOPFLOW_LOGO_PATH = os.environ.get("SOPFLOW_LOGO_PATH", "")

# Background jobs (`manage.py run_jobs`): each job runs in a child process of the worker under a
# wall-clock limit; a job whose worker died is taken up again once its lease (kept alive by the
# worker's heartbeat) has run out, at most SOPFLOW_JOB_MAX_ATTEMPTS times.
SOPFLOW_JOB_TIME_LIMIT_SECONDS = float(os.environ.get("SOPFLOW_JOB_TIME_LIMIT_SECONDS", "1800"))
SOPFLOW_JOB_LEASE_SECONDS = float(os.environ.get("SOPFLOW_JOB_LEASE_SECONDS", "60"))
SOPFLOW_JOB_MAX_ATTEMPTS = int(os.environ.get("SOPFLOW_JOB_MAX_ATTEMPTS", "3"))
SOPFLOW_JOB_ISOLATION = env_bool("SOPFLOW_JOB_ISOLATION", True)
# Files nobody recorded (a crash between writing and recording) are removed after this long.
SOPFLOW_STRAY_FILE_AGE_HOURS = float(os.environ.get("SOPFLOW_STRAY_FILE_AGE_HOURS", "24"))

# Largest accepted DKB/DWH upload, in megabytes (a 2.1-million-row CSV is about 400 MB).
DKB_UPLOAD_MAX_MB = int(os.environ.get("SOPFLOW_DKB_UPLOAD_MAX_MB", "2048"))
# Largest accepted evidence file (data dukung), in megabytes.
EVIDENCE_UPLOAD_MAX_MB = int(os.environ.get("SOPFLOW_EVIDENCE_UPLOAD_MAX_MB", "20"))
# Uploads larger than this stream to a temporary file on disk instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = os.environ.get("SOPFLOW_UPLOAD_TEMP_DIR") or None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "viewflow",
    "viewflow.workflow",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflows.middleware.OrganisationScopeMiddleware",
    "workflows.middleware.TaskConflictMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "workflows.permissions.RoleBackend",
]

ROOT_URLCONF = "sopflow.urls"
WSGI_APPLICATION = "sopflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'sopflow.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded database serves three processes (web server, jobs worker, timers loop) for
    # one office with a handful of concurrent officers; more than that belongs on PostgreSQL.
    # - WAL: readers never wait for the writer, and the writer never waits for readers;
    # - IMMEDIATE: a write transaction takes the write lock when it begins, so a transaction
    #   that read first never fails when it later needs to write ("database is locked");
    # - a busy timeout: a writer waits its turn behind another short write instead of failing.
    # Long work (rendering, signing, hashing, archiving, DuckDB) never runs inside a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": int(os.environ.get("SOPFLOW_SQLITE_TIMEOUT", "30")),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Bahasa Indonesia for everyone: no LocaleMiddleware, so a browser set to English does not get
# a half-translated page (the English catalogue is not complete yet).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("Bahasa Inggris"))]
# viewflow ships no Indonesian catalogue: ours lives here and takes precedence over the apps.
LOCALE_PATHS = [BASE_DIR / "sopflow" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))

# Absolute links in e-mails (escalations), e.g. https://sopflow.dukcapil.example.go.id
SOPFLOW_BASE_URL = os.environ.get("SOPFLOW_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "")

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "sopflow@localhost")

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
