from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from accounts.access import user_memberships
from coalitions.access import user_coalitions


@login_not_required
def landing(request):
    context = {"memberships": user_memberships(request.user), "coalitions": user_coalitions(request.user)}
    return render(request, "home/landing.html", context)
