from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from assessment import drafts

        user_logged_out.connect(drafts.forget_at_logout, dispatch_uid="ally-forget-drafts-at-logout")
