"""Assemble a cycle report from stored results. Pure: plain data in, a JSON-ready dict out.

The report is typed (``Report``): every page, chart and export that speaks of a figure or a
verdict reads it from here. Verdicts come from ``scoring.compare`` through
``analysis.change_rows`` and are never decided again downstream.
"""

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

from assessment import scoring
from assessment.aggregation import ResponseRate, practice_keys, response_rate
from reports import analysis, charts

# Bumped whenever the shape of a stored report changes, so older stored reports are rebuilt.
REPORT_FORMAT = 12


class ScoreRow(TypedDict):
    key: str
    name: str
    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    alike: bool  # everyone answered alike: no interval is shown
    band: str | None
    band_range: list[str | None]
    uncapped_band: str | None
    capped: bool


class ItemRow(TypedDict, total=False):
    key: str
    text: str
    short: str
    dimension: str
    dimension_name: str
    critical: bool
    reverse: bool
    scale: str
    max_value: int
    sources: list[str]
    practices: list[str]
    recommendation: str
    mean: float | None
    sd: float | None
    n: int | None
    dk: int
    na: int
    dk_rate: float | None
    top_share: float | None
    band: str | None
    # Critical gaps only: the answers that were not the best (a reported break on the breaks
    # scale), as a share with its exact 95% interval, or the level a self-audit gave.
    breaks: int
    share: float | None
    share_low: float | None
    share_high: float | None
    level: int | None
    # A self-audit's companion breaks entry, answered from its records: "once", "more" or
    # "unrecorded" ("Don't know" reads "we do not record this"); None otherwise.
    record: str | None
    # A self-audit's level above 1 claimed without an evidence note (scored as level 1), from
    # the stored results; None otherwise.
    claimed: int | None


class Report(TypedDict):
    format: int
    cycle: dict
    n: int
    is_staff: bool  # many people's answers: a staff survey or community feedback
    is_community: bool
    # The form's own wording awaits review with the people it asks (config.reviews.awaits_review):
    # its results are a trial.
    form_in_review: bool
    scores: list[ScoreRow]
    change: dict | None
    critical_gaps: list[ItemRow]
    weakest: list[ItemRow]
    awareness_gaps: list[ItemRow]
    perception_gap: dict | None
    response_rate: ResponseRate | None
    trend: dict
    items: dict
    item_table: list[ItemRow]
    methodology: dict
    notes: list[dict]
    unevidenced: list[ItemRow]  # practices claimed above level 1 without evidence, in order
    summary: dict
    charts: dict[str, str]
    least_consensus: NotRequired[list[dict]]
    role_groups: NotRequired[dict]
    three_views: NotRequired[dict | None]


# The three ways an organization is seen, in the order a report sets them side by side.
VIEW_MODES = ("team", "staff", "community")


def _view_cell(summary: Mapping | None) -> dict | None:
    """Return a score with its n and interval; ``alike`` when everyone answered alike, so that
    the interval, of no width, is not shown as if it said where the score lies."""
    if not summary or summary.get("mean") is None:
        return None
    cell = {key: summary.get(key) for key in ("n", "mean", "ci_low", "ci_high")}
    cell["alike"] = cell["ci_low"] is not None and cell["ci_high"] <= cell["ci_low"]
    return cell


def _served_verdict(served: Mapping | None, staff: Mapping | None) -> str | None:
    """Whether the people served score a practice clearly below staff: "lower" when their
    intervals do not meet, "alike" when a side's answers were all alike (an interval of no width
    tells nothing of where its score lies: as with change over time, it is not compared), else None.

    >>> _served_verdict({"ci_low": 20.0, "ci_high": 40.0}, {"ci_low": 50.0, "ci_high": 70.0})
    'lower'
    >>> _served_verdict({"ci_low": 20.0, "ci_high": 40.0}, {"ci_low": 100.0, "ci_high": 100.0, "alike": True})
    'alike'
    >>> _served_verdict({"ci_low": 20.0, "ci_high": 60.0}, {"ci_low": 50.0, "ci_high": 70.0}) is None
    True
    """
    if served is None or staff is None or served["ci_low"] is None or staff["ci_low"] is None:
        return None
    if served.get("alike") or staff.get("alike"):
        return "alike"
    return "lower" if served["ci_high"] < staff["ci_low"] else None


def practice_name(practice: str, items: Mapping[str, dict]) -> str:
    """Return a practice in words: the title of the leadership checklist's entry for it, or of
    the first item that asks about it.

    >>> practice_name("P5", {"a": {"short": "Police", "practices": ["P5"]}})
    'Police'
    """
    asking = [info for info in items.values() if practice in info.get("practices", ())]
    own = [info for info in asking if info.get("form") == "checklist" and len(info.get("practices", ())) == 1]
    chosen = (own or asking or [{"short": practice}])[0]
    return chosen.get("short") or chosen.get("text") or practice


def three_views(
    views: Mapping[str, Mapping], items: Mapping[str, dict], dimension_names: Mapping[str, str]
) -> dict | None:
    """Return leadership's, staff's and the served people's scores side by side, per dimension and
    per practice the people served were asked about, or None without community feedback.

    ``views`` holds, by kind of audit, the reportable cycle of that kind closed in the report's
    year (the report's own among them). Each cell carries n and the 95% interval where there is
    one (a self-audit is one set of answers: none). A practice's ``verdict`` says whether the
    people served rate it clearly below staff (``_served_verdict``).
    """
    if "community" not in views or len(views) < 2:
        return None
    modes = [mode for mode in VIEW_MODES if mode in views]
    results = {mode: views[mode]["results"] for mode in modes}
    columns = [{"mode": mode, "label": views[mode]["label"], "n": results[mode]["n"]} for mode in modes]
    dimensions = []
    for key in [*results["community"]["dimensions"], analysis.OVERALL]:
        cells = [
            _view_cell(
                results[mode].get(analysis.OVERALL) if key == analysis.OVERALL else results[mode]["dimensions"].get(key)
            )
            for mode in modes
        ]
        dimensions.append({"key": key, "name": dimension_names.get(key, key), "cells": cells})
    practices = []
    for practice in results["community"].get("practices", {}):
        found = {mode: _view_cell((results[mode].get("practices") or {}).get(practice)) for mode in modes}
        practices.append(
            {
                "practice": practice,
                "name": practice_name(practice, items),
                "cells": [found[mode] for mode in modes],
                "verdict": _served_verdict(found.get("community"), found.get("staff")),
            }
        )
    return {
        "columns": columns,
        "dimensions": dimensions,
        "practices": practices,
        "served_in_review": bool(views["community"].get("in_review")),
    }


def _item_row(key: str, results: Mapping, items: Mapping[str, dict]) -> ItemRow:
    info = items.get(key, {"key": key, "text": key, "dimension_name": "", "recommendation": "", "sources": []})
    found = (results.get("item_stats") or {}).get(key, {})
    return {
        **{k: v for k, v in info.items() if k != "order"},
        "mean": results["item_means"].get(key),
        "sd": results.get("item_sd", {}).get(key),
        "n": results.get("item_n", {}).get(key),
        "dk": results.get("dk_counts", {}).get(key, 0),
        "na": results.get("na_counts", {}).get(key, 0),
        "dk_rate": found.get("dk_rate"),
        "top_share": found.get("top_share"),
        "band": scoring.band(results["item_means"].get(key)),
        "claimed": (results.get("unevidenced") or {}).get(key),
    }


def _gap_row(key: str, results: Mapping, items: Mapping[str, dict], *, one_set: bool) -> ItemRow:
    """Return a critical gap as a count with its interval: how many answers were not the best."""
    row = _item_row(key, results, items)
    found = (results.get("item_stats") or {}).get(key, {})
    n = found.get("n", 0)
    breaks = found.get("breaks")
    if breaks is None:  # results stored before breaks were counted
        breaks = n - round((found.get("top_share") or 0) * n)
    share = scoring.proportion(breaks, n)
    row.update(
        {
            "breaks": breaks,
            "share": share.share,
            "share_low": share.ci_low,
            "share_high": share.ci_high,
            "level": None,
            "record": None,
        }
    )
    if one_set and row.get("scale") == scoring.BREAKS_SCALE:
        # One answer from the organization's records: what it says, never a share of staff.
        if n == 0:
            row["record"] = "unrecorded" if row["dk"] else None
        elif row["mean"] is not None:
            row["record"] = {50: "once", 0: "more"}.get(round(row["mean"]))
    elif one_set and n == 1 and row["mean"] is not None:
        row["level"] = scoring.answer_from_score(
            row["mean"], row.get("max_value") or 3, reverse=bool(row.get("reverse"))
        )
    return row


def _score_rows(results: Mapping, names: Mapping[str, str]) -> list[ScoreRow]:
    rows: list[ScoreRow] = []
    keys = analysis.ordered_keys(results["dimensions"], list(names))
    for key, summary in [*((k, results["dimensions"][k]) for k in keys), (analysis.OVERALL, results[analysis.OVERALL])]:
        low, high = scoring.band_range(summary["ci_low"], summary["ci_high"])
        rows.append(
            {
                "key": key,
                "name": analysis.display_name(names, key),
                **{field: summary[field] for field in ("n", "mean", "sd", "ci_low", "ci_high")},  # type: ignore[typeddict-item]
                "alike": summary["sd"] == 0,
                # Stored from version 3 on; earlier results carry the band alone.
                "band": summary["band"],
                "band_range": summary.get("band_range") or [low, high],
                "uncapped_band": summary.get("uncapped_band", summary["band"]),
                "capped": summary.get("capped", False),
            }
        )
    return rows


def _change(
    previous: Mapping | None,
    cycle: Mapping,
    names: Mapping[str, str],
    items: Mapping[str, dict],
    crosswalk: Sequence[Mapping],
) -> dict | None:
    """Return the change since the previous cycle: tested within one questionnaire version (a
    staff survey), shown untested for a self-audit, and across versions only the crosswalked
    items, untested."""
    if previous is None:
        return None
    base = {"previous_label": previous["label"], "comparable": previous["version"] == cycle["version"]}
    if base["comparable"]:
        one_set = cycle["mode"] != "staff"
        rows = analysis.change_rows(previous["results"], cycle["results"], names, one_set=one_set)
        return {**base, "one_set": one_set, "rows": rows}
    same = analysis.crosswalk_keys(crosswalk, previous["version"], cycle["version"])
    shared = analysis.shared_item_changes(previous["results"], cycle["results"], same)
    for row in shared:
        row["text"] = items.get(row["key"], {}).get("text", row["key"])
    return {**base, "one_set": False, "rows": [], "shared_items": shared}


def _summary(report: Mapping) -> dict:
    """Return what a director reads first: where the organization stands, what changed clearly,
    which critical rules were broken, and the next three steps. Verdicts are the change rows'
    own, copied, never decided again."""
    overall = next(row for row in report["scores"] if row["key"] == analysis.OVERALL)
    change = report["change"]
    if change is None:
        kind = "first"
    elif not change["comparable"]:
        kind = "new_version"
    elif change["one_set"]:
        kind = "one_set"
    else:
        kind = "comparable"
    clear = [row for row in (change or {}).get("rows", []) if row["verdict"] in (scoring.BETTER, scoring.WORSE)]
    steps: list[dict[str, str]] = []
    for item in [*report["critical_gaps"], *report["weakest"]]:
        if item.get("recommendation") and len(steps) < 3:
            steps.append({"short": item.get("short") or item["text"], "recommendation": item["recommendation"]})
    perception = report["perception_gap"]
    return {
        "overall": overall["mean"],
        "band": overall["band"],
        "band_range": overall["band_range"],
        "capped": overall["capped"],
        "uncapped_band": overall["uncapped_band"],
        "n": report["n"],
        "change": kind,
        "previous_label": (change or {}).get("previous_label"),
        "clear": clear,
        "critical": report["critical_gaps"],
        "steps": steps,
        "perception": [row["name"] for row in perception["dimensions"] if row["clear"]] if perception else None,
        "response_rate": report["response_rate"],
    }


def _heatmap_rows(
    history: Sequence[Mapping], items: Mapping[str, dict], crosswalk: Sequence[Mapping]
) -> tuple[list[str], list[dict]]:
    item_frame = analysis.item_trend_frame(history, crosswalk)
    order = {key: info.get("order", (99, 99)) for key, info in items.items()}
    item_keys = sorted(item_frame.index, key=lambda key: (order.get(key, (99, 99)), key))
    item_frame = item_frame.reindex(item_keys)
    labels = list(item_frame.columns)
    rows = []
    for key in item_keys:
        by_label = analysis.records(item_frame.loc[[key]])[0]
        info = items.get(key, {})
        rows.append(
            {
                "key": key,
                "text": info.get("text", key),
                "short": info.get("short", key),
                "values": [by_label[label] for label in labels],  # a list: JSON objects lose their order
            }
        )
    return labels, rows


def cycle_report(
    history: Sequence[Mapping],
    dimension_names: Mapping[str, str],
    items: Mapping[str, dict],
    counterpart: Mapping | None = None,
    role_group_names: Mapping[str, str] | None = None,
    *,
    chart_labels: Mapping[str, str],
    crosswalk: Sequence[Mapping] = (),
    views: Mapping[str, Mapping] | None = None,
) -> Report:
    """Return the report of the last cycle in ``history`` (same-kind cycles, oldest first).

    Every word comes from the caller, in the reader's language: ``dimension_names`` (with the
    overall score's name under ``analysis.OVERALL``), ``items``, ``role_group_names`` and
    ``chart_labels`` (see ``charts.LABEL_KEYS``). ``crosswalk`` holds the reviewed pairs of items
    that mean the same in two questionnaire versions.

    ``counterpart`` is the other kind's cycle closed in the same year (a self-audit for a staff
    survey, and the reverse), for the perception gap. ``views`` holds every kind's cycle closed
    that year, by kind, for the three views (``three_views``).
    """
    cycle = history[-1]
    results = cycle["results"]
    previous = history[-2] if len(history) > 1 else None
    # Staff surveys and community feedback are many people's answers, read alike; a self-audit is one set.
    is_community = cycle["mode"] == "community"
    is_staff = cycle["mode"] == "staff" or is_community
    min_n = cycle["min_responses"] if is_staff else 1
    scores = _score_rows(results, dimension_names)
    dimension_scores = [row for row in scores if row["key"] != analysis.OVERALL]
    change = _change(previous, cycle, dimension_names, items, crosswalk)

    gaps = [_gap_row(key, results, items, one_set=not is_staff) for key in results["critical_gaps"]]
    weakest = [
        _item_row(key, results, items)
        for key in analysis.weakest_items(results, exclude=results["critical_gaps"], min_n=min_n)
    ]
    trend_rows = analysis.records(analysis.dimension_trend_frame(history, dimension_names))
    changes = analysis.version_changes(history)
    heatmap_cycles, heatmap_rows = _heatmap_rows(history, items, crosswalk)
    order = {key: info.get("order", (99, 99)) for key, info in items.items()}
    table_keys = sorted(practice_keys(results), key=lambda key: (order.get(key, (99, 99)), key))

    report: Report = {
        "format": REPORT_FORMAT,
        "cycle": {k: cycle[k] for k in ("id", "label", "opens_on", "closed_on", "mode", "version", "min_responses")},
        "n": results["n"],
        "is_staff": is_staff,
        "is_community": is_community,
        "form_in_review": bool(cycle.get("in_review")),
        "scores": scores,
        "change": change,
        "critical_gaps": gaps,
        "weakest": weakest,
        "awareness_gaps": [_item_row(key, results, items) for key in analysis.awareness_gaps(results, min_n=min_n)],
        "perception_gap": None,
        "response_rate": response_rate(results, cycle.get("invited_count", 0)) if cycle["mode"] == "staff" else None,
        "trend": {
            "rows": trend_rows,
            "cycles": [c["label"] for c in history],
            "links": [{"id": c["id"], "label": c["label"]} for c in history],
            "version_changes": changes,
        },
        "items": {
            "cycles": heatmap_cycles,
            "left_out": [c["label"] for c in history if c["label"] not in heatmap_cycles],
            "rows": heatmap_rows,
        },
        "item_table": [_item_row(key, results, items) for key in table_keys],
        "methodology": {
            "dk_total": sum(results.get("dk_counts", {}).values()),
            "na_total": sum(results.get("na_counts", {}).values()),
            "scoring_version": results.get("scoring_version", 1),
            "family_alpha": next(
                (row["alpha"] for row in (change or {}).get("rows", []) if row["dimension"] != analysis.OVERALL),
                None,
            ),
        },
        "notes": [
            {"key": key, "text": items.get(key, {}).get("text", key), "note": note}
            for key, note in (results.get("notes") or {}).items()
        ],
        "unevidenced": [
            _item_row(key, results, items) for key in table_keys if key in (results.get("unevidenced") or {})
        ],
        "summary": {},
        "charts": {},
    }
    if is_staff:
        report["least_consensus"] = [
            {"rank": rank, "items": [_item_row(key, results, items) for key in keys]}
            for rank, keys in enumerate(analysis.least_consensus(results, min_n=min_n), start=1)
        ]
    if cycle["mode"] == "staff":
        groups = analysis.role_group_frame(results, dimension_names, cycle["min_responses"])
        report["role_groups"] = {
            "shown": not groups.empty,
            "min_n": cycle["min_responses"],
            "dimensions": [
                {"key": key, "name": dimension_names.get(key, key)}
                for key in analysis.ordered_keys(results["dimensions"], list(dimension_names))
            ],
            "rows": [
                {**row, "name": (role_group_names or {}).get(row["group"], row["group"])}
                for row in analysis.records(groups)
            ],
        }
    if counterpart is not None and counterpart["version"] == cycle["version"]:
        self_audit, staff = (counterpart, cycle) if is_staff else (cycle, counterpart)
        gap = analysis.perception_gap(self_audit["results"], staff["results"], items, dimension_names)
        if gap["dimensions"] or gap["practices"]:
            report["perception_gap"] = {"other_label": counterpart["label"], **gap}
    report["three_views"] = three_views(views or {}, items, dimension_names)
    report["summary"] = _summary(report)
    figures = {
        "bars": charts.dimension_bar_figure(dimension_scores, chart_labels),
        "trend": charts.trend_figure(trend_rows, changes, chart_labels),
        "heatmap": charts.item_heatmap_figure(
            [row["short"] for row in heatmap_rows],
            heatmap_cycles,
            [row["values"] for row in heatmap_rows],
            chart_labels,
        ),
    }
    if change and change["comparable"] and previous is not None:
        rows = [row for row in change["rows"] if row["previous"] is not None and row["current"] is not None]
        figures["change"] = charts.change_figure(rows, [cycle["label"], previous["label"]], chart_labels)
    if report["perception_gap"] and report["perception_gap"]["dimensions"]:
        figures["perception"] = charts.perception_figure(report["perception_gap"]["dimensions"], chart_labels)
    report["charts"] = {name: charts.script_json(figure) for name, figure in figures.items()}
    return report
