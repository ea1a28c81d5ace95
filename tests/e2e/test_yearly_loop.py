"""A lead's year: set the calendar, open the audit when due, invite, a respondent answers from the
emailed link, the lead reminds the others, sees the response rate and closes."""

import datetime

from django.core import mail
from django.utils import timezone

from assessment.models import Cycle
from tests.conftest import invitation_tokens
from tests.e2e.conftest import check_page, log_in


def test_schedule_open_invite_answer_remind_close(page, browser, live_server, lead, organization, questionnaire):
    log_in(page, lead.user.email)
    page.goto(f"/o/{organization.slug}/calendar/")
    check_page(page, name="calendar")
    this_month = timezone.localdate().month
    section = page.locator("section", has=page.get_by_role("heading", name="Anonymous staff survey"))
    section.get_by_label("Month:").select_option(str(this_month))
    section.get_by_label("Weeks open:").fill("3")
    section.get_by_role("button", name="Save").click()
    page.get_by_text("The audit calendar is saved.").wait_for()

    page.goto(f"/o/{organization.slug}/")
    calendar = page.locator("#audit-calendar")
    assert "due" in calendar.inner_text() or "overdue" in calendar.inner_text()
    check_page(page, name="dashboard-calendar")
    calendar.get_by_role("button", name="Open it now, with last time's settings").click()
    page.get_by_text("is open, with last time's settings").wait_for()
    cycle = Cycle.objects.get(organization=organization, mode="staff")
    assert cycle.closes_on == timezone.localdate() + datetime.timedelta(weeks=3)

    page.get_by_label("Email addresses to invite").fill("a@example.org\nb@example.org\nc@example.org")
    page.get_by_role("button", name="Send invitations").click()
    page.get_by_text("3 invitations are on their way").wait_for()
    first = invitation_tokens(mail.outbox)[0]

    respondent = browser.new_context(base_url=live_server.url).new_page()
    respondent.goto(f"/r/{first}/")
    respondent.get_by_role("button", name="Start the survey").click()
    respondent.wait_for_url("**/r/continue/")
    while respondent.get_by_role("heading", name="Finish").count() == 0:
        for fieldset in respondent.locator("fieldset.question").all():
            fieldset.get_by_label("Don't know").check()
        respondent.get_by_role("button", name="Save and continue").click()
    respondent.get_by_role("button", name="Submit answers").click()
    respondent.wait_for_url("**/r/thanks/")
    respondent.context.close()

    before = len(mail.outbox)
    page.get_by_label("A few words from you (optional)").fill("Ten minutes, before Friday.")
    page.get_by_role("button", name="Send reminders").click()
    page.get_by_text("Reminders are on their way: fewer than 5 invited addresses, fewer than 5 members.").wait_for()
    reminded = {m.to[0] for m in mail.outbox[before:]}
    assert {"b@example.org", "c@example.org"} <= reminded and "a@example.org" not in reminded
    check_page(page, name="cycle-reminded")

    page.get_by_role("link", name="Close the audit…").click()
    page.get_by_role("button", name="Close the audit").click()
    page.get_by_text("is closed.").wait_for()
    assert page.locator("#task-status").get_attribute("data-final") == "true"
    assert page.locator("#task-status [aria-current=step]").inner_text() == "Closed"
    check_page(page, name="cycle-closing-done")
    page.get_by_role("link", name="See why there is no report").click()
    assert "1 answer; 3 addresses were invited by email." in page.locator("#response-rate").inner_text()
    assert "1 people answered" in page.locator("#no-report").inner_text() or "only 1 person answered" in (
        page.locator("#no-report").inner_text()
    )
