"""Coalition sections that pages of lower apps show: a report's coalition position, an
organization's coalition memberships. Lower apps load these tags in templates and never
import this app."""

from django import template

from coalitions import selectors
from coalitions.benchmarks import benchmark_rows
from reports import charts, wording

register = template.Library()


@register.simple_tag
def cycle_coalition_positions(cycle, payload: dict) -> list[dict]:
    """Return this cycle's scores against the figures its coalitions published for the same year.

    A position is shown only on the report of the audit the figures were computed from; the
    report of another audit of that year says which audit was published instead. Looked up on
    each view, not stored with the report: a coalition may publish after the report was first read.
    """
    if cycle.mode not in selectors.BENCHMARKED_MODES:
        return []
    snapshots = selectors.active_coalition_snapshots_for(cycle.organization, cycle.closed_on.year)
    if not snapshots:
        return []
    names = {row["key"]: row["name"] for row in payload["scores"]}
    own = {row["key"]: row["mean"] for row in payload["scores"]}
    positions, others = [], []
    for snapshot in snapshots:
        stats, published = selectors.series_for(snapshot, cycle.organization, cycle.mode)
        if not stats or published is None:
            continue
        if published.pk != cycle.pk:
            others.append({"snapshot": snapshot, "published": published})
            continue
        positions.append({"snapshot": snapshot, "stats": stats, "rows": benchmark_rows(stats, names, own)})
    labels = wording.chart_labels()
    for position in positions:  # drawn from the published figures as the table is: nothing is stored
        position["chart"] = charts.script_json(charts.coalition_position_figure(position["rows"], labels))
    return [*positions, *others]


@register.simple_tag
def organization_coalition_memberships(organization) -> list:
    """Return the organization's coalition memberships, current ones first."""
    return selectors.organization_coalition_memberships(organization)
