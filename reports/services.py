"""Writes for reports: storing a closed cycle's computed report."""

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Coalition
from assessment.models import Cycle
from reports import analysis, charts, report, selectors
from reports.models import BenchmarkSnapshot, CycleReport


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
            cycle=cycle, defaults={"basis": basis, "payload": payload, "coalition_charts": {}}
        )
    return payload


def coalition_position_charts(*, cycle: Cycle, positions: list[dict]) -> dict[str, str]:
    """Return the position chart of each coalition snapshot for this cycle, drawing each once.

    Both the snapshot and the closed cycle never change, so a drawn chart is stored with the report.
    """
    stored = CycleReport.objects.filter(cycle=cycle).only("coalition_charts").first()
    known = dict(stored.coalition_charts) if stored else {}
    missing = [p for p in positions if str(p["snapshot"].id) not in known]
    for position in missing:
        known[str(position["snapshot"].id)] = charts.script_json(charts.coalition_position_figure(position["rows"]))
    if missing and stored is not None:
        CycleReport.objects.filter(cycle=cycle).update(coalition_charts=known)
    return known


SNAPSHOT_EXISTS_MESSAGE = _("Figures for %(period)s are already published. A published snapshot never changes.")
PERIOD_MESSAGE = _("Choose a past or current calendar year.")


@transaction.atomic
def snapshot_publish(*, coalition, period: int, by) -> BenchmarkSnapshot:
    """Publish the coalition's figures for a calendar year, once.

    Inputs: each consenting member's latest reportable cycle closed in that year. Only what
    ``benchmark_stats`` allows is stored; members' own scores are not.
    """
    if not 2000 <= period <= timezone.localdate().year:
        raise ValidationError(PERIOD_MESSAGE)
    Coalition.objects.select_for_update().get(pk=coalition.pk)
    if BenchmarkSnapshot.objects.filter(coalition=coalition, period=period).exists():
        raise ValidationError(SNAPSHOT_EXISTS_MESSAGE % {"period": period})
    scores = list(selectors.period_scores(selectors.active_member_ids(coalition), period).values())
    keys = list(dict.fromkeys(key for row in scores for key in row if key != "overall"))
    stats = {
        key: asdict(analysis.benchmark_stats([row.get(key) for row in scores], coalition.k_min))
        for key in [*keys, "overall"]
    }
    return BenchmarkSnapshot.objects.create(coalition=coalition, period=period, published_by=by, stats=stats)
