"""Newsroom settings.

Everything that differs between a laptop and production comes from the environment; the
defaults run on a laptop with nothing installed (SQLite under var/, local-memory cache, media/).
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from newsroom.ckeditor import CKEDITOR_DEFAULT

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, *, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, *, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start without it: "
            "export SECRET_KEY to a long random string, or set DEBUG=1 on a laptop."
        )
    SECRET_KEY = "django-insecure-laptop-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "taggit",
    "django_ckeditor_5",
    "reversion",
    "imagekit",
    "newsroom.axes_app.AxesConfig",  # django-axes, its name translated
    "csp",
    "articles",
]

SITE_ID = 1
# The site's public address, scheme and host only (https://www.example.cn): feeds, the sitemap,
# canonical and share links use it (articles/reading/site_url.py). Unset, they use the host the
# request came to, so a laptop works; the Sites framework's domain is never used for them.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
_site_scheme, _site_sep, _site_host = SITE_URL.partition("://")
if SITE_URL and (
    _site_scheme not in {"http", "https"} or not _site_host or any(c in _site_host for c in "/?# ")
):
    raise ImproperlyConfigured(
        f"SITE_URL must be a scheme and host, like https://www.example.cn; got {SITE_URL!r}."
    )

MIDDLEWARE = [
    # First, so a cached page is stored with every header the reader gets (security headers
    # included) and newsroom/wsgi.py can answer hits before Django; above GZip, so it is stored
    # compressed (docs/PERFORMANCE.md).
    "articles.pagecache.middleware.PageCacheMiddleware",
    "newsroom.ratelimit.SearchRateLimitMiddleware",  # below the cache: only misses count
    "django.middleware.security.SecurityMiddleware",
    "newsroom.routers.ReplicaReadsMiddleware",
    "newsroom.csp.PolicyByPageMiddleware",  # django-csp's, choosing the policy per page
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newsroom.locale.LocaleByPageMiddleware",  # the URL's language; the admin: the editor's
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.reading.old_urls.OldUrlRedirectMiddleware",
    # Last, so it turns a locked-out login into the lockout page (see docs/SECURITY.md).
    "axes.middleware.AxesMiddleware",
    # A view that loses the database answers 503 + Retry-After (newsroom/unavailable.py).
    "newsroom.unavailable.DatabaseUnavailableMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    # The public pages (templates/jinja2/): Jinja2 renders them in about half the CPU Django's
    # engine took (issue 17, docs/PERFORMANCE.md). Looked up first, so a name found
    # there is the page readers get; the admin's templates are only in the engine below.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "articles.jinja.environment",
            "context_processors": ["articles.reading.context_processors.site"],
        },
    },
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
                "articles.reading.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Database: SQLite under var/ by default, DATABASE_URL=postgres://... for PostgreSQL.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'newsroom.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # Checked before use: a connection the server closed (a restart) is replaced, not handed
    # out. With a pool, Django 5.2 passes this on as psycopg_pool's check=check_connection.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django 5.1+ pooling through psycopg_pool; CONN_MAX_AGE must stay 0 with a pool.
    if env_bool("DATABASE_POOL", default=True):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        _pg_options["pool"] = {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX", "10")),
            # How long a request waits for a connection: with the database down, its 503.
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "1")),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = 60
    # Faults are short (docs/RELIABILITY.md): connecting gives up after DATABASE_CONNECT_TIMEOUT
    # seconds (libpq's minimum is 2), a statement after DATABASE_STATEMENT_TIMEOUT ms and a wait
    # for a lock after DATABASE_LOCK_TIMEOUT ms; the request then answers 503
    # (newsroom/unavailable.py). 0 switches a timeout off.
    _pg_options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2")))
    _pg_settings = {
        "statement_timeout": int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "30000")),
        "lock_timeout": int(os.environ.get("DATABASE_LOCK_TIMEOUT", "3000")),
    }
    # Page queries are short; PostgreSQL's JIT compiles any query its planner prices high and
    # spent 30 ms doing so on a 5 ms query here. DATABASE_JIT=1 turns it back on.
    if not env_bool("DATABASE_JIT"):
        _pg_settings["jit"] = "off"
    _pg_options["options"] = " ".join(f"-c {name}={value}" for name, value in _pg_settings.items())
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

# A PostgreSQL streaming replica for public page reads (newsroom/routers.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"]),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": DATABASES["default"].get("CONN_HEALTH_CHECKS", False),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # The test suite reads the primary; tests/replica/ checks a real replica.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["newsroom.routers.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails soft: while Redis does not answer the site runs uncached (redis_cache.py).
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "1")),
                "retry_after": float(os.environ.get("REDIS_RETRY_AFTER", "1")),
                "warn_every": float(os.environ.get("REDIS_WARN_EVERY", "30")),
            },
        }
    }
    # Sessions survive a worker restart and are shared by every app server; the database holds
    # them, so an editor stays logged in while Redis is down.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Room for the view counts waiting to be written (a key per reader and article for 30
    # minutes, articles/audience/counting.py): past MAX_ENTRIES local memory drops a third.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Page cache for anonymous readers (articles/pagecache/middleware.py). On by default only with a shared
# cache: with per-process local memory a publish could not reach the other workers' copies.
PAGE_CACHE = {
    "ENABLED": env_bool("PAGE_CACHE", default=bool(REDIS_URL)),
    "TIMEOUT": int(os.environ.get("PAGE_CACHE_TIMEOUT", "300")),
    "PROXY_MAX_AGE": 1,
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Django serves media itself only on laptops and in tests; production puts nginx or object
# storage in front (docs/DEPLOYMENT.md).
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=DEBUG)
STORAGES = {
    # FileSystemStorage that writes a partial file and renames it into place (docs/RELIABILITY.md).
    "default": {"BACKEND": "articles.media.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Media (uploads and renditions) in S3-compatible object storage when a bucket is configured:
# `pip install -e '.[s3]'` (django-storages + boto3); AWS_S3_ENDPOINT_URL for MinIO, R2, OSS...
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH"),
            "file_overwrite": False,
        },
    }

# Uploads: the editor's image upload goes through articles.media.uploads (Pillow-verified, re-encoded).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", str(40_000_000)))

# Image renditions (articles/media/renditions.py) are made when an article is saved; pages only compute
# their URLs, so the Optimistic strategy never checks storage while rendering.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"

# The sanitiser keeps <iframe> only when its src points at one of these hosts.
SANITIZER_IFRAME_HOSTS = env_list(
    "SANITIZER_IFRAME_HOSTS",
    default="player.bilibili.com,www.youtube.com,www.youtube-nocookie.com,player.vimeo.com",
)

LOGIN_URL = "admin:login"
# The admin lives at /admin/ unless ADMIN_URL moves it (e.g. "desk-7f3a/"), away from scanners.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

# Login throttling (django-axes): five failures for one username from one address lock that
# pair out for 15 minutes. Unlock early with `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
# The client's address (newsroom/client_ip.py): REMOTE_ADDR, or if that is a proxy in
# TRUSTED_PROXIES the X-Forwarded-For entry it appended (right-most first, at most
# TRUSTED_PROXY_COUNT hops). Defaults: docs/nginx.conf's nginx on the app server itself.
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"
TRUSTED_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "1"))
TRUSTED_PROXIES = [
    str(ipaddress.ip_network(item, strict=False))
    for item in env_list("TRUSTED_PROXIES", default="127.0.0.1,::1")
]

NEWSROOM = {
    "SITE_NAME": os.environ.get("SITE_NAME", "元宇宙导航"),
    "SITE_TAGLINE": os.environ.get("SITE_TAGLINE", "元宇宙与 Web3 资讯"),
    "PAGE_SIZE": 20,
    "HOME_LATEST": 12,
    "READING_CPM": 400,
    # Ads site-wide: NEWSROOM_ADS=off switches every spot off (moderators switch single spots).
    "SEARCH_RATE": os.environ.get("SEARCH_RATE", "30/60"),  # per client; newsroom/ratelimit.py
    "ADS_ENABLED": os.environ.get("NEWSROOM_ADS", "on").lower() not in {"off", "0", "false"},
    # Related lists show only articles published before the one read, as Hugo's related content
    # does by default (its `related.includeNewer`): so publishing a new article leaves every
    # other article's page cached. On, every publish refreshes every article page
    # (docs/ARCHITECTURE.md, "Dependency keys").
    "RELATED_INCLUDE_NEWER": env_bool("RELATED_INCLUDE_NEWER", default=False),
}

CKEDITOR_5_FILE_UPLOAD_PERMISSION = "staff"
CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME = "articles:editor-upload"
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "jpg", "png", "gif", "webp"]
CKEDITOR_5_MAX_FILE_SIZE = UPLOAD_MAX_BYTES // (1024 * 1024)
CKEDITOR_5_CONFIGS = {"default": CKEDITOR_DEFAULT}  # newsroom/ckeditor.py

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
# The CSRF cookie stays readable by JavaScript: CKEditor 5's upload adapter sends it as a header.
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Nothing on the site is meant to be framed, not even by itself.
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): no inline script anywhere (the admin and CKEditor 5
# pass their config as JSON script tags), no inline style on public pages: newsroom/csp.py gives
# styles back to the admin and to article pages that load GLightbox. Violations go to
# /csp-report/ (newsroom/csp_report.py, logged at WARNING). MEDIA_HOSTS adds image hosts.
_MEDIA_HOSTS = env_list("MEDIA_HOSTS")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_MEDIA_HOSTS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", *_MEDIA_HOSTS],
        "frame-src": [f"https://{host}" for host in SANITIZER_IFRAME_HOSTS] or ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report/"],
        "report-to": "csp-endpoint",
    }
}
