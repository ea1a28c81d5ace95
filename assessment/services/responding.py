"""Writes for answering.

Staff surveys: a respondent starts (a member's participation is recorded, or a single-use link
is spent, and a ticket is made), keeps unfinished answers in their own browser (``StaffDraft``,
checked here on every save), and submits them once, spending the ticket. The submission is kept
encrypted until a batch is written out (``services.batches``). Nothing that names a person or a
link is written in the transaction that takes the answers.

Leadership self-audits: one shared response, saved page by page in the database, with notes.
"""

import uuid
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent
from accounts.services import audit
from accounts.tokens import hash_token, new_token
from assessment import scoring
from assessment.models import Answer, Cycle, DraftTicket, Item, Participation, Response
from assessment.selectors import questionnaire_instrument, questionnaire_pages
from assessment.services.batches import pending_add
from assessment.services.cycles import cycle_close

Action = AuditEvent.Action

CYCLE_NOT_OPEN_MESSAGE = _("This audit is not open for answers. It may have closed, or not opened yet.")
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
INCOMPLETE_MESSAGE = _("Some questions are still unanswered. “Don't know” is always a fair answer.")
NOTE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class StaffDraft:
    """Unfinished staff-survey answers, kept in the respondent's browser, never on the server.

    ``secret`` opens the ticket that lets them submit once; ``answers`` maps item keys to the
    submitted value ("0"–"4", "dk" or "na").
    """

    cycle_id: str
    secret: str
    answers: dict[str, str] = field(default_factory=dict)
    role_group: str = ""


@transaction.atomic
def member_response_start(*, cycle: Cycle, user) -> StaffDraft:
    """Record that a member takes part and return their empty draft, with its ticket secret."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open or not cycle.is_staff_survey:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    _, created = Participation.objects.get_or_create(cycle=cycle, user=user)
    if not created:
        raise ValidationError(ALREADY_ANSWERED_MESSAGE)
    secret = new_token()
    DraftTicket.objects.create(cycle=cycle, secret_hash=hash_token(secret))
    return StaffDraft(cycle_id=str(cycle.pk), secret=secret)


def _parse_answers(items: dict[str, Item], raw: dict[str, str]) -> dict[str, tuple[int | None, str]]:
    if set(raw) - set(items):
        raise ValidationError(UNKNOWN_ITEM_MESSAGE)
    parsed = {}
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


def _ticket(cycle: Cycle, secret: str, *, lock: bool = False) -> DraftTicket:
    queryset = DraftTicket.objects.select_for_update() if lock else DraftTicket.objects
    ticket = queryset.filter(cycle=cycle, secret_hash=hash_token(secret or "")).first()
    if ticket is None:
        raise ValidationError(DRAFT_GONE_MESSAGE)
    if not cycle.is_open:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    return ticket


def staff_draft_save(
    *, cycle: Cycle, draft: StaffDraft, answers: dict[str, str], role_group: str | None = None, notes=None
) -> StaffDraft:
    """Check some answers of a staff draft and return the draft with them; nothing is stored here.

    On any error nothing changes.
    """
    if any((note or "").strip() for note in (notes or {}).values()):
        raise ValidationError(NOTES_NOT_ALLOWED_MESSAGE)
    _ticket(cycle, draft.secret)
    items = {i.key: i for i in cycle.questionnaire.items.all()}
    parsed = _parse_answers(items, answers)
    _check_role_group(role_group)
    merged = {**draft.answers, **{key: str(special or value) for key, (value, special) in parsed.items()}}
    return replace(draft, answers=merged, role_group=draft.role_group if role_group is None else role_group)


def staff_draft_missing(cycle: Cycle, draft: StaffDraft) -> list[Item]:
    """Return the questionnaire's items the draft has not answered yet."""
    return [
        item
        for page in questionnaire_pages(cycle.questionnaire)
        for item in page.items
        if item.key not in draft.answers
    ]


@transaction.atomic
def staff_draft_submit(*, cycle: Cycle, draft: StaffDraft) -> None:
    """Submit a complete staff draft once: spend its ticket and keep the answers for their batch."""
    cycle = Cycle.objects.select_for_update().select_related("questionnaire").get(pk=cycle.pk)
    ticket = _ticket(cycle, draft.secret, lock=True)
    items = {i.key: i for i in cycle.questionnaire.items.all()}
    parsed = _parse_answers(items, draft.answers)
    _check_role_group(draft.role_group)
    if set(items) - set(parsed):
        raise ValidationError(INCOMPLETE_MESSAGE)
    ticket.delete()
    pending_add(
        cycle=cycle,
        answers={key: special or value for key, (value, special) in parsed.items()},
        role_group=draft.role_group,
    )


# Leadership self-audits


def _locked(response: Response) -> Response:
    """Return the team draft locked for writing, or raise if it can no longer take answers."""
    response = Response.objects.select_for_update().select_related("cycle__organization").filter(pk=response.pk).first()
    if response is None:
        raise ValidationError(DRAFT_GONE_MESSAGE)
    if response.is_submitted:
        raise ValidationError(ALREADY_SUBMITTED_MESSAGE)
    if not response.cycle.is_open:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    return response


def _clean_notes(notes: dict[str, str] | None, items: dict[str, Item]) -> dict[str, str]:
    notes = {k: (v or "").strip()[:NOTE_MAX_LENGTH] for k, v in (notes or {}).items()}
    if set(notes) - set(items):
        raise ValidationError(UNKNOWN_ITEM_MESSAGE)
    if any(ch < " " and ch not in "\n\t" for note in notes.values() for ch in note.replace("\r\n", "\n")):
        raise ValidationError(NOTE_CHARACTERS_MESSAGE)
    return notes


@transaction.atomic
def response_save_answers(*, response: Response, answers: dict[str, str], notes=None, by=None) -> Response:
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
            detail=response.cycle.label,
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
def response_submit(*, response: Response, user=None) -> Response:
    """Submit the leadership self-audit, score it, and close its cycle so the report appears."""
    response = _locked(response)
    cycle = response.cycle
    if cycle.is_staff_survey:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    if missing_items(response):
        raise ValidationError(INCOMPLETE_MESSAGE)
    answers = {a.item.key: a.scoring_value for a in response.answers.select_related("item")}
    score = scoring.score_response(questionnaire_instrument(cycle.questionnaire), answers)
    response.scores = {**score.dimensions, scoring.OVERALL: score.overall}
    response.status = Response.Status.SUBMITTED
    response.save(update_fields=["scores", "status"])
    audit(organization=cycle.organization, actor=user, action=Action.TEAM_RESPONSE_SUBMITTED, detail=cycle.label)
    cycle_close(cycle=cycle, by=user)
    return response
