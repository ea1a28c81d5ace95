import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


@pytest.mark.parametrize(
    "raw, expected", [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False), ("", False)]
)
def test_env_bool_reads_words(raw, expected):
    assert env.env_bool("X", environ={"X": raw}) is expected


def test_env_bool_rejects_other_words():
    with pytest.raises(ImproperlyConfigured, match="X must be true or false"):
        env.env_bool("X", environ={"X": "maybe"})


def test_env_bool_default_when_unset():
    assert env.env_bool("X", True, environ={}) is True


def test_env_int_rejects_non_numbers_and_values_below_minimum():
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("PORT", 1, environ={"PORT": "eighty"})
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("PORT", 1, minimum=1, environ={"PORT": "0"})
    assert env.env_int("PORT", 1, environ={"PORT": " 25 "}) == 25


def test_env_choice_rejects_unknown_mode():
    with pytest.raises(ImproperlyConfigured, match="ALLY_ENV must be one of"):
        env.env_choice("ALLY_ENV", ("development", "production"), "development", environ={"ALLY_ENV": "prod"})


def test_database_url_postgres_and_sqlite():
    pg = env.database_from_url("postgres://u:p%40ss@db.internal:5433/ally", default_sqlite_path="x")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "ally",
        "u",
        "p@ss",
        "db.internal",
        "5433",
    )
    assert env.database_from_url("sqlite:////tmp/a.db", default_sqlite_path="x")["NAME"] == "/tmp/a.db"
    assert env.database_from_url("", default_sqlite_path="default.db")["NAME"] == "default.db"


def test_database_url_keeps_tls_and_memory():
    pg = env.database_from_url("postgres://u@db/ally?sslmode=require", default_sqlite_path="x")
    assert pg["OPTIONS"] == {"sslmode": "require"}
    memory = env.database_from_url("sqlite://:memory:", default_sqlite_path="db.sqlite3")
    assert memory["NAME"] == ":memory:"
    assert env.database_from_url("sqlite:////tmp/a.db", default_sqlite_path="x")["OPTIONS"]["transaction_mode"] == (
        "IMMEDIATE"
    )


@pytest.mark.parametrize("url", ["mysql://db/ally", "postgres://db/", "postgres://db:port/ally"])
def test_database_url_rejects_unsupported_or_incomplete(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database_from_url(url, default_sqlite_path="x")


@pytest.mark.parametrize("key", ["", "short", "django-insecure-" + "x" * 60, "a" * 60])
def test_production_refuses_insecure_secret_keys(key):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        env.check_secret_key(key)


def test_production_accepts_a_random_secret_key():
    key = "k3J9-vQ2_xLm8ZpR4tYwN6bH1cD5fG7aS0eU2iO9pLkMnBvCxZq"
    assert env.check_secret_key(key) == key


def test_production_settings_refuse_a_missing_secret_key():
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()",
        ],
        env={"ALLY_ENV": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _start(environ: dict[str, str]):
    """Load the settings under ``environ`` in a fresh interpreter, as a server would at start-up."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={"PATH": "/usr/bin:/bin", **environ},
        capture_output=True,
        text=True,
    )


PRODUCTION = {
    "ALLY_ENV": "production",
    "DJANGO_SECRET_KEY": "k3J9-vQ2_xLm8ZpR4tYwN6bH1cD5fG7aS0eU2iO9pLkMnBvCxZq",
    "DJANGO_ALLOWED_HOSTS": "ally.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


@pytest.mark.parametrize("hosts", ["ally.example.org", "127.0.0.1,ally.example.org", "*", "10.0.0.5", ".example.org"])
def test_the_development_key_is_refused_for_a_host_other_than_this_machine(hosts):
    """With the public development key, anyone could read pending answers: a reachable site needs its own."""
    result = _start({"DJANGO_ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert env.DEVELOPMENT_KEY_MESSAGE in result.stderr
    assert _start({"DJANGO_ALLOWED_HOSTS": hosts, "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"]}).returncode == 0


def test_the_development_key_is_refused_as_a_fallback_for_a_host_other_than_this_machine():
    from config import settings as site

    result = _start({**PRODUCTION, "DJANGO_SECRET_KEY_FALLBACKS": site._DEVELOPMENT_KEY})
    assert result.returncode != 0 and env.DEVELOPMENT_KEY_MESSAGE in result.stderr


@pytest.mark.parametrize("hosts", [None, "127.0.0.1,localhost", "[::1]", "::1", ".localhost", "ally.localhost", ""])
def test_the_development_key_serves_this_machine(hosts):
    result = _start({} if hosts is None else {"DJANGO_ALLOWED_HOSTS": hosts})
    assert result.returncode == 0, result.stderr


def test_production_settings_refuse_to_print_emails():
    """Without an SMTP server, invitation emails (a live link in each) would go to the console."""
    result = _start({**PRODUCTION, "EMAIL_HOST": ""})
    assert result.returncode != 0
    assert env.EMAIL_HOST_MESSAGE in result.stderr
    assert _start(PRODUCTION).returncode == 0


@pytest.mark.parametrize(
    "value, message", [("sixty", "must be a whole number"), ("7", "must be at least 30")], ids=["word", "too short"]
)
def test_settings_refuse_a_bad_staff_survey_gap(value, message):
    result = _start({"ALLY_STAFF_SURVEY_GAP_DAYS": value})
    assert result.returncode != 0
    assert f"ALLY_STAFF_SURVEY_GAP_DAYS {message}" in result.stderr


PREFIX = "django.core.exceptions.ImproperlyConfigured: "


@pytest.mark.parametrize("value", ["bogus", "redis"])
def test_settings_refuse_an_unknown_task_backend_naming_the_variable(value):
    result = _start({"ALLY_TASKS": value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == f"{PREFIX}ALLY_TASKS must be one of immediate, database, rq, not {value!r}."


def test_the_redis_queue_needs_redis_url():
    result = _start({"ALLY_TASKS": "rq"})
    assert result.returncode != 0
    assert "ALLY_TASKS=rq needs REDIS_URL" in result.stderr
    assert _start({"ALLY_TASKS": "rq", "REDIS_URL": "redis://127.0.0.1:6379/0"}).returncode == 0


@pytest.mark.parametrize("value", ["immediate", "database", "rq"])
def test_each_task_backend_is_chosen_by_its_name(value):
    code = "from config import settings; print(settings.TASKS['default']['BACKEND'])"
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "ALLY_TASKS": value, "REDIS_URL": "redis://127.0.0.1:6379/0"},
        capture_output=True,
        text=True,
    )
    expected = {
        "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        "database": "django_tasks_db.DatabaseBackend",
        "rq": "django_tasks_rq.RQBackend",
    }[value]
    assert result.stdout.strip() == expected, result.stderr
