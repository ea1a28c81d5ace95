"""A community review: a person from an organization led by sex workers checks a closed
self-audit's checklist against what their community sees of the organization."""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessment.models import Cycle


class Review(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited, no answer yet")
        DECLINED = "declined", _("Declined")
        ACCEPTED = "accepted", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        ENDED = "ended", _("Ended")

    class Side(models.TextChoices):
        REVIEWER = "reviewer", _("the reviewer")
        ORGANIZATION = "organization", _("the organization")

    # A review that still holds the self-audit: one at a time for each self-audit.
    OPEN = (Status.INVITED, Status.ACCEPTED, Status.SUBMITTED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="community_reviews")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    # The invited address and the link's hash, kept only until the invitation is answered: from
    # then on the reviewer is their account, and nothing else is needed.
    email = models.EmailField(_("email address"), blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    language = models.CharField(_("language of the invitation"), max_length=10, choices=settings.LANGUAGES)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="community_reviews"
    )
    # The community organization the reviewer speaks for; shown in the report only when ``named``.
    reviewer_organization = models.CharField(_("your organization"), max_length=200, blank=True)
    named = models.BooleanField(_("name our organization in the report"), default=False)
    # Recorded by the organization: whether the reviewer was paid for their time (no amounts).
    paid = models.BooleanField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=12, choices=Side.choices, blank=True)

    class Meta:
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"], condition=Q(status__in=["invited", "accepted", "submitted"]), name="one_open_review"
            ),
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""), name="one_review_per_token"),
        ]

    def __str__(self):
        return f"Community review of {self.cycle}"

    @property
    def is_pending(self) -> bool:
        """Whether the invitation waits for an answer and its link still works."""
        return self.status == self.Status.INVITED and self.expires_at > timezone.now()

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.INVITED and self.expires_at <= timezone.now()

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def was_accepted(self) -> bool:
        """Whether someone took the review on (it may have ended since)."""
        return self.answered_at is not None and self.status != self.Status.DECLINED

    @property
    def state_label(self) -> "str | Promise":
        """The status as the organization's page names it, telling an expired or withdrawn
        invitation from a review that ended."""
        if self.is_expired or (self.status == self.Status.ENDED and self.answered_at is None and not self.ended_by):
            return _("Invitation expired, no answer")
        if self.status == self.Status.ENDED and self.answered_at is None:
            return _("Invitation withdrawn")
        return self.get_status_display()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN and not self.is_expired


class Mark(models.Model):
    """What the reviewer says of one checklist entry."""

    class Verdict(models.TextChoices):
        MATCHES = "matches", _("Matches what we see")
        DIFFERS = "differs", _("Does not match")
        CANNOT_SAY = "cannot_say", _("Cannot say")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="marks")
    item_key = models.SlugField(max_length=60)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)

    # The verdicts as the organization reads them in its report: the reviewer's "we" becomes "they".
    REPORT_LABELS: ClassVar[dict[str, Promise]] = {
        Verdict.MATCHES: _("Matches what they see"),
        Verdict.DIFFERS: _("Does not match"),
        Verdict.CANNOT_SAY: _("Cannot say"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "item_key"], name="one_mark_per_entry")]

    def __str__(self):
        return f"{self.item_key}: {self.verdict}"

    @property
    def report_label(self) -> Promise:
        return self.REPORT_LABELS[self.verdict]
