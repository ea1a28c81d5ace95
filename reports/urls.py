from django.urls import path

from reports import views

app_name = "reports"

report = "o/<slug:org_slug>/cycles/<uuid:cycle_id>/report"

urlpatterns = [
    path(f"{report}/", views.cycle_report, name="cycle_report"),
    path(f"{report}/board/", views.board_summary, name="board_summary"),
    path(f"{report}.csv", views.cycle_report_export, {"fmt": "csv"}, name="report_csv"),
    path(f"{report}.xlsx", views.cycle_report_export, {"fmt": "xlsx"}, name="report_xlsx"),
    path(f"{report}.json", views.cycle_report_export, {"fmt": "json"}, name="report_json"),
    path("o/<slug:org_slug>/trend/", views.trend, name="trend"),
    path("o/<slug:org_slug>/actions/", views.actions, name="actions"),
    path("o/<slug:org_slug>/actions/new/", views.action_create, name="action_create"),
    path("o/<slug:org_slug>/actions/<uuid:action_id>/", views.action_edit, name="action_edit"),
]
