import logging

from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import throttle
from accounts.access import user_memberships
from assessment.models import Cycle
from assessment.selectors import dimension_names_for
from coalitions import selectors, services
from coalitions.access import get_coalition_for_steward, get_coalition_for_user
from coalitions.benchmarks import benchmark_rows, median_trend
from coalitions.forms import CoalitionForm, JoinCoalitionForm, JoinCodeForm
from coalitions.models import BenchmarkSnapshot, Coalition
from coalitions.tasks import publish_snapshot
from config import reviews
from reports import wording
from reports.charts import CHART_CSP, script_json, trend_figure

logger = logging.getLogger(__name__)
MEMBERS_PER_PAGE = 50


def coalition_create(request):
    form = CoalitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            coalition, code = services.coalition_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            return render(request, "coalitions/join_code.html", {"coalition": coalition, "code": code, "created": True})
    return render(request, "coalitions/coalition_create.html", {"form": form})


@never_cache
@csp_update(CHART_CSP)
def coalition_detail(request, coalition_slug):
    coalition, steward, memberships = get_coalition_for_user(request.user, coalition_slug)
    snapshots = selectors.coalition_snapshots(coalition)
    names = wording.with_overall(dimension_names_for({key for s in snapshots for key in s.stats}))
    context = {"coalition": coalition, "is_steward": steward, "snapshots": snapshots}
    if steward:
        this_year = timezone.localdate().year
        periods = sorted({s.period for s in snapshots} | {this_year - 1, this_year})
        context["members"] = Paginator(selectors.coalition_memberships(coalition), MEMBERS_PER_PAGE).get_page(
            request.GET.get("members")
        )
        context["participation"] = selectors.participation_counts(coalition, periods)
        context["events"] = selectors.coalition_events(coalition)
        context["unconfirmed"] = selectors.unconfirmed_member_count(coalition)
    trend_rows = median_trend(snapshots, names)
    context["trend_rows"] = trend_rows
    changes = [
        str(later.period)
        for earlier, later in zip(snapshots, snapshots[1:], strict=False)
        if (earlier.versions or {}).get("staff") != (later.versions or {}).get("staff")
    ]
    labels = wording.chart_labels()
    context["trend_chart"] = script_json(trend_figure(trend_rows, changes, labels)) if trend_rows else None
    context["member_views"] = _member_views(memberships, snapshots[-1] if snapshots else None, names)
    if memberships:
        context["member_names"] = selectors.active_member_names(coalition)
    return render(request, "coalitions/coalition_detail.html", context)


@never_cache
def benchmark(request, coalition_slug, year):
    coalition, steward, memberships = get_coalition_for_user(request.user, coalition_slug)
    snapshot = get_object_or_404(BenchmarkSnapshot, coalition=coalition, period=year)
    names = wording.with_overall(dimension_names_for(snapshot.stats))
    questionnaires = selectors.period_questionnaires(coalition, snapshot.period)
    context = {
        "coalition": coalition,
        "is_steward": steward,
        "snapshot": snapshot,
        "rows": benchmark_rows(snapshot.stats, names, None),
        "team_rows": benchmark_rows(snapshot.team_stats, names, None) if snapshot.team_stats else [],
        "member_views": _member_views(memberships, snapshot, names),
        "questionnaires_used": bool(questionnaires),
        "languages": _offered_languages(questionnaires),
    }
    return render(request, "coalitions/benchmark.html", context)


def _offered_languages(questionnaires) -> list[reviews.ShownLanguage]:
    """Return the languages the members' questionnaires offered, each with its review status; the
    interface's languages where no audit of that year is left to tell."""
    if not questionnaires:
        return reviews.interface_languages()
    codes = ["en", *(code for questionnaire in questionnaires for code in questionnaire.translations)]
    drafts = [code for questionnaire in questionnaires for code in reviews.draft_questionnaire_languages(questionnaire)]
    return reviews.shown_languages(codes, drafts)


def _member_views(memberships, snapshot: BenchmarkSnapshot | None, names) -> list[dict]:
    """Return, per member organization of the viewer, its own scores against a snapshot: staff
    surveys against staff surveys, and self-audits against self-audits where published; and
    whether it counts yet (confirmed by the site's operator)."""
    views = []
    for membership in memberships:
        view = {
            "membership": membership,
            "latest": snapshot,
            "rows": [],
            "team_rows": [],
            "is_confirmed": membership.counts_in_coalition,
        }
        if snapshot:
            for mode, key in ((Cycle.Mode.STAFF, "rows"), (Cycle.Mode.TEAM, "team_rows")):
                stats, cycle = selectors.series_for(snapshot, membership.organization, mode)
                if stats:
                    view[key] = benchmark_rows(stats, names, cycle.means if cycle else None)
                    view[f"{key}_cycle"] = cycle
        views.append(view)
    return views


def coalition_join(request, coalition_slug):
    """Join in two steps: the join code first, which alone reveals the coalition; then informed consent."""
    coalition = get_object_or_404(Coalition, slug=coalition_slug)
    admin_of = [m.organization for m in user_memberships(request.user) if m.is_admin]
    if not admin_of:
        raise Http404
    code_form = JoinCodeForm(request.POST or None)
    step = {"coalition_slug": coalition.slug, "form": code_form}
    if request.method != "POST" or not code_form.is_valid():
        return render(request, "coalitions/join_code_step.html", step)
    if throttle.is_limited(request, "join-code", scope=str(coalition.pk)):
        messages.error(request, _("Too many join codes were tried. Wait ten minutes and try again."))
        return render(request, "coalitions/join_code_step.html", step, status=429)
    join_code = code_form.cleaned_data["join_code"]
    if not services.join_code_is_valid(coalition=coalition, join_code=join_code):
        logger.info("A join code for coalition %s was refused", coalition.pk)
        messages.error(request, services.JOIN_CODE_INVALID_MESSAGE)
        return render(request, "coalitions/join_code_step.html", step, status=400)
    form = JoinCoalitionForm(request.POST if "consent_step" in request.POST else None, organizations=admin_of)
    if form.is_bound and form.is_valid():
        organization = form.cleaned_data["organization"]
        try:
            services.coalition_join(
                coalition=coalition,
                organization=organization,
                by=request.user,
                join_code=join_code,
                consent=form.cleaned_data["consent"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("%(org)s is now a member of %(coalition)s.")
                % {"org": organization.name, "coalition": coalition.name},
            )
            return redirect(coalition)
    context = {
        "coalition": coalition,
        "form": form,
        "join_code": join_code,
        "members": selectors.active_member_names(coalition),
        "consent_version": services.CONSENT_VERSION,
        # Each version's words stay in their own file: what earlier members consented to is kept.
        "consent_template": f"coalitions/_consent_v{services.CONSENT_VERSION}.html",
    }
    return render(request, "coalitions/join.html", context)


@require_POST
def coalition_withdraw(request, coalition_slug):
    coalition = get_object_or_404(Coalition, slug=coalition_slug)
    admin_of = {m.organization.slug: m.organization for m in user_memberships(request.user) if m.is_admin}
    organization = admin_of.get(request.POST.get("organization", ""))
    if organization is None:
        raise Http404
    try:
        services.coalition_withdraw(coalition=coalition, organization=organization, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(organization)
    messages.success(
        request,
        _("%(org)s has withdrawn from %(coalition)s. It will be left out of every future snapshot.")
        % {"org": organization.name, "coalition": coalition.name},
    )
    return redirect("accounts:org_settings", org_slug=organization.slug)


PUBLISH_YEARS_BACK = 3  # how many past years a steward may still publish, besides this one


@never_cache
def snapshot_publish(request, coalition_slug):
    """Publish a year's figures after a confirmation page that offers only the years with enough
    members, the latest first, and says that publishing is final."""
    coalition = get_coalition_for_steward(request.user, coalition_slug)
    if request.method != "POST":
        this_year = timezone.localdate().year
        periods = range(this_year - PUBLISH_YEARS_BACK, this_year + 1)
        context = {
            "coalition": coalition,
            "years": services.snapshot_eligible_years(coalition=coalition, periods=periods)[::-1],
            "k": max(coalition.k_min, Coalition.K_MIN_FLOOR),
        }
        return render(request, "coalitions/publish.html", context)
    raw = request.POST.get("period", "")
    period = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 0
    try:
        services.snapshot_check(coalition=coalition, period=period, confirmed=request.POST.get("confirm") == "yes")
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("coalitions:snapshot_publish", coalition_slug=coalition.slug)
    # Computed on the task queue: with a thousand members it is more than a page should wait for.
    publish_snapshot.enqueue(coalition_id=str(coalition.pk), period=period, by_id=str(request.user.pk))
    snapshot = BenchmarkSnapshot.objects.filter(coalition=coalition, period=period).first()
    if snapshot is None:
        messages.info(
            request, _("The figures for %(period)s are being published; they appear here shortly.") % {"period": period}
        )
        return redirect(coalition)
    messages.success(request, _("Figures for %(period)s are published.") % {"period": period})
    return redirect(snapshot)


@require_POST
@never_cache
def join_code_renew(request, coalition_slug):
    coalition = get_coalition_for_steward(request.user, coalition_slug)
    code = services.coalition_new_join_code(coalition=coalition, by=request.user)
    return render(request, "coalitions/join_code.html", {"coalition": coalition, "code": code, "created": False})
