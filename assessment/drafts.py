"""Unfinished staff-survey answers, kept sealed in a cookie in the respondent's own browser.

The server stores no unfinished staff answers: a database holder finds nothing to read or to
tie to a person while someone is answering. The cookie is sealed with the server's key
(``config.sealing``: no time, one length per questionnaire however much is answered), so it
can be neither read from the browser's files nor altered; every value is checked again on each
save and on submission.

A member's draft is sealed to that member: it opens only for them, signed in, never on the
link pages, and logging out deletes every draft cookie of the browser, so the next person at a
shared computer finds nothing. A draft started from a link opens on the link pages only, and
only while its survey is open. One cookie per survey (and per member), so answering two surveys
at once loses nothing.
"""

import json
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

from assessment.models import Cycle
from assessment.services.pending import answer_keys, pack_answers, unpack_answers
from assessment.services.responding import StaffDraft
from config import sealing

PREFIX = "ally_draft_"
LINK_COOKIE = re.compile(rf"{PREFIX}([0-9a-f]{{32}})")
MEMBER_COOKIE = re.compile(rf"{PREFIX}[0-9a-f]{{32}}_[0-9a-f]{{12}}")
MAX_AGE = 60 * 60 * 24 * 60
# Beyond one character per item: the survey id, the member id, the credential, the role group.
DRAFT_ROOM = 320


def cookie_name(cycle_id, member_id=None, *, secret: str | None = None) -> str:
    """Return the name of the cookie holding a draft for the survey (and the member).

    A member's cookie name carries a keyed hash of their id, so the name alone says nobody's;
    ``secret`` gives the name under an earlier key.
    """
    name = f"{PREFIX}{str(cycle_id).replace('-', '')}"
    if member_id is None:
        return name
    return f"{name}_{salted_hmac('ally.draft-cookie', str(member_id), secret).hexdigest()[:12]}"


def _member_cookie_names(cycle_id, member_id: str) -> list[str]:
    """Return the member's cookie name under the current key, then under each earlier one."""
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [cookie_name(cycle_id, member_id, secret=secret) for secret in secrets]


def _purpose(cycle: Cycle) -> str:
    return f"draft:{cycle.pk}"


def _decode(cycle: Cycle, raw: str) -> StaffDraft | None:
    try:
        data = json.loads(sealing.unseal(raw, purpose=_purpose(cycle)))
        member = data["m"]
        return StaffDraft(
            cycle_id=str(cycle.pk),
            credential=str(data["k"]),
            answers=unpack_answers(answer_keys(cycle), str(data["a"])),
            role_group=str(data["g"]),
            member_id=None if member is None else str(member),
            channel=str(data.get("h", "")),
        )
    except (sealing.Unreadable, json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def read(request, cycle: Cycle) -> StaffDraft | None:
    """Return the draft this browser holds for the open ``cycle`` and the person asking, or None.

    A signed-in member gets only their own draft; anyone else, only a draft started from a link.
    """
    if not cycle.is_open:
        return None
    member_id = str(request.user.pk) if request.user.is_authenticated else None
    if member_id is not None:
        for name in _member_cookie_names(cycle.pk, member_id):
            draft = _decode(cycle, request.COOKIES.get(name, ""))
            if draft is not None and draft.member_id == member_id:
                return draft
        return None
    return read_link(request, cycle)


def read_link(request, cycle: Cycle) -> StaffDraft | None:
    """Return the draft started from a link that this browser holds for the open ``cycle``, or None."""
    if not cycle.is_open:
        return None
    draft = _decode(cycle, request.COOKIES.get(cookie_name(cycle.pk), ""))
    return draft if draft is not None and draft.member_id is None else None


def link_draft(request) -> tuple[Cycle, StaffDraft] | tuple[None, None]:
    """Return an open staff survey and the link-started draft this browser holds for it."""
    hexes = [match[1] for name in request.COOKIES if (match := LINK_COOKIE.fullmatch(name))]
    cycles = Cycle.objects.select_related("organization", "questionnaire").filter(
        pk__in=hexes, status=Cycle.Status.OPEN, mode=Cycle.Mode.STAFF
    )
    for cycle in sorted(cycles, key=lambda found: hexes.index(found.pk.hex)):
        draft = read_link(request, cycle)
        if draft is not None:
            return cycle, draft
    return None, None


def write(response, cycle: Cycle, draft: StaffDraft):
    """Store the draft in the browser on ``response``; return the response."""
    keys = answer_keys(cycle)
    plaintext = json.dumps(
        {
            "c": draft.cycle_id,
            "m": draft.member_id,
            "k": draft.credential,
            "a": pack_answers(keys, draft.answers),
            "g": draft.role_group,
            "h": draft.channel,
        },
        separators=(",", ":"),
    ).encode()
    response.set_cookie(
        cookie_name(cycle.pk, draft.member_id),
        sealing.seal(plaintext, purpose=_purpose(cycle), size=len(keys) + DRAFT_ROOM),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def clear(response, draft: StaffDraft):
    """Delete the draft's cookie (under every accepted key's name) on ``response``; return the response."""
    names = (
        [cookie_name(draft.cycle_id)]
        if draft.member_id is None
        else _member_cookie_names(draft.cycle_id, draft.member_id)
    )
    for name in names:
        response.delete_cookie(name, samesite="Lax")
    return response


def clear_members(request, response):
    """Delete every member's draft cookie this browser sent; return the response.

    Drafts started from a link belong to no account, and their link is spent: they stay.
    """
    for name in request.COOKIES:
        if MEMBER_COOKIE.fullmatch(name):
            response.delete_cookie(name, samesite="Lax")
    return response


class ForgetDraftsAtLogoutMiddleware:
    """Delete members' draft cookies in the response to a logout, so a shared computer keeps none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "drafts_forgotten", False):
            clear_members(request, response)
        return response


def forget_at_logout(sender, request, **kwargs):
    """Mark the request of a logout, for ``ForgetDraftsAtLogoutMiddleware``."""
    if request is not None:
        request.drafts_forgotten = True
