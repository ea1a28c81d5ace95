"""Demo action plans for `manage.py demo`: planned from the 2025 staff surveys, judged in 2026."""

from datetime import date

from django.db import transaction

from accounts.models import Membership
from assessment.models import Cycle
from reports.models import Action
from reports.services import action_create, action_update

# The seed practice each action works on; it is planned on the survey's first item of that practice.
PLANS = [
    ("P5", "Write the rule on police contact and go through it with every volunteer.", "done"),
    ("P9", "Read a short statement of who sees the file to everyone at intake.", "done"),
    ("P17", "Practise open intake questions in the spring team meeting.", "under_way"),
]


@transaction.atomic
def build_demo_actions(organizations) -> None:
    """Give each organization three actions from its 2025 staff survey, two of them done."""
    for organization in organizations:
        if Action.objects.filter(organization=organization).exists():
            continue
        source = Cycle.objects.filter(
            organization=organization, mode=Cycle.Mode.STAFF, label="2025 staff survey"
        ).first()
        lead = Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).first()
        if source is None or lead is None:
            continue
        items = list(source.questionnaire.items.order_by("order"))
        for practice, what, status in PLANS:
            item = next(item for item in items if practice in item.practices)
            action = action_create(
                organization=organization,
                by=lead.user,
                source_cycle=source,
                practice=item.key,
                what=what,
                owner=lead.user,
                due_on=date(2025, 12, 31),
            )
            action_update(action=action, by=lead.user, status=status)
