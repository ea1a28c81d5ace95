"""Writes for answering: starting a member's draft, saving answers page by page and submitting."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent
from accounts.services import audit
from accounts.tokens import hash_token, new_token
from assessment import scoring
from assessment.models import Answer, Cycle, Item, Participation, RespondentLink, Response
from assessment.selectors import questionnaire_instrument, questionnaire_pages
from assessment.services.cycles import cycle_close
from assessment.services.links import LINK_INVALID_MESSAGE

Action = AuditEvent.Action

CYCLE_NOT_OPEN_MESSAGE = _("This audit is not open for answers. It may have closed, or not opened yet.")
UNKNOWN_ITEM_MESSAGE = _(
    "Some answers were for questions that are not part of this questionnaire. Nothing was saved; please try again."
)
INVALID_VALUE_MESSAGE = _("Some answers were not one of the offered choices. Nothing was saved; please choose again.")
INVALID_ROLE_GROUP_MESSAGE = _("Choose one of the listed groups, or leave it blank.")
NOTE_NEEDS_ANSWER_MESSAGE = _("A note can only be kept with an answer. Choose an answer for each question you noted.")
NOTES_NOT_ALLOWED_MESSAGE = _("Notes can only be added to a leadership self-audit. Nothing was saved.")
DRAFT_GONE_MESSAGE = _("These unfinished answers are no longer available: the audit has closed.")
ALREADY_SUBMITTED_MESSAGE = _("These answers have already been submitted. Thank you.")
ALREADY_ANSWERED_MESSAGE = _("You have already answered this audit. Each person answers once.")
INCOMPLETE_MESSAGE = _("Some questions are still unanswered. “Don't know” is always a fair answer.")


@transaction.atomic
def member_response_start(*, cycle: Cycle, user) -> tuple[Response, str]:
    """Start a member's anonymous draft; return it and the resume secret for their cookie."""
    if not cycle.is_open or not cycle.is_staff_survey:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    if Participation.objects.filter(cycle=cycle, user=user).exists():
        raise ValidationError(ALREADY_ANSWERED_MESSAGE)
    secret = new_token()
    response = Response.objects.create(cycle=cycle, resume_hash=hash_token(secret))
    return response, secret




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
        elif value.isdigit() and 0 <= int(value) <= item.max_value:
            parsed[key] = (int(value), "")
        else:
            raise ValidationError(INVALID_VALUE_MESSAGE)
    return parsed


def _locked(response: Response, queryset) -> Response:
    """Return the draft locked for writing, or raise if it can no longer take answers."""
    response = queryset.select_for_update().filter(pk=response.pk).first()
    if response is None:
        raise ValidationError(DRAFT_GONE_MESSAGE)
    if response.is_submitted:
        raise ValidationError(ALREADY_SUBMITTED_MESSAGE)
    if not response.cycle.is_open:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    return response


@transaction.atomic
def response_save_answers(
    *,
    response: Response,
    answers: dict[str, str],
    notes: dict[str, str] | None = None,
    role_group: str | None = None,
    by=None,
) -> Response:
    """Save some answers of a draft. Every value is checked first; on any error nothing is written."""
    response = _locked(response, Response.objects.select_related("cycle__organization"))
    items = {i.key: i for i in response.cycle.questionnaire.items.all()}
    parsed = _parse_answers(items, answers)
    notes = {k: v.strip() for k, v in (notes or {}).items()}
    if notes and response.cycle.is_staff_survey and any(notes.values()):
        raise ValidationError(NOTES_NOT_ALLOWED_MESSAGE)
    if set(notes) - set(items):
        raise ValidationError(UNKNOWN_ITEM_MESSAGE)
    if role_group is not None and role_group not in {"", *Response.RoleGroup.values}:
        raise ValidationError(INVALID_ROLE_GROUP_MESSAGE)
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
    if role_group is not None and response.cycle.is_staff_survey:
        response.role_group = role_group
        response.save(update_fields=["role_group"])
    if not response.cycle.is_staff_survey and by is not None:
        audit(
            organization=response.cycle.organization,
            actor=by,
            action=Action.TEAM_RESPONSE_EDITED,
            detail=response.cycle.label,
        )
    return response


def missing_items(response: Response) -> list[Item]:
    """Return the questionnaire's items the draft has not answered yet."""
    answered = set(response.answers.values_list("item_id", flat=True))
    return [
        item
        for page in questionnaire_pages(response.cycle.questionnaire)
        for item in page.items
        if item.pk not in answered
    ]


@transaction.atomic
def response_submit(*, response: Response, user=None) -> Response:
    """Submit a complete draft, score it and cut every tie to the person who gave it.

    In the same transaction, a single-use link is marked used or the member's participation is
    recorded, so the record that someone answered and the answers are never joined.
    """
    response = _locked(response, Response.objects.select_related("cycle__organization", "cycle__questionnaire"))
    cycle = response.cycle
    if missing_items(response):
        raise ValidationError(INCOMPLETE_MESSAGE)
    if cycle.is_staff_survey:
        if response.link_id is not None:
            link = RespondentLink.objects.select_for_update().get(pk=response.link_id)
            if link.is_revoked or (link.kind == RespondentLink.Kind.SINGLE and link.is_used):
                raise ValidationError(LINK_INVALID_MESSAGE)
            if link.kind == RespondentLink.Kind.SINGLE:
                link.is_used = True
                link.save(update_fields=["is_used"])
        elif user is not None:
            _, created = Participation.objects.get_or_create(cycle=cycle, user=user)
            if not created:
                raise ValidationError(ALREADY_ANSWERED_MESSAGE)
        else:
            raise ValidationError(LINK_INVALID_MESSAGE)
    answers = {a.item.key: a.scoring_value for a in response.answers.select_related("item")}
    score = scoring.score_response(questionnaire_instrument(cycle.questionnaire), answers)
    response.scores = {**score.dimensions, "overall": score.overall}
    response.status = Response.Status.SUBMITTED
    response.resume_hash = None
    response.link = None
    response.save(update_fields=["scores", "status", "resume_hash", "link"])
    if not cycle.is_staff_survey:
        audit(organization=cycle.organization, actor=user, action=Action.TEAM_RESPONSE_SUBMITTED, detail=cycle.label)
        cycle_close(cycle=cycle, by=user)
    return response
