"""Background work of the reports app: building a closed cycle's report once, right after close."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from assessment.models import Cycle
from reports.services import cycle_report_payload


@task()
def build_report(cycle_id: str) -> bool:
    """Compute and store a closed cycle's report in every language, so its first reader does not wait for it."""
    cycle = Cycle.objects.select_related("organization", "questionnaire").filter(pk=cycle_id).first()
    if cycle is None or not cycle.is_reportable:
        return False
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            cycle_report_payload(cycle=cycle)
    return True


def enqueue_build_report(sender, cycle_id: str, **kwargs) -> None:
    build_report.enqueue(cycle_id=cycle_id)
