import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from assessment.aggregation import NOT_STATED

MIN_RESPONSES_FLOOR = 3
# Community feedback shows results only from at least this many answers, or the audit's minimum if higher.
COMMUNITY_MIN_RESPONSES = 10


class Worded(models.Model):
    """A part of a questionnaire whose wording exists in several languages.

    English sits in the object's own columns: it is the canonical wording, fixed once a version is
    published. Other languages sit in ``translations`` ({"fr": {"text": …}, …}). ``in_language``
    puts the object's wording in a language for showing; such an object is never saved.
    """

    WORDED: tuple[str, ...] = ()

    translations = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if hasattr(self, "_english"):
            raise ValueError("A questionnaire shown in another language is never saved.")
        super().save(*args, **kwargs)

    def in_language(self, language: str | None = None):
        """Show this object's wording in ``language`` (the active one by default), English where
        there is no translation; return the object."""
        if not hasattr(self, "_english"):
            self._english = {field: getattr(self, field) for field in self.WORDED}
        wording = self.translations.get(language or get_language() or "en", {})
        for field in self.WORDED:
            setattr(self, field, wording.get(field) or self._english[field])
        return self


def in_language(objects, language: str | None = None) -> list:
    """Show each object's wording in the language (the active one by default)."""
    return [obj.in_language(language) for obj in objects]


class Questionnaire(Worded):
    WORDED = ("title", "description")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Form(models.TextChoices):
        STAFF = "staff", _("Staff survey")
        CHECKLIST = "checklist", _("Leadership checklist")
        COMMUNITY = "community", _("Community feedback form")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Which audit uses it: a staff survey, a leadership self-audit (the checklist), or the
    # feedback of the people the organization serves.
    form = models.CharField(max_length=10, choices=Form.choices, default=Form.STAFF)
    # SHA-256 of the canonical instrument file, so reloading an unchanged file is a no-op.
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="one_questionnaire_version")]

    def __str__(self):
        return f"{self.title} (v{self.version}, {self.get_status_display().lower()})"

    @property
    def is_worded_in_active_language(self) -> bool:
        """Whether the questionnaire has the reader's language (version 1 is English only)."""
        language = get_language() or "en"
        return language == "en" or language in self.translations

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Dimension(Worded):
    WORDED = ("name", "description")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    weight = models.FloatField(default=1.0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="unique_dimension_key"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="dimension_weight_positive"),
        ]

    def __str__(self):
        return self.name


class Item(Worded):
    WORDED = ("text", "short", "help", "recommendation", "levels", "evidence_prompt")

    class Scale(models.TextChoices):
        FREQUENCY = "frequency", _("Never – Always")
        AGREEMENT = "agreement", _("Strongly disagree – Strongly agree")
        YES_PARTLY_NO = "yes_partly_no", _("No – Partly – Yes")
        MATURITY = "maturity", _("Not in place – Written, trained and checked")
        BREAKS = "breaks", _("Seen broken: Never – More than once in the past 12 months")

    SCALE_LABELS = {
        Scale.FREQUENCY: [_("Never"), _("Rarely"), _("Sometimes"), _("Often"), _("Always")],
        Scale.AGREEMENT: [
            _("Strongly disagree"),
            _("Disagree"),
            _("Neither agree nor disagree"),
            _("Agree"),
            _("Strongly agree"),
        ],
        Scale.YES_PARTLY_NO: [_("No"), _("Partly"), _("Yes")],
        Scale.MATURITY: [
            _("Not in place"),
            _("Done by some, informally"),
            _("Written down and known to staff"),
            _("Written, trained and checked"),
        ],
        Scale.BREAKS: [_("Never"), _("Once"), _("More than once")],
    }

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=60)
    text = models.TextField()
    # A title of at most 40 characters, for chart labels and tables.
    short = models.CharField(max_length=40, blank=True)
    help = models.TextField(blank=True)
    scale = models.CharField(max_length=20, choices=Scale.choices)
    max_value = models.PositiveSmallIntegerField()
    weight = models.FloatField(default=1.0)
    reverse = models.BooleanField(default=False)
    critical = models.BooleanField(default=False)
    allow_na = models.BooleanField(default=False)
    # A staff survey item asked at the end of a self-audit, answered by leadership as they believe
    # staff would: kept for the perception gap, never in the self-audit's scores.
    staff_view = models.BooleanField(default=False)
    sources = models.JSONField(default=list)  # seed question numbers, e.g. ["Q9", "Q10"]
    practices = models.JSONField(default=list)  # good-practice ids covered, e.g. ["P5"]
    recommendation = models.TextField()
    # Checklist entries: what each maturity level looks like for this practice, and what evidence to note.
    levels = models.JSONField(default=list, blank=True)
    evidence_prompt = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="unique_item_key"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="item_weight_positive"),
        ]

    def __str__(self):
        return self.key

    @property
    def scale_labels(self) -> list:
        """Return the answer labels, lowest first: a checklist entry's own words for each level,
        with the level's general name."""
        general = self.SCALE_LABELS[self.Scale(self.scale)]
        if self.levels:
            separator = pgettext("between a name and what is said of it", ": ")
            return [f"{name}{separator}{words}" for name, words in zip(general, self.levels, strict=True)]
        return general

    @property
    def title(self) -> str:
        """Return the short title, or the start of the text for items written before titles existed."""
        return self.short or (self.text if len(self.text) <= 40 else self.text[:39].rstrip() + "…")


class Cycle(models.Model):
    class Mode(models.TextChoices):
        TEAM = "team", _("Leadership self-audit (one shared response)")
        STAFF = "staff", _("Anonymous staff survey")
        COMMUNITY = "community", _("Anonymous community feedback")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not open yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cycles")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="cycles")
    label = models.CharField(_("label"), max_length=100)
    mode = models.CharField(_("kind of audit"), max_length=10, choices=Mode.choices)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("planned closing date"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    min_responses = models.PositiveSmallIntegerField(_("minimum responses for a report"), default=5)
    # How many addresses the platform emailed a single-use link to, for the response rate.
    invited_count = models.PositiveIntegerField(default=0, editable=False)
    last_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Invitations went out while one person held every admin and lead role, so nobody else saw
    # the list: the survey's pages, its emails and its report say so.
    invited_by_one_person = models.BooleanField(default=False, editable=False)
    closed_on = models.DateField(null=True, blank=True)
    # Community feedback only: the code in the form's short link (/f/<code>/), printed on its card
    # and poster. Public by design, so kept as it is; empty for every other kind of audit.
    feedback_code = models.CharField(max_length=12, blank=True, editable=False)
    # Cycle aggregates, computed once when the cycle closes; a closed cycle never changes.
    results = models.JSONField(null=True, blank=True, editable=False)
    # The few numbers a coalition benchmark needs, {"consent": 71.2, …, "overall": 70.1}, copied from
    # the results at close so publishing never decodes every member's full results.
    means = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(min_responses__gte=MIN_RESPONSES_FLOOR), name="min_responses_floor"),
            models.UniqueConstraint(
                fields=["feedback_code"], condition=~Q(feedback_code=""), name="one_cycle_per_feedback_code"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("assessment:cycle_detail", kwargs={"org_slug": self.organization.slug, "cycle_id": self.id})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_scheduled(self) -> bool:
        """Return whether the cycle waits for an opening date still to come."""
        return self.status == self.Status.DRAFT and self.opens_on > timezone.localdate()

    @property
    def is_staff_survey(self) -> bool:
        return self.mode == self.Mode.STAFF

    @property
    def is_community_feedback(self) -> bool:
        return self.mode == self.Mode.COMMUNITY

    @property
    def is_sealed(self) -> bool:
        """Whether answers are sealed until close and written out together, as nobody's: a staff
        survey or community feedback (a self-audit is one shared, named response)."""
        return self.mode in (self.Mode.STAFF, self.Mode.COMMUNITY)

    @property
    def is_reportable(self) -> bool:
        return bool(self.is_closed and self.results and self.results.get("reportable"))


class CycleClosing(models.Model):
    """A lead's request to close a cycle, waiting on the task queue; deleted when the cycle closes.

    Closing a large survey takes seconds, so it runs in the background and the cycle's leads watch
    it here. The close task is given the cycle's id only (no task row names a person): who asked
    is read from this row for the audit log, and the row goes in the transaction that closes.
    """

    UNREADABLE = "unreadable"  # submitted answers cannot be opened with the server's current keys
    FAILED = "failed"  # the task stopped with an error (the worker's log says which)

    cycle = models.OneToOneField(Cycle, primary_key=True, on_delete=models.CASCADE, related_name="closing")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Why the last attempt ended without closing; empty while waiting or running.
    failure = models.CharField(max_length=20, blank=True)

    def __str__(self):
        return f"closing {self.cycle_id}"


class RespondentLink(models.Model):
    """A link that lets someone answer a staff survey without an account.

    Only the hash of the token is stored. A single-use link is emailed by the platform to one
    invited address, and its row, address included, is deleted when the respondent starts: no
    row ever says which link, or whose, led to which answers.
    """

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single-use")
        SHARED = "shared", _("Shared")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    # The invited address of a single-use link, kept only until the link is started or the survey closes.
    email = models.EmailField(blank=True)
    is_revoked = models.BooleanField(default=False)
    # Reminders sent for this (still unstarted) link; each one carries a fresh token.
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Delivery(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting an admin's approval")
        PENDING = "pending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")

    # Whether the email carrying the link went out; the task that sends it sets the token.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.SENT)
    # A reminder for this link waits to be sent. The sending task finds its work on the rows, so
    # the task table never lists who had not started.
    reminder_due = models.BooleanField(default=False)
    # While awaiting approval: the list the link was asked for in, and who asked (an admin other
    # than them approves). Both are cleared when the list is approved.
    approval_list = models.UUIDField(null=True, blank=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"{self.get_kind_display()} link for {self.cycle}"


class InvitedAddress(models.Model):
    """That an address was invited to a staff survey (a keyed hash), so it gets one link only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="invited_addresses")
    address_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "address_hash"], name="one_link_per_address")]

    def __str__(self):
        return f"Invited address for {self.cycle}"

    @staticmethod
    def hash_of(cycle_id, address: str) -> str:
        """Return the keyed hash that records an invited address without storing it."""
        return salted_hmac("ally.invited-address", f"{cycle_id}:{address.lower()}", algorithm="sha256").hexdigest()


class SpentCredential(models.Model):
    """That one right to submit a staff survey was used: the hash of its random value, nothing else.

    The value was signed by the server and handed to the respondent's browser when they started;
    nothing was stored then, so this row, written at submission, shares nothing with the start.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="spent_credentials")
    value_hash = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return f"Spent credential for {self.cycle}"


class PendingResponse(models.Model):
    """A submitted staff response, sealed with the server's key until its survey closes.

    The seal holds the answers and the role group, carries no time and has one length per
    questionnaire; closing writes every one of them out at once (``services.pending``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="pending")
    sealed = models.TextField()

    def __str__(self):
        return f"Pending response for {self.cycle}"


class Response(models.Model):
    """One set of answers. Staff responses carry no user, link, IP or time.

    A staff response is written only when its survey closes, with every other one and only if
    at least the minimum answered (see ``PendingResponse``); a leadership self-audit has one
    shared response, edited as a draft.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    class RoleGroup(models.TextChoices):
        LEADERSHIP = "leadership", _("Leadership or management")
        FRONTLINE = "frontline", _("Frontline staff")
        VOLUNTEER = "volunteer", _("Volunteer")
        OTHER = "other", _("Other")

    NOT_STATED = NOT_STATED

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Dimension and overall scores: {"consent": 81.2, …, "overall": 77.0}.
    scores = models.JSONField(null=True, blank=True)

    def __str__(self):
        return f"{self.get_status_display()} response"

    @classmethod
    def role_group_names(cls) -> dict[str, str | Promise]:
        """Return the name of every role group a report may show, "not stated" included."""
        return {**dict(cls.RoleGroup.choices), cls.NOT_STATED: _("Not stated")}

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    DONT_KNOW = "dk"
    NOT_APPLICABLE = "na"

    # Random keys everywhere under Response: a sequence would reveal the order of answering.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    special = models.CharField(
        max_length=2, blank=True, choices=[(DONT_KNOW, _("Don't know")), (NOT_APPLICABLE, _("Not applicable"))]
    )
    # Team mode only: the policy or practice that supports the answer.
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(special=""))
                | (Q(value__isnull=True) & Q(special__in=["dk", "na"])),
                name="answer_is_value_or_special",
            ),
        ]

    def __str__(self):
        return f"{self.item.key}: {self.scoring_value}"

    @property
    def scoring_value(self) -> int | str:
        """Return the answer as scoring reads it: its value, or "dk" or "na" (an answer holds one or the other)."""
        return self.special if self.value is None else self.value


class Participation(models.Model):
    """That a member started a staff survey: nothing about what they answered, or when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="answer_once_per_cycle")]

    def __str__(self):
        return f"{self.user} took part in {self.cycle}"


class MemberReminder(models.Model):
    """How many reminders a member who has not started a staff survey was sent (at most two)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="member_reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveSmallIntegerField(default=0)
    # A reminder waits to be sent to this member (see ``RespondentLink.reminder_due``).
    is_due = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="one_reminder_count_per_member")]

    def __str__(self):
        return f"{self.count} reminder(s) to {self.user} for {self.cycle}"


class AuditSchedule(models.Model):
    """When an organization's yearly audit of one kind falls: its month and usual length."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="schedules")
    mode = models.CharField(max_length=10, choices=Cycle.Mode.choices)
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    weeks = models.PositiveSmallIntegerField(
        _("weeks open"), default=4, validators=[MinValueValidator(1), MaxValueValidator(26)]
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "mode"], name="one_schedule_per_kind")]

    def __str__(self):
        return f"{self.get_mode_display()} in month {self.month}"


class ScheduleNotice(models.Model):
    """That a schedule email was sent: one per organization, kind, year and notice, never twice."""

    class Kind(models.TextChoices):
        DUE_IN_30 = "due_30", _("Due in 30 days")
        DUE_IN_7 = "due_7", _("Due in 7 days")
        OVERDUE = "overdue", _("Overdue")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(AuditSchedule, on_delete=models.CASCADE, related_name="notices")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schedule", "year", "kind"], name="one_notice_per_year")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}"
