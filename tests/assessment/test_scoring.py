import doctest
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment import scoring
from assessment.scoring import DimensionSpec, Instrument, ItemSpec

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
SHARED_VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"
EXAMPLE = json.loads((VECTORS / "scoring-worked-example.json").read_text())
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


@pytest.mark.skipif(not SHARED_VECTORS.exists(), reason="the shared vectors are not beside this checkout")
@pytest.mark.parametrize("name", ["scoring-worked-example.json", "suppression-examples.json"])
def test_vector_copies_match_the_shared_originals(name):
    assert (VECTORS / name).read_text() == (SHARED_VECTORS / name).read_text()


def test_doctests_hold():
    assert doctest.testmod(scoring).failed == 0


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


def test_worked_example_aggregates_and_bands():
    for key, values in _dimension_values(ANSWERS).items():
        summary = scoring.summarize(values)
        expected = EXPECTED["aggregate"][key]
        assert summary.n == expected["n"]
        for field in ("mean", "sd", "ci_low", "ci_high"):
            assert close(getattr(summary, field), expected[field]), (key, field)
        assert scoring.band(summary.mean) == EXPECTED["bands"][key]


def test_worked_example_item_means_gaps_and_alpha():
    means = scoring.item_means(INSTRUMENT, ANSWERS)
    assert means.keys() == EXPECTED["item_means"].keys()
    for key, value in EXPECTED["item_means"].items():
        assert close(means[key], value), key
    assert scoring.critical_gaps(INSTRUMENT, means) == EXPECTED["critical_gaps"]
    for key, value in EXPECTED["alpha"].items():
        assert close(scoring.cronbach_alpha(INSTRUMENT, key, ANSWERS), value), key


def test_worked_example_change():
    before, after = _dimension_values(PREVIOUS), _dimension_values(ANSWERS)
    for key, expected in EXPECTED["change"].items():
        result = scoring.change(before[key], after[key])
        assert close(result.delta, expected["delta"]), key
        assert close(result.p_value, expected["welch_p"]), key


def test_critical_gap_below_75():
    means = {"c1": 74.99, "f1": 75.0}
    assert scoring.critical_gaps(INSTRUMENT, means) == ["c1"]


def test_out_of_range_answer_is_refused():
    with pytest.raises(ValueError, match="between 0 and 4"):
        scoring.score_response(INSTRUMENT, {"c1": 5})


def test_summary_of_one_value_has_no_interval():
    assert scoring.summarize([50.0, None]) == scoring.Summary(1, 50.0, None, None, None)
    assert scoring.summarize([]) == scoring.Summary(0, None, None, None, None)


def test_change_needs_two_values_each_side_for_a_p_value():
    assert scoring.change([50.0], [60.0, 70.0]) == scoring.Change(15.0, None)
    assert scoring.change([], [60.0]) == scoring.Change(None, None)


# Properties over random instruments and responses.
ANSWER = st.one_of(st.integers(0, 4), st.just("dk"), st.just("na"), st.none())
ITEM_KEYS = [item.key for item in INSTRUMENT.items]
RESPONSE = st.fixed_dictionaries({key: ANSWER for key in ITEM_KEYS})


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
    complete = {k: (v if isinstance(v, int) else 2) for k, v in answers.items()}
    complete.pop(key)
    with_na = {**complete, key: "na"}
    before = scoring.score_response(INSTRUMENT, complete)
    after = scoring.score_response(INSTRUMENT, with_na)
    dimension = next(i.dimension for i in INSTRUMENT.items if i.key == key)
    if before.dimensions[dimension] is not None:
        assert after.dimensions[dimension] == before.dimensions[dimension]
