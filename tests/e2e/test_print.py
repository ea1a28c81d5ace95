"""The board pack: the report and the one-page board summary, printed to PDF in Chromium."""

import io
import unicodedata

import pytest
from django.template.defaultfilters import floatformat
from pypdf import PdfReader

from accounts.demo import DEMO_PASSWORD, build_demo_accounts
from assessment.demo import build_demo_audits
from assessment.models import Cycle
from reports.demo import build_demo_actions
from reports.models import CycleReport
from tests.e2e.conftest import ARTIFACTS, log_in


@pytest.fixture
def demo(transactional_db):
    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    build_demo_actions(organizations)
    return organizations[0]


def _text(pdf: bytes) -> str:
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKC", text)  # the PDF's ligatures (ﬁ, ﬀ) back to letters


def test_report_and_board_summary_print_cleanly(page, live_server, demo):
    cycle = Cycle.objects.get(organization=demo, label="2026 staff survey")
    log_in(page, f"lead@{demo.slug}.example", DEMO_PASSWORD)
    page.goto(f"/o/{demo.slug}/cycles/{cycle.id}/report/")
    page.locator("html[data-charts-ready='true']").wait_for()
    page.emulate_media(media="print")
    # In print no chart box meets a table box: charts are pictures in normal flow.
    boxes = page.evaluate(
        """() => {
        const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 ? r : null; };
        const charts = [...document.querySelectorAll('.chart-print, .chart')].map(visible).filter(Boolean);
        const tables = [...document.querySelectorAll('table')].map(visible).filter(Boolean);
        const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        return {charts: charts.length, overlaps: charts.flatMap(c => tables.filter(t => meets(c, t))).length};
    }"""
    )
    # The scores and the trend (the demo's latest report has no change or perception chart).
    assert boxes["charts"] >= 2 and boxes["overlaps"] == 0
    report_pdf = page.pdf(format="A4")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(report_pdf)
    text = _text(report_pdf)
    payload = CycleReport.objects.get(cycle=cycle, language="en").payload
    assert text.count(demo.name) >= 2, "the organization is named on every page"
    for row in payload["scores"]:
        assert f"{row['name']} {floatformat(row['mean'], 0)}" in text, row["name"]
    for row in payload["items"]["rows"][:5]:
        assert row["text"][:30] in text

    page.goto(f"/o/{demo.slug}/cycles/{cycle.id}/report/board/")
    pdf = page.pdf(format="A4")
    (ARTIFACTS / "board-summary.pdf").write_bytes(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = _text(pdf)
    assert demo.name in text and cycle.label in text
    for gap in payload["critical_gaps"]:
        assert gap["short"] in text
    assert "Open actions" in text
