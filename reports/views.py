import json
from datetime import UTC, datetime

from csp.decorators import csp_update
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.access import get_membership
from accounts.models import AuditEvent, Membership
from accounts.services import audit
from assessment.models import Cycle
from reports import exports, selectors
from reports.charts import CHART_CSP
from reports.services import cycle_report_payload

Role = Membership.Role


def _reportable_cycle(membership, cycle_id) -> Cycle:
    cycle = get_object_or_404(Cycle, id=cycle_id, organization=membership.organization)
    if not cycle.is_reportable or not membership.can_view_reports:
        raise Http404
    return cycle


@never_cache
@csp_update(CHART_CSP)
def cycle_report(request, org_slug, cycle_id):
    membership = get_membership(request.user, org_slug)
    cycle = _reportable_cycle(membership, cycle_id)
    payload = cycle_report_payload(cycle=cycle)
    context = {
        "membership": membership,
        "organization": membership.organization,
        "cycle": cycle,
        "report": payload,
    }
    return render(request, "reports/cycle_report.html", context)


EXPORT_LABELS = {
    "summary": _("Summary"),
    "scores": _("Scores"),
    "practices": _("Practices"),
    "critical_gaps": _("Critical gaps"),
    "change": _("Change"),
    "what": _("What"),
    "value": _("Value"),
    "audit": _("Audit"),
    "closed_on": _("Closed on"),
    "responses": _("Responses"),
    "overall": _("Overall score"),
    "band": _("Band"),
    "next_step": _("Next step"),
    "version": _("Questionnaire version"),
    "dimension": _("Dimension"),
    "score": _("Score"),
    "low": _("95% interval, low"),
    "high": _("95% interval, high"),
    "key": _("Practice key"),
    "practice": _("Practice"),
    "best_share": _("Best answer, %"),
    "before": _("Before"),
    "now": _("Now"),
    "detectable": _("Smallest detectable change"),
    "verdict": _("What it means"),
    "better": _("Clearly better"),
    "worse": _("Clearly worse"),
    "no_clear_change": _("No clear change"),
}
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@never_cache
def cycle_report_export(request, org_slug, cycle_id, fmt):
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _reportable_cycle(membership, cycle_id)
    payload = cycle_report_payload(cycle=cycle)
    stem = f"{membership.organization.slug}-{slugify(cycle.label) or 'audit'}"
    if fmt == "json":
        body = {key: value for key, value in payload.items() if key != "charts"}
        body["exported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        content, extension = json.dumps(body, indent=1), "json"
    else:
        tables = exports.report_tables(payload, {key: str(label) for key, label in EXPORT_LABELS.items()})
        if fmt == "csv":
            content, extension = exports.to_csv_zip(tables, stem), "zip"
        else:
            content, extension = exports.to_xlsx(tables), "xlsx"
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    audit(
        organization=membership.organization,
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        detail=f"{cycle.label} ({fmt})",
        data={"cycle": str(cycle.pk), "format": fmt},
    )
    return response


@never_cache
@csp_update(CHART_CSP)
def trend(request, org_slug):
    membership = get_membership(request.user, org_slug)
    if not membership.can_view_reports:
        raise Http404
    sections = []
    for mode, title in Cycle.Mode.choices:
        latest = selectors.latest_reportable_cycle(membership.organization, mode)
        if latest is not None:
            # The latest report's trend already covers every earlier cycle of its kind.
            payload = cycle_report_payload(cycle=latest)
            sections.append(
                {"mode": mode, "title": title, "trend": payload["trend"], "chart": payload["charts"]["trend"]}
            )
    context = {"membership": membership, "organization": membership.organization, "sections": sections}
    return render(request, "reports/trend.html", context)
