"""Settings of Mon dossier, read from the environment (see README, "Configuration").

With no variable set this runs the development default: DEBUG on, SQLite in var/, and a Celery
broker on the filesystem (no server needed). Production sets DEBUG=false, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ramq_portal.env import env_bool, env_date, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production-0123456789"

# Previous keys, still accepted for signatures (email validation links) after a key rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "ramq_portal.apps.PortalAdminConfig",  # django.contrib.admin, with the portal's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    "localflavor",
    "django_countries",
    "phonenumber_field",
    "simple_history",
    "axes",
    "csp",
    "calendrier",
    "dossier",
    "comptes",
    "inscription",
    "notifications",
    "guichet",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ramq_portal.hardening.BodySizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ramq_portal.hardening.ContentSecurityPolicyMiddleware",  # django-csp's, its header built once
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ramq_portal.hardening.PrivatePagesMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the session or the user: reads them, and the page kept, in one round trip.
    "ramq_portal.prefetch.PrefetchMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ramq_portal.middleware.SessionTimeoutMiddleware",
    "dossier.middleware.ReturnedMailMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

# Bodies (ramq_portal/hardening.py): the portal takes no file, and its largest form is under 100 KB.
MAX_REQUEST_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
FILE_UPLOAD_HANDLERS = ["ramq_portal.hardening.DiscardUploads"]

ROOT_URLCONF = "ramq_portal.urls"
WSGI_APPLICATION = "ramq_portal.wsgi.application"

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
                "ramq_portal.context_processors.shell",
            ],
            # ramq_portal is not an app of its own (its AppConfig is the admin's): its tags are named here.
            "libraries": {"filecache": "ramq_portal.templatetags.filecache", "form_state": "ramq_portal.templatetags.form_state",
                          "regie": "ramq_portal.templatetags.regie"},
            "builtins": ["ramq_portal.templatetags.writing"],
        },
    },
]
# Widgets render with the templates above, so that templates/ overrides a widget's template as it does
# a page's (templates/admin/widgets/: labels that Django's admin widgets lack).
FORM_RENDERER = "ramq_portal.renderers.FastTemplatesSetting"

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "dossier.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the signed-in user read from the cache instead of the database on each request.
    "ramq_portal.auth_backends.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dossier.validators.LettersAndDigitsValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dossier:home"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): by username (an unknown username locks exactly like a real one, so the
# sign-in page never reveals which usernames exist) and by IP address (password spraying).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dossier.views.locked_out"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "username"]
# The reverse proxies in front (docker-compose.yml's): behind them, the client's address is read from
# X-Forwarded-For, for the lockout and every per-address limit (ramq_portal/client_ip.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "ramq_portal.client_ip.client_ip"

# Sessions: idle timeout 30 minutes, absolute 12 hours (SessionTimeoutMiddleware, on the portal clock).
# Activity is recorded at most once a minute (SESSION_ACTIVITY_SECONDS): the session, and with it the
# cookie's age and the cache entry's lifetime, is written then, not on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ACTIVITY_SECONDS = 60
# HLP-2: the page warns this long before the idle timeout, with a way to stay signed in (static/js/session.js).
SESSION_WARNING_SECONDS = 120
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "mondossier_langue"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
PHONENUMBER_DEFAULT_REGION = "CA"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# --- Static files (whitenoise; nothing from a CDN) ----------------------------------------------
STATIC_URL = "/static/"
# Where collectstatic writes (the image's build step); a drill sets its own (scripts/slow-clients-drill.sh).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development whitenoise serves straight from the apps' static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The liveness probe answers over plain HTTP inside the deployment (container healthchecks).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "ramq_portal.views.csrf_failure"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content security policy: only our own origin, never inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Encryption at rest of bank account numbers and SINs (ramq_portal/crypto.py): Fernet keys, newest
# first; older keys still decrypt until `manage.py rotate_encryption_keys` has re-encrypted every row.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is required when DEBUG is off (Fernet keys, newest first).")
    # Development only: a fixed key, so that `make run` needs no configuration.
    FIELD_ENCRYPTION_KEYS = ["ZGV2LW9ubHkta2V5LW5ldmVyLWluLXByb2R1Y3Rpb24="]

# --- Email and text messages ----------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mon dossier <ne-pas-repondre@mondossier.example>")

# Text messages (NOT-1): a file per message in development; a provider class in production
# (notifications.sms.BaseSmsBackend documents the interface).
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.FileSmsBackend" if DEBUG else "")
if not SMS_BACKEND:
    raise ImproperlyConfigured("SMS_BACKEND is required when DEBUG is off (a notifications.sms.BaseSmsBackend class).")
SMS_FILE_PATH = VAR_DIR / "sms"
# Outgoing messages (notifications.outbox): attempts before 'failed', the first retry's delay (doubled
# each time), how long a worker may hold a message before it is presumed dead (longer than
# EMAIL_TIMEOUT), and how late a queued message must be before the recovery sweep hands it again.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 7, minimum=1)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30, minimum=0)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300, minimum=1)
OUTBOX_RECOVER_AFTER_SECONDS = env_int("OUTBOX_RECOVER_AFTER_SECONDS", 900, minimum=1)
# Where the payment run takes statement balances from (the billing system is out of scope).
STATEMENT_BALANCES = env_str(
    "STATEMENT_BALANCES", "notifications.payment_run.demo_balances" if DEBUG else "notifications.payment_run.zero_balances"
)

# Absolute address of the portal, for links sent by email.
PORTAL_BASE_URL = (env_url("PORTAL_BASE_URL", ("http", "https")) or "http://127.0.0.1:8000").rstrip("/")

# --- Celery ---------------------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport: a real broker between processes, with no server to run.
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    for _folder in (_broker_dir, VAR_DIR / "celery" / "processed", VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
# Cache and sessions: Redis in production, files in development. Sessions are read from the cache, so
# that a page of the file costs no SQL query for them, and kept in the database too (`cached_db`): they
# survive a Redis outage or restart (issue 16), and ramq_portal.cache lets the portal go on without
# Redis, within the timeouts below (a Redis that hangs must not hang every page).
if REDIS_URL:
    CACHES = {"default": {
        "BACKEND": "ramq_portal.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "mondossier",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2.0},
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_TASK_ACKS_LATE = True
# Two queues: "celery" for what a person waits for (codes, links), "bulk" for the payment run, the
# notice sweep and the notices it sends (see notifications.outbox.BULK_TEMPLATES).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "notifications.tasks.payment_run": {"queue": "bulk"},
    "notifications.tasks.send_new_message_notices": {"queue": "bulk"},
}
# A broker that restarts is waited for, however long it takes (Celery's default gives up after 100
# tries); a late-acknowledged task running when the connection drops is cancelled and delivered again
# (every task is idempotent), which Celery 6 will do by default.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")

# --- The product ----------------------------------------------------------------------------------
# A known payment date (a Thursday) from which the biweekly pay calendar is generated (PAY-1).
PAY_CALENDAR_ANCHOR: date = env_date("PAY_CALENDAR_ANCHOR", date(2026, 1, 15))
PAY_CALENDAR_YEARS_AHEAD = env_int("PAY_CALENDAR_YEARS_AHEAD", 2, minimum=1)
# INS-4: an unfinished registration is kept this many days after its last save, then purged; a reminder
# goes out this many days before.
REGISTRATION_DRAFT_RETENTION_DAYS = env_int("REGISTRATION_DRAFT_RETENTION_DAYS", 90, minimum=8)
REGISTRATION_DRAFT_REMINDER_DAYS = 7
# INS-2: wrong reference numbers (or identities) at enrolment, and wrong secret answers, per IP address
# and per username, before a pause.
ENROLMENT_FAILURE_LIMIT = env_int("ENROLMENT_FAILURE_LIMIT", 5, minimum=1)
ENROLMENT_FAILURE_WINDOW = timedelta(minutes=env_int("ENROLMENT_FAILURE_MINUTES", 30, minimum=1))
# A password-reset link sent to the activated email is valid one hour.
PASSWORD_RESET_TIMEOUT = 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
