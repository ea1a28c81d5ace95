import logging

from csp.decorators import csp_update
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import throttle
from accounts.access import user_memberships
from accounts.refusals import refusal_shown
from assessment.models import Cycle
from assessment.selectors import dimension_names_for
from coalitions import selectors, services
from coalitions.access import get_coalition_for_steward, get_coalition_for_user
from coalitions.benchmarks import benchmark_rows, median_trend, shows_percentiles
from coalitions.forms import CoalitionForm, JoinCoalitionForm, JoinCodeForm
from coalitions.models import BenchmarkSnapshot, Coalition, SnapshotPublishing
from config import reviews
from reports import wording
from reports.charts import CHART_CSP, script_json, trend_figure

logger = logging.getLogger(__name__)
MEMBERS_PER_PAGE = 50


def coalition_create(request):
    form = CoalitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request) as refused:
            coalition, code = services.coalition_create(user=request.user, **form.cleaned_data)
        if not refused:
            return render(request, "coalitions/join_code.html", {"coalition": coalition, "code": code, "created": True})
    return render(request, "coalitions/coalition_create.html", {"form": form})


@never_cache
@csp_update(CHART_CSP)  # type: ignore[arg-type]  # django-csp types a view as taking the request alone
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
        # The years the publish page would offer, latest first, so the steward sees what is ready.
        publishable = range(this_year - PUBLISH_YEARS_BACK, this_year + 1)
        context["ready_years"] = services.snapshot_eligible_years(
            coalition=coalition, periods=publishable, published={s.period for s in snapshots}
        )[::-1]
        context["k"] = max(coalition.k_min, Coalition.K_MIN_FLOOR)
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
    rows = benchmark_rows(snapshot.stats, names, None)
    team_rows = benchmark_rows(snapshot.team_stats, names, None) if snapshot.team_stats else []
    context = {
        "coalition": coalition,
        "is_steward": steward,
        "snapshot": snapshot,
        "rows": rows,
        "team_rows": team_rows,
        # The 10th and 90th percentiles exist only from 20 members on: no empty columns below that.
        "rows_percentiles": shows_percentiles(rows),
        "team_rows_percentiles": shows_percentiles(team_rows),
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
        with refusal_shown(request) as refused:
            services.coalition_join(
                coalition=coalition,
                organization=organization,
                by=request.user,
                join_code=join_code,
                consent=form.cleaned_data["consent"],
            )
        if not refused:
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


def coalition_withdraw(request, coalition_slug):
    """Withdraw an organization's consent after a confirmation page; a GET only shows what it means."""
    coalition = get_object_or_404(Coalition, slug=coalition_slug)
    admin_of = {m.organization.slug: m.organization for m in user_memberships(request.user) if m.is_admin}
    data = request.POST if request.method == "POST" else request.GET
    organization = admin_of.get(data.get("organization", ""))
    if organization is None:
        raise Http404
    if request.method != "POST":
        membership = selectors.active_membership(coalition, organization)
        if membership is None:
            raise Http404
        context = {
            "coalition": coalition,
            "organization": organization,
            "coalition_membership": membership,
            "cancel_url": reverse("accounts:org_settings", args=[organization.slug]),
        }
        return render(request, "coalitions/withdraw.html", context)
    with refusal_shown(request) as refused:
        services.coalition_withdraw(coalition=coalition, organization=organization, by=request.user)
    if refused:
        return redirect(organization)
    messages.success(
        request,
        _("%(org)s has withdrawn from %(coalition)s. It will be left out of every future snapshot.")
        % {"org": organization.name, "coalition": coalition.name},
    )
    return redirect("accounts:org_settings", org_slug=organization.slug)


PUBLISH_YEARS_BACK = 3  # how many past years a steward may still publish, besides this one


def _period(raw: str) -> int | None:
    """Return a year typed in a form or a link, or None for anything that is not one."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None


@never_cache
def snapshot_publish(request, coalition_slug):
    """Publish a year's figures: a confirmation page that names the year (the latest one ready,
    unless another ready year is asked for) and says what cannot be undone; the POST queues it.

    A year the rules refuse (below k, already published) gets their message and no form.
    """
    coalition = get_coalition_for_steward(request.user, coalition_slug)
    if request.method == "POST":
        period = _period(request.POST.get("period", "")) or 0
        with refusal_shown(request) as refused:
            services.snapshot_publish_request(
                coalition=coalition, period=period, by=request.user, confirmed=request.POST.get("confirm") == "yes"
            )
        if refused:
            url = reverse("coalitions:snapshot_publish", args=[coalition.slug])
            return redirect(f"{url}?period={period}" if period else url)
        return redirect("coalitions:snapshot_publishing", coalition_slug=coalition.slug, year=period)
    this_year = timezone.localdate().year
    years = services.snapshot_eligible_years(
        coalition=coalition, periods=range(this_year - PUBLISH_YEARS_BACK, this_year + 1)
    )[::-1]
    asked = _period(request.GET.get("period", ""))
    period = asked if asked is not None else (years[0] if years else None)
    if (
        period is not None
        and SnapshotPublishing.objects.filter(coalition=coalition, period=period, failure="").exists()
    ):
        return redirect("coalitions:snapshot_publishing", coalition_slug=coalition.slug, year=period)
    refusal = None
    if period is not None and period not in years:
        refusal = services.snapshot_refusal(coalition=coalition, period=period) or (
            services.NOT_OFFERED_MESSAGE % {"period": period}
        )
    context = {
        "coalition": coalition,
        "period": period if period in years else None,
        "refusal": refusal,
        "other_years": [year for year in years if year != period],
        "k": max(coalition.k_min, Coalition.K_MIN_FLOOR),
    }
    return render(request, "coalitions/publish.html", context)


@never_cache
def snapshot_publishing(request, coalition_slug, year):
    """Show how publishing a year is going: waiting, running, done (with the way to the figures) or refused."""
    coalition = get_coalition_for_steward(request.user, coalition_slug)
    snapshot = BenchmarkSnapshot.objects.filter(coalition=coalition, period=year).first()
    publishing = SnapshotPublishing.objects.filter(coalition=coalition, period=year).first()
    failure = None
    if snapshot is not None:
        state = "done"
    elif publishing is None:
        state = "none"
    elif publishing.failure:
        state = "failed"
        failure = (
            publishing.failure == SnapshotPublishing.REFUSED
            and services.snapshot_refusal(coalition=coalition, period=year)
        ) or services.PUBLISH_FAILED_MESSAGE
    else:
        state = "running" if publishing.started_at else "waiting"
    context = {
        "coalition": coalition,
        "period": year,
        "snapshot": snapshot,
        "state": state,
        "is_final": state in ("done", "failed", "none"),
        "failure": failure,
    }
    return render(request, "coalitions/publishing.html", context)


@require_POST
@never_cache
def join_code_renew(request, coalition_slug):
    coalition = get_coalition_for_steward(request.user, coalition_slug)
    code = services.coalition_new_join_code(coalition=coalition, by=request.user)
    return render(request, "coalitions/join_code.html", {"coalition": coalition, "code": code, "created": False})
