"""Writes for questionnaires, cycles, respondent links and responses."""

import random
import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, Organization
from accounts.services import audit
from accounts.tokens import hash_token, new_token
from assessment import aggregation, scoring
from assessment.instrument_file import content_hash
from assessment.models import (
    MIN_RESPONSES_FLOOR,
    Answer,
    Cycle,
    Dimension,
    Item,
    Participation,
    Questionnaire,
    RespondentLink,
    Response,
)
from assessment.selectors import cycle_answer_sets, questionnaire_instrument, questionnaire_pages

Action = AuditEvent.Action

PUBLISHED_IS_IMMUTABLE_MESSAGE = _(
    "Version %(version)s of %(slug)s is published and cannot change. Give the file a new version number."
)
CYCLE_NOT_OPEN_MESSAGE = _("This audit is not open for answers. It may have closed, or not opened yet.")
CYCLE_NOT_DRAFT_MESSAGE = _("Only an audit that has not opened yet can be opened.")
CYCLE_ALREADY_CLOSED_MESSAGE = _("This audit is closed. A closed audit never reopens.")
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
LINK_INVALID_MESSAGE = _(
    "This link cannot be used. It may have been used already, withdrawn, or its audit may have closed."
)
INCOMPLETE_MESSAGE = _("Some questions are still unanswered. “Don't know” is always a fair answer.")
MIN_RESPONSES_MESSAGE = _("The minimum number of responses for a report is %(floor)s or more.")
LINKS_ONLY_FOR_STAFF_MESSAGE = _("Respondent links are only for anonymous staff surveys.")
LINK_COUNT_MESSAGE = _("Make between 1 and %(max)s links at a time.")
NO_QUESTIONNAIRE_MESSAGE = _("No published questionnaire is available yet.")
MAX_LINKS = 500


# Questionnaires


@transaction.atomic
def questionnaire_load(*, data: dict) -> tuple[Questionnaire, bool]:
    """Load a checked instrument file as a published version; return it and whether it was created.

    Loading the same file again changes nothing; a changed file for a published version is refused.
    """
    fingerprint = content_hash(data)
    existing = Questionnaire.objects.select_for_update().filter(slug=data["slug"], version=data["version"]).first()
    if existing is not None:
        if existing.content_hash == fingerprint:
            return existing, False
        if not existing.is_editable:
            raise ValidationError(PUBLISHED_IS_IMMUTABLE_MESSAGE % {"version": existing.version, "slug": existing.slug})
        existing.delete()
    questionnaire = Questionnaire.objects.create(
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        description=data.get("description", ""),
        status=Questionnaire.Status.PUBLISHED,
        content_hash=fingerprint,
    )
    dimensions = {}
    for order, spec in enumerate(data["dimensions"]):
        dimensions[spec["key"]] = Dimension.objects.create(
            questionnaire=questionnaire,
            key=spec["key"],
            name=spec["name"],
            description=spec.get("description", ""),
            weight=spec.get("weight", 1.0),
            order=order,
        )
    Item.objects.bulk_create(
        Item(
            questionnaire=questionnaire,
            dimension=dimensions[spec["dimension"]],
            key=spec["key"],
            text=spec["text"],
            help=spec.get("help", ""),
            scale=spec["scale"],
            max_value=spec["max_value"],
            weight=spec.get("weight", 1.0),
            reverse=spec.get("reverse", False),
            critical=spec.get("critical", False),
            allow_na=spec.get("allow_na", False),
            sources=spec["sources"],
            practices=spec.get("practices", []),
            recommendation=spec["recommendation"],
            order=order,
        )
        for order, spec in enumerate(data["items"])
    )
    return questionnaire, True


@transaction.atomic
def questionnaire_clone(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a questionnaire into a new draft version with the same keys."""
    latest = Questionnaire.objects.filter(slug=questionnaire.slug).order_by("-version").first()
    clone = Questionnaire.objects.create(
        slug=questionnaire.slug,
        version=latest.version + 1,
        title=questionnaire.title,
        description=questionnaire.description,
        status=Questionnaire.Status.DRAFT,
    )
    dimensions = {}
    for dimension in questionnaire.dimensions.all():
        old_pk = dimension.pk
        dimension.pk = None
        dimension.questionnaire = clone
        dimension.save()
        dimensions[old_pk] = dimension
    items = list(questionnaire.items.all())
    for item in items:
        item.pk = None
        item.questionnaire = clone
        item.dimension = dimensions[item.dimension_id]
    Item.objects.bulk_create(items)
    return clone


def questionnaire_publish(*, questionnaire: Questionnaire) -> Questionnaire:
    """Publish a draft version; from then on it never changes."""
    if not questionnaire.is_editable:
        raise ValidationError(
            PUBLISHED_IS_IMMUTABLE_MESSAGE % {"version": questionnaire.version, "slug": questionnaire.slug}
        )
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save(update_fields=["status"])
    return questionnaire


# Cycles


@transaction.atomic
def cycle_create(
    *,
    organization: Organization,
    by,
    questionnaire: Questionnaire | None,
    label: str,
    mode: str,
    opens_on: date,
    closes_on: date | None = None,
    min_responses: int = 5,
    open_now: bool = True,
) -> Cycle:
    """Create an audit cycle, open straight away unless asked otherwise."""
    if questionnaire is None or not questionnaire.is_published:
        raise ValidationError(NO_QUESTIONNAIRE_MESSAGE)
    if min_responses < MIN_RESPONSES_FLOOR:
        raise ValidationError(MIN_RESPONSES_MESSAGE % {"floor": MIN_RESPONSES_FLOOR})
    cycle = Cycle.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        label=label,
        mode=Cycle.Mode(mode),
        opens_on=opens_on,
        closes_on=closes_on,
        min_responses=min_responses,
        status=Cycle.Status.DRAFT,
    )
    if mode == Cycle.Mode.TEAM:
        Response.objects.create(cycle=cycle)
    if open_now:
        cycle = cycle_open(cycle=cycle, by=by)
    return cycle


@transaction.atomic
def cycle_open(*, cycle: Cycle, by) -> Cycle:
    """Open a cycle for answers. Its minimum number of responses is locked from now on."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != Cycle.Status.DRAFT:
        raise ValidationError(CYCLE_NOT_DRAFT_MESSAGE)
    cycle.status = Cycle.Status.OPEN
    cycle.save(update_fields=["status"])
    audit(organization=cycle.organization, actor=by, action=Action.CYCLE_OPENED, detail=cycle.label)
    return cycle


@transaction.atomic
def cycle_close(*, cycle: Cycle, by, on: date | None = None) -> Cycle:
    """Close a cycle: discard unfinished drafts, reseal staff answers and store the aggregates.

    ``on`` records an earlier closing date, for audits entered after the fact.
    """
    cycle = Cycle.objects.select_for_update().select_related("organization", "questionnaire").get(pk=cycle.pk)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    cycle.responses.filter(status=Response.Status.DRAFT).delete()
    cycle.links.filter(is_used=False).update(is_revoked=True)
    if cycle.is_staff_survey:
        _reseal_responses(cycle)
    cycle.results = _compute_results(cycle)
    cycle.status = Cycle.Status.CLOSED
    cycle.closed_on = on or timezone.localdate()
    cycle.save(update_fields=["results", "status", "closed_on"])
    audit(organization=cycle.organization, actor=by, action=Action.CYCLE_CLOSED, detail=cycle.label)
    return cycle


def _compute_results(cycle: Cycle) -> dict:
    rows = cycle_answer_sets(cycle=cycle)
    n = len(rows)
    reportable = n >= cycle.min_responses if cycle.is_staff_survey else n == 1
    results = aggregation.cycle_results(
        questionnaire_instrument(cycle.questionnaire),
        [answers for _, answers in rows],
        role_groups=[r.role_group for r, _ in rows] if cycle.is_staff_survey else None,
        min_responses=cycle.min_responses,
        reportable=reportable,
    )
    if reportable and not cycle.is_staff_survey:
        response = rows[0][0]
        results["notes"] = {a.item.key: a.note for a in response.answers.select_related("item") if a.note}
    return results


def _reseal_responses(cycle: Cycle) -> None:
    """Rewrite the submitted responses under fresh random keys, in random order.

    Rows are stored in the order they were written, so the physical order of a table (SQLite's
    rowid, PostgreSQL's heap) could otherwise hint at who answered when. After resealing, that
    order is shuffled and every row of the cycle carries the same write time.
    """
    submitted = list(cycle.responses.filter(status=Response.Status.SUBMITTED).prefetch_related("answers"))
    random.SystemRandom().shuffle(submitted)
    new_responses, new_answers = [], []
    for old in submitted:
        new = Response(id=uuid.uuid4(), cycle=cycle, status=old.status, role_group=old.role_group, scores=old.scores)
        new_responses.append(new)
        answers = list(old.answers.all())
        random.SystemRandom().shuffle(answers)
        new_answers.extend(
            Answer(id=uuid.uuid4(), response=new, item_id=a.item_id, value=a.value, special=a.special, note=a.note)
            for a in answers
        )
    Response.objects.filter(pk__in=[r.pk for r in submitted]).delete()
    Response.objects.bulk_create(new_responses)
    Answer.objects.bulk_create(new_answers)


@transaction.atomic
def cycle_delete(*, cycle: Cycle, by) -> None:
    """Delete a cycle and every answer in it."""
    audit(organization=cycle.organization, actor=by, action=Action.CYCLE_DELETED, detail=cycle.label)
    cycle.delete()


# Respondent links


@transaction.atomic
def links_create(*, cycle: Cycle, by, kind: str, count: int = 1) -> list[str]:
    """Make respondent links and return their tokens; only hashes are kept, so show them now."""
    if not cycle.is_staff_survey:
        raise ValidationError(LINKS_ONLY_FOR_STAFF_MESSAGE)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    if kind == RespondentLink.Kind.SHARED:
        count = 1
    if not 1 <= count <= MAX_LINKS:
        raise ValidationError(LINK_COUNT_MESSAGE % {"max": MAX_LINKS})
    tokens = [new_token() for _ in range(count)]
    RespondentLink.objects.bulk_create(
        RespondentLink(cycle=cycle, kind=RespondentLink.Kind(kind), token_hash=hash_token(t)) for t in tokens
    )
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.LINKS_CREATED,
        detail=f"{count} {kind} link(s) for {cycle.label}",
    )
    return tokens


def link_for_token(token: str) -> RespondentLink | None:
    """Return the usable link a token opens, or None."""
    link = RespondentLink.objects.select_related("cycle__organization").filter(token_hash=hash_token(token)).first()
    if link is None or link.is_revoked or not link.cycle.is_open:
        return None
    if link.kind == RespondentLink.Kind.SINGLE and link.is_used:
        return None
    return link


@transaction.atomic
def link_redeem(*, token: str) -> tuple[Response, str]:
    """Start a draft from a link; return it and the resume secret for the respondent's cookie."""
    link = link_for_token(token)
    if link is None:
        raise ValidationError(LINK_INVALID_MESSAGE)
    secret = new_token()
    response = Response.objects.create(cycle=link.cycle, link=link, resume_hash=hash_token(secret))
    return response, secret


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


# Answers


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
