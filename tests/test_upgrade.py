"""Upgrading from release 0.2.0 keeps every row: a site at 0.2.0's migrations, filled as the demo
fills one, migrates to this release with its organizations, audits, reports, plans and coalitions
intact, and its open staff survey closes with every answer given before the upgrade.
"""

import base64
import hashlib
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from assessment import aggregation, scoring
from tests.conftest import login

# The last migration of each app in release 0.2.0 (CHANGELOG.md).
RELEASE_0_2_0 = [
    ("accounts", "0010_user_language"),
    ("assessment", "0007_questionnaire_translations"),
    ("reports", "0006_cyclereport_per_language"),
    ("coalitions", "0005_position_chart_per_language"),
]
# What the upgrade changes on purpose, and the test checks on its own: an open survey's written-out
# answers go back under seal (0.3.0 writes a survey's answers once, at close), and seals are remade.
RESEALED = {"assessment_response", "assessment_answer", "assessment_pendingresponse"}
# Rights to submit are signed now, not stored; coalition position charts are drawn on each view.
DROPPED = {"assessment_draftticket", "coalitions_positionchart"}
# Columns that go, their values kept elsewhere: an audit event's English text moves into its data.
MOVED = {"accounts_auditevent": {"detail", "data"}}

DIMENSIONS = ("consent", "confidentiality", "non_judgment")
YEARS = (2024, 2025)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def answer_sets(rnd_seed: int, count: int, keys: list[str]) -> list[dict[str, int | str]]:
    """Return ``count`` people's answers, the same on every run."""
    sets = []
    for person in range(count):
        answers: dict[str, int | str] = {}
        for number, key in enumerate(keys):
            code = (rnd_seed * 7 + person * 3 + number * 5) % 11
            answers[key] = "dk" if code == 10 else code % 5
        sets.append(answers)
    return sets


def release_0_2_0_site(apps) -> dict:
    """Fill the 0.2.0 schema as the demo does, with 0.2.0's own rules; return the open survey's answers."""
    m = {name: apps.get_model(app, name) for app, name in MODELS}
    admin = m["User"].objects.create(email="admin@riverside.example", password="!", language="fr")
    lead = m["User"].objects.create(email="lead@riverside.example", password="!")
    staff = m["User"].objects.create(email="staff@riverside.example", password="!")
    steward = m["User"].objects.create(email="steward@network.example", password="!")
    organizations = []
    for number, (name, slug) in enumerate([("Riverside Legal", "riverside"), ("Harbour Health", "harbour")]):
        organization = m["Organization"].objects.create(
            name=name, slug=slug, sector="legal", region="Toronto", size_band="medium", retention_years=3 + number
        )
        organizations.append(organization)
        m["Membership"].objects.create(user=admin, organization=organization, role="admin")
    riverside = organizations[0]
    m["Membership"].objects.create(user=lead, organization=riverside, role="lead")
    m["Membership"].objects.create(user=staff, organization=riverside, role="staff")
    m["Invitation"].objects.create(
        organization=riverside,
        email="new@riverside.example",
        role="staff",
        token_hash="i" * 64,
        invited_by=admin,
        expires_at=datetime(2026, 12, 20, tzinfo=UTC),
    )
    m["AuditEvent"].objects.create(
        organization=riverside, actor=admin, action="cycle_closed", detail="2025 staff survey"
    )

    questionnaire = m["Questionnaire"].objects.create(
        slug="ally-readiness", version=1, title="Ally readiness", status="published", form="staff"
    )
    keys = []
    for order, key in enumerate(DIMENSIONS):
        dimension = m["Dimension"].objects.create(questionnaire=questionnaire, key=key, name=key.title(), order=order)
        for number in range(2):
            item = m["Item"].objects.create(
                questionnaire=questionnaire,
                dimension=dimension,
                key=f"{key}-{number}",
                text=f"Staff explain {key} {number}.",
                short=f"{key} {number}",
                scale="frequency",
                max_value=4,
                critical=number == 0,
                recommendation="Practise it in the team meeting.",
                order=order * 2 + number,
            )
            keys.append(item.key)
    # Built from the historical rows, as 0.2.0's selector did (today's reads fields 0.2.0 lacked).
    dimensions = list(m["Dimension"].objects.filter(questionnaire=questionnaire).order_by("order", "key"))
    dimension_keys = {d.pk: d.key for d in dimensions}
    instrument = scoring.Instrument(
        dimensions=tuple(scoring.DimensionSpec(d.key, d.weight) for d in dimensions),
        items=tuple(
            scoring.ItemSpec(i.key, dimension_keys[i.dimension_id], i.max_value, i.weight, i.reverse, i.critical)
            for i in m["Item"].objects.filter(questionnaire=questionnaire).order_by("order", "key")
        ),
    )

    closed = []
    for organization in organizations:
        for year in YEARS:
            cycle = m["Cycle"].objects.create(
                organization=organization,
                questionnaire=questionnaire,
                label=f"{year} staff survey",
                mode="staff",
                opens_on=date(year, 3, 1),
                closes_on=date(year, 3, 31),
                status="closed",
                closed_on=date(year, 4, 1),
                min_responses=3,
                invited_count=8,
            )
            sets = answer_sets(year + len(closed), 6, keys)
            for answers in sets:
                score = scoring.score_response(instrument, answers)
                response = m["Response"].objects.create(
                    cycle=cycle, status="submitted", scores={**score.dimensions, scoring.OVERALL: score.overall}
                )
                for key, value in answers.items():
                    m["Answer"].objects.create(
                        response=response,
                        item=m["Item"].objects.get(questionnaire=questionnaire, key=key),
                        value=None if value == "dk" else value,
                        special="dk" if value == "dk" else "",
                    )
            groups = ["frontline"] * 3 + ["leadership"] * 3
            cycle.results = aggregation.cycle_results(
                instrument, sets, role_groups=groups, min_responses=3, reportable=True
            )
            cycle.means = {
                **{key: found["mean"] for key, found in cycle.results["dimensions"].items()},
                scoring.OVERALL: cycle.results[scoring.OVERALL]["mean"],
            }
            cycle.save()
            closed.append(cycle)
            for language in ("en", "fr"):
                m["CycleReport"].objects.create(
                    cycle=cycle, language=language, basis=[str(cycle.pk)], payload={"format": 0, "language": language}
                )
    m["Action"].objects.create(
        organization=riverside,
        source_cycle=closed[0],
        practice=keys[0],
        practice_text="Staff explain consent 0.",
        what="Read the consent statement at intake.",
        owner=lead,
        due_on=date(2025, 12, 31),
        status="done",
    )
    schedule = m["AuditSchedule"].objects.create(organization=riverside, mode="staff", month=3, weeks=4)
    m["ScheduleNotice"].objects.create(schedule=schedule, year=2026, kind="due_soon")

    # An open survey as 0.2.0 left it: a batch of the minimum written out with its role groups, three
    # submissions waiting under 0.2.0's Fernet seal, a member who took part, links still out.
    survey = m["Cycle"].objects.create(
        organization=riverside,
        questionnaire=questionnaire,
        label="2026 staff survey",
        mode="staff",
        opens_on=date(2026, 3, 1),
        status="open",
        min_responses=3,
        invited_count=6,
    )
    given = []
    for answers in answer_sets(2026, 3, keys):
        group = "frontline"
        response = m["Response"].objects.create(cycle=survey, status="submitted", role_group=group, scores={})
        for key, value in answers.items():
            m["Answer"].objects.create(
                response=response,
                item=m["Item"].objects.get(questionnaire=questionnaire, key=key),
                value=None if value == "dk" else value,
                special="dk" if value == "dk" else "",
            )
        given.append((answers, group))
    fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"ally-pending:" + settings.SECRET_KEY.encode()).digest()))
    for answers in answer_sets(2027, 3, keys):
        payload = {"answers": answers, "role_group": "volunteer"}
        m["PendingResponse"].objects.create(cycle=survey, sealed=fernet.encrypt(json.dumps(payload).encode()).decode())
        given.append((answers, "volunteer"))
    m["Participation"].objects.create(cycle=survey, user=staff)
    m["RespondentLink"].objects.create(cycle=survey, kind="shared", token_hash="s" * 64)
    m["RespondentLink"].objects.create(
        cycle=survey, kind="single", token_hash="t" * 64, email="invitee@elsewhere.example", delivery="sent"
    )
    m["InvitedAddress"].objects.create(cycle=survey, address_hash="a" * 64)
    m["MemberReminder"].objects.create(cycle=survey, user=lead, count=1)

    coalition = m["Coalition"].objects.create(name="Ontario Ally Network", slug="ontario", join_code_hash="h" * 64)
    coalition.stewards.add(steward)
    for organization in organizations:
        m["CoalitionMembership"].objects.create(
            coalition=coalition, organization=organization, consented_by=admin, consent_version="1"
        )
    stats = {"overall": {"n": 5, "suppressed": False, "q1": 55, "median": 60, "q3": 70, "p10": None, "p90": None}}
    snapshot = m["BenchmarkSnapshot"].objects.create(
        coalition=coalition, period=2025, published_by=steward, stats=stats, team_stats={}, scoring_version=2
    )
    m["PositionChart"].objects.create(snapshot=snapshot, cycle=closed[1], language="en", figure="{}")
    m["CoalitionEvent"].objects.create(coalition=coalition, actor=steward, action="published", data={"period": 2025})
    return {"survey": str(survey.pk), "given": given, "closed": [str(c.pk) for c in closed]}


MODELS = [
    ("accounts", "User"),
    ("accounts", "Organization"),
    ("accounts", "Membership"),
    ("accounts", "Invitation"),
    ("accounts", "AuditEvent"),
    ("assessment", "Questionnaire"),
    ("assessment", "Dimension"),
    ("assessment", "Item"),
    ("assessment", "Cycle"),
    ("assessment", "Response"),
    ("assessment", "Answer"),
    ("assessment", "PendingResponse"),
    ("assessment", "Participation"),
    ("assessment", "RespondentLink"),
    ("assessment", "InvitedAddress"),
    ("assessment", "MemberReminder"),
    ("assessment", "AuditSchedule"),
    ("assessment", "ScheduleNotice"),
    ("reports", "CycleReport"),
    ("reports", "Action"),
    ("coalitions", "Coalition"),
    ("coalitions", "CoalitionMembership"),
    ("coalitions", "BenchmarkSnapshot"),
    ("coalitions", "PositionChart"),
    ("coalitions", "CoalitionEvent"),
]


def every_row() -> dict[str, dict[str, dict[str, object]]]:
    """Return every row of every table, by table and primary key, as the database holds it."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            rows[table] = {repr(row): dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    # Keyed by the whole row above for tables without an id; by id where there is one.
    return {
        table: {str(row["id"]): row for row in found.values()}
        if found and "id" in next(iter(found.values()))
        else found
        for table, found in rows.items()
    }


@pytest.mark.django_db(transaction=True)
def test_a_site_at_release_0_2_0_upgrades_with_every_row_intact(client: Client):
    from accounts.models import AuditEvent, Membership, User
    from assessment.models import Cycle, PendingResponse, Response
    from assessment.services.cycles import cycle_close, cycle_results_recompute
    from assessment.services.pending import pending_open
    from coalitions.models import BenchmarkSnapshot, CoalitionMembership
    from reports.models import Action, CycleReport

    site = release_0_2_0_site(migrate(RELEASE_0_2_0))
    before = every_row()
    migrate(latest())
    after = every_row()

    assert len(before["assessment_cycle"]) == 5 and len(before["coalitions_coalitionmembership"]) == 2
    for table, rows in before.items():
        if table in RESEALED | DROPPED:
            continue
        assert table in after, f"{table} is gone"
        if table == "django_migrations":
            assert rows.keys() <= after[table].keys()
            continue
        assert after[table].keys() == rows.keys(), f"rows of {table} differ"
        for key, row in rows.items():  # new columns may come; none may go, and no value may change
            row = {column: value for column, value in row.items() if column not in MOVED.get(table, ())}
            assert row.keys() <= after[table][key].keys(), f"a column of {table} is gone"
            assert {column: after[table][key][column] for column in row} == row, f"{table} {key} changed"
    assert DROPPED.isdisjoint(after)
    # The 0.2.0 audit entry's text became the id of the audit it named.
    named = Cycle.objects.get(organization__slug="riverside", label="2025 staff survey")
    assert [event.data for event in AuditEvent.objects.all()] == [{"cycle": str(named.pk)}]
    # Closed audits keep their answers and scores to the row; only the emptied role group column goes.
    closed_responses = {
        k
        for k, r in before["assessment_response"].items()
        if uuid.UUID(str(r["cycle_id"])) != uuid.UUID(site["survey"])
    }
    assert closed_responses and closed_responses == after["assessment_response"].keys()
    for key in closed_responses:
        assert {c: v for c, v in before["assessment_response"][key].items() if c != "role_group"} == (
            after["assessment_response"][key]
        )
    assert {k for k, a in before["assessment_answer"].items() if str(a["response_id"]) in closed_responses} == (
        after["assessment_answer"].keys()
    )

    # The current code reads what 0.2.0 stored: the same results from the same answers, and pages.
    for cycle in Cycle.objects.filter(pk__in=site["closed"]):
        assert not cycle_results_recompute(cycle=cycle), f"{cycle} scores differently after the upgrade"
    assert CycleReport.objects.count() == 8 and Action.objects.get().status == "done"
    assert not CoalitionMembership.objects.exclude(confirmed_at=None).exists()  # the operator confirms them anew
    assert not BenchmarkSnapshot.objects.get().confirmed_members_only
    admin = User.objects.get(email="admin@riverside.example")
    assert admin.language == "fr" and Membership.objects.filter(user=admin).count() == 2
    login(client, admin)
    for cycle in Cycle.objects.filter(pk__in=site["closed"], organization__slug="riverside"):
        page = client.get(reverse("reports:cycle_report", args=["riverside", cycle.pk]), HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200 and cycle.label in page.content.decode()
    assert client.get(reverse("reports:trend", args=["riverside"])).status_code == 200

    # The open survey's answers, written out or waiting under the old seal, open with today's seal.
    survey = Cycle.objects.get(pk=site["survey"])
    assert not Response.objects.filter(cycle=survey).exists()
    assert PendingResponse.objects.filter(cycle=survey).count() == 6
    opened = sorted((json.dumps(s.answers, sort_keys=True), s.role_group) for s in pending_open(cycle=survey))
    given = sorted((json.dumps({k: str(v) for k, v in a.items()}, sort_keys=True), g) for a, g in site["given"])
    assert opened == given
    closed = cycle_close(cycle=survey, by=admin)
    assert closed.results["n"] == 6
    groups = {group: found["n"] for group, found in closed.results["role_groups"].items()}
    assert groups == {"frontline": 3, "volunteer": 3}
    assert Response.objects.filter(cycle=survey).count() == 6


def test_release_0_2_0_is_each_apps_last_migration_before_this_releases_first():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph  # the files, no database
    first_of_0_3_0 = {
        ("assessment", "0008_sealed_until_close"): ("assessment", "0007_questionnaire_translations"),
        ("accounts", "0011_invitation_approval_actions"): ("accounts", "0010_user_language"),
        ("coalitions", "0006_membership_confirmation"): ("coalitions", "0005_position_chart_per_language"),
    }
    for node, parent in first_of_0_3_0.items():
        assert parent in RELEASE_0_2_0 and parent in {found.key for found in graph.node_map[node].parents}, node
    assert all(node in graph.nodes for node in RELEASE_0_2_0)
