"""Rate limits: what their counters leave in the cache, and whose address they count."""

import hashlib
import json
import subprocess
import sys

from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import throttle
from tests.conftest import PASSWORD

ADDRESS = "203.0.113.77"
EMAIL = "Quiet.Person@example.org"
PROXY = "10.0.0.2"


def _cache_rows() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM ally_cache")
        return [(str(key), str(value)) for key, value in cursor.fetchall()]


def _fail_logins(times: int, *, email: str = EMAIL, **headers) -> Client:
    browser = Client(**{"REMOTE_ADDR": ADDRESS, **headers})
    for attempt in range(times):
        browser.post(reverse("account_login"), {"login": email, "password": f"guess-{attempt}"})
    return browser


def test_the_cache_table_holds_no_address_email_or_unkeyed_hash(database_cache, user_factory):
    """A database holder reading the cache table cannot tie an address or an account to a time."""
    user_factory(EMAIL.lower())
    _fail_logins(3)
    token = "Zx9_Qw8-Er7Ty6Ui5Op4As3Df2Gh1Jk0"
    throttle.is_limited(RequestFactory().post("/", REMOTE_ADDR=ADDRESS), "link-start", scope=token)
    rows = _cache_rows()
    assert rows, "failed logins leave counters in the cache"
    unkeyed = {
        hashlib.sha256(value.encode()).hexdigest()
        for value in (EMAIL, EMAIL.lower(), ADDRESS, token, f"client:{ADDRESS}", f"scope:{token}")
    }
    for key, value in rows:
        for secret in (ADDRESS, EMAIL, EMAIL.lower(), token, *unkeyed):
            assert secret not in key and secret not in value, key
        assert len(key) == 64 and set(key) <= set("0123456789abcdef"), key


def test_cache_keys_depend_on_the_secret_key(database_cache, user_factory):
    """The keys are keyed hashes: without the server's key nobody can compute one to look up."""
    _fail_logins(1)
    first = {key for key, _ in _cache_rows()}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ally_cache")
    database_cache.SECRET_KEY = "another-secret-key-" + "x" * 40
    _fail_logins(1)
    assert first and not first & {key for key, _ in _cache_rows()}


def test_tests_run_with_the_sites_cache_key_function(settings):
    from config import settings as site_settings

    assert settings.CACHES["default"]["KEY_FUNCTION"] == site_settings.CACHES["default"]["KEY_FUNCTION"]


def test_every_cache_the_settings_choose_hashes_its_keys():
    for environ in ({}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}):
        cache = _settings_under(environ, "CACHES")["CACHES"]["default"]
        assert cache["KEY_FUNCTION"] == "config.cache.cache_key", cache["BACKEND"]


def _settings_under(environ: dict[str, str], *names: str) -> dict:
    """Return the named settings as the settings module computes them under ``environ``."""
    code = (
        "import json, config.settings as site;"
        f"print(json.dumps({{name: getattr(site, name, None) for name in {list(names)!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", **environ},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_a_proxy_failed_logins_lock_out_only_their_own_client(settings, user_factory):
    """Eleven wrong passwords from one client behind the proxy do not lock every other client out."""
    for name, value in _settings_under({"DJANGO_BEHIND_PROXY": "true"}, "ALLAUTH_TRUSTED_PROXY_COUNT").items():
        setattr(settings, name, value or 0)
    user_factory("other@example.org")
    for number in range(11):
        _fail_logins(1, email=f"guess{number}@example.org", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    locked = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    page = locked.post(reverse("account_login"), {"login": "other@example.org", "password": PASSWORD})
    assert page.status_code == 200 and "Too many failed login attempts" in page.content.decode()
    other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    response = other.post(reverse("account_login"), {"login": "other@example.org", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in other.session


def test_behind_a_proxy_our_own_limits_count_the_client_not_the_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def attempt(client_address: str) -> bool:
        request = RequestFactory().post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.9, {client_address}")
        return throttle.is_limited(request, "join-code", scope="")

    per_client = settings.ALLY_RATE_LIMITS["join-code"][0]
    assert [attempt("198.51.100.1") for _ in range(per_client + 1)][-1] is True
    assert attempt("198.51.100.2") is False


def test_the_trusted_proxy_count_follows_the_proxy_setting():
    assert _settings_under({}, "ALLAUTH_TRUSTED_PROXY_COUNT") == {"ALLAUTH_TRUSTED_PROXY_COUNT": 0}
    behind = {"DJANGO_BEHIND_PROXY": "true"}
    assert _settings_under(behind, "ALLAUTH_TRUSTED_PROXY_COUNT") == {"ALLAUTH_TRUSTED_PROXY_COUNT": 1}
    assert _settings_under({**behind, "DJANGO_TRUSTED_PROXY_COUNT": "2"}, "ALLAUTH_TRUSTED_PROXY_COUNT") == {
        "ALLAUTH_TRUSTED_PROXY_COUNT": 2
    }


def test_a_proxy_count_without_a_proxy_is_refused():
    code = "import config.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "DJANGO_TRUSTED_PROXY_COUNT": "1"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "DJANGO_TRUSTED_PROXY_COUNT needs DJANGO_BEHIND_PROXY=true" in result.stderr
