import re

from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD


def _confirmation_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_signup_verify_then_login(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert EmailAddress.objects.get(email="new.person@example.org").verified is False

    # Mandatory verification: logging in before confirming sends you back to verify.
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new.person@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")

    confirm = _confirmation_path(mail.outbox[-1])
    assert client.get(confirm).status_code == 200
    response = client.post(confirm)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.person@example.org").verified is True

    client.logout()
    response = client.post(reverse("account_login"), {"login": "new.person@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("landing")
    assert "Your organizations" in client.get(reverse("landing")).content.decode()


def test_wrong_password_does_not_log_in(client, user_factory):
    user_factory("someone@example.org")
    response = client.post(reverse("account_login"), {"login": "someone@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_rate_limited(client, user_factory):
    user_factory("target@example.org")
    pages = [
        client.post(reverse("account_login"), {"login": "target@example.org", "password": f"guess{i}"})
        for i in range(6)
    ]
    assert "Too many failed login attempts" not in pages[0].content.decode()
    assert "Too many failed login attempts" in pages[-1].content.decode()


def test_password_reset_sends_a_link(client, user_factory):
    user_factory("forgetful@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_logout_ends_the_session(client, user_factory):
    from tests.conftest import login

    login(client, user_factory())
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_logins_are_logged_without_addresses_or_passwords(client, user_factory, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="accounts.auth")
    user = user_factory()
    client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-1"})
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    messages = [r.getMessage() for r in caplog.records if r.name == "accounts.auth"]
    assert "Login failed" in messages and f"Login succeeded for user {user.pk}" in messages
    assert not any(user.email in m or PASSWORD in m for m in messages)


def test_emails_name_the_site_and_invitations_name_who_invited(
    client, admin, organization, django_capture_on_commit_callbacks
):
    from accounts.services import invitation_create

    client.post(reverse("account_signup"), {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    confirmation = mail.outbox[-1].body
    assert confirmation.startswith("Hello from Ally Readiness") and "testserver!" not in confirmation
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organization=organization, email="colleague@example.org", role="staff", by=admin.user, accept_url_for=str
        )
    assert f"{admin.user.email} invites you to join {organization.name}" in mail.outbox[-1].body
