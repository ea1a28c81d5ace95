"""Every email the site sends is rendered one way: through allauth's adapter, as the account
emails are, from ``<prefix>_subject.txt`` and ``<prefix>_message.txt``, with the site's subject
prefix and sender, in the recipient's language."""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation


def render_email(template_prefix: str, address: str, context: dict, language: str | None = None) -> EmailMessage:
    """Return the email for one address, in ``language`` (the active one when not given)."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        return get_adapter().render_mail(template_prefix, address, context)
