"""Helpers for the printed report: text for the page margins' CSS, and the heat map's shading."""

import math
import unicodedata

from django import template
from django.utils.safestring import SafeString, mark_safe

from assessment import scoring

register = template.Library()


@register.filter
def css_string(value: object) -> SafeString:
    """Return ``value`` as the body of a double-quoted CSS string, safe inside a ``<style>`` element.

    Every ASCII character but letters, digits and the space, and every control or format
    character, becomes a hex escape, so no quote, backslash, newline or ``</style>`` survives:

    >>> str(css_string('A "B" </style> \\\\ C'))
    'A \\\\22 B\\\\22  \\\\3c \\\\2f style\\\\3e  \\\\5c  C'
    >>> str(css_string("Tōkyō · 东京"))
    'Tōkyō · 东京'
    """
    escaped = []
    for char in str(value):
        if char == " " or (char.isascii() and char.isalnum()):
            escaped.append(char)
        elif char.isascii() or unicodedata.category(char)[0] in "CZ":
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    # Safe: nothing is left but letters, digits, spaces and escapes.
    return mark_safe("".join(escaped))


@register.filter
def heat_band(value: float | None) -> str:
    """Return the band of a score as the table shows it (rounded half up), "" for none.

    >>> heat_band(39.5), heat_band(39.4), heat_band(None)
    ('developing', 'beginning', '')
    """
    if value is None:
        return ""
    return scoring.band(float(math.floor(value + 0.5))) or ""
