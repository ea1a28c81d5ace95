"""Assemble a cycle report from stored results. Pure: plain data in, a JSON-ready dict out."""

from collections.abc import Mapping, Sequence

from assessment import scoring
from reports import analysis, charts

# Bumped whenever the shape of a stored report changes, so older stored reports are rebuilt.
REPORT_FORMAT = 6


def _item_row(key: str, results: Mapping, items: Mapping[str, dict]) -> dict:
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
    }


def _score_rows(results: Mapping, names: Mapping[str, str]) -> list[dict]:
    rows = []
    keys = analysis.ordered_keys(results["dimensions"], list(names))
    for key, summary in [*((k, results["dimensions"][k]) for k in keys), (analysis.OVERALL, results[analysis.OVERALL])]:
        rows.append(
            {
                "key": key,
                "name": analysis.display_name(names, key),
                **{field: summary[field] for field in ("n", "mean", "sd", "ci_low", "ci_high", "band")},
                "band_range": list(scoring.band_range(summary["ci_low"], summary["ci_high"])),
            }
        )
    return rows


def _change(previous: Mapping | None, cycle: Mapping, names: Mapping[str, str], items: Mapping[str, dict]):
    """Return the change since the previous cycle: tested within one questionnaire version, only
    described (shared items, untested) across versions."""
    if previous is None:
        return None
    base = {"previous_label": previous["label"], "comparable": previous["version"] == cycle["version"]}
    if base["comparable"]:
        frame = analysis.change_frame(previous["results"], cycle["results"], names)
        return {**base, "rows": analysis.records(frame)}
    shared = analysis.shared_item_changes(previous["results"], cycle["results"])
    for row in shared:
        row["text"] = items.get(row["key"], {}).get("text", row["key"])
    return {**base, "rows": [], "shared_items": shared}


def _summary(report: Mapping) -> dict:
    """Return what a director reads first: where the organization stands, what changed clearly,
    which critical rules are broken, and the next three steps."""
    overall = next(row for row in report["scores"] if row["key"] == analysis.OVERALL)
    change = report["change"]
    clear = [row for row in (change or {}).get("rows", []) if row["clear"] and row["dimension"] != analysis.OVERALL]
    steps = []
    for item in [*report["critical_gaps"], *report["weakest"]]:
        if item.get("recommendation") and len(steps) < 3:
            steps.append({"short": item.get("short") or item["text"], "recommendation": item["recommendation"]})
    return {
        "overall": overall["mean"],
        "band": overall["band"],
        "band_range": overall["band_range"],
        "n": report["n"],
        "change": "first" if change is None else ("comparable" if change["comparable"] else "new_version"),
        "previous_label": (change or {}).get("previous_label"),
        "clear": [{"name": row["name"], "clear": row["clear"], "delta": round(row["delta"])} for row in clear],
        "critical": [item.get("short") or item["text"] for item in report["critical_gaps"]],
        "steps": steps,
        "perception": None,
    }


def cycle_report(
    history: Sequence[Mapping],
    dimension_names: Mapping[str, str],
    items: Mapping[str, dict],
    counterpart: Mapping | None = None,
    role_group_names: Mapping[str, str] | None = None,
    *,
    chart_labels: Mapping[str, str],
) -> dict:
    """Return the report of the last cycle in ``history`` (same-kind cycles, oldest first).

    Every word comes from the caller, in the reader's language: ``dimension_names`` (with the
    overall score's name under ``analysis.OVERALL``), ``items``, ``role_group_names`` and
    ``chart_labels`` (see ``charts.LABEL_KEYS``).

    ``counterpart`` is the other kind's cycle closed in the same year (a self-audit for a staff
    survey, and the reverse), for the perception gap.
    """
    cycle = history[-1]
    results = cycle["results"]
    previous = history[-2] if len(history) > 1 else None
    is_staff = cycle["mode"] == "staff"
    scores = _score_rows(results, dimension_names)
    dimension_scores = [row for row in scores if row["key"] != analysis.OVERALL]

    change = _change(previous, cycle, dimension_names, items)

    gaps = [_item_row(key, results, items) for key in results["critical_gaps"]]
    weakest = [
        _item_row(key, results, items) for key in analysis.weakest_items(results, exclude=results["critical_gaps"])
    ]

    trend = analysis.dimension_trend_frame(history, dimension_names)
    trend_rows = analysis.records(trend)
    changes = analysis.version_changes(history)
    item_frame = analysis.item_trend_frame(history)
    order = {key: info.get("order", (99, 99)) for key, info in items.items()}
    item_keys = sorted(item_frame.index, key=lambda key: (order.get(key, (99, 99)), key))
    item_frame = item_frame.reindex(item_keys)
    cycle_labels = [c["label"] for c in history]
    heatmap_rows = []
    for key in item_keys:
        by_label = analysis.records(item_frame.loc[[key]])[0]
        values = [by_label[label] for label in cycle_labels]  # a list: JSON objects lose their order
        info = items.get(key, {})
        heatmap_rows.append(
            {"key": key, "text": info.get("text", key), "short": info.get("short", key), "values": values}
        )

    report = {
        "format": REPORT_FORMAT,
        "cycle": {k: cycle[k] for k in ("id", "label", "opens_on", "closed_on", "mode", "version", "min_responses")},
        "n": results["n"],
        "is_staff": is_staff,
        "scores": scores,
        "change": change,
        "critical_gaps": gaps,
        "weakest": weakest,
        "awareness_gaps": [_item_row(key, results, items) for key in analysis.awareness_gaps(results)],
        "perception_gap": None,
        "trend": {
            "rows": trend_rows,
            "cycles": [c["label"] for c in history],
            "links": [{"id": c["id"], "label": c["label"]} for c in history],
            "version_changes": changes,
        },
        "items": {"cycles": [c["label"] for c in history], "rows": heatmap_rows},
        "item_table": [_item_row(key, results, items) for key in item_keys if key in results["item_means"]],
        "methodology": {
            "dk_total": sum(results.get("dk_counts", {}).values()),
            "na_total": sum(results.get("na_counts", {}).values()),
            "scoring_version": results.get("scoring_version", 1),
        },
        "notes": [
            {"key": key, "text": items.get(key, {}).get("text", key), "note": note}
            for key, note in (results.get("notes") or {}).items()
        ],
    }
    if is_staff:
        report["least_consensus"] = [
            {"rank": rank, "items": [_item_row(key, results, items) for key in keys]}
            for rank, keys in enumerate(analysis.least_consensus(results), start=1)
        ]
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
    report["summary"] = _summary(report)
    if counterpart is not None:
        self_audit, staff = (counterpart, cycle) if is_staff else (cycle, counterpart)
        gap = analysis.perception_gap(self_audit["results"], staff["results"], items, dimension_names)
        if gap["dimensions"]:
            report["perception_gap"] = {"other_label": counterpart["label"], **gap}
    figures = {
        "bars": charts.dimension_bar_figure(dimension_scores, chart_labels),
        "trend": charts.trend_figure(trend_rows, changes, chart_labels),
        "heatmap": charts.item_heatmap_figure(
            [row["short"] for row in heatmap_rows],
            report["items"]["cycles"],
            [row["values"] for row in heatmap_rows],
            chart_labels,
        ),
    }
    if report["perception_gap"]:
        largest = max(report["perception_gap"]["dimensions"], key=lambda row: abs(row["gap"]))
        report["summary"]["perception"] = {"name": largest["name"], "gap": round(largest["gap"])}
    if change and change["comparable"]:
        rows = [row for row in change["rows"] if row["previous"] is not None and row["current"] is not None]
        figures["change"] = charts.change_figure(rows, [cycle["label"], previous["label"]], chart_labels)
    if report["perception_gap"]:
        figures["perception"] = charts.perception_figure(report["perception_gap"]["dimensions"], chart_labels)
    report["charts"] = {name: charts.script_json(figure) for name, figure in figures.items()}
    return report
