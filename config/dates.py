"""Dates written out in the reader's language."""

import datetime
import re

from django.utils.formats import date_format
from django.utils.translation import get_language

FIRST_OF_MONTH = re.compile(r"^1(?=\s)")


def long_date(value: datetime.date | None, format_name: str = "DATE_FORMAT") -> str:
    """Return ``value`` in the active language's ``format_name``, with French "1er" for the first of a month.

    >>> from django.utils import translation
    >>> with translation.override("fr"):
    ...     long_date(datetime.date(2027, 3, 1)), long_date(datetime.date(2027, 3, 2))
    ('1er mars 2027', '2 mars 2027')
    """
    if not value:
        return ""
    text = date_format(value, format_name)
    if (get_language() or "").startswith("fr") and value.day == 1:
        text = FIRST_OF_MONTH.sub("1er", text)
    return text
