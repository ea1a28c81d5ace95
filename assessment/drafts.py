"""Unfinished staff-survey answers, kept encrypted in a cookie in the respondent's own browser.

The server stores no unfinished staff answers: a database holder finds nothing to read or to
tie to a person while someone is answering. The cookie is encrypted and authenticated with the
server's key, so it can be neither read from the browser's files nor altered; every value is
checked again on each save and on submission. One cookie per survey, so answering two surveys
at once loses nothing.
"""

import json
import time

from cryptography.fernet import InvalidToken
from django.conf import settings

from assessment import sealing
from assessment.models import Cycle
from assessment.services.responding import StaffDraft

PREFIX = "ally_draft_"
MAX_AGE = 60 * 60 * 24 * 60


def _name(cycle_id) -> str:
    return f"{PREFIX}{str(cycle_id).replace('-', '')}"


def _decode(raw: str) -> tuple[float, StaffDraft] | None:
    try:
        data = sealing.unseal(raw, max_age=MAX_AGE)
        draft = StaffDraft(
            cycle_id=str(data["c"]),
            secret=str(data["t"]),
            answers={str(k): str(v) for k, v in dict(data["a"]).items()},
            role_group=str(data.get("g", "")),
        )
        return float(data.get("w", 0)), draft
    except (InvalidToken, json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def read(request, cycle: Cycle | None = None) -> StaffDraft | None:
    """Return this browser's draft for ``cycle``, or, without one, its most recently saved draft."""
    if cycle is not None:
        found = _decode(request.COOKIES.get(_name(cycle.pk), ""))
        return found[1] if found and found[1].cycle_id == str(cycle.pk) else None
    found = [_decode(value) for name, value in request.COOKIES.items() if name.startswith(PREFIX)]
    found = sorted((f for f in found if f), key=lambda f: f[0])
    return found[-1][1] if found else None


def cycle_of(draft: StaffDraft | None) -> Cycle | None:
    """Return the open staff survey a draft belongs to, or None."""
    if draft is None:
        return None
    return (
        Cycle.objects.select_related("organization", "questionnaire")
        .filter(pk=draft.cycle_id, status=Cycle.Status.OPEN, mode=Cycle.Mode.STAFF)
        .first()
    )


def write(response, draft: StaffDraft):
    """Store the draft in the browser on ``response``; return the response."""
    value = sealing.seal(
        {"c": draft.cycle_id, "t": draft.secret, "a": draft.answers, "g": draft.role_group, "w": time.time()}
    )
    response.set_cookie(
        _name(draft.cycle_id),
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def clear(response, draft: StaffDraft | None = None):
    """Delete the draft cookie(s) on ``response``; return the response."""
    if draft is not None:
        response.delete_cookie(_name(draft.cycle_id), samesite="Lax")
    return response
