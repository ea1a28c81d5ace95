import json
import statistics
from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalitions.benchmarks import BenchmarkStats, Position, benchmark_stats, quartile_position

VECTORS = Path(__file__).resolve().parent.parent / "data" / "vectors"
EXAMPLE = json.loads((VECTORS / "scoring-worked-example-v3.json").read_text())


@pytest.mark.parametrize("key", sorted(EXAMPLE["benchmark_scores"]))
def test_benchmark_vectors(key):
    case = EXAMPLE["benchmark_scores"][key]
    expected = EXAMPLE["expected"]["benchmark"][key]
    stats = benchmark_stats(case["peers"], case["k"])
    for field, value in expected.items():
        if field == "own_quartile":
            position = quartile_position(case["own"], stats)
            assert (position.quartile, list(position.at)) == (value["quartile"], value["at"])
        elif isinstance(value, float):
            assert getattr(stats, field) == pytest.approx(value, abs=1e-9), field
        else:
            assert getattr(stats, field) == value, field


def test_suppressed_figures_hold_nothing_but_n():
    stats = benchmark_stats([50.0, 60.0, 70.0, 80.0, 90.0, 95.0], k=7)
    assert asdict(stats) == {
        "n": 6,
        "suppressed": True,
        "q1": None,
        "median": None,
        "q3": None,
        "p10": None,
        "p90": None,
    }


def test_floor_of_five_members_whatever_k():
    assert benchmark_stats([10.0, 20.0, 30.0, 40.0], k=2).suppressed
    assert not benchmark_stats([10.0, 20.0, 30.0, 40.0, 50.0], k=2).suppressed


def test_percentiles_and_whole_numbers_from_twenty_members():
    scores = [float(v) for v in range(40, 80, 2)]  # 20 members: 40, 42, … 78
    stats = benchmark_stats(scores, k=5)
    assert stats.n == 20
    # Quantiles 43.8, 49.5, 59, 68.5, 74.2: halves round up (68.5 -> 69, not to even).
    assert (stats.p10, stats.q1, stats.median, stats.q3, stats.p90) == (44.0, 50.0, 59.0, 69.0, 74.0)
    small = benchmark_stats(scores[:19], k=5)
    assert small.p10 is None and small.p90 is None
    assert all(value % 5 == 0 for value in (small.q1, small.median, small.q3))


def test_none_scores_are_left_out():
    assert benchmark_stats([None, 50.0, 60.0, 70.0, 80.0, 90.0], k=5).n == 5


def test_a_score_on_a_published_boundary_is_at_it_not_in_a_quartile():
    stats = BenchmarkStats(n=8, suppressed=False, q1=50.0, median=60.0, q3=70.0)
    # The own score is rounded as the figures were (to 5 below 20 members) before it is compared.
    found = [quartile_position(v, stats) for v in (47.4, 47.5, 52.5, 57.5, 70.0, 99.0)]
    assert [p.quartile for p in found] == [1, None, 2, None, None, 4]
    assert [p.at for p in found] == [(), ("q1",), (), ("median",), ("q3",), ()]
    assert [p.own for p in found] == [45.0, 50.0, 55.0, 60.0, 70.0, 100.0]
    assert quartile_position(None, stats) == Position(None)


def test_a_member_on_two_boundaries_is_at_both():
    """58 among six members rounds to 60, the published lower quartile and median at once."""
    stats = BenchmarkStats(n=6, suppressed=False, q1=60.0, median=60.0, q3=70.0)
    assert quartile_position(58.0, stats) == Position(None, ("q1", "median"), 60.0)


def test_a_suppressed_figure_gives_no_position():
    assert quartile_position(70.0, BenchmarkStats(n=4, suppressed=True)) == Position(None)


SCORES = st.lists(st.floats(0, 100, allow_nan=False), min_size=0, max_size=40)


@given(SCORES, st.integers(5, 12))
def test_published_figures_never_reveal_extremes_or_small_groups(scores, k):
    stats = benchmark_stats(scores, k)
    if stats.n < k:
        assert stats.suppressed and stats.median is None
        return
    published = [v for v in (stats.p10, stats.q1, stats.median, stats.q3, stats.p90) if v is not None]
    step = 5 if stats.n < 20 else 1
    assert all(v % step == 0 for v in published)
    assert published == sorted(published)
    assert (stats.p10 is None) == (stats.n < 20)
    # No field can carry a minimum, maximum, mean or list: the published shape is fixed ...
    assert set(asdict(stats)) == {"n", "suppressed", "q1", "median", "q3", "p10", "p90"}
    # ... and each figure is the rounded quantile it names (computed here independently), so an
    # extreme could only appear where a quartile falls on it.
    present = sorted(v for v in scores if v is not None)
    expected = dict(zip(("q1", "median", "q3"), statistics.quantiles(present, n=4, method="inclusive"), strict=True))
    if stats.n >= 20:
        deciles = statistics.quantiles(present, n=10, method="inclusive")
        expected.update(p10=deciles[0], p90=deciles[-1])
    for name, value in expected.items():
        assert getattr(stats, name) == _round_half_up(value, step), name


def _round_half_up(value, step):
    return float((Decimal(str(value)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)
