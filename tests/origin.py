"""Check that a page loads and links nothing outside its own origin."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

URL_ATTRIBUTES = {"src", "href", "action", "srcset", "poster", "data", "formaction", "background"}
SAFE_SCHEMES = {"", "data", "mailto", "tel"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                candidates = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.urls.extend((tag, name, url) for url in candidates)


def off_origin_urls(html: str, own_hosts: set[str]) -> list[str]:
    """Return every src/href/action in the page that points at another origin.

    >>> off_origin_urls('<a href="/x">x</a><img src="https://images.example.com/a.png">', {"testserver"})
    ['img src=https://images.example.com/a.png']
    """
    collector = _Collector()
    collector.feed(html)
    offending = []
    for tag, name, url in collector.urls:
        parts = urlsplit(url.strip())
        if parts.scheme in SAFE_SCHEMES and not parts.netloc:
            continue
        if parts.scheme in {"http", "https", ""} and parts.hostname in own_hosts:
            continue
        offending.append(f"{tag} {name}={url}")
    return offending
