"""Writes for reports: storing closed cycles' computed reports, action plans, the record of exports."""

import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, Organization, User
from accounts.services import audit
from assessment.models import Cycle
from reports import report, selectors
from reports.models import Action, CycleReport


def cycle_report_build(*, cycle: Cycle, languages: list[str] | None = None) -> report.Report:
    """Compute and store the cycle's report in each of ``languages`` (the active language by
    default) where no current one is stored; return it in the last of them.

    A stored report stays current while the cycles it was built from are unchanged: the same
    earlier cycles of its kind, and the same audits of the other kinds closed that year.
    """
    languages = languages or [get_language() or settings.LANGUAGE_CODE]
    inputs = selectors.report_inputs(cycle)
    stored = {row.language: row for row in CycleReport.objects.filter(cycle=cycle, language__in=languages)}
    payload: report.Report | None = None
    for language in languages:
        row = stored.get(language)
        if row is not None and selectors.is_current(row, inputs.basis):
            payload = row.payload
            continue
        with translation.override(language):
            payload = selectors.computed_report(cycle, inputs)
        with transaction.atomic():
            CycleReport.objects.update_or_create(
                cycle=cycle, language=language, defaults={"basis": inputs.basis, "payload": payload}
            )
    assert payload is not None
    return payload


def organization_reports_build(*, organization_id: UUID | str, from_year: int | None = None) -> int:
    """Bring the organization's stored reports up to date in every language, those of audits
    closed in ``from_year`` or later (all by default); return how many audits have one.

    A close or a deletion changes the reports of the audits around it: the other kinds' of its
    year, and the later ones of its kind.
    """
    cycles = Cycle.objects.filter(organization_id=organization_id, status=Cycle.Status.CLOSED)
    if from_year is not None:
        cycles = cycles.filter(closed_on__year__gte=from_year)
    languages = [code for code, _name in settings.LANGUAGES]
    built = 0
    for cycle in cycles.select_related("organization", "questionnaire").order_by("closed_on", "created_at"):
        if cycle.is_reportable:
            cycle_report_build(cycle=cycle, languages=languages)
            built += 1
    return built


def report_exported(*, cycle: Cycle, by: User, fmt: str) -> None:
    """Record in the organization's audit log that someone took a copy of the report away."""
    audit(
        organization=cycle.organization,
        actor=by,
        action=AuditEvent.Action.EXPORTED,
        data={"cycle": str(cycle.pk), "format": fmt},
    )


ACTION_OWNER_MESSAGE = _("The owner must be a member of the organization.")
ACTION_PRACTICE_MESSAGE = _("Choose a practice from the audit's questionnaire.")


def _check_owner(organization: Organization, owner: User | None) -> None:
    if owner is not None and not organization.memberships.filter(user=owner).exists():
        raise ValidationError(ACTION_OWNER_MESSAGE)


def _practice_named(action: Action) -> dict:
    """The audit log's facts naming an action's practice: its key and its questionnaire (None once
    the audit it came from is deleted)."""
    cycle = action.source_cycle
    return {"practice": action.practice, "questionnaire": str(cycle.questionnaire_id) if cycle else None}


@transaction.atomic
def action_create(
    *,
    organization: Organization,
    by: User,
    source_cycle: Cycle,
    practice: str,
    what: str,
    owner: User | None = None,
    due_on: datetime.date | None = None,
    notes: str = "",
) -> Action:
    """Plan an action on one practice of a closed audit's report."""
    item = source_cycle.questionnaire.items.filter(key=practice).first()
    if item is None or source_cycle.organization_id != organization.pk:
        raise ValidationError(ACTION_PRACTICE_MESSAGE)
    _check_owner(organization, owner)
    action = Action.objects.create(
        organization=organization,
        source_cycle=source_cycle,
        practice=practice,
        practice_text=item.text,
        what=what,
        owner=owner,
        due_on=due_on,
        notes=notes,
    )
    audit(
        organization=organization,
        actor=by,
        action=AuditEvent.Action.ACTION_CREATED,
        data={"action": str(action.pk), **_practice_named(action)},
    )
    return action


@transaction.atomic
def action_update(*, action: Action, by: User, **fields: Any) -> Action:
    """Change an action's plan, owner, due date, status or notes."""
    _check_owner(action.organization, fields.get("owner", action.owner))
    changed = [name for name, value in fields.items() if getattr(action, name) != value]
    for name in changed:
        setattr(action, name, fields[name])
    if changed:
        action.save(update_fields=[*changed, "updated_at"])
        audit(
            organization=action.organization,
            actor=by,
            action=AuditEvent.Action.ACTION_UPDATED,
            data={"action": str(action.pk), **_practice_named(action), "changed": changed, "status": action.status},
        )
    return action
