"""Coalition statistics and the rows that show them. Pure: plain data in, plain data out.

The publishing rules of the design (§8, version 3): nothing but n below max(k, 5) independent
members, quartiles rounded as published, never a minimum, maximum, mean or list, and a member's
position read against the rounded figures so that it never contradicts them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from reports.analysis import OVERALL, display_name, ordered_keys

BENCHMARK_FLOOR = 5  # never publish figures for fewer organizations, whatever a coalition sets
PERCENTILES_FROM = 20  # p10 and p90 only with at least this many organizations
BOUNDARIES = ("q1", "median", "q3")


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

    def publish(q: float) -> float:
        return _publishable(float(quantiles[q]), n)

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


@dataclass(frozen=True)
class Position:
    """Where a member's rounded score lies against the published quartiles.

    ``quartile`` is 1 (bottom) to 4 (top), or None when the score is on a published boundary
    (``at`` names them, in the order q1, median, q3) or when there is no position to give.
    ``own`` is the score rounded as the figures were, the number a member is shown.
    """

    quartile: int | None
    at: tuple[str, ...] = ()
    own: float | None = None


def publishable(value: float | None, n: int) -> float | None:
    """Return a score rounded as published figures of ``n`` organizations are (see ``_publishable``)."""
    return None if value is None else _publishable(value, n)


def quartile_position(own: float | None, stats: BenchmarkStats) -> Position:
    """Return the member's position against the published quartiles, never contradicting them.

    The own score is first rounded exactly as the published figures were and compared like with
    like: 58 among 6 members is 60; where 60 is the published lower quartile and median, the
    member is "at the lower quartile and the median", not in a quartile.

    >>> stats = BenchmarkStats(n=6, suppressed=False, q1=55.0, median=65.0, q3=80.0)
    >>> quartile_position(70.0, stats), quartile_position(63.4, stats).at, quartile_position(62.4, stats).quartile
    (Position(quartile=3, at=(), own=70.0), ('median',), 2)
    """
    if own is None or stats.suppressed:
        return Position(None)
    rounded = _publishable(own, stats.n)
    figures = {"q1": stats.q1, "median": stats.median, "q3": stats.q3}
    at = tuple(name for name in BOUNDARIES if figures[name] == rounded)
    if at:
        return Position(None, at, rounded)
    below = sum(1 for name in BOUNDARIES if (figure := figures[name]) is not None and rounded > figure)
    return Position(1 + below, (), rounded)


def _ordered(stats: Mapping, names: Mapping[str, str]) -> list[str]:
    keys = ordered_keys([key for key in stats if key != OVERALL], list(names))
    # A year published with no member's scores at all may hold no figures, not even "overall".
    return [*keys, OVERALL] if OVERALL in stats else keys


def benchmark_rows(stats: Mapping, names: Mapping[str, str], own: Mapping[str, float | None] | None) -> list[dict]:
    """Return one row per dimension and overall: the published figures, and when ``own`` is given
    the organization's own score, rounded as the figures were, and its ``Position``."""
    rows = []
    for key in _ordered(stats, names):
        figures = stats[key]
        own_score = own.get(key) if own else None
        position = quartile_position(own_score, BenchmarkStats(**figures))
        rows.append(
            {
                "key": key,
                "name": display_name(names, key),
                **figures,
                # Shown rounded as the figures were, also when they are suppressed.
                "own": position.own if position.own is not None else publishable(own_score, figures["n"]),
                "quartile": position.quartile,
                "at": list(position.at),
            }
        )
    return rows


def shows_percentiles(rows: Sequence[Mapping]) -> bool:
    """Return whether any row of published figures carries a 10th and 90th percentile.

    They are published only from ``PERCENTILES_FROM`` members on, so a table of a smaller
    coalition has no such columns at all rather than columns that are always empty.

    >>> shows_percentiles([{"p10": None, "p90": None}]), shows_percentiles([{"p10": 40.0, "p90": 80.0}])
    (False, True)
    """
    return any(row.get("p10") is not None and row.get("p90") is not None for row in rows)


def median_trend(snapshots: Sequence, names: Mapping[str, str]) -> list[dict]:
    """Return the published medians across years, in the shape of a dimension trend frame.

    Each row carries its series' questionnaire version (None for snapshots published before a
    series held one version), so the chart breaks its lines where the version changes.
    """
    rows = []
    for snapshot in snapshots:
        version = (snapshot.versions or {}).get("staff")
        for key in _ordered(snapshot.stats, names):
            figures = snapshot.stats[key]
            if figures["suppressed"]:
                continue
            rows.append(
                {
                    "cycle": str(snapshot.period),
                    "name": display_name(names, key),
                    "mean": figures["median"],
                    "ci_low": figures["q1"],
                    "ci_high": figures["q3"],
                    "n": figures["n"],
                    "version": version,
                }
            )
    return rows


def controller_count(admins: Mapping[object, set]) -> int:
    """Return how many independent groups the organizations form, joining any two that share an admin.

    Organizations run by the same people count once toward a coalition's minimum.

    >>> controller_count({"a": {1}, "b": {1, 2}, "c": {2}, "d": {3}, "e": set()})
    3
    """
    parent = {org: org for org in admins}

    def root(org: object) -> object:
        while parent[org] != org:
            parent[org] = parent[parent[org]]
            org = parent[org]
        return org

    first_org_of: dict[object, object] = {}
    for org, people in admins.items():
        for person in people:
            if person in first_org_of:
                parent[root(org)] = root(first_org_of[person])
            else:
                first_org_of[person] = org
    return len({root(org) for org in admins})
