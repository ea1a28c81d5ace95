"""Reports under scoring version 3 never contradict themselves: one verdict per comparison on the
page, in the board summary and in the exports; critical gaps as counts with their interval; flat
years not tested; response rates never above 100%; coalition positions on published boundaries."""

import csv
import io
import json
import re
import zipfile

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from assessment import aggregation, scoring
from assessment.models import Cycle
from assessment.services.cycles import cycle_close, cycle_create
from assessment.services.links import shared_link_create
from coalitions.benchmarks import benchmark_rows
from reports import analysis, report
from reports.services import organization_reports_build
from tests.conftest import invite, login, submit_through_link

pytestmark = pytest.mark.django_db

VERDICT_WORDS = {"better": "Clearly better", "worse": "Clearly worse", "unclear": "No clear change"}


def _answers(questionnaire, levels: dict[str, list[int]], index: int) -> dict[str, str]:
    """Answer every item of a dimension at one level from 0 (worst) to 4 (best), reverse items mirrored."""
    answers = {}
    for item in questionnaire.items.select_related("dimension"):
        level = levels[item.dimension.key][index] * item.max_value // 4
        answers[item.key] = str(item.max_value - level if item.reverse else level)
    return answers


def _survey(organization, admin, questionnaire, year: int, levels: dict[str, list[int]]) -> Cycle:
    cycle = cycle_create(
        organization=organization,
        by=admin.user,
        questionnaire=questionnaire,
        label=f"{year} staff survey",
        mode=Cycle.Mode.STAFF,
        opens_on=f"{year}-03-01",
        min_responses=5,
    )
    token = shared_link_create(cycle=cycle, by=admin.user)
    for index in range(len(next(iter(levels.values())))):
        submit_through_link(token, _answers(questionnaire, levels, index))
    return cycle_close(cycle=cycle, by=admin.user, on=f"{year}-04-01")


@pytest.fixture
def lakeshore(organization, admin, questionnaire):
    """Two years where consent rises a lot and the rest hardly moves: some verdicts clear, some not."""
    before = {
        "consent": [1, 2, 2, 1, 2, 1, 2],
        "confidentiality": [2, 3, 2, 3, 2, 3, 2],
        "non_judgment": [3, 2, 3, 2, 3, 3, 2],
    }
    after = {
        "consent": [3, 4, 4, 3, 4, 3, 4],
        "confidentiality": [3, 2, 3, 2, 3, 3, 2],
        "non_judgment": [2, 3, 3, 2, 3, 2, 3],
    }
    return _survey(organization, admin, questionnaire, 2024, before), _survey(
        organization, admin, questionnaire, 2025, after
    )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_one_verdict_everywhere_on_the_page_the_board_summary_and_the_exports(client, lead, organization, lakeshore):
    _, second = lakeshore
    organization_reports_build(organization_id=organization.pk)  # as the task after each close does
    login(client, lead.user)
    page = client.get(reverse("reports:cycle_report", args=[organization.slug, second.id])).content.decode()
    stored = second.stored_reports.get(language="en").payload
    rows = stored["change"]["rows"]
    verdicts = {row["dimension"]: row["verdict"] for row in rows}
    assert "better" in verdicts.values() and "unclear" in verdicts.values(), verdicts

    # The change table: each row's words are its own verdict, and its interval agrees with it.
    table = page[page.index('id="change-table"') : page.index("</table>", page.index('id="change-table"'))]
    for row in rows:
        cells = table[table.index(f">{row['name']}<") :].split("</tr>")[0]
        assert VERDICT_WORDS[row["verdict"]] in cells, row["name"]
        assert (row["ci_low"] > 0 or row["ci_high"] < 0) == (row["verdict"] == "better")
    # The summary names exactly the clear rows, overall included.
    summary = _text(page[page.index('id="summary-change"') : page.index("</li>", page.index('id="summary-change"'))])
    for row in rows:
        named = f"{row['name']} is clearly" in summary
        assert named == (row["verdict"] in ("better", "worse")), (row["name"], summary)
    assert "No clear change" not in summary
    # The chart labels carry the same verdicts.
    chart = json.loads(stored["charts"]["change"])
    labels = set(chart["data"][0]["y"])
    for row in rows:
        word = {"better": "clearly better", "worse": "clearly worse", "unclear": "no clear change"}[row["verdict"]]
        assert f"{row['name']} ({word})" in labels
    # The board summary says the same sentence.
    board = client.get(reverse("reports:board_summary", args=[organization.slug, second.id])).content.decode()
    assert _text(board[board.index('id="board-summary"') :]).count("is clearly") == summary.count("is clearly")
    # The exports: the CSV change table and the JSON report.
    archive = client.get(reverse("reports:report_csv", args=[organization.slug, second.id])).content
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        name = next(n for n in files.namelist() if "change" in n.lower())
        exported = list(csv.reader(io.StringIO(files.read(name).decode("utf-8-sig"))))
    by_name = {line[0]: line[-1] for line in exported[1:]}
    for row in rows:
        assert by_name[row["name"]] == VERDICT_WORDS[row["verdict"]]
    body = json.loads(client.get(reverse("reports:report_json", args=[organization.slug, second.id])).content)
    assert [r["verdict"] for r in body["change"]["rows"]] == [r["verdict"] for r in rows]


def _breaks_instrument():
    return scoring.Instrument(
        dimensions=(scoring.DimensionSpec("consent"),),
        items=(
            scoring.ItemSpec("practice", "consent"),
            scoring.ItemSpec("police", "consent", max_value=2, reverse=True, critical=True, scale="breaks"),
        ),
    )


def _report_of(results, mode="staff"):
    cycle = {
        "id": "c",
        "label": "2026 staff survey",
        "opens_on": "2026-03-01",
        "closed_on": "2026-04-01",
        "mode": mode,
        "version": 3,
        "min_responses": 5,
        "invited_count": 0,
        "results": results,
    }
    items = {
        "police": {
            "key": "police",
            "text": "In the past 12 months, how often did you see details given to the police without consent?",
            "short": "Police: only with consent",
            "dimension": "consent",
            "dimension_name": "Consent",
            "critical": True,
            "reverse": True,
            "scale": "breaks",
            "max_value": 2,
            "sources": ["Q1"],
            "recommendation": "Write down who may call the police, and when.",
        }
    }
    return report.cycle_report([cycle], {"consent": "Consent", "overall": "Overall"}, items, chart_labels=LABELS)


LABELS = {key: key for key in ("score_axis", "interval", "new_version", "mean", "middle_half", "median", "own")} | {
    key: key for key in ("staff", "self", "better", "worse", "unclear", "untested")
}


def test_a_breaks_item_with_no_break_is_not_a_gap_and_one_break_is_shown_as_a_count():
    instrument = _breaks_instrument()
    kept = [{"practice": 4, "police": 0}] * 13
    results = aggregation.cycle_results(instrument, kept, min_responses=5, reportable=True)
    assert results["critical_gaps"] == [] and results["overall"]["band"] == "leading"
    assert not _report_of(results)["critical_gaps"]

    results = aggregation.cycle_results(
        instrument, [*kept, {"practice": 4, "police": 1}], min_responses=5, reportable=True
    )
    assert results["critical_gaps"] == ["police"]
    # The score stays as it is; the band is capped, and says why.
    assert results["overall"]["uncapped_band"] == "leading" and results["overall"]["band"] == "developing"
    assert results["overall"]["capped"]
    built = _report_of(results)
    gap = built["critical_gaps"][0]
    share = scoring.proportion(1, 14)
    assert (gap["breaks"], gap["n"]) == (1, 14)
    assert gap["share_low"] == pytest.approx(share.ci_low) and gap["share_high"] == pytest.approx(share.ci_high)
    text = _text(render_to_string("reports/_gap_count.html", {"gap": gap}))
    assert "1 of 14 saw it broken in the past 12 months; between 0% and 34% of staff (95% interval)" in text
    assert "not kept" not in text
    band = _text(render_to_string("assessment/_band.html", {"key": "developing", "capped": True}))
    assert "developing" in band and "capped" in band


def test_a_flat_year_is_said_to_be_not_tested():
    row = {"verdict": None, "untested": analysis.ALIKE}
    assert "Not tested: everyone answered alike" in render_to_string("reports/_verdict.html", {"row": row})
    summary = scoring.summarize([75.0] * 5)
    instrument = _breaks_instrument()
    flat = aggregation.cycle_results(instrument, [{"practice": 3, "police": 0}] * 5, min_responses=5, reportable=True)
    rows = _report_of(flat)["scores"]
    assert summary.sd == 0 and all(row["alike"] for row in rows)


def test_a_response_rate_is_at_most_100_percent_with_shared_link_answers_apart(
    client, lead, admin, organization, questionnaire
):
    cycle = cycle_create(
        organization=organization,
        by=admin.user,
        questionnaire=questionnaire,
        label="2026 staff survey",
        mode=Cycle.Mode.STAFF,
        opens_on="2026-03-01",
        min_responses=5,
    )
    answers = {item.key: str(item.max_value) for item in questionnaire.items.all()}
    for token in invite(cycle, admin.user, [f"person{n}@example.org" for n in range(5)]):
        submit_through_link(token, answers)
    shared = shared_link_create(cycle=cycle, by=admin.user)
    submit_through_link(shared, answers)
    submit_through_link(shared, answers)
    cycle = cycle_close(cycle=cycle, by=admin.user, on="2026-04-01")
    assert cycle.results["channels"] == {"invited": 5, "shared": 2, "member": 0, "": 0}
    login(client, lead.user)
    page = _text(client.get(reverse("reports:cycle_report", args=[organization.slug, cycle.id])).content.decode())
    assert "7 answers: 5 of 5 invited addresses (100%), 2 through the shared link." in page
    assert "180%" not in page and "140%" not in page
    detail = _text(client.get(reverse("assessment:cycle_detail", args=[organization.slug, cycle.id])).content.decode())
    assert "5 of 5 invited addresses (100%)" in detail


def test_a_low_response_rate_says_the_answers_may_not_speak_for_everyone():
    rate = aggregation.response_rate({"n": 6, "channels": {"invited": 4, "shared": 2, "member": 0, "": 0}}, 10)
    assert rate["share"] == 0.4 and rate["low"]
    text = _text(render_to_string("assessment/_response_rate.html", {"rate": rate}))
    assert "6 answers: 4 of 10 invited addresses (40%), 2 through the shared link." in text
    assert "may not speak for everyone" in text


def test_a_member_at_two_boundaries_reads_at_the_lower_quartile_and_the_median():
    figures = {"n": 6, "suppressed": False, "q1": 60.0, "median": 60.0, "q3": 70.0, "p10": None, "p90": None}
    rows = benchmark_rows({"overall": figures}, {"overall": "Overall"}, {"overall": 58.0})
    assert rows[0]["own"] == 60.0 and rows[0]["quartile"] is None and rows[0]["at"] == ["q1", "median"]
    html = render_to_string(
        "coalitions/_benchmark_table.html",
        {"rows": rows, "with_own": True, "caption": "c", "table_id": "t", "show_percentiles": False},
    )
    text = _text(html)
    assert "at the lower quartile and the median" in text and "of 4" not in text
    assert re.search(r">\s*60\s*<", html)  # the own score, shown rounded as the figures are
