"""Reads of community reviews: a self-audit's entries as the reviewer sees them, and what the
reviewer said of them, for the review page, the report and the board summary."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from assessment.forms import answer_choices
from assessment.models import Cycle, Item, in_language
from assessment.scoring import answer_from_score
from community_review.models import Mark, Review


@dataclass
class Entry:
    """One checklist entry of a closed self-audit: what leadership answered, and its evidence."""

    key: str
    dimension: str
    dimension_name: str
    title: str
    text: str
    critical: bool
    answer: str
    claimed: int | None  # a level above 1 claimed without evidence, counted as level 1
    evidence: str
    mark: Mark | None = None


@dataclass
class Agreement:
    """How many entries of a dimension the reviewer marked each way."""

    key: str
    name: str
    counts: Counter = field(default_factory=Counter)

    @property
    def marked(self) -> int:
        return sum(self.counts.values())


@dataclass
class ReviewView:
    review: Review
    entries: list[Entry]
    agreement: list[Agreement]

    def mark_for(self, key: str) -> Mark | None:
        return next((entry.mark for entry in self.entries if entry.key == key), None)

    @property
    def counts(self) -> Counter:
        """The marks of every entry, counted by verdict: what the agreement rows add up to."""
        return sum((row.counts for row in self.agreement), Counter())

    @property
    def shows_marks(self) -> bool:
        """Marks are shown once given: submitted, or submitted before the review ended."""
        return self.review.submitted_at is not None


def _entries(cycle: Cycle):
    """The checklist's scored entries: what a reviewer marks (leadership's view of staff items aside)."""
    return Item.objects.filter(questionnaire_id=cycle.questionnaire_id, staff_view=False)


def _scored_items(cycle: Cycle) -> list[Item]:
    return in_language(_entries(cycle).select_related("dimension").order_by("dimension__order", "order", "key"))


def entry_keys(cycle: Cycle) -> list[str]:
    """Return the keys of the entries a reviewer marks."""
    return list(_entries(cycle).values_list("key", flat=True))


def _answer(cycle: Cycle, item: Item, results: dict, claimed: int | None) -> str:
    """Return what the self-audit answered for the entry, in the words it was offered."""
    points, others = answer_choices(cycle.questionnaire, item)
    if claimed is not None:
        return str(points[claimed][1])
    mean = (results.get("item_means") or {}).get(item.key)
    if mean is not None:
        return str(points[answer_from_score(mean, item.max_value, reverse=item.reverse)][1])
    special = dict(others)
    for key, counts in (("dk", "dk_counts"), ("na", "na_counts")):
        if (results.get(counts) or {}).get(item.key) and key in special:
            return str(special[key])
    return _("Not answered")


def review_entries(cycle: Cycle) -> list[Entry]:
    """Return the self-audit's entries, in the active language and questionnaire order, as its
    closed results keep them: the answers and evidence notes, nothing of staff or the community."""
    results = cycle.results or {}
    if not results.get("reportable"):
        return []
    notes, unevidenced = results.get("notes") or {}, results.get("unevidenced") or {}
    entries = []
    for item in _scored_items(cycle):
        item.dimension.in_language()
        claimed = unevidenced.get(item.key)
        entries.append(
            Entry(
                key=item.key,
                dimension=item.dimension.key,
                dimension_name=item.dimension.name,
                title=item.title,
                text=item.text,
                critical=item.critical,
                answer=_answer(cycle, item, results, claimed),
                claimed=claimed,
                evidence=notes.get(item.key, ""),
            )
        )
    return entries


def _agreement(entries: list[Entry]) -> list[Agreement]:
    found: dict[str, Agreement] = {}
    for entry in entries:
        row = found.setdefault(entry.dimension, Agreement(entry.dimension, entry.dimension_name))
        if entry.mark is not None:
            row.counts[entry.mark.verdict] += 1
    return list(found.values())


def review_view(review: Review) -> ReviewView:
    """Return the review with its entries, each with the reviewer's mark, and the agreement per dimension."""
    entries = review_entries(review.cycle)
    marks = {mark.item_key: mark for mark in review.marks.all()}
    for entry in entries:
        entry.mark = marks.get(entry.key)
    return ReviewView(review, entries, _agreement(entries))


def _with_marks():
    return Review.objects.select_related("cycle__organization", "cycle__questionnaire", "reviewer").prefetch_related(
        Prefetch("marks", queryset=Mark.objects.order_by("item_key"))
    )


def cycle_review(cycle: Cycle) -> ReviewView | None:
    """Return the self-audit's review to show (``shown_review``), with its entries; None if never asked."""
    shown = shown_review(list(_with_marks().filter(cycle=cycle)))
    return None if shown is None else review_view(shown)


def shown_review(reviews: list[Review]) -> Review | None:
    """Of a self-audit's reviews, newest first, the one its report speaks of: the open one, else
    the latest submitted (a later invitation, declined or withdrawn, does not hide what was given),
    else the latest asked."""
    return (
        next((r for r in reviews if r.is_open), None)
        or next((r for r in reviews if r.submitted_at is not None), None)
        or next(iter(reviews), None)
    )


def cycle_reviews(cycle: Cycle) -> list[Review]:
    """Return every review the self-audit was given, newest first, for its admins' page."""
    return list(Review.objects.filter(cycle=cycle).select_related("reviewer"))


def reviewer_review(user, review_id) -> Review | None:
    """Return the review if this person is its reviewer and it has not ended; else None."""
    return (
        _with_marks()
        .filter(pk=review_id, reviewer=user, status__in=[Review.Status.ACCEPTED, Review.Status.SUBMITTED])
        .first()
    )


def reviewer_reviews(user) -> list[Review]:
    """Return the reviews this person does or did, the open ones first."""
    if not user.is_authenticated:
        return []
    reviews = Review.objects.filter(reviewer=user).select_related("cycle__organization").order_by("-answered_at")
    return sorted(reviews, key=lambda r: r.status not in Review.OPEN)
