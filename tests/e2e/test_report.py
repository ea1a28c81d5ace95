import pytest

from accounts.demo import DEMO_PASSWORD, build_demo_accounts
from assessment.demo import build_demo_audits
from assessment.instrument_file import read_crosswalk
from assessment.models import Cycle
from reports.models import CycleReport
from reports.selectors import CROSSWALK_FILE
from tests.e2e.conftest import check_page, log_in


@pytest.fixture
def demo(transactional_db):
    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    return organizations[0]


def _cells(page, selector):
    return [
        [cell.strip() for cell in row]
        for row in page.locator(f"{selector} tbody tr").evaluate_all(
            "rows => rows.map(r => Array.from(r.children).map(c => c.innerText))"
        )
    ]


def test_demo_report_renders_its_charts_and_tables(page, live_server, demo):
    cycle = Cycle.objects.get(organization=demo, label="2026 staff survey")
    log_in(page, f"lead@{demo.slug}.example", DEMO_PASSWORD)
    page.get_by_role("link", name=demo.name).click()
    check_page(page, name="dashboard-with-scores")
    page.get_by_role("link", name="Report “2026 staff survey”").first.click()
    page.wait_for_url(f"**/cycles/{cycle.id}/report/")
    # 2026 is the second audit on version 3: tested against 2025, with leadership's view of the
    # staff items beside the staff's answers, and a heat map of the two version 3 audits.
    for chart in ("chart-bars", "chart-change", "chart-perception", "chart-heatmap", "chart-trend"):
        page.locator(f"[data-figure='{chart}'] svg.main-svg").first.wait_for()
    check_page(page, name="report")
    assert page.locator("#change-across-versions").count() == 0
    assert page.locator("#change-table").is_visible()

    payload = CycleReport.objects.get(cycle=cycle, language="en").payload
    # The summary comes first and says whether any critical rule was seen broken.
    summary = page.locator("#summary-critical").inner_text()
    if payload["critical_gaps"]:
        assert all(gap["short"] in summary for gap in payload["critical_gaps"])
    else:
        assert summary == "No critical rule was reported broken."
    scores = _cells(page, "#scores-table")
    assert [row[0] for row in scores] == [row["name"] for row in payload["scores"]]
    assert [row[1] for row in scores] == [f"{row['mean']:.0f}" for row in payload["scores"]]
    # The rosy organization: leadership's view lies outside the staff's interval.
    perception = _cells(page, "#perception-table")
    assert len(perception) == len(payload["perception_gap"]["dimensions"]) == 3
    trend = _cells(page, "#trend-table")
    assert [(row[0], row[2]) for row in trend] == [(r["cycle"], f"{r['mean']:.0f}") for r in payload["trend"]["rows"]]

    page.get_by_role("link", name="Every audit over time").click()
    page.locator("[data-figure='chart-trend-staff'] svg.main-svg").first.wait_for()
    check_page(page, name="trend")


def test_first_report_on_version_3_sets_only_crosswalked_items_side_by_side(page, live_server, demo):
    cycle = Cycle.objects.get(organization=demo, label="2025 staff survey")
    log_in(page, f"lead@{demo.slug}.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/{demo.slug}/cycles/{cycle.id}/report/")
    page.locator("[data-figure='chart-trend'] svg.main-svg").first.wait_for()
    # 2025 is the first audit on questionnaire version 3: no test against 2024, and the trend says so.
    assert page.locator("#change-across-versions").is_visible()
    assert page.get_by_text("A dotted line marks a new questionnaire version (2025 staff survey)").is_visible()
    payload = CycleReport.objects.get(cycle=cycle, language="en").payload
    paired = {pair["to"][1] for pair in read_crosswalk(CROSSWALK_FILE) if pair["from"][0] == 2}
    shared = {row["key"] for row in payload["change"]["shared_items"]}
    assert shared and shared <= paired and page.locator("#shared-items-table").count() == 1
    assert page.get_by_text("Below, the practices both versions ask about with the same meaning").is_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_report_reads_before_any_chart_script(browser, live_server, demo, javascript):
    """The words and tables need no script: without JavaScript the report reads whole, and with
    it the chart library is fetched only after the first paint, and a chart far down the page
    only once the reader comes near it (or the page is idle)."""
    cycle = Cycle.objects.get(organization=demo, label="2026 staff survey")
    context = browser.new_context(base_url=live_server.url, locale="en-CA", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, f"lead@{demo.slug}.example", DEMO_PASSWORD)
    page.goto(f"/o/{demo.slug}/cycles/{cycle.id}/report/")
    payload = CycleReport.objects.get(cycle=cycle, language="en").payload
    scores = _cells(page, "#scores-table")
    assert [row[1] for row in scores] == [f"{row['mean']:.0f}" for row in payload["scores"]]
    assert page.locator("#summary-score").is_visible() and page.locator("#trend-table").count() == 1
    if not javascript:
        assert page.locator("svg.main-svg").count() == 0
        context.close()
        return
    page.locator("html[data-charts-ready='true']").wait_for()
    timing = page.evaluate(
        """() => ({
            paint: performance.getEntriesByName('first-contentful-paint')[0].startTime,
            plotly: performance.getEntriesByType('resource').find(e => e.name.includes('plotly')).startTime,
        })"""
    )
    assert timing["plotly"] > timing["paint"], f"the chart library was fetched before the first paint: {timing}"
    assert page.locator("[data-figure] svg.main-svg").count() >= 5
    context.close()
