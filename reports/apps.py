from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from assessment.signals import cycle_closed, cycle_deleted
        from reports.tasks import enqueue_build_reports

        cycle_closed.connect(enqueue_build_reports, dispatch_uid="reports-build-on-close")
        cycle_deleted.connect(enqueue_build_reports, dispatch_uid="reports-build-on-delete")
