from django import template

from config.dates import long_date as long_date_text

register = template.Library()


@register.filter(expects_localtime=True)
def long_date(value, format_name: str = "DATE_FORMAT") -> str:
    """Write a date in the reader's language, with French "1er" for the first of a month."""
    return long_date_text(value, format_name)
