"""On a phone, a staff member's dashboard asks them to answer the open survey above the fold, and
thanks them once they have; a lead's shows the survey's progress in steps of the minimum."""

from assessment.models import Cycle
from assessment.services.cycles import cycle_create
from tests.e2e.conftest import check_page, log_in

PHONE = {"width": 390, "height": 844}


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-CA", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return context, page


def _above_the_fold(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None, "not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_staff_answer_from_the_phone_dashboard_and_are_thanked(
    browser, live_server, staff, lead, admin, organization, questionnaire
):
    # Some history first, so the call is not alone on the page.
    for year in (2024, 2025):
        cycle_create(
            organization=organization,
            by=admin.user,
            questionnaire=questionnaire,
            label=f"{year} self-audit",
            mode=Cycle.Mode.TEAM,
            opens_on=f"{year}-02-01",
        )
    survey = cycle_create(
        organization=organization,
        by=admin.user,
        questionnaire=questionnaire,
        label="Spring staff survey",
        mode=Cycle.Mode.STAFF,
        opens_on="2026-03-01",
        closes_on="2026-12-31",
        min_responses=3,
    )
    context, page = _phone(browser, live_server)
    log_in(page, staff.user.email)
    page.goto(f"/o/{organization.slug}/")
    answer = page.get_by_role("link", name="Answer the survey")
    assert answer.count() == 1
    _above_the_fold(page, answer)
    check_page(page, name="dashboard-phone-call-to-answer")

    answer.click()
    page.get_by_role("button", name="Start the survey").click()
    while page.get_by_role("button", name="Submit answers").count() == 0:
        radios = page.locator("fieldset.question input[type=radio][value='2']")
        for index in range(radios.count()):
            radios.nth(index).check()
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(f"**/o/{organization.slug}/")

    thanks = page.get_by_role("heading", name="Thank you, your answer is in")
    _above_the_fold(page, thanks)
    assert page.get_by_role("link", name="Answer the survey").count() == 0
    assert page.get_by_role("link", name="Finish your answers").count() == 0
    assert page.get_by_role("link", name=f"Answer “{survey.label}”").count() == 0
    check_page(page, name="dashboard-phone-thanked")
    page.reload()  # the thank-you stays, it is not only the message after submitting
    _above_the_fold(page, page.get_by_role("heading", name="Thank you, your answer is in"))
    context.close()

    context, page = _phone(browser, live_server)
    log_in(page, lead.user.email)
    page.goto(f"/o/{organization.slug}/")
    progress = page.locator(f"#progress-{survey.id} .progress-count")
    assert progress.inner_text() == "Fewer than 3 responses"
    box = progress.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    check_page(page, name="dashboard-phone-lead")
    context.close()
