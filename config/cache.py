"""Cache keys that say nothing: every key is a keyed hash, so the cache table holds no address or login.

allauth names its rate-limit counters after the client's address or an unkeyed hash of the login
typed; stored as they are, a database holder would read who tried to log in from where, and when
(the row's expiry). Django calls ``cache_key`` for every key of every backend configured with it.
"""

from django.utils.crypto import salted_hmac


def cache_key(key: str, key_prefix: str, version: int) -> str:
    """Return the key under which the cache stores ``key``: an HMAC under the server's secret key.

    >>> len(cache_key("allauth:rl:203.0.113.7", "", 1))
    64
    >>> cache_key("a", "", 1) != cache_key("a", "", 2)
    True
    """
    return salted_hmac("ally.cache", f"{key_prefix}:{version}:{key}", algorithm="sha256").hexdigest()
