from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from assessment.models import Cycle
from assessment.services.cycles import cycle_results_recompute
from reports.models import CycleReport
from reports.services import cycle_report_build


class Command(BaseCommand):
    help = (
        "Score every closed audit's stored answers again with the current scoring rules, then rebuild "
        "the stored reports in every language. Safe to run again. Published coalition figures never "
        "change: each says which scoring rules made it."
    )

    def handle(self, *args, **options):
        cycles = Cycle.objects.filter(status=Cycle.Status.CLOSED).order_by("closed_on", "created_at")
        changed = [cycle.organization_id for cycle in cycles.iterator() if cycle_results_recompute(cycle=cycle)]
        # A report reads every earlier audit of its organization and the other kind's of the same
        # year, so a rescored audit makes all of its organization's stored reports stale.
        CycleReport.objects.filter(cycle__organization_id__in=changed).delete()
        built = 0
        for cycle in cycles.select_related("organization", "questionnaire"):
            if not cycle.is_reportable:
                continue
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    cycle_report_build(cycle=cycle)
                built += 1
        self.stdout.write(
            f"{len(changed)} of {cycles.count()} closed audits rescored; {built} stored reports checked or rebuilt."
        )
