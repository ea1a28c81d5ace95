"""Scoring of ally-readiness responses. Pure: plain data in, plain data out, no Django.

Scores are floats from 0 to 100; round only for display. The rules are those of the design
(§6, version 2) and are pinned by the worked example in ``tests/vectors``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scipy import stats

NOT_APPLICABLE = "na"
DONT_KNOW = "dk"
# The key of the overall score beside the dimension keys, in results, reports and coalition figures.
OVERALL = "overall"
# A critical practice is a rule: it counts as kept only when more than this share gave the best
# answer, so one person in ten who saw it broken makes it a gap.
CRITICAL_TOP_SHARE = 0.9
BANDS = ((40.0, "beginning"), (60.0, "developing"), (80.0, "established"))
TOP_BAND = "leading"

SCORING_VERSION = 2

Answer = int | str | None


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    weight: float = 1.0


@dataclass(frozen=True)
class ItemSpec:
    key: str
    dimension: str
    max_value: int = 4
    weight: float = 1.0
    reverse: bool = False
    critical: bool = False


@dataclass(frozen=True)
class Instrument:
    dimensions: tuple[DimensionSpec, ...]
    items: tuple[ItemSpec, ...]

    def items_of(self, dimension_key: str) -> tuple[ItemSpec, ...]:
        """Return the items that belong to one dimension, in instrument order."""
        return tuple(item for item in self.items if item.dimension == dimension_key)


@dataclass(frozen=True)
class ResponseScore:
    dimensions: dict[str, float | None]
    overall: float | None


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class ItemStats:
    n: int
    mean: float | None
    sd: float | None
    dk: int
    na: int
    dk_rate: float | None
    top_share: float | None


@dataclass(frozen=True)
class Change:
    delta: float | None
    p_value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    mdc: float | None = None


def item_score(item: ItemSpec, answer: Answer) -> float | None:
    """Return the item's score from 0 to 1, or None when it is left out of scores.

    "Don't know", "not applicable" and no answer are all left out: not knowing is reported as
    awareness, never scored as the worst answer.

    >>> item_score(ItemSpec("x", "d"), 3), item_score(ItemSpec("x", "d", reverse=True), 3)
    (0.75, 0.25)
    >>> item_score(ItemSpec("x", "d"), "dk"), item_score(ItemSpec("x", "d"), "na")
    (None, None)
    """
    if answer is None or answer in (NOT_APPLICABLE, DONT_KNOW):
        return None
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= item.max_value:
        raise ValueError(f"{item.key}: {answer!r} is not an answer between 0 and {item.max_value}.")
    fraction = answer / item.max_value
    return 1.0 - fraction if item.reverse else fraction


def score_response(instrument: Instrument, answers: Mapping[str, Answer]) -> ResponseScore:
    """Return one response's dimension scores and overall score."""
    dimensions: dict[str, float | None] = {}
    for dimension in instrument.dimensions:
        items = instrument.items_of(dimension.key)
        total_weight = sum(item.weight for item in items)
        answered_weight = weighted = 0.0
        for item in items:
            score = item_score(item, answers.get(item.key))
            if score is not None:
                answered_weight += item.weight
                weighted += item.weight * score
        if answered_weight == 0 or answered_weight < total_weight / 2:
            dimensions[dimension.key] = None
        else:
            dimensions[dimension.key] = 100.0 * weighted / answered_weight
    return ResponseScore(dimensions=dimensions, overall=_overall(instrument, dimensions))


def _overall(instrument: Instrument, dimensions: Mapping[str, float | None]) -> float | None:
    if not instrument.dimensions or any(dimensions.get(d.key) is None for d in instrument.dimensions):
        return None
    total_weight = sum(d.weight for d in instrument.dimensions)
    return sum(d.weight * dimensions[d.key] for d in instrument.dimensions) / total_weight


def summarize(values: Iterable[float | None]) -> Summary:
    """Return n, mean, sample sd and a 95% t-interval clipped to [0, 100] over the non-None values."""
    present = [float(v) for v in values if v is not None]
    n = len(present)
    if n == 0:
        return Summary(0, None, None, None, None)
    mean = statistics.fmean(present)
    if n < 2:
        return Summary(n, mean, None, None, None)
    sd = statistics.stdev(present)
    half_width = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return Summary(n, mean, sd, max(0.0, mean - half_width), min(100.0, mean + half_width))


def item_stats(instrument: Instrument, answer_sets: Iterable[Mapping[str, Answer]]) -> dict[str, ItemStats]:
    """Return, per item, its scored answers' count, mean, sd and best-answer share, and its dk and na counts."""
    answer_sets = list(answer_sets)
    result = {}
    for item in instrument.items:
        answers = [answers.get(item.key) for answers in answer_sets]
        scored = [100.0 * s for s in (item_score(item, a) for a in answers) if s is not None]
        best = 0 if item.reverse else item.max_value
        n = len(scored)
        dk = sum(1 for a in answers if a == DONT_KNOW)
        result[item.key] = ItemStats(
            n=n,
            mean=statistics.fmean(scored) if n else None,
            sd=statistics.stdev(scored) if n >= 2 else None,
            dk=dk,
            na=sum(1 for a in answers if a == NOT_APPLICABLE),
            dk_rate=dk / (n + dk) if n + dk else None,
            top_share=sum(1 for a in answers if _is_score(a) and a == best) / n if n else None,
        )
    return result


def _is_score(answer: Answer) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


def item_means(instrument: Instrument, answer_sets: Iterable[Mapping[str, Answer]]) -> dict[str, float | None]:
    """Return 100 × the mean item score over the responses that scored each item."""
    return {key: stats_.mean for key, stats_ in item_stats(instrument, answer_sets).items()}


def critical_gaps(instrument: Instrument, stats: Mapping[str, ItemStats]) -> list[str]:
    """Return the sorted keys of critical items where 90% or fewer gave the best answer.

    A critical item that nobody could score but some did not know about is a gap too: nobody
    knows whether the rule is kept.
    """
    gaps = []
    for item in instrument.items:
        found = stats.get(item.key)
        if not item.critical or found is None:
            continue
        # The tolerance keeps 9 in 10 (0.9 in floating point, or a hair off it) a gap.
        if (found.n and found.top_share <= CRITICAL_TOP_SHARE + 1e-12) or (found.n == 0 and found.dk > 0):
            gaps.append(item.key)
    return sorted(gaps)


def cronbach_alpha(
    instrument: Instrument, dimension_key: str, answer_sets: Iterable[Mapping[str, Answer]]
) -> float | None:
    """Return Cronbach's alpha of a dimension over the responses that answered all its items."""
    items = instrument.items_of(dimension_key)
    k = len(items)
    if k < 2:
        return None
    rows: list[Sequence[float]] = []
    for answers in answer_sets:
        row = [item_score(item, answers.get(item.key)) for item in items]
        if all(score is not None for score in row):
            rows.append(row)
    if len(rows) < 3:
        return None
    item_variance = sum(statistics.variance(column) for column in zip(*rows, strict=True))
    total_variance = statistics.variance([sum(row) for row in rows])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - item_variance / total_variance)


def band(score: float | None) -> str | None:
    """Return the band name of a score.

    >>> band(39.9), band(40), band(79.99), band(80), band(None)
    ('beginning', 'developing', 'established', 'leading', None)
    """
    if score is None:
        return None
    for upper, name in BANDS:
        if score < upper:
            return name
    return TOP_BAND


def band_range(ci_low: float | None, ci_high: float | None) -> tuple[str | None, str | None]:
    """Return the bands of an interval's two ends.

    >>> band_range(55, 85), band_range(None, None)
    (('developing', 'leading'), (None, None))
    """
    return band(ci_low), band(ci_high)


def change(previous: Iterable[float | None], current: Iterable[float | None]) -> Change:
    """Return the change in mean from ``previous`` to ``current``: Welch's p-value, the 95%
    interval of the difference and the smallest change these sample sizes detect with 80% power."""
    before = [float(v) for v in previous if v is not None]
    after = [float(v) for v in current if v is not None]
    if not before or not after:
        return Change(None, None)
    delta = statistics.fmean(after) - statistics.fmean(before)
    if len(before) < 2 or len(after) < 2:
        return Change(delta, None)
    v1, v2 = statistics.variance(after) / len(after), statistics.variance(before) / len(before)
    se = math.sqrt(v1 + v2)
    if se == 0:  # no spread on either side: the test is undefined
        return Change(delta, None)
    p_value = float(stats.ttest_ind(after, before, equal_var=False).pvalue)
    p_value = None if math.isnan(p_value) else p_value
    df = (v1 + v2) ** 2 / (v1**2 / (len(after) - 1) + v2**2 / (len(before) - 1))
    t_975 = float(stats.t.ppf(0.975, df))
    mdc = (t_975 + float(stats.t.ppf(0.80, df))) * se
    return Change(delta, p_value, delta - t_975 * se, delta + t_975 * se, mdc)


def holm(p_values: Mapping[str, float | None]) -> dict[str, float | None]:
    """Return Holm–Bonferroni adjusted p-values; None stays None.

    >>> holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": None})
    {'a': 0.03, 'b': 0.06, 'c': 0.06, 'd': None}
    """
    present = sorted((p, key) for key, p in p_values.items() if p is not None)
    m = len(present)
    adjusted: dict[str, float | None] = {}
    running = 0.0
    for j, (p, key) in enumerate(present):
        running = max(running, min(1.0, (m - j) * p))
        adjusted[key] = running
    return {key: adjusted.get(key) for key in p_values}
