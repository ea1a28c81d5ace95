"""Rows for showing published coalition figures. Pure: plain data in, plain data out."""

from collections.abc import Mapping, Sequence

from reports.analysis import BenchmarkStats, ordered_keys, quartile_position

OVERALL = "overall"


def _ordered(stats: Mapping, names: Mapping[str, str]) -> list[str]:
    return [*ordered_keys([key for key in stats if key != OVERALL], list(names)), OVERALL]


def benchmark_rows(stats: Mapping, names: Mapping[str, str], own: Mapping[str, float | None] | None) -> list[dict]:
    """Return one row per dimension and overall: the published figures, and the organization's own
    score and quartile when ``own`` is given."""
    rows = []
    for key in _ordered(stats, names):
        figures = stats[key]
        own_score = own.get(key) if own else None
        rows.append(
            {
                "key": key,
                "name": names.get(key, "Overall" if key == OVERALL else key),
                **figures,
                "own": own_score,
                "quartile": quartile_position(own_score, BenchmarkStats(**figures)),
            }
        )
    return rows


def median_trend(snapshots: Sequence, names: Mapping[str, str]) -> list[dict]:
    """Return the published medians across years, in the shape of a dimension trend frame."""
    rows = []
    for snapshot in snapshots:
        for key in _ordered(snapshot.stats, names):
            figures = snapshot.stats[key]
            if figures["suppressed"]:
                continue
            rows.append(
                {
                    "cycle": str(snapshot.period),
                    "name": names.get(key, "Overall" if key == OVERALL else key),
                    "mean": figures["median"],
                    "ci_low": figures["q1"],
                    "ci_high": figures["q3"],
                    "n": figures["n"],
                }
            )
    return rows
