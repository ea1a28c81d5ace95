"""The one place that decides who may see which organization."""

from django.db import models
from django.http import Http404

from accounts.models import Coalition, CoalitionMembership, Membership

Role = Membership.Role


def get_membership(user, org_slug: str, min_role: Role = Role.STAFF) -> Membership:
    """Return the user's membership of the organization with at least ``min_role``, or 404.

    Outsiders and members below the role get the same 404, so an organization's existence
    is not revealed to anyone outside it.
    """
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("organization").filter(user=user, organization__slug=org_slug).first()
    )
    if membership is None or not membership.role_enum.includes(min_role):
        raise Http404
    return membership


def user_memberships(user) -> list[Membership]:
    """Return the user's memberships, organizations loaded, by organization name."""
    if not user.is_authenticated:
        return []
    return list(Membership.objects.select_related("organization").filter(user=user).order_by("organization__name"))


def user_must_set_up_mfa(user) -> bool:
    """Return whether an organization requires MFA of this user and none is set up."""
    if not user.is_authenticated:
        return False
    requires = Membership.objects.filter(
        user=user,
        organization__require_mfa=True,
        role__in=[Role.ADMIN, Role.LEAD],
    ).exists()
    if not requires:
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def get_coalition(slug: str) -> Coalition:
    coalition = Coalition.objects.filter(slug=slug).first()
    if coalition is None:
        raise Http404
    return coalition


def is_steward(user, coalition: Coalition) -> bool:
    return user.is_authenticated and coalition.stewards.filter(pk=user.pk).exists()


def coalition_member_memberships(user, coalition: Coalition) -> list[Membership]:
    """Return the user's memberships of organizations that are active members of the coalition."""
    if not user.is_authenticated:
        return []
    active = CoalitionMembership.objects.filter(coalition=coalition, withdrawn_at=None).values("organization_id")
    return list(
        Membership.objects.select_related("organization")
        .filter(user=user, organization_id__in=active)
        .order_by("organization__name")
    )


def get_coalition_for_user(user, slug: str) -> tuple[Coalition, bool, list[Membership]]:
    """Return the coalition, whether the user stewards it, and their member organizations; else 404.

    Members of member organizations who may read their organization's reports see the
    coalition's published figures; stewards see who is a member, never a member's scores.
    """
    coalition = get_coalition(slug)
    steward = is_steward(user, coalition)
    memberships = [m for m in coalition_member_memberships(user, coalition) if m.can_view_reports]
    if not steward and not memberships:
        raise Http404
    return coalition, steward, memberships


def get_coalition_for_steward(user, slug: str) -> Coalition:
    coalition = get_coalition(slug)
    if not is_steward(user, coalition):
        raise Http404
    return coalition


def user_coalitions(user) -> list[Coalition]:
    """Return the coalitions the user stewards or whose member organizations they belong to."""
    if not user.is_authenticated:
        return []
    member_orgs = (
        Membership.objects.filter(user=user)
        .filter(models.Q(role__in=[Role.ADMIN, Role.LEAD]) | models.Q(organization__staff_can_view_reports=True))
        .values("organization_id")
    )
    return list(
        Coalition.objects.filter(
            models.Q(stewards=user)
            | models.Q(memberships__organization_id__in=member_orgs, memberships__withdrawn_at=None)
        )
        .distinct()
        .order_by("name")
    )
