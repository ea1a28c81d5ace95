"""Walk the URLconf: every named URL, with the parameters it takes."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class NamedURL:
    name: str
    route: str
    params: tuple[str, ...]


def named_urls() -> list[NamedURL]:
    """Return every named URL pattern, namespaced, with its parameter names."""
    found = []

    def walk(patterns, route="", namespace=None, params=()):
        for pattern in patterns:
            own = tuple(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route + str(pattern.pattern), inner, params + own)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append(NamedURL(name, route + str(pattern.pattern), params + own))

    walk(get_resolver().url_patterns)
    return sorted({u.name: u for u in found}.values(), key=lambda u: u.name)
