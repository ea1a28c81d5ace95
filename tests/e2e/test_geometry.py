"""What a person sees, measured: at desktop and phone widths, in English, French and Chinese, no
page is wider than the screen, no table is cut off without a scroll box a keyboard reaches, no
chart's labels meet each other or its edges, and no report names a practice by a bare code."""

import re

import pytest
from django.conf import settings

from accounts.demo import DEMO_PASSWORD, build_demo_accounts
from assessment.demo import build_demo_audits
from assessment.models import Cycle
from coalitions.demo import build_demo_coalitions
from coalitions.models import Coalition
from reports.demo import build_demo_actions
from tests.e2e.conftest import ARTIFACTS, log_in

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("en", "fr", "zh-hans")
BARE_CODE = re.compile(r"(?<![\w-])P\d{1,2}(?![\w-])")

MEASURE = """() => {
    const box = e => e.getBoundingClientRect();
    const meets = (a, b) => a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right
        && a.top < b.bottom && b.top < a.bottom;
    const cut = [...document.querySelectorAll('table')].filter(t => t.offsetParent !== null).flatMap(table => {
        let parent = table.parentElement;
        while (parent && parent !== document.body) {
            const style = getComputedStyle(parent);
            if (table.scrollWidth > parent.clientWidth + 1 && style.overflowX !== 'visible') {
                const scrolls = ['auto', 'scroll'].includes(style.overflowX);
                return scrolls && parent.tabIndex === 0 ? [] : [table.id || table.className];
            }
            parent = parent.parentElement;
        }
        return table.getBoundingClientRect().right > document.documentElement.clientWidth + 1
            ? [table.id || table.className] : [];
    });
    const crowded = [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
        const name = plot.closest('[data-figure]')?.dataset.figure;
        const frame = box(plot);
        const parts = selector => [...plot.querySelectorAll(selector)].map(box).filter(r => r.width > 0);
        const legend = parts('.legend');
        const titles = parts('.g-xtitle, .g-ytitle');
        const xticks = parts('.xtick text');
        const yticks = parts('.ytick text');
        const problems = [];
        if (titles.some(title => legend.some(key => meets(title, key)))) problems.push('axis title meets legend');
        if (titles.some(title => [...xticks, ...yticks].some(tick => meets(title, tick)))) {
            problems.push('axis title meets tick labels');
        }
        const clash = ticks => ticks.some((a, i) => ticks.slice(i + 1).some(b => meets(a, b)));
        if (clash(xticks) || clash(yticks)) problems.push('tick labels overlap');
        const outside = r => r.left < frame.left - 1 || r.right > frame.right + 1
            || r.top < frame.top - 1 || r.bottom > frame.bottom + 1;
        if ([...legend, ...titles, ...xticks, ...yticks].some(outside)) problems.push('labels cut at its edge');
        return problems.map(problem => `${name}: ${problem}`);
    });
    return {width: document.documentElement.scrollWidth, cut, crowded};
}"""


@pytest.fixture
def demo(transactional_db):
    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    build_demo_actions(organizations)
    build_demo_coalitions(organizations)
    return organizations[0]


def _pages(organization) -> dict[str, tuple[str, list[str]]]:
    """The pages to measure, by whom: (login, [urls])."""
    slug = organization.slug
    staff = Cycle.objects.get(organization=organization, label="2026 staff survey")
    audit = Cycle.objects.get(organization=organization, label="2026 leadership self-audit")
    coalition = Coalition.objects.get(stewards__email="steward@ally-network.example")
    return {
        "lead": (
            f"lead@{slug}.example",
            [
                f"/o/{slug}/",
                f"/o/{slug}/cycles/{staff.id}/report/",
                f"/o/{slug}/cycles/{audit.id}/report/",
                f"/o/{slug}/cycles/{staff.id}/report/board/",
                f"/o/{slug}/trend/",
                f"/o/{slug}/actions/",
            ],
        ),
        "admin": (f"admin@{slug}.example", [f"/o/{slug}/members/", f"/o/{slug}/settings/", f"/c/{coalition.slug}/"]),
        "steward": ("steward@ally-network.example", [f"/c/{coalition.slug}/"]),
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", WIDTHS)
def test_pages_fit_and_name_practices_in_words(browser, live_server, demo, size, language):
    viewport = WIDTHS[size]
    problems = []
    for person, (email, urls) in _pages(demo).items():
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-CA")
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, email, DEMO_PASSWORD)  # in English, then the language to measure
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        for url in urls:
            page.goto(url)
            if page.locator("[data-figure]").count():
                page.locator("html[data-charts-ready='true']").wait_for()
            found = page.evaluate(MEASURE)
            where = f"{url} as {person} at {size} in {language}"
            if found["width"] > viewport["width"]:
                problems.append(f"{where}: {found['width']}px wide")
            problems += [f"{where}: table {t} cut off, not in a keyboard-reachable scroll box" for t in found["cut"]]
            problems += [f"{where}: chart {c}" for c in found["crowded"]]
            if "/report/" in url:
                text = page.locator("main").inner_text()
                problems += [f"{where}: bare practice code {code}" for code in sorted(set(BARE_CODE.findall(text)))]
            if language != "en" or size == "phone":
                ARTIFACTS.mkdir(exist_ok=True)
                name = re.sub(r"[^a-z0-9]+", "-", f"{url}-{person}").strip("-")
                page.screenshot(path=str(ARTIFACTS / f"geometry-{size}-{language}-{name[-60:]}.png"), full_page=True)
        context.close()
    assert not problems, "\n".join(problems)
