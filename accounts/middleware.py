from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import user_must_set_up_mfa

MFA_REQUIRED_MESSAGE = _("An organization you help lead requires two-factor authentication. Set it up to continue.")


class RequireMFAMiddleware:
    """Send admins and leads of organizations that require MFA to set it up first."""

    exempt_prefixes = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.exempt_prefixes) and user_must_set_up_mfa(request.user):
            messages.warning(request, MFA_REQUIRED_MESSAGE)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
