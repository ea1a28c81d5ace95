from django.core import mail

from assessment.models import Cycle, PendingResponse, RespondentLink
from tests.conftest import invitation_tokens
from tests.e2e.conftest import check_page, log_in


def _answer_current_page(page, value="2"):
    radios = page.locator(f"fieldset.question input[type=radio][value='{value}']")
    for index in range(radios.count()):
        radios.nth(index).check()


def _answer_through(browser, live_server, link, *, leave_after_first_page=False):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(link)
    check_page(page, name="respondent-landing")
    page.get_by_role("button", name="Start the survey").click()
    page.wait_for_url("**/r/continue/")
    check_page(page, name="respondent-page")
    _answer_current_page(page)
    if leave_after_first_page:
        page.get_by_role("button", name="Save and finish later").click()
        page.get_by_text("Your answers are saved").wait_for()
        page.close()
        # Later, in the same browser, they open the emailed link again: their answers win.
        page = context.new_page()
        page.console_errors = []
        page.goto(link)
        page.wait_for_url("**/r/continue/")
        assert page.get_by_role("button", name="Start the survey").count() == 0
        assert page.locator("fieldset.question input[type=radio][value='2']").first.is_checked()
        page.get_by_role("button", name="Save and continue").click()
    else:
        page.get_by_role("button", name="Save and continue").click()
    while page.get_by_role("heading", name="Finish").count() == 0:
        _answer_current_page(page)
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Which best describes your role? (optional)").select_option("frontline")
    check_page(page, name="respondent-finish")
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/r/thanks/")
    check_page(page)
    context.close()


def test_lead_runs_a_staff_survey_with_links(page, browser, live_server, lead, organization, questionnaire, tmp_path):
    log_in(page, lead.user.email)
    page.goto(f"/o/{organization.slug}/")
    check_page(page)
    page.get_by_role("link", name="Start a new audit").click()
    check_page(page)
    page.get_by_label("Label:").fill("Spring staff survey")
    page.get_by_label("Anonymous staff survey").check()
    page.get_by_role("button", name="Open the audit").click()
    page.get_by_text("“Spring staff survey” is open.").wait_for()
    check_page(page, name="cycle-open")
    cycle = Cycle.objects.get(label="Spring staff survey")

    page.get_by_label("Email addresses to invite").fill("ana@example.org\nbo@example.org\ncy@example.org")
    page.get_by_role("button", name="Send invitations").click()
    page.get_by_text("3 invitations are on their way").wait_for()
    check_page(page, name="cycle-invited")
    links = [f"{live_server.url}/r/{token}/" for token in invitation_tokens(mail.outbox)]
    assert len(links) == 3 and RespondentLink.objects.filter(cycle=cycle).count() == 3
    assert not any(token in page.content() for token in invitation_tokens(mail.outbox))

    _answer_through(browser, live_server, links[0], leave_after_first_page=True)
    _answer_through(browser, live_server, links[1])
    assert PendingResponse.objects.filter(cycle=cycle).count() == 2

    page.reload()
    assert page.locator("#response-count").inner_text() == "Fewer than 5 responses"
    page.get_by_role("link", name="Close the audit…").click()
    check_page(page, name="cycle-close-confirm")
    assert page.get_by_text("Fewer than 5 people have answered").is_visible()
    page.get_by_role("button", name="Close the audit").click()
    page.get_by_text("“Spring staff survey” is closed.").wait_for()
    assert "There is no report for this audit: only 2 people answered" in page.locator("#no-report").inner_text()
    check_page(page, name="cycle-closed-no-report")

    # A used link, and an unused one after closing, both explain themselves.
    page.goto(links[0])
    assert page.get_by_role("heading", name="This link cannot be used").is_visible()
    check_page(page, page_is_404=True)
