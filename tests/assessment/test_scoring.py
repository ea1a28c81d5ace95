import hashlib
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment import scoring
from assessment.scoring import DimensionSpec, Instrument, ItemSpec

VECTORS = Path(__file__).resolve().parent.parent / "data" / "vectors"
EXAMPLE = json.loads((VECTORS / "scoring-worked-example-v3.json").read_text())
TOLERANCE = 1e-9


def instrument_from(spec: dict) -> Instrument:
    return Instrument(
        dimensions=tuple(DimensionSpec(**d) for d in spec["dimensions"]),
        items=tuple(ItemSpec(**i) for i in spec["items"]),
    )


INSTRUMENT = instrument_from(EXAMPLE["spec"])
ANSWERS = [r["answers"] for r in EXAMPLE["responses"]]
PREVIOUS = [r["answers"] for r in EXAMPLE["previous"]]
EXPECTED = EXAMPLE["expected"]


def close(actual, expected):
    if expected is None:
        return actual is None
    return actual is not None and abs(actual - expected) <= TOLERANCE


# The SHA-256 of each vector as it came with the scoring specification (tests/data/README.md).
RECEIVED = {
    "scoring-worked-example-v3.json": "171a737fe0133ee5420511e151916c4e484b77b7cee08daf03ba9be9cf37e57e",
    "suppression-examples.json": "255f797775497b43307dbb63e9be1eb85189f9316e748a02325a3b7669713018",
}


@pytest.mark.parametrize("name", RECEIVED)
def test_vectors_are_as_received(name):
    assert hashlib.sha256((VECTORS / name).read_bytes()).hexdigest() == RECEIVED[name]


@pytest.mark.parametrize("index", range(len(ANSWERS)))
def test_worked_example_response_scores(index):
    score = scoring.score_response(INSTRUMENT, ANSWERS[index])
    expected = EXPECTED["responses"][index]
    for key, value in expected["dimensions"].items():
        assert close(score.dimensions[key], value), key
    assert close(score.overall, expected["overall"])


def _dimension_values(answer_sets):
    scores = [scoring.score_response(INSTRUMENT, answers) for answers in answer_sets]
    values = {d.key: [s.dimensions[d.key] for s in scores] for d in INSTRUMENT.dimensions}
    values["overall"] = [s.overall for s in scores]
    return values


def test_worked_example_aggregates_bands_and_band_ranges():
    for key, values in _dimension_values(ANSWERS).items():
        summary = scoring.summarize(values)
        expected = EXPECTED["aggregate"][key]
        assert summary.n == expected["n"]
        for field in ("mean", "sd", "ci_low", "ci_high"):
            assert close(getattr(summary, field), expected[field]), (key, field)
        assert scoring.band(summary.mean) == EXPECTED["bands"][key]
        assert list(scoring.band_range(summary.ci_low, summary.ci_high)) == EXPECTED["band_ranges"][key]


def test_worked_example_item_stats_means_gaps_and_alpha():
    stats = scoring.item_stats(INSTRUMENT, ANSWERS)
    assert stats.keys() == EXPECTED["item_stats"].keys()
    for key, expected in EXPECTED["item_stats"].items():
        for field, value in expected.items():
            assert close(getattr(stats[key], field), value), (key, field)
    means = scoring.item_means(INSTRUMENT, ANSWERS)
    assert means.keys() == EXPECTED["item_means"].keys()
    for key, value in EXPECTED["item_means"].items():
        assert close(means[key], value), key
    assert scoring.critical_gaps(INSTRUMENT, stats) == EXPECTED["critical_gaps"]
    for key, value in EXPECTED["alpha"].items():
        assert close(scoring.cronbach_alpha(INSTRUMENT, key, ANSWERS), value), key


def _close_change(result, expected, where):
    assert close(result.delta, expected["delta"]), where
    assert close(result.p_value, expected["welch_p"]), where
    for field in ("ci_low", "ci_high", "mdc"):
        assert close(getattr(result, field), expected[field]), (where, field)


def test_worked_example_change():
    before, after = _dimension_values(PREVIOUS), _dimension_values(ANSWERS)
    for key, expected in EXPECTED["change"].items():
        _close_change(scoring.change(before[key], after[key]), expected, key)


def test_worked_example_compare():
    comparisons = scoring.compare(_dimension_values(PREVIOUS), _dimension_values(ANSWERS))
    assert comparisons.keys() == EXPECTED["compare"].keys()
    for key, expected in EXPECTED["compare"].items():
        found = comparisons[key]
        assert found.alpha == pytest.approx(expected["alpha"], abs=TOLERANCE), key
        assert found.verdict == expected["verdict"], key
        _close_change(found.change, expected["change"], key)


def test_worked_example_proportions_and_capped_band():
    for key, expected in EXPECTED["proportions"].items():
        found = scoring.proportion(expected["k"], expected["n"])
        assert (found.k, found.n) == (expected["k"], expected["n"]), key
        for field in ("share", "ci_low", "ci_high"):
            assert close(getattr(found, field), expected[field]), (key, field)
    overall = scoring.summarize(_dimension_values(ANSWERS)["overall"]).mean
    gaps = scoring.critical_gaps(INSTRUMENT, scoring.item_stats(INSTRUMENT, ANSWERS))
    assert scoring.capped_band(overall, critical_gap=bool(gaps)) == EXPECTED["capped_band"]


def test_holm_is_retired():
    assert not hasattr(scoring, "holm")


BREAKS = {"b1": 0, "b2": 0}


def test_one_reported_break_on_a_breaks_item_is_a_gap():
    kept = [{"c1": 4, "f1": 4, **BREAKS}] * 9
    assert scoring.critical_gaps(INSTRUMENT, scoring.item_stats(INSTRUMENT, kept)) == []
    once = scoring.item_stats(INSTRUMENT, [*kept, {"c1": 4, "f1": 4, "b1": 1, "b2": 0}])
    assert once["b1"].breaks == 1
    assert scoring.critical_gaps(INSTRUMENT, once) == ["b1"]
    # Not applicable and don't know are not breaks; a rule nobody could answer is a gap.
    unknown = scoring.item_stats(INSTRUMENT, [{"c1": 4, "f1": 4, "b1": "na", "b2": "dk"}])
    assert scoring.critical_gaps(INSTRUMENT, unknown) == ["b2"]


def test_one_non_best_answer_in_ten_on_a_critical_practice_item_is_a_gap():
    answers = [{"c1": 4, "f1": 4, **BREAKS}] * 9
    ten = scoring.item_stats(INSTRUMENT, [*answers, {"c1": 3, "f1": 4, **BREAKS}])
    assert scoring.critical_gaps(INSTRUMENT, ten) == ["c1"]
    eleven = scoring.item_stats(INSTRUMENT, [*answers, {"c1": 4, "f1": 4, **BREAKS}, {"c1": 3, "f1": 4, **BREAKS}])
    assert scoring.critical_gaps(INSTRUMENT, eleven) == []


def test_a_self_audit_answering_often_on_a_critical_item_is_a_gap():
    stats = scoring.item_stats(INSTRUMENT, [{"c1": 3, "f1": 4, **BREAKS}])
    assert scoring.critical_gaps(INSTRUMENT, stats) == ["c1"]


def test_a_critical_item_nobody_knows_about_is_a_gap():
    stats = scoring.item_stats(INSTRUMENT, [{"c1": "dk", "f1": 4, **BREAKS}, {"c1": "dk", "f1": 4, **BREAKS}])
    assert stats["c1"].n == 0 and stats["c1"].dk_rate == 1.0
    assert scoring.critical_gaps(INSTRUMENT, stats) == ["c1"]
    assert scoring.critical_gaps(INSTRUMENT, scoring.item_stats(INSTRUMENT, [{"c1": "na", "f1": 4, **BREAKS}])) == []


def test_best_answer_of_a_reverse_item_is_zero():
    stats = scoring.item_stats(INSTRUMENT, [{"n2": 0}, {"n2": 0}, {"n2": 4}])
    assert stats["n2"].top_share == pytest.approx(2 / 3)


def test_out_of_range_answer_is_refused():
    with pytest.raises(ValueError, match="between 0 and 4"):
        scoring.score_response(INSTRUMENT, {"c1": 5})


def test_summary_of_one_value_has_no_interval():
    assert scoring.summarize([50.0, None]) == scoring.Summary(1, 50.0, None, None, None)
    assert scoring.summarize([]) == scoring.Summary(0, None, None, None, None)


def test_change_needs_two_values_each_side_for_a_p_value():
    assert scoring.change([50.0], [60.0, 70.0]) == scoring.Change(15.0, None)
    assert scoring.change([], [60.0]) == scoring.Change(None, None)
    assert scoring.change([50.0, 50.0], [60.0, 60.0]) == scoring.Change(10.0, None)


def test_a_flat_side_is_not_tested():
    """A year where everyone answered alike gives no test against the next, however different."""
    assert scoring.change([75.0] * 5, [40.0, 60.0, 80.0, 55.0]).p_value is None
    assert scoring.change([40.0, 60.0, 80.0, 55.0], [75.0] * 5).p_value is None
    flat = scoring.compare({"overall": [75.0] * 5, "a": [75.0] * 5}, {"overall": [20.0, 30.0], "a": [20.0, 30.0]})
    assert flat["overall"].verdict is None and flat["a"].verdict is None
    assert flat["a"].alpha == 0.05  # no testable dimension: the family is of one


def test_five_against_five_cannot_see_a_ten_point_change():
    """At 5 vs 5 respondents with typical spread, a 10-point change is below what can be detected."""
    before = [40.0, 55.0, 60.0, 70.0, 75.0]
    after = [v + 10 for v in before]
    result = scoring.change(before, after)
    assert result.delta == pytest.approx(10.0)
    assert result.p_value > 0.05
    assert result.mdc > 20
    assert result.ci_low < 0 < result.ci_high


# Properties over random instruments and responses.
def answer(max_value: int):
    return st.one_of(st.integers(0, max_value), st.just("dk"), st.just("na"), st.none())


ITEM_KEYS = [item.key for item in INSTRUMENT.items]
RESPONSE = st.fixed_dictionaries({item.key: answer(item.max_value) for item in INSTRUMENT.items})


@given(st.lists(RESPONSE, min_size=0, max_size=12))
@settings(max_examples=150, deadline=None)
def test_scores_stay_within_0_and_100(answer_sets):
    for answers in answer_sets:
        score = scoring.score_response(INSTRUMENT, answers)
        for value in [*score.dimensions.values(), score.overall]:
            assert value is None or 0.0 <= value <= 100.0
    for values in _dimension_values(answer_sets).values():
        summary = scoring.summarize(values)
        for value in (summary.mean, summary.ci_low, summary.ci_high):
            assert value is None or -1e-9 <= value <= 100.0 + 1e-9
    for value in scoring.item_means(INSTRUMENT, answer_sets).values():
        assert value is None or 0.0 <= value <= 100.0


@given(st.lists(RESPONSE, min_size=1, max_size=12), st.randoms())
@settings(max_examples=100, deadline=None)
def test_permuting_responses_changes_no_aggregate(answer_sets, rnd: random.Random):
    shuffled = list(answer_sets)
    rnd.shuffle(shuffled)
    a, b = _dimension_values(answer_sets), _dimension_values(shuffled)
    for key in a:
        sa, sb = scoring.summarize(a[key]), scoring.summarize(b[key])
        assert sa.n == sb.n
        for field in ("mean", "sd", "ci_low", "ci_high"):
            x, y = getattr(sa, field), getattr(sb, field)
            assert (x is None and y is None) or abs(x - y) < 1e-9
    ma, mb = scoring.item_means(INSTRUMENT, answer_sets), scoring.item_means(INSTRUMENT, shuffled)
    assert all((ma[k] is None and mb[k] is None) or abs(ma[k] - mb[k]) < 1e-9 for k in ma)
    for d in INSTRUMENT.dimensions:
        x = scoring.cronbach_alpha(INSTRUMENT, d.key, answer_sets)
        y = scoring.cronbach_alpha(INSTRUMENT, d.key, shuffled)
        assert (x is None and y is None) or abs(x - y) < 1e-9


@given(st.integers(1, 10), st.data())
def test_reverse_scoring_mirrors(max_value, data):
    value = data.draw(st.integers(0, max_value))
    plain = ItemSpec("x", "d", max_value=max_value)
    reverse = ItemSpec("x", "d", max_value=max_value, reverse=True)
    assert abs(scoring.item_score(reverse, value) - scoring.item_score(plain, max_value - value)) < 1e-12
    assert abs(scoring.item_score(reverse, value) + scoring.item_score(plain, value) - 1.0) < 1e-12


@given(RESPONSE, st.sampled_from(ITEM_KEYS))
def test_adding_na_never_changes_a_complete_dimension_score(answers, key):
    complete = {k: (v if isinstance(v, int) else 1) for k, v in answers.items()}
    complete.pop(key)
    with_na = {**complete, key: "na"}
    before = scoring.score_response(INSTRUMENT, complete)
    after = scoring.score_response(INSTRUMENT, with_na)
    dimension = next(i.dimension for i in INSTRUMENT.items if i.key == key)
    if before.dimensions[dimension] is not None:
        assert after.dimensions[dimension] == before.dimensions[dimension]


SIDE = st.lists(st.one_of(st.none(), st.floats(0, 100, allow_nan=False)), min_size=0, max_size=15)
KEYS = ("overall", "a", "b", "c")


@given(st.fixed_dictionaries({k: SIDE for k in KEYS}), st.fixed_dictionaries({k: SIDE for k in KEYS}))
@settings(max_examples=200, deadline=None)
def test_compare_intervals_exclude_zero_exactly_when_the_verdict_is_clear(previous, current):
    comparisons = scoring.compare(previous, current)
    testable = [k for k in KEYS if k != "overall" and scoring.change(previous[k], current[k]).p_value is not None]
    for key, found in comparisons.items():
        assert found.alpha == pytest.approx(0.05 if key == "overall" else 0.05 / max(len(testable), 1))
        result = found.change
        if found.verdict is None:
            assert result.p_value is None and result.ci_low is None
            continue
        excludes_zero = result.ci_low > 0 or result.ci_high < 0
        # Away from the edge (where rounding decides), the interval and the verdict agree.
        if abs(result.p_value - found.alpha) > 1e-9:
            assert excludes_zero == (found.verdict in ("better", "worse")), (key, result)
        if found.verdict == "better":
            assert result.delta > 0
        if found.verdict == "worse":
            assert result.delta < 0


@given(SIDE, SIDE)
@settings(max_examples=150, deadline=None)
def test_compare_never_calls_a_change_clear_when_a_side_has_no_spread(before, after):
    flat = [v for v in before if v is not None][:1] * 4
    for previous, current in ((flat, after), (after, flat)):
        found = scoring.compare({"overall": previous, "a": previous}, {"overall": current, "a": current})
        if found:
            assert found["overall"].verdict is None and found["a"].verdict is None


@given(st.integers(0, 60), st.data())
def test_proportion_interval_contains_the_share(n, data):
    k = data.draw(st.integers(0, n))
    found = scoring.proportion(k, n)
    if n == 0:
        assert found.share is None and found.ci_low is None
        return
    assert 0.0 <= found.ci_low <= found.share <= found.ci_high <= 1.0
    assert (found.ci_low == 0.0) == (k == 0) and (found.ci_high == 1.0) == (k == n)


def test_proportion_of_one():
    assert (scoring.proportion(0, 1).ci_low, scoring.proportion(0, 1).ci_high) == (0.0, 0.975)
    assert (scoring.proportion(1, 1).ci_low, scoring.proportion(1, 1).ci_high) == (pytest.approx(0.025), 1.0)
    with pytest.raises(ValueError):
        scoring.proportion(3, 2)


@given(st.one_of(st.none(), st.floats(0, 100, allow_nan=False)))
def test_capped_band_is_never_above_developing_with_a_gap(score):
    capped = scoring.capped_band(score, critical_gap=True)
    assert capped in (None, "beginning", "developing")
    assert scoring.capped_band(score, critical_gap=False) == scoring.band(score)
    if scoring.band(score) in ("beginning", "developing", None):
        assert capped == scoring.band(score)


@given(RESPONSE, st.sampled_from(ITEM_KEYS))
def test_dont_know_never_changes_a_score(answers, key):
    """Replacing a missing answer by "don't know" changes no dimension or overall score."""
    without = {**answers, key: None}
    with_dk = {**answers, key: "dk"}
    assert scoring.score_response(INSTRUMENT, without) == scoring.score_response(INSTRUMENT, with_dk)


def test_a_spread_too_small_to_square_counts_as_none():
    assert scoring.change([0.0, 4e-280], [0.0, 4e-280]).p_value is None
    assert scoring.change([0.0, 3.8e-112], [0.0, 3.8e-112]).p_value is None  # its square's square underflows
