"""The community review's section of a self-audit's page, which assessment's template loads
(assessment never imports this app), and a lookup for the report's rows."""

from django import template

from community_review import selectors
from community_review.forms import InviteForm

register = template.Library()


@register.inclusion_tag("community_review/_panel.html", takes_context=True)
def cycle_review_panel(context, cycle, membership) -> dict:
    """The self-audit's community reviews, with the admin's controls: ask, record payment, end."""
    reviews = selectors.cycle_reviews(cycle)
    current = next((review for review in reviews if review.is_open), None)
    shown = selectors.shown_review(reviews)
    return {
        # Payment is recorded for the review the report speaks of, once someone took it on.
        "paid_review": shown if shown is not None and shown.was_accepted else None,
        "cycle": cycle,
        "membership": membership,
        "organization": membership.organization,
        "current": current,
        "earlier": [review for review in reviews if review is not current],
        "form": InviteForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def review_mark(shown, key: str):
    """Return the reviewer's mark of one entry, once the review was submitted; else None."""
    if shown is None or not shown.shows_marks:
        return None
    return shown.mark_for(key)
