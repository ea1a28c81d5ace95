from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import get_membership
from accounts.models import Membership
from assessment import selectors
from assessment.forms import ROLE_GROUP_CHOICES, CycleForm, LinksForm
from assessment.models import Cycle, Participation, RespondentLink
from assessment.services import cycles, links, responding

Role = Membership.Role
RESUME_COOKIE = "ally_resume"
RESUME_COOKIE_AGE = 60 * 60 * 24 * 60


def org_dashboard(request, org_slug):
    membership = get_membership(request.user, org_slug)
    organization = membership.organization
    organization_cycles = selectors.organization_cycles(organization)
    latest = next((cycle for cycle in organization_cycles if cycle.is_reportable), None)
    context = {
        "membership": membership,
        "organization": organization,
        "cycles": organization_cycles,
        "latest": latest,
        "latest_scores": selectors.cycle_score_rows(latest) if latest else [],
    }
    return render(request, "assessment/org_dashboard.html", context)


def cycle_create(request, org_slug):
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycles.cycle_create(
                organization=membership.organization,
                by=request.user,
                questionnaire=selectors.latest_published_questionnaire(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("“%(label)s” is open.") % {"label": cycle.label})
            return redirect(cycle)
    context = {"membership": membership, "organization": membership.organization, "form": form}
    return render(request, "assessment/cycle_create.html", context)


def _cycle_for(membership, cycle_id) -> Cycle:
    return get_object_or_404(
        Cycle.objects.select_related("questionnaire", "organization"), id=cycle_id, organization=membership.organization
    )


@never_cache
def cycle_detail(request, org_slug, cycle_id):
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    context = {
        "membership": membership,
        "organization": membership.organization,
        "cycle": cycle,
        "submitted_count": selectors.submitted_count(cycle),
        "links_form": LinksForm(initial={"kind": RespondentLink.Kind.SINGLE}),
        "link_counts": selectors.cycle_link_counts(cycle),
        "score_rows": selectors.cycle_score_rows(cycle) if cycle.is_reportable else [],
    }
    return render(request, "assessment/cycle_detail.html", context)


@require_POST
def cycle_open(request, org_slug, cycle_id):
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    try:
        cycles.cycle_open(cycle=cycle, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(cycle)


@require_POST
def cycle_close(request, org_slug, cycle_id):
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    try:
        cycles.cycle_close(cycle=cycle, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("“%(label)s” is closed.") % {"label": cycle.label})
    return redirect(cycle)


@require_POST
def cycle_delete(request, org_slug, cycle_id):
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    cycle = _cycle_for(membership, cycle_id)
    if request.POST.get("confirm") != cycle.label:
        messages.error(request, _("Type the audit's label exactly to confirm deleting it."))
        return redirect(cycle)
    cycles.cycle_delete(cycle=cycle, by=request.user)
    messages.success(request, _("The audit and all its answers were deleted."))
    return redirect(membership.organization)


@require_POST
@never_cache
def links_create(request, org_slug, cycle_id):
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    form = LinksForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose single-use or shared links, and how many (1 to 500)."))
        return redirect(cycle)
    kind, count = form.cleaned_data["kind"], form.cleaned_data["count"] or 1
    try:
        tokens = links.links_create(cycle=cycle, by=request.user, kind=kind, count=count)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(cycle)
    urls = [request.build_absolute_uri(reverse("assessment:link_landing", args=[t])) for t in tokens]
    if kind == RespondentLink.Kind.SINGLE:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="links-{cycle.id}.csv"'
        response["Cache-Control"] = "no-store"
        response.write("link\r\n" + "".join(f"{url}\r\n" for url in urls))
        return response
    context = {"membership": membership, "organization": membership.organization, "cycle": cycle, "url": urls[0]}
    return render(request, "assessment/shared_link.html", context)


# Answering


def _page_number(request, last: int) -> int:
    raw = request.POST.get("page") or request.GET.get("page") or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= last:
        raise Http404
    return int(raw)


def _question_rows(page, saved, posted) -> list[dict]:
    """Return each item of the page with its choices, the chosen one marked, and its note."""
    rows = []
    for item in page.items:
        if posted is not None:
            chosen, note = posted["answers"].get(item.key, ""), posted["notes"].get(item.key, "")
        else:
            answer = saved.get(item.key)
            chosen = "" if answer is None else str(answer.scoring_value)
            note = answer.note if answer else ""
        choices = [(str(value), label) for value, label in enumerate(item.scale_labels)]
        choices.append(("dk", _("Don't know")))
        if item.allow_na:
            choices.append(("na", _("Not applicable")))
        rows.append({"item": item, "choices": choices, "chosen": chosen, "note": note})
    return rows


def _answer_page(request, response, *, base_url, user=None, by=None, extra=None):
    """Show and save one page of a draft; the last page submits it."""
    cycle = response.cycle
    pages = selectors.questionnaire_pages(cycle.questionnaire)
    finish = len(pages) + 1
    number = _page_number(request, finish)
    posted = None
    if request.method == "POST":
        action = request.POST.get("action", "next")
        answers = {k.removeprefix("answer-"): v for k, v in request.POST.items() if k.startswith("answer-")}
        notes = {k.removeprefix("note-"): v for k, v in request.POST.items() if k.startswith("note-")}
        role_group = request.POST.get("role_group") if number == finish and cycle.is_staff_survey else None
        try:
            responding.response_save_answers(
                response=response, answers=answers, notes=notes or None, role_group=role_group, by=by
            )
            if action == "submit":
                responding.response_submit(response=response, user=user)
                return None
        except ValidationError as error:
            messages.error(request, error.messages[0])
            posted = {"answers": answers, "notes": notes}
        else:
            if action == "save":
                messages.success(
                    request, _("Your answers are saved. You can come back to them later from this browser.")
                )
            elif action in {"next", "back"}:
                number = max(1, min(finish, number + (1 if action == "next" else -1)))
                return redirect(f"{base_url}?page={number}")
    saved = selectors.response_answers(response)
    context = {
        "cycle": cycle,
        "response": response,
        "pages": pages,
        "page_count": finish,
        "number": number,
        "page": pages[number - 1] if number <= len(pages) else None,
        "rows": _question_rows(pages[number - 1], saved, posted) if number <= len(pages) else [],
        "saved": saved,
        "posted": posted,
        "base_url": base_url,
        "missing": responding.missing_items(response) if number == finish else [],
        "role_group_choices": ROLE_GROUP_CHOICES,
        "progress": sum(1 for page in pages for item in page.items if item.key in saved),
        "item_count": sum(len(page.items) for page in pages),
        **(extra or {}),
    }
    return render(request, "assessment/respond.html", context, status=400 if posted else 200)


def _set_resume_cookie(response, secret):
    response.set_cookie(
        RESUME_COOKIE,
        secret,
        max_age=RESUME_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@never_cache
def respond(request, org_slug, cycle_id):
    membership = get_membership(request.user, org_slug)
    cycle = _cycle_for(membership, cycle_id)
    base_url = reverse("assessment:respond", args=[org_slug, cycle.id])
    extra = {"membership": membership, "organization": membership.organization}
    if cycle.is_staff_survey:
        draft = selectors.draft_for_secret(request.COOKIES.get(RESUME_COOKIE))
        if draft is None or draft.cycle_id != cycle.id or draft.link_id is not None:
            answered = Participation.objects.filter(cycle=cycle, user=request.user).exists()
            return render(request, "assessment/respond_start.html", {**extra, "cycle": cycle, "answered": answered})
        result = _answer_page(request, draft, base_url=base_url, user=request.user, extra=extra)
    else:
        if not membership.can_manage_cycles:
            raise Http404
        team = selectors.team_response(cycle)
        if team is None or team.is_submitted or not cycle.is_open:
            messages.info(request, _("This self-audit is not open for answers."))
            return redirect(membership.organization)
        result = _answer_page(request, team, base_url=base_url, user=request.user, by=request.user, extra=extra)
    if result is None:
        messages.success(request, _("Thank you. Your answers are submitted."))
        response = redirect(membership.organization)
        response.delete_cookie(RESUME_COOKIE)
        return response
    return result


@require_POST
def respond_start(request, org_slug, cycle_id):
    membership = get_membership(request.user, org_slug)
    cycle = _cycle_for(membership, cycle_id)
    try:
        _, secret = responding.member_response_start(cycle=cycle, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(membership.organization)
    return _set_resume_cookie(redirect("assessment:respond", org_slug, cycle.id), secret)


@login_not_required
@never_cache
def link_landing(request, token):
    link = links.link_for_token(token)
    if request.method == "POST":
        try:
            _, secret = links.link_redeem(token=token)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            return _set_resume_cookie(redirect("assessment:link_continue"), secret)
    status = 200 if link else 404
    return render(request, "assessment/link_landing.html", {"link": link, "cycle": link and link.cycle}, status=status)


@login_not_required
@never_cache
def link_continue(request):
    draft = selectors.draft_for_secret(request.COOKIES.get(RESUME_COOKIE))
    if draft is None or draft.link_id is None:
        return render(request, "assessment/link_nothing.html", status=404)
    result = _answer_page(request, draft, base_url=reverse("assessment:link_continue"))
    if result is None:
        response = redirect("assessment:link_thanks")
        response.delete_cookie(RESUME_COOKIE)
        return response
    return result


@login_not_required
def link_thanks(request):
    return render(request, "assessment/link_thanks.html")
