"""What an export reads: a canonical table's rows inside the viewer's scope, read from the store
in Arrow record batches (never the whole table at once), or a scorecard; each with its columns,
its number of rows and the width each column needs in Excel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from salesperf.metrics.periods import local_time
from salesperf.scorecard import Scorecard
from salesperf.server.exporting.columns import (
    Column,
    Form,
    Kind,
    scorecard_columns,
    table_columns,
)

#: Rows read from the store at a time.
BATCH_ROWS = 65_536
#: The widest a column is made in Excel, in characters.
MAX_WIDTH = 60


@dataclass(frozen=True)
class Export:
    """Rows to write to a file: its name (without extension), columns, number of rows, each
    column's width in Excel, and a function that reads the rows in batches, in column order."""

    name: str
    columns: tuple[Column, ...]
    rows: int
    widths: tuple[float, ...]
    batches: Callable[[], Iterable[pa.RecordBatch]]


def table_export(t: ir.Table, table: str, name: str, form: Form) -> Export:
    """The rows of `t` (a canonical table, already scoped and filtered), times in the form's
    zone (a date-only value as its day's midnight)."""
    columns = table_columns(table, form)
    stats: dict[str, Any] = {"rows": t.count()}
    for i, c in enumerate(columns):
        col = t[c.name]
        if c.kind is Kind.TEXT:
            stats[f"e{i}"] = col.length().max()
        elif c.kind.numeric:
            stats[f"e{i}"] = col.abs().max()
        elif c.kind is Kind.TIMESTAMP:
            stats[f"lo{i}"], stats[f"hi{i}"] = col.min(), col.max()
    found = t.aggregate(**stats).to_pyarrow().to_pylist()[0]
    selected = []
    for i, c in enumerate(columns):
        col = t[c.name]
        lo, hi = found.get(f"lo{i}"), found.get(f"hi{i}")
        if isinstance(lo, datetime) and isinstance(hi, datetime):
            col = local_time(col, form.timezone, lo.date(), hi.date()).name(c.name)
        selected.append(col)
    expr = t.select(*selected)
    widths = tuple(width(c, found.get(f"e{i}")) for i, c in enumerate(columns))

    def batches() -> Iterator[pa.RecordBatch]:
        yield from expr.to_pyarrow_batches(chunk_size=BATCH_ROWS)

    return Export(name, columns, int(found["rows"]), widths, batches)


def scorecard_export(card: Scorecard, name: str, form: Form) -> Export:
    """The scorecard as one flat table (`Scorecard.to_frame`)."""
    frame = card.to_frame()
    data = pa.Table.from_pandas(frame, preserve_index=False)
    columns = scorecard_columns(card, [str(c) for c in frame.columns], form)
    arrays = []
    for c, arr in zip(columns, data.columns, strict=True):
        if c.kind is Kind.TEXT and not pa.types.is_string(arr.type):
            arr = pc.cast(arr, pa.string())
        arrays.append(arr)
    data = pa.table(arrays, names=[c.name for c in columns])
    widths = []
    for c, arr in zip(columns, data.columns, strict=True):
        extent = None
        if c.kind is Kind.TEXT:
            extent = pc.max(pc.utf8_length(arr)).as_py()
        elif c.kind.numeric:
            extent = pc.max(pc.abs(arr)).as_py()
        widths.append(width(c, extent))
    return Export(name, columns, data.num_rows, tuple(widths), data.to_batches)


def width(c: Column, extent: Any) -> float:
    """The width of a column in Excel: its header's or its longest value's, whichever is
    wider (`extent`: the longest text, or the largest number), within `MAX_WIDTH`."""
    content = 0
    if c.kind is Kind.TEXT:
        content = int(extent or 0)
    elif c.kind is Kind.RATIO:
        content = len(f"{100 * float(extent or 0):,.1f}%")
    elif c.kind.numeric:
        digits = 0 if c.kind is Kind.INTEGER else 2
        content = len(f"{float(extent or 0):,.{digits}f}") + (3 if c.kind is Kind.MONEY else 0)
    elif c.kind is Kind.DATE:
        content = len(date.min.isoformat())
    elif c.kind is Kind.TIMESTAMP:
        content = len("2026-07-01 12:00")
    return float(min(max(len(c.header), content) + 2, MAX_WIDTH))
