import json

import plotly.graph_objects as go

from reports import charts

# Every word a chart shows comes from its caller: here, a numbered marker per key shows where each lands.
LABELS = {key: f"<L{number}>" for number, key in enumerate(charts.LABEL_KEYS)}

ROWS = [
    {"cycle": "2024", "name": "Consent", "mean": 40.0, "ci_low": 30.0, "ci_high": 50.0, "version": 1},
    {"cycle": "2025", "name": "Consent", "mean": 50.0, "ci_low": None, "ci_high": None, "version": 1},
    {"cycle": "2024", "name": "Overall", "mean": 45.0, "ci_low": 40.0, "ci_high": 50.0, "version": 1},
    {"cycle": "2025", "name": "Overall", "mean": 55.0, "ci_low": 50.0, "ci_high": 60.0, "version": 1},
]
CHANGE = [
    {"name": "Consent", "previous": 50.0, "current": 70.0, "verdict": "better"},
    {"name": "Overall", "previous": 55, "current": 6, "verdict": None},
]
PERCEPTION = [{"name": "Consent", "staff": 50.0, "ci_low": 40.0, "ci_high": 60.0, "self": 80.0}]


def test_figures_are_plain_json():
    figures = [
        charts.dimension_bar_figure([{"name": "Consent", "mean": 70.0, "ci_low": 60.0, "ci_high": 80.0}], LABELS),
        charts.change_figure(CHANGE, ["2026", "2025"], LABELS),
        charts.trend_figure(ROWS, ["2025"], LABELS),
        charts.item_heatmap_figure(["a", "b"], ["2024", "2025"], [[10.0, None], [50.0, 60.0]], LABELS),
        charts.coalition_position_figure(
            [{"name": "Consent", "own": 1.0, "q1": 0.0, "median": 1.0, "q3": 2.0}], LABELS
        ),
        charts.perception_figure(PERCEPTION, LABELS),
    ]
    for figure in figures:
        assert set(figure) == {"data", "layout"}
        assert "template" not in figure["layout"], "the default template would be stored with every chart"
        _assert_plain(figure)
        assert len(charts.script_json(figure)) < 6000


def _assert_plain(value):
    """Only JSON's own types: no numpy numbers, tuples or objects that json.dumps would coerce."""
    if isinstance(value, dict):
        assert all(isinstance(k, str) for k in value)
        for inner in value.values():
            _assert_plain(inner)
    elif isinstance(value, list):
        for inner in value:
            _assert_plain(inner)
    else:
        assert value is None or type(value) in (str, int, float, bool), type(value)


def test_bars_carry_asymmetric_intervals():
    figure = charts.dimension_bar_figure([{"name": "Consent", "mean": 70.0, "ci_low": 55.0, "ci_high": 80.0}], LABELS)
    error = figure["data"][0]["error_y"]
    assert (error["array"], error["arrayminus"]) == ([10.0], [15.0])


def test_change_chart_draws_an_arrow_from_before_to_now_labelled_with_its_verdict():
    figure = charts.change_figure(CHANGE[:1], ["2026", "2025"], LABELS)
    (arrow,) = figure["layout"]["annotations"]
    assert (arrow["ax"], arrow["x"]) == (50.0, 70.0)
    assert figure["data"][0]["y"] == [f"Consent ({charts.as_text(LABELS['better'])})"]
    assert [trace["name"] for trace in figure["data"]] == ["2025", "2026"]
    assert all(trace["type"] == "scatter" for trace in figure["data"])  # drawn by the partial plotly.js bundle


def test_the_shipped_plotly_bundle_matches_the_plotly_package():
    import re
    from pathlib import Path

    import plotly

    version = re.compile(r"plotly\.js[^v]*v(\d+\.\d+\.\d+)")
    package = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()[:500]
    shipped = (Path(__file__).resolve().parents[2] / "static/vendor/plotly/plotly-cartesian.min.js").read_text()[:500]
    assert version.search(shipped).group(1) == version.search(package).group(1)


def test_trend_marks_version_changes_and_draws_bands():
    figure = charts.trend_figure(ROWS, ["2025"], LABELS)
    lines = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    bands = [t for t in figure["data"] if t.get("fill") == "toself"]
    assert [t["name"] for t in lines] == ["Consent", "Overall"]
    assert len(bands) == 2
    # A missing interval collapses the band to the mean at that point.
    assert bands[0]["y"] == [50.0, 50.0, 50.0, 30.0]
    # The mark stands at 2025's position among the cycles, in their order: a category named
    # "2025" given as such would be read by plotly as the number 2025, far off the axis.
    assert figure["layout"]["xaxis"]["categoryarray"] == ["2024", "2025"]
    assert figure["layout"]["shapes"][0]["x0"] == 1
    assert figure["layout"]["annotations"][0]["text"] == LABELS["new_version"]


def test_trend_lines_break_at_a_version_change():
    rows = [{**row, "version": 2} if row["cycle"] == "2025" else row for row in ROWS]
    figure = charts.trend_figure(rows, ["2025"], LABELS)
    lines = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    # Each dimension is two runs, one per version, never a line joining 2024 to 2025.
    assert [(t["name"], t["x"], t["showlegend"]) for t in lines] == [
        ("Consent", ["2024"], True),
        ("Consent", ["2025"], False),
        ("Overall", ["2024"], True),
        ("Overall", ["2025"], False),
    ]


def test_palette_is_okabe_ito_and_lines_differ_by_more_than_colour():
    assert charts.PALETTE[:3] == ["#0072B2", "#E69F00", "#009E73"]
    figure = charts.trend_figure(ROWS, [], LABELS)
    lines = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert lines[0]["line"]["dash"] != lines[1]["line"]["dash"]
    assert lines[0]["marker"]["symbol"] != lines[1]["marker"]["symbol"]


def test_heatmap_keeps_missing_values_blank():
    figure = charts.item_heatmap_figure(["a"], ["2024", "2025"], [[10.0, None]], LABELS)
    assert figure["data"][0]["z"] == [[10.0, None]]
    assert (figure["data"][0]["zmin"], figure["data"][0]["zmax"]) == (0, 100)


def test_coalition_position_leaves_out_suppressed_rows():
    rows = [
        {"name": "Consent", "own": 72.0, "q1": 55.0, "median": 65.0, "q3": 80.0},
        {"name": "Confidentiality", "own": 60.0, "q1": None, "median": None, "q3": None},
    ]
    figure = charts.coalition_position_figure(rows, LABELS)
    band, median, own = figure["data"]
    assert band["y"] == ["Consent"] and band["base"] == [55.0] and band["x"] == [25.0]
    assert median["x"] == [65.0] and own["x"] == [72.0]


def test_the_position_chart_written_as_plain_data_is_a_valid_plotly_figure():
    """Plotly.py validates every property: the plain data must pass unchanged, names kept as text."""
    rows = [{"name": "<b>Consent</b>", "own": 72.0, "q1": 55.0, "median": 65.0, "q3": 80.0}]
    figure = charts.coalition_position_figure(rows, LABELS)
    checked = json.loads(go.Figure(figure).to_json())
    checked["layout"].pop("template")
    assert checked == json.loads(json.dumps(figure))
    assert figure["data"][0]["y"] == [charts.as_text("<b>Consent</b>")]


def test_script_json_cannot_close_its_script_element():
    text = charts.script_json({"data": [{"x": ["</script><script>alert(1)</script>", "a & b"]}]})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["data"][0]["x"][0] == "</script><script>alert(1)</script>"


def test_every_word_of_a_chart_comes_from_its_labels():
    """The module holds no words of its own: translated labels reach every title, legend and hover."""
    figures = [
        charts.dimension_bar_figure([{"name": "Consent", "mean": 70.0, "ci_low": 60.0, "ci_high": 80.0}], LABELS),
        charts.change_figure(
            [{**CHANGE[0], "verdict": verdict} for verdict in ("better", "worse", "unclear", None)], ["a", "b"], LABELS
        ),
        charts.trend_figure(ROWS, ["2025"], LABELS),
        charts.item_heatmap_figure(["a"], ["2024"], [[10.0]], LABELS),
        charts.coalition_position_figure(
            [{"name": "Consent", "own": 1.0, "q1": 0.0, "median": 1.0, "q3": 2.0}], LABELS
        ),
        charts.perception_figure(PERCEPTION, LABELS),
    ]
    shown = json.dumps(figures)
    for label in LABELS.values():
        assert label in shown or charts.as_text(label) in shown, label
    words = {"Score", "interval", "Mean", "Average", "median", "organization", "Staff", "Leadership", "questionnaire"}
    assert not [word for word in words if word in shown]
