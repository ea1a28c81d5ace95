"""The only module in reports/ that queries: it returns plain data for the pure modules."""

import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from assessment.instrument_file import read_crosswalk
from assessment.models import Cycle, Dimension, Item, Response, in_language
from config import reviews
from reports import analysis, report, wording
from reports.models import Action, CycleReport


@dataclass(frozen=True)
class Catalog:
    """What reports need to know about the questionnaire versions they cover, keyed by item key."""

    dimension_names: dict[str, str]
    items: dict[str, dict]


def _reportable(organization, mode: str):
    return (
        Cycle.objects.filter(organization=organization, mode=mode, status=Cycle.Status.CLOSED)
        .filter(Q(results__reportable=True))
        .order_by("closed_on", "opens_on", "created_at")
    )


def reportable_cycles(organization) -> list[Cycle]:
    """Return the organization's audits with a report, newest first, to plan an action from."""
    return list(
        Cycle.objects.filter(organization=organization, status=Cycle.Status.CLOSED, results__reportable=True)
        .select_related("questionnaire")
        .order_by("-closed_on", "-opens_on", "-created_at")
    )


def practices_by_dimension(questionnaire) -> list[tuple[str, list[Item]]]:
    """Return the questionnaire's practices (not the staff-view items) grouped by dimension, in
    the active language, in questionnaire order."""
    dimensions = in_language(questionnaire.dimensions.order_by("order"))
    items = in_language(questionnaire.items.filter(staff_view=False).order_by("order"))
    return [(d.name, [i for i in items if i.dimension_id == d.pk]) for d in dimensions]


def latest_reportable_cycle(organization, mode: str) -> Cycle | None:
    return _reportable(organization, mode).select_related("organization").last()


def history_ids(cycle: Cycle) -> list[str]:
    """Return the ids of the cycle's organization's reportable cycles of the same kind, up to it."""
    ids = [str(pk) for pk in _reportable(cycle.organization, cycle.mode).values_list("id", flat=True)]
    return ids[: ids.index(str(cycle.id)) + 1] if str(cycle.id) in ids else []


def same_year_records(cycle: Cycle) -> dict[str, dict]:
    """Return, by kind of audit, the latest reportable cycle of each kind closed in the cycle's
    year, the cycle itself for its own kind, as records (one query)."""
    found = {cycle.mode: cycle}
    same_year = (
        Cycle.objects.filter(organization=cycle.organization, status=Cycle.Status.CLOSED, results__reportable=True)
        .filter(closed_on__year=_year(cycle))
        .exclude(mode=cycle.mode)
        .select_related("questionnaire")
        .order_by("closed_on", "opens_on", "created_at")
    )
    for other in same_year:
        found[other.mode] = other
    return {mode: _record(other, other.label) for mode, other in found.items()}


def counterpart(cycle: Cycle, views: dict[str, dict]) -> dict | None:
    """Return, of the same year's records, the one the perception gap sets against the cycle: the
    self-audit for a staff survey, the staff survey for a self-audit, none for community feedback."""
    other = {Cycle.Mode.STAFF: Cycle.Mode.TEAM, Cycle.Mode.TEAM: Cycle.Mode.STAFF}.get(Cycle.Mode(cycle.mode))
    return views.get(other) if other else None


def _in_review(cycle: Cycle) -> bool:
    return reviews.awaits_review(cycle.questionnaire.slug, cycle.questionnaire.version)


def _record(cycle: Cycle, label: str) -> dict:
    return {
        "id": str(cycle.id),
        "label": label,
        "opens_on": cycle.opens_on.isoformat(),
        "closed_on": cycle.closed_on.isoformat() if cycle.closed_on else None,
        "mode": cycle.mode,
        "version": cycle.questionnaire.version,
        "questionnaire_id": str(cycle.questionnaire_id),
        "min_responses": cycle.min_responses,
        "invited_count": cycle.invited_count,
        # A form whose own wording awaits review with the people it asks: its results are a trial.
        "in_review": _in_review(cycle),
        "results": cycle.results,
    }


def cycle_records(organization, mode: str) -> list[dict]:
    """Return the reportable cycles of one kind, oldest first, as plain dicts with their results.

    Labels are made unique (by adding the closing date) since charts and tables key on them.
    """
    cycles = list(_reportable(organization, mode).select_related("questionnaire"))
    counts = Counter(cycle.label for cycle in cycles)
    return [
        _record(cycle, cycle.label if counts[cycle.label] == 1 else f"{cycle.label} ({cycle.closed_on})")
        for cycle in cycles
    ]


ENGLISH_ONLY = gettext_noop("(version %(version)s, English only) %(practice)s")
ENGLISH_ONLY_SHORT = gettext_noop("%(short)s (English only)")


def marked_if_english_only(item: Item, version: int) -> Item:
    """Mark an item shown in its language as English only where the reader's language lacks it
    (version 1 is English only): ahead of its text, as action plans do, and after its short title."""
    language = get_language() or settings.LANGUAGE_CODE
    if language != "en" and not item.translations.get(language, {}).get("text"):
        short = item.title
        item.text = _(ENGLISH_ONLY) % {"version": version, "practice": item.text}
        item.short = _(ENGLISH_ONLY_SHORT) % {"short": short}
    return item


def catalog(questionnaire_ids: list[str]) -> Catalog:
    """Return dimension names and item details in the active language; the newest version's
    wording wins for shared keys."""
    dimension_rows = Dimension.objects.filter(questionnaire_id__in=questionnaire_ids).order_by(
        "questionnaire__version", "order"
    )
    item_rows = (
        Item.objects.filter(questionnaire_id__in=questionnaire_ids)
        .select_related("dimension", "questionnaire")
        .order_by("questionnaire__version", "order")
    )
    dimensions, items = in_language(dimension_rows), in_language(item_rows)
    for item in items:
        item.dimension.in_language()
        marked_if_english_only(item, item.questionnaire.version)
    return Catalog(
        dimension_names={d.key: d.name for d in dimensions},
        items={
            i.key: {
                "key": i.key,
                "text": i.text,
                "short": i.title,
                "dimension": i.dimension.key,
                "dimension_name": i.dimension.name,
                "critical": i.critical,
                "reverse": i.reverse,
                "scale": i.scale,
                "max_value": i.max_value,
                "sources": i.sources,
                "practices": i.practices,
                "form": i.questionnaire.form,
                "recommendation": i.recommendation,
                "order": (i.dimension.order, i.order),
            }
            for i in items
        },
    )


CROSSWALK_FILE = Path(settings.BASE_DIR) / "fixtures" / "questionnaires" / "crosswalk.json"


@functools.cache
def crosswalk() -> tuple[dict, ...]:
    """Return the reviewed pairs of items that mean the same in two questionnaire versions.

    The file ships with the questionnaires; an entry is ``{"from": [version, key], "to":
    [version, key], "note": …}``. Nothing else is compared across versions.
    """
    return tuple(read_crosswalk(CROSSWALK_FILE))


def stored_report(cycle: Cycle, language: str) -> CycleReport | None:
    return CycleReport.objects.filter(cycle=cycle, language=language).first()


@dataclass
class ReportInputs:
    """What a cycle's report is built from now: its history, the same year's audits, and the basis
    (``report_basis``) a stored report must carry to be current."""

    history_ids: list[str]
    views: dict[str, dict]
    basis: list[str]


def report_inputs(cycle: Cycle) -> ReportInputs:
    history = history_ids(cycle)
    views = same_year_records(cycle)
    return ReportInputs(history, views, report_basis(history, same_year_ids(views)))


def is_current(row: CycleReport | None, basis: list[str]) -> bool:
    """Return whether a stored report is built from ``basis`` in this release's report shape."""
    return row is not None and row.basis == basis and row.payload.get("format") == report.REPORT_FORMAT


def current_stored_report(cycle: Cycle, inputs: ReportInputs, language: str) -> report.Report | None:
    """Return the report stored for the cycle in ``language`` if it is current, else None."""
    stored = stored_report(cycle, language)
    return stored.payload if stored is not None and is_current(stored, inputs.basis) else None


def computed_report(cycle: Cycle, inputs: ReportInputs) -> report.Report:
    """Compute the cycle's report in the active language from its inputs, storing nothing."""
    records = cycle_records(cycle.organization, cycle.mode)
    history = [record for record in records if record["id"] in inputs.history_ids]
    questionnaire_ids = {record["questionnaire_id"] for record in [*history, *inputs.views.values()]}
    found = catalog(sorted(questionnaire_ids))
    role_names = {key: str(name) for key, name in Response.role_group_names().items()}
    return report.cycle_report(
        history,
        wording.with_overall(found.dimension_names),
        found.items,
        counterpart(cycle, inputs.views),
        role_names,
        chart_labels=wording.chart_labels(),
        crosswalk=crosswalk(),
        views=inputs.views,
    )


def cycle_report(cycle: Cycle) -> report.Report:
    """Return the closed cycle's report in the active language, as stored when it closed.

    Reading writes nothing: the report is built and stored by the task that runs after a close
    (``reports.tasks.build_reports``), for the audits around it too, and by ``manage.py
    recompute_results`` on upgrade. Where no current one is stored yet (the task has not run yet,
    or an upgrade changed the report's shape and the command has not), it is computed here for
    this reader and not kept.
    """
    inputs = report_inputs(cycle)
    stored = current_stored_report(cycle, inputs, get_language() or settings.LANGUAGE_CODE)
    return stored if stored is not None else computed_report(cycle, inputs)


def report_basis(history: list[str], same_year: list[str]) -> list[str]:
    """Return what the cycle's report is built from: its history of the same kind, and the other
    kinds' audits of the same year (ids, in the order of ``VIEW_MODES``, each marked if its form
    awaits review); a stored report with another basis is out of date."""
    return [*history, *(f"with:{other}" for other in same_year)]


def same_year_ids(views: dict) -> list[str]:
    """Return the same year's audits by id, marked while their form awaits review, so that a
    report stored then is rebuilt once the form is reviewed."""
    return [
        f"{views[mode]['id']}{' in review' if views[mode]['in_review'] else ''}"
        for mode in report.VIEW_MODES
        if mode in views
    ]


def _reportable_order(cycle: Cycle) -> tuple:
    return (cycle.closed_on, cycle.opens_on, cycle.created_at)  # as ``_reportable`` orders them


def current_stored_reports(cycles: list[Cycle], wanted: list[Cycle], language: str) -> dict:
    """Return, for each of the ``wanted`` cycles, its stored report in ``language`` as its report
    page would serve it, or None while it is missing or out of date (until the task after a close
    stores it, the report page computes it for each reader). ``cycles`` holds every cycle of the
    organization, so the basis is worked out from them (with their questionnaires) and the
    reports are read in one query."""
    reportable = sorted((cycle for cycle in cycles if cycle.is_reportable), key=_reportable_order)
    stored = {
        report_row.cycle_id: report_row
        for report_row in CycleReport.objects.filter(cycle__in=wanted, language=language).only(
            "cycle_id", "basis", "payload"
        )
    }
    found = {}
    for cycle in wanted:
        history = [
            str(c.id) for c in reportable if c.mode == cycle.mode and _reportable_order(c) <= _reportable_order(cycle)
        ]
        views: dict[str, dict] = {cycle.mode: {"id": cycle.id, "in_review": _in_review(cycle)}}
        for other in reportable:
            if other.mode != cycle.mode and _year(other) == _year(cycle):
                views[other.mode] = {"id": other.id, "in_review": _in_review(other)}
        row = stored.get(cycle.id)
        basis = report_basis(history, same_year_ids(views))
        found[cycle.id] = row.payload if row is not None and is_current(row, basis) else None
    return found


def _year(cycle: Cycle) -> int:
    assert cycle.closed_on is not None  # a reportable cycle is closed
    return cycle.closed_on.year


def practice_wording(actions: list[Action]) -> list[Action]:
    """Set each action's ``practice_shown``: its practice in the active language where the
    questionnaire has it, else the wording saved when the action was planned, marked as English
    only (version 1 has no other language) ahead of the text, so that a shortened text keeps it."""
    for action in actions:
        action.practice_shown = action.practice_text
    language = get_language() or settings.LANGUAGE_CODE
    if language == "en" or not actions:
        return actions
    # An action whose audit was deleted keeps the wording saved with it.
    planned = [(action, action.source_cycle) for action in actions if action.source_cycle is not None]
    items = Item.objects.filter(
        questionnaire_id__in={source.questionnaire_id for _, source in planned},
        key__in={a.practice for a, _ in planned},
    ).only("questionnaire_id", "key", "translations", *Item.WORDED)
    wording = {
        (item.questionnaire_id, item.key): item.in_language(language).text
        for item in items
        if item.translations.get(language, {}).get("text")
    }
    versions = dict(
        Cycle.objects.filter(id__in={source.pk for _, source in planned}).values_list("id", "questionnaire__version")
    )
    for action, source in planned:
        shown = wording.get((source.questionnaire_id, action.practice))
        if shown is None:
            shown = _(ENGLISH_ONLY) % {"version": versions[source.pk], "practice": action.practice_text}
        action.practice_shown = shown
    return actions


def organization_actions(organization) -> list[Action]:
    """Return the organization's actions, open ones first, with owners and their practice's wording."""
    actions = Action.objects.filter(organization=organization).select_related("owner", "source_cycle")
    ordered = sorted(actions, key=lambda a: (not a.is_open, a.due_on is None, a.due_on or a.created_at.date()))
    return practice_wording(ordered)


def report_actions(cycle: Cycle) -> list[dict]:
    """Return the actions planned from earlier audits of this kind, each with how its practice
    changed between the audit it came from and this one (``analysis.action_result``)."""
    actions = (
        Action.objects.filter(
            organization_id=cycle.organization_id,
            source_cycle__mode=cycle.mode,
            source_cycle__closed_on__lt=cycle.closed_on,
        )
        .select_related("owner", "source_cycle__questionnaire")
        .order_by("created_at")
    )
    now = (cycle.results or {}).get("item_stats", {})
    version = cycle.questionnaire.version
    rows = []
    for action in practice_wording(list(actions)):
        source = action.source_cycle
        assert source is not None  # chosen by its audit above
        key: str | None = action.practice
        if source.questionnaire.version != version:
            key = analysis.crosswalk_keys(crosswalk(), source.questionnaire.version, version).get(action.practice)
        result = analysis.action_result(
            (source.results or {}).get("item_stats", {}).get(action.practice),
            now.get(key) if key else None,
            comparable=key is not None,
            one_set=not cycle.is_staff_survey,
        )
        rows.append({"action": action, **result})
    return rows


def actions_done_since(organization, since) -> list[Action]:
    """Return the actions marked done since a date, for staff where the organization shows its plan."""
    queryset = Action.objects.filter(organization=organization, status=Action.Status.DONE)
    if since is not None:
        queryset = queryset.filter(updated_at__date__gte=since)
    return list(queryset.order_by("-updated_at"))
