import csv
import datetime
import io
import json
import zipfile

import pandas as pd
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from assessment.models import Cycle
from assessment.services.cycles import cycle_create, cycle_delete
from reports import report as report_module
from reports.models import CycleReport
from reports.services import organization_reports_build
from reports.wording import chart_labels
from tests.conftest import count_queries, login


def _rebuild(organization):
    """Store the organization's reports again, as the task after a close does, once a test has
    changed what they are built from behind the services' back."""
    CycleReport.objects.filter(cycle__organization=organization).delete()
    organization_reports_build(organization_id=organization.pk)


def _report_url(cycle, name="reports:cycle_report"):
    return reverse(name, args=[cycle.organization.slug, cycle.id])


@pytest.mark.parametrize("persona", ["staff", "lead", "admin"])
def test_members_read_a_closed_report(client, request, organization, closed_cycles, persona):
    _, cycle = closed_cycles(organization)
    login(client, request.getfixturevalue(persona).user)
    response = client.get(_report_url(cycle))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Where you stand" in page and "Change since the last audit" in page
    assert "no-store" in response["Cache-Control"]
    assert "'unsafe-inline'" in response["Content-Security-Policy"].split("style-src")[1].split(";")[0]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_outsider_gets_404(client, outsider, organization, closed_cycles):
    _, cycle = closed_cycles(organization)
    login(client, outsider.user)
    for name in ("reports:cycle_report", "reports:report_csv", "reports:report_json"):
        assert client.get(_report_url(cycle, name)).status_code == 404
    assert client.get(reverse("reports:trend", args=[organization.slug])).status_code == 404


def test_staff_blocked_when_the_organization_disallows(client, staff, lead, organization, closed_cycles):
    _, cycle = closed_cycles(organization)
    organization.staff_can_view_reports = False
    organization.save()
    login(client, staff.user)
    assert client.get(_report_url(cycle)).status_code == 404
    assert client.get(reverse("reports:trend", args=[organization.slug])).status_code == 404
    login(client, lead.user)
    assert client.get(_report_url(cycle)).status_code == 200


def test_staff_cannot_export(client, staff, organization, closed_cycles):
    _, cycle = closed_cycles(organization)
    login(client, staff.user)
    assert client.get(_report_url(cycle, "reports:report_csv")).status_code == 404


def test_no_report_for_an_open_or_unreportable_staff_cycle(client, lead, organization, closed_cycles, questionnaire):
    (too_small,) = closed_cycles(organization, years=(2024,), responses=2, min_responses=3)
    assert not too_small.is_reportable
    open_cycle = cycle_create(
        organization=organization,
        by=lead.user,
        questionnaire=questionnaire,
        label="Open",
        mode="staff",
        opens_on="2026-01-01",
    )
    login(client, lead.user)
    for cycle in (too_small, open_cycle):
        assert client.get(_report_url(cycle)).status_code == 404
        assert client.get(_report_url(cycle, "reports:report_json")).status_code == 404
    assert not CycleReport.objects.exists()


def test_reading_a_report_writes_nothing_even_before_it_is_stored(client, lead, organization, closed_cycles):
    """The close's task stores the reports; a page, the board summary and the trend only read
    them, and where none is stored yet the report is computed for that reader and not kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, cycle = closed_cycles(organization)
    assert CycleReport.objects.filter(cycle=cycle).count() == 3, "the task after the close builds every language"
    stored = CycleReport.objects.get(cycle=cycle, language="en").payload
    login(client, lead.user)
    urls = [
        _report_url(cycle),
        _report_url(cycle, "reports:board_summary"),
        reverse("reports:trend", args=[organization.slug]),
    ]
    client.get(urls[0])
    for missing in (False, True):
        if missing:
            CycleReport.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            pages = [client.get(url) for url in urls]
        assert all(page.status_code == 200 for page in pages)
        writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
        assert writes == [], writes
        assert pages[0].context["report"]["scores"] == stored["scores"]
    assert not CycleReport.objects.exists()


def test_report_is_computed_once_and_served_stored(client, lead, organization, closed_cycles, monkeypatch):
    _, cycle = closed_cycles(organization)
    login(client, lead.user)
    assert client.get(_report_url(cycle)).status_code == 200
    stored = CycleReport.objects.get(cycle=cycle, language="en")

    def refuse(*args, **kwargs):
        raise AssertionError("a stored report was recomputed")

    monkeypatch.setattr(report_module, "cycle_report", refuse)
    assert client.get(_report_url(cycle)).status_code == 200
    assert CycleReport.objects.get(cycle=cycle, language="en").payload == stored.payload


def test_report_is_rebuilt_when_an_earlier_cycle_is_deleted(client, admin, organization, closed_cycles):
    earlier, cycle = closed_cycles(organization)
    login(client, admin.user)
    assert "Compared with 2024 staff survey" in client.get(_report_url(cycle)).content.decode()
    cycle_delete(cycle=earlier, by=admin.user)
    page = client.get(_report_url(cycle)).content.decode()
    assert "nothing to compare with yet" in page


def test_report_figures_come_from_the_stored_results(client, lead, organization, closed_cycles):
    previous, cycle = closed_cycles(organization)
    login(client, lead.user)
    client.get(_report_url(cycle))
    payload = CycleReport.objects.get(cycle=cycle, language="en").payload
    results = Cycle.objects.get(pk=cycle.pk).results
    overall = next(row for row in payload["scores"] if row["key"] == "overall")
    assert overall["mean"] == pytest.approx(results["overall"]["mean"])
    assert payload["change"]["previous_label"] == previous.label
    assert [c for c in payload["trend"]["cycles"]] == ["2024 staff survey", "2025 staff survey"]
    assert payload["least_consensus"] and len(payload["least_consensus"]) <= 5
    # 4 responses in groups of 1: every role group is below the minimum of 3, so none is shown.
    assert payload["role_groups"]["shown"] is False
    assert set(payload["charts"]) == {"bars", "change", "trend", "heatmap"}


def test_every_csv_file_starts_with_a_byte_order_mark_so_excel_reads_accents(client, lead, organization, closed_cycles):
    """Excel opens a CSV file without the UTF-8 mark in a legacy code page: « — » and 服务对象 break."""
    _, cycle = closed_cycles(organization)
    label = "Été – 2025 « bilan » 服务对象"
    Cycle.objects.filter(pk=cycle.pk).update(label=label)
    _rebuild(organization)
    login(client, lead.user)
    archive = zipfile.ZipFile(io.BytesIO(client.get(_report_url(cycle, "reports:report_csv")).content))
    names = archive.namelist()
    assert names and all(name.endswith(".csv") for name in names)
    for name in names:
        raw = archive.read(name)
        assert raw.startswith(b"\xef\xbb\xbf"), name
        assert not raw[3:].startswith(b"\xef\xbb\xbf"), name  # one mark, not two
    text = archive.read(names[0]).decode("utf-8-sig")
    assert label in text
    # Read as Excel does once it sees the mark: the first header is the header, not "\ufeffAudit".
    first_row = next(csv.reader(io.StringIO(archive.read(names[1]).decode("utf-8-sig"))))
    assert first_row[0] == "Audit"


def test_exports_match_the_report(client, lead, organization, closed_cycles):
    _, cycle = closed_cycles(organization)
    login(client, lead.user)
    client.get(_report_url(cycle))
    payload = CycleReport.objects.get(cycle=cycle, language="en").payload

    stem = f"{organization.slug}-2025-staff-survey"
    response = client.get(_report_url(cycle, "reports:report_csv"))
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [
        f"{stem}/1-summary.csv",
        f"{stem}/2-scores.csv",
        f"{stem}/3-practices.csv",
        f"{stem}/4-critical-gaps.csv",
        f"{stem}/5-change.csv",
    ]
    scores = pd.read_csv(archive.open(f"{stem}/2-scores.csv"))
    assert list(scores.columns) == [
        "Audit",
        "Closed on",
        "Questionnaire version",
        "Dimension",
        "Score",
        "95% interval, low",
        "95% interval, high",
        "Responses",
        "Band",
    ]
    for row in payload["trend"]["rows"]:
        match = scores[(scores["Audit"] == row["cycle"]) & (scores["Dimension"] == row["name"])]
        assert match["Score"].iloc[0] == round(row["mean"], 1)  # one decimal, as shown
    practices = pd.read_csv(archive.open(f"{stem}/3-practices.csv"))
    assert len(practices) == len(payload["items"]["rows"]) * 2
    assert all(len(str(value).split(".")[-1]) <= 1 for value in practices["Score"].dropna())
    change = pd.read_csv(archive.open(f"{stem}/5-change.csv"))
    assert set(change["What it means"]) <= {"Clearly better", "Clearly worse", "No clear change"}

    response = client.get(_report_url(cycle, "reports:report_xlsx"))
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Scores", "Practices", "Critical gaps", "Change"]
    sheet = workbook["Scores"]
    assert [c.value for c in sheet[1]] == list(scores.columns) and sheet[1][0].font.bold
    assert isinstance(sheet["B2"].value, datetime.datetime)  # a real date, not text
    assert sheet.column_dimensions["A"].width == 24
    overall = next(row for row in payload["scores"] if row["key"] == "overall")["mean"]
    values = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == cycle.label and r[3] == "Overall"]
    assert values[0][4] == round(overall, 1)

    response = client.get(_report_url(cycle, "reports:report_json"))
    assert "no-store" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body["scores"] == payload["scores"] and "charts" not in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == 3


def test_trend_page_lists_every_reportable_cycle(client, staff, organization, closed_cycles):
    closed_cycles(organization, years=(2023, 2024, 2025))
    login(client, staff.user)
    page = client.get(reverse("reports:trend", args=[organization.slug])).content.decode()
    for year in (2023, 2024, 2025):
        assert f"Report: {year} staff survey" in page


def test_query_counts_stay_flat_as_data_grows(client, lead, organization, org_factory, member_factory, closed_cycles):
    small_cycle = closed_cycles(organization, years=(2024, 2025), responses=3)[-1]
    big_org = org_factory("Big")
    big_lead = member_factory(big_org, "lead")
    big_cycle = closed_cycles(big_org, years=(2020, 2021, 2022, 2023, 2024), responses=8)[-1]

    counts = {}
    for name, user, cycle in (("small", lead.user, small_cycle), ("big", big_lead.user, big_cycle)):
        login(client, user)
        client.get(_report_url(cycle))  # the session's first request
        counts[name] = (
            count_queries(client, _report_url(cycle)),
            count_queries(client, reverse("reports:trend", args=[cycle.organization.slug])),
            count_queries(client, cycle.organization.get_absolute_url()),
        )
    assert counts["small"] == counts["big"]
    assert max(counts["big"]) <= 15


def test_cycles_with_the_same_label_stay_apart(client, lead, organization, closed_cycles):
    first, second = closed_cycles(organization, years=(2024, 2025))
    Cycle.objects.filter(pk__in=[first.pk, second.pk]).update(label="Annual staff survey")
    _rebuild(organization)
    login(client, lead.user)
    client.get(_report_url(second))
    payload = CycleReport.objects.get(cycle=second, language="en").payload
    assert payload["trend"]["cycles"] == ["Annual staff survey (2024-04-01)", "Annual staff survey (2025-04-01)"]
    assert all(len(row["values"]) == 2 for row in payload["items"]["rows"])


def test_dimension_order_follows_the_questionnaire(client, lead, organization, closed_cycles):
    _, cycle = closed_cycles(organization)
    login(client, lead.user)
    client.get(_report_url(cycle))
    payload = CycleReport.objects.get(cycle=cycle, language="en").payload
    order = ["consent", "confidentiality", "non_judgment", "overall"]
    assert [row["key"] for row in payload["scores"]] == order
    assert [row["dimension"] for row in payload["change"]["rows"]] == order
    assert "alpha" not in payload["methodology"]  # alpha describes the instrument, not one organization


def test_a_hostile_cycle_label_stays_text_in_exports_and_charts(client, lead, organization, closed_cycles):
    _, cycle = closed_cycles(organization)
    label = '=HYPERLINK("https://example.org/?leak","open") <a href="https://example.org">x</a>'
    Cycle.objects.filter(pk=cycle.pk).update(label=label)
    _rebuild(organization)
    login(client, lead.user)
    page = client.get(_report_url(cycle)).content.decode()
    payload = CycleReport.objects.get(cycle=cycle, language="en").payload
    trend = json.loads(payload["charts"]["trend"])
    x_values = [value for trace in trend["data"] for value in trace.get("x", [])]
    assert label.replace("<", "&lt;").replace(">", "&gt;") in x_values
    assert '<a href="https://example.org">' not in page

    archive = zipfile.ZipFile(io.BytesIO(client.get(_report_url(cycle, "reports:report_csv")).content))
    cells = [
        cell
        for name in archive.namelist()
        for row in csv.reader(io.StringIO(archive.read(name).decode()))
        for cell in row
    ]
    assert "'" + label in cells and label not in cells

    workbook = load_workbook(io.BytesIO(client.get(_report_url(cycle, "reports:report_xlsx")).content))
    found = [c for sheet in workbook for row in sheet.iter_rows() for c in row if c.value == label]
    assert found and all(c.data_type == "s" for c in found)


def test_a_self_audit_answering_often_on_a_critical_rule_shows_a_critical_gap(
    client, lead, organization, questionnaire
):
    """As in a leadership self-audit that says "Often" to no police contact without consent."""
    from assessment.services.cycles import cycle_create
    from assessment.services.responding import response_save_answers, response_submit

    cycle = cycle_create(
        organization=organization,
        by=lead.user,
        questionnaire=questionnaire,
        label="Leadership 2026",
        mode="team",
        opens_on="2026-02-01",
    )
    answers = {item.key: ("0" if item.reverse else str(item.max_value)) for item in questionnaire.items.all()}
    answers["police-contact-consent"] = "3"  # Often, not Always
    response = cycle.responses.get()
    response_save_answers(response=response, answers=answers)
    response_submit(response=response, user=lead.user)
    _rebuild(organization)
    login(client, lead.user)
    page = client.get(_report_url(cycle)).content.decode()
    gaps = page[page.index('id="critical-gaps"') : page.index("</ol>", page.index('id="critical-gaps"'))]
    item = questionnaire.items.get(key="police-contact-consent")
    # One set of answers: the gap names the level leadership gave, not a share of staff.
    assert item.text in gaps and "Level 3 of 4" in gaps and "of staff" not in gaps
    assert (
        CycleReport.objects.get(cycle=cycle, language="en").payload["critical_gaps"][0]["key"]
        == "police-contact-consent"
    )


def test_five_against_five_with_a_ten_point_change_says_no_clear_change():
    """Typical spread, five people each time: a 10-point rise is within what chance produces,
    and the report says how large a change these numbers could have shown."""
    from reports import report as report_module

    def record(label, values):
        mean = sum(values) / len(values)
        summary = {
            "mean": mean,
            "sd": None,
            "ci_low": mean - 15,
            "ci_high": mean + 15,
            "n": 5,
            "band": "x",
            "values": values,
        }
        results = {
            "n": 5,
            "dimensions": {"consent": summary},
            "overall": summary,
            "item_means": {},
            "item_sd": {},
            "critical_gaps": [],
        }
        return {
            "id": label,
            "label": label,
            "opens_on": f"{label}-03-01",
            "closed_on": f"{label}-04-01",
            "mode": "staff",
            "version": 1,
            "min_responses": 5,
            "results": results,
        }

    before = [40.0, 50.0, 60.0, 70.0, 55.0]
    after = [v + 10 for v in before]
    payload = report_module.cycle_report(
        [record("2025", before), record("2026", after)], {"consent": "Consent"}, {}, chart_labels=chart_labels()
    )
    row = next(r for r in payload["change"]["rows"] if r["dimension"] == "consent")
    assert row["delta"] == pytest.approx(10.0)
    assert row["verdict"] == "unclear"
    assert row["mdc"] > 10 and row["ci_low"] < 0 < row["ci_high"]


def test_a_report_page_weighs_under_700_kb_compressed(client, lead, organization, closed_cycles):
    """What a browser downloads for a report, gzipped as whitenoise serves it in production."""
    import gzip
    import re as regex
    from pathlib import Path

    _, cycle = closed_cycles(organization)
    login(client, lead.user)
    html = client.get(_report_url(cycle)).content
    static = Path(__file__).resolve().parents[2] / "static"
    # The page's scripts, and the chart library charts.js loads after the first paint.
    assets = [static / path for path in regex.findall(r'(?:src|data-plotly)="/static/([^"]+)"', html.decode())]
    assert any(path.name == "plotly-cartesian.min.js" for path in assets)
    total = len(gzip.compress(html, 9)) + sum(len(gzip.compress(path.read_bytes(), 9)) for path in assets)
    print(f"report page: {total / 1000:.0f} KB compressed")
    assert total <= 700_000


def test_a_first_audit_shows_no_one_point_trend_or_one_column_heat_map(client, lead, organization, closed_cycles):
    (only,) = closed_cycles(organization, years=(2026,))
    login(client, lead.user)
    page = client.get(_report_url(only)).content.decode()
    assert 'id="trend-first"' in page
    assert 'data-figure="chart-trend"' not in page and 'data-figure="chart-heatmap"' not in page
    assert 'id="items-table"' in page


def test_a_report_is_built_as_soon_as_its_cycle_closes(
    lead, organization, closed_cycles, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (cycle,) = closed_cycles(organization, years=(2026,))
    assert CycleReport.objects.filter(cycle=cycle).exists()
