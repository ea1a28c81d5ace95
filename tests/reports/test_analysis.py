import json
import statistics
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import analysis
from reports.analysis import ROLE_GROUP_ORDER, visible_groups

VECTORS = Path(__file__).resolve().parent.parent / "data" / "vectors"
SUPPRESSION = json.loads((VECTORS / "suppression-examples.json").read_text())


@pytest.mark.parametrize("case", SUPPRESSION["cases"], ids=lambda c: json.dumps(c["counts"]))
def test_suppression_vectors(case):
    assert visible_groups(case["counts"], case["min_n"]) == set(case["visible"])


COUNTS = st.dictionaries(st.sampled_from(ROLE_GROUP_ORDER), st.integers(0, 30))


@given(COUNTS, st.integers(3, 10))
def test_no_visible_group_is_below_the_minimum(counts, min_n):
    assert all(counts[name] >= min_n for name in visible_groups(counts, min_n))


@given(COUNTS, st.integers(3, 10))
def test_hidden_groups_together_hold_at_least_the_minimum(counts, min_n):
    visible = visible_groups(counts, min_n)
    hidden = [name for name, n in counts.items() if n > 0 and name not in visible]
    if visible and hidden:
        assert sum(counts[name] for name in hidden) >= min_n
    assert len(visible) != 1


def test_one_small_group_hides_the_next_smallest():
    # volunteer (2) is hidden; alone it would follow from the total, so the smallest visible
    # group (leadership, 6) is hidden too, leaving frontline and other.
    counts = {"leadership": 6, "frontline": 12, "volunteer": 2, "other": 9}
    assert visible_groups(counts, 5) == {"frontline", "other"}


def test_fewer_than_two_remaining_hides_all():
    assert visible_groups({"leadership": 2, "frontline": 12, "volunteer": 6}, 5) == set()


def _summary(mean, values=None, n=None):
    values = values if values is not None else [mean]
    sd = statistics.stdev(values) if len(values) > 1 else None
    return {
        "mean": mean,
        "sd": sd,
        "ci_low": mean - 5,
        "ci_high": mean + 5,
        "n": n or len(values),
        "band": "x",
        "values": values,
    }


def _cycle(label, version, dims, items, overall, values=None):
    values = values or {}
    return {
        "label": label,
        "closed_on": f"{label}-04-01",
        "version": version,
        "mode": "staff",
        "results": {
            "dimensions": {k: _summary(v, values.get(k)) for k, v in dims.items()},
            "overall": _summary(overall, values.get("overall")),
            "item_means": items,
            "item_sd": {},
        },
    }


NAMES = {"consent": "Consent", "confidentiality": "Confidentiality", "overall": "Overall"}
# Version 2 drops item "old" and adds "new", and weighs consent double, so its overall is
# computed with different weights: the frame keeps each cycle's own overall and marks the change.
CYCLES = [
    _cycle("2024", 1, {"consent": 40.0, "confidentiality": 60.0}, {"a": 50.0, "old": 30.0}, 50.0),
    _cycle("2025", 1, {"consent": 50.0, "confidentiality": 70.0}, {"a": 60.0, "old": 40.0}, 60.0),
    _cycle("2026", 2, {"consent": 70.0, "confidentiality": 70.0}, {"a": 65.0, "new": 80.0}, 70.0),
]


def test_dimension_trend_across_a_version_change():
    frame = analysis.dimension_trend_frame(CYCLES, NAMES)
    assert len(frame) == 9
    consent = frame[frame.dimension == "consent"]
    assert consent["mean"].tolist() == [40.0, 50.0, 70.0]
    assert frame[frame.dimension == "overall"]["version"].tolist() == [1, 1, 2]
    assert frame[frame.dimension == "overall"]["name"].iloc[0] == "Overall"
    assert analysis.version_changes(CYCLES) == ["2026"]


def test_item_trend_compares_only_within_a_version_or_through_the_crosswalk():
    frame = analysis.item_trend_frame(CYCLES)
    # The last cycle is on version 2; with no crosswalk, the version 1 cycles share no item.
    assert list(frame.columns) == ["2026"]
    assert frame.loc["a", "2026"] == 65.0 and "old" not in frame.index
    crosswalk = [{"from": [1, "a"], "to": [2, "a"], "note": "same question"}]
    frame = analysis.item_trend_frame(CYCLES, crosswalk)
    assert list(frame.columns) == ["2024", "2025", "2026"]
    assert frame.loc["a"].tolist() == [50.0, 60.0, 65.0]
    assert pd.isna(frame.loc["new", "2024"]) and frame.loc["new", "2026"] == 80.0


def _pair():
    before = _cycle("2025", 1, {"consent": 0, "confidentiality": 0}, {}, 0)["results"]
    after = _cycle("2026", 1, {"consent": 0, "confidentiality": 0}, {}, 0)["results"]
    return before, after


def test_change_rows_take_their_verdicts_from_compare():
    before, after = _pair()
    before["dimensions"]["consent"] = _summary(50.0, [40.0, 50.0, 60.0])
    after["dimensions"]["consent"] = _summary(80.0, [75.0, 80.0, 85.0])
    before["dimensions"]["confidentiality"] = _summary(50.0, [50.0])
    after["dimensions"]["confidentiality"] = _summary(55.0, [50.0, 60.0])
    before["overall"] = _summary(50.0, [30.0, 70.0])
    after["overall"] = _summary(52.0, [32.0, 72.0])
    rows = {row["dimension"]: row for row in analysis.change_rows(before, after, NAMES)}
    assert rows["consent"]["delta"] == pytest.approx(30.0)
    # Welch's t = 30 / sqrt(100/3 + 25/3) = 4.648…, df = 2.94…: p ≈ 0.0196. Only consent can be
    # tested, so the dimensions' family is of one, at 5%.
    assert rows["consent"]["p_value"] == pytest.approx(0.01960, abs=1e-4)
    assert rows["consent"]["alpha"] == 0.05 and rows["consent"]["verdict"] == "better"
    assert rows["consent"]["ci_low"] > 0 and rows["consent"]["mdc"] > 0
    assert rows["confidentiality"]["verdict"] is None and rows["confidentiality"]["untested"] == "few"
    assert rows["overall"]["verdict"] == "unclear"


def test_bonferroni_can_take_a_change_out_of_clear_and_its_interval_with_it():
    before, after = _pair()
    # Two dimensions each just under p = 0.05 alone: tested at 2.5% each, neither is clear, and
    # each interval, at 97.5%, takes in zero.
    before["dimensions"]["consent"] = _summary(50.0, [40.0, 50.0, 60.0, 45.0, 55.0])
    after["dimensions"]["consent"] = _summary(62.0, [52.0, 62.0, 72.0, 57.0, 67.0])
    before["dimensions"]["confidentiality"] = _summary(50.0, [40.0, 50.0, 60.0, 45.0, 55.0])
    after["dimensions"]["confidentiality"] = _summary(62.0, [52.0, 62.0, 72.0, 57.0, 67.0])
    before["overall"] = _summary(50.0, [30.0, 70.0])
    after["overall"] = _summary(52.0, [32.0, 72.0])
    rows = {row["dimension"]: row for row in analysis.change_rows(before, after, NAMES)}
    assert 0.025 < rows["consent"]["p_value"] < 0.05
    assert rows["consent"]["alpha"] == 0.025 and rows["consent"]["verdict"] == "unclear"
    assert rows["consent"]["ci_low"] < 0 < rows["consent"]["ci_high"]


def test_a_flat_year_is_not_tested():
    before, after = _pair()
    before["dimensions"]["consent"] = _summary(75.0, [75.0] * 5)
    after["dimensions"]["consent"] = _summary(50.0, [40.0, 50.0, 60.0, 45.0, 55.0])
    before["overall"] = _summary(75.0, [75.0] * 5)
    after["overall"] = _summary(50.0, [40.0, 50.0, 60.0, 45.0, 55.0])
    rows = {row["dimension"]: row for row in analysis.change_rows(before, after, NAMES)}
    assert rows["consent"]["verdict"] is None and rows["consent"]["untested"] == "alike"
    assert rows["overall"]["verdict"] is None and rows["overall"]["p_value"] is None


def test_a_self_audit_change_is_shown_not_tested():
    before, after = _pair()
    before["overall"], after["overall"] = _summary(40.0), _summary(90.0)
    rows = analysis.change_rows(before, after, NAMES, one_set=True)
    assert all(row["verdict"] is None and row["untested"] == "one_set" for row in rows)
    assert rows[-1]["delta"] == 50.0


def test_single_item_lists_need_the_minimum_and_one_scale_length():
    results = {
        "item_means": {"a": 10.0, "b": 20.0, "c": 30.0},
        "item_sd": {"a": 40.0, "b": 30.0, "c": 20.0, "d": 45.0},
        "item_n": {"a": 2, "b": 7, "c": 7, "d": 7},
        "item_scales": {"a": 4, "b": 4, "c": 4, "d": 2},
        "item_stats": {"a": {"dk_rate": 0.9, "n": 1, "dk": 1}, "b": {"dk_rate": 0.5, "n": 4, "dk": 4}},
    }
    assert analysis.weakest_items(results, min_n=5) == ["b", "c"]
    # "a" has too few answers; "d", a three-point item, is not ranked against five-point ones.
    assert analysis.least_consensus(results, min_n=5) == [["b"], ["c"]]
    assert analysis.awareness_gaps(results, min_n=5) == ["b"]


def test_least_consensus_takes_the_five_highest_sd_with_ties_as_ties():
    results = {"item_sd": {"a": 10.0, "b": 40.0, "c": None, "d": 25.0, "e": 40.0, "f": 5.0, "g": 30.0, "h": 10.0}}
    assert analysis.least_consensus(results) == [["b", "e"], ["g"], ["d"], ["a", "h"]]
    assert analysis.least_consensus({"item_sd": {"a": None}}) == []


def test_weakest_items_leave_out_critical_gaps():
    results = {"item_means": {"a": 10.0, "b": 20.0, "c": 30.0, "d": None}}
    assert analysis.weakest_items(results, exclude=["a"], top=2) == ["b", "c"]


def test_role_group_breakdown_applies_suppression():
    results = {
        "role_groups": {
            "leadership": {"n": 6, "dimensions": {"consent": 70.0, "confidentiality": 60.0}, "overall": 65.0},
            "frontline": {"n": 12, "dimensions": {"consent": 50.0, "confidentiality": 55.0}, "overall": 52.5},
            "volunteer": {"n": 2, "dimensions": {"consent": 90.0, "confidentiality": 90.0}, "overall": 90.0},
            "other": {"n": 9, "dimensions": {"consent": 40.0, "confidentiality": 45.0}, "overall": 42.5},
            "not_stated": {"n": 0, "dimensions": {"consent": None, "confidentiality": None}, "overall": None},
        }
    }
    frame = analysis.role_group_frame(results, NAMES, 5)
    assert frame["group"].tolist() == ["frontline", "other"]
    assert 90.0 not in frame.to_numpy()
    assert analysis.role_group_frame({"role_groups": {}}, NAMES, 5).empty


def test_records_turn_nan_into_none():
    frame = analysis.item_trend_frame(CYCLES, [{"from": [1, "a"], "to": [2, "a"]}]).reset_index()
    rows = analysis.records(frame)
    assert any(row["2024"] is None for row in rows)
