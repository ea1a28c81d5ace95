"""The close's bulk path (``cycle_closed_import``, used by the benchmark) gives the results the
respondent's path and the close give for the same answers."""

from datetime import date

import pytest

from assessment.demo import CHECKLIST_3_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Answer, Cycle
from assessment.services.cycles import cycle_close, cycle_closed_import, cycle_create
from assessment.services.links import shared_link_create
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import response_save_answers, response_submit
from tests.conftest import submit_through_link

pytestmark = pytest.mark.django_db
COMPARED = ("reportable", "n", "dimensions", "overall", "item_stats", "critical_gaps", "practices", "unevidenced")


def _answers(questionnaire, values):
    items = list(questionnaire.items.order_by("order"))

    def value(item, k):
        return "dk" if k % 7 == 0 else str(min(item.max_value, k % 5))

    return [{item.key: value(item, i + n) for i, item in enumerate(items)} for n in values]


def test_a_staff_survey_imported_closed_matches_one_answered_and_closed(admin, questionnaire):
    answer_sets = _answers(questionnaire, range(6))
    answered = cycle_create(
        organization=admin.organization, by=admin.user, questionnaire=questionnaire, label="Answered",
        mode=Cycle.Mode.STAFF, opens_on="2025-03-01", min_responses=5,
    )  # fmt: skip
    token = shared_link_create(cycle=answered, by=admin.user)
    for answers in answer_sets:
        submit_through_link(token, answers)
    answered = cycle_close(cycle=answered, by=admin.user, on=date(2025, 4, 1))
    imported = cycle_closed_import(
        organization=admin.organization, questionnaire=questionnaire, mode=Cycle.Mode.STAFF, label="Imported",
        opens_on=date(2025, 3, 1), closed_on=date(2025, 4, 1), min_responses=5, answer_sets=answer_sets,
    )  # fmt: skip
    assert imported.is_reportable and imported.closed_on == date(2025, 4, 1)
    assert {k: imported.results.get(k) for k in COMPARED} == {k: answered.results.get(k) for k in COMPARED}
    assert imported.means == answered.means
    assert Answer.objects.filter(response__cycle=imported).count() == len(answer_sets) * questionnaire.items.count()


def test_a_self_audit_imported_closed_matches_one_submitted_under_the_evidence_rule(admin, lead):
    checklist, _ = questionnaire_load(data=read_instrument_file(CHECKLIST_3_PATH))
    (answers,) = _answers(checklist, [3])
    submitted = cycle_create(
        organization=admin.organization, by=lead.user, questionnaire=checklist, label="Submitted",
        mode=Cycle.Mode.TEAM, opens_on="2026-03-01",
    )  # fmt: skip
    response = submitted.responses.get()
    response_save_answers(response=response, answers=answers, by=lead.user)
    response_submit(response=response, user=lead.user)
    submitted.refresh_from_db()
    imported = cycle_closed_import(
        organization=admin.organization, questionnaire=checklist, mode=Cycle.Mode.TEAM, label="Imported",
        opens_on=date(2026, 3, 1), closed_on=date(2026, 3, 2), min_responses=5, answer_sets=[answers],
    )  # fmt: skip
    assert imported.results["unevidenced"]  # levels claimed without notes count as level 1
    assert {k: imported.results.get(k) for k in COMPARED} == {k: submitted.results.get(k) for k in COMPARED}
    assert imported.responses.get().scores == response.__class__.objects.get(pk=response.pk).scores
