from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organizations"

    def ready(self):
        import logging

        from allauth.mfa.signals import authenticator_added
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from accounts.middleware import MFA_ACTIVATED_SESSION_KEY

        logger = logging.getLogger("accounts.auth")

        # Authentication events for the operator: a user's id, never an address or a credential.
        def logged_in(sender, request, user, **kwargs):
            logger.info("Login succeeded for user %s", user.pk)

        def login_failed(sender, credentials, request=None, **kwargs):
            logger.warning("Login failed")

        def logged_out(sender, request, user, **kwargs):
            logger.info("Logout for user %s", getattr(user, "pk", None))

        user_logged_in.connect(logged_in, weak=False, dispatch_uid="ally-log-login")
        user_login_failed.connect(login_failed, weak=False, dispatch_uid="ally-log-login-failed")
        user_logged_out.connect(logged_out, weak=False, dispatch_uid="ally-log-logout")

        def remember_activation(sender, request, user, authenticator, **kwargs):
            # Activating checks a code from the new authenticator, so this session has used it.
            if request is not None:
                request.session[MFA_ACTIVATED_SESSION_KEY] = str(user.pk)

        authenticator_added.connect(remember_activation, weak=False, dispatch_uid="ally-mfa-activated")
