"""Typed readers for settings that come from environment variables.

Every helper raises ``ImproperlyConfigured`` on a value it cannot read, so a typo in a
deployment fails at start-up instead of silently falling back to a default.
"""

import ipaddress
import os
from collections.abc import Mapping

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY_MESSAGE = (
    "DJANGO_SECRET_KEY must be set when DJANGO_ALLOWED_HOSTS names a host other than this machine: "
    "the built-in development key is public, and anyone holding it can read pending survey answers "
    "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
)
EMAIL_HOST_MESSAGE = (
    "EMAIL_HOST must be set in production: without an SMTP server, emails, survey invitation links "
    "included, would be printed to the console."
)

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_str(name: str, default: str = "", environ: Mapping[str, str] = os.environ) -> str:
    """Return the variable as a stripped string, or the default when unset."""
    return environ.get(name, default).strip()


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] = os.environ) -> bool:
    """Return the variable read as a boolean word (1/0, true/false, yes/no, on/off).

    >>> env_bool("X", environ={"X": "Yes"})
    True
    """
    if name not in environ:
        return default
    value = environ[name].strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {environ[name]!r}.")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """Return the variable as an integer, at least ``minimum`` when given."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    """Return a comma-separated variable as a list of non-empty strings.

    >>> env_list("X", [], environ={"X": "a.org, b.org,"})
    ['a.org', 'b.org']
    """
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str, environ: Mapping[str, str] = os.environ) -> str:
    """Return the variable when it is one of ``choices``."""
    value = environ.get(name, default).strip().lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


SQLITE_OPTIONS = {
    # Writers queue instead of failing with "database is locked": WAL lets readers go on while one
    # writes, IMMEDIATE takes the write lock at the start of a transaction, and a writer waits up to
    # 20 seconds for it.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_from_url(url: str, *, default_sqlite_path: str) -> dj_database_url.DBConfig:
    """Return a Django DATABASES entry for a ``postgres://`` or ``sqlite:///`` URL (dj-database-url).

    Query options are kept, so ``?sslmode=require`` reaches PostgreSQL.

    >>> database_from_url("postgres://ally:pw@db:5433/ally?sslmode=require", default_sqlite_path="x")["OPTIONS"]
    {'sslmode': 'require'}
    >>> database_from_url("sqlite://:memory:", default_sqlite_path="x")["NAME"]
    ':memory:'
    """
    if not url:
        url = f"sqlite:///{default_sqlite_path}"
    scheme = url.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured("DATABASE_URL must start with postgres:// or sqlite:///.")
    try:
        config = dj_database_url.parse(url, conn_max_age=0 if scheme == "sqlite" else 60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not valid: {error}") from None
    if scheme == "sqlite":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        if config["NAME"] == ":memory:":
            config["OPTIONS"].pop("init_command")
        else:
            # Tests use a file too (not shared memory), so concurrent writers meet real locking.
            config["TEST"] = {"NAME": str(config["NAME"]) + ".test"}
    elif not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgres://host/ally.")
    config["PORT"] = str(config.get("PORT") or "")
    return config


def trusted_proxy_count(*, behind_proxy: bool, environ: Mapping[str, str] = os.environ) -> int:
    """Return how many proxies of ours a request passes (``DJANGO_TRUSTED_PROXY_COUNT``, 1 by default).

    >>> trusted_proxy_count(behind_proxy=True, environ={})
    1
    >>> trusted_proxy_count(behind_proxy=False, environ={})
    0
    """
    if not behind_proxy:
        if environ.get("DJANGO_TRUSTED_PROXY_COUNT", "").strip():
            raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT needs DJANGO_BEHIND_PROXY=true.")
        return 0
    return env_int("DJANGO_TRUSTED_PROXY_COUNT", 1, minimum=1, environ=environ)


def is_loopback_host(host: str) -> bool:
    """Return whether an ALLOWED_HOSTS entry can name this machine only.

    >>> [is_loopback_host(h) for h in ("localhost", ".localhost", "a.localhost", "127.0.0.1", "[::1]", "::1")]
    [True, True, True, True, True, True]
    >>> [is_loopback_host(h) for h in ("ally.example.org", "*", "10.0.0.5", ".example.org", "localhost.example")]
    [False, False, False, False, False]
    """
    name = host.lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


def check_development_key(*, keys: list[str], development_key: str, hosts: list[str]) -> None:
    """Refuse the built-in development key, current or fallback, unless only this machine is served."""
    if development_key in keys and not all(is_loopback_host(host) for host in hosts):
        raise ImproperlyConfigured(DEVELOPMENT_KEY_MESSAGE)


def check_secret_key(key: str) -> str:
    """Return the key when it is fit for production, else raise ImproperlyConfigured."""
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters in "
            "production (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    return key
