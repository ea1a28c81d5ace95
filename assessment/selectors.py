"""Reads for the assessment app: plain data for views, services and reports."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from accounts.tokens import hash_token
from assessment import scoring
from assessment.models import Answer, Cycle, Dimension, Item, Questionnaire, RespondentLink, Response


@dataclass(frozen=True)
class Page:
    number: int
    dimension: Dimension
    items: list[Item]


def latest_published_questionnaire(slug: str = "ally-readiness") -> Questionnaire | None:
    """Return the newest published version of a questionnaire."""
    return Questionnaire.objects.filter(slug=slug, status=Questionnaire.Status.PUBLISHED).order_by("-version").first()


def questionnaire_pages(questionnaire: Questionnaire) -> list[Page]:
    """Return one page per dimension, items in order."""
    dimensions = questionnaire.dimensions.prefetch_related(
        Prefetch("items", queryset=Item.objects.order_by("order", "key"))
    ).order_by("order", "key")
    return [Page(number, dimension, list(dimension.items.all())) for number, dimension in enumerate(dimensions, 1)]


def questionnaire_instrument(questionnaire: Questionnaire) -> scoring.Instrument:
    """Return the scoring view of a questionnaire."""
    dimensions = list(questionnaire.dimensions.order_by("order", "key"))
    keys = {d.pk: d.key for d in dimensions}
    items = questionnaire.items.order_by("order", "key")
    return scoring.Instrument(
        dimensions=tuple(scoring.DimensionSpec(d.key, d.weight) for d in dimensions),
        items=tuple(
            scoring.ItemSpec(i.key, keys[i.dimension_id], i.max_value, i.weight, i.reverse, i.critical) for i in items
        ),
    )


def response_answers(response: Response) -> dict[str, Answer]:
    """Return the response's answers by item key."""
    return {a.item.key: a for a in response.answers.select_related("item")}


def draft_for_secret(secret: str | None) -> Response | None:
    """Return the draft a resume secret opens, with its cycle and organization, or None."""
    if not secret:
        return None
    return (
        Response.objects.select_related("cycle__organization", "cycle__questionnaire", "link")
        .filter(resume_hash=hash_token(secret), status=Response.Status.DRAFT)
        .first()
    )


def cycle_answer_sets(*, cycle: Cycle) -> list[tuple[Response, dict[str, int | str]]]:
    """Return each submitted response with its answers as {item key: value or "dk"/"na"}."""
    responses = cycle.responses.filter(status=Response.Status.SUBMITTED).prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("item"))
    )
    return [(r, {a.item.key: a.scoring_value for a in r.answers.all()}) for r in responses]


def submitted_count(cycle: Cycle) -> int:
    return cycle.responses.filter(status=Response.Status.SUBMITTED).count()


def organization_cycles(organization) -> list[Cycle]:
    """Return the organization's cycles, newest first, with submitted counts and link counts."""
    return list(
        Cycle.objects.filter(organization=organization)
        .select_related("questionnaire", "organization")
        .annotate(n_submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED)))
        .order_by("-opens_on", "-created_at")
    )


def team_response(cycle: Cycle) -> Response | None:
    return cycle.responses.first() if cycle.mode == Cycle.Mode.TEAM else None


def cycle_link_counts(cycle: Cycle) -> dict[str, int]:
    """Return how many single-use links were made and used, and how many shared links exist."""
    counts = RespondentLink.objects.filter(cycle=cycle).aggregate(
        single=Count("id", filter=Q(kind=RespondentLink.Kind.SINGLE)),
        single_used=Count("id", filter=Q(kind=RespondentLink.Kind.SINGLE, is_used=True)),
        shared=Count("id", filter=Q(kind=RespondentLink.Kind.SHARED, is_revoked=False)),
    )
    return counts


def cycle_score_rows(cycle: Cycle) -> list[tuple[str, dict]]:
    """Return (name, stored summary) for each dimension of a reportable cycle, then overall."""
    dimensions = cycle.questionnaire.dimensions.order_by("order")
    rows = [(d.name, cycle.results["dimensions"][d.key]) for d in dimensions if d.key in cycle.results["dimensions"]]
    return [*rows, (_("Overall"), cycle.results["overall"])]


def dimension_names_for(keys) -> dict[str, str]:
    """Return display names of dimension keys, from the newest questionnaire that has them."""
    names = {}
    rows = Dimension.objects.filter(key__in=list(keys)).order_by("-questionnaire__version", "order")
    for key, name in rows.values_list("key", "name"):
        names.setdefault(key, name)
    return names
