"""Readers: turn a CSV, Excel or Parquet file into rows of text in the staging engine.

Every value is read as text, so that a bad value becomes a rejected row with its line number
rather than a failed file. A file that cannot be read at all raises `FileRefused`.
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyarrow as pa

from salesperf.ingest.sql import ident, lit

FORMATS = ("csv", "xlsx", "parquet")
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 1 << 16


class FileRefused(Exception):
    """The file cannot be imported at all; nothing was written. The message says why."""


@dataclass
class Source:
    """A file made readable in the staging engine.

    `relation` is a SQL table expression yielding the file's columns as text. `line_sql` is an
    expression for a row's line in the file, given the staged row's position `rowid`; readers
    that know the line exactly provide it as a column instead (`line_column`).
    """

    path: Path
    format: str
    columns: tuple[str, ...]
    relation: str
    delimiter: str | None = None
    decimal: str = "."
    encoding: str = "utf-8"
    line_column: str | None = None
    structural: list[dict[str, Any]] = field(
        default_factory=list
    )  # CSV lines refused by the parser
    cleanup: list[Path] = field(default_factory=list)

    def close(self) -> None:
        """Remove temporary files made while reading."""
        for p in self.cleanup:
            p.unlink(missing_ok=True)


def detect_format(path: Path, given: str | None = None) -> str:
    """The file's format, from the option or the file name."""
    if given:
        fmt = given.lower().lstrip(".")
        if fmt == "xls":
            raise FileRefused("old .xls files are not supported; save the sheet as .xlsx or CSV")
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
    if suffix == ".xls":
        raise FileRefused("old .xls files are not supported; save the sheet as .xlsx or CSV")
    return "csv"


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise FileRefused(f"{path} does not exist")
    if path.is_dir():
        raise FileRefused(f"{path} is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise FileRefused(f"{path} cannot be read (permission denied)")
    if path.stat().st_size == 0:
        raise FileRefused(f"{path} is empty")


def detect_encoding(head: bytes, given: str | None) -> str:
    """utf-8 (with or without BOM) unless the start of the file says Windows-1252."""
    if given:
        try:
            return codecs.lookup(given).name
        except LookupError:
            raise FileRefused(f"unknown encoding {given!r}; use utf-8 or cp1252") from None
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut_at_end = len(head) == _SNIFF_BYTES and exc.start >= len(head) - 4
        if not cut_at_end:  # not merely a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


def detect_delimiter(header: str, given: str | None) -> str:
    """The delimiter: the option, else the candidate that splits the header line most often."""
    if given:
        d = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(
            given, given
        )
        if len(d) != 1:
            raise FileRefused(f"a delimiter is one character; {given!r} is not")
        return d
    best, count = ",", 0
    for d in DELIMITERS:
        n = len(next(csv.reader([header], delimiter=d), []))
        if n > count:
            best, count = d, n
    return best


def _transcode(path: Path, encoding: str) -> Path:
    """Copy a non-UTF-8 file to a temporary UTF-8 file, in chunks, refusing undecodable bytes."""
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="salesperf-")
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            offset = 0
            while chunk := src.read(1 << 22):
                try:
                    dst.write(decoder.decode(chunk))
                except UnicodeDecodeError as exc:
                    raise FileRefused(
                        f"{path.name} is neither UTF-8 nor {encoding} text (byte "
                        f"{offset + exc.start} cannot be read); save it as UTF-8 and import again"
                    ) from None
                offset += len(chunk)
            dst.write(decoder.decode(b"", final=True))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def read_csv(
    con: Any,
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    name: str,
) -> Source:
    """Make a CSV file readable as text columns; refuse a file that is not CSV text."""
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(f"{path.name} is not a text file (it looks binary); expected CSV text")
    enc = detect_encoding(head, encoding)
    cleanup: list[Path] = []
    read_path = path
    if enc not in ("utf-8", "utf-8-sig"):
        read_path = _transcode(path, enc)
        cleanup.append(read_path)
        with open(read_path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    text_head = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    header_line = text_head.splitlines()[0] if text_head.strip() else ""
    if not header_line.strip():
        raise FileRefused(f"{path.name} has no header line; the first line must name the columns")
    delim = detect_delimiter(header_line, delimiter)
    header = next(csv.reader([header_line], delimiter=delim))
    columns = _check_header(path, tuple(h.strip() for h in header))
    dec = decimal if decimal else ("," if delim == ";" else ".")
    if dec not in (",", "."):
        raise FileRefused(f"the decimal separator is ',' or '.', not {dec!r}")
    rejects = f"{name}_csv_rejects"
    scan = f"{name}_csv_scan"
    types = "{" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in columns) + "}"
    relation = (
        f"read_csv({lit(str(read_path))}, header = true, auto_detect = false, "
        f"delim = {lit(delim)}, quote = '\"', escape = '\"', columns = {types}, "
        f"store_rejects = true, rejects_table = {lit(rejects)}, "
        f"rejects_scan = {lit(scan)}, max_line_size = 10000000)"
    )
    return Source(
        path=path,
        format="csv",
        columns=columns,
        relation=relation,
        delimiter=delim,
        decimal=dec,
        encoding=enc,
        cleanup=cleanup,
    )


def structural_rejects(con: Any, name: str) -> list[dict[str, Any]]:
    """The lines the CSV parser itself refused (wrong number of fields, broken quotes)."""
    rejects = f"{name}_csv_rejects"
    try:
        rows = con.execute(
            f"SELECT line, error_type, csv_line, error_message FROM {ident(rejects)} ORDER BY line"
        ).fetchall()
    except Exception:  # the table exists only when the parser refused something
        return []
    seen: dict[int, dict[str, Any]] = {}
    for line, kind, raw, message in rows:
        if int(line) not in seen:
            seen[int(line)] = {"line": int(line), "kind": kind, "raw": raw, "message": message}
    return list(seen.values())


def _check_header(path: Path, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The header's names, with unnamed columns (a trailing delimiter) named by position."""
    if not any(columns):
        raise FileRefused(f"{path.name} has an empty header line; it must name the columns")
    dup = sorted({c for c in columns if columns.count(c) > 1 and c})
    if dup:
        raise FileRefused(f"{path.name} has the column {dup[0]!r} more than once")
    named = tuple(c or f"column{i}" for i, c in enumerate(columns, start=1))
    clash = sorted({c for c in named if named.count(c) > 1})
    if clash:
        raise FileRefused(f"{path.name} has the column {clash[0]!r} more than once")
    return named


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
    """Make the first (or the named) sheet of an .xlsx workbook readable as text columns."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise FileRefused(f"{path.name} is not a readable Excel workbook ({exc})") from None
    names = list(wb.sheet_names)
    if sheet is not None and sheet not in names:
        raise FileRefused(
            f"the workbook has no sheet {sheet!r}; its sheets are: {', '.join(names)}"
        )
    rows = wb.get_sheet_by_name(sheet or names[0]).to_python(skip_empty_area=False)
    rows_iter: Iterator[list[Any]] = iter(rows)
    header: list[Any] = []
    header_line = 0
    for header_line, row in enumerate(rows_iter, start=1):  # noqa: B007 - used after the loop
        if any(v not in (None, "") for v in row):
            header = row
            break
    given = tuple(_cell_text(h) or "" for h in header)
    while given and given[-1] == "":
        given = given[:-1]
    columns = _check_header(path, given)
    data: dict[str, list[str | None]] = {c: [] for c in columns}
    lines: list[int] = []
    for offset, row in enumerate(rows_iter, start=header_line + 1):
        cells = [_cell_text(v) for v in row[: len(columns)]]
        if not any(cells):
            continue
        cells += [None] * (len(columns) - len(cells))
        lines.append(offset)
        for c, v in zip(columns, cells, strict=True):
            data[c].append(v)
    table = pa.table(
        {
            "_line": pa.array(lines, pa.int64()),
            **{c: pa.array(v, pa.string()) for c, v in data.items()},
        }
    )
    view = f"{name}_xlsx"
    con.register(view, table)
    return Source(
        path=path,
        format="xlsx",
        columns=columns,
        relation=ident(view),
        line_column="_line",
    )


def read_parquet(con: Any, path: Path, *, name: str) -> Source:
    """Make a Parquet file readable as text columns (typed values are turned into text)."""
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(str(path))})").fetchall()
    except Exception as exc:
        raise FileRefused(f"{path.name} is not a readable Parquet file ({exc})") from None
    columns = _check_header(path, tuple(str(r[0]) for r in desc))
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
