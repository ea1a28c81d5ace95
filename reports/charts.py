"""Chart figures for reports. Pure plotly: plain data in, JSON-ready figure dicts out.

Every word a chart shows comes from the caller's ``labels`` (keys in ``LABEL_KEYS``), so charts are
drawn in the reader's language without this module knowing about translation.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any, overload

import plotly.graph_objects as go

# Okabe–Ito: distinguishable with every common kind of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# plotly.js sets inline styles on the charts it draws; pages that draw charts allow them (scripts stay 'self').
CHART_CSP = {"style-src": ["'unsafe-inline'"]}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 14, "color": "#1b1f24"}


LABEL_KEYS = (
    "score_axis",  # the 0–100 score axis
    "interval",  # a score's 95% interval
    "new_version",  # marks the audit where the questionnaire version changed
    "mean",  # the heat map's colour bar
    "middle_half",  # the coalition's quartile 1 to 3
    "median",  # the coalition's median
    "own",  # the reader's organization
    "staff",  # the staff survey
    "self",  # the leadership self-audit
    "better",  # a change verdict: clearly better
    "worse",  # clearly worse
    "unclear",  # no clear change
    "untested",  # a change that was not tested
)

_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def script_json(figure: Mapping) -> str:
    r"""Return the figure as JSON that is safe inside a ``<script type="application/json">`` element.

    Stored once with a report, so a page embeds it without encoding it again.

    >>> script_json({"layout": {"title": "</script>&"}})
    '{"layout":{"title":"\\u003C/script\\u003E\\u0026"}}'
    """
    return json.dumps(figure, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


def _layout(**extra: Any) -> dict:
    return {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 60},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": PALETTE,
        "showlegend": True,
        # Below the plot, at the foot of the figure: charts.js widens the bottom margin until the
        # axis title and the legend never meet, whatever the width and language.
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
        },
        **extra,
    }


_MARKUP_ESCAPES = {ord("<"): "&lt;", ord(">"): "&gt;"}
_TEXT_KEYS = ("x", "y", "name", "text", "hovertext")


@overload
def as_text(value: str) -> str: ...
@overload
def as_text(value: object) -> object: ...
def as_text(value: object) -> object:
    """Return a label that plotly shows as written: its pseudo-HTML (links, bold) is escaped.

    >>> as_text('<a href="https://example.org">2025</a>')
    '&lt;a href="https://example.org"&gt;2025&lt;/a&gt;'
    """
    if isinstance(value, str):
        return value.translate(_MARKUP_ESCAPES)
    if isinstance(value, list):
        return [as_text(v) for v in value]
    return value


def _plain(figure: go.Figure) -> dict:
    """Return the figure as plain data, every label from outside (cycle labels, item titles) shown as text."""
    plain: dict = json.loads(figure.to_json())
    # plotly.py's default template is most of a figure's size and restates plotly.js's own defaults.
    plain["layout"].pop("template", None)
    for trace in plain.get("data", []):
        for key in _TEXT_KEYS:
            if key in trace:
                trace[key] = as_text(trace[key])
    return plain


def _score_axis(labels: Mapping[str, str], **extra: Any) -> dict:
    return {
        "range": [0, 100],
        "title": {"text": labels["score_axis"]},
        "gridcolor": "#d9dee3",
        # Room for the title below the tick labels, whatever the width.
        "automargin": True,
        **extra,
    }


def dimension_bar_figure(rows: Sequence[Mapping], labels: Mapping[str, str]) -> dict:
    """Return bars of each dimension's mean with its 95% interval.

    ``rows``: [{"name": "Consent", "mean": 71.5, "ci_low": 60.1, "ci_high": 82.9}, …]
    """
    means = [row["mean"] for row in rows]
    upper = [(row["ci_high"] - row["mean"]) if row["ci_high"] is not None else 0 for row in rows]
    lower = [(row["mean"] - row["ci_low"]) if row["ci_low"] is not None else 0 for row in rows]
    figure = go.Figure(
        go.Bar(
            x=[row["name"] for row in rows],
            y=means,
            marker_color=PALETTE[0],
            error_y={"type": "data", "symmetric": False, "array": upper, "arrayminus": lower, "color": "#1b1f24"},
            name=labels["interval"],
            hovertemplate="%{x}: %{y:.0f}<extra></extra>",
        )
    )
    figure.update_layout(_layout(yaxis=_score_axis(labels), showlegend=False))
    return _plain(figure)


def change_figure(rows: Sequence[Mapping], cycles: Sequence[str], labels: Mapping[str, str]) -> dict:
    """Return a dot-and-arrow chart: per dimension, the previous cycle's mean and this one's.

    ``rows`` are the report's change rows (``analysis.ChangeRow``): each label carries the row's
    verdict, read from the row, never decided here. ``cycles`` name this cycle and the previous.
    """
    names = [f"{row['name']} ({labels[row['verdict'] or 'untested']})" for row in rows]
    figure = go.Figure()
    for row, name in zip(rows, names, strict=True):
        clear = row["verdict"] in ("better", "worse")
        figure.add_annotation(
            x=row["current"],
            y=name,
            ax=row["previous"],
            ay=name,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowwidth=3 if clear else 2,
            arrowcolor="#1b1f24" if clear else "#5b6770",
            text="",
        )
    figure.add_trace(
        go.Scatter(
            x=[row["previous"] for row in rows],
            y=names,
            mode="markers",
            name=cycles[1],
            marker={"size": 12, "color": "#ffffff", "line": {"color": PALETTE[1], "width": 3}},
            hovertemplate="%{y}: %{x:.0f}<extra>" + as_text(cycles[1]) + "</extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[row["current"] for row in rows],
            y=names,
            mode="markers",
            name=cycles[0],
            marker={"size": 14, "color": PALETTE[0]},
            hovertemplate="%{y}: %{x:.0f}<extra>" + as_text(cycles[0]) + "</extra>",
        )
    )
    figure.update_layout(
        _layout(
            xaxis=_score_axis(labels), yaxis={"automargin": True, "autorange": "reversed"}, height=120 + 55 * len(rows)
        )
    )
    return _plain(figure)


def _segments(rows: Sequence[Mapping]) -> list[list[Mapping]]:
    """Split one dimension's rows into runs of the same questionnaire version.

    >>> runs = _segments([{"version": 1, "v": 1}, {"version": 2, "v": 2}, {"version": 2, "v": 3}])
    >>> [[r["v"] for r in run] for run in runs]
    [[1], [2, 3]]
    """
    runs: list[list[Mapping]] = []
    for row in rows:
        if runs and runs[-1][-1]["version"] == row["version"]:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def trend_figure(rows: Sequence[Mapping], version_changes: Sequence[str], labels: Mapping[str, str]) -> dict:
    """Return one line per dimension across cycles, with its interval as a band.

    ``rows`` are records of ``analysis.dimension_trend_frame``; a dotted vertical line marks each
    cycle where the questionnaire version changed.
    """
    figure = go.Figure()
    names = list(dict.fromkeys(row["name"] for row in rows))
    cycles = list(dict.fromkeys(row["cycle"] for row in rows))
    for index, name in enumerate(names):
        colour = PALETTE[index % len(PALETTE)]
        # A line never joins two questionnaire versions: each run of one version is its own trace.
        for run_index, own in enumerate(_segments([row for row in rows if row["name"] == name])):
            x = [row["cycle"] for row in own]
            if any(row["ci_low"] is not None for row in own):
                low = [row["ci_low"] if row["ci_low"] is not None else row["mean"] for row in own]
                high = [row["ci_high"] if row["ci_high"] is not None else row["mean"] for row in own]
                figure.add_trace(
                    go.Scatter(
                        x=x + x[::-1],
                        y=high + low[::-1],
                        fill="toself",
                        fillcolor=colour,
                        opacity=0.15,
                        line={"width": 0},
                        hoverinfo="skip",
                        showlegend=False,
                        legendgroup=name,
                        name=f"{name}, {labels['interval']}",
                    )
                )
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=[row["mean"] for row in own],
                    mode="lines+markers",
                    name=name,
                    legendgroup=name,
                    showlegend=run_index == 0,
                    line={
                        "color": colour,
                        "width": 3,
                        "dash": "solid" if index == 0 else ["dot", "dash", "longdash"][index % 3],
                    },
                    marker={"size": 9, "symbol": ["circle", "square", "diamond", "triangle-up"][index % 4]},
                    hovertemplate=f"{name}, %{{x}}: %{{y:.0f}}<extra></extra>",
                )
            )
    shapes, annotations = [], []
    # Marks stand at the cycle's position: plotly would read a cycle named "2025" as the number.
    for label in version_changes:
        position = cycles.index(label)
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": position,
                "x1": position,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#4a5560", "dash": "dot", "width": 2},
            }
        )
        annotations.append(
            {
                "x": position,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": labels["new_version"],
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 12},
            }
        )
    figure.update_layout(
        _layout(
            yaxis=_score_axis(labels),
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": cycles, "automargin": True},
            shapes=shapes,
            annotations=annotations,
        )
    )
    return _plain(figure)


def item_heatmap_figure(
    item_labels: Sequence[str], cycle_labels: Sequence[str], values: Sequence[Sequence], labels: Mapping[str, str]
) -> dict:
    """Return a heatmap of item means (rows) across cycles (columns); missing values stay blank."""
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=list(cycle_labels),
            y=list(item_labels),
            zmin=0,
            zmax=100,
            colorscale="Cividis",
            colorbar={"title": {"text": labels["mean"]}},
            hovertemplate="%{y}, %{x}: %{z:.0f}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        _layout(
            height=max(320, 26 * len(item_labels) + 120),
            margin={"l": 10, "r": 20, "t": 30, "b": 60},
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"type": "category"},
            showlegend=False,
        )
    )
    return _plain(figure)


def coalition_position_figure(rows: Sequence[Mapping], labels: Mapping[str, str]) -> dict:
    """Return, per dimension, the coalition's published middle half and median with the organization's own score.

    ``rows``: [{"name": "Consent", "own": 72.0, "q1": 55.0, "median": 65.0, "q3": 80.0}, …]; suppressed
    rows (no quartiles) are left out. Written as plain data, not through plotly.py's validating
    figure: a report page draws it on each view from the published figures, in well under a
    millisecond, so nothing is stored while a page is read (tests/reports/test_charts.py checks
    plotly.py accepts it as it stands).
    """
    shown = [row for row in rows if row.get("median") is not None]
    names = [as_text(row["name"]) for row in shown]
    return {
        "data": [
            {
                "base": [row["q1"] for row in shown],
                "customdata": [row["q3"] for row in shown],
                "hovertemplate": "%{y}: %{base:.0f}–%{customdata:.0f}<extra></extra>",
                "marker": {"color": "#d9dee3", "line": {"color": "#4a5560", "width": 1}},
                "name": as_text(labels["middle_half"]),
                "orientation": "h",
                "x": [row["q3"] - row["q1"] for row in shown],
                "y": names,
                "type": "bar",
            },
            {
                "marker": {
                    "color": "#000000",
                    "line": {"color": "#000000", "width": 4},
                    "size": 26,
                    "symbol": "line-ns-open",
                },
                "mode": "markers",
                "name": as_text(labels["median"]),
                "x": [row["median"] for row in shown],
                "y": names,
                "type": "scatter",
            },
            {
                "marker": {
                    "color": PALETTE[5],
                    "line": {"color": "#000000", "width": 1},
                    "size": 14,
                    "symbol": "diamond",
                },
                "mode": "markers",
                "name": as_text(labels["own"]),
                "x": [row["own"] for row in shown],
                "y": names,
                "type": "scatter",
            },
        ],
        "layout": _layout(
            xaxis=_score_axis(labels),
            yaxis={"autorange": "reversed", "automargin": True},
            height=max(260, 70 * len(shown) + 120),
            barmode="overlay",
        ),
    }


def perception_figure(rows: Sequence[Mapping], labels: Mapping[str, str]) -> dict:
    """Return a dot chart: per dimension, the staff mean with its 95% interval and leadership's view."""
    names = [row["name"] for row in rows]
    upper = [None if row["ci_high"] is None else row["ci_high"] - row["staff"] for row in rows]
    lower = [None if row["ci_low"] is None else row["staff"] - row["ci_low"] for row in rows]
    figure = go.Figure(
        data=[
            go.Scatter(
                x=[row["staff"] for row in rows],
                y=names,
                mode="markers",
                name=labels["staff"],
                marker={"size": 14, "color": PALETTE[0], "symbol": "circle"},
                error_x={"type": "data", "symmetric": False, "array": upper, "arrayminus": lower, "color": "#1b1f24"},
                hovertemplate="%{y}: %{x:.0f}<extra>" + as_text(labels["staff"]) + "</extra>",
            ),
            go.Scatter(
                x=[row["self"] for row in rows],
                y=names,
                mode="markers",
                name=labels["self"],
                marker={"size": 14, "color": PALETTE[5], "symbol": "diamond"},
                hovertemplate="%{y}: %{x:.0f}<extra>" + as_text(labels["self"]) + "</extra>",
            ),
        ],
        layout=_layout(xaxis=_score_axis(labels), yaxis={"automargin": True}, height=120 + 50 * len(rows)),
    )
    return _plain(figure)
