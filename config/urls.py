from django.contrib import admin
from django.urls import include, path

from home.views import landing

urlpatterns = [
    path("", landing, name="landing"),
    path("", include("accounts.urls")),
    path("", include("assessment.urls")),
    path("", include("reports.urls")),
    path("", include("coalitions.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
