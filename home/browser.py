"""The browser part of the benchmark: what a reader on a mid-range phone waits for.

Chromium (Debian's, through Playwright from requirements-dev.txt) opens each page once, cold,
with the CPU slowed 4× through DevTools (``Emulation.setCPUThrottlingRate``), and reports the
first contentful paint, when the last chart is drawn (the ``charts-drawn`` mark static/js/charts.js
sets once every chart is on screen; their pictures for paper follow) and the bytes transferred,
as sent, for the page and everything it loaded.
"""

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # Playwright comes with requirements-dev.txt; only --browser needs it
    from playwright.sync_api import ViewportSize

CHROMIUM = "/usr/bin/chromium"
CPU_SLOWDOWN = 4
PHONE: "ViewportSize" = {"width": 390, "height": 844}

MEASURE = """() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const drawn = performance.getEntriesByName('charts-drawn')[0];
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    return {
        first_contentful_paint_ms: paint ? Math.round(paint.startTime) : null,
        charts_drawn_ms: drawn ? Math.round(drawn.startTime) : null,
        charts: document.querySelectorAll('[data-figure]').length,
        bytes: entries.reduce((total, entry) => total + (entry.transferSize || 0), 0),
    };
}"""


def page_timings(base_url: str, pages: dict[str, str], cookie: str) -> dict[str, dict]:
    """Open each page (name -> path) in a fresh phone-sized context, signed in with the session
    ``cookie`` ("name=value") unless the page is a respondent's link, and return its timings."""
    from playwright.sync_api import sync_playwright

    name, _, value = cookie.partition("=")
    host = urlsplit(base_url).hostname
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            for page_name, path in pages.items():
                context = browser.new_context(viewport=PHONE, locale="en-CA")
                if not path.startswith("/r/"):
                    context.add_cookies([{"name": name, "value": value, "domain": host, "path": "/"}])
                page = context.new_page()
                session = context.new_cdp_session(page)
                session.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                page.goto(base_url + path, wait_until="load", timeout=120_000)
                if page.locator("[data-figure]").count():
                    page.locator("html[data-charts-ready='true']").wait_for(timeout=120_000)
                results[page_name] = page.evaluate(MEASURE)
                context.close()
        finally:
            browser.close()
    return results
