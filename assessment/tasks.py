"""Background work of the assessment app: closing surveys, and sending invitation and reminder emails.

A task names a survey and a kind of email, never a person, a link or an address: it finds its
recipients on the rows themselves (links waiting to be sent, links and members with a reminder
due), so the task table, which keeps every task, holds no history of who was invited, reminded
or had not started. A link's token is made here, at the moment its email is sent, and only its
hash is stored.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from accounts.tokens import hash_token, new_token
from assessment.models import Cycle, MemberReminder, RespondentLink

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
INVITATION, REMINDER = "invitation", "reminder"


def _retry_delay(attempt: int) -> timedelta:
    return timedelta(seconds=settings.ALLY_EMAIL_RETRY_SECONDS * 2 ** (attempt - 1))


def _due_links(cycle: Cycle, kind: str):
    links = RespondentLink.objects.filter(cycle=cycle, kind=RespondentLink.Kind.SINGLE, is_revoked=False)
    if kind == INVITATION:
        return links.filter(delivery=RespondentLink.Delivery.PENDING)
    return links.filter(reminder_due=True)


@task()
def deliver_links(cycle_id: str, kind: str, message: str, site_url: str, language: str = "", attempt: int = 1) -> None:
    """Send the survey's due emails of one kind: invitations to links waiting to be sent, or
    reminders to the links and members that have one due. Each link's email carries a fresh token.

    Invited addresses get the email in ``language``, the one the lead sent it in (nothing is known
    of an address's language); members get it in their own, where they chose one.
    What fails stays due and is tried again later, up to three attempts; invitations still unsent
    after that are marked as failed, which the survey's page shows its leads.
    """
    language = language or settings.LANGUAGE_CODE
    from assessment.services.links import invitation_email, reminder_email

    cycle = Cycle.objects.select_related("organization").filter(pk=cycle_id, status=Cycle.Status.OPEN).first()
    if cycle is None:
        return
    connection = get_connection()
    failed_links, failed_members = [], []
    for link_id in list(_due_links(cycle, kind).values_list("pk", flat=True)):
        with transaction.atomic():
            # Still due under the lock: another run may have sent it, or its respondent started.
            link = _due_links(cycle, kind).select_for_update().filter(pk=link_id).first()
            if link is None:
                continue
            token = new_token()
            url = site_url + reverse("assessment:link_landing", args=[token])
            with translation.override(language):
                email = (
                    invitation_email(cycle, link.email, url)
                    if kind == INVITATION
                    else reminder_email(cycle, link.email, url, message)
                )
            try:
                connection.send_messages([email])
            except Exception:
                failed_links.append(link_id)
                continue
            link.token_hash = hash_token(token)
            link.delivery = RespondentLink.Delivery.SENT
            link.reminder_due = False
            link.save(update_fields=["token_hash", "delivery", "reminder_due"])
    if kind == REMINDER:
        failed_members = _remind_members(cycle, message, site_url, language, connection, reminder_email)
    if failed_links or failed_members:
        _after_failure(cycle, failed_links, failed_members, kind, message, site_url, attempt, language)


def _remind_members(cycle, message, site_url, language, connection, reminder_email) -> list:
    """Email each member with a reminder due; return the reminders that could not be sent."""
    started = cycle.participations.values("user_id")
    # A member who started since the reminder was asked for needs it no more.
    cycle.member_reminders.filter(is_due=True, user__in=started).update(is_due=False)
    url = site_url + reverse("assessment:respond", args=[cycle.organization.slug, cycle.pk])
    failed = []
    for reminder in cycle.member_reminders.filter(is_due=True).select_related("user"):
        with translation.override(reminder.user.language or language):
            email = reminder_email(cycle, reminder.user.email, url, message)
        try:
            connection.send_messages([email])
        except Exception:
            failed.append(reminder.pk)
            continue
        MemberReminder.objects.filter(pk=reminder.pk).update(is_due=False)
    return failed


def _after_failure(cycle, failed_links, failed_members, kind, message, site_url, attempt, language) -> None:
    # Never log addresses or tokens: how many, and which survey.
    logger.warning(
        "Sending %d email(s) for cycle %s failed (attempt %d of %d)",
        len(failed_links) + len(failed_members),
        cycle.pk,
        attempt,
        MAX_ATTEMPTS,
    )
    if attempt >= MAX_ATTEMPTS:
        # Only what this run tried and failed: rows that fell due since have their own attempts.
        failed = RespondentLink.objects.filter(pk__in=failed_links)
        failed.update(reminder_due=False)
        # A link whose invitation went out keeps working when its reminder fails, and is not
        # counted as failed: a count that dropped when one of them started would tell the leads.
        failed.exclude(delivery=RespondentLink.Delivery.SENT).update(delivery=RespondentLink.Delivery.FAILED)
        MemberReminder.objects.filter(pk__in=failed_members).update(is_due=False)
        return
    retry = deliver_links
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + _retry_delay(attempt))
    retry.enqueue(
        cycle_id=str(cycle.pk), kind=kind, message=message, site_url=site_url, language=language, attempt=attempt + 1
    )


@task()
def close_cycle(cycle_id: str) -> str:
    """Close a cycle its lead asked to close (``cycle_close_request``); return a short outcome code.

    Given the cycle's id only: who asked is on the request row, so the task table names nobody.
    """
    from assessment.services.cycles import cycle_close_requested

    return cycle_close_requested(cycle_id=cycle_id)
