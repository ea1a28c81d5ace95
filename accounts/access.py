"""The one place that decides who may see which organization (coalitions: ``coalitions.access``)."""

from django.db.models import F
from django.http import Http404, HttpRequest

from accounts.models import Membership, User

Role = Membership.Role


class AuthenticatedHttpRequest(HttpRequest):
    """A request that ``LoginRequiredMiddleware`` let through: its user is signed in.

    For annotating views (every view not marked ``login_not_required``); no code makes one.
    """

    user: User


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


def organization_context(membership: Membership, **extra) -> dict:
    """Return a page's context within one organization: the reader's membership, the
    organization (which the site's header and menus read), and what else the page shows."""
    return {"membership": membership, "organization": membership.organization, **extra}


def user_memberships(user) -> list[Membership]:
    """Return the user's memberships, organizations loaded, by organization name."""
    if not user.is_authenticated:
        return []
    return list(Membership.objects.select_related("organization").filter(user=user).order_by("organization__name"))


MFA_RULE_SESSION_KEY = "ally_mfa_rule"


def session_mfa_requirement(request) -> str | None:
    """Return ``mfa_requirement`` for the signed-in person, decided once per session: the session
    keeps it with the person's ``mfa_rule_version``, which every change it depends on raises
    (``mfa_rule_changed``), so a request costs no query for it until something changes."""
    user = request.user
    if not user.is_authenticated:
        return None
    kept = request.session.get(MFA_RULE_SESSION_KEY)
    if isinstance(kept, list) and kept[:2] == [str(user.pk), user.mfa_rule_version]:
        return kept[2]
    requirement = mfa_requirement(user)
    request.session[MFA_RULE_SESSION_KEY] = [str(user.pk), user.mfa_rule_version, requirement]
    return requirement


def mfa_rule_changed(users) -> None:
    """Make every session of these people decide their two-factor requirement again.

    ``users`` holds their ids: a list, or a queryset of one column."""
    User.objects.filter(pk__in=users).update(mfa_rule_version=F("mfa_rule_version") + 1)


def mfa_requirement(user) -> str | None:
    """Return what an organization's two-factor rule asks of this user: None when it asks nothing,
    "set-up" when they have no authenticator yet, "verify" when they have one."""
    if not user.is_authenticated:
        return None
    requires = Membership.objects.filter(
        user=user,
        organization__require_mfa=True,
        role__in=[Role.ADMIN, Role.LEAD],
    ).exists()
    if not requires:
        return None
    from allauth.mfa.models import Authenticator

    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return "verify" if has_totp else "set-up"
