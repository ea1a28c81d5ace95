"""Background work of the assessment app: sending invitation and reminder emails.

Only ids travel through the queue. A link's token is made here, at the moment its email is
sent, and only its hash is stored: no token ever waits in the queue's table.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from accounts.models import User
from accounts.tokens import hash_token, new_token
from assessment.models import Cycle, RespondentLink

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def _retry_delay(attempt: int) -> timedelta:
    return timedelta(minutes=5 * 2 ** (attempt - 1))


@task()
def deliver_links(
    cycle_id: str,
    link_ids: list[str],
    member_ids: list[str],
    kind: str,
    message: str,
    site_url: str,
    attempt: int = 1,
    language: str = "",
) -> dict:
    """Email each link a fresh token (an invitation or a reminder), and each member a reminder.

    Invited addresses get the email in ``language``, the one the lead sent it in (nothing is known
    of an address's language); members get it in their own, where they chose one.
    What fails is tried again later, up to three attempts; links still unsent after that are
    marked as failed, which the survey's page shows its leads.
    """
    language = language or settings.LANGUAGE_CODE
    from assessment.services.links import invitation_email, reminder_email

    cycle = Cycle.objects.select_related("organization").filter(pk=cycle_id, status=Cycle.Status.OPEN).first()
    if cycle is None:
        return {"sent": 0, "failed": 0}
    connection = get_connection()
    failed_links, failed_members, sent = [], [], 0
    for link_id in link_ids:
        with transaction.atomic():
            link = RespondentLink.objects.select_for_update().filter(pk=link_id, is_revoked=False).first()
            if link is None:
                continue  # started or withdrawn since
            token = new_token()
            url = site_url + reverse("assessment:link_landing", args=[token])
            with translation.override(language):
                email = (
                    invitation_email(cycle, link.email, url)
                    if kind == "invitation"
                    else reminder_email(cycle, link.email, url, message)
                )
            try:
                connection.send_messages([email])
            except Exception:
                failed_links.append(link_id)
                continue
            link.token_hash = hash_token(token)
            link.delivery = RespondentLink.Delivery.SENT
            link.save(update_fields=["token_hash", "delivery"])
            sent += 1
    member_url = site_url + reverse("assessment:respond", args=[cycle.organization.slug, cycle.pk])
    for user in User.objects.filter(pk__in=member_ids):
        with translation.override(user.language or language):
            email = reminder_email(cycle, user.email, member_url, message)
        try:
            connection.send_messages([email])
            sent += 1
        except Exception:
            failed_members.append(str(user.pk))
    if failed_links or failed_members:
        _after_failure(cycle, failed_links, failed_members, kind, message, site_url, attempt, language)
    return {"sent": sent, "failed": len(failed_links) + len(failed_members)}


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
        RespondentLink.objects.filter(pk__in=failed_links).update(delivery=RespondentLink.Delivery.FAILED)
        return
    retry = deliver_links
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + _retry_delay(attempt))
    retry.enqueue(
        cycle_id=str(cycle.pk),
        link_ids=failed_links,
        member_ids=failed_members,
        kind=kind,
        message=message,
        site_url=site_url,
        attempt=attempt + 1,
        language=language,
    )
