"""SOPFlow settings: one file, every deploy-time value from the environment.

Values come from the process environment, then from `.env` in the project folder (written by
`make run` with a generated secret for this machine; the environment always wins). Two modes:

- SOPFLOW_ENV=production (the default): HTTPS behind a reverse proxy, secure cookies, HSTS, no
  mail written to a log; start-up fails without DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
  SOPFLOW_BASE_URL.
- SOPFLOW_ENV=local (what `make run` writes): one machine, plain http on 127.0.0.1, DEBUG off.

DJANGO_DEBUG=1 (`make dev`) is for developers only: Django's debug pages show data.
"""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

# Everything SOPFlow writes is for its own user only (0600 files, 0700 directories): the SQLite
# file and its WAL, uploads, signed documents, backups, signing keys, temporary files.
os.umask(0o077)

# SOPFLOW_ENV_FILE= (empty) reads no file at all (the test suite, for instance).
ENV_FILE = os.environ.get("SOPFLOW_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE, override=False)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SOPFLOW_ENV = os.environ.get("SOPFLOW_ENV", "production").strip().lower()
if SOPFLOW_ENV not in {"production", "local"}:
    raise ImproperlyConfigured(f"SOPFLOW_ENV must be 'production' or 'local', not {SOPFLOW_ENV!r}.")
PRODUCTION = SOPFLOW_ENV == "production" and not DEBUG

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "development-only-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. On this machine run `make run` (it writes .env with a generated "
            "secret); in production set it in the service's environment (deploy/sopflow.env.example)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set (comma-separated host names). On this machine run `make run`; "
            "in production set it in the service's environment (deploy/sopflow.env.example)."
        )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Everything the application writes (SQLite file, uploaded DKB extracts, evidence files,
# generated reports, backups) lives under VAR_DIR, outside the web root and outside git.
VAR_DIR = Path(os.environ.get("SOPFLOW_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
PRIVATE_STORAGE_DIR = Path(os.environ.get("SOPFLOW_PRIVATE_DIR", VAR_DIR / "private"))
BACKUP_DIR = Path(os.environ.get("SOPFLOW_BACKUP_DIR", VAR_DIR / "backups"))
# The 7-Zip program that writes and tests the backup archives (multithreaded LZMA2). Empty: py7zr
# in-process (single-threaded, about twice the wall time on two cores).
SEVEN_ZIP = os.environ.get("SOPFLOW_7Z", shutil.which("7z") or "")

# Signing: local PKCS#12 files live here; the BSrE esign server is used for officers set to it.
SIGNING_DIR = Path(os.environ.get("SOPFLOW_SIGNING_DIR", VAR_DIR / "signing"))
SOPFLOW_BSRE_URL = os.environ.get("SOPFLOW_BSRE_URL", "")
SOPFLOW_BSRE_USERNAME = os.environ.get("SOPFLOW_BSRE_USERNAME", "")
SOPFLOW_BSRE_PASSWORD = os.environ.get("SOPFLOW_BSRE_PASSWORD", "")
# RFC 3161 timestamp authority for every signature (PAdES B-LT). Empty: no timestamp, the signing
# time is the server's clock only (the verification page says so; `check --deploy` warns).
SOPFLOW_TSA_URL = os.environ.get("SOPFLOW_TSA_URL", "").strip()
# Django's own list of system checks not to report, e.g. "sopflow.W001" on a machine that
# has no timestamp authority yet (the .env `make run` writes; .ci/production-recipe).
SILENCED_SYSTEM_CHECKS = env_list("DJANGO_SILENCED_SYSTEM_CHECKS")
# Extra root certificates (PEM/DER paths, comma separated) where the validation data embedded at
# signing may lead, for chains whose root neither the certificate file nor the TSA sends along.
SOPFLOW_TRUST_ROOTS = env_list("SOPFLOW_TRUST_ROOTS")
SOPFLOW_LOGO_PATH = os.environ.get("SOPFLOW_LOGO_PATH", "")
# Font of the visible signature block, embedded (subset) in every signed PDF so it stays PDF/A:
# a TrueType/OpenType file on this machine (Debian's fonts-dejavu-core by default).
SOPFLOW_STAMP_FONT = os.environ.get("SOPFLOW_STAMP_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").strip()
# Paper of the SOP document (landscape): "A4" or "F4" (Folio, 330 x 215 mm).
SOPFLOW_SOP_PAPER = os.environ.get("SOPFLOW_SOP_PAPER", "A4").strip().upper()

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
# Per file attached at a step of an organisation's own SOP (isian, penandatanganan).
AUTHORED_UPLOAD_MAX_MB = int(os.environ.get("SOPFLOW_AUTHORED_UPLOAD_MAX_MB", "20"))
# Uploads larger than this stream to a temporary file on disk instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Uploads stream into nameless files (gone with the process) in this private directory (0700);
# each view's limit (its max_upload_bytes) is enforced while the body is read, see
# workflows/uploads.py. URLs without a limit of their own accept UPLOAD_DEFAULT_MAX_MB.
FILE_UPLOAD_TEMP_DIR = os.environ.get("SOPFLOW_UPLOAD_TEMP_DIR") or str(VAR_DIR / "tmp" / "uploads")
# Django's system check (files.E001) wants it to exist before any upload: a fresh clone too.
Path(FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
FILE_UPLOAD_HANDLERS = ["workflows.uploads.LimitedUploadHandler"]
UPLOAD_DEFAULT_MAX_MB = int(os.environ.get("SOPFLOW_UPLOAD_DEFAULT_MAX_MB", "5"))
# Largest SOP workbook (XLSX, sop-organisasi/impor/ and import_sop), in megabytes; a SOP table of
# 200 steps is well under 1 MB.
SOPFLOW_SOP_WORKBOOK_MAX_MB = int(os.environ.get("SOPFLOW_SOP_WORKBOOK_MAX_MB", "5"))
# How large a gzip extract may become once inflated (50 million rows of up to 400 bytes): the
# engine stops reading there, and at once for a gzip bomb (workflows/dkb/structure.py).
DKB_MAX_INFLATED_MB = int(os.environ.get("SOPFLOW_DKB_MAX_INFLATED_MB", "20480"))
# Stored files are personal data: readable by SOPFlow's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# The public verification page compares an uploaded copy of a signed report (a real one is a
# few megabytes); larger bodies are refused before they are read.
VERIFY_UPLOAD_MAX_MB = int(os.environ.get("SOPFLOW_VERIFY_UPLOAD_MAX_MB", "15"))
# Open aggregate data (berkas/data-terbuka/): counts below this are published empty (small-cell
# suppression), and the licence the datasets carry.
SOPFLOW_OPEN_DATA_MIN_COUNT = int(os.environ.get("SOPFLOW_OPEN_DATA_MIN_COUNT", "5"))
SOPFLOW_OPEN_DATA_LICENCE = os.environ.get("SOPFLOW_OPEN_DATA_LICENCE", "CC BY 4.0")
SOPFLOW_OPEN_DATA_LICENCE_URL = os.environ.get(
    "SOPFLOW_OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/deed.id")
# Comparisons per client address and hour on that page (anonymous visitors).
VERIFY_UPLOADS_PER_HOUR = int(os.environ.get("SOPFLOW_VERIFY_UPLOADS_PER_HOUR", "20"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "viewflow",
    "viewflow.workflow",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The officer's language from the user menu; Bahasa Indonesia otherwise (workflows/language.py).
    "workflows.language.OfficerLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflows.middleware.OrganisationScopeMiddleware",
    "workflows.middleware.TaskConflictMiddleware",
    # Last, so that it sees the login view's result (see AXES_* below).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user or address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "workflows.permissions.RoleBackend",
]

ROOT_URLCONF = "sopflow.urls"
WSGI_APPLICATION = "sopflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project templates, then each SOP package's own (workflows/sops/<name>/templates/), then the
        # pages of the SOPs organisations write themselves (workflows/authored/templates/).
        "DIRS": [
            BASE_DIR / "templates",
            *sorted((BASE_DIR / "workflows" / "sops").glob("*/templates")),
            BASE_DIR / "workflows" / "authored" / "templates",
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                # LANGUAGE_CODE for viewflow's <html lang="...">, the language the page is in.
                "django.template.context_processors.i18n",
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

# Bahasa Indonesia for everyone who does not choose English in the user menu: no LocaleMiddleware,
# so a browser's Accept-Language never switches the pages (workflows/language.py). SOPFlow's msgids
# are Indonesian; sopflow/locale/en translates them (`make messages-check` lists the gaps).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("Bahasa Inggris"))]
# viewflow ships no Indonesian catalogue: ours lives here and takes precedence over the apps.
LOCALE_PATHS = [BASE_DIR / "sopflow" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves the static files from the web process itself, DEBUG or not. In production
# from `collectstatic` output in STATIC_ROOT (hashed, compressed names, cached for a year); on a
# local machine straight from the apps' folders, so `make run` needs no collectstatic.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles")) if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "workflows.storage.StaticFilesStorage"  # whitenoise's CompressedManifestStaticFilesStorage
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
        # Static files are public: world-readable, whatever FILE_UPLOAD_PERMISSIONS says.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Source maps are for developers' tools only: not worth compressing either.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# The public address of SOPFlow, e.g. https://sopflow.dukcapil.example.go.id: every absolute
# link (the QR code on a signed document, e-mails) uses it, never the host a request named.
# Required in production; a local machine defaults to the `make run` address.
SOPFLOW_BASE_URL = os.environ.get("SOPFLOW_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").strip().rstrip("/")
if PRODUCTION and not SOPFLOW_BASE_URL:
    raise ImproperlyConfigured(
        "SOPFLOW_BASE_URL is not set (the public https:// address, printed in the QR code of every signed "
        "document). Set it in the service's environment (deploy/sopflow.env.example)."
    )
if SOPFLOW_BASE_URL and not SOPFLOW_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SOPFLOW_BASE_URL must start with https:// (or http://), not {SOPFLOW_BASE_URL!r}.")

# Mail (escalations; password reset). With DJANGO_EMAIL_HOST SOPFlow sends through that SMTP
# server. Without it, a local machine prints mail to the console, and production sends none
# (escalations still reach officers in the app). Mail that does not reach a mailbox must never
# carry a password-reset link: anyone who reads the log would take the account over. So the
# reset pages exist only when real mail is configured.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = 30
LOG_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
NO_MAIL_BACKENDS = LOG_MAIL_BACKENDS | {
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
if EMAIL_HOST:
    _default_mail = "django.core.mail.backends.smtp.EmailBackend"
elif PRODUCTION:
    _default_mail = "django.core.mail.backends.dummy.EmailBackend"
else:
    _default_mail = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND") or _default_mail
if PRODUCTION and EMAIL_BACKEND in LOG_MAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"DJANGO_EMAIL_BACKEND={EMAIL_BACKEND} writes mail (and password-reset links) where others can read "
        "them. In production set DJANGO_EMAIL_HOST (SMTP), or leave DJANGO_EMAIL_BACKEND unset."
    )
SOPFLOW_PASSWORD_RESET = EMAIL_BACKEND not in NO_MAIL_BACKENDS
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "sopflow@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS. In production SOPFlow sits behind a reverse proxy that ends TLS and says so in
# X-Forwarded-Proto (deploy/nginx/sopflow.conf); gunicorn listens on 127.0.0.1 only, so no one
# else can send that header. SOPFLOW_BEHIND_PROXY=0 if gunicorn itself is reached directly.
SOPFLOW_BEHIND_PROXY = env_bool("SOPFLOW_BEHIND_PROXY", PRODUCTION)
if SOPFLOW_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    # SOPFlow runs on a host name of its own (sopflow.<agency>.go.id): no subdomains to break.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
# A bad CSRF token gets SOPFlow's own Indonesian 403 page, never Django's English one.
CSRF_FAILURE_VIEW = "workflows.views.errors.csrf_failure"

# Cache: rate limits (public verification page). Production may run several web workers, so the
# cache is a folder they share; one local process keeps it in memory.
if PRODUCTION:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(Path(os.environ.get("SOPFLOW_CACHE_DIR", VAR_DIR / "cache"))),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name,
# or from one address, logins are refused for the cool-off time, the right password included.
# An administrator unlocks earlier: `manage.py axes_reset_username NAME` or the admin's
# "Access attempts" list (delete the row). Failures are kept in the database, shared by workers.
AXES_FAILURE_LIMIT = int(os.environ.get("SOPFLOW_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("SOPFLOW_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "workflows.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "workflows.views.errors.login_locked_out"
# A successful login does not wipe the failures: one valid account must not reset an address
# that is guessing other officers' passwords. Failures older than the cool-off no longer count.
AXES_RESET_ON_SUCCESS = False
# axes' log lines mask user name and address (its default): a user name can be a person's name.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # axes: lockouts (WARNING, user name and address masked) only, not every login.
    # pyHanko logs each certificate path it cannot build, with the certificate's subject (a
    # signer's name) and a traceback; SOPFlow reads the same result from the validation status and
    # reports it itself (workflows/signing.py), so pyHanko's own lines stay out of the log.
    "loggers": {
        "django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"},
        "pyhanko": {"level": "CRITICAL"}, "pyhanko_certvalidator": {"level": "CRITICAL"},
    },
}


# REST API (/api/v1/, workflows/api): officers' API tokens (admin: Token API) or the session for
# the browsable pages; requests per token counted in the cache; errors as JSON in Indonesian.
SOPFLOW_API_TOKEN_DAYS = int(os.environ.get("SOPFLOW_API_TOKEN_DAYS", "90"))
SOPFLOW_API_RATE = os.environ.get("SOPFLOW_API_RATE", "120/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workflows.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["workflows.api.auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": SOPFLOW_API_RATE},
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "workflows.api.errors.handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SOPFlow API",
    "DESCRIPTION": "SOP, proses, tugas, jejak audit dan kinerja waktu SOPFlow (versi 1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the drf-spectacular-sidecar package's static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
