import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from assessment.models import Cycle


class CycleReport(models.Model):
    """A closed cycle's report, computed once and served as stored.

    ``basis`` lists the reportable cycles the report was built from (the cycle and those before
    it); if that list changes, for example because an earlier cycle was deleted, it is rebuilt.
    """

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, primary_key=True, related_name="stored_report")
    basis = models.JSONField()
    payload = models.JSONField()
    # Position charts against coalition snapshots, by snapshot id, drawn on first view.
    coalition_charts = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Report of {self.cycle}"


class BenchmarkSnapshot(models.Model):
    """A coalition's published figures for one calendar year. Published once, never changed.

    ``stats`` holds, per dimension key and "overall", only what ``benchmark_stats`` allows:
    n, whether suppressed, and rounded quartiles (and p10/p90 from 20 members).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coalition = models.ForeignKey("accounts.Coalition", on_delete=models.CASCADE, related_name="snapshots")
    period = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    stats = models.JSONField()

    class Meta:
        ordering = ["coalition", "period"]
        constraints = [models.UniqueConstraint(fields=["coalition", "period"], name="one_snapshot_per_period")]

    def __str__(self):
        return f"{self.coalition} {self.period}"

    def get_absolute_url(self):
        return reverse("coalitions:benchmark", kwargs={"coalition_slug": self.coalition.slug, "year": self.period})
