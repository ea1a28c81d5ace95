"""Writes for reports: storing a closed cycle's computed report."""

from django.db import transaction

from assessment.models import Cycle, Response
from reports import report, selectors
from reports.models import CycleReport


def cycle_report_payload(*, cycle: Cycle) -> dict:
    """Return the cycle's report, computing and storing it the first time.

    A stored report is served as is while the cycles it was built from are unchanged: the same
    earlier cycles of its kind, and the same cycle of the other kind closed that year (for the
    perception gap).
    """
    history_ids = selectors.history_ids(cycle)
    counterpart = selectors.counterpart_record(cycle)
    basis = [*history_ids, *([f"with:{counterpart['id']}"] if counterpart else [])]
    stored = selectors.stored_report(cycle)
    if stored is not None and stored.basis == basis and stored.payload.get("format") == report.REPORT_FORMAT:
        return stored.payload
    records = selectors.cycle_records(cycle.organization, cycle.mode)
    history = [record for record in records if record["id"] in history_ids]
    questionnaire_ids = {record["questionnaire_id"] for record in [*history, *([counterpart] if counterpart else [])]}
    catalog = selectors.catalog(sorted(questionnaire_ids))
    role_names = {key: str(name) for key, name in Response.role_group_names().items()}
    payload = report.cycle_report(history, catalog.dimension_names, catalog.items, counterpart, role_names)
    with transaction.atomic():
        CycleReport.objects.update_or_create(cycle=cycle, defaults={"basis": basis, "payload": payload})
    return payload
