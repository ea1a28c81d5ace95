"""Exports of an organization's own report data: plain rows, CSV text and XLSX bytes."""

import csv
import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook

DIMENSION_COLUMNS = ["cycle", "closed_on", "version", "dimension", "name", "mean", "ci_low", "ci_high", "n", "band"]
ITEM_COLUMNS = ["cycle", "item", "text", "mean"]


def dimension_rows(payload: Mapping) -> list[dict]:
    """Return dimension and overall scores per cycle, from a report payload."""
    return [{column: row[column] for column in DIMENSION_COLUMNS} for row in payload["trend"]["rows"]]


def item_rows(payload: Mapping) -> list[dict]:
    """Return item means per cycle, from a report payload."""
    return [
        {"cycle": cycle, "item": row["key"], "text": row["text"], "mean": mean}
        for row in payload["items"]["rows"]
        for cycle, mean in zip(payload["items"]["cycles"], row["values"], strict=True)
    ]


def to_csv(dimensions: Sequence[Mapping], items: Sequence[Mapping]) -> str:
    """Return both tables in one CSV, told apart by the first column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["table", *DIMENSION_COLUMNS, "item", "text"])
    for row in dimensions:
        writer.writerow(["dimension_scores", *[_cell(row[c]) for c in DIMENSION_COLUMNS], "", ""])
    for row in items:
        writer.writerow(
            [
                "item_means",
                _cell(row["cycle"]),
                *[""] * 4,
                _cell(row["mean"]),
                *[""] * 4,
                _cell(row["item"]),
                _cell(row["text"]),
            ]
        )
    return buffer.getvalue()


def to_xlsx(dimensions: Sequence[Mapping], items: Sequence[Mapping]) -> bytes:
    """Return a workbook with one sheet of dimension scores and one of item means."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Dimension scores"
    _append(sheet, DIMENSION_COLUMNS)
    for row in dimensions:
        _append(sheet, [row[c] for c in DIMENSION_COLUMNS])
    sheet = workbook.create_sheet("Item means")
    _append(sheet, ITEM_COLUMNS)
    for row in items:
        _append(sheet, [row[c] for c in ITEM_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Return a value for a CSV cell; text a spreadsheet would run as a formula is quoted with "'".

    >>> _cell("=SUM(A1)"), _cell("-1"), _cell(-1.5), _cell(None)
    ("'=SUM(A1)", "'-1", -1.5, '')
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _append(sheet, values) -> None:
    """Append a row in which every text is stored as text, never as a formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
