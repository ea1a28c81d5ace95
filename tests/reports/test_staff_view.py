"""Leadership's view of the staff items: kept for the perception gap, never scored or listed."""

import pytest

from assessment import aggregation, scoring
from reports import analysis, report

LABELS = {
    key: key
    for key in ("score_axis", "interval", "new_version", "mean", "middle_half", "median", "own", "staff", "self")
} | {key: key for key in ("better", "worse", "unclear", "untested")}


def _instruments():
    practices = (
        scoring.ItemSpec("checklist-ask", "consent", max_value=3, scale="maturity"),
        scoring.ItemSpec("checklist-door", "consent", max_value=3, scale="maturity"),
    )
    # The selectors give leadership's view of a staff item weight 0.
    view = (
        scoring.ItemSpec("ask-first", "consent", weight=0.0, scale="frequency"),
        scoring.ItemSpec("closed-door", "consent", weight=0.0, scale="frequency"),
    )
    dimensions = (scoring.DimensionSpec("consent"),)
    return scoring.Instrument(dimensions, practices), scoring.Instrument(dimensions, practices + view)


def _items():
    def info(key, order, dimension="consent"):
        return {"key": key, "text": key, "short": key, "dimension": dimension, "dimension_name": "Consent",
                "recommendation": f"Do {key}.", "sources": ["Q1"], "order": (0, order)}  # fmt: skip

    return {key: info(key, n) for n, key in enumerate(["checklist-ask", "checklist-door", "ask-first", "closed-door"])}


def _record(results, mode, label):
    dates = {"opens_on": "2027-03-01", "closed_on": "2027-04-01", "invited_count": 0}
    minimum = 1 if mode == "team" else 5
    return {
        "id": label,
        "label": label,
        "mode": mode,
        "version": 3,
        "min_responses": minimum,
        **dates,
        "results": results,
    }


def test_answered_staff_view_items_change_no_score_and_no_list():
    bare, with_view = _instruments()
    answers = {"checklist-ask": 3, "checklist-door": 1}
    viewed = {**answers, "ask-first": 0, "closed-door": "dk"}
    plain = aggregation.cycle_results(bare, [answers], min_responses=1, reportable=True)
    results = aggregation.cycle_results(with_view, [viewed], min_responses=1, reportable=True)
    assert results["dimensions"]["consent"]["mean"] == plain["dimensions"]["consent"]["mean"]
    assert results["overall"]["mean"] == plain["overall"]["mean"]
    assert results["staff_view"] == ["ask-first", "closed-door"] and results["item_means"]["ask-first"] == 0.0
    assert results["critical_gaps"] == []
    assert analysis.weakest_items(results) == ["checklist-door", "checklist-ask"]
    assert analysis.awareness_gaps(results) == []
    assert [key for rank in analysis.least_consensus(results) for key in rank] == []
    built = report.cycle_report([_record(results, "team", "audit")], {"consent": "Consent"}, _items(),
                                chart_labels=LABELS)  # fmt: skip
    assert [row["key"] for row in built["item_table"]] == ["checklist-ask", "checklist-door"]
    assert [row["key"] for row in built["weakest"]] == ["checklist-door", "checklist-ask"]
    assert [row["key"] for row in built["items"]["rows"]] == ["checklist-ask", "checklist-door"]
    assert {step["recommendation"] for step in built["summary"]["steps"]} == {"Do checklist-door.", "Do checklist-ask."}


def test_the_perception_gap_pairs_leadership_view_with_the_staff_survey_by_key():
    _bare, with_view = _instruments()
    audit = aggregation.cycle_results(
        with_view, [{"checklist-ask": 3, "checklist-door": 3, "ask-first": 4, "closed-door": 2}],
        min_responses=1, reportable=True,
    )  # fmt: skip
    staff_instrument = scoring.Instrument(
        (scoring.DimensionSpec("consent"),),
        (scoring.ItemSpec("ask-first", "consent"), scoring.ItemSpec("closed-door", "consent")),
    )
    answers = [{"ask-first": v, "closed-door": w} for v, w in [(1, 2), (2, 2), (1, 3), (2, 1), (1, 2), (2, 2)]]
    staff = aggregation.cycle_results(staff_instrument, answers, min_responses=5, reportable=True)
    gap = analysis.perception_gap(audit, staff, _items(), {"consent": "Consent"})
    assert [row["key"] for row in gap["practices"]] == ["ask-first", "closed-door"]
    first = gap["practices"][0]
    assert first["self"] == 100.0 and first["staff"] == pytest.approx(staff["item_means"]["ask-first"])
    assert first["clear"] and not gap["practices"][1]["clear"]
    assert gap["dimensions"][0]["self"] == 75.0
    built = report.cycle_report(
        [_record(staff, "staff", "survey")], {"consent": "Consent"}, _items(), _record(audit, "team", "audit"),
        chart_labels=LABELS,
    )  # fmt: skip
    assert [row["key"] for row in built["perception_gap"]["practices"]] == ["ask-first", "closed-door"]
