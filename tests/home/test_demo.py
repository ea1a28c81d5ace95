import pytest
from django.core.management import CommandError, call_command

from accounts.models import User


def test_demo_refuses_production(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="ALLY_ENV=production"):
        call_command("demo", "--no-serve")
    assert not User.objects.exists()


def test_demo_answers_behave_like_a_real_staff_survey(db):
    """Pooled reliability 0.7–0.9 in every dimension, person-level spread of 12–20 points, and one
    organization whose leadership sees itself far better than its staff do."""
    import json
    import statistics
    from io import StringIO

    from accounts.demo import build_demo_accounts
    from assessment.demo import build_demo_audits
    from assessment.models import Cycle

    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    out = StringIO()
    call_command("psychometrics", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {row["dimension"] for row in rows} == {"consent", "confidentiality", "non_judgment"}
    for row in rows:
        assert 0.7 <= row["alpha"] <= 0.9, row
        assert row["n"] >= 50  # complete answer sets, pooled per version
    spreads = [
        summary["sd"]
        for cycle in Cycle.objects.filter(mode="staff", status="closed", results__reportable=True)
        for summary in cycle.results["dimensions"].values()
    ]
    assert 12 <= statistics.median(spreads) <= 20
    first = organizations[0]
    team = Cycle.objects.get(organization=first, mode="team", label__startswith="2026")
    staff = Cycle.objects.get(organization=first, mode="staff", label__startswith="2026")
    assert team.results["overall"]["mean"] - staff.results["overall"]["mean"] > 20
    assert "checklist-police-consent" in team.results["critical_gaps"]  # "written" but not trained and checked


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
