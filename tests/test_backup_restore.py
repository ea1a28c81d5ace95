"""A backup restores: the demo dumped with pg_dump and restored into a new database serves the same
stored reports and trend pages, and its open survey's sealed answers open only under the server's key.

The commands are those of docs/OPERATIONS.md.
"""

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.demo import build_demo_accounts
from accounts.models import Membership
from assessment.demo import build_demo_audits
from assessment.models import Cycle, PendingResponse
from assessment.services.pending import pending_open
from config import sealing
from reports.demo import build_demo_actions
from reports.models import CycleReport
from tests.conftest import login

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump and pg_restore back up PostgreSQL; SQLite is backed up with sqlite3 .backup (docs/OPERATIONS.md)",
)

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def pg_tool(name: str) -> str:
    """Return the path of a PostgreSQL client program; fail in CI, skip elsewhere, if there is none."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        message = f"{name} not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql-client)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def run(*command: str) -> str:
    """Run a PostgreSQL client program against the test server; return what it printed."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": database["HOST"] or "",
        "PGPORT": str(database["PORT"] or ""),
        "PGUSER": database["USER"] or "",
        "PGPASSWORD": database["PASSWORD"] or "",
    }
    done = subprocess.run([pg_tool(command[0]), *command[1:]], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"
    return done.stdout


@contextmanager
def serving_from(name: str) -> Iterator[None]:
    """Point the site's database connection at another database for the duration."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def pages(client: Client, organizations) -> dict[str, str]:
    """Return every report and trend page of the organizations, and a few in French and Chinese."""
    urls = []
    for organization in organizations:
        urls += [(organization.get_absolute_url(), "en"), (reverse("reports:trend", args=[organization.slug]), "en")]
        for cycle in Cycle.objects.filter(organization=organization, status=Cycle.Status.CLOSED).order_by("label"):
            urls.append((reverse("reports:cycle_report", args=[organization.slug, cycle.pk]), "en"))
    first = Cycle.objects.get(organization=organizations[0], label="2026 staff survey")
    for language in ("fr", "zh-hans"):
        urls += [
            (reverse("reports:cycle_report", args=[organizations[0].slug, first.pk]), language),
            (reverse("reports:trend", args=[organizations[0].slug]), language),
        ]
    rendered = {}
    for url, language in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        rendered[f"{language} {url}"] = CSRF.sub(r'\1"', response.content.decode())
    return rendered


def stored_reports() -> dict:
    return {
        (str(r.cycle_id), r.language): (r.basis, r.payload, r.created_at)
        for r in CycleReport.objects.order_by("cycle_id", "language")
    }


def row_counts() -> dict[str, int]:
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)  # pg_dump reads only what is committed
def test_a_restored_dump_serves_the_same_reports_and_trends(tmp_path: Path, settings):
    organizations, _ = build_demo_accounts()
    organizations = organizations[:2]  # the first has the open survey; two make the test quick
    build_demo_audits(organizations)
    build_demo_actions(organizations)
    admin = Membership.objects.get(organization=organizations[0], role=Membership.Role.ADMIN).user
    Membership.objects.create(user=admin, organization=organizations[1], role=Membership.Role.ADMIN)
    client = login(Client(), admin)  # the session goes into the dump and works after the restore
    before = {"pages": pages(client, organizations), "reports": stored_reports(), "rows": row_counts()}
    open_survey = Cycle.objects.get(organization=organizations[0], status=Cycle.Status.OPEN)
    answers = sorted(map(repr, pending_open(cycle=open_survey)))
    closed = Cycle.objects.filter(status=Cycle.Status.CLOSED).count()
    assert closed == 2 * 6 + 2  # six audits each, and two years of community feedback at the second
    assert len(before["reports"]) == closed * 3  # one report per language
    assert PendingResponse.objects.filter(cycle=open_survey).count() == len(answers) == 2

    source = connection.settings_dict["NAME"]
    restored = f"{source.removeprefix('test_')}_restored"
    dump = tmp_path / "ally.dump"
    run("pg_dump", "--format=custom", f"--file={dump}", source)
    assert settings.SECRET_KEY not in run("pg_restore", "--file=-", str(dump)), "the key must not be in a backup"
    run("dropdb", "--if-exists", restored)
    run("createdb", restored)
    try:
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump))
        with serving_from(restored):
            call_command("migrate", "--check", verbosity=0)  # a backup of this release needs no migration
            after = {"pages": pages(client, organizations), "reports": stored_reports(), "rows": row_counts()}
            assert sorted(map(repr, pending_open(cycle=open_survey))) == answers
            settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "another-key-" + "x" * 50, []
            with pytest.raises(sealing.Unreadable):  # the dump alone cannot open them: nor can a lost key
                pending_open(cycle=open_survey)
    finally:
        run("dropdb", "--if-exists", restored)
    assert after["rows"] == before["rows"]
    assert after["reports"] == before["reports"], "a restored report was rebuilt instead of served as stored"
    assert after["pages"].keys() == before["pages"].keys()
    for page, html in before["pages"].items():
        assert after["pages"][page] == html, page
