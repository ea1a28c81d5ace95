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

        # What a person's two-factor requirement depends on: each change makes their sessions
        # decide it again (accounts.access.session_mfa_requirement), however the change is made.
        from allauth.mfa.models import Authenticator
        from django.db.models.signals import post_delete, post_save

        from accounts.access import mfa_rule_changed
        from accounts.models import Membership, Organization

        def membership_changed(sender, instance, **kwargs):
            mfa_rule_changed([instance.user_id])

        def organization_saved(sender, instance, created, **kwargs):
            if not created:
                mfa_rule_changed(instance.memberships.values("user_id"))

        for signal in (post_save, post_delete):
            signal.connect(membership_changed, sender=Membership, weak=False, dispatch_uid=f"ally-mfa-{signal}-m")
            signal.connect(membership_changed, sender=Authenticator, weak=False, dispatch_uid=f"ally-mfa-{signal}-a")
        post_save.connect(organization_saved, sender=Organization, weak=False, dispatch_uid="ally-mfa-organization")
