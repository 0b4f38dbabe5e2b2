"""The rejects file's layout: a header (line, problems, the source's columns), then one line
per rejected line of the source, its problems joined, the row as the file gives it; every cell
is written as text (salesperf.cells). `Rejects.write_file` (salesperf.ingest.rejects) writes
it from the staging engine; `rejects_text` writes the same text from the store's record of the
rejected rows (the download of an earlier import's rejects). The lines the CSV parser refused
are problems of their own (`structural_table`, their reason in Dutch by `parser_detail_nl`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from salesperf.cells import csv_fields_sql, csv_row
from salesperf.ingest.sql import lit


def open_new(path: Path) -> tuple[Path, IO[str]]:
    """A new file at `path` for writing, or at `path` numbered (`NAME-2.csv`, `NAME-3.csv`, ...)
    when a file is there already: an earlier file is never overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        at = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            # exclusive creation: two imports at once never pick the same name either
            return at, open(at, "x", encoding="utf-8", newline="")
        except FileExistsError:
            n += 1


def rejects_header(columns: Sequence[str], nl: bool) -> list[Any]:
    """The rejects file's header: line, problems, then the source's columns."""
    # the rows as given may hold formula-like text: each cell is written as text (salesperf.cells)
    return csv_row(["regel" if nl else "line", "problemen" if nl else "problems", *columns])


def rejects_row(
    line: int,
    problems: Iterable[tuple[str | None, str, str | None]],
    given: Sequence[Any],
    nl: bool,
) -> list[Any]:
    """One line of the rejects file: the line, every problem (column, English message, Dutch
    message; a message without its Dutch version stays English), the row as given."""
    text = " | ".join(
        f"{column or ('regel' if nl else 'line')}: {(message_nl if nl else None) or message}"
        for column, message, message_nl in problems
    )
    return csv_row([line, text, *given])


def rejects_text(columns: tuple[str, ...], rejects: list[dict[str, Any]], lang: str = "en") -> str:
    """The rejects file's text from problems as dicts (line, column, message, message_nl, raw:
    the row as given, by column, or its `line_text`), in English or Dutch."""
    by_line: dict[int, list[dict[str, Any]]] = {}
    for r in rejects:
        by_line.setdefault(r["line"], []).append(r)
    out = io.StringIO()
    w = csv.writer(out)
    nl = lang == "nl"
    w.writerow(rejects_header(columns, nl))
    for line, rs in sorted(by_line.items()):
        raw = rs[0]["raw"]
        items = [(r["column"], r["message"], r.get("message_nl")) for r in rs]
        given = [raw["line_text"]] if "line_text" in raw else [raw.get(c) for c in columns]
        w.writerow(rejects_row(line, items, given, nl))
    return out.getvalue()


def given_sql(columns: Sequence[str], values: Sequence[str]) -> tuple[str, str]:
    """SQL for a row as given (the source's `columns`, their texts in the expressions `values`):
    as the rejects file's fields (comma-separated, safe and quoted as `csv.writer` would), and
    as the JSON object the store's rejects table keeps (the columns as the file names them)."""
    pairs = ", ".join(f"{lit(c)}: {v}" for c, v in zip(columns, values, strict=True))
    return csv_fields_sql(list(values)), f"to_json({{{pairs}}})"


def structural_table(structural: list[dict[str, Any]]) -> pa.Table:
    """The problems of the lines the CSV parser refused, as rows of the problems table."""
    details = [str(s["message"]).splitlines()[0] for s in structural]
    given = [s["raw"] for s in structural]
    n = len(structural)
    return pa.table(
        {
            "pos": pa.array([-1] * n, pa.int64()),
            "line": pa.array([s["line"] for s in structural], pa.int64()),
            "k": pa.array([0] * n, pa.int64()),
            "column_name": [""] * n,
            "rule": ["malformed_line"] * n,
            "value": pa.array(given, pa.string()),
            "message": [
                "the line does not split into the header's columns (" + d + ")" for d in details
            ],
            "message_nl": [
                "de regel valt niet uiteen in de kolommen van de kopregel ("
                + parser_detail_nl(d)
                + ")"
                for d in details
            ],
            "line_text": pa.array(given, pa.string()),
        }
    )


_COLUMNS_FOUND = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def parser_detail_nl(detail: str) -> str:
    """The CSV parser's reason for refusing a line, in Dutch where it is a known one."""
    found = _COLUMNS_FOUND.search(detail)
    if found:
        return f"{found.group(1)} kolommen verwacht, {found.group(2)} gevonden"
    if "unterminated quote" in detail:
        return "een aanhalingsteken wordt niet gesloten"
    return detail
