"""Writes for answering.

Staff surveys: a respondent starts (a member's participation is recorded, or a single-use link
is spent) and is handed a credential, a random value signed with the server's key, of which the
server records nothing. Unfinished answers stay in the respondent's own browser (``StaffDraft``,
checked here on every save). Submitting spends the credential, storing only its hash in a table
nothing else refers to, and keeps the answers sealed until the survey closes
(``services.pending``). So nothing a submission writes shares a row, a transaction or a value
with what its start wrote.

Leadership self-audits: one shared response, saved page by page in the database, with notes.
"""

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, User
from accounts.services import audit
from accounts.tokens import new_token
from assessment import aggregation
from assessment.models import Answer, Cycle, InvitedAddress, Item, Participation, Response, SpentCredential
from assessment.selectors import questionnaire_instrument, questionnaire_pages
from assessment.services.cycles import cycle_close, response_scores
from assessment.services.pending import pending_add
from config.dates import long_date

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    StrOrPromise = str | _StrPromise

Action = AuditEvent.Action

CYCLE_NOT_OPEN_MESSAGE = _("This audit is not open for answers. It may have closed, or not opened yet.")
CYCLE_OPENS_ON_MESSAGE = _("This survey opens on %(date)s. You can answer from that day.")
UNKNOWN_ITEM_MESSAGE = _(
    "Some answers were for questions that are not part of this questionnaire. Nothing was saved; please try again."
)
INVALID_VALUE_MESSAGE = _("Some answers were not one of the offered choices. Nothing was saved; please choose again.")
INVALID_ROLE_GROUP_MESSAGE = _("Choose one of the listed groups, or leave it blank.")
NOTE_NEEDS_ANSWER_MESSAGE = _("A note can only be kept with an answer. Choose an answer for each question you noted.")
NOTES_NOT_ALLOWED_MESSAGE = _("Notes can only be added to a leadership self-audit. Nothing was saved.")
NOTE_CHARACTERS_MESSAGE = _("A note cannot contain control characters. Nothing was saved; please retype it.")
DRAFT_GONE_MESSAGE = _(
    "These unfinished answers can no longer be submitted: they were submitted already, or the audit has closed."
)
ALREADY_SUBMITTED_MESSAGE = _("These answers have already been submitted. Thank you.")
ALREADY_ANSWERED_MESSAGE = _("You have already started or answered this audit. Each person answers once.")
INVITED_BY_LINK_MESSAGE = _(
    "Your address was invited to this survey by email: answer through the link in that email, so that "
    "each person answers once."
)
INCOMPLETE_MESSAGE = _("Some questions are still unanswered. “Don't know” is always a fair answer.")
FEEDBACK_EMPTY_MESSAGE = _("Nothing was sent: answer at least one question, or close this page.")
FEEDBACK_SENT_MESSAGE = _("These answers were sent already, or this feedback has closed. Thank you.")
NOTE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class StaffDraft:
    """Unfinished staff-survey answers, kept in the respondent's browser, never on the server.

    ``credential`` is the right to submit once; ``answers`` maps item keys to the submitted
    value ("0"–"4", "dk" or "na"); ``member_id`` is the signed-in member the draft belongs to,
    or None for a draft started from a link; ``channel`` is how it came ("member", "invited" for
    an emailed single-use link, "shared" for the shared link), sealed with the answers and only
    counted when the survey closes, for the response rate.
    """

    cycle_id: str
    credential: str
    answers: dict[str, str] = field(default_factory=dict)
    role_group: str = ""
    member_id: str | None = None
    channel: str = ""


def _signature(cycle_id: str, value: str, secret: str | None = None) -> str:
    return salted_hmac("ally.submit-credential", f"{cycle_id}:{value}", secret, algorithm="sha256").hexdigest()


def _is_signed(cycle_id: str, value: str, signature: str) -> bool:
    """Return whether the server signed the value, under its key or an earlier one still accepted."""
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(constant_time_compare(signature, _signature(cycle_id, value, secret)) for secret in secrets)


def credential_new(cycle: Cycle) -> str:
    """Return a fresh right to submit one response to ``cycle``; nothing of it is stored."""
    value = new_token()
    return f"{value}.{_signature(str(cycle.pk), value)}"


def _spent_hash(cycle: Cycle, credential: str) -> str:
    """Return the hash kept of a spent credential, or raise if the server never signed it."""
    value, _dot, signature = (credential or "").partition(".")
    if not value or not _is_signed(str(cycle.pk), value, signature):
        raise ValidationError(DRAFT_GONE_MESSAGE)
    return hashlib.sha256(value.encode()).hexdigest()


@transaction.atomic
def member_response_start(*, cycle: Cycle, user: User) -> StaffDraft:
    """Record that a member takes part and return their empty draft, with its credential."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_staff_survey:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    if not cycle.is_open:
        raise ValidationError(cycle_not_open_message(cycle))
    addresses = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    if cycle.invited_addresses.filter(address_hash__in=[InvitedAddress.hash_of(cycle.pk, a) for a in addresses]):
        raise ValidationError(INVITED_BY_LINK_MESSAGE)
    _, created = Participation.objects.get_or_create(cycle=cycle, user=user)
    if not created:
        raise ValidationError(ALREADY_ANSWERED_MESSAGE)
    return StaffDraft(
        cycle_id=str(cycle.pk), credential=credential_new(cycle), member_id=str(user.pk), channel="member"
    )


def _parse_answers(items: dict[str, Item], raw: dict[str, str]) -> dict[str, tuple[int | None, str]]:
    if set(raw) - set(items):
        raise ValidationError(UNKNOWN_ITEM_MESSAGE)
    parsed: dict[str, tuple[int | None, str]] = {}
    for key, value in raw.items():
        item = items[key]
        value = (value or "").strip()
        if value == "":
            continue
        if value == Answer.DONT_KNOW or (value == Answer.NOT_APPLICABLE and item.allow_na):
            parsed[key] = (None, value)
        elif value.isascii() and value.isdigit() and len(value) <= 2 and int(value) <= item.max_value:
            parsed[key] = (int(value), "")
        else:
            raise ValidationError(INVALID_VALUE_MESSAGE)
    return parsed


def _check_role_group(role_group: str | None) -> None:
    if role_group is not None and role_group not in {"", *Response.RoleGroup.values}:
        raise ValidationError(INVALID_ROLE_GROUP_MESSAGE)


def cycle_not_open_message(cycle: Cycle, *, today: date | None = None) -> str:
    """Return why the cycle takes no answers: the day it opens when that is still to come."""
    if cycle.status == Cycle.Status.DRAFT and cycle.opens_on > (today or timezone.localdate()):
        return CYCLE_OPENS_ON_MESSAGE % {"date": long_date(cycle.opens_on)}
    return str(CYCLE_NOT_OPEN_MESSAGE)


def _check_usable(cycle: Cycle, draft: StaffDraft) -> str:
    """Return the hash the draft's credential leaves when spent, or raise if it cannot be submitted."""
    if draft.cycle_id != str(cycle.pk):
        raise ValidationError(DRAFT_GONE_MESSAGE)
    spent = _spent_hash(cycle, draft.credential)
    if not cycle.is_open:
        raise ValidationError(DRAFT_GONE_MESSAGE if cycle.is_closed else cycle_not_open_message(cycle))
    if SpentCredential.objects.filter(cycle=cycle, value_hash=spent).exists():
        raise ValidationError(DRAFT_GONE_MESSAGE)
    return spent


def staff_draft_save(
    *,
    cycle: Cycle,
    draft: StaffDraft,
    answers: dict[str, str],
    role_group: str | None = None,
    notes: dict[str, str] | None = None,
) -> StaffDraft:
    """Check some answers of a staff draft and return the draft with them; nothing is stored here.

    On any error nothing changes.
    """
    if any((note or "").strip() for note in (notes or {}).values()):
        raise ValidationError(NOTES_NOT_ALLOWED_MESSAGE)
    _check_usable(cycle, draft)
    items = {i.key: i for i in cycle.questionnaire.items.all()}
    parsed = _parse_answers(items, answers)
    _check_role_group(role_group)
    merged = {**draft.answers, **_as_stored(parsed)}
    return replace(draft, answers=merged, role_group=draft.role_group if role_group is None else role_group)


def staff_draft_missing(cycle: Cycle, draft: StaffDraft) -> list[Item]:
    """Return the questionnaire's items the draft has not answered yet."""
    return [
        item
        for page in questionnaire_pages(cycle.questionnaire)
        for item in page.items
        if item.key not in draft.answers
    ]


def _spend(cycle: Cycle, spent: str, *, gone: "StrOrPromise") -> None:
    """Record a credential as spent; raise ``gone`` if it was spent already, at the same moment."""
    try:
        with transaction.atomic():
            SpentCredential.objects.create(cycle=cycle, value_hash=spent)
    except IntegrityError as error:
        raise ValidationError(gone) from error


def _as_stored(parsed: dict[str, tuple[int | None, str]]) -> dict[str, str]:
    """Return parsed answers as they are sealed: "0"–"4", "dk" or "na"."""
    return {key: str(special or value) for key, (value, special) in parsed.items()}


@transaction.atomic
def staff_draft_submit(*, cycle: Cycle, draft: StaffDraft) -> None:
    """Submit a complete staff draft once: spend its credential and keep the answers sealed until close.

    The transaction writes two rows, the spent credential's hash and the sealed answers, neither
    of which shares anything with the rows the respondent's start wrote.
    """
    cycle = Cycle.objects.select_for_update().select_related("questionnaire").get(pk=cycle.pk)
    spent = _check_usable(cycle, draft)
    items = {i.key: i for i in cycle.questionnaire.items.all()}
    parsed = _parse_answers(items, draft.answers)
    _check_role_group(draft.role_group)
    if set(items) - set(parsed):
        raise ValidationError(INCOMPLETE_MESSAGE)
    _spend(cycle, spent, gone=DRAFT_GONE_MESSAGE)
    pending_add(
        cycle=cycle,
        answers=_as_stored(parsed),
        role_group=draft.role_group,
        channel=draft.channel or ("member" if draft.member_id else ""),
    )


# Community feedback


@transaction.atomic
def community_answers_submit(*, cycle: Cycle, credential: str, answers: dict[str, str]) -> None:
    """Send one person's community feedback: spend the form's credential and seal the answers until close.

    Nothing is started and nothing is kept in the browser: the credential came with the form,
    signed and unrecorded, and only stops one filled-in form being sent twice. Every question may
    be skipped; a form with no answer at all is refused. The sealed row holds the answers alone,
    packed to one length, with no group, channel, language or time.
    """
    cycle = Cycle.objects.select_for_update().select_related("questionnaire").get(pk=cycle.pk)
    if not cycle.is_community_feedback:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    try:
        spent = _check_usable(cycle, StaffDraft(cycle_id=str(cycle.pk), credential=credential))
    except ValidationError as error:
        raise ValidationError(FEEDBACK_SENT_MESSAGE if cycle.is_open else cycle_not_open_message(cycle)) from error
    items = {i.key: i for i in cycle.questionnaire.items.all()}
    parsed = _parse_answers(items, answers)
    if not parsed:
        raise ValidationError(FEEDBACK_EMPTY_MESSAGE)
    _spend(cycle, spent, gone=FEEDBACK_SENT_MESSAGE)
    pending_add(cycle=cycle, answers=_as_stored(parsed), role_group="")


# Leadership self-audits


def _locked(response: Response) -> Response:
    """Return the team draft locked for writing, or raise if it can no longer take answers."""
    locked = Response.objects.select_for_update().select_related("cycle__organization").filter(pk=response.pk).first()
    if locked is None:
        raise ValidationError(DRAFT_GONE_MESSAGE)
    if locked.is_submitted:
        raise ValidationError(ALREADY_SUBMITTED_MESSAGE)
    if not locked.cycle.is_open:
        raise ValidationError(cycle_not_open_message(locked.cycle))
    return locked


def _clean_notes(notes: dict[str, str] | None, items: dict[str, Item]) -> dict[str, str]:
    notes = {k: (v or "").strip()[:NOTE_MAX_LENGTH] for k, v in (notes or {}).items()}
    if set(notes) - set(items):
        raise ValidationError(UNKNOWN_ITEM_MESSAGE)
    if any(ch < " " and ch not in "\n\t" for note in notes.values() for ch in note.replace("\r\n", "\n")):
        raise ValidationError(NOTE_CHARACTERS_MESSAGE)
    return notes


@transaction.atomic
def response_save_answers(
    *, response: Response, answers: dict[str, str], notes: dict[str, str] | None = None, by: User | None = None
) -> Response:
    """Save some answers of the leadership self-audit. Every value is checked first; on any error nothing is written."""
    response = _locked(response)
    if response.cycle.is_staff_survey:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    items = {i.key: i for i in response.cycle.questionnaire.items.all()}
    parsed = _parse_answers(items, answers)
    notes = _clean_notes(notes, items)
    existing = {a.item_id: a for a in response.answers.all()}
    if any(note and key not in parsed and items[key].pk not in existing for key, note in notes.items()):
        raise ValidationError(NOTE_NEEDS_ANSWER_MESSAGE)
    for key in set(parsed) | {key for key, note in notes.items() if items[key].pk in existing or note}:
        item = items[key]
        answer = existing.get(item.pk) or Answer(id=uuid.uuid4(), response=response, item=item)
        if key in parsed:
            answer.value, answer.special = parsed[key]
        if key in notes:
            answer.note = notes[key]
        answer.save()
    if by is not None:
        audit(
            organization=response.cycle.organization,
            actor=by,
            action=Action.TEAM_RESPONSE_EDITED,
            data={"cycle": str(response.cycle_id)},
        )
    return response


def missing_items(response: Response) -> list[Item]:
    """Return the questionnaire's items the self-audit has not answered yet."""
    answered = set(response.answers.values_list("item_id", flat=True))
    return [
        item
        for page in questionnaire_pages(response.cycle.questionnaire)
        for item in page.items
        if item.pk not in answered
    ]


@transaction.atomic
def response_submit(*, response: Response, user: User | None = None) -> Response:
    """Submit the leadership self-audit, score it, and close its cycle so the report appears."""
    response = _locked(response)
    cycle = response.cycle
    if cycle.is_staff_survey:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    if missing_items(response):
        raise ValidationError(INCOMPLETE_MESSAGE)
    given = list(response.answers.select_related("item"))
    answers: aggregation.Answers = {a.item.key: a.scoring_value for a in given}
    instrument = questionnaire_instrument(cycle.questionnaire)
    response.scores = response_scores(cycle, instrument, answers, {a.item.key: a.note for a in given})
    response.status = Response.Status.SUBMITTED
    response.save(update_fields=["scores", "status"])
    audit(
        organization=cycle.organization,
        actor=user,
        action=Action.TEAM_RESPONSE_SUBMITTED,
        data={"cycle": str(cycle.pk)},
    )
    cycle_close(cycle=cycle, by=user)
    return response
