import importlib
import time

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.urls import reverse

from accounts.models import Membership
from tests.conftest import PASSWORD, login

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


def _code(secret):
    return format(hotp_value(secret, int(time.time()) // 30), "06d")


def _log_in_with_password(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_admin_with_totp_passes_after_both_factors(client, member_factory, strict_org):
    membership = member_factory(strict_org, Role.ADMIN)
    secret = generate_totp_secret()
    TOTP.activate(membership.user, secret)
    response = _log_in_with_password(client, membership.user)
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert client.get(reverse("assessment:org_dashboard", args=[strict_org.slug])).status_code == 200


def test_a_session_without_the_second_factor_is_ended(client, member_factory, strict_org):
    """A password-only session (however it was made) cannot reach the organization."""
    membership = member_factory(strict_org, Role.LEAD)
    TOTP.activate(membership.user, generate_totp_secret())
    login(client, membership.user)
    response = client.get(reverse("assessment:org_dashboard", args=[strict_org.slug]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_admin_login_takes_no_password_alone(client, user_factory):
    """The Django admin's own login form is gone: it sends everyone to the site's login."""
    user = user_factory()
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    TOTP.activate(user, generate_totp_secret())
    response = client.post(reverse("admin:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    response = _log_in_with_password(client, user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index")).status_code == 302


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


@pytest.mark.django_db(transaction=True)  # allauth announces a new authenticator on commit
def test_mfa_activation_asks_for_the_password_again_then_counts_as_used(client, member_factory, strict_org):
    """A fresh login does not count for activating (MFA_REAUTHENTICATION_REQUIRED); once the new
    authenticator's code is accepted, the session has used it and the organization opens."""
    membership = member_factory(strict_org, Role.ADMIN)
    _log_in_with_password(client, membership.user)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and reverse("account_reauthenticate") in response["Location"]
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=membership.user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("assessment:org_dashboard", args=[strict_org.slug])).status_code == 200


def test_mfa_keys_rotate_without_locking_anyone_out(settings, user_factory):
    from django.core.management import call_command

    settings.MFA_ENCRYPTION_KEY = "old-key-" + "x" * 40
    user = user_factory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    # A new key goes in front: the old secret still decrypts.
    settings.MFA_ENCRYPTION_KEY = "new-key-" + "y" * 40 + ", old-key-" + "x" * 40
    assert get_adapter().decrypt(Authenticator.objects.get(user=user).data["secret"]) == secret
    call_command("rotate_mfa_key")
    # Once rotated, the old key can go.
    settings.MFA_ENCRYPTION_KEY = "new-key-" + "y" * 40
    assert get_adapter().decrypt(Authenticator.objects.get(user=user).data["secret"]) == secret


def test_recovery_code_seeds_rotate_with_the_secrets(settings, user_factory):
    from django.core.management import call_command

    settings.MFA_ENCRYPTION_KEY = "old-key-" + "x" * 40
    user = user_factory()
    TOTP.activate(user, generate_totp_secret())
    codes = RecoveryCodes.activate(user)
    before = codes.get_unused_codes()
    settings.MFA_ENCRYPTION_KEY = "new-key-" + "y" * 40 + ", old-key-" + "x" * 40
    call_command("rotate_mfa_key")
    settings.MFA_ENCRYPTION_KEY = "new-key-" + "y" * 40
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert RecoveryCodes(stored).get_unused_codes() == before


def test_two_factor_values_are_sealed_at_one_length_with_no_time_in_clear(user_factory):
    user = user_factory()
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    sealed = [a.data.get("secret") or a.data["seed"] for a in Authenticator.objects.filter(user=user).order_by("type")]
    assert len({len(value) for value in sealed}) == 1
    assert not any(value.startswith("gAAAA") for value in sealed)  # a Fernet token's version and time


def test_the_upgrade_seals_two_factor_values_the_earlier_release_encrypted(settings, user_factory):
    import base64
    import hashlib

    from cryptography.fernet import Fernet
    from django.apps import apps as installed

    migration = importlib.import_module("accounts.migrations.0013_mfa_sealed")
    settings.MFA_ENCRYPTION_KEY = ""
    user = user_factory()
    secret, seed = generate_totp_secret(), "ab" * 40
    fernet = Fernet(
        base64.urlsafe_b64encode(hashlib.sha256(b"ally-readiness-mfa:" + settings.SECRET_KEY.encode()).digest())
    )
    Authenticator.objects.create(user=user, type="totp", data={"secret": fernet.encrypt(secret.encode()).decode()})
    Authenticator.objects.create(
        user=user, type="recovery_codes", data={"seed": fernet.encrypt(seed.encode()).decode(), "used_mask": 0}
    )
    migration.fernet_to_sealed(installed, None)
    migration.fernet_to_sealed(installed, None)  # run again: nothing changes
    adapter = get_adapter()
    assert adapter.decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"]) == secret
    assert adapter.decrypt(Authenticator.objects.get(user=user, type="recovery_codes").data["seed"]) == seed


def test_rotating_the_secret_key_keeps_two_factor_users(settings, user_factory):
    settings.MFA_ENCRYPTION_KEY = ""
    user = user_factory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "z" * 40
    assert get_adapter().decrypt(Authenticator.objects.get(user=user).data["secret"]) == secret


def test_the_requirement_is_decided_once_per_session_and_again_after_each_change(
    client, member_factory, org_factory, user_factory
):
    """A session asks nothing of the database for the two-factor rule once it is decided, yet an
    organization turning the rule on, a promotion and a new membership each apply at the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.services import membership_change_role, organization_update

    clinic = org_factory("Lenient Clinic")
    staff = member_factory(clinic, Role.STAFF)
    login(client, staff.user)
    dashboard = reverse("assessment:org_dashboard", args=[clinic.slug])
    assert client.get(dashboard).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard).status_code == 200
    assert not [q for q in queries.captured_queries if '("accounts_organization"."require_mfa"' in q["sql"]], (
        "asked again on every request"
    )

    admin = member_factory(clinic, Role.ADMIN)
    organization_update(organization=clinic, by=admin.user, changes={"require_mfa": True})
    assert client.get(dashboard).status_code == 200, "staff are never asked"
    membership_change_role(membership=staff, role=Role.LEAD, by=admin.user)
    assert client.get(dashboard)["Location"] == reverse("mfa_activate_totp")

    other = member_factory(org_factory("Second Clinic"), Role.ADMIN)
    login(client, other.user)
    second = reverse("assessment:org_dashboard", args=[other.organization.slug])
    assert client.get(second).status_code == 200
    Membership.objects.create(user=other.user, organization=clinic, role=Role.LEAD)
    assert client.get(second)["Location"] == reverse("mfa_activate_totp"), "a new membership applies at once"
