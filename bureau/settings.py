"""Settings for the county enforcement bureau system.

One module, configured from environment variables (see README "Configuration").
With no environment at all it runs the embedded default: DEBUG on, a SQLite
file, tasks in process.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bureau.env import env_bool, env_int, env_list, env_str, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The test suite speeds some things up (fast password hashing); it never
# relaxes what production refuses except where noted.
TESTING = env_bool("BUREAU_TESTING", False) or "pytest" in sys.modules

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
# Management commands that only read code and write files or schema: they
# sign nothing, so they may run in a bare checkout (before-stop hook, image
# build) with a throwaway key. Every serving process (wsgi, runserver,
# Celery) and every other command still refuses to start without SECRET_KEY.
_OFFLINE_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "makemessages", "compilemessages",
                     "collectstatic"}
_OFFLINE = Path(sys.argv[0]).name == "manage.py" and len(sys.argv) > 1 and sys.argv[1] in _OFFLINE_COMMANDS
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = _DEV_SECRET_KEY
    elif _OFFLINE:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(64)
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start without one; "
            "set SECRET_KEY to a long random value, or DEBUG=1 for development."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "enforcement",
    "devolution",
    "dispatch",
    "supervision",
]
if TESTING:
    # A test-only app with a small state machine (tests/workflow_app).
    INSTALLED_APPS.append("tests.workflow_app")

MIDDLEWARE = [
    # Outermost: a request that lost the database answers 503 in the site's language, not 500.
    "enforcement.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "enforcement.middleware.DefaultChineseLocaleMiddleware",
    # Before anything reads a field: NUL bytes and the like answer 400, never 500.
    "enforcement.middleware.InvalidInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "enforcement.middleware.LoginRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its refusal page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bureau.urls"
WSGI_APPLICATION = "bureau.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "enforcement.context_processors.navigation",
            ],
        },
    },
]

# Django's form renderer with <select> elements written in Python (enforcement/forms_renderer.py).
FORM_RENDERER = "enforcement.forms_renderer.FormRenderer"

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bureau.sqlite3'}")
# CONN_HEALTH_CHECKS: a persistent connection is checked before a request reuses it, so after a
# database restart the next request reconnects instead of failing (tests/test_database_restart.py).
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # SQLite cannot enforce NULLS NOT DISTINCT (the once-only constraint of
    # notifications without a subject); on the embedded default get_or_create
    # is the guard, on PostgreSQL the constraint is real.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
# A streaming replica for reporting reads (bureau/dbrouter.py), off by default. Only views wrapped
# in reporting_view read from it; writes and everything else stay on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
                                                 conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the primary through the alias
DATABASE_ROUTERS = ["bureau.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked (django-axes).
    "enforcement.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; the public never gets object grants
GUARDIAN_RAISE_403 = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Paths that need no login (ARCHITECTURE.md "Permissions"); everything else does.
PUBLIC_PATH_PREFIXES = ("/public/", "/open311/", "/accounts/login/", "/healthz", "/static/", "/i18n/")
# bench/bench_intake.py's bare-view ceiling (bureau/bench_views.py): only with BENCH_CEILING in a test
# or bench run (BUREAU_TESTING=1), never in production. Like the API it passes the login redirect.
BENCH_CEILING = env_bool("BENCH_CEILING", False) and TESTING
if BENCH_CEILING:
    PUBLIC_PATH_PREFIXES += ("/bench/",)
# Seconds a login lasts (8 hours: a working day), and whether closing the browser ends it.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
# Failed logins (django-axes): after LOGIN_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked out for LOGIN_LOCKOUT_MINUTES; administrators unlock it in
# admin (访问尝试: delete the row). A successful login resets the count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "enforcement.auth.lockout_response"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if TESTING:
    # WhiteNoise warns ("No directory at ...") on every test client's first request when
    # STATIC_ROOT does not exist, as in a fresh clone where collectstatic never ran; the
    # tests serve static files through the finders, so an empty directory is all it needs.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    WHITENOISE_USE_FINDERS = True
# Uploaded files are served by bureau.files.media_file after a scope check, never as static files.
MEDIA_URL = "/files/"
# Let the web server send a checked file: "" (the application streams it), "x-accel-redirect"
# (nginx: an `internal` location at PROTECTED_MEDIA_INTERNAL_URL aliased to MEDIA_ROOT) or
# "x-sendfile" (Apache mod_xsendfile).
PROTECTED_MEDIA_OFFLOAD = env_str("PROTECTED_MEDIA_OFFLOAD", "")
if PROTECTED_MEDIA_OFFLOAD not in {"", "x-accel-redirect", "x-sendfile"}:
    raise ImproperlyConfigured("PROTECTED_MEDIA_OFFLOAD must be empty, x-accel-redirect or x-sendfile")
PROTECTED_MEDIA_INTERNAL_URL = env_str("PROTECTED_MEDIA_INTERNAL_URL", "/protected-media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Upload limits (attachments, evidence); apps refine them per kind.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
MAX_UPLOAD_SIZE = env_int("MAX_UPLOAD_SIZE", 20 * 1024 * 1024)

# --- Security (production) ------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not TESTING)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not TESTING)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not TESTING)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if TESTING else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only;
# no inline scripts, style elements or style attributes (static/js, static/css instead). Only
# the API's documentation pages (bureau/urls.py) add 'unsafe-inline' for their own bundles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- E-mail ---------------------------------------------------------------
DEFAULT_FROM_EMAIL = "noreply@bureau.local"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
globals().update(parse_email_url(env_str("EMAIL_URL", "console://" if DEBUG else "locmem://")))

# --- Cache ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Seconds a page may wait on Redis (cache and broker) before carrying on without it.
REDIS_TIMEOUT = float(env_str("REDIS_TIMEOUT", "1"))
if REDIS_URL:
    # Falls back to a per-process memory cache while Redis does not answer (bureau/cache.py).
    CACHES = {"default": {
        "BACKEND": "bureau.cache.FallbackRedisCache",
        "LOCATION": REDIS_URL,
        "FALLBACK_SECONDS": env_int("REDIS_FALLBACK_SECONDS", 10),
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------
# With REDIS_URL: Redis is broker and result backend. Without it (embedded
# default) tasks queued by the web process run in process, and `make run`
# starts `celery worker -B` with CELERY_TASK_ALWAYS_EAGER=0 on kombu's
# filesystem transport, so that beat's periodic work (deadline sweeps) goes
# through a real queue to the worker with no Redis.
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Every task is idempotent (ARCHITECTURE.md "Background work"), so each is acknowledged
# only when done and given back to the queue when its worker dies mid-task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task runs longer than this (the worker kills it), and Redis gives an unacknowledged
# task to another worker only after CELERY_VISIBILITY_TIMEOUT, which must be longer.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * CELERY_TASK_TIME_LIMIT)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT")
# Nothing reads task results except the worker tests' ping; storing them would make
# every publish subscribe to Redis as well.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps its last-run times here rather than in the current directory.
CELERY_BEAT_SCHEDULE_FILENAME = env_str("CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A publish tries once, briefly (bureau.celery.publish): a request never waits on a broker
    # that is down. The worker's own reconnection (broker_connection_retry) is not affected.
    CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT * 2
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": REDIS_TIMEOUT,
        "max_retries": 0,
    }
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT
    CELERY_RESULT_EXPIRES = 24 * 3600
    # The test suite runs tasks in process even when Redis is configured, so a
    # test behaves the same locally and in CI; tests/test_celery.py sends
    # through the broker with send_task(), which ignores this flag.
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
    CELERY_TASK_EAGER_PROPAGATES = True
else:
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        # Exchange tables (worker control, broadcasts); kombu's default is ./control.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
    CELERY_TASK_EAGER_PROPAGATES = True
# The one schedule of periodic work (ARCHITECTURE.md "Background work").
# Each app adds its entries in bureau/schedule.py.
from bureau.schedule import BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402, F401

# --- REST framework and OpenAPI ------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an unauthenticated API call answers 401 with a
        # WWW-Authenticate challenge; browser sessions work all the same.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "enforcement.api_base.SearchFilter",  # "=field": exact, served by the unique index
        "enforcement.api_base.OrderingFilter",  # id as tie-breaker: stable pages, keyset cursors
    ],
    "DEFAULT_PAGINATION_CLASS": "enforcement.api_base.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "enforcement.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "enforcement.api_base.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public_report": "10/hour", "anon": "120/minute"},
}
SPECTACULAR_SETTINGS = {
    # Chinese by default, English with the language switch (or ?lang=en on the schema).
    "TITLE": _("综合行政执法局业务系统接口"),
    "DESCRIPTION": _(
        "县综合行政执法局业务系统的接口：工单（受理、分流、交办、签收、办结、评价）、案件、执法事项目录、"
        "职权归属、赋权批次、通知和待办事项。认证：会话或 Authorization: Token <密钥>（POST /api/auth/token/）。"
        "所有拒绝返回统一格式 {\"code\", \"message\", \"fields\"}，状态码 400、401、403、404 或 409；"
        "查看范围之外的对象一律返回 404。热线平台与 Open311 客户端的密钥在系统管理中签发。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "enforcement.api_base.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "BatchStatusEnum": "devolution.models.BatchStatus",
        "MatterStatusEnum": "enforcement.models.MatterStatus",
        "AgencyKindEnum": "enforcement.models.AgencyKind",
        "TicketStatusEnum": "dispatch.models.TicketStatus",
        "CaseOutcomeEnum": "enforcement.cases.choices.Outcome",
        "InspectionObjectKindEnum": "enforcement.inspections.choices.ObjectKind",
        "InspectionOutcomeEnum": "enforcement.inspections.choices.Outcome",
        "InspectionRecordStatusEnum": "enforcement.inspections.choices.RecordStatus",
        "WarningKindEnum": "enforcement.warnings.choices.WarningKind",
        "WarningStatusEnum": "enforcement.warnings.choices.WarningStatus",
    },
}

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Domain configuration (defaults; admin-editable tables override) -------
# Deadline warnings turn yellow when this share of the allowed time is used.
WARNING_YELLOW_SHARE = float(env_str("WARNING_YELLOW_SHARE", "0.8"))
# Reference data cached per process (enforcement.localcache: the holiday calendar, intake's
# categories, townships and client channels, the matter index of triage) is dropped in every
# process within this many seconds of a change saved elsewhere (the version is kept in Redis).
LOCAL_CACHE_CHECK_SECONDS = env_int("LOCAL_CACHE_CHECK_SECONDS", 10)
WORKDAY_CACHE_CHECK_SECONDS = env_int("WORKDAY_CACHE_CHECK_SECONDS", LOCAL_CACHE_CHECK_SECONDS)
# Public report form (dispatch.views_public): at most this many reports per client
# address per hour, a minimum time to fill the form (seconds, against bots), and the
# number of reverse proxies in front of the app whose X-Forwarded-For may be trusted.
PUBLIC_REPORT_RATE = env_int("PUBLIC_REPORT_RATE", 5)
PUBLIC_REPORT_MIN_FILL_SECONDS = env_int("PUBLIC_REPORT_MIN_FILL_SECONDS", 3)
PUBLIC_REPORT_TRACK_FAILURES = env_int("PUBLIC_REPORT_TRACK_FAILURES", 20)
PUBLIC_REPORT_PROXY_COUNT = env_int("PUBLIC_REPORT_PROXY_COUNT", 0)
