import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from assessment.models import Cycle
from coalitions.benchmarks import BENCHMARK_FLOOR


class Coalition(models.Model):
    """A network of organizations that compares its members anonymously."""

    K_MIN_FLOOR = BENCHMARK_FLOOR

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    k_min = models.PositiveSmallIntegerField(
        _("minimum members for published figures"),
        default=K_MIN_FLOOR,
        help_text=_("No figures are published for fewer consenting members than this (5 or more)."),
    )
    stewards = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="stewarded_coalitions")
    join_code_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(k_min__gte=BENCHMARK_FLOOR), name="coalition_k_min_floor"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coalitions:coalition_detail", kwargs={"coalition_slug": self.slug})


class CoalitionMembership(models.Model):
    """An organization's informed consent to share aggregates with a coalition, the site operator's
    confirmation that it is a separate organization, and its withdrawal.

    A membership counts toward the coalition's minimum and into its published figures only while
    it is active and confirmed. Re-joining makes a new membership, which needs a new confirmation.
    """

    class Confirmation(models.TextChoices):
        ADMIN = "admin", _("the site's administration pages")
        COMMAND = "command", _("the confirm_member command")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="coalition_memberships")
    consented_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    consented_at = models.DateTimeField(default=timezone.now)
    consent_version = models.CharField(max_length=20)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Set by the site's operator, never by a steward: no rule can tell separate organizations apart.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_through = models.CharField(max_length=10, choices=Confirmation.choices, blank=True)

    class Meta:
        ordering = ["-consented_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "organization"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_active_coalition_membership",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True, confirmed_through="")
                | (models.Q(confirmed_at__isnull=False) & ~models.Q(confirmed_through="")),
                name="coalition_membership_confirmed_through",
            ),
        ]

    def __str__(self):
        return f"{self.organization} in {self.coalition}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def counts(self) -> bool:
        """Whether the membership counts toward the minimum and into published figures."""
        return self.is_active and self.is_confirmed


class BenchmarkSnapshot(models.Model):
    """A coalition's published figures for one calendar year. Published once, never changed.

    ``stats`` holds, per dimension key and "overall", only what ``benchmark_stats`` allows:
    n, whether suppressed, and rounded quartiles (and p10/p90 from 20 members).

    A series holds one form and one questionnaire version (from scoring version 3): ``stats``
    and ``team_stats`` are the staff surveys and self-audits on the version most members used,
    ``versions`` names it per form, and ``other_series`` holds members on other versions that
    year, each suppressed under k like any. ``cycles`` are the members' audits the figures were
    computed from, so a member is shown the score that was published, not a later one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="snapshots")
    period = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Staff surveys, per dimension key and "overall" (see above).
    stats = models.JSONField()
    # Leadership self-audits, the same shape: a separate series, never mixed with staff surveys.
    team_stats = models.JSONField(default=dict)
    # The scoring rules the figures were computed with; earlier snapshots stay as published.
    scoring_version = models.PositiveSmallIntegerField(default=1)
    # Whether only members confirmed by the site's operator counted; snapshots published before
    # confirmation existed counted every consenting member, and stay as published.
    confirmed_members_only = models.BooleanField(default=False)
    # The questionnaire version of each main series, {"staff": 2, "team": 2}; empty before
    # series held one version (those snapshots may mix versions, and say so).
    versions = models.JSONField(default=dict)
    other_series = models.JSONField(default=list)  # [{"mode": "staff", "version": 1, "stats": {…}}]
    cycles = models.ManyToManyField(Cycle, related_name="+", blank=True)

    class Meta:
        ordering = ["coalition", "period"]
        constraints = [models.UniqueConstraint(fields=["coalition", "period"], name="one_snapshot_per_period")]

    def __str__(self):
        return f"{self.coalition} {self.period}"

    def get_absolute_url(self):
        return reverse("coalitions:benchmark", kwargs={"coalition_slug": self.coalition.slug, "year": self.period})


class SnapshotPublishing(models.Model):
    """A steward's request to publish a year's figures, waiting on the task queue; deleted once published.

    The publish task is given the coalition's id and the year only (no task row names a person):
    who asked is read from this row for the coalition's log.
    """

    REFUSED = "refused"  # the rules refused the year when the task ran (the page says why)
    FAILED = "failed"  # the task stopped with an error (the worker's log says which)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    period = models.PositiveSmallIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Why the last attempt ended without publishing; empty while waiting or running.
    failure = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coalition", "period"], name="one_publishing_per_period")]

    def __str__(self):
        return f"publishing {self.coalition_id} {self.period}"


class CoalitionEvent(models.Model):
    """A coalition's own audit log: creation, joins, confirmations, withdrawals, published years, new join codes.

    Shown to its stewards. Organizations' logs record their side of a join or withdrawal too.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Coalition created")
        JOINED = "joined", _("Organization joined (consent given)")
        CONFIRMED = "confirmed", _("Member confirmed by the site's operator")
        WITHDRAWN = "withdrawn", _("Organization withdrew")
        PUBLISHED = "published", _("Figures published")
        JOIN_CODE_RENEWED = "join_code_renewed", _("New join code made")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=30, choices=Action.choices)
    # Structured facts: an organization's name, a year, counts; never scores.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"
