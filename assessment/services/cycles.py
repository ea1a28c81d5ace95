"""Writes for audit cycles: creating, opening, closing (writing staff answers out once) and deleting."""

import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.backends.immediate import ImmediateBackend

from accounts.models import AuditEvent, Organization, User
from accounts.services import audit
from assessment import aggregation, scoring
from assessment.models import COMMUNITY_MIN_RESPONSES, MIN_RESPONSES_FLOOR, Cycle, CycleClosing, Questionnaire, Response
from assessment.selectors import cycle_answer_sets, questionnaire_instrument, staff_survey_last_closed_on
from assessment.services.pending import Submission, pending_open, pending_write_out
from assessment.signals import cycle_closed, cycle_deleted
from config import sealing
from config.dates import long_date

Action = AuditEvent.Action

CYCLE_NOT_DRAFT_MESSAGE = _("Only an audit that has not opened yet can be opened.")
CYCLE_ALREADY_CLOSED_MESSAGE = _("This audit is closed. A closed audit never reopens.")
MIN_RESPONSES_MESSAGE = _("The minimum number of responses for a report is %(floor)s or more.")
SEALS_UNREADABLE_MESSAGE = _(
    "Some submitted answers cannot be opened with the server's current keys, so the survey was not "
    "closed. Put the earlier secret key back in DJANGO_SECRET_KEY_FALLBACKS and close it again."
)
NO_QUESTIONNAIRE_MESSAGE = _("No published questionnaire is available yet.")
WRONG_FORM_MESSAGE = _("This questionnaire is not the form for this kind of audit.")
# Letters and digits nobody mistakes for one another when typing a link from a poster.
FEEDBACK_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
FEEDBACK_CODE_LENGTH = 10
STAFF_SURVEY_OPEN_MESSAGE = _("Another staff survey is open: close it before opening a new one.")
STAFF_SURVEY_GAP_MESSAGE = _(
    "A new staff survey can open from %(date)s, %(days)s days after the last one closed, so that two "
    "surveys of nearly the same people cannot be compared to single anyone out."
)


@transaction.atomic
def cycle_create(
    *,
    organization: Organization,
    by: User,
    questionnaire: Questionnaire | None,
    label: str,
    mode: str,
    opens_on: date,
    closes_on: date | None = None,
    min_responses: int = 5,
    open_now: bool = True,
    today: date | None = None,
) -> Cycle:
    """Create an audit cycle, open straight away unless asked otherwise or it opens on a later date.

    An audit with a later opening date is scheduled: it stays not open, so nobody can answer it
    or be invited to it, until ``cycles_open_scheduled`` opens it on that day. Community feedback
    gets the code of its short link, and a minimum of at least ``COMMUNITY_MIN_RESPONSES``:
    anyone with the link can answer, so its results need more answers than a staff survey's.
    """
    if isinstance(opens_on, str):
        opens_on = date.fromisoformat(opens_on)
    today = today or timezone.localdate()
    if questionnaire is None or not questionnaire.is_published:
        raise ValidationError(NO_QUESTIONNAIRE_MESSAGE)
    if min_responses < MIN_RESPONSES_FLOOR:
        raise ValidationError(MIN_RESPONSES_MESSAGE % {"floor": MIN_RESPONSES_FLOOR})
    # The community form is for community feedback only, and community feedback is asked on it alone.
    if (questionnaire.form == Questionnaire.Form.COMMUNITY) != (mode == Cycle.Mode.COMMUNITY):
        raise ValidationError(WRONG_FORM_MESSAGE)
    community = mode == Cycle.Mode.COMMUNITY
    cycle = Cycle.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        label=label,
        mode=Cycle.Mode(mode),
        opens_on=opens_on,
        closes_on=closes_on,
        min_responses=max(min_responses, COMMUNITY_MIN_RESPONSES) if community else min_responses,
        status=Cycle.Status.DRAFT,
        feedback_code=feedback_code_new() if community else "",
    )
    if mode == Cycle.Mode.TEAM:
        Response.objects.create(cycle=cycle)
    if open_now and opens_on <= today:
        cycle = cycle_open(cycle=cycle, by=by, today=today)
    return cycle


def feedback_code_new() -> str:
    """Return a random code for a community feedback link: about 49 bits, typed from a poster."""
    return "".join(secrets.choice(FEEDBACK_CODE_ALPHABET) for _ in range(FEEDBACK_CODE_LENGTH))


def staff_survey_refusal(*, organization_id: UUID, today: date) -> str | None:
    """Return why a staff survey of the organization cannot open on ``today``, or None when it can.

    Two staff surveys whose respondents differ by one person give that person's answers by
    difference, so only one is open at a time and the next opens a set number of days after the
    last one with results closed.
    """
    staff_surveys = Cycle.objects.filter(organization_id=organization_id, mode=Cycle.Mode.STAFF)
    if staff_surveys.filter(status=Cycle.Status.OPEN).exists():
        return str(STAFF_SURVEY_OPEN_MESSAGE)
    last_closed_on = staff_survey_last_closed_on(organization_id=organization_id)
    if last_closed_on is None:
        return None
    gap = settings.ALLY_STAFF_SURVEY_GAP_DAYS
    opens_from = last_closed_on + timedelta(days=gap)
    if today >= opens_from:
        return None
    return STAFF_SURVEY_GAP_MESSAGE % {"date": long_date(opens_from), "days": gap}


@transaction.atomic
def cycle_open(*, cycle: Cycle, by: User | None, today: date | None = None) -> Cycle:
    """Open a cycle for answers. Its minimum number of responses is locked from now on.

    A staff survey opens only when no other is open and the last one closed long enough before
    ``today`` (the current date unless given). An audit opened before its planned opening date
    takes today as its opening date, so no page says it opens on a day already past.
    """
    today = today or timezone.localdate()
    if cycle.mode == Cycle.Mode.STAFF:
        # Every opening of a staff survey queues here, so two at once cannot both find none open.
        Organization.objects.select_for_update().get(pk=cycle.organization_id)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != Cycle.Status.DRAFT:
        raise ValidationError(CYCLE_NOT_DRAFT_MESSAGE)
    if cycle.is_staff_survey:
        refusal = staff_survey_refusal(organization_id=cycle.organization_id, today=today)
        if refusal:
            raise ValidationError(refusal)
    cycle.status = Cycle.Status.OPEN
    cycle.opens_on = min(cycle.opens_on, today)
    cycle.save(update_fields=["status", "opens_on"])
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.CYCLE_OPENED,
        data={"cycle": str(cycle.pk), "mode": cycle.mode},
    )
    return cycle


def cycles_open_scheduled(*, today: date) -> int:
    """Open every scheduled audit whose opening date has come; return how many opened.

    Safe to run again at any moment: an audit already opened is skipped. A staff survey that
    cannot open yet (another is open, or the last closed too recently) stays scheduled, its page
    says why, and the next run tries again.
    """
    opened = 0
    due = Cycle.objects.filter(status=Cycle.Status.DRAFT, opens_on__lte=today).order_by("opens_on", "created_at")
    for cycle in due.select_related("organization"):
        try:
            cycle_open(cycle=cycle, by=None, today=today)
        except ValidationError:
            continue
        opened += 1
    return opened


@transaction.atomic
def cycle_close(*, cycle: Cycle, by: User | None, on: date | None = None) -> Cycle:
    """Close a cycle and store its aggregates.

    A staff survey's sealed submissions are opened; if at least the minimum were submitted,
    they are aggregated (role groups only at or above the minimum) and written out together,
    re-keyed, shuffled and without role groups; below the minimum every one is destroyed and
    only the count is kept. Links, spent credentials and invited-address records go.
    ``on`` records an earlier closing date, for audits entered after the fact.
    """
    cycle = Cycle.objects.select_for_update().select_related("organization", "questionnaire").get(pk=cycle.pk)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    cycle.responses.filter(status=Response.Status.DRAFT).delete()
    if cycle.is_sealed:
        cycle.links.all().delete()
        cycle.spent_credentials.all().delete()
        cycle.invited_addresses.all().delete()
        cycle.results = _sealed_results_write_out(cycle)
    else:
        cycle.results = _compute_results(cycle)
    cycle.means = results_means(cycle.results)
    cycle.status = Cycle.Status.CLOSED
    cycle.closed_on = on or timezone.localdate()
    cycle.save(update_fields=["results", "means", "status", "closed_on"])
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.CYCLE_CLOSED,
        data={"cycle": str(cycle.pk), "mode": cycle.mode},
    )
    cycle_id, organization_id = str(cycle.pk), str(cycle.organization_id)
    year = date.fromisoformat(str(cycle.closed_on)).year  # ``on`` may be given as text
    transaction.on_commit(
        lambda: cycle_closed.send(sender=Cycle, cycle_id=cycle_id, organization_id=organization_id, year=year),
        robust=True,
    )
    return cycle


CYCLE_NOT_OPEN_MESSAGE = _("Only an open audit can be closed.")
CLOSE_FAILED_MESSAGE = _(
    "Closing stopped with an error, and nothing was changed: the audit is still open. Try again; if it "
    "stops again, the site's operator can read why in the worker's log."
)


@transaction.atomic
def cycle_close_request(*, cycle: Cycle, by: User) -> None:
    """Ask for a cycle to be closed on the task queue; its leads watch the request (``CycleClosing``).

    Asking again while a request waits changes nothing; asking after a failed attempt tries again.
    The task is told the cycle's id, nothing else.
    """
    from assessment.tasks import close_cycle

    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    if not cycle.is_open:
        raise ValidationError(CYCLE_NOT_OPEN_MESSAGE)
    closing = CycleClosing.objects.filter(cycle=cycle).first()
    if closing is not None and not closing.failure:
        return
    CycleClosing.objects.update_or_create(
        cycle=cycle, defaults={"requested_by": by, "requested_at": timezone.now(), "started_at": None, "failure": ""}
    )
    cycle_id = str(cycle.pk)
    if isinstance(close_cycle.get_backend(), ImmediateBackend):
        # Run at once, in this transaction, as closing in the request always did.
        close_cycle.enqueue(cycle_id=cycle_id)
    else:
        # A worker must find the request committed when it takes the task.
        transaction.on_commit(lambda: close_cycle.enqueue(cycle_id=cycle_id))


def cycle_close_requested(*, cycle_id: str) -> str:
    """Close a cycle a lead asked to close, as its task; return what happened, as a short code.

    The code is all the task table keeps of the outcome: "closed", "already closed", "not asked"
    or "unreadable" (the request then stays, marked, for its leads to read and try again).
    """
    with transaction.atomic():
        closing = CycleClosing.objects.select_for_update().filter(cycle_id=cycle_id).first()
        if closing is None or closing.failure:
            return "not asked"
        closing.started_at = timezone.now()
        closing.save(update_fields=["started_at"])
    cycle = Cycle.objects.get(pk=cycle_id)
    try:
        with transaction.atomic():
            cycle_close(cycle=cycle, by=closing.requested_by)
            CycleClosing.objects.filter(pk=closing.pk).delete()
    except ValidationError as error:
        if error.messages == [str(CYCLE_ALREADY_CLOSED_MESSAGE)]:  # closed another way meanwhile
            CycleClosing.objects.filter(pk=closing.pk).delete()
            return "already closed"
        CycleClosing.objects.filter(pk=closing.pk).update(failure=CycleClosing.UNREADABLE)
        return CycleClosing.UNREADABLE
    except Exception:
        CycleClosing.objects.filter(pk=closing.pk).update(failure=CycleClosing.FAILED)
        raise
    return "closed"


def _sealed_results_write_out(cycle: Cycle) -> aggregation.CycleResults:
    """Open the survey's submissions, compute its results in memory, and write the answers out once."""
    try:
        submissions = pending_open(cycle=cycle)
    except sealing.Unreadable as error:
        raise ValidationError(SEALS_UNREADABLE_MESSAGE) from error
    return _submissions_write_out(cycle, submissions)


def _submissions_write_out(cycle: Cycle, submissions: list[Submission]) -> aggregation.CycleResults:
    """Compute a survey's results from its opened submissions and write them out as responses;
    below the minimum, keep only the count.

    Community feedback has no role groups and no ways of coming: it keeps neither.
    """
    minimum = max(cycle.min_responses, COMMUNITY_MIN_RESPONSES) if cycle.is_community_feedback else cycle.min_responses
    if len(submissions) < minimum:
        cycle.pending.all().delete()
        return {"reportable": False, "n": len(submissions), "min_responses": cycle.min_responses}
    instrument = questionnaire_instrument(cycle.questionnaire)
    answer_sets = [_scoring_values(s.answers) for s in submissions]
    staff = cycle.is_staff_survey
    results = aggregation.cycle_results(
        instrument,
        answer_sets,
        role_groups=[s.role_group for s in submissions] if staff else None,
        channels=[s.channel for s in submissions] if staff else None,
        min_responses=cycle.min_responses,
        reportable=True,
    )
    scores = [scoring.score_response(instrument, answers) for answers in answer_sets]
    pending_write_out(
        cycle=cycle,
        submissions=submissions,
        scores=[score.by_key for score in scores],
    )
    return results


@transaction.atomic
def cycle_closed_import(
    *,
    organization: Organization,
    questionnaire: Questionnaire,
    mode: str,
    label: str,
    opens_on: date,
    closed_on: date,
    min_responses: int,
    answer_sets: list[dict[str, str]],
) -> Cycle:
    """Write an audit already closed on ``closed_on``, with its answers (``{item key: "0"–"4",
    "dk" or "na"}``, one mapping per person), in bulk and by the close's own rules: a survey's
    answers are aggregated and written out as its sealed submissions are at close; a self-audit's
    one set is saved, then its results computed as a submitted self-audit's are (the evidence
    rule included).

    The benchmark's bulk path: a thousand organizations' years cannot each be opened, answered
    through links and closed in the time a build may take. It announces nothing (no audit entry,
    no ``cycle_closed``): the caller builds what it measures.
    """
    cycle = Cycle.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        label=label,
        mode=mode,
        opens_on=opens_on,
        closes_on=closed_on,
        min_responses=min_responses,
    )
    submissions = [Submission(answers=answers, role_group="") for answers in answer_sets]
    if cycle.is_sealed:
        cycle.results = _submissions_write_out(cycle, submissions)
    else:
        instrument = questionnaire_instrument(questionnaire)
        scores = [response_scores(cycle, instrument, _scoring_values(answers), {}) for answers in answer_sets]
        pending_write_out(cycle=cycle, submissions=submissions, scores=scores)
        cycle.results = _compute_results(cycle)
    cycle.means = results_means(cycle.results)
    cycle.status, cycle.closed_on = Cycle.Status.CLOSED, closed_on
    cycle.save(update_fields=["results", "means", "status", "closed_on"])
    return cycle


def _scoring_values(answers: Mapping[str, str]) -> aggregation.Answers:
    return {key: value if value in ("dk", "na") else int(value) for key, value in answers.items()}


def results_means(results: Mapping | None) -> dict[str, float | None] | None:
    """Return the dimension and overall means of reportable results, or None."""
    if not results or not results.get("reportable"):
        return None
    return {
        **{key: summary["mean"] for key, summary in results["dimensions"].items()},
        scoring.OVERALL: results[scoring.OVERALL]["mean"],
    }


def _compute_results(cycle: Cycle) -> aggregation.CycleResults:
    rows = cycle_answer_sets(cycle=cycle)
    n = len(rows)
    reportable = n >= cycle.min_responses if cycle.is_sealed else n == 1
    instrument = questionnaire_instrument(cycle.questionnaire)
    answer_sets: list[aggregation.Answers] = [answers for _, answers in rows]
    notes: dict[str, str] = {}
    unevidenced: dict[str, int] = {}
    if reportable and cycle.mode == Cycle.Mode.TEAM:
        notes = {a.item.key: a.note for a in rows[0][0].answers.select_related("item") if a.note}
        if aggregation.needs_evidence(cycle.questionnaire.form, cycle.questionnaire.version):
            answer_sets[0], unevidenced = aggregation.evidenced_answers(instrument, answer_sets[0], notes)
    results = aggregation.cycle_results(
        instrument, answer_sets, min_responses=cycle.min_responses, reportable=reportable
    )
    if reportable and cycle.mode == Cycle.Mode.TEAM:
        results["notes"] = notes
        if aggregation.needs_evidence(cycle.questionnaire.form, cycle.questionnaire.version):
            results["unevidenced"] = unevidenced
    return results


@transaction.atomic
def cycle_delete(*, cycle: Cycle, by: User) -> None:
    """Delete a cycle and every answer in it.

    The audit entry keeps when a staff survey with results closed: its results may have been
    read, so the gap before the next staff survey still runs from that day.
    """
    if cycle.is_staff_survey:
        Organization.objects.select_for_update().get(pk=cycle.organization_id)
    cycle = Cycle.objects.select_related("organization").get(pk=cycle.pk)
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.CYCLE_DELETED,
        data={
            "cycle": str(cycle.pk),
            "mode": cycle.mode,
            "reportable": cycle.is_reportable,
            "closed_on": str(cycle.closed_on) if cycle.closed_on else None,
        },
    )
    organization_id, closed_on = str(cycle.organization_id), cycle.closed_on
    cycle.delete()
    if closed_on is not None:
        transaction.on_commit(
            lambda: cycle_deleted.send(sender=Cycle, organization_id=organization_id, year=closed_on.year), robust=True
        )


def response_scores(
    cycle: Cycle, instrument: scoring.Instrument, answers: aggregation.Answers, notes: dict[str, str]
) -> dict[str, float | None]:
    """Return one response's scores by key, under the evidence rule where its questionnaire has
    one (a level claimed without an evidence note scores as level 1), as its submission scored it."""
    if aggregation.needs_evidence(cycle.questionnaire.form, cycle.questionnaire.version):
        answers, _claimed = aggregation.evidenced_answers(instrument, answers, notes)
    return scoring.score_response(instrument, answers).by_key


@transaction.atomic
def cycle_results_recompute(*, cycle: Cycle) -> bool:
    """Score a closed cycle's stored answers again with the current rules; return whether anything changed.

    Safe to run any number of times. Role groups were cleared from the rows when the cycle
    closed, so the stored group breakdown is kept as it is. A cycle whose answers are gone (too
    few to report) keeps its count.
    """
    cycle = Cycle.objects.select_for_update().select_related("organization", "questionnaire").get(pk=cycle.pk)
    stored = cycle.results
    if not cycle.is_closed or not stored or not stored.get("reportable"):
        return False
    instrument = questionnaire_instrument(cycle.questionnaire)
    rows = cycle_answer_sets(cycle=cycle)
    if len(rows) != stored.get("n"):
        return False  # its answers were deleted after their keeping time; the results stand as stored
    changed_responses = []
    for response, answers in rows:
        notes = {answer.item.key: answer.note for answer in response.answers.all()}
        scores = response_scores(cycle, instrument, answers, notes)
        if response.scores != scores:
            response.scores = scores
            changed_responses.append(response)
    Response.objects.bulk_update(changed_responses, ["scores"])
    results = _compute_results(cycle)
    if cycle.is_staff_survey:
        # Counted in memory at close from the seals, which are gone: kept as stored.
        for kept in ("role_groups", "channels"):
            if kept in stored:
                results[kept] = stored[kept]
    if results == stored and not changed_responses:
        return False
    cycle.results = results
    cycle.means = results_means(results)
    cycle.save(update_fields=["results", "means"])
    return True
