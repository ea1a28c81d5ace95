"""The words reports show that are not in a questionnaire: chart labels and the overall score's name.

The pure modules (``analysis``, ``report``, ``charts``, ``coalitions.benchmarks``) take these as
arguments; here they are translated into the active language.
"""

from django.utils.translation import gettext_lazy as _

from reports.analysis import OVERALL

CHART_LABELS = {
    "score_axis": _("Score (0–100)"),
    # xgettext:no-python-format
    "interval": _("95% interval"),
    "new_version": _("New questionnaire version"),
    "mean": _("Average"),
    "middle_half": _("Middle half of members (quartile 1 to 3)"),
    "median": _("Coalition median"),
    "own": _("Your organization"),
    "staff": _("Staff survey"),
    "self": _("Leadership self-audit"),
    "better": _("clearly better"),
    "worse": _("clearly worse"),
    "unclear": _("no clear change"),
    "untested": _("not tested"),
}
OVERALL_NAME = _("Overall")


def chart_labels() -> dict[str, str]:
    """Return the chart labels in the active language."""
    return {key: str(label) for key, label in CHART_LABELS.items()}


def with_overall(dimension_names: dict[str, str]) -> dict[str, str]:
    """Return the dimension names with the overall score's name, in the active language."""
    return {**dimension_names, OVERALL: str(OVERALL_NAME)}
