"""Exports written as files: CSV streamed batch by batch, Excel in constant memory.

Both write the values the form asks for (`columns.Form`): in the readable form numbers rounded
as their kind requires and times in the organisation's zone; text that a spreadsheet would take
for a formula is written as text (`salesperf.cells`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from salesperf.cells import csv_row, csv_texts, text_cell, xlsx_special
from salesperf.errors import InputError
from salesperf.i18n.format import decimal_texts, excel_format
from salesperf.i18n.words import word
from salesperf.server.exporting.columns import Column, Form, Kind
from salesperf.server.exporting.sources import Export

#: A worksheet's rows, less the header.
EXCEL_ROWS = 1_048_575
#: The mark that tells a spreadsheet program the file is UTF-8 (Excel reads it as the
#: computer's own code page without it).
BOM = "\ufeff"


def file_values(values: pa.Array | pa.ChunkedArray, c: Column, form: Form) -> Any:
    """A column's values as the file holds them: in the readable form, numbers rounded to the
    decimals of their kind (half to even)."""
    if c.kind.numeric and not form.canonical and c.digits is not None:
        values = pc.round(pc.cast(values, pa.float64()), c.digits, round_mode="half_to_even")
    return values


def in_words(values: pa.Array | pa.ChunkedArray, c: Column, form: Form) -> Any:
    """A text column's values as the file holds them: a vocabulary's codes (and the standard
    stages of the CRMs) as the words of the viewer's language in the readable form
    (`salesperf.i18n.words`); anything else as stored."""
    if not c.words or form.canonical:
        return values
    codes = pc.unique(values).drop_null()
    said = pa.array([word(v, form.lang) for v in codes.to_pylist()], pa.string())
    return pc.take(said, pc.index_in(values, value_set=codes))


def csv_texts_of(values: pa.Array | pa.ChunkedArray, c: Column, form: Form) -> Any:
    """A column's values as CSV fields: text safe from formulas, numbers with the form's
    decimal mark, dates in ISO 8601 and times to the second (the stored value in the canonical
    form)."""
    values = file_values(values, c, form)
    if c.kind is Kind.TEXT:
        return csv_texts(in_words(values, c, form))
    if c.kind.numeric:
        return decimal_texts(values, form.decimal_comma, float_point=form.canonical)
    if c.kind is Kind.TIMESTAMP and not form.canonical:
        seconds = pc.cast(values, pa.timestamp("s"), safe=False)
        return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    return pc.cast(values, pa.string())


def csv_stream(export: Export, form: Form) -> Iterator[bytes]:
    """The export as CSV (UTF-8, CRLF line ends, the form's delimiter), one piece per batch
    read from the store; the readable form starts with a byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=form.delimiter.char, lineterminator="\r\n")
    if not form.canonical:
        out.write(BOM)
    writer.writerow(csv_row(c.header for c in export.columns))
    yield out.getvalue().encode("utf-8")
    for batch in export.batches():
        out.seek(0)
        out.truncate()
        fields = [
            csv_texts_of(batch.column(i), c, form).to_pylist() for i, c in enumerate(export.columns)
        ]
        writer.writerows(zip(*fields, strict=True))
        yield out.getvalue().encode("utf-8")


def check_fits_excel(export: Export) -> None:
    """InputError when the export has more rows than a worksheet holds."""
    if export.rows > EXCEL_ROWS:
        raise InputError(
            f"{export.rows:,} rows do not fit in an Excel sheet; export CSV or choose a period"
        )


def write_xlsx(
    export: Export,
    form: Form,
    target: str | os.PathLike[str] | IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the export as an Excel workbook of one sheet, in constant memory (a write-only
    workbook): a bold, frozen header row, columns as wide as their content, number formats
    by kind (money with its currency, ratios as percentages, dates as dates, integers).
    `progress` is told the rows written after each batch."""
    check_fits_excel(export)
    wb = Workbook(write_only=True)
    ws: WriteOnlyWorksheet = wb.create_sheet(title=sheet_title(export.name))
    ws.freeze_panes = "A2"
    dimensions = cast(Any, ws).column_dimensions  # set before the rows (written as they come)
    for i, w in enumerate(export.widths, 1):
        dimensions[get_column_letter(i)].width = w
    header = [text_cell(ws, c.header) for c in export.columns]
    for cell in header:
        cell.font = Font(bold=True)
    ws.append(header)
    styles = {
        i: _style(ws, c, form)
        for i, c in enumerate(export.columns)
        if c.kind.numeric or c.kind in (Kind.DATE, Kind.TIMESTAMP)
    }
    written = 0
    for batch in export.batches():
        columns = [
            _text_cells(ws, in_words(batch.column(i), c, form))
            if c.kind is Kind.TEXT
            else _cells(ws, file_values(batch.column(i), c, form).to_pylist(), styles[i])
            for i, c in enumerate(export.columns)
        ]
        for row in zip(*columns, strict=True):
            ws.append(list(row))
        written += batch.num_rows
        if progress is not None:
            progress(written)
    wb.save(target)


def sheet_title(name: str) -> str:
    """A worksheet's title from a file's name: at most 31 characters, none Excel refuses."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "export"


def _style(ws: WriteOnlyWorksheet, c: Column, form: Form) -> StyleArray:
    cell = WriteOnlyCell(ws)
    cell.number_format = excel_format(c.kind.value, form.lang, c.currency or form.currency)
    style: StyleArray = cast(Any, cell)._style
    return style


def _text_cells(ws: WriteOnlyWorksheet, values: pa.Array | pa.ChunkedArray) -> list[Any]:
    """A text column's cells: plain values, but for the texts a plain value would turn into a
    formula or an error, or that need an escape, which are string cells (`text_cell`)."""
    texts = values.to_pylist()
    special = xlsx_special(values).to_pylist()
    return [text_cell(ws, v) if s else v for v, s in zip(texts, special, strict=True)]


def _cells(ws: WriteOnlyWorksheet, values: list[Any], style: StyleArray) -> list[Any]:
    """A column's cells, in the column's number format."""
    out: list[Any] = []
    for v in values:
        if v is None:
            out.append(None)
        else:
            cell = WriteOnlyCell(ws, v)
            cast(Any, cell)._style = style  # shared: a written cell's style is only read
            out.append(cell)
    return out
