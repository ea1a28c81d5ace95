"""Demo data: the first organization's latest self-audit, reviewed by someone from a
sex-worker-led organization, through the same services a reviewer's clicks call."""

from django.db import transaction

from accounts.demo import DemoLogin, demo_user
from accounts.models import Membership, Organization
from assessment.models import Cycle
from community_review.models import Mark, Review
from community_review.selectors import review_entries
from community_review.services import review_accept, review_invitation_create, review_paid_set, review_save

REVIEWER = "reviewer@harbour-collective.example"
REVIEWER_ORGANIZATION = "Harbour Sex Workers' Collective"
# What the reviewer's community sees differently, by practice, with the note they left.
DIFFERS = {
    "P5": "People we support say staff still call the police about a 'wellness check' without asking them.",
    "P10": "Two members were asked about their status at intake this year.",
}


@transaction.atomic
def build_demo_reviews(organizations: list[Organization]) -> list[DemoLogin]:
    """Review the first organization's latest self-audit, unless it already has a review."""
    organization = organizations[0]
    cycle = (
        Cycle.objects.filter(organization=organization, mode=Cycle.Mode.TEAM, status=Cycle.Status.CLOSED)
        .order_by("-closed_on")
        .first()
    )
    reviewer = demo_user(REVIEWER)
    login = DemoLogin(REVIEWER, f"community reviewer of {organization.name}'s self-audit")
    admins = Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN)
    membership = admins.select_related("user").order_by("created_at").first()
    if membership is None or cycle is None or not cycle.is_reportable or Review.objects.filter(cycle=cycle).exists():
        return [login]
    admin = membership.user
    _review, token = review_invitation_create(cycle=cycle, email=REVIEWER, language="en", by=admin)
    review = review_accept(token=token, user=reviewer, reviewer_organization=REVIEWER_ORGANIZATION, named=True)
    practices = dict(cycle.questionnaire.items.values_list("key", "practices"))
    marks: dict[str, tuple[str, str]] = {}
    for entry in review_entries(cycle):
        note = next((DIFFERS[p] for p in practices.get(entry.key, []) if p in DIFFERS), None)
        if note and not any(note == given for _, given in marks.values()):
            marks[entry.key] = (Mark.Verdict.DIFFERS, note)
        elif entry.claimed:
            marks[entry.key] = (Mark.Verdict.CANNOT_SAY, "")
        else:
            marks[entry.key] = (Mark.Verdict.MATCHES, "")
    review = review_save(
        review=review,
        by=reviewer,
        marks=marks,
        reviewer_organization=REVIEWER_ORGANIZATION,
        named=True,
        submit=True,
    )
    review_paid_set(review=review, by=admin, paid=True)
    return [login]
