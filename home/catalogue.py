"""Messages other packages take from gettext, worded in our own catalogues, which take precedence.

Django's forms end every label with gettext(":"), which Django's Chinese catalogue leaves ASCII;
the account pages of django-allauth say "e-mail" in French and "Email地址", 帐号 and 登出 in
Chinese. Ours follow docs/TRANSLATING.md (courriel, 电子邮件, 账户, full-width punctuation).
"""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop(":"),
    gettext_noop("email addresses"),
    gettext_noop("Email Address"),
    gettext_noop("Email Addresses"),
    gettext_noop("The following email addresses are associated with your account:"),
    gettext_noop("Add Email Address"),
    gettext_noop("Add Email"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Sign Out"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."
    ),
    gettext_noop("Enter your password:"),
    gettext_noop("Forgot Password?"),
    gettext_noop("Forgot your password?"),
]
