from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("orgs/new/", views.org_create, name="org_create"),
    path("o/<slug:org_slug>/members/", views.org_members, name="org_members"),
    path("o/<slug:org_slug>/members/invite/", views.invitation_create, name="invitation_create"),
    path(
        "o/<slug:org_slug>/invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("o/<slug:org_slug>/members/<uuid:membership_id>/role/", views.member_change_role, name="member_change_role"),
    path("o/<slug:org_slug>/members/<uuid:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org_slug>/settings/", views.org_settings, name="org_settings"),
    path("o/<slug:org_slug>/delete/", views.org_delete, name="org_delete"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("account/delete/", views.account_delete, name="account_delete"),
]
