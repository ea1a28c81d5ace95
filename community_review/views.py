"""The pages of a community review: the invitation, the reviewer's page, and the organization's
controls (ask, record payment, end). A reviewer sees their review and nothing else of the
organization: every other page of it answers them 404, as it does any outsider."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, get_membership, organization_context
from accounts.models import Membership
from accounts.refusals import refusal_shown
from assessment.models import Cycle
from community_review import selectors, services
from community_review.forms import InviteForm, MarksForm, ReviewerForm
from community_review.models import Review

Role = Membership.Role
Side = Review.Side


def _cycle_url(review: Review) -> str:
    return reverse("assessment:cycle_detail", args=[review.cycle.organization.slug, review.cycle_id])


@require_POST
def review_invite(request: AuthenticatedHttpRequest, org_slug: str, cycle_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    cycle = get_object_or_404(Cycle, id=cycle_id, organization=membership.organization)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the reviewer's email address and the language of the invitation."))
        return redirect(cycle)
    with refusal_shown(request) as refused:
        services.review_invite(
            cycle=cycle,
            by=request.user,
            accept_url_for=lambda token: request.build_absolute_uri(
                reverse("community_review:invitation", args=[token])
            ),
            **form.cleaned_data,
        )
    if not refused:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect(cycle)


def _organization_review(request, org_slug: str, review_id: uuid.UUID) -> tuple[Membership, Review]:
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    review = get_object_or_404(
        Review.objects.select_related("cycle__organization"), id=review_id, cycle__organization=membership.organization
    )
    return membership, review


def review_end(request: AuthenticatedHttpRequest, org_slug: str, review_id: uuid.UUID) -> HttpResponse:
    """End a review or withdraw its invitation, for the organization, after a confirmation page."""
    membership, review = _organization_review(request, org_slug, review_id)
    if request.method != "POST":
        if review.status not in Review.OPEN:
            raise Http404
        context = organization_context(membership, review=review, side=Side.ORGANIZATION, cancel_url=_cycle_url(review))
        return render(request, "community_review/review_end.html", context)
    with refusal_shown(request) as refused:
        services.review_end(review=review, by=request.user, side=Side.ORGANIZATION)
    if not refused:
        messages.success(request, _("The community review has ended."))
    return redirect(_cycle_url(review))


@require_POST
def review_paid(request: AuthenticatedHttpRequest, org_slug: str, review_id: uuid.UUID) -> HttpResponse:
    _membership, review = _organization_review(request, org_slug, review_id)
    if request.POST.get("paid") not in ("yes", "no"):
        messages.error(request, _("Choose yes or no."))
        return redirect(_cycle_url(review))
    with refusal_shown(request) as refused:
        services.review_paid_set(review=review, by=request.user, paid=request.POST["paid"] == "yes")
    if not refused:
        messages.success(request, _("Payment recorded."))
    return redirect(_cycle_url(review))


@login_not_required
@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's page: what the reviewer will see, and a choice to accept or decline."""
    review = services.review_for_token(token)
    form = ReviewerForm(request.POST or None)
    if request.method == "POST" and review is not None:
        if request.POST.get("answer") == "decline":
            with refusal_shown(request) as refused:
                services.review_decline(token=token)
            if not refused:
                return render(request, "community_review/declined.html", {"organization": review.cycle.organization})
        elif request.user.is_authenticated and form.is_valid():
            with refusal_shown(request) as refused:
                accepted = services.review_accept(token=token, user=request.user, **form.cleaned_data)
            if not refused:
                messages.success(request, _("Thank you. Here is the self-audit to review."))
                return redirect("community_review:review", review_id=accepted.pk)
        review = services.review_for_token(token)
    context = {"review": review, "token": token, "form": form}
    return render(request, "community_review/invitation.html", context, status=200 if review else 404)


@never_cache
def review(request: AuthenticatedHttpRequest, review_id: uuid.UUID) -> HttpResponse:
    """The reviewer's page: every checklist entry, to mark; saved as often as they like, then submitted."""
    found = selectors.reviewer_review(request.user, review_id)
    if found is None:
        raise Http404
    shown = selectors.review_view(found)
    form = MarksForm(request.POST or None, instance=found, entries=shown.entries)
    if request.method == "POST" and not found.is_editable:
        messages.error(request, str(services.CLOSED_MESSAGE))
        return redirect("community_review:review", review_id=found.pk)
    if request.method == "POST":
        if form.is_valid():
            submit = request.POST.get("submit") == "1"
            with refusal_shown(request) as refused:
                saved = services.review_save(
                    review=found,
                    by=request.user,
                    marks=form.marks(),
                    reviewer_organization=form.cleaned_data["reviewer_organization"],
                    named=form.cleaned_data["named"],
                    submit=submit,
                )
            if not refused:
                if saved.status == Review.Status.SUBMITTED:
                    messages.success(request, _("Your review was sent to the organization. Thank you."))
                elif submit:
                    messages.error(request, str(services.INCOMPLETE_MESSAGE))
                else:
                    messages.success(request, _("Saved. You can come back and finish later."))
                return redirect("community_review:review", review_id=found.pk)
        else:
            messages.error(request, _("Some answers need another look. Nothing you typed was lost."))
    context = {"shown": shown, "review": found, "form": form, "organization_name": found.cycle.organization.name}
    return render(request, "community_review/review.html", context)


@never_cache
def review_leave(request: AuthenticatedHttpRequest, review_id: uuid.UUID) -> HttpResponse:
    """End a review, for its reviewer, after a confirmation page."""
    found = selectors.reviewer_review(request.user, review_id)
    if found is None:
        raise Http404
    if request.method != "POST":
        context = {
            "review": found,
            "side": Side.REVIEWER,
            "cancel_url": reverse("community_review:review", args=[found.pk]),
        }
        return render(request, "community_review/review_end.html", context)
    with refusal_shown(request) as refused:
        services.review_end(review=found, by=request.user, side=Side.REVIEWER)
    if not refused:
        messages.success(request, _("You ended the review. The organization can no longer ask you about it here."))
    return redirect("landing")
