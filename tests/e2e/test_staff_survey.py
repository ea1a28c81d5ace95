from pathlib import Path

from assessment.models import Cycle, RespondentLink, Response
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
        # Later, in the same browser: the answers are still there.
        page = context.new_page()
        page.console_errors = []
        page.goto("/r/continue/")
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

    page.get_by_label("Single-use", exact=True).check()
    page.get_by_label("How many single-use links:").fill("3")
    with page.expect_download() as download:
        page.get_by_role("button", name="Make links").click()
    csv_path = tmp_path / "links.csv"
    download.value.save_as(csv_path)
    links = Path(csv_path).read_text().split()[1:]
    assert len(links) == 3 and RespondentLink.objects.filter(cycle=cycle).count() == 3

    _answer_through(browser, live_server, links[0], leave_after_first_page=True)
    _answer_through(browser, live_server, links[1])
    assert Response.objects.filter(cycle=cycle, status="submitted").count() == 2

    page.reload()
    assert page.locator("#response-count").inner_text() == "2 responses submitted"
    assert page.get_by_text("Only 2 of the minimum 5 responses are in").is_visible()
    page.get_by_role("button", name="Close the audit").click()
    page.get_by_text("“Spring staff survey” is closed.").wait_for()
    assert "There is no report for this audit: only 2 people answered" in page.locator("#no-report").inner_text()
    check_page(page, name="cycle-closed-no-report")

    # A used link, and an unused one after closing, both explain themselves.
    page.goto(links[0])
    assert page.get_by_role("heading", name="This link cannot be used").is_visible()
    check_page(page, page_is_404=True)
