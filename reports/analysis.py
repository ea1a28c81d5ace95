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
OVERALL = "overall"
MEANINGFUL_P = 0.05


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
                    "name": dimension_names.get(key, "Overall" if key == OVERALL else key),
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
    """Return, per dimension and overall, the change in mean and Welch's p-value between two cycles.

    Uses the per-response scores stored with each cycle; "meaningful" means p < 0.05.
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
                "name": dimension_names.get(key, "Overall" if key == OVERALL else key),
                "previous": before["mean"],
                "current": after["mean"],
                "delta": result.delta,
                "p_value": result.p_value,
                "meaningful": result.p_value is not None and result.p_value < MEANINGFUL_P,
            }
        )
    return pd.DataFrame(rows, columns=["dimension", "name", "previous", "current", "delta", "p_value", "meaningful"])


def least_consensus(results: Mapping, *, top: int = 5) -> list[str]:
    """Return the keys of the items whose scores vary most between respondents (highest sd)."""
    sd = pd.Series(results["item_sd"], dtype="float64").dropna()
    if sd.empty:
        return []
    frame = pd.DataFrame({"sd": sd, "key": sd.index})
    return frame.sort_values(["sd", "key"], ascending=[False, True]).head(top)["key"].tolist()


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
    return pd.DataFrame(rows, columns=["group", "n", *dimension_names, OVERALL])


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
