"""Who may see which coalition. Organization access is decided by ``accounts.access``."""

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership
from coalitions.models import Coalition, CoalitionMembership
from coalitions.selectors import counted_memberships

Role = Membership.Role


def is_steward(user, coalition: Coalition) -> bool:
    return user.is_authenticated and coalition.stewards.filter(pk=user.pk).exists()


def coalition_member_memberships(user, coalition: Coalition) -> list[Membership]:
    """Return the user's memberships of organizations that are active members of the coalition,
    each with ``counts_in_coalition``: whether the organization is confirmed and so counts."""
    if not user.is_authenticated:
        return []
    active = CoalitionMembership.objects.filter(coalition=coalition, withdrawn_at=None).values("organization_id")
    counted = counted_memberships(coalition).filter(organization_id=models.OuterRef("organization_id"))
    return list(
        Membership.objects.select_related("organization")
        .filter(user=user, organization_id__in=active)
        .annotate(counts_in_coalition=models.Exists(counted))
        .order_by("organization__name")
    )


def get_coalition_for_user(user, slug: str) -> tuple[Coalition, bool, list[Membership]]:
    """Return the coalition, whether the user stewards it, and their member organizations; else 404.

    Members of member organizations who may read their organization's reports see the
    coalition's published figures; stewards see who is a member, never a member's scores.
    """
    coalition = get_object_or_404(Coalition, slug=slug)
    steward = is_steward(user, coalition)
    memberships = [m for m in coalition_member_memberships(user, coalition) if m.can_view_reports]
    if not steward and not memberships:
        raise Http404
    return coalition, steward, memberships


def get_coalition_for_steward(user, slug: str) -> Coalition:
    coalition = get_object_or_404(Coalition, slug=slug)
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
