from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts import services
from accounts.access import get_membership, organization_context
from accounts.audit import audit_entries
from accounts.forms import InvitationForm, OrganizationForm, OrganizationSettingsForm, RoleForm
from accounts.models import AuditEvent, Invitation, Membership
from accounts.refusals import refusal_shown

Role = Membership.Role


@login_not_required
@require_POST
def language_set(request):
    """Change the language of this browser and, for a signed-in person, of the emails they get."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def org_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.organization_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("%(name)s is ready. You are its admin.") % {"name": organization.name})
        return redirect(organization)
    return render(request, "accounts/org_create.html", {"form": form})


def org_members(request, org_slug):
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    organization = membership.organization
    context = {
        "membership": membership,
        "organization": organization,
        "members": organization.memberships.select_related("user").order_by("user__email"),
        "invitations": [i for i in organization.invitations.filter(accepted_at=None) if i.is_pending],
        "invitation_form": InvitationForm(),
        "roles": Role.choices,
        "audit_entries": audit_entries(
            AuditEvent.objects.filter(organization=organization).select_related("actor", "organization")[:50]
        ),
    }
    return render(request, "accounts/org_members.html", context)


@require_POST
def invitation_create(request, org_slug):
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address and role."))
        return redirect("accounts:org_members", org_slug=org_slug)
    with refusal_shown(request) as refused:
        services.invitation_create(
            organization=membership.organization,
            by=request.user,
            accept_url_for=lambda token: request.build_absolute_uri(
                reverse("accounts:invitation_accept", args=[token])
            ),
            **form.cleaned_data,
        )
    if not refused:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("accounts:org_members", org_slug=org_slug)


@require_POST
def invitation_revoke(request, org_slug, invitation_id):
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    invitation = get_object_or_404(Invitation, id=invitation_id, organization=membership.organization)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("accounts:org_members", org_slug=org_slug)


@require_POST
def member_change_role(request, org_slug, membership_id):
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    target = get_object_or_404(Membership, id=membership_id, organization=membership.organization)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose admin, lead or staff."))
        return redirect("accounts:org_members", org_slug=org_slug)
    with refusal_shown(request) as refused:
        services.membership_change_role(membership=target, role=form.cleaned_data["role"], by=request.user)
    if not refused:
        messages.success(request, _("Role updated for %(email)s.") % {"email": target.user.email})
    return redirect("accounts:org_members", org_slug=org_slug)


def member_remove(request, org_slug, membership_id):
    """Remove a member (or leave) after a confirmation page; a GET only shows what it means."""
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    target = get_object_or_404(
        Membership.objects.select_related("user"), id=membership_id, organization=membership.organization
    )
    if request.method != "POST":
        context = organization_context(
            membership,
            target=target,
            is_self=target.user_id == request.user.id,
            cancel_url=reverse("accounts:org_members", args=[org_slug]),
        )
        return render(request, "accounts/member_remove.html", context)
    with refusal_shown(request) as refused:
        services.membership_remove(membership=target, by=request.user)
    if refused:
        return redirect("accounts:org_members", org_slug=org_slug)
    messages.success(request, _("%(email)s was removed.") % {"email": target.user.email})
    if target.user_id == request.user.id:
        return redirect("landing")
    return redirect("accounts:org_members", org_slug=org_slug)


def org_settings(request, org_slug):
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    form = OrganizationSettingsForm(request.POST or None, instance=membership.organization)
    if request.method == "POST" and form.is_valid():
        services.organization_update(
            organization=membership.organization,
            by=request.user,
            changes={name: form.cleaned_data[name] for name in form.changed_data},
        )
        messages.success(request, _("Settings saved."))
        return redirect("accounts:org_settings", org_slug=org_slug)
    return render(request, "accounts/org_settings.html", organization_context(membership, form=form))


@login_not_required
def invitation_accept(request, token):
    invitation = services.invitation_for_token(token)
    if request.method == "POST" and request.user.is_authenticated:
        with refusal_shown(request) as refused:
            membership = services.invitation_accept(token=token, user=request.user)
        if not refused:
            messages.success(request, _("Welcome to %(name)s.") % {"name": membership.organization.name})
            return redirect(membership.organization)
    status = 200 if invitation else 404
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "token": token}, status=status)


def org_delete(request, org_slug):
    """Delete the organization and all its data after a confirmation page naming what goes."""
    membership = get_membership(request.user, org_slug, min_role=Role.ADMIN)
    organization = membership.organization
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() == organization.name:
            services.organization_delete(organization=organization)
            messages.success(request, _("%(name)s and all its data were deleted.") % {"name": organization.name})
            return redirect("landing")
        messages.error(request, _("Type the organization's name exactly to confirm deleting it."))
    context = {
        "membership": membership,
        "organization": organization,
        "cancel_url": reverse("accounts:org_settings", args=[org_slug]),
    }
    return render(request, "accounts/org_delete.html", context, status=400 if request.method == "POST" else 200)


@reauthentication_required(allow_get=True)
def account_delete(request):
    blockers = services.organizations_only_administered_by(request.user)
    if request.method == "POST":
        if request.POST.get("confirm") != "delete":
            messages.error(request, _("Tick the box to confirm that you want to delete your account."))
        else:
            with refusal_shown(request) as refused:
                services.user_delete(user=request.user)
            if not refused:
                logout(request)
                messages.success(request, _("Your account is deleted."))
                return redirect("landing")
    context = {"blockers": blockers, "memberships": request.user.memberships.select_related("organization")}
    return render(request, "accounts/account_delete.html", context)
