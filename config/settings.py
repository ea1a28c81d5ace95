"""Settings for Ally Readiness, read from environment variables.

``ALLY_ENV`` picks the mode: ``development`` (the default: runs the demo with nothing set) or
``production`` (refuses insecure values, secure cookies, HSTS). See README.md for every variable.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    EMAIL_HOST_MESSAGE,
    check_development_key,
    check_secret_key,
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    trusted_proxy_count,
)
from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

ALLY_ENV = env_choice("ALLY_ENV", ("development", "production"), "development")
PRODUCTION = ALLY_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")

_DEVELOPMENT_KEY = "django-insecure-development-only-never-use-this-key-in-production-0000"
if PRODUCTION:
    SECRET_KEY = check_secret_key(env_str("DJANGO_SECRET_KEY"))
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY") or _DEVELOPMENT_KEY
# Earlier secret keys, still accepted for signatures and encrypted data made under them.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
# The development key is in this file for all to read: a site others can reach needs its own.
check_development_key(keys=[SECRET_KEY, *SECRET_KEY_FALLBACKS], development_key=_DEVELOPMENT_KEY, hosts=ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "accounts",
    "assessment",
    "community_review",
    "reports",
    "coalitions",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "assessment.drafts.ForgetDraftsAtLogoutMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), default_sqlite_path=str(BASE_DIR / "db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# allauth's rate limits live in the cache, so every worker process must share it. Every key is a
# keyed hash (config/cache.py): allauth's own keys end in the client's address or the login typed.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    _cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
else:
    _cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ally_cache"}
CACHES = {"default": {**_cache, "KEY_FUNCTION": "config.cache.cache_key"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "landing"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Ally Readiness] "
# Our own public endpoints: (attempts per client, attempts per scope, window in seconds). A whole
# office may share one address, so per-client limits leave room for a staff meeting.
ALLY_RATE_LIMITS = {
    "link-start": (30, 200, 600),  # scope: the link
    "link-submit": (30, 200, 600),  # scope: the survey
    "join-code": (10, 20, 600),  # scope: the coalition
    # Community feedback: anyone with the printed link may answer, so a link takes a bounded number.
    "feedback": (20, 300, 600),  # scope: the link
}
ALLY_BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
# Behind a proxy, every request comes from the proxy's address: allauth's limits (and ours, which ask
# allauth's adapter) take the client's from X-Forwarded-For, this many entries from its end.
ALLAUTH_TRUSTED_PROXY_COUNT = trusted_proxy_count(behind_proxy=ALLY_BEHIND_PROXY)
# Background work: "immediate" runs a task as it is enqueued (the demo, the tests, small sites);
# "database" queues it for `manage.py db_worker`; "rq" queues it on the Redis at REDIS_URL for
# `manage.py rqworker --job-class django_tasks_rq.Job --with-scheduler` (README, Deploy).
TASKS_BACKEND = env_choice("ALLY_TASKS", ("immediate", "database", "rq"), "immediate")
if TASKS_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("ALLY_TASKS=rq needs REDIS_URL, the Redis that holds the queue.")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
        }[TASKS_BACKEND]
    }
}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}} if REDIS_URL else {}
# A failed email is tried again after this many seconds, then twice as long (three attempts in all).
ALLY_EMAIL_RETRY_SECONDS = env_int("ALLY_EMAIL_RETRY_SECONDS", 300, minimum=1)
# django-rq's queue pages in the admin (and their API) stay off: the worker's log is enough.
RQ_SHOW_ADMIN_LINK = False
# Days between the close of one staff survey and the opening of the next, so that two surveys of
# nearly the same people cannot be compared to single one person out. Within a month people answer
# much as they did before, so a shorter gap is refused.
ALLY_STAFF_SURVEY_GAP_DAYS = env_int("ALLY_STAFF_SURVEY_GAP_DAYS", 60, minimum=30)
# Where the site is reached, for links in emails sent outside a request (schedule notices).
SITE_URL = env_str("ALLY_SITE_URL", "http://127.0.0.1:8000")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Ally Readiness"
# Keys for encrypting TOTP secrets at rest, newest first; derived from SECRET_KEY when not set.
MFA_ENCRYPTION_KEY = env_str("MFA_ENCRYPTION_KEY")

EMAIL_HOST = env_str("EMAIL_HOST")
if PRODUCTION and not EMAIL_HOST:
    # The console backend writes straight to stdout, past the log filters that hide link tokens.
    raise ImproperlyConfigured(EMAIL_HOST_MESSAGE)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ally Readiness <no-reply@localhost>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
if PRODUCTION:
    _static_backend = "whitenoise.storage.CompressedManifestStaticFilesStorage"
else:
    # Outside production whitenoise serves files straight from the finders, so the demo
    # needs no collectstatic step.
    _static_backend = "django.contrib.staticfiles.storage.StaticFilesStorage"
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _static_backend},
}

# Security headers. Cookies are marked Secure and HSTS is sent in production; the
# development demo runs over plain HTTP on the loopback address, where they would break login.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if ALLY_BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # allauth shows the TOTP set-up QR code as a data: image.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = logging_config(level=env_str("DJANGO_LOG_LEVEL", "WARNING"), json_lines=PRODUCTION)
