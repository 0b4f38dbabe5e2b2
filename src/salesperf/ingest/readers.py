"""Readers: turn a CSV, Excel or Parquet file into rows of text in the staging engine.

Every value is read as text, so that a bad value becomes a rejected row with its line number
rather than a failed file. A file that cannot be read at all raises `FileRefused` (`source`).
`open_source` picks the reader; the CSV reader is in `csvfile`, the Excel and Parquet readers
are here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyarrow as pa

from salesperf.ingest.csvfile import read_csv
from salesperf.ingest.source import FileRefused, Source, check_header, refused
from salesperf.ingest.sql import ident, lit
from salesperf.ingest.xlsxguard import xlsx_problem

FORMATS = ("csv", "xlsx", "parquet")
_XLSX_CHUNK_ROWS = 50_000  # rows turned into Python values at a time
_OTHER_SPREADSHEETS = {
    "xls": "old .xls files are not supported",
    "xlsb": "binary .xlsb workbooks are not supported",
    "ods": "OpenDocument (.ods) spreadsheets are not supported",
}
_OTHER_SPREADSHEETS_NL = {
    "xls": "oude .xls-bestanden worden niet ondersteund",
    "xlsb": "binaire .xlsb-werkmappen worden niet ondersteund",
    "ods": "OpenDocument-rekenbladen (.ods) worden niet ondersteund",
}


def _other_spreadsheet(fmt: str) -> FileRefused:
    return refused(
        f"{_OTHER_SPREADSHEETS[fmt]}; save the sheet as .xlsx or CSV",
        f"{_OTHER_SPREADSHEETS_NL[fmt]}; sla het blad op als .xlsx of CSV",
    )


def detect_format(path: Path, given: str | None = None) -> str:
    """The file's format, from the option or the file name."""
    if given:
        fmt = given.lower().lstrip(".")
        if fmt in _OTHER_SPREADSHEETS:
            raise _other_spreadsheet(fmt)
        if fmt not in FORMATS:
            raise FileRefused(f"unknown format {given!r}; use one of: {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix[1:] in _OTHER_SPREADSHEETS:
        raise _other_spreadsheet(suffix[1:])
    return "csv"


def _check_readable(path: Path) -> None:
    # the file's name only: on a server the rest of the path is the server's, not the user's
    if not path.exists():
        raise refused(f"{path.name} does not exist", f"{path.name} bestaat niet")
    if path.is_dir():
        raise refused(
            f"{path.name} is a folder, not a file", f"{path.name} is een map, geen bestand"
        )
    if not os.access(path, os.R_OK):
        raise refused(
            f"{path.name} cannot be read (permission denied)",
            f"{path.name} kan niet worden gelezen (geen toegang)",
        )
    if path.stat().st_size == 0:
        raise refused(f"{path.name} is empty", f"{path.name} is leeg")


def _reason(exc: Exception, path: Path) -> str:
    """A reader's error in one line, with the file's folder left out."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.replace(str(path.parent) + os.sep, "").replace(str(path), path.name)


def _cell_text(value: Any) -> str | None:
    """An Excel cell as the text a person would have typed."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def read_xlsx(con: Any, path: Path, *, sheet: str | None = None, name: str) -> Source:
    """Make the first (or the named) sheet of an .xlsx workbook readable as text columns, once
    the workbook has passed the checks of `xlsxguard` (its size, its extent, its formulas)."""
    from python_calamine import CalamineWorkbook

    if problem := xlsx_problem(path, sheet):
        raise FileRefused(problem)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            wb = CalamineWorkbook.from_path(str(path))
        else:  # the reader goes by the name's suffix; by content it takes the checked .xlsx
            with open(path, "rb") as f:
                wb = CalamineWorkbook.from_filelike(f)
        names = list(wb.sheet_names)
        ws = wb.get_sheet_by_name(sheet or names[0]) if sheet is None or sheet in names else None
    except Exception as exc:
        why = _reason(exc, path)
        raise refused(
            f"{path.name} is not a readable Excel workbook ({why})",
            f"{path.name} is geen leesbare Excel-werkmap ({why})",
        ) from None
    if ws is None:
        raise FileRefused(
            f"the workbook has no sheet {sheet!r}; its sheets are: {', '.join(names)}"
        )
    # rows start at the sheet's first row, cells at its first used column: put back the others
    pad: list[Any] = [None] * (ws.start[1] if ws.start else 0)
    rows_iter: Iterator[list[Any]] = (pad + row for row in ws.iter_rows())
    header: list[Any] = []
    header_line = 0
    for header_line, row in enumerate(rows_iter, start=1):  # noqa: B007 - used after the loop
        if any(v not in (None, "") for v in row):
            header = row
            break
    given = tuple(_cell_text(h) or "" for h in header)
    while given and given[-1] == "":
        given = given[:-1]
    columns = check_header(path, given)
    schema = pa.schema([("_line", pa.int64()), *((c, pa.string()) for c in columns)])
    batches: list[pa.RecordBatch] = []
    lines: list[int] = []
    data: list[list[str | None]] = [[] for _ in columns]
    for offset, row in enumerate(rows_iter, start=header_line + 1):
        cells = [_cell_text(v) for v in row[: len(columns)]]
        if not any(cells):
            continue
        cells += [None] * (len(columns) - len(cells))
        lines.append(offset)
        for values, v in zip(data, cells, strict=True):
            values.append(v)
        if len(lines) == _XLSX_CHUNK_ROWS:  # the Python values of one chunk at a time
            batches.append(pa.record_batch([lines, *data], schema=schema))
            lines, data = [], [[] for _ in columns]
    batches.append(pa.record_batch([lines, *data], schema=schema))
    view = f"{name}_xlsx"
    con.register(view, pa.Table.from_batches(batches, schema))
    return Source(
        path=path, format="xlsx", columns=columns, relation=ident(view), line_column="_line"
    )


def read_parquet(con: Any, path: Path, *, name: str) -> Source:
    """Make a Parquet file readable as text columns (typed values are turned into text)."""
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(str(path))})").fetchall()
    except Exception as exc:
        why = _reason(exc, path)
        raise refused(
            f"{path.name} is not a readable Parquet file ({why})",
            f"{path.name} is geen leesbaar Parquet-bestand ({why})",
        ) from None
    columns = check_header(path, tuple(str(r[0]) for r in desc))
    casts = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in columns)
    relation = (
        f"(SELECT file_row_number + 1 AS _line, {casts} FROM "
        f"read_parquet({lit(str(path))}, file_row_number = true))"
    )
    return Source(
        path=path, format="parquet", columns=columns, relation=relation, line_column="_line"
    )


def open_source(
    con: Any,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
    name: str = "stage",
) -> Source:
    """Open any supported file for staging, or refuse it with one clear message."""
    p = Path(path)
    _check_readable(p)
    fmt = detect_format(p, format)
    if fmt == "csv":
        return read_csv(con, p, delimiter=delimiter, encoding=encoding, decimal=decimal, name=name)
    if fmt == "xlsx":
        return read_xlsx(con, p, sheet=sheet, name=name)
    return read_parquet(con, p, name=name)
