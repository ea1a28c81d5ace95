"""Assemble a cycle report from stored results. Pure: plain data in, a JSON-ready dict out."""

from collections.abc import Mapping, Sequence

from assessment import scoring
from reports import analysis, charts

# Bumped whenever the shape of a stored report changes, so older stored reports are rebuilt.
REPORT_FORMAT = 2

ROLE_GROUP_NAMES = {
    "leadership": "Leadership or management",
    "frontline": "Frontline staff",
    "volunteer": "Volunteers",
    "other": "Other roles",
    "not_stated": "Not stated",
}


def _item_row(key: str, results: Mapping, items: Mapping[str, dict]) -> dict:
    info = items.get(key, {"key": key, "text": key, "dimension_name": "", "recommendation": "", "sources": []})
    return {
        **{k: v for k, v in info.items() if k != "order"},
        "mean": results["item_means"].get(key),
        "sd": results.get("item_sd", {}).get(key),
        "n": results.get("item_n", {}).get(key),
        "dk": results.get("dk_counts", {}).get(key, 0),
        "na": results.get("na_counts", {}).get(key, 0),
        "band": scoring.band(results["item_means"].get(key)),
    }


def _score_rows(results: Mapping, names: Mapping[str, str]) -> list[dict]:
    rows = []
    keys = analysis.ordered_keys(results["dimensions"], list(names))
    for key, summary in [*((k, results["dimensions"][k]) for k in keys), (analysis.OVERALL, results[analysis.OVERALL])]:
        rows.append(
            {
                "key": key,
                "name": names.get(key, "Overall" if key == analysis.OVERALL else key),
                **{field: summary[field] for field in ("n", "mean", "sd", "ci_low", "ci_high", "band")},
            }
        )
    return rows


def cycle_report(
    history: Sequence[Mapping],
    dimension_names: Mapping[str, str],
    items: Mapping[str, dict],
) -> dict:
    """Return the report of the last cycle in ``history`` (same-kind cycles, oldest first)."""
    cycle = history[-1]
    results = cycle["results"]
    previous = history[-2] if len(history) > 1 else None
    is_staff = cycle["mode"] == "staff"
    scores = _score_rows(results, dimension_names)
    dimension_scores = [row for row in scores if row["key"] != analysis.OVERALL]

    change = None
    if previous is not None:
        frame = analysis.change_frame(previous["results"], results, dimension_names)
        change = {"previous_label": previous["label"], "rows": analysis.records(frame)}

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
        heatmap_rows.append({"key": key, "text": items.get(key, {}).get("text", key), "values": values})

    report = {
        "format": REPORT_FORMAT,
        "cycle": {k: cycle[k] for k in ("id", "label", "opens_on", "closed_on", "mode", "version", "min_responses")},
        "n": results["n"],
        "is_staff": is_staff,
        "scores": scores,
        "change": change,
        "critical_gaps": gaps,
        "weakest": weakest,
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
            "alpha": [
                {"key": key, "name": dimension_names.get(key, key), "alpha": results["alpha"][key]}
                for key in analysis.ordered_keys(results.get("alpha", {}), list(dimension_names))
            ],
        },
        "notes": [
            {"key": key, "text": items.get(key, {}).get("text", key), "note": note}
            for key, note in (results.get("notes") or {}).items()
        ],
    }
    if is_staff:
        report["least_consensus"] = [_item_row(key, results, items) for key in analysis.least_consensus(results)]
        groups = analysis.role_group_frame(results, dimension_names, cycle["min_responses"])
        report["role_groups"] = {
            "shown": not groups.empty,
            "min_n": cycle["min_responses"],
            "dimensions": [
                {"key": key, "name": dimension_names.get(key, key)}
                for key in analysis.ordered_keys(results["dimensions"], list(dimension_names))
            ],
            "rows": [{**row, "name": ROLE_GROUP_NAMES[row["group"]]} for row in analysis.records(groups)],
        }
    figures = {
        "bars": charts.dimension_bar_figure(dimension_scores),
        "radar": charts.radar_figure(
            {row["name"]: row["mean"] for row in dimension_scores},
            {
                dimension_names.get(key, key): previous["results"]["dimensions"][key]["mean"]
                for key in analysis.ordered_keys(previous["results"]["dimensions"], list(dimension_names))
            }
            if previous
            else None,
            [cycle["label"], previous["label"] if previous else ""],
        ),
        "trend": charts.trend_figure(trend_rows, changes),
        "heatmap": charts.item_heatmap_figure(
            [row["key"] for row in heatmap_rows],
            report["items"]["cycles"],
            [row["values"] for row in heatmap_rows],
        ),
    }
    report["charts"] = {name: charts.script_json(figure) for name, figure in figures.items()}
    return report
