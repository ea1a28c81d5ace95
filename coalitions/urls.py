from django.urls import path

from coalitions import views

app_name = "coalitions"

urlpatterns = [
    path("c/new/", views.coalition_create, name="coalition_create"),
    path("c/<slug:coalition_slug>/", views.coalition_detail, name="coalition_detail"),
    path("c/<slug:coalition_slug>/join/", views.coalition_join, name="coalition_join"),
    path("c/<slug:coalition_slug>/withdraw/", views.coalition_withdraw, name="coalition_withdraw"),
    path("c/<slug:coalition_slug>/publish/", views.snapshot_publish, name="snapshot_publish"),
    path("c/<slug:coalition_slug>/publish/<int:year>/", views.snapshot_publishing, name="snapshot_publishing"),
    path("c/<slug:coalition_slug>/join-code/", views.join_code_renew, name="join_code_renew"),
    path("c/<slug:coalition_slug>/benchmark/<int:year>/", views.benchmark, name="benchmark"),
]
