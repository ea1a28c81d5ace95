"""Writes for respondent links: emailing single-use invitations, the shared link, and starting from a link."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent
from accounts.services import audit
from accounts.tokens import hash_token, new_token
from assessment.models import Cycle, InvitedAddress, MemberReminder, RespondentLink
from assessment.services.cycles import CYCLE_ALREADY_CLOSED_MESSAGE
from assessment.services.responding import StaffDraft, credential_new
from assessment.tasks import deliver_links

logger = logging.getLogger(__name__)
Action = AuditEvent.Action

LINK_INVALID_MESSAGE = _(
    "This link cannot be used. It may have been used already, withdrawn, or its audit may have closed."
)
LINKS_ONLY_FOR_STAFF_MESSAGE = _("Respondent links are only for anonymous staff surveys.")
NO_ADDRESSES_MESSAGE = _("Enter at least one email address, one per line.")
TOO_MANY_ADDRESSES_MESSAGE = _("Invite at most %(max)s addresses at a time.")
ADDRESS_PROBLEMS_MESSAGE = _("Nothing was sent. Correct or remove these addresses and try again:")
INVALID_ADDRESS_REASON = _("not an email address")
REPEATED_ADDRESS_REASON = _("listed more than once")
ALREADY_INVITED_REASON = _("already invited to this survey")
OWN_ADDRESS_REASON = _("your own address: answer as a member instead")
MAX_INVITATIONS = 500


@dataclass(frozen=True)
class AddressProblem:
    address: str
    reason: str


class InvitationProblems(ValidationError):
    """Some addresses cannot be invited; nothing was written or sent."""

    def __init__(self, problems: list[AddressProblem]):
        super().__init__(ADDRESS_PROBLEMS_MESSAGE)
        self.problems = problems


def address_hash(cycle: Cycle, address: str) -> str:
    """Return the keyed hash that records an invited address without storing it."""
    return salted_hmac("ally.invited-address", f"{cycle.pk}:{address.lower()}", algorithm="sha256").hexdigest()


def parse_addresses(raw: str) -> list[str]:
    """Return the addresses in a pasted list: one per line, or separated by commas, semicolons or spaces."""
    for separator in ",;\t\r ":
        raw = raw.replace(separator, "\n")
    return [line.strip().strip("<>") for line in raw.split("\n") if line.strip()]


def _address_problems(cycle: Cycle, addresses: list[str], by) -> list[AddressProblem]:
    problems, seen = [], set()
    invited = set(cycle.invited_addresses.values_list("address_hash", flat=True))
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            problems.append(AddressProblem(address, str(INVALID_ADDRESS_REASON)))
            continue
        if address.lower() in seen:
            problems.append(AddressProblem(address, str(REPEATED_ADDRESS_REASON)))
        elif address_hash(cycle, address) in invited:
            problems.append(AddressProblem(address, str(ALREADY_INVITED_REASON)))
        elif by is not None and address.lower() == by.email.lower():
            problems.append(AddressProblem(address, str(OWN_ADDRESS_REASON)))
        seen.add(address.lower())
    return problems


@transaction.atomic
def invitations_send(*, cycle: Cycle, by, addresses: list[str], site_url: str) -> int:
    """Email one single-use link to each address and return how many were sent.

    The tokens go only into the emails: the lead who invites never sees one. Every address is
    checked first; if any cannot be invited, nothing is written or sent. The batch and its size
    go to the audit log every admin reads.
    """
    cycle = Cycle.objects.select_for_update().select_related("organization").get(pk=cycle.pk)
    if not cycle.is_staff_survey:
        raise ValidationError(LINKS_ONLY_FOR_STAFF_MESSAGE)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    if not addresses:
        raise ValidationError(NO_ADDRESSES_MESSAGE)
    if len(addresses) > MAX_INVITATIONS:
        raise ValidationError(TOO_MANY_ADDRESSES_MESSAGE % {"max": MAX_INVITATIONS})
    problems = _address_problems(cycle, addresses, by)
    if problems:
        raise InvitationProblems(problems)
    # Each link starts with a token nobody holds; the task that emails it gives it a real one.
    created = RespondentLink.objects.bulk_create(
        RespondentLink(
            cycle=cycle,
            kind=RespondentLink.Kind.SINGLE,
            token_hash=hash_token(new_token()),
            email=address,
            delivery=RespondentLink.Delivery.PENDING,
        )
        for address in addresses
    )
    InvitedAddress.objects.bulk_create(
        InvitedAddress(cycle=cycle, address_hash=address_hash(cycle, a)) for a in addresses
    )
    cycle.invited_count += len(addresses)
    cycle.save(update_fields=["invited_count"])
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.INVITATIONS_SENT,
        detail=f"{len(addresses)} invitation(s) for {cycle.label}; {cycle.invited_count} invited in all",
        data={"cycle": str(cycle.pk), "invited": len(addresses), "invited_in_all": cycle.invited_count},
    )
    link_ids = [str(link.pk) for link in created]
    language = get_language() or settings.LANGUAGE_CODE  # the lead's, for invited addresses
    transaction.on_commit(
        lambda: deliver_links.enqueue(
            cycle_id=str(cycle.pk),
            link_ids=link_ids,
            member_ids=[],
            kind="invitation",
            message="",
            site_url=site_url,
            language=language,
        ),
        robust=True,
    )
    return len(addresses)


def invitation_email(cycle: Cycle, address: str, url: str) -> EmailMessage:
    context = {"cycle": cycle, "organization": cycle.organization, "url": url}
    subject = render_to_string("assessment/email/survey_invitation_subject.txt", context).strip()
    body = render_to_string("assessment/email/survey_invitation_message.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


@transaction.atomic
def shared_link_create(*, cycle: Cycle, by) -> str:
    """Make the survey's shared link (ending any earlier one) and return its token, shown once."""
    if not cycle.is_staff_survey:
        raise ValidationError(LINKS_ONLY_FOR_STAFF_MESSAGE)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    cycle.links.filter(kind=RespondentLink.Kind.SHARED).update(is_revoked=True)
    token = new_token()
    RespondentLink.objects.create(cycle=cycle, kind=RespondentLink.Kind.SHARED, token_hash=hash_token(token))
    audit(
        organization=cycle.organization, actor=by, action=Action.LINKS_CREATED, detail=f"shared link for {cycle.label}"
    )
    return token


def link_for_token(token: str) -> RespondentLink | None:
    """Return the usable link a token opens, or None."""
    link = RespondentLink.objects.select_related("cycle__organization").filter(token_hash=hash_token(token)).first()
    if link is None or link.is_revoked or not link.cycle.is_open:
        return None
    return link


@transaction.atomic
def link_redeem(*, token: str) -> tuple[Cycle, StaffDraft]:
    """Start answering from a link; return its cycle and the empty draft for the respondent's browser.

    A single-use link is spent here, at the start, and its row (with the invited address)
    deleted: nothing keeps which link led to which answers. The draft's credential is signed,
    not stored, so nothing written here is touched again when the respondent submits.
    """
    link = (
        RespondentLink.objects.select_for_update()
        .select_related("cycle__organization")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None or link.is_revoked or not link.cycle.is_open:
        raise ValidationError(LINK_INVALID_MESSAGE)
    cycle = link.cycle
    if link.kind == RespondentLink.Kind.SINGLE:
        link.delete()
    return cycle, StaffDraft(cycle_id=str(cycle.pk), credential=credential_new(cycle))


REMINDER_TOO_SOON_MESSAGE = _("Reminders went out less than a day ago. Wait a day before sending more.")
REMINDER_NOBODY_MESSAGE = _("Nobody is left to remind: everyone started, or was reminded twice already.")
MAX_REMINDERS = 2
REMINDER_GAP = timedelta(days=1)


@transaction.atomic
def reminders_send(*, cycle: Cycle, by, message: str, site_url: str) -> tuple[int, int]:
    """Remind, at most twice each, invitees who have not started and members who have not started.

    Each unstarted single-use link gets a fresh token in its reminder (the old one stops; the
    sending task makes it, so no token is ever stored); members are pointed to the survey page.
    Answers are never consulted: who started is known from spent links and participation records
    alone. Returns how many invitees and members were reminded.
    """
    cycle = Cycle.objects.select_for_update().select_related("organization").get(pk=cycle.pk)
    if not cycle.is_staff_survey or not cycle.is_open:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE if cycle.is_staff_survey else LINKS_ONLY_FOR_STAFF_MESSAGE)
    now = timezone.now()
    if cycle.last_reminded_at and now - cycle.last_reminded_at < REMINDER_GAP:
        raise ValidationError(REMINDER_TOO_SOON_MESSAGE)
    message = "".join(ch for ch in (message or "").strip()[:1000] if ch >= " " or ch in "\n\t")
    links = list(
        cycle.links.select_for_update().filter(
            kind=RespondentLink.Kind.SINGLE, is_revoked=False, reminders_sent__lt=MAX_REMINDERS
        )
    )
    for link in links:
        link.reminders_sent += 1
    RespondentLink.objects.bulk_update(links, ["reminders_sent"])
    started = set(cycle.participations.values_list("user_id", flat=True))
    counts = dict(cycle.member_reminders.values_list("user_id", "count"))
    members = [
        m.user
        for m in cycle.organization.memberships.select_related("user")
        if m.user_id not in started and counts.get(m.user_id, 0) < MAX_REMINDERS
    ]
    # The cycle row is locked above, so counting in two statements cannot race.
    MemberReminder.objects.bulk_create(
        MemberReminder(cycle=cycle, user=user, count=1) for user in members if user.pk not in counts
    )
    cycle.member_reminders.filter(user__in=[u for u in members if u.pk in counts]).update(count=F("count") + 1)
    if not links and not members:
        raise ValidationError(REMINDER_NOBODY_MESSAGE)
    cycle.last_reminded_at = now
    cycle.save(update_fields=["last_reminded_at"])
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.REMINDERS_SENT,
        detail=f"{len(links)} invitee(s) and {len(members)} member(s) reminded for {cycle.label}",
        data={"cycle": str(cycle.pk), "invitees": len(links), "members": len(members)},
    )
    link_ids, member_ids = [str(link.pk) for link in links], [str(user.pk) for user in members]
    language = get_language() or settings.LANGUAGE_CODE  # the lead's, for invited addresses
    transaction.on_commit(
        lambda: deliver_links.enqueue(
            cycle_id=str(cycle.pk),
            link_ids=link_ids,
            member_ids=member_ids,
            kind="reminder",
            message=message,
            site_url=site_url,
            language=language,
        ),
        robust=True,
    )
    return len(links), len(members)


def reminder_email(cycle: Cycle, address: str, url: str, message: str) -> EmailMessage:
    context = {"cycle": cycle, "organization": cycle.organization, "url": url, "message": message}
    subject = render_to_string("assessment/email/survey_reminder_subject.txt", context).strip()
    body = render_to_string("assessment/email/survey_reminder_message.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
