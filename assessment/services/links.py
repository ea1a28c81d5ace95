"""Writes for respondent links: emailing single-use invitations, approving them, the shared link,
reminders, and starting from a link."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.emails import render_email
from accounts.models import AuditEvent, Invitation, Membership, Organization, User
from accounts.services import audit
from accounts.tokens import hash_token, new_token
from assessment.models import Cycle, InvitedAddress, MemberReminder, RespondentLink
from assessment.selectors import SteppedCount, invitation_oversight, stepped_count
from assessment.services.cycles import CYCLE_ALREADY_CLOSED_MESSAGE
from assessment.services.responding import StaffDraft, credential_new
from assessment.tasks import INVITATION, REMINDER, deliver_links
from config.dates import long_date

logger = logging.getLogger(__name__)
Action = AuditEvent.Action

LINK_INVALID_MESSAGE = _(
    "This link cannot be used. It may have been used already, withdrawn, or its audit may have closed."
)
LINKS_ONLY_FOR_STAFF_MESSAGE = _("Respondent links are only for anonymous staff surveys.")
SCHEDULED_LINKS_MESSAGE = _(
    "This survey opens on %(date)s. Invitations and links can be sent from that day, so that every link works "
    "when it arrives."
)
NO_ADDRESSES_MESSAGE = _("Enter at least one email address, one per line.")
TOO_MANY_ADDRESSES_MESSAGE = _("Invite at most %(max)s addresses at a time.")
ADDRESS_PROBLEMS_MESSAGE = _("Nothing was sent. Correct or remove these addresses and try again:")
INVALID_ADDRESS_REASON = _("not an email address")
REPEATED_ADDRESS_REASON = _("listed more than once")
ALREADY_INVITED_REASON = _("already invited to this survey")
OWN_ADDRESS_REASON = _("your own address: answer as a member instead")
MEMBER_ADDRESS_REASON = _("belongs to a member of this organization: they answer when signed in")
JOINING_ADDRESS_REASON = _("invited to join this organization: they answer when signed in")
OWN_LIST_MESSAGE = _("An admin other than the person who asked must approve these invitations.")
LIST_GONE_MESSAGE = _("These invitations no longer wait for approval: they were approved, refused or withdrawn.")
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
    return InvitedAddress.hash_of(cycle.pk, address)


def parse_addresses(raw: str) -> list[str]:
    """Return the addresses in a pasted list: one per line, or separated by commas, semicolons or spaces."""
    for separator in ",;\t\r ":
        raw = raw.replace(separator, "\n")
    return [line.strip().strip("<>") for line in raw.split("\n") if line.strip()]


def _member_addresses(organization: Organization) -> set[str]:
    """Return every address, lower-cased, of the organization's members' accounts."""
    users = User.objects.filter(memberships__organization=organization)
    addresses = set(users.values_list("email", flat=True))
    addresses |= set(EmailAddress.objects.filter(user__in=users).values_list("email", flat=True))
    return {address.lower() for address in addresses}


def _joining_addresses(organization: Organization) -> set[str]:
    """Return the lower-cased addresses with a pending invitation to join the organization."""
    pending = Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, expires_at__gt=timezone.now()
    )
    return {address.lower() for address in pending.values_list("email", flat=True)}


def _address_problems(cycle: Cycle, addresses: list[str], by: User | None) -> list[AddressProblem]:
    # A member answers signed in; an emailed link as well would give one person two answers.
    problems: list[AddressProblem] = []
    seen: set[str] = set()
    invited = set(cycle.invited_addresses.values_list("address_hash", flat=True))
    members, joining = _member_addresses(cycle.organization), _joining_addresses(cycle.organization)
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
        elif address.lower() in members:
            problems.append(AddressProblem(address, str(MEMBER_ADDRESS_REASON)))
        elif address.lower() in joining:
            problems.append(AddressProblem(address, str(JOINING_ADDRESS_REASON)))
        seen.add(address.lower())
    return problems


@dataclass(frozen=True)
class Invited:
    count: int
    awaiting_approval: bool


@transaction.atomic
def invitations_send(*, cycle: Cycle, by: User, addresses: list[str], site_url: str) -> Invited:
    """Email one single-use link to each address, or, where the organization has two or more
    admins, hold the list for an admin other than ``by`` to approve; return how many and which.

    The tokens go only into the emails: the lead who invites never sees one. Every address is
    checked first; if any cannot be invited, nothing is written or sent. The list and its size
    go to the audit log every admin reads.
    """
    cycle = Cycle.objects.select_for_update().select_related("organization").get(pk=cycle.pk)
    if not cycle.is_staff_survey:
        raise ValidationError(LINKS_ONLY_FOR_STAFF_MESSAGE)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    if cycle.is_scheduled:
        raise ValidationError(SCHEDULED_LINKS_MESSAGE % {"date": long_date(cycle.opens_on)})
    if not addresses:
        raise ValidationError(NO_ADDRESSES_MESSAGE)
    if len(addresses) > MAX_INVITATIONS:
        raise ValidationError(TOO_MANY_ADDRESSES_MESSAGE % {"max": MAX_INVITATIONS})
    problems = _address_problems(cycle, addresses, by)
    if problems:
        raise InvitationProblems(problems)
    # Recorded now, so an address waiting for approval cannot be asked for twice.
    InvitedAddress.objects.bulk_create(
        InvitedAddress(cycle=cycle, address_hash=address_hash(cycle, a)) for a in addresses
    )
    oversight = invitation_oversight(cycle.organization)
    if oversight.needs_approval:
        list_id = uuid.uuid4()
        _links_create(cycle, addresses, RespondentLink.Delivery.AWAITING, approval_list=list_id, requested_by=by)
        audit(
            organization=cycle.organization,
            actor=by,
            action=Action.INVITATIONS_REQUESTED,
            data={"cycle": str(cycle.pk), "invited": len(addresses), "list": str(list_id)},
        )
        transaction.on_commit(lambda: _approvers_tell(cycle, list_id, by, len(addresses), site_url), robust=True)
        return Invited(len(addresses), awaiting_approval=True)
    # Each link starts with a token nobody holds; the task that emails it gives it a real one.
    _links_create(cycle, addresses, RespondentLink.Delivery.PENDING)
    cycle.invited_count += len(addresses)
    cycle.invited_by_one_person = cycle.invited_by_one_person or oversight.one_person
    cycle.save(update_fields=["invited_count", "invited_by_one_person"])
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.INVITATIONS_SENT,
        data={
            "cycle": str(cycle.pk),
            "invited": len(addresses),
            "invited_in_all": cycle.invited_count,
        },
    )
    _deliver_on_commit(cycle, INVITATION, "", site_url, get_language() or settings.LANGUAGE_CODE)
    return Invited(len(addresses), awaiting_approval=False)


def _links_create(cycle: Cycle, addresses: list[str], delivery: str, **awaiting: object) -> None:
    RespondentLink.objects.bulk_create(
        RespondentLink(
            cycle=cycle,
            kind=RespondentLink.Kind.SINGLE,
            token_hash=hash_token(new_token()),
            email=address,
            delivery=delivery,
            **awaiting,
        )
        for address in addresses
    )


def _deliver_on_commit(cycle: Cycle, kind: str, message: str, site_url: str, language: str) -> None:
    # The task is told the survey and the kind of email; it finds the recipients on the rows.
    cycle_id = str(cycle.pk)
    transaction.on_commit(
        lambda: deliver_links.enqueue(
            cycle_id=cycle_id, kind=kind, message=message, site_url=site_url, language=language
        ),
        robust=True,
    )


def _approvers_tell(cycle: Cycle, list_id: uuid.UUID, requester: User, count: int, site_url: str) -> None:
    """Email every admin but the requester that a list of invitations waits for their approval."""
    admins = cycle.organization.memberships.filter(role=Membership.Role.ADMIN).exclude(user=requester)
    url = site_url + reverse("assessment:invitations_review", args=[cycle.organization.slug, cycle.pk, list_id])
    context = {"cycle": cycle, "organization": cycle.organization, "requester": requester, "count": count, "url": url}
    messages = [
        render_email("assessment/email/invitations_awaiting", address, context, language)
        for address, language in admins.values_list("user__email", "user__language")
    ]
    try:
        get_connection().send_messages(messages)
    except Exception:
        # The list also waits on the dashboard of every admin, so a lost email loses nothing.
        logger.exception("Telling the admins of organization %s about invitations failed", cycle.organization.pk)


def _awaiting_links(cycle: Cycle, list_id: uuid.UUID) -> QuerySet[RespondentLink]:
    links = cycle.links.filter(delivery=RespondentLink.Delivery.AWAITING, approval_list=list_id)
    return links.select_for_update(of=("self",))


@transaction.atomic
def invitations_approve(*, cycle: Cycle, list_id: uuid.UUID, by: User, site_url: str) -> int:
    """Send a list of invitations that waits for approval, approved by an admin other than the
    person who asked; return how many go out.

    The list's links have never been sent, so nobody can have started from them: approving
    touches no row of anyone who answers.
    """
    cycle = Cycle.objects.select_for_update().select_related("organization").get(pk=cycle.pk)
    if not cycle.is_open:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    links = list(_awaiting_links(cycle, list_id).select_related("requested_by"))
    if not links:
        raise ValidationError(LIST_GONE_MESSAGE)
    requester = links[0].requested_by
    if requester is not None and requester.pk == by.pk:
        raise ValidationError(OWN_LIST_MESSAGE)
    _awaiting_links(cycle, list_id).update(
        delivery=RespondentLink.Delivery.PENDING, approval_list=None, requested_by=None
    )
    cycle.invited_count += len(links)
    cycle.save(update_fields=["invited_count"])
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.INVITATIONS_APPROVED,
        data={
            "cycle": str(cycle.pk),
            "invited": len(links),
            "invited_in_all": cycle.invited_count,
            "list": str(list_id),
            "requested_by": str(requester.pk) if requester else None,
        },
    )
    # In the language of the person who typed the addresses, where their account has one.
    language = (requester and requester.language) or get_language() or settings.LANGUAGE_CODE
    _deliver_on_commit(cycle, INVITATION, "", site_url, language)
    return len(links)


@transaction.atomic
def invitations_refuse(*, cycle: Cycle, list_id: uuid.UUID, by: User) -> int:
    """Delete a list of invitations that waits for approval, refused by an admin or withdrawn by
    the person who asked; return how many addresses it held. Nothing was sent."""
    cycle = Cycle.objects.select_for_update().select_related("organization").get(pk=cycle.pk)
    links = list(_awaiting_links(cycle, list_id).select_related("requested_by"))
    if not links:
        raise ValidationError(LIST_GONE_MESSAGE)
    requester = links[0].requested_by
    hashes = [address_hash(cycle, link.email) for link in links]
    cycle.invited_addresses.filter(address_hash__in=hashes).delete()
    _awaiting_links(cycle, list_id).delete()
    withdrawn = requester is not None and requester.pk == by.pk
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.INVITATIONS_REFUSED,
        data={
            "cycle": str(cycle.pk),
            "withdrawn": withdrawn,
            "invited": len(links),
            "list": str(list_id),
            "requested_by": str(requester.pk) if requester else None,
        },
    )
    return len(links)


def invitation_email(cycle: Cycle, address: str, url: str) -> EmailMessage:
    context = {"cycle": cycle, "organization": cycle.organization, "url": url}
    return render_email("assessment/email/survey_invitation", address, context)


@transaction.atomic
def shared_link_create(*, cycle: Cycle, by: User) -> str:
    """Make the survey's shared link (ending any earlier one) and return its token, shown once."""
    if not cycle.is_staff_survey:
        raise ValidationError(LINKS_ONLY_FOR_STAFF_MESSAGE)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    if cycle.is_scheduled:
        raise ValidationError(SCHEDULED_LINKS_MESSAGE % {"date": long_date(cycle.opens_on)})
    cycle.links.filter(kind=RespondentLink.Kind.SHARED).update(is_revoked=True)
    token = new_token()
    RespondentLink.objects.create(cycle=cycle, kind=RespondentLink.Kind.SHARED, token_hash=hash_token(token))
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.LINKS_CREATED,
        data={"cycle": str(cycle.pk)},
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
    single = link.kind == RespondentLink.Kind.SINGLE
    if single:
        link.delete()
    channel = "invited" if single else "shared"
    return cycle, StaffDraft(cycle_id=str(cycle.pk), credential=credential_new(cycle), channel=channel)


REMINDER_TOO_SOON_MESSAGE = _("Reminders went out less than a day ago. Wait a day before sending more.")
MAX_REMINDERS = 2
REMINDER_GAP = timedelta(days=1)


@transaction.atomic
def reminders_send(*, cycle: Cycle, by: User, message: str, site_url: str) -> tuple[SteppedCount, SteppedCount]:
    """Remind, at most twice each, invitees who have not started and members who have not started.

    Each unstarted single-use link gets a fresh token in its reminder (the old one stops; the
    sending task makes it, so no token is ever stored); members are pointed to the survey page.
    Answers are never consulted: who started is known from spent links and participation records
    alone. Returns how many invitees and members were reminded, in steps of the survey's minimum
    as its count is shown: exact numbers of who has not started would tell how many did.
    """
    cycle = Cycle.objects.select_for_update().select_related("organization").get(pk=cycle.pk)
    if not cycle.is_staff_survey or not cycle.is_open:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE if cycle.is_staff_survey else LINKS_ONLY_FOR_STAFF_MESSAGE)
    now = timezone.now()
    if cycle.last_reminded_at and now - cycle.last_reminded_at < REMINDER_GAP:
        raise ValidationError(REMINDER_TOO_SOON_MESSAGE)
    message = "".join(ch for ch in (message or "").strip()[:1000] if ch >= " " or ch in "\n\t")
    # Lists awaiting approval were never sent: there is nothing to remind them of.
    reminded = (
        cycle.links.filter(kind=RespondentLink.Kind.SINGLE, is_revoked=False, reminders_sent__lt=MAX_REMINDERS)
        .exclude(delivery=RespondentLink.Delivery.AWAITING)
        .update(reminders_sent=F("reminders_sent") + 1, reminder_due=True)
    )
    started = set(cycle.participations.values_list("user_id", flat=True))
    counts = dict(cycle.member_reminders.values_list("user_id", "count"))
    unstarted = [
        m.user_id
        for m in cycle.organization.memberships.all()
        if m.user_id not in started and counts.get(m.user_id, 0) < MAX_REMINDERS
    ]
    # The cycle row is locked above, so counting in two statements cannot race.
    MemberReminder.objects.bulk_create(
        MemberReminder(cycle=cycle, user_id=user, count=1, is_due=True) for user in unstarted if user not in counts
    )
    cycle.member_reminders.filter(user__in=[u for u in unstarted if u in counts]).update(
        count=F("count") + 1, is_due=True
    )
    cycle.last_reminded_at = now
    cycle.save(update_fields=["last_reminded_at"])
    # Nobody left is not said apart from a few left: that would be an exact count too.
    invitees, members = stepped_count(reminded, cycle.min_responses), stepped_count(len(unstarted), cycle.min_responses)
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.REMINDERS_SENT,
        data={
            "cycle": str(cycle.pk),
            "step": cycle.min_responses,
            "invitees_at_least": invitees.at_least,
            "members_at_least": members.at_least,
        },
    )
    _deliver_on_commit(cycle, REMINDER, message, site_url, get_language() or settings.LANGUAGE_CODE)
    return invitees, members


def reminder_email(cycle: Cycle, address: str, url: str, message: str) -> EmailMessage:
    context = {"cycle": cycle, "organization": cycle.organization, "url": url, "message": message}
    return render_email("assessment/email/survey_reminder", address, context)
