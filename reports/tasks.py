"""Background work of the reports app: building closed audits' reports once, right after a close
or a deletion, so that reading a report never computes or writes it."""

from django_tasks import task

from assessment.models import Cycle
from reports.services import organization_reports_build


@task()
def build_reports(organization_id: str, year: int | None = None) -> int:
    """Bring the organization's stored reports of ``year`` and later up to date in every language;
    return how many audits have one."""
    return organization_reports_build(organization_id=organization_id, from_year=year)


@task()
def build_report(cycle_id: str) -> bool:
    """What an earlier release queued after a close: build the reports of the cycle's organization."""
    organization_id = Cycle.objects.filter(pk=cycle_id).values_list("organization_id", flat=True).first()
    if organization_id is None:
        return False
    organization_reports_build(organization_id=organization_id)
    return True


def enqueue_build_reports(sender, organization_id: str, year: int, **kwargs) -> None:
    build_reports.enqueue(organization_id=str(organization_id), year=year)
