import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import Cycle


class CycleReport(models.Model):
    """A closed cycle's report in one language, computed once and served as stored.

    ``basis`` lists the reportable cycles the report was built from (the cycle and those before
    it); if that list changes, for example because an earlier cycle was deleted, it is rebuilt.
    The figures are the same in every language; only the words differ.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="stored_reports")
    language = models.CharField(max_length=10)
    basis = models.JSONField()
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "language"], name="one_report_per_language")]

    def __str__(self):
        return f"Report of {self.cycle} ({self.language})"


class Action(models.Model):
    """A step an organization plans on one practice, judged by the next audit of the same kind."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    OPEN = (Status.PLANNED, Status.UNDER_WAY)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="actions")
    # The report it came from: the practice's score there is the "before".
    source_cycle = models.ForeignKey(Cycle, null=True, on_delete=models.SET_NULL, related_name="+")
    practice = models.CharField(_("practice"), max_length=60)  # an item key
    practice_text = models.TextField()
    # Set on reading by ``selectors.practice_wording``: the practice in the reader's language.
    practice_shown: str
    what = models.TextField(_("what will be done"), max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self):
        return f"{self.practice_text[:40]} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < timezone.localdate()
