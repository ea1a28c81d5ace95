"""The board pack: the report and the one-page board summary, printed to PDF in Chromium.

The PDFs are read back with pypdf, run by run with each run's position on the page, and are
saved to tests/e2e/artifacts/ to be looked at.

``prefer_css_page_size=True`` is how a person prints: Chrome's print dialog gives a page size set
in CSS precedence over the paper the person picks. The stylesheet sets none, so the paper asked
for (A4 or Letter) is the page; were ``size: A4`` to come back, the Letter PDF would come out A4
and the size check fails. Background graphics stay off, as in the dialog by default.
"""

import io
import math
import re
import unicodedata
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from accounts.demo import DEMO_PASSWORD, build_demo_accounts
from assessment.demo import build_demo_audits
from assessment.models import Cycle
from reports.demo import build_demo_actions
from tests.e2e.conftest import ARTIFACTS

LOCALES = {"en": "en-CA", "fr": "fr-CA", "zh-hans": "zh-CN"}
PAPERS = {"A4": (595.9, 842.9), "Letter": (612.0, 792.0)}  # points, as Chromium writes them
TOP_MARGIN = 20 / 25.4 * 72  # print.css: the running line lies above this


@pytest.fixture
def demo(transactional_db):
    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    build_demo_actions(organizations)
    return organizations[0]


@dataclass
class Run:
    """One run of text on a PDF page: its baseline's start and its font size, in points."""

    text: str
    x: float
    y: float
    size: float

    @property
    def top(self) -> float:
        return self.y + self.size

    @property
    def bottom(self) -> float:
        return self.y - 0.25 * self.size  # descenders


# Noto CJK draws some ideographs with the glyph of a radical, so the PDF gives the radical back:
# NFKC maps the Kangxi radicals (⼈ → 人), and this the supplement's (⺠ → 民), as Unicode's
# EquivalentUnifiedIdeograph.txt does.
RADICALS = str.maketrans(
    "⺟⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳", "母民西见角贝车长门青韦页风飞食马骨鬼鱼鸟麦黄齐齿龙龟"
)


def squash(text: str) -> str:
    """Return text without whitespace, ligatures (ﬁ, ﬀ), full-width forms or radicals, to compare as read."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


def _runs(page) -> list[Run]:
    runs = []

    def visit(text, cm, tm, font, font_size):
        if not text.strip():
            return
        # The text matrix times the current transformation: where the run lands on the page.
        c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        runs.append(Run(text, x, y, font_size * math.hypot(c, d)))

    page.extract_text(visitor_text=visit)
    return runs


def _pdf(page, paper: str, name: str) -> list:
    pdf = page.pdf(format=paper, prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}-{paper}.pdf").write_bytes(pdf)
    pages = PdfReader(io.BytesIO(pdf)).pages
    for number, sheet in enumerate(pages, 1):
        size = (float(sheet.mediabox.width), float(sheet.mediabox.height))
        assert size == pytest.approx(PAPERS[paper], abs=1), f"{name} page {number} is {size}, not {paper}"
    return pages


def _check_margins(pages, running_line: str, name: str) -> None:
    """Assert each page's top line is the running line, in the top margin, above all other text,
    and its bottom line the page number."""
    for number, sheet in enumerate(pages, 1):
        where = f"{name} page {number}"
        runs = _runs(sheet)
        height = float(sheet.mediabox.height)
        highest = max(run.y for run in runs)
        line = [run for run in runs if abs(run.y - highest) < 1]
        rest = [run for run in runs if abs(run.y - highest) >= 1]
        assert squash("".join(run.text for run in line)) == squash(running_line), where
        line_bottom = min(run.bottom for run in line)
        assert line_bottom >= height - TOP_MARGIN - 1, f"{where}: the running line is not in the top margin"
        assert max(run.top for run in line) <= height, where
        over = [run.text for run in rest if run.top > line_bottom]
        assert not over, f"{where}: text meets the running line: {over}"
        lowest = min(run.y for run in rest)
        folio = [run.text for run in rest if abs(run.y - lowest) < 1]
        assert squash("".join(folio)) == f"{number}/{len(pages)}", where


def _text(pages) -> str:
    return squash("".join(sheet.extract_text() for sheet in pages))


@pytest.mark.parametrize("language", LOCALES)
def test_report_and_board_summary_print_cleanly(browser, live_server, demo, language):
    context = browser.new_context(base_url=live_server.url, locale=LOCALES[language])
    page = context.new_page()
    page.set_default_timeout(15_000)
    # The running line's words are written into CSS: quotes, a backslash and a closing tag in
    # the name must come out as they are, neither breaking the rule nor the page.
    demo.name = 'Maison "L\'Abri" \\ </style> & Co'
    demo.save(update_fields=["name"])
    cycle = Cycle.objects.get(organization=demo, label="2026 staff survey")
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(f"lead@{demo.slug}.example")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/")
    page.goto(f"/o/{demo.slug}/cycles/{cycle.id}/report/")
    assert page.locator("html").get_attribute("lang") == language
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
    # The heat map prints as its table: a grey per band behind each number, kept without
    # background graphics, and the key to the greys shown.
    heat = page.evaluate(
        """() => {
        const cells = [...document.querySelectorAll('#items-table td.heat')];
        const legend = document.querySelector('.heat-legend').getBoundingClientRect();
        return {
            fills: [...new Set(cells.map(c => getComputedStyle(c).backgroundColor))],
            exact: cells.every(c => getComputedStyle(c).printColorAdjust === 'exact'),
            legend: legend.width > 0 && legend.height > 0,
        };
    }"""
    )
    assert len(heat["fills"]) >= 2 and heat["exact"] and heat["legend"], heat
    for fill in heat["fills"]:
        red, green, blue = re.findall(r"\d+", fill)[:3]
        assert red == green == blue, f"{fill} is not a grey"
    expected = page.evaluate(
        """() => {
        const text = e => e.innerText;
        const rows = selector => [...document.querySelectorAll(selector + ' tbody tr')]
            .map(tr => [...tr.children].map(text));
        return {
            header: text(document.querySelector('.report-header .muted')),
            summary: ['#summary-score', '#summary-change', '#summary-critical']
                .map(s => text(document.querySelector(s))),
            scores: rows('#scores-table'),
            items: rows('#items-table'),
        };
    }"""
    )
    closed = expected["header"].split("·")[1]
    running_line = f"{demo.name} · {cycle.label} · {closed}"
    for paper in PAPERS:
        pages = _pdf(page, paper, f"report-{language}")
        _check_margins(pages, running_line, f"report {language} {paper}")
        first = squash(pages[0].extract_text())
        for sentence in expected["summary"]:
            assert squash(sentence) in first, f"page 1 on {paper} lacks the summary: {sentence}"
        for name, score, *_ in expected["scores"]:
            assert squash(name + score) in first, f"page 1 on {paper} lacks the score of {name}"
        text = _text(pages)
        assert len(expected["items"]) >= 10
        for name, *values in expected["items"]:
            assert squash(name + "".join(values)) in text, f"the heat map's row {name} on {paper}"

    page.emulate_media(media="screen")
    page.goto(f"/o/{demo.slug}/cycles/{cycle.id}/report/board/")
    page.emulate_media(media="print")
    summary = squash(page.locator("#board-summary").inner_text())
    scores = squash(page.locator("#board-scores tbody").inner_text())
    actions = squash(page.locator("#board-actions caption").inner_text())
    for paper in PAPERS:
        pages = _pdf(page, paper, f"board-summary-{language}")
        assert len(pages) == 1, f"the board summary takes {len(pages)} pages on {paper}"
        text = _text(pages)
        assert squash(demo.name) in text and squash(cycle.label) in text
        assert summary in text and scores in text and actions in text, f"the board summary on {paper} lacks a part"
    context.close()
