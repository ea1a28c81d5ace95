"""From version 3 of the leadership checklist, levels 2 and 3 count only with an evidence note."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from assessment.instrument_file import check_instrument
from assessment.models import Cycle
from assessment.services.cycles import cycle_create
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import response_save_answers, response_submit
from reports.exports import report_tables
from reports.services import cycle_report_build
from reports.views import EXPORT_LABELS
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _checklist(version):
    def entry(key, dimension):
        levels = ["none", "some", "written", "checked"]
        words = {"text": f"We have {key}.", "short": key, "levels": levels, "recommendation": "Write it."}
        return {"key": key, "dimension": dimension, "scale": "maturity", "sources": ["Q10"], **words}

    data = {
        "slug": "checklist",
        "version": version,
        "title": "Checklist",
        "form": "checklist",
        "dimensions": [{"key": key, "name": key.title()} for key in ("consent", "confidentiality", "non_judgment")],
        "items": [
            entry("ask-first", "consent"),
            entry("closed-door", "confidentiality"),
            entry("no-label", "non_judgment"),
        ],
    }
    questionnaire, _ = questionnaire_load(data=check_instrument(data), crosswalk=[])
    return questionnaire


def _audit(organization, lead, questionnaire, notes):
    cycle = cycle_create(
        organization=organization, by=lead.user, questionnaire=questionnaire, label="2027 self-audit",
        mode=Cycle.Mode.TEAM, opens_on="2026-03-01",
    )  # fmt: skip
    response = cycle.responses.get()
    answers = {"ask-first": "3", "closed-door": "3", "no-label": "0"}
    response_save_answers(response=response, answers=answers, notes=notes, by=lead.user)
    response_submit(response=response, user=lead.user)
    cycle.refresh_from_db()
    return cycle, response


def test_a_level_3_without_evidence_scores_as_level_1_and_the_report_says_so(client, organization, lead):
    cycle, response = _audit(organization, lead, _checklist(3), {"closed-door": "Policy 4, training log 2026"})
    assert cycle.results["unevidenced"] == {"ask-first": 3}
    assert cycle.results["dimensions"]["consent"]["mean"] == pytest.approx(100 / 3)
    assert cycle.results["dimensions"]["confidentiality"]["mean"] == pytest.approx(100.0)
    response.refresh_from_db()
    assert response.scores["consent"] == pytest.approx(100 / 3)
    payload = cycle_report_build(cycle=cycle)
    assert [(row["key"], row["claimed"]) for row in payload["unevidenced"]] == [("ask-first", 3)]
    page = render_to_string("reports/_claimed.html", {"item": payload["unevidenced"][0]})
    assert page == "Level 3 claimed, no evidence named"
    login(client, lead.user)
    for name in ("reports:cycle_report", "reports:board_summary"):
        shown = client.get(reverse(name, args=[organization.slug, cycle.id])).content.decode()
        assert "Level 3 claimed, no evidence named" in shown, name
        assert "Level 2 claimed" not in shown
    summary = report_tables(payload, EXPORT_LABELS)[0]
    assert ["Practice", "ask-first: Level 3 claimed, no evidence named"] in [[str(c) for c in r] for r in summary.rows]


def test_a_level_3_with_evidence_scores_3(organization, lead):
    notes = {"ask-first": "Consent form, checked each quarter", "closed-door": "Policy 4"}
    cycle, _ = _audit(organization, lead, _checklist(3), notes)
    assert cycle.results["unevidenced"] == {}
    assert cycle.results["dimensions"]["consent"]["mean"] == pytest.approx(100.0)


def test_before_version_3_a_level_needs_no_evidence(organization, lead):
    cycle, _ = _audit(organization, lead, _checklist(2), {})
    assert "unevidenced" not in cycle.results
    assert cycle.results["dimensions"]["consent"]["mean"] == pytest.approx(100.0)


def test_rescoring_keeps_the_evidence_rule(organization, lead):
    """`recompute_results` scored a self-audit's response again without its evidence notes, so a
    level 3 claimed without evidence counted as 3 in the stored response scores."""
    from assessment.services.cycles import cycle_results_recompute

    cycle, response = _audit(organization, lead, _checklist(3), {"closed-door": "Policy 4, training log 2026"})
    response.refresh_from_db()
    scored = response.scores
    assert scored["consent"] == pytest.approx(100 / 3)
    assert cycle_results_recompute(cycle=cycle) is False
    response.refresh_from_db()
    assert response.scores == scored
