"""Writes that touch people, organizations, memberships and invitations."""

from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.audit import check_facts
from accounts.emails import render_email
from accounts.models import AuditEvent, Invitation, Membership, Organization, User
from accounts.tokens import hash_token, new_token

Role = Membership.Role
Action = AuditEvent.Action

INVITATION_LIFETIME = timedelta(days=14)

LAST_ADMIN_MESSAGE = _("An organization needs at least one admin. Make someone else admin first.")
ALREADY_MEMBER_MESSAGE = _("This person is already a member of the organization.")
INVITATION_INVALID_MESSAGE = _("This invitation is not valid. It may have expired or been used already.")
INVITATION_WRONG_EMAIL_MESSAGE = _(
    "This invitation was sent to another email address. Log in with that address to accept it."
)


def audit(*, organization: Organization, actor: User | None, action: str, data: dict | None = None) -> AuditEvent:
    """Record a sensitive action for the organization's admins to see.

    ``data`` holds facts under keys: ids, counts, flags, dates and keys such as a role or a
    practice; never an address, a name or anything else typed (``accounts.audit.check_facts``
    refuses them). ``accounts.audit`` words an event in the reader's language when it is read,
    finding names and addresses by id, so a deleted account leaves nothing behind.
    """
    check_facts(data or {})
    return AuditEvent.objects.create(organization=organization, actor=actor, action=action, data=data or {})


def unique_slug(model: type[models.Model], name: str, fallback: str) -> str:
    """Return a slug for ``name`` that no row of ``model`` uses yet."""
    base = slugify(name)[:50] or fallback
    slug, counter = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


@transaction.atomic
def organization_create(*, user: User, name: str, sector: str, region: str = "", size_band: str = "") -> Organization:
    """Create an organization with ``user`` as its first admin."""
    organization = Organization.objects.create(
        name=name,
        slug=unique_slug(Organization, name, "organization"),
        sector=sector,
        region=region,
        size_band=size_band,
    )
    Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
    audit(organization=organization, actor=user, action=Action.ORG_CREATED)
    return organization


def organization_update(*, organization: Organization, by: User, changes: dict) -> Organization:
    """Save the changed settings and record which ones changed."""
    if not changes:
        return organization
    with transaction.atomic():
        for name, value in changes.items():
            setattr(organization, name, value)
        organization.save(update_fields=list(changes))
        audit(organization=organization, actor=by, action=Action.SETTINGS_CHANGED, data={"fields": list(changes)})
    return organization


@transaction.atomic
def organization_delete(*, organization: Organization) -> None:
    """Delete the organization and everything that belongs to it: members, audits, answers, reports."""
    organization.delete()


def _other_admins_exist(membership: Membership) -> bool:
    return (
        Membership.objects.select_for_update()
        .filter(organization=membership.organization, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Give the member a new role; the last admin cannot lose theirs."""
    role = Role(role)
    if membership.role == role:
        return membership
    if membership.is_admin and not _other_admins_exist(membership):
        raise ValidationError(LAST_ADMIN_MESSAGE)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        organization=membership.organization,
        actor=by,
        action=Action.ROLE_CHANGED,
        data={"user": str(membership.user_id), "previous": previous, "role": role.value},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member; the last admin cannot be removed."""
    if membership.is_admin and not _other_admins_exist(membership):
        raise ValidationError(LAST_ADMIN_MESSAGE)
    audit(
        organization=membership.organization,
        actor=by,
        action=Action.MEMBER_REMOVED,
        data={"user": str(membership.user_id)},
    )
    membership.delete()


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, by: User, accept_url_for: Callable[[str], str]
) -> tuple[Invitation, str]:
    """Create an invitation, email its link and return it with the one-time token.

    ``accept_url_for`` turns the token into an absolute URL; only its hash is stored.
    """
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(ALREADY_MEMBER_MESSAGE)
    token = new_token()
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=Role(role),
        token_hash=hash_token(token),
        invited_by=by,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    audit(
        organization=organization,
        actor=by,
        action=Action.MEMBER_INVITED,
        data={"invitation": str(invitation.pk), "role": role},
    )
    context = {"organization": organization, "invitation": invitation, "url": accept_url_for(token), "inviter": by}
    message = render_email("accounts/email/invitation", email, context)
    transaction.on_commit(message.send)
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    """Delete a pending invitation so its link stops working."""
    audit(
        organization=invitation.organization,
        actor=by,
        action=Action.INVITATION_REVOKED,
        data={"invitation": str(invitation.pk), "role": invitation.role},
    )
    invitation.delete()


def invitation_for_token(token: str) -> Invitation | None:
    """Return the pending invitation the token opens, or None."""
    invitation = Invitation.objects.select_related("organization").filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Redeem the invitation for the logged-in user whose email it was sent to."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise ValidationError(INVITATION_INVALID_MESSAGE)
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(INVITATION_WRONG_EMAIL_MESSAGE)
    if Membership.objects.filter(organization=invitation.organization, user=user).exists():
        raise ValidationError(ALREADY_MEMBER_MESSAGE)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    membership = Membership.objects.create(user=user, organization=invitation.organization, role=invitation.role)
    audit(
        organization=invitation.organization,
        actor=user,
        action=Action.MEMBER_JOINED,
        data={"user": str(user.pk), "role": invitation.role},
    )
    return membership


LAST_ADMIN_OF_MESSAGE = _(
    "You are the only admin of %(organizations)s. An organization needs at least one admin: make "
    "someone else admin there, or delete the organization, before you delete your account."
)


def organizations_only_administered_by(user: User) -> list[Organization]:
    """Return the organizations in which the user is the only admin."""
    return [
        membership.organization
        for membership in Membership.objects.filter(user=user, role=Role.ADMIN).select_related("organization")
        if not _other_admins_exist(membership)
    ]


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete a person's account: memberships, invitations to them, and their address in audit logs.

    Refused while they are the only admin of an organization. Audit entries stay, naming "a deleted
    person" instead of their address; their anonymous survey answers were never tied to them.
    """
    sole = organizations_only_administered_by(user)
    if sole:
        raise ValidationError(LAST_ADMIN_OF_MESSAGE % {"organizations": ", ".join(o.name for o in sole)})
    email = user.email
    for membership in Membership.objects.filter(user=user).select_related("organization"):
        audit(
            organization=membership.organization,
            actor=None,
            action=Action.MEMBER_REMOVED,
            data={"user": str(user.pk)},
        )
    Invitation.objects.filter(email__iexact=email).delete()
    user.delete()  # the log names people by id: from now on it reads "a deleted person"
