"""Reads for the assessment app: plain data for views, services and reports."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Max, Prefetch
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Membership
from assessment import aggregation, scoring
from assessment.models import (
    Answer,
    Cycle,
    Dimension,
    Item,
    Participation,
    Questionnaire,
    RespondentLink,
    Response,
    in_language,
)


@dataclass(frozen=True)
class Heading:
    """The heading of a page that is not one dimension: leadership's view of the staff items."""

    name: str
    description: str


@dataclass(frozen=True)
class Page:
    number: int
    dimension: Dimension | Heading
    items: list[Item]

    @property
    def title(self) -> str:
        return self.dimension.name

    @property
    def description(self) -> str:
        return self.dimension.description

    @property
    def is_staff_view(self) -> bool:
        return isinstance(self.dimension, Heading)


def questionnaire_for_mode(mode: str) -> Questionnaire | None:
    """Return the newest published questionnaire an audit of this kind uses.

    A staff survey takes the newest staff form. A leadership self-audit takes the newest
    leadership checklist, or, where none is loaded, the newest staff form (as in version 1).
    Community feedback takes the newest community form.
    """
    published = Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED).order_by("-version", "slug")
    if mode == Cycle.Mode.COMMUNITY:
        return published.filter(form=Questionnaire.Form.COMMUNITY).first()
    if mode == Cycle.Mode.TEAM:
        checklist = published.filter(form=Questionnaire.Form.CHECKLIST).first()
        if checklist is not None:
            return checklist
    return published.filter(form=Questionnaire.Form.STAFF).first()


def questionnaire_pages(questionnaire: Questionnaire) -> list[Page]:
    """Return one page per dimension, items in order, worded in the active language.

    Leadership's view of the staff items (``Item.staff_view``) comes last, on a page of its own.
    """
    dimensions = questionnaire.dimensions.prefetch_related(
        Prefetch("items", queryset=Item.objects.filter(staff_view=False).order_by("order", "key"))
    ).order_by("order", "key")
    pages = [
        Page(number, dimension.in_language(), in_language(dimension.items.all()))
        for number, dimension in enumerate(dimensions, 1)
    ]
    staff_view = list(questionnaire.items.filter(staff_view=True).order_by("order", "key"))
    if staff_view:
        heading = Heading(
            name=_("How your staff would answer"),
            description=_(
                "Answer as you believe most of your staff would. These answers are not part of your "
                "scores; the report sets them beside what staff said."
            ),
        )
        pages.append(Page(len(pages) + 1, heading, in_language(staff_view)))
    return pages


def questionnaire_instrument(questionnaire: Questionnaire) -> scoring.Instrument:
    """Return the scoring view of a questionnaire."""
    dimensions = list(questionnaire.dimensions.order_by("order", "key"))
    keys = {d.pk: d.key for d in dimensions}
    items = questionnaire.items.order_by("order", "key")
    return scoring.Instrument(
        dimensions=tuple(scoring.DimensionSpec(d.key, d.weight) for d in dimensions),
        items=tuple(
            # Leadership's view of a staff item weighs nothing: its answers are kept, never scored.
            scoring.ItemSpec(
                i.key,
                keys[i.dimension_id],
                i.max_value,
                0.0 if i.staff_view else i.weight,
                i.reverse,
                i.critical,
                i.scale,
                tuple(i.practices),
            )
            for i in items
        ),
    )


def response_answers(response: Response) -> dict[str, Answer]:
    """Return the response's answers by item key."""
    return {a.item.key: a for a in response.answers.select_related("item")}


def cycle_answer_sets(*, cycle: Cycle) -> list[tuple[Response, dict[str, int | str]]]:
    """Return each submitted response with its answers as {item key: value or "dk"/"na"}."""
    responses = cycle.responses.filter(status=Response.Status.SUBMITTED).prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("item"))
    )
    return [(r, {a.item.key: a.scoring_value for a in r.answers.all()}) for r in responses]


def submitted_count(cycle: Cycle) -> int:
    """Return how many people submitted answers, pending ones included. Leads see it only in steps."""
    if cycle.is_closed:
        return cycle.results["n"] if cycle.results else 0
    return cycle.pending.count() + cycle.responses.filter(status=Response.Status.SUBMITTED).count()


@dataclass(frozen=True)
class SteppedCount:
    """A response count as a lead may see it while a survey is open: in steps of the minimum."""

    step: int
    at_least: int  # 0 means "fewer than ``step``"

    @property
    def below_minimum(self) -> bool:
        return self.at_least == 0


def stepped_count(n: int, step: int) -> SteppedCount:
    """Return ``n`` rounded down to a multiple of ``step``.

    >>> stepped_count(4, 5), stepped_count(12, 5).at_least
    (SteppedCount(step=5, at_least=0), 10)
    """
    return SteppedCount(step=step, at_least=n // step * step)


def organization_cycles(organization) -> list[Cycle]:
    """Return the organization's cycles, newest first."""
    return list(
        Cycle.objects.filter(organization=organization)
        .select_related("questionnaire", "organization")
        .order_by("-opens_on", "-created_at")
    )


def cycles_started_by(user, cycles) -> set:
    """Return the ids of the staff surveys among ``cycles`` that the member has started (one query).

    Participation says only that they started, never what or whether they submitted.
    """
    return set(Participation.objects.filter(user=user, cycle__in=cycles).values_list("cycle_id", flat=True))


def staff_survey_last_closed_on(*, organization_id) -> date | None:
    """Return when the organization's last staff survey with results closed, deleted ones included."""
    closed = Cycle.objects.filter(
        organization_id=organization_id,
        mode=Cycle.Mode.STAFF,
        status=Cycle.Status.CLOSED,
        results__reportable=True,
    ).aggregate(last=Max("closed_on"))["last"]
    # A deleted survey's results may have been read or exported, so its closing still counts.
    deleted = AuditEvent.objects.filter(
        organization_id=organization_id,
        action=AuditEvent.Action.CYCLE_DELETED,
        data__mode=Cycle.Mode.STAFF,
        data__reportable=True,
    ).values_list("data__closed_on", flat=True)
    dates = [closed, *(date.fromisoformat(day) for day in deleted if day)]
    return max((day for day in dates if day), default=None)


def team_response(cycle: Cycle) -> Response | None:
    return cycle.responses.first() if cycle.mode == Cycle.Mode.TEAM else None


@dataclass(frozen=True)
class Oversight:
    """Who checks the addresses a lead or admin invites to a staff survey."""

    needs_approval: bool  # two or more admins: an admin other than the inviter approves each list
    one_person: bool  # one person holds every admin and lead role: nobody else sees the list


def invitation_oversight(organization) -> Oversight:
    """Return who checks the organization's invitation lists."""
    roles = list(
        organization.memberships.filter(role__in=[Membership.Role.ADMIN, Membership.Role.LEAD]).values_list(
            "role", flat=True
        )
    )
    return Oversight(needs_approval=roles.count(Membership.Role.ADMIN) >= 2, one_person=len(roles) == 1)


@dataclass(frozen=True)
class AwaitingList:
    """A list of invitations that waits for an admin's approval: who asked, and how many."""

    id: str
    cycle: Cycle
    requested_by_id: object
    requested_by_email: str
    count: int


def awaiting_invitation_lists(organization, *, cycle: Cycle | None = None) -> list[AwaitingList]:
    """Return the lists of invitations waiting for approval in the organization's open surveys."""
    links = RespondentLink.objects.filter(
        cycle__organization=organization, cycle__status=Cycle.Status.OPEN, delivery=RespondentLink.Delivery.AWAITING
    )
    if cycle is not None:
        links = links.filter(cycle=cycle)
    rows = (
        links.values("approval_list", "cycle_id", "requested_by_id", "requested_by__email")
        .annotate(count=Count("id"))
        .order_by("cycle_id", "approval_list")
    )
    cycles = {c.pk: c for c in Cycle.objects.filter(pk__in={row["cycle_id"] for row in rows})}
    return [
        AwaitingList(
            id=str(row["approval_list"]),
            cycle=cycles[row["cycle_id"]],
            requested_by_id=row["requested_by_id"],
            requested_by_email=row["requested_by__email"] or "",
            count=row["count"],
        )
        for row in rows
    ]


def awaiting_invitation_addresses(cycle: Cycle, list_id) -> list[str]:
    """Return the addresses of a list waiting for approval, sorted."""
    links = cycle.links.filter(delivery=RespondentLink.Delivery.AWAITING, approval_list=list_id)
    return list(links.order_by("email").values_list("email", flat=True))


def has_shared_link(cycle: Cycle) -> bool:
    return cycle.links.filter(kind=RespondentLink.Kind.SHARED, is_revoked=False).exists()


def cycle_score_rows(cycle: Cycle) -> list[tuple[str, dict]]:
    """Return (name, stored summary) for each dimension of a reportable cycle, then overall."""
    dimensions = in_language(cycle.questionnaire.dimensions.order_by("order"))
    results = cycle.results or {}
    rows = [(d.name, results["dimensions"][d.key]) for d in dimensions if d.key in results["dimensions"]]
    return [*rows, (_("Overall"), results[scoring.OVERALL])]


def dimension_names_for(keys) -> dict[str, str]:
    """Return display names of dimension keys in the active language, from the newest
    questionnaire that has them."""
    names: dict[str, str] = {}
    rows = Dimension.objects.filter(key__in=list(keys)).order_by("-questionnaire__version", "order")
    for dimension in rows.only("key", "translations", *Dimension.WORDED):
        names.setdefault(dimension.key, dimension.in_language().name)
    return names


def pooled_staff_answer_sets():
    """Yield, per questionnaire version, its instrument and the answers of every closed staff survey's responses.

    Only written-out responses of closed surveys are read: they are anonymous and reportable.
    """
    questionnaires = Questionnaire.objects.filter(cycles__mode=Cycle.Mode.STAFF).distinct().order_by("slug", "version")
    for questionnaire in questionnaires:
        responses = Response.objects.filter(
            cycle__questionnaire=questionnaire,
            cycle__mode=Cycle.Mode.STAFF,
            cycle__status=Cycle.Status.CLOSED,
            status=Response.Status.SUBMITTED,
        ).prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("item")))
        answer_sets = [{a.item.key: a.scoring_value for a in r.answers.all()} for r in responses]
        if answer_sets:
            yield questionnaire, questionnaire_instrument(questionnaire), answer_sets


def response_rate(cycle: Cycle, count: SteppedCount) -> aggregation.ResponseRate | dict | None:
    """Return the response rate where the invited count is known.

    After close it is ``aggregation.response_rate``: answers through the emailed links against
    the invited addresses, the shared link and members counted apart. While open nothing tells
    the ways in apart (they are sealed with the answers), so only the stepped count is given.
    """
    if not cycle.invited_count:
        return None
    if cycle.is_closed:
        return aggregation.response_rate(cycle.results or {}, cycle.invited_count)
    return {"open": True, "at_least": count.at_least, "invited": cycle.invited_count}


def feedback_cycle(code: str) -> Cycle | None:
    """Return the community feedback whose short link carries ``code``, or None."""
    if not code:
        return None
    return (
        Cycle.objects.select_related("questionnaire", "organization")
        .filter(mode=Cycle.Mode.COMMUNITY, feedback_code=code)
        .first()
    )


def form_languages(questionnaire: Questionnaire) -> list[str]:
    """Return the site's languages the questionnaire is worded in, English first."""
    worded = {"en", *questionnaire.translations}
    return [code for code, _name in settings.LANGUAGES if code in worded]
