import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from accounts.models import Membership
from tests.conftest import login

Role = Membership.Role


@pytest.fixture
def strict_org(org_factory):
    return org_factory("Strict Clinic", require_mfa=True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEAD])
def test_admins_and_leads_must_set_up_mfa_when_the_org_requires_it(client, member_factory, strict_org, role):
    membership = member_factory(strict_org, role)
    login(client, membership.user)
    response = client.get(reverse("assessment:org_dashboard", args=[strict_org.slug]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Account pages stay reachable so the person can set it up.
    assert client.get(reverse("mfa_index")).status_code == 200


def test_staff_are_not_forced_to_set_up_mfa(client, member_factory, strict_org):
    membership = member_factory(strict_org, Role.STAFF)
    login(client, membership.user)
    assert client.get(reverse("assessment:org_dashboard", args=[strict_org.slug])).status_code == 200


def test_admin_with_totp_passes(client, member_factory, strict_org):
    membership = member_factory(strict_org, Role.ADMIN)
    TOTP.activate(membership.user, generate_totp_secret())
    login(client, membership.user)
    assert client.get(reverse("assessment:org_dashboard", args=[strict_org.slug])).status_code == 200


def test_no_requirement_without_the_setting(client, admin, organization):
    login(client, admin.user)
    assert client.get(reverse("assessment:org_dashboard", args=[organization.slug])).status_code == 200


def test_totp_secret_is_encrypted_at_rest(user_factory):
    user = user_factory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert stored != secret
    assert secret not in stored
    assert get_adapter().decrypt(stored) == secret


def test_mfa_activation_through_reauthentication(client, user_factory):
    from allauth.mfa.totp.internal.auth import hotp_value

    user = user_factory()
    from tests.conftest import PASSWORD

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:
        assert reverse("account_reauthenticate") in response["Location"]
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    import time

    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
