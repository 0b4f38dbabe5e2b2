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

from salesperf.errors import InputError
from salesperf.ingest.sql import ident, lit
from salesperf.ingest.xlsxguard import xlsx_problem

FORMATS = ("csv", "xlsx", "parquet")
DELIMITERS = (",", ";", "\t", "|")
COMMON_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")
HEADER_KB = 1024  # a longer first line is refused, never cut (the CSV reader's own limit is 10 MB)
_SNIFF_BYTES = 1 << 16
_XLSX_CHUNK_ROWS = 50_000  # rows turned into Python values at a time
# text codecs that are no character set of a file: they rewrite escapes, markup or domain names
_NOT_FILE_ENCODINGS = frozenset(
    ("undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7", "charmap")
)
_OTHER_SPREADSHEETS = {
    "xls": "old .xls files are not supported",
    "xlsb": "binary .xlsb workbooks are not supported",
    "ods": "OpenDocument (.ods) spreadsheets are not supported",
}


class FileRefused(InputError):
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
    # CSV lines refused by the parser
    structural: list[dict[str, Any]] = field(default_factory=list)
    cleanup: list[Path] = field(default_factory=list)

    def close(self) -> None:
        """Remove temporary files made while reading."""
        for p in self.cleanup:
            p.unlink(missing_ok=True)


def detect_format(path: Path, given: str | None = None) -> str:
    """The file's format, from the option or the file name."""
    if given:
        fmt = given.lower().lstrip(".")
        if fmt in _OTHER_SPREADSHEETS:
            raise FileRefused(f"{_OTHER_SPREADSHEETS[fmt]}; save the sheet as .xlsx or CSV")
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
        raise FileRefused(f"{_OTHER_SPREADSHEETS[suffix[1:]]}; save the sheet as .xlsx or CSV")
    return "csv"


def _check_readable(path: Path) -> None:
    # the file's name only: on a server the rest of the path is the server's, not the user's
    if not path.exists():
        raise FileRefused(f"{path.name} does not exist")
    if path.is_dir():
        raise FileRefused(f"{path.name} is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise FileRefused(f"{path.name} cannot be read (permission denied)")
    if path.stat().st_size == 0:
        raise FileRefused(f"{path.name} is empty")


def _reason(exc: Exception, path: Path) -> str:
    """A reader's error in one line, with the file's folder left out."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.replace(str(path.parent) + os.sep, "").replace(str(path), path.name)


def text_encoding(given: str) -> str:
    """The codec's name for `given`, when it is the character set of a text file."""
    common = ", ".join(COMMON_ENCODINGS)
    try:
        info = codecs.lookup(given)
    except (LookupError, ValueError):
        raise FileRefused(f"unknown encoding {given[:40]!r}; use one of: {common}") from None
    # binary and text-to-text codecs (base64, zlib, rot13) are registered alongside encodings
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FILE_ENCODINGS:
        raise FileRefused(
            f"{given[:40]!r} is not a character encoding of text files; use one of: {common}"
        )
    return info.name


#: How binary formats begin: images, archives (xlsx, zip), PDF, old Office, executables.
_MAGIC = (
    b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"PK\x05\x06", b"%PDF",
    b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf", b"PAR1",
)  # fmt: skip


def looks_binary(head: bytes) -> bool:
    """Whether the start of a file is a binary format rather than text. A few NUL bytes do not
    make a file binary: exports from CRMs carry them inside rich-text fields, and each is then
    a problem of its row (rule `control_character`), not of the file."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.startswith(_MAGIC):
        return True
    return head.count(b"\x00") > max(8, len(head) // 10)


def detect_encoding(head: bytes, given: str | None) -> str:
    """utf-8 (with or without BOM) unless the start of the file says Windows-1252."""
    if given:
        return text_encoding(given)
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
            try:
                while chunk := src.read(1 << 22):
                    dst.write(decoder.decode(chunk))
                    offset += len(chunk)
                dst.write(decoder.decode(b"", final=True))  # a character cut by the end
            except UnicodeDecodeError as exc:
                raise FileRefused(
                    f"{path.name} is neither UTF-8 nor {encoding} text (byte "
                    f"{offset + exc.start} cannot be read); save it as UTF-8 and import again"
                ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _header_line(path: Path, name: str) -> str:
    """The file's first line, whole (a sample of the file's start may end inside it)."""
    line = bytearray()
    with open(path, "rb") as f:
        while chunk := f.read(_SNIFF_BYTES):
            ends = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
            line += chunk[: min(ends)] if ends else chunk
            if len(line) > HEADER_KB * 1024:
                raise FileRefused(
                    f"the header line of {name} is longer than {HEADER_KB:,} KB; the first line "
                    "must name the columns (is the file CSV, with one line per row?)"
                )
            if ends:
                break
    return line.decode("utf-8", errors="replace").lstrip("\ufeff")


def _csv_layout(
    read_path: Path, path: Path, delimiter: str | None, decimal: str | None
) -> tuple[str, tuple[str, ...], str]:
    """The delimiter, the columns named by the header line, and the decimal separator."""
    header_line = _header_line(read_path, path.name)
    if not header_line.strip():
        raise FileRefused(f"{path.name} has no header line; the first line must name the columns")
    delim = detect_delimiter(header_line, delimiter)
    header = next(csv.reader([header_line], delimiter=delim))
    columns = _check_header(path, tuple(h.strip() for h in header))
    dec = decimal if decimal else ("," if delim == ";" else ".")
    if dec not in (",", "."):
        raise FileRefused(f"the decimal separator is ',' or '.', not {dec!r}")
    return delim, columns, dec


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
    if looks_binary(head):
        raise FileRefused(f"{path.name} is not a text file (it looks binary); expected CSV text")
    enc = detect_encoding(head, encoding)
    cleanup: list[Path] = []
    read_path = path
    if enc not in ("utf-8", "utf-8-sig"):
        read_path = _transcode(path, enc)
        cleanup.append(read_path)
    try:
        delim, columns, dec = _csv_layout(read_path, path, delimiter, decimal)
    except BaseException:  # the transcoded copy goes with the refusal
        for p in cleanup:
            p.unlink(missing_ok=True)
        raise
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
        path=path, format="csv", columns=columns, relation=relation, delimiter=delim,
        decimal=dec, encoding=enc, cleanup=cleanup,
    )  # fmt: skip


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
    """The header's names, with unnamed columns (a trailing delimiter) named by position and a
    repeated name kept apart as `Name (2)`, `Name (3)` (a mapping that uses it is refused)."""
    if not any(columns):
        raise FileRefused(f"{path.name} has an empty header line; it must name the columns")
    seen: dict[str, int] = {}
    kept: list[str] = []
    for c in columns:
        seen[c] = seen.get(c, 0) + 1
        kept.append(f"{c} ({seen[c]})" if c and seen[c] > 1 else c)
    named = tuple(c or f"column{i}" for i, c in enumerate(kept, start=1))
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
        unreadable = f"{path.name} is not a readable Excel workbook ({_reason(exc, path)})"
        raise FileRefused(unreadable) from None
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
    columns = _check_header(path, given)
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
        raise FileRefused(
            f"{path.name} is not a readable Parquet file ({_reason(exc, path)})"
        ) from None
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
