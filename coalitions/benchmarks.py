"""Rows for showing published coalition figures. Pure: plain data in, plain data out."""

from collections.abc import Mapping, Sequence

from reports.analysis import OVERALL, BenchmarkStats, display_name, ordered_keys, quartile_position


def _ordered(stats: Mapping, names: Mapping[str, str]) -> list[str]:
    keys = ordered_keys([key for key in stats if key != OVERALL], list(names))
    # A year published with no member's scores at all may hold no figures, not even "overall".
    return [*keys, OVERALL] if OVERALL in stats else keys


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
                "name": display_name(names, key),
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
                    "name": display_name(names, key),
                    "mean": figures["median"],
                    "ci_low": figures["q1"],
                    "ci_high": figures["q3"],
                    "n": figures["n"],
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

    def root(org):
        while parent[org] != org:
            parent[org] = parent[parent[org]]
            org = parent[org]
        return org

    first_org_of = {}
    for org, people in admins.items():
        for person in people:
            if person in first_org_of:
                parent[root(org)] = root(first_org_of[person])
            else:
                first_org_of[person] = org
    return len({root(org) for org in admins})
