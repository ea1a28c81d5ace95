
from django.db import models

from assessment.models import Cycle


class CycleReport(models.Model):
    """A closed cycle's report, computed once and served as stored.

    ``basis`` lists the reportable cycles the report was built from (the cycle and those before
    it); if that list changes, for example because an earlier cycle was deleted, it is rebuilt.
    """

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, primary_key=True, related_name="stored_report")
    basis = models.JSONField()
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Report of {self.cycle}"
