import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.audit import audit_entries
from accounts.models import AuditEvent, Invitation, Membership, Organization
from accounts.tokens import hash_token
from tests.conftest import login

Role = Membership.Role


def test_creating_an_organization_makes_you_its_admin(client, user_factory):
    user = user_factory()
    login(client, user)
    response = client.post(
        reverse("accounts:org_create"), {"name": "Harbour Health", "sector": "health", "region": "", "size_band": ""}
    )
    organization = Organization.objects.get(name="Harbour Health")
    assert response["Location"] == organization.get_absolute_url()
    assert Membership.objects.get(user=user, organization=organization).role == Role.ADMIN
    assert AuditEvent.objects.filter(organization=organization, action=AuditEvent.Action.ORG_CREATED).exists()


def test_organization_slugs_stay_unique(user_factory):
    first = services.organization_create(user=user_factory(), name="Same Name", sector="legal")
    second = services.organization_create(user=user_factory(), name="Same Name", sector="legal")
    assert (first.slug, second.slug) == ("same-name", "same-name-2")


def test_create_organization_form_rejects_unknown_sector(client, user_factory):
    login(client, user_factory())
    response = client.post(reverse("accounts:org_create"), {"name": "X", "sector": "police"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Organization.objects.exists()


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """Post the invitation form and let the email go out as it does after a commit."""

    def post(organization, email, role="staff"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("accounts:invitation_create", args=[organization.slug]), {"email": email, "role": role}
            )

    return post


def _token_from_outbox() -> str:
    return re.search(r"/invite/([^/\s]+)/", mail.outbox[-1].body).group(1)


def test_admin_invites_and_new_member_accepts(client, invite, admin, organization, user_factory):
    login(client, admin.user)
    response = invite(organization, "Newcomer@Example.org", "lead")
    assert response.status_code == 302
    invitation = Invitation.objects.get(organization=organization)
    token = _token_from_outbox()
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash

    invitee = user_factory("newcomer@example.org")
    client.logout()
    page = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert page.status_code == 200
    assert "Log in, or sign up" in page.content.decode()

    login(client, invitee)
    response = client.post(reverse("accounts:invitation_accept", args=[token]))
    assert response["Location"] == organization.get_absolute_url()
    assert Membership.objects.get(user=invitee, organization=organization).role == Role.LEAD

    # The link works once.
    response = client.post(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 404
    assert Membership.objects.filter(organization=organization).count() == 2


def test_invitation_cannot_be_accepted_with_another_email(client, invite, admin, organization, user_factory):
    login(client, admin.user)
    invite(organization, "intended@example.org")
    token = _token_from_outbox()
    login(client, user_factory("someone.else@example.org"))
    response = client.post(reverse("accounts:invitation_accept", args=[token]), follow=True)
    assert str(services.INVITATION_WRONG_EMAIL_MESSAGE) in response.content.decode()
    assert Membership.objects.filter(organization=organization).count() == 1
    assert Invitation.objects.get().accepted_at is None


def test_expired_invitation_is_refused(client, invite, admin, organization, user_factory):
    login(client, admin.user)
    invite(organization, "late@example.org")
    token = _token_from_outbox()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    login(client, user_factory("late@example.org"))
    response = client.post(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 404
    assert Membership.objects.filter(organization=organization).count() == 1


def test_unknown_invitation_token_is_404(client, db):
    assert client.get(reverse("accounts:invitation_accept", args=["not-a-token"])).status_code == 404


def test_inviting_an_existing_member_is_refused(client, invite, admin, staff, organization):
    login(client, admin.user)
    response = invite(organization, staff.user.email)
    assert str(services.ALREADY_MEMBER_MESSAGE) in client.get(response["Location"]).content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_revoked_invitation_stops_working(client, invite, admin, organization, user_factory):
    login(client, admin.user)
    invite(organization, "maybe@example.org")
    token = _token_from_outbox()
    invitation = Invitation.objects.get()
    client.post(reverse("accounts:invitation_revoke", args=[organization.slug, invitation.id]))
    assert not Invitation.objects.exists()
    assert client.get(reverse("accounts:invitation_accept", args=[token])).status_code == 404


def test_admin_changes_a_role(client, admin, staff, organization):
    login(client, admin.user)
    client.post(reverse("accounts:member_change_role", args=[organization.slug, staff.id]), {"role": "lead"})
    staff.refresh_from_db()
    assert staff.role == Role.LEAD
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_tampered_role_is_refused(client, admin, staff, organization):
    login(client, admin.user)
    response = client.post(
        reverse("accounts:member_change_role", args=[organization.slug, staff.id]), {"role": "owner"}, follow=True
    )
    assert "Choose admin, lead or staff." in response.content.decode()
    staff.refresh_from_db()
    assert staff.role == Role.STAFF


def test_last_admin_cannot_demote_themself(client, admin, organization):
    login(client, admin.user)
    response = client.post(
        reverse("accounts:member_change_role", args=[organization.slug, admin.id]), {"role": "staff"}, follow=True
    )
    assert str(services.LAST_ADMIN_MESSAGE) in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_last_admin_cannot_remove_themself(client, admin, organization):
    login(client, admin.user)
    response = client.post(reverse("accounts:member_remove", args=[organization.slug, admin.id]), follow=True)
    assert str(services.LAST_ADMIN_MESSAGE) in response.content.decode()
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_admin_can_step_down_when_another_admin_exists(client, admin, member_factory, organization):
    member_factory(organization, Role.ADMIN)
    login(client, admin.user)
    client.post(reverse("accounts:member_change_role", args=[organization.slug, admin.id]), {"role": "lead"})
    admin.refresh_from_db()
    assert admin.role == Role.LEAD


def test_admin_removes_a_member(client, admin, staff, organization):
    login(client, admin.user)
    client.post(reverse("accounts:member_remove", args=[organization.slug, staff.id]))
    assert not Membership.objects.filter(pk=staff.pk).exists()


@pytest.mark.parametrize("persona", ["lead", "staff"])
def test_non_admins_cannot_manage_members(client, request, organization, persona):
    membership = request.getfixturevalue(persona)
    other = request.getfixturevalue("admin")
    login(client, membership.user)
    assert client.get(reverse("accounts:org_members", args=[organization.slug])).status_code == 404
    response = client.post(
        reverse("accounts:member_change_role", args=[organization.slug, other.id]), {"role": "staff"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.role == Role.ADMIN


def test_admin_cannot_touch_another_organizations_member(client, admin, outsider):
    login(client, admin.user)
    url = reverse("accounts:member_change_role", args=[admin.organization.slug, outsider.id])
    assert client.post(url, {"role": "staff"}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.role == Role.ADMIN


def test_outsider_gets_404_on_every_organization_page(client, outsider, admin, staff, organization):
    login(client, outsider.user)
    invitation, _ = services.invitation_create(
        organization=organization, email="x@example.org", role="staff", by=admin.user, accept_url_for=str
    )
    for url in [
        reverse("assessment:org_dashboard", args=[organization.slug]),
        reverse("accounts:org_members", args=[organization.slug]),
        reverse("accounts:org_settings", args=[organization.slug]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("accounts:invitation_create", args=[organization.slug]),
        reverse("accounts:invitation_revoke", args=[organization.slug, invitation.id]),
        reverse("accounts:member_change_role", args=[organization.slug, staff.id]),
        reverse("accounts:member_remove", args=[organization.slug, staff.id]),
    ]:
        assert client.post(url, {"role": "admin", "email": "me@example.org"}).status_code == 404, url
    assert Invitation.objects.count() == 1
    staff.refresh_from_db()
    assert staff.role == Role.STAFF


def test_admin_updates_settings(client, admin, organization):
    login(client, admin.user)
    client.post(
        reverse("accounts:org_settings", args=[organization.slug]),
        {
            "name": "Riverside Clinic",
            "sector": "legal",
            "region": "Toronto",
            "size_band": "",
            "require_mfa": "on",
            "retention_years": "5",
        },
    )
    organization.refresh_from_db()
    assert organization.require_mfa is True and organization.retention_years == 5
    assert organization.staff_can_view_reports is False
    event = AuditEvent.objects.get(action=AuditEvent.Action.SETTINGS_CHANGED)
    assert "require_mfa" in event.data["fields"]


def test_admin_deletes_the_organization_with_confirmation(client, admin, staff, organization, closed_cycles):
    closed_cycles(organization, years=(2025,), responses=3)
    login(client, admin.user)
    url = reverse("accounts:org_delete", args=[organization.slug])
    response = client.post(url, {"confirm": "riverside"}, follow=True)
    assert "name exactly to confirm deleting it" in response.content.decode()
    assert Organization.objects.filter(pk=organization.pk).exists()
    client.post(url, {"confirm": organization.name})
    assert not Organization.objects.filter(pk=organization.pk).exists()
    from assessment.models import Answer, Cycle, Response

    assert not Cycle.objects.exists() and not Response.objects.exists() and not Answer.objects.exists()
    assert not Membership.objects.filter(organization_id=organization.pk).exists()


def test_lead_cannot_delete_the_organization(client, lead, organization):
    login(client, lead.user)
    assert (
        client.post(
            reverse("accounts:org_delete", args=[organization.slug]), {"confirm": organization.name}
        ).status_code
        == 404
    )
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_a_person_deletes_their_account_after_logging_in_again(client, member_factory, organization, admin):
    from allauth.account.models import EmailAddress

    from accounts.models import AuditEvent, Invitation, User
    from accounts.services import invitation_create
    from tests.conftest import PASSWORD

    staff = member_factory(organization, Membership.Role.STAFF)
    email = staff.user.email
    invitation_create(
        organization=org_factory_other(organization), email=email, role="staff", by=admin.user, accept_url_for=str
    )
    person = User.objects.get(email=email)
    AuditEvent.objects.create(
        organization=organization,
        actor=admin.user,
        action="member_joined",
        data={"user": str(person.pk), "role": "staff"},
    )
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    url = reverse("accounts:account_delete")
    refused = client.post(url, {"confirm": "delete"})
    assert refused.status_code == 302 and reverse("account_reauthenticate") in refused["Location"]
    assert User.objects.filter(email=email).exists()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(url)
    assert page.status_code == 200 and "Delete my account" in page.content.decode()
    client.post(url, {"confirm": "delete"})
    assert not User.objects.filter(email=email).exists()
    assert not EmailAddress.objects.filter(email=email).exists()
    assert not Invitation.objects.filter(email=email).exists()
    assert not [event for event in AuditEvent.objects.all() if email in str(event.data).lower()]
    joined = audit_entries(AuditEvent.objects.filter(action="member_joined"))
    assert [entry.detail for entry in joined] == ["a deleted person as Staff"]
    assert "_auth_user_id" not in client.session


def test_the_only_admin_cannot_delete_their_account(client, admin, organization):
    from accounts.models import User
    from tests.conftest import PASSWORD

    client.post(reverse("account_login"), {"login": admin.user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    url = reverse("accounts:account_delete")
    page = client.get(url).content.decode()
    assert 'id="account-delete-blocked"' in page and organization.name in page
    response = client.post(url, {"confirm": "delete"})
    assert "You are the only admin of" in response.content.decode()
    assert User.objects.filter(pk=admin.user.pk).exists()


def org_factory_other(organization):
    from accounts.models import Organization

    return Organization.objects.create(name="Another place", slug="another-place", sector="legal")
