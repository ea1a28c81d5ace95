"""The main pages at desktop and phone widths: nothing wider than the screen, axe clean (scrollable
tables reachable by keyboard included), charts drawn."""

import pytest

from accounts.demo import DEMO_PASSWORD, build_demo_accounts
from assessment.demo import build_demo_audits
from assessment.models import Cycle
from coalitions.demo import build_demo_coalitions
from coalitions.models import BenchmarkSnapshot, Coalition
from tests.e2e.conftest import check_page, log_in

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo(transactional_db):
    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    build_demo_coalitions(organizations)
    return organizations[0]


@pytest.mark.parametrize("size", WIDTHS)
def test_main_pages_fit_the_screen(browser, live_server, demo, size):
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[size], locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    log_in(page, f"lead@{demo.slug}.example", DEMO_PASSWORD)
    cycle = Cycle.objects.get(organization=demo, label="2026 staff survey")
    pages = {
        "dashboard": (f"/o/{demo.slug}/", []),
        "report": (f"/o/{demo.slug}/cycles/{cycle.id}/report/", ["chart-bars", "chart-trend"]),
        "trend": (f"/o/{demo.slug}/trend/", ["chart-trend-staff"]),
    }
    for name, (url, charts) in pages.items():
        page.goto(url)
        for chart in charts:
            page.locator(f"[data-figure='{chart}'] svg.main-svg").first.wait_for()
        if charts:
            page.locator("html[data-charts-ready='true']").wait_for()
            drawn = page.evaluate("performance.getEntriesByName('charts-drawn')[0].startTime")
            print(f"{name} at {size}: charts drawn {drawn:.0f} ms after navigation")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTHS[size]["width"], f"{name} is {width}px wide at {size}"
        check_page(page, name=f"{name}-{size}")
    context.clear_cookies()
    log_in(page, f"admin@{demo.slug}.example", DEMO_PASSWORD)
    page.goto(f"/o/{demo.slug}/members/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS[size]["width"], f"members is {width}px wide at {size}"
    check_page(page, name=f"members-{size}")
    admin_pages = {"settings": f"/o/{demo.slug}/settings/", "calendar": f"/o/{demo.slug}/calendar/"}
    _check_pages(page, admin_pages, size)
    context.clear_cookies()
    # The steward's pages: the coalition, the publishing confirmation and a published year.
    log_in(page, "steward@ally-network.example", DEMO_PASSWORD)
    coalition = Coalition.objects.get(name="Ontario Ally Network")
    year = BenchmarkSnapshot.objects.filter(coalition=coalition).latest("period").period
    steward_pages = {
        "coalition-steward": f"/c/{coalition.slug}/",
        "coalition-publish": f"/c/{coalition.slug}/publish/",
        "benchmark-steward": f"/c/{coalition.slug}/benchmark/{year}/",
    }
    _check_pages(page, steward_pages, size)
    context.clear_cookies()
    # A member's view of the coalition, and a staff member answering the open survey.
    log_in(page, f"staff1@{demo.slug}.example", DEMO_PASSWORD)
    survey = Cycle.objects.get(organization=demo, status=Cycle.Status.OPEN, mode=Cycle.Mode.STAFF)
    page.goto(f"/o/{demo.slug}/cycles/{survey.id}/respond/")
    page.get_by_role("button", name="Start the survey").click()
    page.get_by_role("radio").first.wait_for()
    _check_pages(page, {"survey": None}, size)
    context.clear_cookies()
    log_in(page, f"lead@{demo.slug}.example", DEMO_PASSWORD)
    _check_pages(page, {"benchmark-member": f"/c/{coalition.slug}/benchmark/{year}/"}, size)
    context.close()


def _check_pages(page, pages, size):
    """Open each page (or check the one open, for None) and assert it fits the width and passes axe."""
    for name, url in pages.items():
        if url:
            page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTHS[size]["width"], f"{name} is {width}px wide at {size}"
        check_page(page, name=f"{name}-{size}")
