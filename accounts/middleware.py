from allauth.account.authentication import get_authentication_records
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import session_mfa_requirement

MFA_REQUIRED_MESSAGE = _("An organization you help lead requires two-factor authentication. Set it up to continue.")
MFA_NOT_USED_MESSAGE = _(
    "An organization you help lead requires two-factor authentication. Log in again with your second factor."
)
# Set when a person proves their new authenticator while activating it (allauth records no login step then).
MFA_ACTIVATED_SESSION_KEY = "ally_mfa_activated"


def session_used_second_factor(request) -> bool:
    if request.session.get(MFA_ACTIVATED_SESSION_KEY) == str(request.user.pk):
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class RequireMFAMiddleware:
    """Enforce an organization's two-factor rule for its admins and leads.

    Without an authenticator they are sent to set one up; with one, a session that did not pass
    the second factor (a password-only login from anywhere) is ended and they log in again. The
    requirement is decided once per session and again after any change to it, not per request.
    """

    exempt_prefixes = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(self.exempt_prefixes):
            return self.get_response(request)
        requirement = session_mfa_requirement(request)
        if requirement == "set-up":
            messages.warning(request, MFA_REQUIRED_MESSAGE)
            return redirect(reverse("mfa_activate_totp"))
        if requirement == "verify" and not session_used_second_factor(request):
            logout(request)
            messages.warning(request, MFA_NOT_USED_MESSAGE)
            return redirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)
