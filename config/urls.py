from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.views import language_set
from home.views import healthz, landing

# The admin signs in through the site's own login, with its rate limits and second factor.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth wraps the admin login

urlpatterns = [
    path("", landing, name="landing"),
    path("healthz", healthz, name="healthz"),
    path("language", language_set, name="set_language"),
    path("", include("accounts.urls")),
    path("", include("assessment.urls")),
    path("", include("community_review.urls")),
    path("", include("reports.urls")),
    path("", include("coalitions.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
