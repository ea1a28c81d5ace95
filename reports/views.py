import json
from datetime import UTC, datetime

from csp.decorators import csp_update
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
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


@never_cache
def cycle_report_export(request, org_slug, cycle_id, fmt):
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _reportable_cycle(membership, cycle_id)
    payload = cycle_report_payload(cycle=cycle)
    filename = f"ally-readiness-{membership.organization.slug}-{cycle.id}"
    if fmt == "json":
        body = {key: value for key, value in payload.items() if key != "charts"}
        body["exported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        response = HttpResponse(json.dumps(body, indent=1), content_type="application/json")
    elif fmt == "csv":
        content = exports.to_csv(exports.dimension_rows(payload), exports.item_rows(payload))
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    else:
        content = exports.to_xlsx(exports.dimension_rows(payload), exports.item_rows(payload))
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    audit(
        organization=membership.organization,
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        detail=f"{cycle.label} ({fmt})",
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
