"""riskreg settings. Everything that differs between machines comes from the environment.

DATABASE_URL      sqlite:///path or postgres://user@host:port/name (default: SQLite under RISKREG_DATA_DIR)
REDIS_URL         redis://host:port/db, the Celery broker and the cache (default: none; a SQLite broker
                  file under RISKREG_DATA_DIR and an in-process cache)
SECRET_KEY        required unless DEBUG is on
DEBUG             1/0, default 0
ALLOWED_HOSTS     comma-separated, default localhost,127.0.0.1 (plus testserver)
RISKREG_DATA_DIR  where files live (memos, snapshots, uploads, the SQLite database), default ./var
RISKREG_SITE_URL  the register's address as its users reach it, for links in emails
                  (default http://localhost:8000, the address of `make run`)
"""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from riskreg.env import env_bool, env_int, env_list, env_mapping, env_rate, env_str, secret_key_weakness

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "insecure-dev-only-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=... or DEBUG=1).")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG:
    _weakness = secret_key_weakness(SECRET_KEY, known=[_DEV_SECRET_KEY])
    if _weakness:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production: {_weakness}. Use at least 50 random characters, e.g. "
            "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=1 "
            "on a development machine."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

RISKREG_DATA_DIR = Path(env_str("RISKREG_DATA_DIR", str(BASE_DIR / "var"))).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "axes",
    "riskreg.core",
    "models_catalog",
    "riskreg.screening",
    "riskreg.watch",
    "riskreg.evidence",
    "riskreg.register",
    "reports",
    "riskreg.workspace",
    "riskreg.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET (detail endpoints included) and 304 Not Modified for a matching If-None-Match.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control: private on the API and on every page of a signed-in user (below ConditionalGet: the 304 too).
    "riskreg.core.middleware.PrivateCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into riskreg's 429 page
]

ROOT_URLCONF = "riskreg.urls"
WSGI_APPLICATION = "riskreg.wsgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
_default_db_url = f"sqlite:///{RISKREG_DATA_DIR / 'riskreg.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL") or _default_db_url
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0))
except Exception as exc:  # dj-database-url raises several types for bad URLs
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} cannot be used: {exc}") from None
if _db["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured(
        f"DATABASE_URL={DATABASE_URL!r}: riskreg supports sqlite:/// and postgres:// only, not {_db['ENGINE']}."
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # The file's folder must exist before Django opens it (a fresh clone has no var/ yet).
    try:
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL={DATABASE_URL!r}: cannot create the folder for the file: {exc}"
        ) from None
    # Web, worker and beat share one file: wait for locks and use WAL so readers do not block.
    _db["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL") or None
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis:// or rediss://.")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded broker of `make run`: kombu's SQLAlchemy transport on a SQLite file. Unlike its filesystem
    # transport (which lost the task of a killed pool process), the task of a killed pool process is put back
    # and delivered again; a message lost with a whole worker (main process killed) is re-sent by the
    # stuck-work sweep (see README, "Queues, time limits and crash recovery").
    CELERY_BROKER_URL = f"sqla+sqlite:///{RISKREG_DATA_DIR / 'celery-broker.sqlite3'}"
    # Polled once a second when idle (kombu's default; its SQLAlchemy transport hands every transport option to
    # SQLAlchemy's create_engine, so polling_interval cannot be set here).
    CELERY_BROKER_TRANSPORT_OPTIONS = {}

# Two queues, so memos and imports never wait behind what talks to the outside or fans out: the default one
# ("riskreg") for memos, list imports and the beat's jobs, and "riskreg-watch" for watch source checks, evidence
# captures and re-checks, webhook deliveries and material changes (run a worker for each: `celery -A riskreg worker
# -Q riskreg` and `celery -A riskreg worker -Q riskreg-watch --pool threads`). A worker started without -Q
# consumes both.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "riskreg")
RISKREG_WATCH_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-watch"
CELERY_TASK_QUEUES = (Queue(CELERY_TASK_DEFAULT_QUEUE), Queue(RISKREG_WATCH_QUEUE))
CELERY_TASK_ROUTES = {
    name: {"queue": RISKREG_WATCH_QUEUE}
    for name in (
        "riskreg.watch.tasks.watch_source_check_task",
        "riskreg.evidence.tasks.evidence_source_capture_task",
        "riskreg.evidence.tasks.evidence_source_check_task",
        "riskreg.notifications.tasks.webhook_delivery_send_task",
        "riskreg.core.tasks.material_change_apply_task",
    )
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # tasks record their outcome in the register's own tables
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for the next one
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# When a pool process dies, wait this long (Celery's default: 10 s) for a result it may have sent before
# declaring it lost and handing its task back to the queue; tasks record their outcome in our tables, and a
# redelivered one finds its work done or takes it over.
CELERY_WORKER_LOST_WAIT = 2.0
# Celery's Django fixup closes the database connections before and after every task unless this is set,
# whatever CONN_MAX_AGE says, and a new PostgreSQL connection costs more CPU than a watch check. Set, it
# only recycles them every thousand tasks; riskreg/celery.py closes old (DB_CONN_MAX_AGE) and broken ones
# around each task, as Django does around each request.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
RISKREG_SWEEP_SECONDS = env_int("RISKREG_SWEEP_SECONDS", 300, minimum=30)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat entries are synced into django-celery-beat's tables on start and can be edited in the admin.
# Each entry expires before its next run, so a backlog never piles up behind a stopped worker.
# One entry per job, one job per task (tests/core/test_beat.py): a job gets its own schedule and its own failure.
CELERY_BEAT_SCHEDULE = {
    "core-heartbeat": {
        "task": "riskreg.core.tasks.worker_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Re-sends work stuck past its time limit (a lost message, a worker killed mid-task).
    "core-stuck-work-sweep": {
        "task": "riskreg.core.tasks.stuck_work_sweep",
        "schedule": float(RISKREG_SWEEP_SECONDS),
        "options": {"expires": RISKREG_SWEEP_SECONDS - 10},
    },
    "watch-dispatch-due": {
        "task": "riskreg.watch.tasks.watch_dispatch_due",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Retention is counted in days (RISKREG_WATCH_RETENTION_DAYS): once an hour is plenty.
    "watch-prune-snapshots": {
        "task": "riskreg.watch.tasks.watch_snapshots_prune_due",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "evidence-check-due": {
        "task": "riskreg.evidence.tasks.evidence_dispatch_due",
        "schedule": 600.0,
        "options": {"expires": 500},
    },
    "register-expire-approvals": {
        "task": "riskreg.register.tasks.adoption_requests_expire",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Notices a broker outage left unsent (the request event has no notified_at after 10 minutes).
    "register-send-pending-notices": {
        "task": "riskreg.register.tasks.request_notices_send_pending",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}

# --- Auth, API --------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Login lockout and API throttling ---------------------------------------------------------------
# django-axes counts failed sign-ins (admin login form and API basic auth) per account at one address (the limit
# RISKREG_LOGIN_FAILURE_LIMIT), and, with higher limits of their own, per address whatever the accounts (an office
# behind one proxy shares it) and per account whatever the addresses (a guess spread over many): one person's
# typos lock out only their own account at their own address (issue 23). At a limit every sign-in it covers is
# refused, the right password included, for the cool-off time, with a 429 and Retry-After. Locked out before the
# password is hashed, so guessing costs the server nothing. `manage.py axes_reset` lifts every lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "riskreg.core.backends.OneQueryModelBackend",  # Django's, with one query for the permissions
    "riskreg.core.sso.OIDCBackend",  # single sign-on, when RISKREG_OIDC_ISSUER is set (riskreg/core/sso.py)
]

# --- Single sign-on (OpenID Connect; riskreg/core/sso.py, README "Single sign-on") ------------------------------
# The provider by its issuer (discovery gives the endpoints and keys); this register as a confidential client.
RISKREG_OIDC_ISSUER = env_str("RISKREG_OIDC_ISSUER", "") or ""
RISKREG_OIDC_CLIENT_ID = env_str("RISKREG_OIDC_CLIENT_ID", "") or ""
RISKREG_OIDC_CLIENT_SECRET = env_str("RISKREG_OIDC_CLIENT_SECRET", "") or ""
RISKREG_OIDC_NAME = env_str("RISKREG_OIDC_NAME", "your organisation's sign-in") or ""  # "Sign in with <name>"
RISKREG_OIDC_GROUPS_CLAIM = env_str("RISKREG_OIDC_GROUPS_CLAIM", "groups") or "groups"
# Provider group -> register roles, e.g. "ai-legal=legal;ai-security=security;procurement=procurement,requester".
RISKREG_OIDC_ROLES = env_mapping("RISKREG_OIDC_ROLES")
RISKREG_OIDC_TIMEOUT = env_int("RISKREG_OIDC_TIMEOUT", 10, minimum=1)  # seconds, each call to the provider
# Off: the login page offers the provider only and no local password signs in (API tokens still work).
RISKREG_LOCAL_PASSWORDS = env_bool("RISKREG_LOCAL_PASSWORDS", True)
AXES_FAILURE_LIMIT = env_int("RISKREG_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("RISKREG_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
RISKREG_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("RISKREG_LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
RISKREG_LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("RISKREG_LOGIN_ACCOUNT_FAILURE_LIMIT", 100, minimum=1)
# In this order: an account at an address, an address, an account (riskreg.core.throttling.LockoutHandler).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_HANDLER = "riskreg.core.throttling.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lockout ends when its Retry-After says
AXES_LOCKOUT_CALLABLE = "riskreg.core.throttling.lockout_response"
AXES_VERBOSE = False  # no banner on every command; failures and lockouts are still logged as warnings
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "new_password1", "new_password2"]
if env_bool("BEHIND_TLS_PROXY", False):
    AXES_CLIENT_IP_CALLABLE = "riskreg.core.throttling.client_address"
# API tokens (Authorization: Token ...) expire this many days after they were created.
RISKREG_API_TOKEN_DAYS = env_int("RISKREG_API_TOKEN_DAYS", 30, minimum=1)
# API calls per client: anonymous by address, signed in (token, session, basic) by user. "N/second|minute|hour|day".
API_THROTTLE_RATES = {
    "anon": env_rate("RISKREG_API_RATE_ANON", "60/minute"),
    "user": env_rate("RISKREG_API_RATE_USER", "120/minute"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so an anonymous request gets 401 with a WWW-Authenticate header.
        "riskreg.core.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "riskreg.core.authentication.BasicAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "riskreg.core.throttling.AnonRateThrottle",
        "riskreg.core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    # Behind one TLS proxy, the client's address is the last one the proxy added to X-Forwarded-For.
    "NUM_PROXIES": 1 if env_bool("BEHIND_TLS_PROXY", False) else None,
    "DEFAULT_PERMISSION_CLASSES": ["riskreg.core.permissions.ModelPermissions"],
    # ?format=csv / ?format=xlsx on a list: the whole filtered table for auditors (riskreg/core/exports.py).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "riskreg.core.renderers.CSVRenderer",
        "riskreg.core.renderers.XLSXRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "riskreg.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API error is an object with a readable `detail`; the database down is a JSON 503 (core/exceptions.py).
    "EXCEPTION_HANDLER": "riskreg.core.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "riskreg API",
    "DESCRIPTION": "Compliance and provenance risk register for adopting AI models.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # two models have an "origin" choice set (risk items, evidence captures): name each
    "ENUM_NAME_OVERRIDES": {
        "CaptureOriginEnum": "riskreg.evidence.models.Capture.Origin",
        "RiskItemOriginEnum": "riskreg.register.models.RiskItem.Origin",
    },
}

# --- I18N, static, files -------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["riskreg.core.formats"]  # one date format everywhere: 16 Jan 2025, 08:28 UTC
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = RISKREG_DATA_DIR / "files"
MEDIA_URL = "/files/"  # never served directly; downloads go through permission-checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# --- Email (alerts and sign-off notices) --------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "riskreg@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)

# --- Security headers (production) --------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp) on every page: scripts and everything else only from this site,
# no inline scripts (the Swagger page loads its start-up script as a file), images also as data: URLs
# (the admin's icons), never framed, no external origin. style-src keeps 'unsafe-inline' because Django's
# admin templates and riskreg's risk-level badges use style attributes (and the Swagger page a <style>
# block); styles cannot run code, and the admin's CSS is not ours to rewrite.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# History is a record, not an undo button: the admin shows past states but cannot revert to them.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- riskreg's own settings ---------------------------------------------------------------------
# Links in emails are absolute: a mail client has no page to resolve "/admin/..." against.
RISKREG_SITE_URL = env_str("RISKREG_SITE_URL", "http://localhost:8000").rstrip("/")
# Outbound HTTP (watch sources): private, loopback and link-local addresses are refused unless this is on.
RISKREG_WATCH_ALLOW_PRIVATE = env_bool("RISKREG_WATCH_ALLOW_PRIVATE", False)
RISKREG_WATCH_ALLOWED_ADDRESSES = env_list("RISKREG_WATCH_ALLOWED_ADDRESSES", [])  # e.g. an intranet mirror
RISKREG_WATCH_TIMEOUT = env_int("RISKREG_WATCH_TIMEOUT", 30, minimum=1)  # seconds, whole fetch
RISKREG_WATCH_MAX_BYTES = env_int("RISKREG_WATCH_MAX_BYTES", 40 * 1024 * 1024, minimum=1024)
RISKREG_WATCH_MAX_REDIRECTS = env_int("RISKREG_WATCH_MAX_REDIRECTS", 5, minimum=0)
RISKREG_WATCH_CLAIM_SECONDS = env_int("RISKREG_WATCH_CLAIM_SECONDS", 600, minimum=RISKREG_WATCH_TIMEOUT + 90)
# A check the minute's dispatch sent and no worker took within this many seconds is dropped: the next dispatch
# sends the source again, so a backlog never holds stale checks.
RISKREG_WATCH_TASK_EXPIRES = env_int("RISKREG_WATCH_TASK_EXPIRES", 50, minimum=1)
# Time limits of background work, in seconds. At the soft limit the task is interrupted and records a
# failure it can explain; TASK_KILL_GRACE seconds later (the hard limit) its process is killed. Work left
# "rendering" or "importing" past its hard limit is free to be claimed again, and the sweep re-sends it.
# Celery enforces them in prefork workers; in the threads pool of the watch queue the fetch deadline and the
# watch claim bound a check instead.
RISKREG_TASK_KILL_GRACE = 30
RISKREG_TASK_TIME_LIMIT = env_int("RISKREG_TASK_TIME_LIMIT", 120, minimum=10)  # notices, screening, heartbeat
RISKREG_MEMO_TIME_LIMIT = env_int("RISKREG_MEMO_TIME_LIMIT", 300, minimum=10)
RISKREG_IMPORT_TIME_LIMIT = env_int("RISKREG_IMPORT_TIME_LIMIT", 1800, minimum=30)
# A check's hard limit ends before its claim does, so a killed check's source is never checked twice at once.
RISKREG_WATCH_CHECK_TIME_LIMIT = RISKREG_WATCH_CLAIM_SECONDS - 2 * RISKREG_TASK_KILL_GRACE
RISKREG_TASK_LIMITS = {
    kind: {"soft_time_limit": soft, "time_limit": soft + RISKREG_TASK_KILL_GRACE}
    for kind, soft in {
        "default": RISKREG_TASK_TIME_LIMIT,
        "memo": RISKREG_MEMO_TIME_LIMIT,
        "import": RISKREG_IMPORT_TIME_LIMIT,
        "watch": RISKREG_WATCH_CHECK_TIME_LIMIT,
    }.items()
}
# Every task declares one of these; these are the fallbacks for a task that would not.
CELERY_TASK_SOFT_TIME_LIMIT = RISKREG_TASK_LIMITS["default"]["soft_time_limit"]
CELERY_TASK_TIME_LIMIT = RISKREG_TASK_LIMITS["default"]["time_limit"]
# The largest list file (and OFAC alt.csv/add.csv) an import accepts, from the admin, the API or the command line.
# Imports are streamed (memory does not grow with the file), so the cap is about disk and time, not memory.
RISKREG_IMPORT_MAX_BYTES = env_int("RISKREG_IMPORT_MAX_BYTES", 512 * 1024 * 1024, minimum=1024)
# Evidence captures: cited sources are re-checked this often; `evidence capture --all` fetches this many at once.
RISKREG_EVIDENCE_RECHECK_HOURS = env_int("RISKREG_EVIDENCE_RECHECK_HOURS", 24, minimum=1)
RISKREG_EVIDENCE_WORKERS = env_int("RISKREG_EVIDENCE_WORKERS", 8, minimum=1)
RISKREG_WATCH_RETENTION_DAYS = env_int("RISKREG_WATCH_RETENTION_DAYS", 365, minimum=1)
RISKREG_APPROVAL_VALIDITY_DAYS = env_int("RISKREG_APPROVAL_VALIDITY_DAYS", 365, minimum=1)
# Sign-offs required per data classification, e.g. "public=legal;restricted=legal,security,procurement".
# Classifications not named keep the default (legal, security, procurement). Checked by a system check.
RISKREG_REQUIRED_SIGN_OFFS = env_mapping("RISKREG_REQUIRED_SIGN_OFFS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_refusal": {"()": "riskreg.core.log_filters.ExpectedRefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["expected_refusal"]},  # a 403 is one INFO line, not a traceback
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
