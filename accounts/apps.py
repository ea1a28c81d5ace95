from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organizations"

    def ready(self):
        from allauth.mfa.signals import authenticator_added

        from accounts.middleware import MFA_ACTIVATED_SESSION_KEY

        def remember_activation(sender, request, user, authenticator, **kwargs):
            # Activating checks a code from the new authenticator, so this session has used it.
            if request is not None:
                request.session[MFA_ACTIVATED_SESSION_KEY] = str(user.pk)

        authenticator_added.connect(remember_activation, weak=False, dispatch_uid="ally-mfa-activated")
