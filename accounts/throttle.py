"""Rate limits for public endpoints, counted in the shared cache so every app server agrees.

A client is known only by a keyed hash of its address, kept in the cache for the length of the
window and never in the database's own tables.
"""

import logging

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """Return the client's address as allauth's own limits see it (behind ALLAUTH_TRUSTED_PROXY_COUNT proxies)."""
    return get_adapter().get_client_ip(request)


def _key(action: str, who: str) -> str:
    return "throttle:" + salted_hmac("ally.throttle", f"{action}:{who}", algorithm="sha256").hexdigest()


def _hit(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def is_limited(request, action: str, *, scope: str = "") -> bool:
    """Count one attempt at ``action``; return whether the client, or the scope, is over its limit.

    Limits are ``settings.ALLY_RATE_LIMITS[action]``: (attempts per client, attempts per scope,
    window in seconds). Both counters always move, so spreading attempts over scopes does not help.
    """
    per_client, per_scope, window = settings.ALLY_RATE_LIMITS[action]
    over = _hit(_key(action, "client:" + client_address(request)), window) > per_client
    if scope:
        over = _hit(_key(action, "scope:" + scope), window) > per_scope or over
    if over:
        logger.warning("Rate limit reached for %s", action)
    return over
