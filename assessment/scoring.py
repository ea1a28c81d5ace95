"""Scoring of ally-readiness responses. Pure: plain data in, plain data out, no Django.

Scores are floats from 0 to 100; round only for display. The rules are those of the design
(§6) and are pinned by the worked example in ``tests/vectors``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scipy import stats

NOT_APPLICABLE = "na"
DONT_KNOW = "dk"
CRITICAL_THRESHOLD = 75.0
BANDS = ((40.0, "beginning"), (60.0, "developing"), (80.0, "established"))
TOP_BAND = "leading"

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
class Change:
    delta: float | None
    p_value: float | None


def item_score(item: ItemSpec, answer: Answer) -> float | None:
    """Return the item's score from 0 to 1, or None when it was not answered.

    "Don't know" scores 0 and counts as answered; "not applicable" and no answer are left out.

    >>> item_score(ItemSpec("x", "d"), 3), item_score(ItemSpec("x", "d", reverse=True), 3)
    (0.75, 0.25)
    >>> item_score(ItemSpec("x", "d"), "dk"), item_score(ItemSpec("x", "d"), "na")
    (0.0, None)
    """
    if answer is None or answer == NOT_APPLICABLE:
        return None
    if answer == DONT_KNOW:
        return 0.0
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


def item_means(instrument: Instrument, answer_sets: Iterable[Mapping[str, Answer]]) -> dict[str, float | None]:
    """Return 100 × the mean item score over the responses that answered each item."""
    scores: dict[str, list[float]] = {item.key: [] for item in instrument.items}
    for answers in answer_sets:
        for item in instrument.items:
            score = item_score(item, answers.get(item.key))
            if score is not None:
                scores[item.key].append(score)
    return {key: 100.0 * statistics.fmean(values) if values else None for key, values in scores.items()}


def critical_gaps(instrument: Instrument, item_means: Mapping[str, float | None]) -> list[str]:
    """Return the sorted keys of critical items whose mean is below 75."""
    return sorted(
        item.key
        for item in instrument.items
        if item.critical and item_means.get(item.key) is not None and item_means[item.key] < CRITICAL_THRESHOLD
    )


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


def change(previous: Iterable[float | None], current: Iterable[float | None]) -> Change:
    """Return the change in mean from ``previous`` to ``current`` and Welch's p-value."""
    before = [float(v) for v in previous if v is not None]
    after = [float(v) for v in current if v is not None]
    if not before or not after:
        return Change(None, None)
    delta = statistics.fmean(after) - statistics.fmean(before)
    if len(before) < 2 or len(after) < 2:
        return Change(delta, None)
    p_value = float(stats.ttest_ind(after, before, equal_var=False).pvalue)
    return Change(delta, None if math.isnan(p_value) else p_value)
