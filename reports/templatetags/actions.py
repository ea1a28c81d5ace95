"""Action-plan sections that pages of lower apps show (the dashboard, a survey's start page);
those apps load these tags in templates and never import this app."""

from django import template
from django.conf import settings
from django.utils.translation import get_language

from assessment.models import Cycle
from reports import analysis, selectors

register = template.Library()


@register.simple_tag
def open_actions(organization) -> dict:
    """Return the organization's open actions and how many are overdue."""
    found = [action for action in selectors.organization_actions(organization) if action.is_open]
    return {"actions": found, "overdue": sum(action.is_overdue for action in found)}


@register.simple_tag
def actions_done_for_staff(cycle) -> list:
    """Return what was done since the last staff survey, where the organization shares its plan."""
    if not cycle.organization.show_plan_to_staff:
        return []
    previous = (
        Cycle.objects.filter(organization=cycle.organization, mode=Cycle.Mode.STAFF, status=Cycle.Status.CLOSED)
        .exclude(pk=cycle.pk)
        .order_by("-closed_on")
        .values_list("closed_on", flat=True)
        .first()
    )
    return selectors.actions_done_since(cycle.organization, previous)


@register.simple_tag
def latest_changes(cycles) -> list[dict]:
    """Return, for the newest reportable audit of each kind among ``cycles``, the summary of its
    stored report (where it stands and what changed since the last one), read as the report page
    reads it, never computed again; ``summary`` is None while the report is being built."""
    language = get_language() or settings.LANGUAGE_CODE
    latest = {}
    for cycle in cycles:  # newest first
        if cycle.is_reportable and cycle.mode not in latest:
            latest[cycle.mode] = cycle
    wanted = [latest[mode] for mode in (Cycle.Mode.STAFF, Cycle.Mode.TEAM) if mode in latest]
    payloads = selectors.current_stored_reports(list(cycles), wanted, language)
    found = []
    for cycle in wanted:
        payload = payloads[cycle.id]
        rows = ((payload or {}).get("change") or {}).get("rows", [])
        found.append(
            {
                "cycle": cycle,
                "summary": payload["summary"] if payload else None,
                "overall": next((row for row in rows if row["dimension"] == analysis.OVERALL), None),
            }
        )
    return found
