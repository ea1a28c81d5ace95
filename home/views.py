from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

import config
from accounts.access import user_memberships
from coalitions.access import user_coalitions
from community_review.selectors import reviewer_reviews


@login_not_required
def landing(request):
    context = {
        "memberships": user_memberships(request.user),
        "coalitions": user_coalitions(request.user),
        "reviews": reviewer_reviews(request.user),
    }
    return render(request, "home/landing.html", context)


@login_not_required
@never_cache
def healthz(request):
    """Say whether the database and the cache answer, and which release runs. No secrets, no counts."""
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
    body = {"status": "ok" if healthy else "failing", **checks, "version": config.__version__}
    if settings.TASKS_BACKEND == "database":
        body["oldest_waiting_task_seconds"] = _oldest_waiting_task_age()
    return JsonResponse(body, status=200 if healthy else 503)


def _oldest_waiting_task_age() -> int | None:
    """Return how long the oldest task ready to run has waited, in seconds, or None if none waits."""
    from django_tasks_db.models import DBTaskResult

    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return None if oldest is None else int((timezone.now() - oldest).total_seconds())
