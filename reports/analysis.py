"""Report figures from stored cycle results. Pure pandas: plain data in, frames and dicts out.

Cycles come in as dicts (see ``reports.selectors.cycle_records``)::

    {"id": "…", "label": "2025 staff survey", "closed_on": "2025-04-01", "mode": "staff",
     "version": 1, "results": {…stored cycle aggregates…}}
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from assessment import scoring
from assessment.aggregation import ROLE_GROUP_ORDER, visible_groups

BENCHMARK_FLOOR = 5  # never publish figures for fewer organizations, whatever a coalition sets
PERCENTILES_FROM = 20  # p10 and p90 only with at least this many organizations
OVERALL = scoring.OVERALL
CHANGE_COLUMNS = [
    *("dimension", "name", "previous", "current", "delta", "ci_low", "ci_high", "mdc", "p_value", "p_adjusted"),
    "clear",
]
CLEAR_P = 0.05  # a change is "clear" when its Holm-adjusted p-value is below this
AWARENESS_THRESHOLD = 0.2  # an awareness gap: more than this share did not know


def display_name(names: Mapping[str, str], key: str) -> str:
    """Return the name to show for a dimension key or the overall score; the caller names both.

    >>> display_name({"consent": "Consent", "overall": "Overall"}, "overall"), display_name({}, "consent")
    ('Overall', 'consent')
    """
    return names.get(key, key)


def ordered_keys(keys, preferred: Sequence[str]) -> list[str]:
    """Return ``keys`` in the order of ``preferred``, others after them alphabetically.

    Stored results are JSON objects, whose key order PostgreSQL does not keep, so display order
    always comes from the questionnaire, never from a stored object.

    >>> ordered_keys({"non_judgment", "consent", "extra"}, ["consent", "confidentiality", "non_judgment"])
    ['consent', 'non_judgment', 'extra']
    """
    position = {key: index for index, key in enumerate(preferred)}
    return sorted(keys, key=lambda key: (position.get(key, len(position)), key))


def dimension_trend_frame(cycles: Sequence[Mapping], dimension_names: Mapping[str, str]) -> pd.DataFrame:
    """Return one row per (cycle, dimension or overall): mean, interval, n, band and version.

    Dimensions are matched by key across cycles; a dimension a version lacks is simply absent.
    """
    rows = []
    for position, cycle in enumerate(cycles):
        results = cycle["results"]
        summaries = {**results["dimensions"], OVERALL: results[OVERALL]}
        for key in ordered_keys(summaries, [*dimension_names, OVERALL]):
            summary = summaries[key]
            rows.append(
                {
                    "position": position,
                    "cycle": cycle["label"],
                    "closed_on": cycle["closed_on"],
                    "version": cycle["version"],
                    "dimension": key,
                    "name": display_name(dimension_names, key),
                    "mean": summary["mean"],
                    "ci_low": summary["ci_low"],
                    "ci_high": summary["ci_high"],
                    "n": summary["n"],
                    "band": summary["band"],
                }
            )
    columns = [
        "position",
        "cycle",
        "closed_on",
        "version",
        "dimension",
        "name",
        "mean",
        "ci_low",
        "ci_high",
        "n",
        "band",
    ]
    return pd.DataFrame(rows, columns=columns)


def item_trend_frame(cycles: Sequence[Mapping]) -> pd.DataFrame:
    """Return item means with one row per item key and one column per cycle label.

    Items are matched by key; an item absent from a cycle's questionnaire version is NaN there.
    """
    series = {cycle["label"]: pd.Series(cycle["results"]["item_means"], dtype="float64") for cycle in cycles}
    frame = pd.DataFrame(series)
    return frame.reindex(columns=[cycle["label"] for cycle in cycles])


def version_changes(cycles: Sequence[Mapping]) -> list[str]:
    """Return the labels of cycles whose questionnaire version differs from the cycle before."""
    return [
        current["label"]
        for previous, current in zip(cycles, cycles[1:], strict=False)
        if current["version"] != previous["version"]
    ]


def change_frame(previous: Mapping, current: Mapping, dimension_names: Mapping[str, str]) -> pd.DataFrame:
    """Return, per dimension and overall, the change between two cycles of one questionnaire version.

    Each row has the difference, its 95% interval, the smallest change these sample sizes could
    detect (80% power), Welch's p-value and the p-value Holm-adjusted over the dimensions together
    (overall is one test of its own, left as is); ``clear`` is "better", "worse" or None.
    """
    rows = []
    shared = [key for key in current["dimensions"] if key in previous["dimensions"]]
    keys = [*ordered_keys(shared, list(dimension_names)), OVERALL]
    for key in keys:
        before = previous[OVERALL] if key == OVERALL else previous["dimensions"][key]
        after = current[OVERALL] if key == OVERALL else current["dimensions"][key]
        result = scoring.change(before["values"], after["values"])
        rows.append(
            {
                "dimension": key,
                "name": display_name(dimension_names, key),
                "previous": before["mean"],
                "current": after["mean"],
                "delta": result.delta,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "mdc": result.mdc,
                "p_value": result.p_value,
            }
        )
    adjusted = scoring.holm({row["dimension"]: row["p_value"] for row in rows if row["dimension"] != OVERALL})
    for row in rows:
        row["p_adjusted"] = adjusted.get(row["dimension"], row["p_value"])
        clear = row["p_adjusted"] is not None and row["p_adjusted"] < CLEAR_P
        row["clear"] = ("better" if row["delta"] > 0 else "worse") if clear else None
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def shared_item_changes(previous: Mapping, current: Mapping) -> list[dict]:
    """Return, for the items two questionnaire versions share (same key, same meaning), both means.

    Across versions nothing is tested: wording and neighbours changed, so a difference is shown,
    never called clear.
    """
    before, after = previous["item_means"], current["item_means"]
    return [
        {"key": key, "previous": before[key], "current": after[key], "delta": after[key] - before[key]}
        for key in after
        if key in before and before[key] is not None and after[key] is not None
    ]


def least_consensus(results: Mapping, *, top: int = 5) -> list[list[str]]:
    """Return the items whose scores vary most between respondents, as ranks of tied items.

    Standard deviations are compared to one decimal, as shown; every item tied with the last
    of the ``top`` is kept, so ties are shown as ties. "Don't know" is not a score, so it never
    makes an item look disputed.

    >>> least_consensus({"item_sd": {"a": 30.0, "b": 25.04, "c": 25.0, "d": 10.0, "e": None}}, top=2)
    [['a'], ['b', 'c']]
    """
    sd = pd.Series(results["item_sd"], dtype="float64").dropna().round(1)
    if sd.empty:
        return []
    ranks, taken = [], 0
    for value in sorted(set(sd), reverse=True):
        if taken >= top:
            break
        keys = sorted(sd[sd == value].index)
        ranks.append(keys)
        taken += len(keys)
    return ranks


def awareness_gaps(results: Mapping, *, threshold: float = AWARENESS_THRESHOLD) -> list[str]:
    """Return the items more than ``threshold`` of respondents did not know about, most unknown first.

    >>> awareness_gaps({"item_stats": {"a": {"dk_rate": 0.5}, "b": {"dk_rate": 0.2}, "c": {"dk_rate": 0.25}}})
    ['a', 'c']
    """
    rates = {key: found.get("dk_rate") for key, found in (results.get("item_stats") or {}).items()}
    over = [(rate, key) for key, rate in rates.items() if rate is not None and rate > threshold]
    return [key for rate, key in sorted(over, key=lambda pair: (-pair[0], pair[1]))]


def perception_gap(
    self_audit: Mapping, staff: Mapping, items: Mapping[str, dict], dimension_names: Mapping[str, str]
) -> dict:
    """Return the leadership self-audit beside the staff survey: per dimension, then per practice.

    Practices pair the two forms (a checklist entry and the staff items that carry the same
    practice id); items without practices pair by key. Largest gaps first.
    """
    dimensions = []
    for key in ordered_keys([k for k in self_audit["dimensions"] if k in staff["dimensions"]], list(dimension_names)):
        lead, team = self_audit["dimensions"][key]["mean"], staff["dimensions"][key]["mean"]
        if lead is not None and team is not None:
            dimensions.append({"key": key, "name": dimension_names.get(key, key), "self": lead, "staff": team})

    def by_practice(means: Mapping[str, float | None]) -> dict[str, list[float]]:
        grouped: dict[str, list[float]] = {}
        for key, mean in means.items():
            if mean is None:
                continue
            for practice in items.get(key, {}).get("practices") or [key]:
                grouped.setdefault(practice, []).append(mean)
        return grouped

    lead_practices, staff_practices = by_practice(self_audit["item_means"]), by_practice(staff["item_means"])
    practices = []
    for practice in sorted(set(lead_practices) & set(staff_practices)):
        practices.append(
            {
                "practice": practice,
                "self": sum(lead_practices[practice]) / len(lead_practices[practice]),
                "staff": sum(staff_practices[practice]) / len(staff_practices[practice]),
            }
        )
    for row in [*dimensions, *practices]:
        row["gap"] = row["self"] - row["staff"]
    practices.sort(key=lambda row: (-abs(row["gap"]), row["practice"]))
    return {"dimensions": dimensions, "practices": practices}


def weakest_items(results: Mapping, *, exclude: Sequence[str] = (), top: int = 5) -> list[str]:
    """Return the keys of the lowest-scoring items, leaving out ``exclude`` (the critical gaps)."""
    means = pd.Series(results["item_means"], dtype="float64").dropna().drop(labels=list(exclude), errors="ignore")
    frame = pd.DataFrame({"mean": means, "key": means.index})
    return frame.sort_values(["mean", "key"]).head(top)["key"].tolist()


def role_group_frame(results: Mapping, dimension_names: Mapping[str, str], min_n: int) -> pd.DataFrame:
    """Return the visible role groups' means per dimension and overall, in group order.

    Empty when no breakdown may be shown (see ``visible_groups``).
    """
    groups = results.get("role_groups") or {}
    shown = visible_groups({name: group["n"] for name, group in groups.items()}, min_n)
    rows = []
    for name in ROLE_GROUP_ORDER:
        if name not in shown:
            continue
        group = groups[name]
        rows.append({"group": name, "n": group["n"], **group["dimensions"], OVERALL: group[OVERALL]})
    dimension_keys = [key for key in dimension_names if key != OVERALL]
    return pd.DataFrame(rows, columns=["group", "n", *dimension_keys, OVERALL])


def records(frame: pd.DataFrame) -> list[dict]:
    """Return the frame's rows as JSON-ready dicts (NaN becomes None)."""
    cleaned = frame.astype(object).where(frame.notna(), None)
    return cleaned.to_dict(orient="records")


@dataclass(frozen=True)
class BenchmarkStats:
    n: int
    suppressed: bool
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    p10: float | None = None
    p90: float | None = None


def _publishable(value: float, n: int) -> float:
    """Round half up to a multiple of 5 below 20 organizations, to a whole number from 20 on.

    >>> _publishable(66.5, 6), _publishable(62.5, 6), _publishable(62.4, 6), _publishable(62.5, 20)
    (65.0, 65.0, 60.0, 63.0)
    """
    step = Decimal(1) if n >= PERCENTILES_FROM else Decimal(5)
    rounded = (Decimal(str(value)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return float(rounded)


def benchmark_stats(scores: Sequence[float | None], k: int, *, controllers: int | None = None) -> BenchmarkStats:
    """Return the figures a coalition may publish about its members' scores.

    Nothing but n below max(k, 5) members, or below that many distinct ``controllers`` (groups of
    members run by the same people, who count once: a steward cannot pad a coalition with
    organizations of their own); quartiles by linear interpolation; p10 and p90 from 20 members on;
    every figure rounded (to 5 points below 20 members), because an exact median of a small group
    is one member's score. Never a minimum, maximum, mean or list.

    >>> benchmark_stats([50, 55, 60, 65, 70], 5).suppressed, benchmark_stats([50, 55, 60, 65, 70], 5, controllers=2)
    (False, BenchmarkStats(n=5, suppressed=True, q1=None, median=None, q3=None, p10=None, p90=None))
    """
    values = pd.Series([v for v in scores if v is not None], dtype="float64")
    n = len(values)
    if min(n, n if controllers is None else controllers) < max(k, BENCHMARK_FLOOR):
        return BenchmarkStats(n=n, suppressed=True)
    quantiles = values.quantile([0.10, 0.25, 0.50, 0.75, 0.90], interpolation="linear")
    publish = lambda q: _publishable(float(quantiles[q]), n)  # noqa: E731
    wide = n >= PERCENTILES_FROM
    return BenchmarkStats(
        n=n,
        suppressed=False,
        q1=publish(0.25),
        median=publish(0.50),
        q3=publish(0.75),
        p10=publish(0.10) if wide else None,
        p90=publish(0.90) if wide else None,
    )


def quartile_position(own: float | None, stats: BenchmarkStats) -> int | None:
    """Return 1 (bottom) to 4 (top) by the published quartiles; a score on a boundary goes up.

    The own score is first rounded exactly as the published figures were, so it is compared like
    with like: 63.4 among 6 members is 65, on the median.

    >>> stats = BenchmarkStats(n=6, suppressed=False, q1=55.0, median=65.0, q3=80.0)
    >>> quartile_position(65.0, stats), quartile_position(63.4, stats), quartile_position(62.4, stats)
    (3, 3, 2)
    """
    if own is None or stats.suppressed:
        return None
    rounded = _publishable(own, stats.n)
    return 1 + sum(rounded >= boundary for boundary in (stats.q1, stats.median, stats.q3))
