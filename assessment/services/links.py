"""Writes for respondent links: making them and starting a draft from one."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent
from accounts.services import audit
from accounts.tokens import hash_token, new_token
from assessment.models import Cycle, RespondentLink, Response
from assessment.services.cycles import CYCLE_ALREADY_CLOSED_MESSAGE

Action = AuditEvent.Action

LINK_INVALID_MESSAGE = _(
    "This link cannot be used. It may have been used already, withdrawn, or its audit may have closed."
)
LINKS_ONLY_FOR_STAFF_MESSAGE = _("Respondent links are only for anonymous staff surveys.")
LINK_COUNT_MESSAGE = _("Make between 1 and %(max)s links at a time.")
MAX_LINKS = 500


@transaction.atomic
def links_create(*, cycle: Cycle, by, kind: str, count: int = 1) -> list[str]:
    """Make respondent links and return their tokens; only hashes are kept, so show them now."""
    if not cycle.is_staff_survey:
        raise ValidationError(LINKS_ONLY_FOR_STAFF_MESSAGE)
    if cycle.is_closed:
        raise ValidationError(CYCLE_ALREADY_CLOSED_MESSAGE)
    if kind == RespondentLink.Kind.SHARED:
        count = 1
    if not 1 <= count <= MAX_LINKS:
        raise ValidationError(LINK_COUNT_MESSAGE % {"max": MAX_LINKS})
    tokens = [new_token() for _ in range(count)]
    RespondentLink.objects.bulk_create(
        RespondentLink(cycle=cycle, kind=RespondentLink.Kind(kind), token_hash=hash_token(t)) for t in tokens
    )
    audit(
        organization=cycle.organization,
        actor=by,
        action=Action.LINKS_CREATED,
        detail=f"{count} {kind} link(s) for {cycle.label}",
    )
    return tokens


def link_for_token(token: str) -> RespondentLink | None:
    """Return the usable link a token opens, or None."""
    link = RespondentLink.objects.select_related("cycle__organization").filter(token_hash=hash_token(token)).first()
    if link is None or link.is_revoked or not link.cycle.is_open:
        return None
    if link.kind == RespondentLink.Kind.SINGLE and link.is_used:
        return None
    return link


@transaction.atomic
def link_redeem(*, token: str) -> tuple[Response, str]:
    """Start a draft from a link; return it and the resume secret for the respondent's cookie."""
    link = link_for_token(token)
    if link is None:
        raise ValidationError(LINK_INVALID_MESSAGE)
    secret = new_token()
    response = Response.objects.create(cycle=link.cycle, link=link, resume_hash=hash_token(secret))
    return response, secret
