import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User


def test_demo_refuses_production(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="ALLY_ENV=production"):
        call_command("demo", "--no-serve")
    assert not User.objects.exists()


@pytest.fixture
def demo_audits(db):
    from accounts.demo import build_demo_accounts
    from assessment.demo import build_demo_audits

    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    return organizations


def test_demo_answers_behave_like_a_real_staff_survey(demo_audits):
    """Pooled reliability 0.7–0.9 in every dimension of both versions, person-level spread of
    12–20 points, and one organization whose leadership sees itself far better than its staff do."""
    import json
    import statistics
    from io import StringIO

    from assessment.models import Cycle

    out = StringIO()
    call_command("psychometrics", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {(row["version"], row["dimension"]) for row in rows} == {
        (version, key) for version in (2, 3) for key in ("consent", "confidentiality", "non_judgment")
    }
    for row in rows:
        assert 0.7 <= row["alpha"] <= 0.9, row
        # Complete answer sets only: version 2 has one year of surveys, with don't-knows on facts.
        assert row["n"] >= 30, row
    spreads = [
        summary["sd"]
        for cycle in Cycle.objects.filter(mode="staff", status="closed", results__reportable=True)
        for summary in cycle.results["dimensions"].values()
    ]
    assert 12 <= statistics.median(spreads) <= 20
    first = demo_audits[0]
    team = Cycle.objects.get(organization=first, mode="team", label__startswith="2026")
    staff = Cycle.objects.get(organization=first, mode="staff", label__startswith="2026")
    assert team.results["overall"]["mean"] - staff.results["overall"]["mean"] > 20


def test_demo_years_are_on_version_2_then_3(demo_audits):
    from assessment.models import Cycle

    versions = {
        (cycle.label[:4], cycle.questionnaire.version)
        for cycle in Cycle.objects.filter(status="closed").exclude(mode="community").select_related("questionnaire")
    }
    assert versions == {("2024", 2), ("2025", 3), ("2026", 3)}


def test_demo_people_served_see_two_practices_less_well_than_staff(demo_audits):
    from assessment.demo import COMMUNITY_ORGANIZATION, COMMUNITY_YEARS, SERVED_SEE_LESS
    from assessment.models import Cycle
    from reports.services import cycle_report_build

    organization = demo_audits[COMMUNITY_ORGANIZATION]
    feedback = Cycle.objects.filter(organization=organization, mode="community")
    assert sorted(cycle.closed_on.year for cycle in feedback if cycle.is_reportable) == list(COMMUNITY_YEARS)
    assert not Cycle.objects.filter(mode="community").exclude(organization=organization).exists()
    for mode in ("staff", "team"):
        cycle = Cycle.objects.get(organization=organization, mode=mode, closed_on__year=2026)
        views = cycle_report_build(cycle=cycle)["three_views"]
        assert [column["mode"] for column in views["columns"]] == ["team", "staff", "community"]
        lower = {row["practice"] for row in views["practices"] if row["verdict"] == "lower"}
        assert lower == set(SERVED_SEE_LESS), lower


def test_demo_critical_rules_kept_by_most_broken_by_two_and_shown_as_counts(demo_audits):
    from assessment.demo import BREAKS_RULE
    from assessment.models import Cycle, Item
    from reports.services import cycle_report_build

    for index, organization in enumerate(demo_audits):
        staff = Cycle.objects.get(organization=organization, mode="staff", label="2026 staff survey")
        report = cycle_report_build(cycle=staff)
        gaps = report["critical_gaps"]
        if index in BREAKS_RULE:
            rules = Item.objects.filter(questionnaire=staff.questionnaire, scale=Item.Scale.BREAKS, critical=True)
            broken = {item.key for item in rules if BREAKS_RULE[index] in item.practices}
            assert gaps and {gap["key"] for gap in gaps} <= broken
            assert all(0 < gap["breaks"] < gap["n"] for gap in gaps)  # some of the staff, as a count
        else:
            assert gaps == [], organization.slug
    best = max(
        demo_audits,
        key=lambda o: Cycle.objects.get(organization=o, label="2026 staff survey").results["overall"]["mean"],
    )
    assert demo_audits.index(best) not in BREAKS_RULE


def test_demo_level_claimed_without_evidence_counts_as_level_1_and_says_so(demo_audits, client):
    from accounts.models import User
    from assessment.demo import ROSY, ROSY_UNEVIDENCED
    from assessment.models import Cycle

    team = Cycle.objects.get(organization=demo_audits[ROSY], mode="team", label="2026 leadership self-audit")
    (item,) = [
        item
        for item in team.questionnaire.items.filter(scale="maturity", staff_view=False)
        if ROSY_UNEVIDENCED in item.practices
    ]
    assert team.results["unevidenced"] == {item.key: 3}
    assert team.results["item_means"][item.key] == pytest.approx(100 / 3)
    assert item.key in team.results["critical_gaps"]
    client.force_login(User.objects.get(email=f"admin@{demo_audits[ROSY].slug}.example"))
    page = client.get(reverse("reports:cycle_report", args=[demo_audits[ROSY].slug, team.pk]))
    assert "Level 3 claimed, no evidence named" in page.content.decode()


def test_demo_rosy_perception_gap_is_clear_on_the_paired_items(demo_audits):
    from assessment.demo import ROSY
    from assessment.models import Cycle
    from reports.services import cycle_report_build

    staff = Cycle.objects.get(organization=demo_audits[ROSY], label="2026 staff survey")
    gap = cycle_report_build(cycle=staff)["perception_gap"]
    assert gap["practices"] and all(row["key"] in staff.results["item_stats"] for row in gap["practices"])
    assert all(row["clear"] and row["self"] > row["staff"] for row in gap["dimensions"])
    assert len(gap["dimensions"]) == 3


def test_demo_edge_cases_a_director_meets(demo_audits):
    from assessment.demo import AT_MINIMUM, BELOW_MINIMUM, LOW_RATE, LOW_RATE_INVITED
    from assessment.models import Cycle
    from reports.services import cycle_report_build

    def survey(case):
        index, year = case
        return Cycle.objects.get(organization=demo_audits[index], label=f"{year} staff survey")

    at = survey(AT_MINIMUM)
    assert at.results["n"] == at.min_responses and at.results["reportable"]
    below = survey(BELOW_MINIMUM)
    assert not below.results["reportable"]
    low = survey(LOW_RATE)
    rate = cycle_report_build(cycle=low)["response_rate"]
    assert rate["invited"] == LOW_RATE_INVITED and rate["low"]


def test_the_benchmark_runs_end_to_end_at_scale_s(tmp_path):
    """So the command cannot rot: it builds S in its own database and measures every row (no timing asserted)."""
    import json
    from io import StringIO

    out = tmp_path / "bench.json"
    call_command("bench", "--scale", "S", "--runs", "1", "--json", str(out), stdout=StringIO())
    results = json.loads(out.read_text())["results"]
    expected = {
        "floor (trivial login-required page)",
        "dashboard",
        "report",
        "trend",
        "export CSV",
        "export XLSX",
        "export JSON",
        "board summary print",
        "benchmark view",
        "steward page",
        "submit a response",
        "close a survey",
        "publish a snapshot",
    }
    assert set(results) == expected
    assert all(row["queries"] <= 20 for row in results.values())


def test_demo_reset_refuses_production(settings, db, user_factory):
    kept = user_factory("someone@example.org")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="ALLY_ENV=production"):
        call_command("demo", "--no-serve", "--reset")
    assert User.objects.filter(pk=kept.pk).exists()


@pytest.fixture
def light_demo(monkeypatch):
    """The demo command with its audits and coalitions left out (they take half a minute to build)."""
    from home.management.commands import demo

    monkeypatch.setattr(demo, "build_demo_audits", lambda organizations: None)
    monkeypatch.setattr(demo, "build_demo_actions", lambda organizations: None)
    monkeypatch.setattr(demo, "build_demo_coalitions", lambda organizations: [])


@pytest.mark.django_db(transaction=True)
def test_demo_reset_deletes_what_changed_since_and_rebuilds(light_demo, user_factory, capsys):
    from accounts.demo import DEMO_PASSWORD
    from accounts.models import Organization

    call_command("demo", "--no-serve")
    first = Organization.objects.get(slug="riverside-legal")
    first.name = "Renamed by a visitor"
    first.save(update_fields=["name"])
    user_factory("visitor@example.org")
    # Run again without --reset: the demo is safe to repeat and keeps what visitors changed.
    call_command("demo", "--no-serve")
    assert User.objects.filter(email="visitor@example.org").exists()
    assert Organization.objects.get(slug="riverside-legal").name == "Renamed by a visitor"

    call_command("demo", "--no-serve", "--reset")
    assert not User.objects.filter(email="visitor@example.org").exists()
    rebuilt = Organization.objects.get(slug="riverside-legal")
    assert rebuilt.name != "Renamed by a visitor" and rebuilt.pk != first.pk
    assert User.objects.get(email="admin@riverside-legal.example").check_password(DEMO_PASSWORD)
    assert "Deleting everything in the database" in capsys.readouterr().out
