"""Questionnaire version 2 in the browser: a staff survey answered on a phone, and the leadership
checklist with evidence notes."""

import pytest
from django.core import mail
from django.core.management import call_command

from assessment.demo import CHECKLIST_2_PATH, INSTRUMENT_PATH, STAFF_2_PATH
from assessment.models import Cycle, PendingResponse
from tests.conftest import invitation_tokens
from tests.e2e.conftest import check_page, log_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def version_2(transactional_db):
    for path in (INSTRUMENT_PATH, STAFF_2_PATH, CHECKLIST_2_PATH):
        call_command("load_questionnaire", str(path), verbosity=0)


def _no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _open_audit(page, organization, label, kind):
    page.goto(f"/o/{organization.slug}/cycles/new/")
    page.get_by_label("Label:").fill(label)
    page.get_by_label(kind).check()
    page.get_by_role("button", name="Open the audit").click()
    page.get_by_text(f"“{label}” is open.").wait_for()


def test_staff_survey_version_2_on_a_phone(page, browser, live_server, lead, organization, version_2):
    log_in(page, lead.user.email)
    _open_audit(page, organization, "Staff survey 2026", "Anonymous staff survey")
    cycle = Cycle.objects.get(label="Staff survey 2026")
    assert (cycle.questionnaire.slug, cycle.questionnaire.version) == ("ally-readiness", 2)
    page.get_by_label("Email addresses to invite").fill("phone@example.org")
    page.get_by_role("button", name="Send invitations").click()
    page.get_by_text("1 invitation is on its way").wait_for()
    link = f"{live_server.url}/r/{invitation_tokens(mail.outbox)[0]}/"

    phone = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-CA", is_mobile=True)
    respondent = phone.new_page()
    respondent.console_errors = []
    respondent.on("console", lambda m: m.type == "error" and respondent.console_errors.append(m.text))
    respondent.goto(link)
    check_page(respondent, name="v2-phone-landing")
    _no_horizontal_overflow(respondent)
    respondent.get_by_role("button", name="Start the survey").click()
    respondent.wait_for_url("**/r/continue/")
    first = True
    while respondent.get_by_role("heading", name="Finish").count() == 0:
        for fieldset in respondent.locator("fieldset.question").all():
            fieldset.get_by_label("Sometimes").or_(fieldset.get_by_label("Partly")).or_(
                fieldset.get_by_label("Neither agree nor disagree")
            ).first.check()
        if first:
            check_page(respondent, name="v2-phone-question")
            _no_horizontal_overflow(respondent)
            first = False
        respondent.get_by_role("button", name="Save and continue").click()
    check_page(respondent, name="v2-phone-finish")
    respondent.get_by_role("button", name="Submit answers").click()
    respondent.wait_for_url("**/r/thanks/")
    phone.close()
    assert PendingResponse.objects.filter(cycle=cycle).count() == 1


def test_leadership_checklist_with_evidence_notes(page, live_server, lead, organization, version_2):
    log_in(page, lead.user.email)
    _open_audit(page, organization, "Leadership 2026", "Leadership self-audit")
    cycle = Cycle.objects.get(label="Leadership 2026")
    assert cycle.questionnaire.form == "checklist"
    page.goto(f"/o/{organization.slug}/cycles/{cycle.id}/respond/")
    first = page.locator("fieldset.question").first
    assert first.get_by_label("Written, trained and checked:", exact=False).count() == 1
    check_page(page, name="v2-checklist")
    first.get_by_label("Evidence (optional):", exact=False).fill("Consent policy, section 2; training log 2026.")
    while page.get_by_role("heading", name="Finish").count() == 0:
        for fieldset in page.locator("fieldset.question").all():
            fieldset.get_by_label("Written down and known to staff", exact=False).check()
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_text("Your answers are submitted").wait_for()
    cycle.refresh_from_db()
    assert cycle.is_reportable
    assert "Consent policy, section 2; training log 2026." in cycle.results["notes"].values()
    page.goto(f"/o/{organization.slug}/cycles/{cycle.id}/report/")
    page.get_by_text("Consent policy, section 2; training log 2026.").wait_for()
    check_page(page, name="v2-checklist-report")
