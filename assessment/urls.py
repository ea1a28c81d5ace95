from django.urls import path

from assessment import feedback_views, views

app_name = "assessment"

cycle = "o/<slug:org_slug>/cycles/<uuid:cycle_id>/"

urlpatterns = [
    path("o/<slug:org_slug>/", views.org_dashboard, name="org_dashboard"),
    path("o/<slug:org_slug>/cycles/new/", views.cycle_create, name="cycle_create"),
    path(cycle, views.cycle_detail, name="cycle_detail"),
    path(cycle + "open/", views.cycle_open, name="cycle_open"),
    path(cycle + "close/", views.cycle_close, name="cycle_close"),
    path(cycle + "closing/", views.cycle_closing, name="cycle_closing"),
    path(cycle + "delete/", views.cycle_delete, name="cycle_delete"),
    path(cycle + "links/", views.links_create, name="links_create"),
    path(cycle + "invitations/", views.invitations_create, name="invitations_create"),
    path(cycle + "invitations/<uuid:list_id>/", views.invitations_review, name="invitations_review"),
    path(cycle + "invitations/<uuid:list_id>/approve/", views.invitations_approve, name="invitations_approve"),
    path(cycle + "invitations/<uuid:list_id>/refuse/", views.invitations_refuse, name="invitations_refuse"),
    path(cycle + "reminders/", views.reminders_create, name="reminders_create"),
    path("o/<slug:org_slug>/calendar/", views.calendar, name="calendar"),
    path("o/<slug:org_slug>/cycles/next/", views.cycle_open_next, name="cycle_open_next"),
    path(cycle + "print/<slug:sheet>/", feedback_views.feedback_sheet, name="feedback_sheet"),
    path(cycle + "respond/", views.respond, name="respond"),
    path(cycle + "respond/start/", views.respond_start, name="respond_start"),
    # Respondent links: public by design, the token is the key.
    path("r/continue/", views.link_continue, name="link_continue"),
    path("r/thanks/", views.link_thanks, name="link_thanks"),
    path("r/<str:token>/", views.link_landing, name="link_landing"),
    # Community feedback: the short link printed on its card and poster.
    path("f/<slug:code>/", feedback_views.feedback_form, name="feedback_form"),
]
