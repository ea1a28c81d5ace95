"""Writes for reports: storing a closed cycle's computed report."""

from django.db import transaction

from assessment.models import Cycle
from reports import report, selectors
from reports.models import CycleReport


def cycle_report_payload(*, cycle: Cycle) -> dict:
    """Return the cycle's report, computing and storing it the first time.

    A stored report is served as is while the cycles it was built from are unchanged.
    """
    basis = selectors.history_ids(cycle)
    stored = selectors.stored_report(cycle)
    if stored is not None and stored.basis == basis and stored.payload.get("format") == report.REPORT_FORMAT:
        return stored.payload
    history = [record for record in selectors.cycle_records(cycle.organization, cycle.mode) if record["id"] in basis]
    catalog = selectors.catalog(sorted({record["questionnaire_id"] for record in history}))
    payload = report.cycle_report(history, catalog.dimension_names, catalog.items)
    with transaction.atomic():
        CycleReport.objects.update_or_create(
            cycle=cycle, defaults={"basis": basis, "payload": payload}
        )
    return payload
