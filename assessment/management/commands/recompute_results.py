from django.core.management.base import BaseCommand

from assessment.models import Cycle
from assessment.services.cycles import cycle_results_recompute


class Command(BaseCommand):
    help = (
        "Score every closed audit's stored answers again with the current scoring rules. Safe to run "
        "again; reports are rebuilt from the new results when next opened. Published coalition "
        "figures never change."
    )

    def handle(self, *args, **options):
        cycles = Cycle.objects.filter(status=Cycle.Status.CLOSED).order_by("closed_on", "created_at")
        changed = sum(cycle_results_recompute(cycle=cycle) for cycle in cycles.iterator())
        self.stdout.write(f"{changed} of {cycles.count()} closed audits rescored.")
