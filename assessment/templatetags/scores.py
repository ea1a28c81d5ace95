"""How a stored score's band is shown, the same on the dashboard, an audit's page, the report and
the board summary: the band or the range of bands its interval spans, capped while a critical gap
stands, with the reason. The band names are translated here; the scoring rules name none."""

from collections.abc import Mapping

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

BAND_NAMES = {
    "beginning": _("beginning"),
    "developing": _("developing"),
    "established": _("established"),
    "leading": _("leading"),
}


@register.filter
def band_name(key: str | None) -> str:
    """Return a band's name in the active language ("" for no band)."""
    return str(BAND_NAMES.get(key or "", ""))


@register.inclusion_tag("assessment/_band.html")
def band(summary: Mapping, short: bool = False) -> dict:
    """Render a stored summary's band: ``band``, ``band_range`` and, from scoring version 3, ``capped``.

    ``short`` says only "(capped)", for tables whose page explains the cap beside them.
    """
    low, high = (list(summary.get("band_range") or []) + [None, None])[:2]
    return {
        "key": summary.get("band"),
        "low": low,
        "high": high,
        "is_range": bool(low and high and low != high),
        "capped": summary.get("capped", False),
        "uncapped": summary.get("uncapped_band"),
        "short": short,
    }
