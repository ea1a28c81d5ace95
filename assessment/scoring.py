"""Scoring of ally-readiness responses. Pure: plain data in, plain data out, no Django.

Scores are floats from 0 to 100; round only for display. The rules are those of the design
(§6, version 3) and are pinned by the worked examples in ``tests/data/vectors``.

Version 3 changes what a report may claim: ``compare`` is the one source of change verdicts
(overall at alpha, the dimensions one Bonferroni family, each interval at its own alpha so it
agrees with its verdict), a flat side is not tested, critical items on the ``breaks`` scale are
gaps at one reported break, and ``capped_band`` keeps a broken rule from reading "leading".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from scipy import stats

NOT_APPLICABLE = "na"
DONT_KNOW = "dk"
# The key of the overall score beside the dimension keys, in results, reports and coalition figures.
OVERALL: Final = "overall"
# The scale of critical items asked as observed breaks: "in the past 12 months, how often did you
# see this rule broken": 0 never, 1 once, 2 more than once (reverse, max 2).
BREAKS_SCALE = "breaks"
# On other scales a critical practice counts as kept only when more than this share gave the best
# answer, so one answer in ten that was not the best makes it a gap.
CRITICAL_TOP_SHARE = 0.9
BANDS = ((40.0, "beginning"), (60.0, "developing"), (80.0, "established"))
TOP_BAND = "leading"
BAND_ORDER = (*(name for _, name in BANDS), TOP_BAND)
# The highest band a score may carry while a critical gap stands.
CAPPED_AT = "developing"
# Verdicts of ``compare``.
BETTER, WORSE, UNCLEAR = "better", "worse", "unclear"
# The power at which ``change`` reports the detectable change: called clear 8 times in 10.
POWER = 0.80
DEFAULT_ALPHA = 0.05

SCORING_VERSION = 3

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
    scale: str = ""
    practices: tuple[str, ...] = ()  # the good practices the item asks about, e.g. ("P5",)


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

    @property
    def by_key(self) -> dict[str, float | None]:
        """Each dimension's score and the overall one, by key, as a response stores them.

        >>> ResponseScore({"consent": 50.0}, 50.0).by_key
        {'consent': 50.0, 'overall': 50.0}
        """
        return {**self.dimensions, OVERALL: self.overall}


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
    breaks: int = 0


@dataclass(frozen=True)
class Proportion:
    k: int
    n: int
    share: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Change:
    delta: float | None
    p_value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    mdc: float | None = None


@dataclass(frozen=True)
class Comparison:
    """One key's change, computed at the alpha of its test family, and the verdict it supports."""

    change: Change
    alpha: float
    verdict: str | None  # BETTER, WORSE, UNCLEAR, or None when the change cannot be tested


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


def answer_from_score(score: float, max_value: int, *, reverse: bool) -> int:
    """Return the answer one response's item score (0 to 100, as ``item_stats`` keeps it) came from.

    >>> answer_from_score(75.0, 4, reverse=False), answer_from_score(75.0, 4, reverse=True)
    (3, 1)
    """
    value = score / 100 * max_value
    return round(max_value - value if reverse else value)


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
    if not instrument.dimensions:
        return None
    weighted = 0.0
    for d in instrument.dimensions:
        score = dimensions.get(d.key)
        if score is None:
            return None
        weighted += d.weight * score
    return weighted / sum(d.weight for d in instrument.dimensions)


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
    """Return, per item, its scored answers' count, mean, sd, best-answer share and count of answers
    that were not the best (``breaks``), and its dk and na counts."""
    answer_sets = list(answer_sets)
    result = {}
    for item in instrument.items:
        answers = [answers.get(item.key) for answers in answer_sets]
        scored = [100.0 * s for s in (item_score(item, a) for a in answers) if s is not None]
        best = 0 if item.reverse else item.max_value
        n = len(scored)
        dk = sum(1 for a in answers if a == DONT_KNOW)
        top = sum(1 for a in answers if _is_score(a) and a == best)
        result[item.key] = ItemStats(
            n=n,
            mean=statistics.fmean(scored) if n else None,
            sd=statistics.stdev(scored) if n >= 2 else None,
            dk=dk,
            na=sum(1 for a in answers if a == NOT_APPLICABLE),
            dk_rate=dk / (n + dk) if n + dk else None,
            top_share=top / n if n else None,
            breaks=n - top,
        )
    return result


def _is_score(answer: Answer) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


def item_means(instrument: Instrument, answer_sets: Iterable[Mapping[str, Answer]]) -> dict[str, float | None]:
    """Return 100 × the mean item score over the responses that scored each item."""
    return {key: stats_.mean for key, stats_ in item_stats(instrument, answer_sets).items()}


def critical_gaps(instrument: Instrument, stats: Mapping[str, ItemStats]) -> list[str]:
    """Return the sorted keys of the critical items that are gaps.

    An item nobody could answer but some did not know about is a gap on any scale: nobody knows
    whether the rule is kept. On the ``breaks`` scale one reported break is a gap; on other
    scales, where "Often" may be loose wording, a gap is one answer in ten or more that was not
    the best.
    """
    gaps = []
    for item in instrument.items:
        found = stats.get(item.key)
        if not item.critical or found is None:
            continue
        if found.n == 0:
            if found.dk > 0:
                gaps.append(item.key)
        elif item.scale == BREAKS_SCALE:
            if found.breaks >= 1:
                gaps.append(item.key)
        # The tolerance keeps 9 in 10 (0.9 in floating point, or a hair off it) a gap.
        elif found.top_share is not None and found.top_share <= CRITICAL_TOP_SHARE + 1e-12:
            gaps.append(item.key)
    return sorted(gaps)


def proportion(k: int, n: int) -> Proportion:
    """Return the share k/n with its exact (Clopper–Pearson) 95% interval.

    >>> proportion(0, 1).ci_high, proportion(1, 1).ci_low, proportion(0, 0).share
    (0.975, 0.025, None)
    """
    if not 0 <= k <= n:
        raise ValueError(f"{k} of {n} is not a share.")
    if n == 0:
        return Proportion(k, n, None, None, None)
    low = 0.0 if k == 0 else float(stats.beta.ppf(0.025, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(0.975, k + 1, n - k))
    return Proportion(k, n, k / n, low, high)


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
        row = [score for item in items if (score := item_score(item, answers.get(item.key))) is not None]
        if len(row) == k:
            rows.append(row)
    if len(rows) < 3:
        return None
    item_variance = sum(statistics.variance(column) for column in zip(*rows, strict=True))
    total_variance = statistics.variance([sum(row) for row in rows])
    if total_variance == 0:
        return None
    return float(k / (k - 1) * (1 - item_variance / total_variance))


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


def capped_band(score: float | None, *, critical_gap: bool) -> str | None:
    """Return the band of a score, never above ``developing`` while a critical gap stands.

    >>> capped_band(85, critical_gap=True), capped_band(85, critical_gap=False), capped_band(30, critical_gap=True)
    ('developing', 'leading', 'beginning')
    """
    found = band(score)
    if found is None or not critical_gap:
        return found
    return BAND_ORDER[min(BAND_ORDER.index(found), BAND_ORDER.index(CAPPED_AT))]


def change(previous: Iterable[float | None], current: Iterable[float | None], *, alpha: float = 0.05) -> Change:
    """Return the change in mean from ``previous`` to ``current``: Welch's p-value, the
    (1 − alpha) interval of the difference and the change a real effect of which would be called
    clear 8 times in 10 at this alpha.

    Nothing is tested when either side has fewer than two values or no spread at all: a flat side
    makes the test meaningless (everyone answered alike).
    """
    before = [float(v) for v in previous if v is not None]
    after = [float(v) for v in current if v is not None]
    if not before or not after:
        return Change(None, None)
    delta = statistics.fmean(after) - statistics.fmean(before)
    if len(before) < 2 or len(after) < 2:
        return Change(delta, None)
    return change_from_summaries(
        (statistics.fmean(before), statistics.stdev(before), len(before)),
        (statistics.fmean(after), statistics.stdev(after), len(after)),
        alpha=alpha,
    )


def change_from_summaries(
    previous: tuple[float | None, float | None, int], current: tuple[float | None, float | None, int], *, alpha: float
) -> Change:
    """Return ``change`` from each side's (mean, sd, n), which is all Welch's test uses.

    Item changes are judged this way: a closed cycle stores each item's mean, sd and n, not its
    answers' scores one by one.
    """
    (m1, sd1, n1), (m2, sd2, n2) = previous, current
    if m1 is None or m2 is None or not n1 or not n2:
        return Change(None, None)
    delta = m2 - m1
    if n1 < 2 or n2 < 2 or not sd1 or not sd2:
        return Change(delta, None)
    v1, v2 = sd2**2 / n2, sd1**2 / n1
    df_denominator = v1**2 / (n2 - 1) + v2**2 / (n1 - 1)
    # A spread so small that its square (or the square of that) is 0 in floating point is no spread.
    if not v1 or not v2 or not df_denominator:
        return Change(delta, None)
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / df_denominator
    p_value = float(2 * stats.t.sf(abs(delta) / se, df))
    t_crit = float(stats.t.ppf(1 - alpha / 2, df))
    mdc = (t_crit + float(stats.t.ppf(POWER, df))) * se
    return Change(delta, p_value, delta - t_crit * se, delta + t_crit * se, mdc)


def compare(
    previous: Mapping[str, Iterable[float | None]],
    current: Mapping[str, Iterable[float | None]],
    *,
    primary: str = OVERALL,
    alpha: float = 0.05,
) -> dict[str, Comparison]:
    """Return one ``Comparison`` per key both sides have: the one place a report's verdicts come from.

    ``primary`` is tested at ``alpha``; the other keys form one Bonferroni family at alpha / m,
    m being how many of them have a testable change (at least 1). Each change is computed at its
    own alpha, so its interval excludes 0 exactly when its verdict is clear.
    """
    keys = [key for key in current if key in previous]
    values = {key: ([*previous[key]], [*current[key]]) for key in keys}
    testable = sum(1 for key in keys if key != primary and change(*values[key]).p_value is not None)
    family_alpha = alpha / max(testable, 1)
    comparisons = {}
    for key in keys:
        key_alpha = alpha if key == primary else family_alpha
        result = change(*values[key], alpha=key_alpha)
        if result.p_value is None or result.delta is None:
            verdict = None
        elif result.p_value < key_alpha:
            verdict = BETTER if result.delta > 0 else WORSE
        else:
            verdict = UNCLEAR
        comparisons[key] = Comparison(change=result, alpha=key_alpha, verdict=verdict)
    return comparisons
