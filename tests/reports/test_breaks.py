"""Breaks items (seen broken in the past 12 months: never, once, more than once) in results and reports."""

import re

import pytest
from django.template.loader import render_to_string

from assessment import aggregation, scoring
from reports import report

LABELS = {
    key: key
    for key in ("score_axis", "interval", "new_version", "mean", "middle_half", "median", "own", "staff", "self")
} | {key: key for key in ("better", "worse", "unclear", "untested")}
INSTRUMENT = scoring.Instrument(
    (scoring.DimensionSpec("consent"),),
    (
        scoring.ItemSpec("practice", "consent"),
        scoring.ItemSpec("police", "consent", max_value=2, reverse=True, critical=True, scale="breaks"),
    ),
)
ITEMS = {
    "police": {"key": "police", "text": "Police only with consent", "short": "Police", "dimension": "consent",
               "dimension_name": "Consent", "critical": True, "reverse": True, "scale": "breaks", "max_value": 2,
               "sources": ["Q10"], "recommendation": "Write down when."},
}  # fmt: skip


def _report(answer_sets, mode):
    results = aggregation.cycle_results(INSTRUMENT, answer_sets, min_responses=1, reportable=True)
    cycle = {"id": "c", "label": "audit", "opens_on": "2027-03-01", "closed_on": "2027-04-01", "mode": mode,
             "version": 3, "min_responses": 1, "invited_count": 0, "results": results}  # fmt: skip
    return results, report.cycle_report([cycle], {"consent": "Consent"}, ITEMS, chart_labels=LABELS)


def _said(gap) -> str:
    return re.sub(r"\s+", " ", render_to_string("reports/_gap_count.html", {"gap": gap})).strip()


def test_once_and_more_than_once_each_count_one_person_who_saw_it_broken():
    answers = [{"practice": 4, "police": value} for value in (0, 0, 0, 1, 2)]
    results, built = _report(answers, "staff")
    assert results["item_stats"]["police"]["breaks"] == 2 and results["critical_gaps"] == ["police"]
    gap = built["critical_gaps"][0]
    assert (gap["breaks"], gap["n"]) == (2, 5)
    assert _said(gap).startswith("2 of 5 saw it broken in the past 12 months; between 5% and 85%")
    assert built["weakest"] == [] or all(row["key"] != "police" for row in built["weakest"])


@pytest.mark.parametrize(
    ("answer", "said"),
    [(1, "Broken once in the past 12 months, as far as the records show"),
     (2, "Broken more than once in the past 12 months, as far as the records show"),
     ("dk", "Not recorded: nobody can say whether it is kept")],
)  # fmt: skip
def test_a_self_audit_breaks_entry_says_what_the_records_show_not_a_level_or_a_share(answer, said):
    results, built = _report([{"practice": 4, "police": answer}], "team")
    assert results["critical_gaps"] == ["police"]
    assert _said(built["critical_gaps"][0]) == said


def test_a_self_audit_breaks_entry_never_broken_is_no_gap():
    results, built = _report([{"practice": 4, "police": 0}], "team")
    assert results["critical_gaps"] == [] and built["critical_gaps"] == []
