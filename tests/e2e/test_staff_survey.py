from datetime import date

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
        # They come back where they stopped: the first page with a question unanswered.
        assert page.locator("#progress-label").inner_text().startswith("Page 2 of")
        page.get_by_role("navigation", name="Survey pages").get_by_role("button").first.click()
        page.wait_for_url("**/r/continue/?page=1")
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
    page.get_by_role("link", name="See why there is no report").click()
    assert "There is no report for this audit: only 2 people answered" in page.locator("#no-report").inner_text()
    check_page(page, name="cycle-closed-no-report")

    # A used link, and an unused one after closing, both explain themselves.
    page.goto(links[0])
    assert page.get_by_role("heading", name="This link cannot be used").is_visible()
    check_page(page, page_is_404=True)


def test_steps_and_the_language_choice_keep_typed_answers(page, live_server, lead, organization, questionnaire):
    """Typed answers survive a step of the page list, the language choice and leaving the tab."""
    from assessment.services.cycles import cycle_create
    from assessment.services.links import invitations_send

    cycle = cycle_create(
        organization=organization,
        by=lead.user,
        questionnaire=questionnaire,
        label="Steps",
        mode="staff",
        opens_on=date.today(),
    )
    invitations_send(cycle=cycle, by=lead.user, addresses=["steps@example.org"], site_url=live_server.url)
    page.goto(f"/r/{invitation_tokens(mail.outbox)[-1]}/")
    page.get_by_role("button", name="Start the survey").click()
    page.wait_for_url("**/r/continue/")
    _answer_current_page(page, "1")
    steps = page.get_by_role("navigation", name="Survey pages").get_by_role("button")
    # The steps read as one row of links above the questions, the current one marked.
    boxes = [steps.nth(n).bounding_box() for n in range(3)]
    assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"] and boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    assert boxes[0]["y"] < page.locator("fieldset.question").first.bounding_box()["y"]
    assert steps.first.get_attribute("aria-current") == "step"
    check_page(page, name="survey-steps")

    steps.nth(2).click()
    page.wait_for_url("**/r/continue/?page=3")
    steps.first.click()
    page.wait_for_url("**/r/continue/?page=1")
    radios = page.locator("fieldset.question input[type=radio][value='1']")
    assert radios.count() >= 5 and all(radios.nth(n).is_checked() for n in range(radios.count()))

    steps.nth(1).click()
    page.wait_for_url("**/r/continue/?page=2")
    _answer_current_page(page, "2")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Save and change language").click()
    page.wait_for_url("**/r/continue/?page=2")
    assert page.locator("html").get_attribute("lang") == "fr"
    radios = page.locator("fieldset.question input[type=radio][value='2']")
    assert all(radios.nth(n).is_checked() for n in range(radios.count()))
    check_page(page, name="survey-steps-fr")

    # A change not yet posted asks before the page is left another way (back button, closed tab).
    page.locator("fieldset.question input[type=radio][value='0']").first.check()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
