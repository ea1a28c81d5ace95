"""Writes of a community review: the invitation and its answer, the reviewer's marks, the end.

Every step is written to the organization's audit log, as facts under keys (``accounts.audit``).
"""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.emails import render_email
from accounts.models import AuditEvent, Membership, User
from accounts.services import audit
from accounts.tokens import hash_token, new_token
from assessment.models import Cycle
from community_review.models import Mark, Review
from community_review.selectors import entry_keys

Action = AuditEvent.Action
Status = Review.Status

INVITATION_LIFETIME = timedelta(days=30)

NOT_REVIEWABLE_MESSAGE = _("Only a closed self-audit with a report can be reviewed.")
ALREADY_OPEN_MESSAGE = _("This self-audit already has a community review. End it before you ask someone else.")
MEMBER_MESSAGE = _(
    "This address belongs to a member of your organization. A community review is done by someone from outside it."
)
INVALID_MESSAGE = _("This invitation is not valid. It may have expired, been withdrawn or been answered already.")
WRONG_EMAIL_MESSAGE = _("This invitation was sent to another email address. Log in with that address to accept it.")
CLOSED_MESSAGE = _("This review has been submitted or has ended, so it can no longer be changed.")
UNKNOWN_ENTRY_MESSAGE = _("One of the answers was not for this self-audit. Nothing was saved; please try again.")
INCOMPLETE_MESSAGE = _(
    "Mark every entry before you submit, with “cannot say” where you do not know. Your marks so far were saved."
)
ENDED_MESSAGE = _("This review has already ended.")


def _facts(review: Review, **more: str | int | bool) -> dict:
    return {"review": str(review.pk), "cycle": str(review.cycle_id), **more}


def _audit(review: Review, by: User | None, action: str, **more: str | int | bool) -> None:
    audit(organization=review.cycle.organization, actor=by, action=action, data=_facts(review, **more))


def is_reviewable(cycle: Cycle) -> bool:
    return cycle.mode == Cycle.Mode.TEAM and cycle.is_reportable


@transaction.atomic
def review_invite(
    *, cycle: Cycle, email: str, language: str, by: User, accept_url_for: Callable[[str], str]
) -> tuple[Review, str]:
    """Ask someone from outside the organization to review a closed self-audit; email them the link.

    ``accept_url_for`` turns the one-time token into an absolute URL; only its hash is stored.
    """
    review, token = review_invitation_create(cycle=cycle, email=email, language=language, by=by)
    context = {"review": review, "organization": cycle.organization, "url": accept_url_for(token), "inviter": by}
    message = render_email("community_review/email/invitation", review.email, context, language=language)
    transaction.on_commit(message.send)
    return review, token


@transaction.atomic
def review_invitation_create(*, cycle: Cycle, email: str, language: str, by: User) -> tuple[Review, str]:
    """Create the invitation and return it with its one-time token, without emailing it (the
    demo, which has no inboxes, stops here). An invitation left unanswered past its date ends
    here, so that someone else may be asked."""
    if not is_reviewable(cycle):
        raise ValidationError(NOT_REVIEWABLE_MESSAGE)
    email = email.strip().lower()
    if Membership.objects.filter(organization_id=cycle.organization_id, user__email__iexact=email).exists():
        raise ValidationError(MEMBER_MESSAGE)
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()  # one invitation at a time per self-audit
    now = timezone.now()
    for expired in Review.objects.filter(cycle=cycle, status=Status.INVITED, expires_at__lte=now):
        _end(expired, by=None, side="", now=now)
    if Review.objects.filter(cycle=cycle, status__in=Review.OPEN).exists():
        raise ValidationError(ALREADY_OPEN_MESSAGE)
    token = new_token()
    review = Review.objects.create(
        cycle=cycle,
        email=email,
        token_hash=hash_token(token),
        language=language,
        invited_by=by,
        invited_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    _audit(review, by, Action.REVIEW_INVITED)
    return review, token


def review_for_token(token: str) -> Review | None:
    """Return the review whose invitation the token opens, while it waits for an answer."""
    review = (
        Review.objects.select_related("cycle__organization").filter(token_hash=hash_token(token)).first()
        if token
        else None
    )
    return review if review is not None and review.is_pending else None


def _pending_locked(token: str) -> Review:
    review = (
        Review.objects.select_for_update().select_related("cycle__organization").filter(token_hash=hash_token(token))
    ).first()
    if review is None or not review.is_pending:
        raise ValidationError(INVALID_MESSAGE)
    return review


def _answered(review: Review, status: str, now: datetime) -> None:
    """Forget the address and the link once the invitation is answered."""
    review.status, review.answered_at, review.email, review.token_hash = status, now, "", ""


@transaction.atomic
def review_accept(*, token: str, user: User, reviewer_organization: str = "", named: bool = False) -> Review:
    """Redeem the invitation for the signed-in person it was sent to: the review is theirs."""
    review = _pending_locked(token)
    if review.email.lower() != user.email.lower():
        raise ValidationError(WRONG_EMAIL_MESSAGE)
    if Membership.objects.filter(organization_id=review.cycle.organization_id, user=user).exists():
        raise ValidationError(MEMBER_MESSAGE)
    _answered(review, Status.ACCEPTED, timezone.now())
    review.reviewer = user
    review.reviewer_organization = reviewer_organization.strip()
    review.named = bool(named and review.reviewer_organization)
    review.save()
    _audit(review, user, Action.REVIEW_ACCEPTED, user=str(user.pk), named=review.named)
    return review


@transaction.atomic
def review_decline(*, token: str) -> Review:
    """Decline the invitation. Whoever holds the link may, signed in or not, and nobody is named:
    the organization learns only that it was declined."""
    review = _pending_locked(token)
    _answered(review, Status.DECLINED, timezone.now())
    review.save()
    _audit(review, None, Action.REVIEW_DECLINED)
    return review


def _locked_own(review: Review, user: User) -> Review:
    locked = Review.objects.select_for_update().select_related("cycle__organization").get(pk=review.pk)
    if locked.reviewer_id != user.pk:
        raise ValidationError(CLOSED_MESSAGE)
    if not locked.is_editable:
        raise ValidationError(CLOSED_MESSAGE)
    return locked


@transaction.atomic
def review_save(
    *,
    review: Review,
    by: User,
    marks: Mapping[str, tuple[str, str]],
    reviewer_organization: str,
    named: bool,
    submit: bool = False,
) -> Review:
    """Keep the reviewer's marks (``{item key: (verdict, note)}``; an entry left out keeps no
    mark) and, with ``submit``, hand the review to the organization: every entry must be marked.

    A tampered form (an entry not in this self-audit, a verdict not offered) saves nothing.
    """
    review = _locked_own(review, by)
    keys = set(entry_keys(review.cycle))
    if not set(marks) <= keys or any(verdict not in Mark.Verdict.values for verdict, _ in marks.values()):
        raise ValidationError(UNKNOWN_ENTRY_MESSAGE)
    review.marks.exclude(item_key__in=list(marks)).delete()
    kept = {mark.item_key: mark for mark in review.marks.all()}
    changed = []
    for key, (verdict, note) in marks.items():
        mark = kept.get(key) or Mark(review=review, item_key=key)
        if mark._state.adding or (mark.verdict, mark.note) != (verdict, note.strip()):
            mark.verdict, mark.note = verdict, note.strip()
            changed.append(mark)
    for mark in changed:
        mark.full_clean(exclude=["review"])
    new = [mark for mark in changed if mark._state.adding]
    Mark.objects.bulk_update([mark for mark in changed if not mark._state.adding], ["verdict", "note"])
    Mark.objects.bulk_create(new)
    review.reviewer_organization = reviewer_organization.strip()
    review.named = bool(named and review.reviewer_organization)
    fields = ["reviewer_organization", "named"]
    if submit and set(marks) == keys:
        review.status, review.submitted_at = Status.SUBMITTED, timezone.now()
        fields += ["status", "submitted_at"]
    review.save(update_fields=fields)
    if review.status == Status.SUBMITTED:
        counts = {verdict: sum(1 for v, _ in marks.values() if v == verdict) for verdict in Mark.Verdict.values}
        _audit(review, by, Action.REVIEW_SUBMITTED, user=str(by.pk), marked=len(marks), **counts)
    else:
        # A draft is the reviewer's own until submitted: the log says it was saved, not what it says.
        _audit(review, by, Action.REVIEW_SAVED, user=str(by.pk))
    return review


def _end(review: Review, *, by: User | None, side: str, now: datetime) -> None:
    """End a review. What was never submitted is not kept: its marks go with it."""
    submitted, withdrawn = review.status == Status.SUBMITTED, review.status == Status.INVITED
    if not submitted:
        review.marks.all().delete()
    if withdrawn:
        review.email, review.token_hash = "", ""
    review.status, review.ended_at, review.ended_by = Status.ENDED, now, side
    review.save()
    _audit(review, by, Action.REVIEW_ENDED, side=side or "expired", submitted=submitted, withdrawn=withdrawn)


@transaction.atomic
def review_end(*, review: Review, by: User, side: str) -> Review:
    """End a review, by its reviewer or the organization (``Review.Side``): the reviewer no
    longer sees the self-audit; marks already submitted stay in the report, labelled as ended."""
    review = Review.objects.select_for_update().select_related("cycle__organization").get(pk=review.pk)
    if review.status not in Review.OPEN:
        raise ValidationError(ENDED_MESSAGE)
    if side == Review.Side.REVIEWER and review.reviewer_id != by.pk:
        raise ValidationError(ENDED_MESSAGE)
    _end(review, by=by, side=Review.Side(side), now=timezone.now())
    return review


@transaction.atomic
def review_paid_set(*, review: Review, by: User, paid: bool) -> Review:
    """Record whether the organization paid the reviewer for their time (yes or no, no amounts)."""
    review = Review.objects.select_for_update().select_related("cycle__organization").get(pk=review.pk)
    if review.answered_at is None or review.status == Status.DECLINED:
        raise ValidationError(_("A review can be recorded as paid once someone has accepted it."))
    review.paid = paid
    review.save(update_fields=["paid"])
    _audit(review, by, Action.REVIEW_PAID, paid=paid)
    return review


def reviewer_deleted(sender: type[User], instance: User, **kwargs: object) -> None:
    """A person who deletes their account ends their open reviews (submitted marks stay) and the
    invitations still waiting at their address, which keep it no longer."""
    now = timezone.now()
    reviews = Review.objects.filter(reviewer=instance, status__in=Review.OPEN).select_related("cycle__organization")
    for review in reviews:
        _end(review, by=None, side=Review.Side.REVIEWER, now=now)
    waiting = Review.objects.filter(status=Status.INVITED, email__iexact=instance.email)
    for review in waiting.select_related("cycle__organization"):
        _end(review, by=None, side="", now=now)


def reviewer_joined(sender: type[Membership], instance: Membership, created: bool, **kwargs: object) -> None:
    """A reviewer who becomes a member of the organization no longer reviews it from outside:
    their open review of its self-audits ends, as if the organization had ended it."""
    if not created:
        return
    now = timezone.now()
    reviews = Review.objects.filter(
        reviewer_id=instance.user_id, cycle__organization_id=instance.organization_id, status__in=Review.OPEN
    ).select_related("cycle__organization")
    for review in reviews:
        _end(review, by=None, side=Review.Side.ORGANIZATION, now=now)


def unanswered_invitations_end(*, now: datetime | None = None) -> int:
    """End the invitations past their date, forgetting their address and link; return how many."""
    now = now or timezone.now()
    expired = Review.objects.filter(status=Status.INVITED, expires_at__lte=now).select_related("cycle__organization")
    ended = 0
    for review in expired:
        _end(review, by=None, side="", now=now)
        ended += 1
    return ended
