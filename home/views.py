from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.access import user_memberships
from coalitions.access import user_coalitions


@login_not_required
def landing(request):
    context = {"memberships": user_memberships(request.user), "coalitions": user_coalitions(request.user)}
    return render(request, "home/landing.html", context)


@login_not_required
@never_cache
def healthz(request):
    """Say whether the database and the cache answer, for a load balancer. No secrets, no counts."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "failing"
    try:
        cache.set("healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "failing"
    except Exception:
        checks["cache"] = "failing"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503)
