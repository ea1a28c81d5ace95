"""Exports of an organization's own report: tidy tables with human headers, as a ZIP of CSV
files or one XLSX workbook. Pure: a stored report in, bytes out."""

import codecs
import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    name: str
    headers: list[str]
    rows: list[list]
    widths: list[int]


def _one(value):
    """Round a figure to one decimal, as shown; leave everything else as it is.

    >>> _one(36.61616161616161), _one(None), _one("x")
    (36.6, None, 'x')
    """
    return round(value, 1) if isinstance(value, float) else value


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else value


def _band(summary: Mapping, labels: Mapping[str, str]) -> str:
    """Return a stored band in words, as the report shows it: a range when the interval spans two,
    and the cap while a critical rule is broken.

    >>> _band({"band": "developing", "band_range": ["developing", "developing"], "capped": True}, {
    ...     "developing": "dev", "capped": "capped", "aside_opens": " (", "aside_closes": ")"})
    'dev (capped)'
    """
    low, high = (list(summary.get("band_range") or []) + [None, None])[:2]
    if low and high and low != high:
        words = f"{labels[low]}–{labels[high]}"
    else:
        words = labels.get(summary.get("band") or "", "")
    if summary.get("capped"):
        return f"{words}{labels['aside_opens']}{labels['capped']}{labels['aside_closes']}"
    return words


def _verdict(row: Mapping, labels: Mapping[str, str]) -> str:
    return labels[row["verdict"]] if row.get("verdict") else labels[f"untested_{row.get('untested') or 'few'}"]


def report_tables(
    payload: Mapping, labels: Mapping[str, str], actions: Sequence[Mapping] = (), review: Mapping | None = None
) -> list[Table]:
    """Return the report's tables: summary, scores, practices, critical gaps, change, the action
    plan and, for a self-audit, its community review (``review``: its status sentence and rows,
    as the report page words them).

    ``labels`` holds the human headers, words and separators, so callers can translate them. Every verdict and
    band is the report's own, put in words, never decided here.
    """
    summary = payload.get("summary") or {}
    overall = next((row for row in payload["scores"] if row["key"] == "overall"), summary)
    tables = [
        Table(
            labels["summary"],
            [labels["what"], labels["value"]],
            [
                [labels["audit"], payload["cycle"]["label"]],
                [labels["closed_on"], _day(payload["cycle"]["closed_on"])],
                [labels["responses"], payload["n"]],
                [labels["overall"], _one(summary.get("overall"))],
                [labels["band"], _band(overall, labels)],
                [
                    labels["critical_gaps"],
                    labels["list_separator"].join(g.get("short") or g["text"] for g in payload["critical_gaps"]),
                ],
                *[
                    [labels["next_step"], f"{s['short']}{labels['name_separator']}{s['recommendation']}"]
                    for s in summary.get("steps", [])
                ],
                *[
                    [
                        labels["practice"],
                        f"{row.get('short') or row['text']}{labels['name_separator']}"
                        f"{labels['claimed'] % {'level': row['claimed']}}",
                    ]
                    for row in payload.get("unevidenced", [])
                ],
            ],
            [24, 90],
        ),
        Table(
            labels["scores"],
            [
                labels[k]
                for k in ("audit", "closed_on", "version", "dimension", "score", "low", "high", "responses", "band")
            ],
            [
                [
                    row["cycle"],
                    _day(row["closed_on"]),
                    row["version"],
                    row["name"],
                    _one(row["mean"]),
                    _one(row["ci_low"]),
                    _one(row["ci_high"]),
                    row["n"],
                    labels.get(row["band"] or "", ""),
                ]
                for row in payload["trend"]["rows"]
            ],
            [24, 12, 9, 18, 8, 8, 8, 11, 14],
        ),
        Table(
            labels["practices"],
            [labels["audit"], labels["key"], labels["practice"], labels["score"]],
            [
                [cycle, row["key"], row["text"], _one(mean)]
                for row in payload["items"]["rows"]
                for cycle, mean in zip(payload["items"]["cycles"], row["values"], strict=True)
            ],
            [24, 30, 90, 8],
        ),
        Table(
            labels["critical_gaps"],
            [labels[k] for k in ("practice", "not_best", "answered", "share", "share_low", "share_high", "score")]
            + [labels["next_step"]],
            [
                [
                    gap["text"],
                    gap.get("breaks"),
                    gap.get("n"),
                    _one(None if gap.get("share") is None else 100 * gap["share"]),
                    _one(None if gap.get("share_low") is None else 100 * gap["share_low"]),
                    _one(None if gap.get("share_high") is None else 100 * gap["share_high"]),
                    _one(gap["mean"]),
                    gap["recommendation"],
                ]
                for gap in payload["critical_gaps"]
            ],
            [60, 10, 10, 10, 10, 10, 8, 80],
        ),
    ]
    change = payload.get("change") or {}
    if change.get("comparable"):
        tables.append(
            Table(
                labels["change"],
                [
                    labels[k]
                    for k in ("dimension", "before", "now", "change", "level", "low_any", "high_any", "detectable")
                ]
                + [labels["verdict"]],
                [
                    [
                        row["name"],
                        _one(row["previous"]),
                        _one(row["current"]),
                        _one(row["delta"]),
                        None if row["ci_low"] is None else _one(100 * (1 - row["alpha"])),
                        _one(row["ci_low"]),
                        _one(row["ci_high"]),
                        _one(row["mdc"]),
                        _verdict(row, labels),
                    ]
                    for row in change["rows"]
                ],
                [18, 8, 8, 8, 10, 8, 8, 12, 24],
            )
        )
    if actions:
        tables.append(
            Table(
                labels["actions"],
                [labels[k] for k in ("practice", "action", "owner", "due", "status")],
                [[a["practice"], a["what"], a["owner"], _day(a["due_on"]), a["status"]] for a in actions],
                [50, 60, 28, 12, 12],
            )
        )
    if review is not None:
        tables.append(
            Table(
                labels["community_review"],
                [labels[k] for k in ("practice", "self_audit_answer", "community_review", "note")],
                [
                    [labels["status"], review["status"], "", ""],
                    *[[r["practice"], r["answer"], r["verdict"], r["note"]] for r in review["rows"]],
                ],
                [50, 60, 24, 60],
            )
        )
    return tables


def _safe(value):
    """Return a value a spreadsheet shows as written: text that looks like a formula is quoted.

    >>> _safe("=SUM(A1)"), _safe("-1"), _safe(-1.5), _safe(None)
    ("'=SUM(A1)", "'-1", -1.5, '')
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv_zip(tables: Sequence[Table], stem: str) -> bytes:
    """Return a ZIP with one CSV file per table, in UTF-8 with a byte-order mark.

    Without the mark, Excel reads a CSV file in the computer's legacy code page: accents, dashes
    and Chinese turn into garbage.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, table in enumerate(tables, start=1):
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(table.headers)
            writer.writerows([[_safe(value) for value in row] for row in table.rows])
            archive.writestr(
                f"{stem}/{number}-{_file_part(table.name)}.csv", codecs.BOM_UTF8 + text.getvalue().encode()
            )
    return buffer.getvalue()


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """Return a workbook with one sheet per table: bold headers, set widths, real dates, text kept as text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        for index, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _file_part(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
