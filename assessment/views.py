import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import throttle
from accounts.access import AuthenticatedHttpRequest, get_membership, organization_context
from accounts.models import Membership
from accounts.refusals import refusal_shown
from assessment import drafts, selectors
from assessment.feedback_views import feedback_link
from assessment.forms import (
    PAGE_CHOICE_MESSAGE,
    ROLE_GROUP_CHOICES,
    CycleForm,
    InvitationsForm,
    PageAnswersForm,
    RemindersForm,
    ScheduleForm,
)
from assessment.models import Cycle, CycleClosing, Participation, RespondentLink
from assessment.services import cycles, links, responding, schedules
from assessment.services.responding import StaffDraft
from config import reviews
from config.dates import long_date

Role = Membership.Role


def org_dashboard(request: AuthenticatedHttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request.user, org_slug)
    organization = membership.organization
    organization_cycles = selectors.organization_cycles(organization)
    latest = next((cycle for cycle in organization_cycles if cycle.is_reportable), None)
    open_cycles = [cycle for cycle in organization_cycles if cycle.is_open]
    context = {
        "membership": membership,
        "organization": organization,
        "calls": _calls_to_answer(request, membership, open_cycles),
        "progress": [
            (cycle, selectors.stepped_count(selectors.submitted_count(cycle), cycle.min_responses))
            for cycle in open_cycles
            if cycle.is_sealed
        ]
        if membership.can_manage_cycles
        else [],
        "schedule": schedules.schedule_states(organization, today=timezone.localdate())
        if membership.can_manage_cycles
        else [],
        "cycles": organization_cycles,
        "latest": latest,
        "latest_scores": selectors.cycle_score_rows(latest) if latest else [],
        "awaiting_lists": selectors.awaiting_invitation_lists(organization) if membership.is_admin else [],
    }
    return render(request, "assessment/org_dashboard.html", context)


def _calls_to_answer(request, membership, open_cycles) -> list[tuple[Cycle, str]]:
    """Return each open audit the member may answer, with where they stand: "answer", "finish" or "answered".

    Nothing on the server says who submitted (DECISIONS.md): a member who started a staff survey
    and holds no unfinished answers in this browser is taken to have answered. A self-audit stays
    open until its one shared answer is submitted.
    """
    staff_surveys = [cycle for cycle in open_cycles if cycle.is_staff_survey]
    started = selectors.cycles_started_by(request.user, staff_surveys) if staff_surveys else set()
    calls = []
    for cycle in open_cycles:
        if cycle.is_staff_survey:
            if cycle.pk not in started:
                calls.append((cycle, "answer"))
            else:
                calls.append((cycle, "finish" if drafts.read(request, cycle) is not None else "answered"))
        elif cycle.mode == Cycle.Mode.TEAM and membership.can_manage_cycles:
            calls.append((cycle, "answer"))
    return calls


def cycle_create(request: AuthenticatedHttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(request) as refused:
            cycle = cycles.cycle_create(
                organization=membership.organization,
                by=request.user,
                questionnaire=selectors.questionnaire_for_mode(form.cleaned_data["mode"]),
                **form.cleaned_data,
            )
        if not refused:
            if cycle.is_open:
                messages.success(request, _("“%(label)s” is open.") % {"label": cycle.label})
            else:
                text = _("“%(label)s” is scheduled: it opens on %(date)s. Nobody can answer it before then.")
                messages.success(request, text % {"label": cycle.label, "date": long_date(cycle.opens_on)})
            return redirect(cycle)
    questionnaires = [(label, selectors.questionnaire_for_mode(mode)) for mode, label in Cycle.Mode.choices]
    context = organization_context(
        membership,
        form=form,
        questionnaires=[(label, questionnaire) for label, questionnaire in questionnaires if questionnaire],
    )
    return render(request, "assessment/cycle_create.html", context)


def _cycle_for(membership, cycle_id) -> Cycle:
    cycle = get_object_or_404(
        Cycle.objects.select_related("questionnaire", "organization"), id=cycle_id, organization=membership.organization
    )
    cycle.questionnaire.in_language()
    return cycle


@never_cache
def cycle_detail(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    return render(request, "assessment/cycle_detail.html", _cycle_context(request, membership, cycle))


def _cycle_context(request, membership, cycle) -> dict:
    count = selectors.stepped_count(selectors.submitted_count(cycle), cycle.min_responses)
    return organization_context(
        membership,
        cycle=cycle,
        count=count,
        rate=selectors.response_rate(cycle, count),
        failed_deliveries=cycle.links.filter(delivery=RespondentLink.Delivery.FAILED).count(),
        reminders_form=RemindersForm(),
        invitations_form=InvitationsForm(),
        has_shared_link=selectors.has_shared_link(cycle),
        score_rows=selectors.cycle_score_rows(cycle) if cycle.is_reportable else [],
        oversight=selectors.invitation_oversight(membership.organization),
        # Admins see every list waiting for approval; a lead sees their own.
        awaiting_lists=[
            awaiting
            for awaiting in selectors.awaiting_invitation_lists(membership.organization, cycle=cycle)
            if membership.is_admin or awaiting.requested_by_id == membership.user_id
        ],
        closing=CycleClosing.objects.filter(cycle=cycle, failure="").first() if cycle.is_open else None,
        feedback_url=feedback_link(request, cycle) if cycle.is_community_feedback else "",
        form_in_review=reviews.awaits_review(cycle.questionnaire.slug, cycle.questionnaire.version),
        open_refusal=cycles.staff_survey_refusal(organization_id=cycle.organization_id, today=timezone.localdate())
        if cycle.status == Cycle.Status.DRAFT and cycle.is_staff_survey
        else None,
    )


@require_POST
def cycle_open(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    with refusal_shown(request):
        cycles.cycle_open(cycle=cycle, by=request.user)
    return redirect(cycle)


def cycle_close(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    """Ask to confirm (GET), then close on the task queue (POST) and show its progress."""
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    closing = CycleClosing.objects.filter(cycle=cycle).first()
    if request.method != "POST":
        if not cycle.is_open:
            return redirect(cycle)
        if closing is not None and not closing.failure:
            return redirect("assessment:cycle_closing", org_slug, cycle.id)
        return render(request, "assessment/cycle_close.html", _cycle_context(request, membership, cycle))
    with refusal_shown(request) as refused:
        cycles.cycle_close_request(cycle=cycle, by=request.user)
    if refused:
        return redirect(cycle)
    return redirect("assessment:cycle_closing", org_slug, cycle.id)


@never_cache
def cycle_closing(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    """Show how closing an audit is going: waiting, running, done (with the way to its report) or stopped."""
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    closing = CycleClosing.objects.filter(cycle=cycle).first()
    if cycle.is_closed:
        state = "done"
    elif closing is None:
        state = "none"
    elif closing.failure:
        state = "failed"
    else:
        state = "running" if closing.started_at else "waiting"
    context = organization_context(
        membership,
        cycle=cycle,
        state=state,
        is_final=state in ("done", "failed", "none"),
        failure=(
            cycles.SEALS_UNREADABLE_MESSAGE
            if closing and closing.failure == CycleClosing.UNREADABLE
            else cycles.CLOSE_FAILED_MESSAGE
        ),
    )
    return render(request, "assessment/cycle_closing.html", context)


def cycle_delete(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    """Delete an audit and every answer in it after a confirmation page naming what goes."""
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    cycle = _cycle_for(membership, cycle_id)
    if request.method == "POST":
        if request.POST.get("confirm") == cycle.label:
            cycles.cycle_delete(cycle=cycle, by=request.user)
            messages.success(request, _("The audit and all its answers were deleted."))
            return redirect(membership.organization)
        messages.error(request, _("Type the audit's label exactly to confirm deleting it."))
    context = organization_context(
        membership,
        cycle=cycle,
        cancel_url=cycle.get_absolute_url(),
    )
    return render(request, "assessment/cycle_delete.html", context, status=400 if request.method == "POST" else 200)


@require_POST
def invitations_create(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    form = InvitationsForm(request.POST)
    addresses = links.parse_addresses(form.data.get("addresses", ""))
    try:
        invited = links.invitations_send(
            cycle=cycle, by=request.user, addresses=addresses, site_url=request.build_absolute_uri("/").rstrip("/")
        )
    except links.InvitationProblems as error:
        context = {**_cycle_context(request, membership, cycle), "invitations_form": form, "problems": error.problems}
        return render(request, "assessment/cycle_detail.html", context, status=400)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(cycle)
    if invited.awaiting_approval:
        text = ngettext(
            "%(n)s address waits for an admin other than you to approve it. Nobody is emailed until then.",
            "%(n)s addresses wait for an admin other than you to approve them. Nobody is emailed until then.",
            invited.count,
        )
    else:
        text = _sent_text(invited.count)
    messages.success(request, text % {"n": invited.count})
    return redirect(cycle)


def _sent_text(count: int) -> str:
    return ngettext(
        "%(n)s invitation is on its way. Nobody, you included, sees the link it carries.",
        "%(n)s invitations are on their way. Nobody, you included, sees the links they carry.",
        count,
    )


def _awaiting_list_for(cycle, list_id) -> selectors.AwaitingList:
    for awaiting in selectors.awaiting_invitation_lists(cycle.organization, cycle=cycle):
        if awaiting.id == str(list_id):
            return awaiting
    raise Http404


@never_cache
def invitations_review(
    request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID, list_id: uuid.UUID
) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    cycle = _cycle_for(membership, cycle_id)
    awaiting = _awaiting_list_for(cycle, list_id)
    # The addresses and who asked, nothing else: no count of answers, nothing of who started.
    context = organization_context(
        membership,
        cycle=cycle,
        awaiting=awaiting,
        addresses=selectors.awaiting_invitation_addresses(cycle, list_id),
        is_own=awaiting.requested_by_id == request.user.pk,
    )
    return render(request, "assessment/invitations_review.html", context)


@require_POST
def invitations_approve(
    request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID, list_id: uuid.UUID
) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    cycle = _cycle_for(membership, cycle_id)
    _awaiting_list_for(cycle, list_id)
    with refusal_shown(request) as refused:
        sent = links.invitations_approve(
            cycle=cycle, list_id=list_id, by=request.user, site_url=request.build_absolute_uri("/").rstrip("/")
        )
    if refused:
        return redirect("assessment:invitations_review", org_slug, cycle.id, list_id)
    messages.success(request, _sent_text(sent) % {"n": sent})
    return redirect(cycle)


@require_POST
def invitations_refuse(
    request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID, list_id: uuid.UUID
) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    awaiting = _awaiting_list_for(cycle, list_id)
    if not membership.is_admin and awaiting.requested_by_id != request.user.pk:
        raise Http404
    with refusal_shown(request) as refused:
        count = links.invitations_refuse(cycle=cycle, list_id=list_id, by=request.user)
    if not refused:
        messages.success(
            request,
            ngettext(
                "The list of %(n)s address is deleted. Nobody was emailed.",
                "The list of %(n)s addresses is deleted. Nobody was emailed.",
                count,
            )
            % {"n": count},
        )
    return redirect(cycle)


@require_POST
def reminders_create(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    form = RemindersForm(request.POST)
    message = form.data.get("message", "")
    with refusal_shown(request) as refused:
        invitees, members = links.reminders_send(
            cycle=cycle, by=request.user, message=message, site_url=request.build_absolute_uri("/").rstrip("/")
        )
    if not refused:
        # In steps of the minimum, like the count of answers: exact numbers of who has not
        # started would tell how many have.
        invited, reminded_members = (
            ngettext("fewer than %(n)s invited address", "fewer than %(n)s invited addresses", invitees.step)
            % {"n": invitees.step}
            if invitees.below_minimum
            else ngettext("%(n)s or more invited address", "%(n)s or more invited addresses", invitees.at_least)
            % {"n": invitees.at_least},
            ngettext("fewer than %(n)s member", "fewer than %(n)s members", members.step) % {"n": members.step}
            if members.below_minimum
            else ngettext("%(n)s or more member", "%(n)s or more members", members.at_least) % {"n": members.at_least},
        )
        messages.success(
            request,
            _("Reminders are on their way: %(invitees)s, %(members)s.")
            % {"invitees": invited, "members": reminded_members},
        )
    return redirect(cycle)


def calendar(request: AuthenticatedHttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    organization = membership.organization
    existing = {s.mode: s for s in organization.schedules.all()}
    forms: dict[str, ScheduleForm] = {
        mode: ScheduleForm(
            request.POST if request.POST.get("mode") == mode else None,
            prefix=mode,
            initial={
                "month": getattr(existing.get(mode), "month", 3),
                "weeks": getattr(existing.get(mode), "weeks", 4),
            },
        )
        for mode in (Cycle.Mode.STAFF, Cycle.Mode.TEAM)
    }
    mode = request.POST.get("mode")
    if request.method == "POST" and mode in forms and forms[mode].is_valid():
        schedules.schedule_set(organization=organization, by=request.user, mode=mode, **forms[mode].cleaned_data)
        messages.success(request, _("The audit calendar is saved."))
        return redirect("assessment:calendar", org_slug=organization.slug)
    context = {
        "membership": membership,
        "organization": organization,
        # Community feedback has no yearly calendar: an organization asks when it chooses.
        "forms": [(value, label, forms[value]) for value, label in Cycle.Mode.choices if value in forms],
    }
    return render(request, "assessment/calendar.html", context)


@require_POST
def cycle_open_next(request: AuthenticatedHttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    mode = request.POST.get("mode", "")
    if mode not in Cycle.Mode.values:
        raise Http404
    with refusal_shown(request) as refused:
        cycle = schedules.cycle_open_next(
            organization=membership.organization, by=request.user, mode=mode, today=timezone.localdate()
        )
    if refused:
        return redirect(membership.organization)
    messages.success(request, _("“%(label)s” is open, with last time's settings.") % {"label": cycle.label})
    return redirect(cycle)


@require_POST
@never_cache
def links_create(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.LEAD)
    cycle = _cycle_for(membership, cycle_id)
    with refusal_shown(request) as refused:
        token = links.shared_link_create(cycle=cycle, by=request.user)
    if refused:
        return redirect(cycle)
    url = request.build_absolute_uri(reverse("assessment:link_landing", args=[token]))
    context = organization_context(membership, cycle=cycle, url=url)
    return render(request, "assessment/shared_link.html", context)


# Answering


def _page_number(request, last: int) -> int | None:
    """Return the page asked for, or None where none was: then the respondent resumes."""
    raw = request.POST.get("page") or request.GET.get("page")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= last:
        raise Http404
    return int(raw)


def _resume_page(pages, saved) -> int:
    """Return the first page with a question not answered yet, or the finish page."""
    for page in pages:
        if any(item.key not in saved for item in page.items):
            return page.number
    return len(pages) + 1


def _page_context(cycle, *, number, pages, form, store, base_url) -> dict:
    finish = len(pages) + 1
    saved = store.saved()
    return {
        "cycle": cycle,
        "pages": pages,
        "page_count": finish,
        "number": number,
        "page": pages[number - 1] if number <= len(pages) else None,
        "rows": form.rows,
        "base_url": base_url,
        "missing": store.missing() if number == finish else [],
        "role_group": form.shown("role_group"),
        "role_group_choices": ROLE_GROUP_CHOICES,
        "progress": sum(1 for page in pages for item in page.items if item.key in saved),
        "item_count": sum(len(page.items) for page in pages),
    }


def _language_changed(request, base_url, number):
    """Return to the same page in the language chosen at its foot, the answers already saved.

    The choice is kept in this browser's language cookie only, never with the answers: in a small
    team, a language could single a person out.
    """
    page = redirect(f"{base_url}?page={number}")
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        page.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return page


def _next_page(base_url, number, finish, action):
    number = max(1, min(finish, number + (1 if action == "next" else -1)))
    return redirect(f"{base_url}?page={number}")


def _chosen_page(request, finish) -> int | None:
    """Return the page a step of the page list asks for, or None when the value is not a page."""
    raw = request.POST.get("goto", "")
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= finish:
        return int(raw)
    return None


class _TeamAnswers:
    """The leadership self-audit's one shared response, saved page by page with evidence notes."""

    with_notes = True

    def __init__(self, response, user):
        self.response, self.user = response, user
        self.role_group = ""

    def saved(self) -> dict[str, tuple[str, str]]:
        return {key: (str(a.scoring_value), a.note) for key, a in selectors.response_answers(self.response).items()}

    def missing(self) -> list:
        return responding.missing_items(self.response)

    def save(self, *, answers, notes, role_group) -> None:
        responding.response_save_answers(response=self.response, answers=answers, notes=notes or None, by=self.user)

    def submit(self) -> None:
        responding.response_submit(response=self.response, user=self.user)

    def saved_message(self) -> str:
        return _("Your answers are saved. You can come back to them later.")

    def kept(self, page):
        return page


class _StaffAnswers:
    """A staff survey draft, checked on every save and kept sealed in the respondent's browser."""

    with_notes = False

    def __init__(self, cycle, draft: StaffDraft):
        self.cycle, self.draft = cycle, draft

    @property
    def role_group(self) -> str:
        return self.draft.role_group

    def saved(self) -> dict[str, tuple[str, str]]:
        return {key: (value, "") for key, value in self.draft.answers.items()}

    def missing(self) -> list:
        return responding.staff_draft_missing(self.cycle, self.draft)

    def save(self, *, answers, notes, role_group) -> None:
        self.draft = responding.staff_draft_save(
            cycle=self.cycle, draft=self.draft, answers=answers, role_group=role_group, notes=notes
        )

    def submit(self) -> None:
        responding.staff_draft_submit(cycle=self.cycle, draft=self.draft)

    def saved_message(self) -> str:
        return _("Your answers are saved in this browser. Open the same page, or your link, in this browser to finish.")

    def kept(self, page):
        """Return the page with the draft cookie brought up to date."""
        return drafts.write(page, self.cycle, self.draft)


def _answers_form(cycle, pages, number, store, data=None) -> PageAnswersForm:
    items = pages[number - 1].items if number <= len(pages) else []
    shown = {item.key for item in items}
    saved = store.saved()
    initial = {f"answer-{key}": value for key, (value, _note) in saved.items()}
    initial.update({f"note-{key}": note for key, (_value, note) in saved.items()})
    initial["role_group"] = store.role_group
    return PageAnswersForm(
        cycle.questionnaire,
        items,
        other_items=[item for page in pages for item in page.items if item.key not in shown],
        data=data,
        initial=initial,
        with_notes=store.with_notes,
        role_groups=cycle.is_staff_survey and number == len(pages) + 1,
    )


def _answer_page(request, cycle, store, *, base_url, extra=None):
    """Show and save one page of answers; the finish page submits them.

    Returns None once submitted; otherwise the page, or the redirect to the next one.
    """
    pages = selectors.questionnaire_pages(cycle.questionnaire)
    finish = len(pages) + 1
    number = _page_number(request, finish) or _resume_page(pages, store.saved())
    form = _answers_form(cycle, pages, number, store, data=request.POST if request.method == "POST" else None)
    refused = False
    if form.is_bound:
        # Every way off the page (the next and previous buttons, a step of the page list, the
        # language choice) posts the page's answers, so leaving never loses what was typed.
        action = "goto" if "goto" in request.POST else request.POST.get("action", "next")
        with refusal_shown(request) as refusal:
            if not form.is_valid():
                raise ValidationError(form.first_error)
            store.save(answers=form.answers, notes=form.notes, role_group=form.role_group)
            if action == "submit":
                store.submit()
                return None
        if refusal:
            refused = True
        else:
            if action == "language":
                return store.kept(_language_changed(request, base_url, number))
            if action in {"next", "back"}:
                return store.kept(_next_page(base_url, number, finish, action))
            if action == "goto":
                chosen = _chosen_page(request, finish)
                if chosen is not None:
                    return store.kept(redirect(f"{base_url}?page={chosen}"))
                messages.error(request, PAGE_CHOICE_MESSAGE)
                refused = True
            if action == "save":
                messages.success(request, store.saved_message())
            form = _answers_form(cycle, pages, number, store)
    context = {
        **_page_context(cycle, number=number, pages=pages, form=form, store=store, base_url=base_url),
        **(extra or {}),
    }
    return store.kept(render(request, "assessment/respond.html", context, status=400 if refused else 200))


@never_cache
def respond(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug)
    cycle = _cycle_for(membership, cycle_id)
    base_url = reverse("assessment:respond", args=[org_slug, cycle.id])
    extra = organization_context(membership)
    if cycle.is_community_feedback:
        raise Http404  # answered by the people served, through its public link
    if cycle.is_staff_survey:
        draft = drafts.read(request, cycle)
        if draft is None:
            started = Participation.objects.filter(cycle=cycle, user=request.user).exists()
            return render(request, "assessment/respond_start.html", {**extra, "cycle": cycle, "started": started})
        result = _answer_page(request, cycle, _StaffAnswers(cycle, draft), base_url=base_url, extra=extra)
        if result is None:
            messages.success(request, _("Thank you. Your answers are submitted."))
            return drafts.clear(redirect(membership.organization), draft)
        return result
    if not membership.can_manage_cycles:
        raise Http404
    team = selectors.team_response(cycle)
    if team is None or team.is_submitted or not cycle.is_open:
        if cycle.is_scheduled:
            messages.info(request, responding.cycle_not_open_message(cycle))
        else:
            messages.info(request, _("This self-audit is not open for answers."))
        return redirect(membership.organization)
    result = _answer_page(request, cycle, _TeamAnswers(team, request.user), base_url=base_url, extra=extra)
    if result is None:
        messages.success(request, _("Thank you. Your answers are submitted."))
        return redirect(membership.organization)
    return result


@require_POST
def respond_start(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug)
    cycle = _cycle_for(membership, cycle_id)
    if drafts.read(request, cycle) is not None:
        return redirect("assessment:respond", org_slug, cycle.id)
    with refusal_shown(request) as refused:
        draft = responding.member_response_start(cycle=cycle, user=request.user)
    if refused:
        return redirect(membership.organization)
    return drafts.write(redirect("assessment:respond", org_slug, cycle.id), cycle, draft)


@login_not_required
@never_cache
def link_landing(request: HttpRequest, token: str) -> HttpResponse:
    link = links.link_for_token(token)
    # Unfinished answers in this browser always win over starting again. A single-use link is
    # spent when its respondent starts, so without a usable link any draft here is theirs.
    held = drafts.read_link(request, link.cycle) if link else drafts.link_draft(request)[1]
    if held is not None:
        return redirect("assessment:link_continue")
    if request.method == "POST":
        if throttle.is_limited(request, "link-start", scope=token):
            return render(request, "assessment/throttled.html", status=429)
        with refusal_shown(request) as refused:
            cycle, draft = links.link_redeem(token=token)
        if not refused:
            return drafts.write(redirect("assessment:link_continue"), cycle, draft)
    status = 200 if link else 404
    context = {"link": link, "cycle": link and link.cycle}
    return render(request, "assessment/link_landing.html", context, status=status)


@login_not_required
@never_cache
def link_continue(request: HttpRequest) -> HttpResponse:
    cycle, draft = drafts.link_draft(request)
    if cycle is None or draft is None:
        return render(request, "assessment/link_nothing.html", status=404)
    submitting = request.method == "POST" and request.POST.get("action") == "submit"
    if submitting and throttle.is_limited(request, "link-submit", scope=str(cycle.pk)):
        return render(request, "assessment/throttled.html", status=429)
    result = _answer_page(request, cycle, _StaffAnswers(cycle, draft), base_url=reverse("assessment:link_continue"))
    if result is None:
        return drafts.clear(redirect("assessment:link_thanks"), draft)
    return result


@login_not_required
def link_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "assessment/link_thanks.html")
