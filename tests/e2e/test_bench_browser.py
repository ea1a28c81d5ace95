"""`manage.py bench --browser` measures what a phone waits for: run whole, in its own process
(Playwright's synchronous API runs one loop per thread, and the browser tests hold theirs)."""

import json
import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import CHROMIUM


def test_bench_measures_the_report_dashboard_and_survey_in_a_slowed_browser(tmp_path):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    out = tmp_path / "bench.json"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    command = [sys.executable, "manage.py", "bench", "--scale", "S", "--runs", "1", "--browser", "--json", str(out)]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600)
    browser = json.loads(out.read_text())["browser"]
    assert browser["cpu_slowdown"] == 4
    pages = browser["pages"]
    assert set(pages) == {"report", "dashboard", "survey"}
    assert all(row["first_contentful_paint_ms"] and row["bytes"] > 0 for row in pages.values())
    # Every chart of the report was drawn, after the words were on screen.
    assert pages["report"]["charts"] >= 5
    assert pages["report"]["charts_drawn_ms"] > pages["report"]["first_contentful_paint_ms"]
    assert pages["survey"]["charts_drawn_ms"] is None
