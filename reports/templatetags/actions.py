"""Action-plan sections that pages of lower apps show (the dashboard, a survey's start page);
those apps load these tags in templates and never import this app."""

from django import template

from assessment.models import Cycle
from reports import selectors

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
