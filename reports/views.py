import json
import re
import uuid
from datetime import UTC, datetime

from csp.decorators import csp_update
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache

from accounts.access import AuthenticatedHttpRequest, get_membership, organization_context
from accounts.models import Membership
from accounts.refusals import refusal_shown
from assessment.models import Cycle
from community_review.selectors import cycle_review
from reports import exports, selectors, services
from reports.charts import CHART_CSP
from reports.forms import ActionForm
from reports.models import Action

Role = Membership.Role


def _reportable_cycle(membership, cycle_id) -> Cycle:
    cycle = get_object_or_404(Cycle, id=cycle_id, organization=membership.organization)
    if not cycle.is_reportable or not membership.can_view_reports:
        raise Http404
    return cycle


@never_cache
@csp_update(CHART_CSP)  # type: ignore[arg-type]  # django-csp types a view as taking the request alone
def cycle_report(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug)
    cycle = _reportable_cycle(membership, cycle_id)
    payload = selectors.cycle_report(cycle)
    context = organization_context(
        membership,
        cycle=cycle,
        report=payload,
        actions=selectors.report_actions(cycle),
        review=cycle_review(cycle) if cycle.mode == Cycle.Mode.TEAM else None,
        show_review_notes=membership.can_manage_cycles,
    )
    return render(request, "reports/cycle_report.html", context)


EXPORT_LABELS = {
    "summary": _("Summary"),
    "scores": _("Scores"),
    "practices": _("Practices"),
    "critical_gaps": _("Critical gaps"),
    # The same words as reports/_claimed.html.
    "claimed": _("Level %(level)s claimed, no evidence named"),
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
    # xgettext:no-python-format
    "low": _("95% interval, low"),
    # xgettext:no-python-format
    "high": _("95% interval, high"),
    "key": _("Practice key"),
    "practice": _("Practice"),
    "not_best": _("Answers not the best (breaks)"),
    "answered": _("Answered"),
    "share": _("Share, %"),
    # xgettext:no-python-format
    "share_low": _("Share, 95% interval, low"),
    # xgettext:no-python-format
    "share_high": _("Share, 95% interval, high"),
    "level": _("Interval level, %"),
    "low_any": _("Interval, low"),
    "high_any": _("Interval, high"),
    "before": _("Before"),
    "now": _("Now"),
    "detectable": _("Change called clear 8 times in 10"),
    "verdict": _("What it means"),
    "better": _("Clearly better"),
    "worse": _("Clearly worse"),
    "unclear": _("No clear change"),
    "untested_one_set": _("Shown, not tested: a self-audit is one set of answers"),
    "untested_alike": _("Not tested: everyone answered alike"),
    "untested_few": _("Not tested: too few answers"),
    "beginning": _("beginning"),
    "developing": _("developing"),
    "established": _("established"),
    "leading": _("leading"),
    "capped": _("capped at developing: a critical rule was broken"),
    # The same separators as the report's pages.
    "list_separator": pgettext_lazy("between clauses of a list", "; "),
    "name_separator": pgettext_lazy("between a name and what is said of it", ": "),
    "aside_opens": pgettext_lazy("an aside opens", " ("),
    "aside_closes": pgettext_lazy("an aside closes", ")"),
    "actions": _("Actions"),
    "action": _("What will be done"),
    "owner": _("Owner"),
    "due": _("Due"),
    "status": _("Status"),
    "community_review": _("Community review"),
    "self_audit_answer": _("Self-audit answer"),
    "note": _("Reviewer's note"),
}
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@never_cache
def board_summary(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug)
    cycle = _reportable_cycle(membership, cycle_id)
    context = organization_context(
        membership,
        cycle=cycle,
        report=selectors.cycle_report(cycle),
        plan=[a for a in selectors.organization_actions(membership.organization) if a.is_open],
        review=cycle_review(cycle) if cycle.mode == Cycle.Mode.TEAM else None,
    )
    return render(request, "reports/board_summary.html", context)


def _review_export(cycle: Cycle) -> dict | None:
    """A self-audit's community review for its exports: the report page's status sentence and
    its words for each mark (marks once submitted), from the same objects the page reads."""
    if cycle.mode != Cycle.Mode.TEAM:
        return None
    shown = cycle_review(cycle)
    # Spaces and line breaks of the template collapse; a no-break space (French typography) stays.
    status = re.sub(r"[ \t\r\n]+", " ", render_to_string("community_review/_status.html", {"shown": shown})).strip()
    rows = [
        {
            "key": entry.key,
            "practice": entry.title,
            "answer": entry.answer,
            "verdict": str(entry.mark.report_label) if entry.mark else "",
            "note": entry.mark.note if entry.mark else "",
        }
        for entry in (shown.entries if shown is not None and shown.shows_marks else [])
    ]
    return {"status": status, "rows": rows}


@never_cache
def cycle_report_export(
    request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID, fmt: str
) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _reportable_cycle(membership, cycle_id)
    payload = selectors.cycle_report(cycle)
    review = _review_export(cycle)
    stem = f"{membership.organization.slug}-{slugify(cycle.label) or 'audit'}"
    content: str | bytes
    if fmt == "json":
        body = {key: value for key, value in payload.items() if key != "charts"}
        body["exported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if review is not None:
            body["community_review"] = review
        content, extension = json.dumps(body, indent=1), "json"
    else:
        plan = [
            {
                "practice": a.practice_shown,
                "what": a.what,
                "owner": a.owner.email if a.owner else "",
                "due_on": a.due_on.isoformat() if a.due_on else None,
                "status": str(a.get_status_display()),
            }
            for a in selectors.organization_actions(membership.organization)
        ]
        labels = {key: str(label) for key, label in EXPORT_LABELS.items()}
        tables = exports.report_tables(payload, labels, plan, review)
        if fmt == "csv":
            content, extension = exports.to_csv_zip(tables, stem), "zip"
        else:
            content, extension = exports.to_xlsx(tables), "xlsx"
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    services.report_exported(cycle=cycle, by=request.user, fmt=fmt)
    return response


@never_cache
@csp_update(CHART_CSP)  # type: ignore[arg-type]  # django-csp types a view as taking the request alone
def trend(request: AuthenticatedHttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request.user, org_slug)
    if not membership.can_view_reports:
        raise Http404
    sections = []
    for mode, title in Cycle.Mode.choices:
        latest = selectors.latest_reportable_cycle(membership.organization, mode)
        if latest is not None:
            # The latest report's trend already covers every earlier cycle of its kind.
            payload = selectors.cycle_report(latest)
            sections.append(
                {"mode": mode, "title": title, "trend": payload["trend"], "chart": payload["charts"]["trend"]}
            )
    context = organization_context(membership, sections=sections)
    return render(request, "reports/trend.html", context)


def _lead(request, org_slug):
    return get_membership(request.user, org_slug, min_role=Role.LEAD)


def actions(request: AuthenticatedHttpRequest, org_slug: str) -> HttpResponse:
    membership = _lead(request, org_slug)
    context = organization_context(
        membership,
        actions=selectors.organization_actions(membership.organization),
    )
    return render(request, "reports/actions.html", context)


def action_create(request: AuthenticatedHttpRequest, org_slug: str) -> HttpResponse:
    membership = _lead(request, org_slug)
    organization = membership.organization
    cycle_id = request.POST.get("cycle") or request.GET.get("cycle") or ""
    practice = request.POST.get("practice") or request.GET.get("practice") or ""
    if request.method != "POST" and not (cycle_id and practice):
        return _action_choose(request, membership, cycle_id)
    source = get_object_or_404(
        Cycle.objects.select_related("questionnaire"), id=_uuid(cycle_id), organization=organization
    )
    item = get_object_or_404(source.questionnaire.items.filter(staff_view=False), key=practice).in_language()
    selectors.marked_if_english_only(item, source.questionnaire.version)
    form = ActionForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request) as refused:
            services.action_create(
                organization=organization,
                by=request.user,
                source_cycle=source,
                practice=practice,
                **{k: form.cleaned_data[k] for k in ("what", "owner", "due_on", "notes")},
            )
        if not refused:
            messages.success(request, _("The action is in the plan."))
            return redirect("reports:actions", org_slug=organization.slug)
    context = {"membership": membership, "organization": organization, "form": form, "cycle": source, "item": item}
    return render(request, "reports/action_form.html", context)


def _action_choose(request, membership, cycle_id: str):
    """Let a lead start an action from the action plan: first the audit, then its practice."""
    organization = membership.organization
    audits = selectors.reportable_cycles(organization)
    source = None
    if cycle_id:
        source = next((cycle for cycle in audits if str(cycle.id) == cycle_id), None)
        if source is None:
            raise Http404
    context = {
        "membership": membership,
        "organization": organization,
        "audits": audits,
        "source": source,
        "practices": selectors.practices_by_dimension(source.questionnaire) if source else [],
    }
    return render(request, "reports/action_choose.html", context)


def action_edit(request: AuthenticatedHttpRequest, org_slug: str, action_id: uuid.UUID) -> HttpResponse:
    membership = _lead(request, org_slug)
    organization = membership.organization
    action = get_object_or_404(Action.objects.select_related("source_cycle"), id=action_id, organization=organization)
    selectors.practice_wording([action])
    form = ActionForm(request.POST or None, instance=Action.objects.get(pk=action.pk), organization=organization)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request) as refused:
            services.action_update(action=action, by=request.user, **form.cleaned_data)
        if not refused:
            messages.success(request, _("The action is saved."))
            return redirect("reports:actions", org_slug=organization.slug)
    context = {"membership": membership, "organization": organization, "form": form, "action": action}
    return render(request, "reports/action_form.html", context)


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None
