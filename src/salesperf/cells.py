"""Cells of the files salesperf writes (CSV and Excel): text is written as text, never as a
formula (CSV injection, OWASP).

The data model stores formula-like text as given; every export writes it back as text:

* **The rule.** A text value is *formula-like* when its first character is `=`, `+`, `-`, `@`,
  a tab or a carriage return, or its full-width form `＝`, `＋`, `－`, `＠`; leading whitespace
  does not hide it (`"  =1+1"` is formula-like). Spreadsheet programs trim spaces on import when
  asked to, and some convert full-width signs as they are typed, so both are treated as the sign
  itself: a harmless visible quote costs less than a formula that runs. Only text is looked at:
  numbers, dates and missing values never are, so a negative amount stays the number -5.0.
* **CSV** has no cell types, so a formula-like text is written with a leading `'` (OWASP's
  advice); a spreadsheet shows it as text, and a reader removes the one quote to get the value.
  Column names follow the same rule.
* **Excel** has cell types: every text value is a string cell, whatever it starts with, so no
  file holds a formula cell and the text is kept as it is, without a quote. Numbers and dates
  stay typed.

This module is below every other layer: it imports nothing from salesperf.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Iterable
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: The first characters that make a text formula-like (ASCII, then their full-width forms).
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
#: What a formula-like text is prefixed with in CSV.
CSV_PREFIX = "'"
#: The media type of the Excel files written here.
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters an Excel file's XML cannot carry as they are: control characters are not allowed,
# and a carriage return would be read back as a line feed. Excel's own escape, _xHHHH_, keeps
# them; a literal `_xHHHH_` in the text is escaped in turn (`_x005F_` is the underscore), so it
# is not decoded on reading.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
_HEADER_FONT = Font(bold=True)


def is_formula_like(value: object) -> bool:
    """Whether `value` is text that a spreadsheet would take for a formula (see the module's
    docstring for the rule); anything but text is not."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in FORMULA_STARTS:  # tab and carriage return count before any trimming
        return True
    rest = value.lstrip()
    return bool(rest) and rest[0] in FORMULA_STARTS


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell: formula-like text with a leading `'`, anything else unchanged."""
    return CSV_PREFIX + value if is_formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for `csv.writer`, each cell through `csv_cell`."""
    return [csv_cell(v) for v in values]


#: Python's whitespace (`str.isspace`), which `str.lstrip` removes, as a regular-expression class.
_SPACE_CLASS = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}]"
)
#: Every character a formula-like text may start with (Python's whitespace, which may come
#: before the formula's first character, and those characters), as a SQL string literal.
_STARTS_SQL = (
    "'"
    + "".join(
        sorted({chr(i) for i in range(0x3001) if chr(i).isspace()} | set(FORMULA_STARTS))
    ).replace("'", "''")
    + "'"
)
#: A formula-like text (see the module's docstring) as a regular expression (RE2, DuckDB's).
FORMULA_PATTERN = r"^([\t\r]|" + _SPACE_CLASS + r"*[=+\-@\x{ff1d}\x{ff0b}\x{ff0d}\x{ff20}])"


def csv_field_sql(expr: str, plain_start: bool = False) -> str:
    """DuckDB SQL for the text `expr` (VARCHAR) as one field of a CSV line, exactly as
    `csv.writer` (minimal quoting) writes `csv_cell` of it: formula-like text prefixed with `'`,
    quoted when it holds a comma, a double quote or a line break; NULL as nothing.
    `plain_start`: the text is known to start with a letter (it is never formula-like)."""
    prefix = "'" + CSV_PREFIX.replace("'", "''") + "'"
    # the pattern is tried only on a text whose first character may start a formula-like one
    # (and plain tests, not a pattern, find what needs quotes): several times cheaper per field
    safe = (
        f"({expr})"
        if plain_start
        else (
            f"CASE WHEN strpos({_STARTS_SQL}, left({expr}, 1)) > 0 AND "
            f"regexp_matches({expr}, '{FORMULA_PATTERN}') THEN {prefix} || ({expr}) "
            f"ELSE ({expr}) END"
        )
    )
    quoted = " OR ".join(f"contains({expr}, {c})" for c in ("','", "'\"'", "chr(13)", "chr(10)"))
    return (
        f"CASE WHEN ({expr}) IS NULL THEN '' WHEN {quoted} "
        f"THEN '\"' || replace({safe}, '\"', '\"\"') || '\"' ELSE {safe} END"
    )


def csv_fields_sql(exprs: list[str]) -> str:
    """DuckDB SQL for the texts `exprs` as fields of a CSV line, joined by commas, as
    `csv_field_sql` makes each. Most rows need neither a quote nor a prefix: one test of the
    whole row finds them, and only the others are made field by field."""
    plain = ", ".join(f"coalesce({e}, '')" for e in exprs)
    # a field holding a comma, a double quote or a line break, or starting with a formula's
    # first character or with whitespace (which may hide one); chr(1) marks where fields start
    # (a field that holds it only takes the longer way)
    starts = _SPACE_CLASS[:-1] + r"=+\-@\x{ff1d}\x{ff0b}\x{ff0d}\x{ff20}]"
    special = f"'[,\"\\r\\n]|(^|\\x01){starts}'"
    # one flat concat: a file may have thousands of columns (a chain of || nests as deep)
    fields = "concat(" + ", ',', ".join(csv_field_sql(e) for e in exprs) + ")"
    return (
        f"CASE WHEN regexp_matches(concat_ws(chr(1), {plain}), {special}) THEN {fields} "
        f"ELSE concat_ws(',', {plain}) END"
    )


def csv_texts(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Text values as CSV cells, all at once (`csv_cell`'s rule on an Arrow array, whose regular
    expressions are RE2's too): formula-like text with a leading `'`; nulls stay null."""
    text = pc.cast(values, pa.string())
    formula = pc.match_substring_regex(text, FORMULA_PATTERN)
    return pc.if_else(formula, pc.binary_join_element_wise(CSV_PREFIX, text, ""), text)


#: A text an Excel cell cannot hold as a plain value: a formula's "=", an error code's "#", or a
#: character that needs Excel's escape (see `_XML_UNSAFE`).
_XLSX_SPECIAL = r"^[=#]|[\x00-\x08\x0b-\x1f]|_x[0-9A-Fa-f]{4}_"


def xlsx_special(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Which texts must be written as a string cell (`text_cell`) rather than a plain value,
    all at once: a plain value starting with "=" would be a formula, one that is an error code
    an error, and control characters need an escape."""
    return pc.match_substring_regex(pc.cast(values, pa.string()), _XLSX_SPECIAL)


def csv_safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame whose text cells and column names are safe to write as CSV; numeric,
    date and boolean columns are left as they are."""
    safe = df.copy()
    for i in range(safe.shape[1]):
        col = safe.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            safe.isetitem(i, col.map(csv_cell, na_action="ignore").array)
    safe.columns = pd.Index([csv_cell(c) for c in safe.columns])
    return safe


def frame_csv(df: pd.DataFrame) -> str:
    """The frame as CSV text (a header, no index, CRLF line ends), formula-like text prefixed."""
    # RFC 4180's line end; it also makes the writer quote a text holding a lone carriage
    # return, which with "\n" it writes bare, splitting the row in two for every reader
    return csv_safe_frame(df).to_csv(index=False, lineterminator="\r\n")


def write_xlsx(df: pd.DataFrame, target: str | os.PathLike[str] | IO[bytes], sheet: str) -> None:
    """Write the frame as an Excel workbook of one sheet (a bold header, no index) to a path or
    a binary file: text as string cells, never formulas; numbers and dates typed."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet)
    header = [text_cell(ws, str(c)) for c in df.columns]
    for cell in header:
        cell.font = _HEADER_FONT
    ws.append(header)
    for row in df.itertuples(index=False, name=None):
        ws.append([_xlsx_value(ws, v) for v in row])
    wb.save(target)


def xlsx_bytes(df: pd.DataFrame, sheet: str) -> bytes:
    """The frame as the bytes of an Excel workbook (see `write_xlsx`)."""
    buf = io.BytesIO()
    write_xlsx(df, buf, sheet)
    return buf.getvalue()


def _xlsx_value(ws: WriteOnlyWorksheet, value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return text_cell(ws, value)
    return value


def text_cell(ws: WriteOnlyWorksheet, text: str) -> Cell:
    """A string cell of a write-only sheet holding `text` as it is, never a formula."""
    cell = WriteOnlyCell(ws, value=_XML_UNSAFE.sub(_xml_escape, text))
    # openpyxl makes any text starting with "=" a formula; a string cell is written as text
    cell.data_type = "s"
    return cell


def _xml_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group(0)):04X}_"
