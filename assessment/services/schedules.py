"""The yearly rhythm: when each kind of audit falls, what is due or overdue, the emails that say
so, and opening next year's audit in one step."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils.dates import MONTHS

from accounts.emails import render_email
from accounts.models import AuditEvent, Membership, Organization, User
from accounts.services import audit
from assessment.models import AuditSchedule, Cycle, ScheduleNotice
from assessment.selectors import questionnaire_for_mode
from assessment.services.cycles import cycle_create, staff_survey_refusal

logger = logging.getLogger(__name__)
Kind = ScheduleNotice.Kind
LABELS: dict[str, str] = {Cycle.Mode.STAFF: "{year} staff survey", Cycle.Mode.TEAM: "{year} leadership self-audit"}


@dataclass(frozen=True)
class ScheduleState:
    schedule: AuditSchedule
    due_on: date  # the first day of this year's audit month
    ends_on: date  # when the audit should be closed by
    state: str  # "open", "done", "due", "overdue" or "upcoming"
    days_to_due: int
    refusal: str | None = None  # why it cannot open today, while it is not open or done this year

    @property
    def next_due_on(self) -> date:
        """Return when the next audit of this kind is due: next year's month once this year's is open or done."""
        if self.state in ("open", "done"):
            return self.due_on.replace(year=self.due_on.year + 1)
        return self.due_on

    @property
    def can_open(self) -> bool:
        """Whether a lead may open this year's audit now, early included."""
        return self.state in ("upcoming", "due", "overdue") and self.refusal is None


@transaction.atomic
def schedule_set(*, organization: Organization, by: User, mode: str, month: int, weeks: int) -> AuditSchedule:
    """Set the month and usual length of the organization's yearly audit of one kind."""
    schedule, _created = AuditSchedule.objects.update_or_create(
        organization=organization, mode=mode, defaults={"month": month, "weeks": weeks}
    )
    audit(
        organization=organization,
        actor=by,
        action=AuditEvent.Action.SCHEDULE_CHANGED,
        data={"mode": mode, "month": month, "weeks": weeks},
    )
    return schedule


def schedule_states(organization: Organization, *, today: date) -> list[ScheduleState]:
    """Return, per schedule, this year's due date and whether the audit is open, done, due, overdue or upcoming."""
    schedules = list(AuditSchedule.objects.filter(organization=organization).order_by("mode"))
    this_year = Cycle.objects.filter(organization=organization, opens_on__year=today.year)
    opened = {mode: status for mode, status in this_year.values_list("mode", "status")}
    open_modes = set(
        Cycle.objects.filter(organization=organization, status=Cycle.Status.OPEN).values_list("mode", flat=True)
    )
    states = [_state(schedule, today, opened, open_modes) for schedule in schedules]
    return [
        replace(state, refusal=staff_survey_refusal(organization_id=organization.pk, today=today))
        if state.schedule.mode == Cycle.Mode.STAFF and state.state in ("upcoming", "due", "overdue")
        else state
        for state in states
    ]


def _state(schedule: AuditSchedule, today: date, opened: Mapping[str, str], open_modes: set[str]) -> ScheduleState:
    due = date(today.year, schedule.month, 1)
    ends = due + timedelta(weeks=schedule.weeks)
    days = (due - today).days
    if schedule.mode in open_modes:
        state = "open"
    elif schedule.mode in opened:
        state = "done"
    elif today > ends:
        state = "overdue"
    elif days <= 30:
        state = "due"
    else:
        state = "upcoming"
    return ScheduleState(schedule, due, ends, state, days)


@transaction.atomic
def cycle_open_next(*, organization: Organization, by: User, mode: str, today: date) -> Cycle:
    """Open this year's audit of one kind with last time's settings: one step for a lead."""
    last = Cycle.objects.filter(organization=organization, mode=mode).order_by("-opens_on", "-created_at").first()
    schedule = AuditSchedule.objects.filter(organization=organization, mode=mode).first()
    weeks = schedule.weeks if schedule else 4
    return cycle_create(
        organization=organization,
        by=by,
        questionnaire=questionnaire_for_mode(mode),
        label=LABELS[mode].format(year=today.year),
        mode=mode,
        opens_on=today,
        closes_on=today + timedelta(weeks=weeks),
        min_responses=last.min_responses if last else 5,
        today=today,
    )


def _notice_kind(state: ScheduleState) -> str | None:
    if state.state == "overdue":
        return Kind.OVERDUE
    if state.state == "due" and 0 <= state.days_to_due <= 7:
        return Kind.DUE_IN_7
    if state.state == "due" and 7 < state.days_to_due <= 30:
        return Kind.DUE_IN_30
    return None


def schedule_notices_send(*, today: date, site_url: str) -> int:
    """Email the leads and admins of every organization whose audit is due in 30 or 7 days, or
    overdue; return how many notices went out.

    Each notice is recorded before it is sent, under a unique constraint: running this again,
    or twice at the same moment, sends nothing twice.
    """
    sent = 0
    for schedule in AuditSchedule.objects.select_related("organization"):
        state = _state(
            schedule,
            today,
            dict(
                Cycle.objects.filter(organization=schedule.organization, opens_on__year=today.year).values_list(
                    "mode", "status"
                )
            ),
            set(
                Cycle.objects.filter(organization=schedule.organization, status=Cycle.Status.OPEN).values_list(
                    "mode", flat=True
                )
            ),
        )
        kind = _notice_kind(state)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                ScheduleNotice.objects.create(schedule=schedule, year=today.year, kind=kind)
        except IntegrityError:
            continue  # sent already, by this run or another
        _email_leads(state, kind, site_url)
        sent += 1
    return sent


def _email_leads(state: ScheduleState, kind: str, site_url: str) -> None:
    organization = state.schedule.organization
    leads = Membership.objects.filter(
        organization=organization, role__in=[Membership.Role.ADMIN, Membership.Role.LEAD]
    ).values_list("user__email", "user__language")
    messages = []
    context = {
        "state": state,
        "kind": kind,
        "organization": organization,
        "month": MONTHS[state.schedule.month],
        "url": site_url + organization.get_absolute_url(),
    }
    messages = [render_email("assessment/email/schedule", address, context, language) for address, language in leads]
    try:
        get_connection().send_messages(messages)
    except Exception:
        logger.exception("Sending schedule notices for organization %s failed", organization.pk)
