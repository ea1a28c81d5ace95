from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from assessment.signals import cycle_closed
        from reports.tasks import enqueue_build_report

        cycle_closed.connect(enqueue_build_report, dispatch_uid="reports-build-on-close")
