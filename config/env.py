"""Typed readers for settings that come from environment variables.

Every helper raises ``ImproperlyConfigured`` on a value it cannot read, so a typo in a
deployment fails at start-up instead of silently falling back to a default.
"""

import os
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

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


def database_from_url(url: str, *, default_sqlite_path: str) -> dict:
    """Return a Django DATABASES entry for a ``postgres://`` or ``sqlite:///`` URL.

    >>> database_from_url("postgres://ally:pw@db:5433/ally", default_sqlite_path="x")["PORT"]
    '5433'
    """
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/") and not parts.netloc:
            path = path[1:] or default_sqlite_path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or default_sqlite_path}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgres://host/ally.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured("DATABASE_URL has an invalid port.") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL must start with postgres:// or sqlite:///, not {parts.scheme or url!r}.")


def check_secret_key(key: str) -> str:
    """Return the key when it is fit for production, else raise ImproperlyConfigured."""
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters in "
            "production (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    return key
