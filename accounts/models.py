import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address. Nothing else about them is stored but the
    language they chose, so that emails sent while they are away are written in it, and a count
    of changes to what their organizations ask of their login (``mfa_rule_version``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    is_staff = models.BooleanField(_("site administrator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Goes up whenever their two-factor requirement may have changed (a role, a membership, an
    # organization's rule, an authenticator), so a session decides the requirement once and
    # again only after a change, with no query of its own (accounts.access.session_mfa_requirement).
    mfa_rule_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email


class Organization(models.Model):
    class Sector(models.TextChoices):
        LEGAL = "legal", _("Legal")
        HEALTH = "health", _("Health")
        SOCIAL = "social", _("Social services")
        COMMUNITY = "community", _("Community")
        OTHER = "other", _("Other")

    class SizeBand(models.TextChoices):
        SMALL = "small", _("1–10 staff and volunteers")
        MEDIUM = "medium", _("11–50 staff and volunteers")
        LARGE = "large", _("51–250 staff and volunteers")
        VERY_LARGE = "very_large", _("More than 250 staff and volunteers")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    size_band = models.CharField(_("size"), max_length=20, choices=SizeBand.choices, blank=True)
    require_mfa = models.BooleanField(_("require two-factor authentication for admins and leads"), default=False)
    staff_can_view_reports = models.BooleanField(_("staff can read reports of closed audits"), default=True)
    show_plan_to_staff = models.BooleanField(
        _("show the action plan to staff"),
        default=False,
        help_text=_("When on, the start page of the next staff survey lists what was done since the last one."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("years to keep raw answers and the audit log"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessment:org_dashboard", kwargs={"org_slug": self.slug})


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        LEAD = "lead", _("Lead")
        STAFF = "staff", _("Staff")

        @property
        def rank(self) -> int:
            return {"staff": 1, "lead": 2, "admin": 3}[self.value]

        def includes(self, other: "Membership.Role") -> bool:
            """Return whether this role has every right of ``other``."""
            return self.rank >= Membership.Role(other).rank

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org"),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def role_enum(self) -> "Membership.Role":
        return Membership.Role(self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == Membership.Role.ADMIN

    @property
    def can_manage_cycles(self) -> bool:
        return self.role_enum.includes(Membership.Role.LEAD)

    @property
    def can_manage_members(self) -> bool:
        return self.is_admin

    @property
    def can_view_reports(self) -> bool:
        return self.can_manage_cycles or self.organization.staff_can_view_reports


class Invitation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} to {self.organization}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class AuditEvent(models.Model):
    """A sensitive action in an organization, shown to its admins."""

    class Action(models.TextChoices):
        ORG_CREATED = "org_created", _("Organization created")
        SETTINGS_CHANGED = "settings_changed", _("Settings changed")
        MEMBER_INVITED = "member_invited", _("Member invited")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
        MEMBER_JOINED = "member_joined", _("Member joined")
        ROLE_CHANGED = "role_changed", _("Role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        CYCLE_OPENED = "cycle_opened", _("Audit opened")
        CYCLE_CLOSED = "cycle_closed", _("Audit closed")
        CYCLE_DELETED = "cycle_deleted", _("Audit deleted")
        LINKS_CREATED = "links_created", _("Respondent links created")
        INVITATIONS_SENT = "invitations_sent", _("Survey invitations sent")
        INVITATIONS_REQUESTED = "invitations_requested", _("Survey invitations awaiting approval")
        INVITATIONS_APPROVED = "invitations_approved", _("Survey invitations approved")
        INVITATIONS_REFUSED = "invitations_refused", _("Survey invitations refused")
        REMINDERS_SENT = "reminders_sent", _("Survey reminders sent")
        SCHEDULE_CHANGED = "schedule_changed", _("Audit calendar changed")
        TEAM_RESPONSE_EDITED = "team_response_edited", _("Self-audit answers saved")
        TEAM_RESPONSE_SUBMITTED = "team_response_submitted", _("Self-audit submitted")
        EXPORTED = "exported", _("Report exported")
        ACTION_CREATED = "action_created", _("Action planned")
        ACTION_UPDATED = "action_updated", _("Action updated")
        COALITION_JOINED = "coalition_joined", _("Joined a coalition (consent given)")
        COALITION_WITHDRAWN = "coalition_withdrawn", _("Withdrew from a coalition")
        REVIEW_INVITED = "review_invited", _("Community review asked for")
        REVIEW_DECLINED = "review_declined", _("Community review declined")
        REVIEW_ACCEPTED = "review_accepted", _("Community review accepted")
        REVIEW_SAVED = "review_saved", _("Community review saved")
        REVIEW_SUBMITTED = "review_submitted", _("Community review submitted")
        REVIEW_ENDED = "review_ended", _("Community review ended")
        REVIEW_PAID = "review_paid", _("Community review payment recorded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices)
    # Structured facts about the action (counts, labels people typed, ids, keys), worded in the
    # reader's language by accounts.audit; never answers or invited addresses.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"
