"""Rows posted as JSON (a batch of activities or deals, or one logged activity) go through the
import's own checks: the batch becomes a small CSV file and is checked and written by the same
importer as any file, so there is one set of rules. A batch is all or nothing: if any row breaks
a rule, the answer lists each such row and its problem (in English and Dutch), and nothing is
written. Rows are upserted by id, so posting the same batch twice changes nothing.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path
from typing import Any

from salesperf.auth.access import write_guard
from salesperf.ingest.importer import import_file
from salesperf.ingest.mapping import CHECK_ONLY
from salesperf.schema import TABLES
from salesperf.server.deps import View
from salesperf.server.errors import BadRequest
from salesperf.store.reads import upsert_writes

#: The tables that take JSON batches, and the most rows one batch may carry.
BATCH_TABLES = ("activities", "deals")
MAX_ROWS = 10_000


#: Characters no field may hold: control characters other than tab (NUL among them), and
#: halves of a UTF-16 pair, which no text can be written with.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def _cell(value: Any, row: int, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, dict, list)):
        raise BadRequest(
            f"row {row}: {column} must be text, a number or null",
            problems=[{"row": row, "column": column, "message": "not a plain value"}],
        )
    text = str(value)
    if "\n" in text or "\r" in text:
        raise BadRequest(
            f"row {row}: {column} contains a line break",
            problems=[{"row": row, "column": column, "message": "contains a line break"}],
        )
    bad = CONTROL.search(text)
    if bad:
        what = f"the control character U+{ord(bad.group()):04X}"
        raise BadRequest(
            f"row {row}: {column} contains {what}",
            problems=[{"row": row, "column": column, "message": f"contains {what}"}],
        )
    return text


def _shape(table: str, rows: list[dict[str, Any]]) -> list[str]:
    """The batch's columns; BadRequest for an empty or too large batch or unknown fields."""
    spec = TABLES[table]
    if not rows:
        raise BadRequest("the batch is empty: send a JSON list of rows")
    if len(rows) > MAX_ROWS:
        raise BadRequest(f"a batch holds at most {MAX_ROWS:,} rows; this one has {len(rows):,}")
    known = set(spec.column_names) | set(CHECK_ONLY)
    unknown = [
        {"row": i, "column": k, "message": f"{table} have no field {k!r}"}
        for i, r in enumerate(rows)
        for k in r
        if k not in known
    ]
    if unknown:
        raise BadRequest(
            f"unknown field(s); {table} take: {', '.join(spec.column_names)}", problems=unknown
        )
    present = {k for r in rows for k in r}
    return [c for c in (*spec.column_names, *CHECK_ONLY) if c in present]


def write_rows(
    view: View, table: str, rows: list[dict[str, Any]], *, check_only: bool = False
) -> dict[str, Any]:
    """Check a batch with the importer's rules and, if every row passes, upsert it at once
    (with `check_only`, write nothing: only the BadRequest of a batch that breaks a rule)."""
    if table not in BATCH_TABLES:
        raise BadRequest(f"batches are taken for {', '.join(BATCH_TABLES)}, not {table}")
    columns = _shape(table, rows)
    with view.writes, tempfile.TemporaryDirectory(prefix="salesperf-batch-") as tmp:
        path = Path(tmp) / f"{table}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for i, r in enumerate(rows):
                w.writerow([_cell(r.get(c), i, c) for c in columns])
        # the guard runs inside each import, under the lock: no write changes owners meanwhile
        guard = write_guard(view.store, view.scope, table)
        checked = import_file(view.store, table, path, check_only=True, guard=guard)
        if checked.rejected:
            problems = [
                {
                    "row": p.line - 2,  # line 1 is the header; rows count from 0
                    "id": rows[p.line - 2].get(TABLES[table].key[0])
                    if 0 <= p.line - 2 < len(rows)
                    else None,
                    "column": p.column,
                    "value": p.value,
                    "rule": p.rule,
                    "message": p.message,
                    "message_nl": p.message_nl,
                }
                for p in checked.problems
            ]
            raise BadRequest(
                f"{checked.rejected} of {len(rows)} rows break a rule; nothing was written",
                problems=problems,
            )
        if check_only:
            return {"table": table, "received": len(rows)}
        touched = None  # not known unless the write says: as if it touched every day
        try:
            result = import_file(
                view.store, table, path, rejects_path=Path(tmp) / "rejects.csv", guard=guard
            )
            touched = result.footprint
        finally:  # only what this batch may have changed: its tables, on the days it touched
            view.cache.clear(upsert_writes(table), touched)
    return {
        "table": table,
        "received": len(rows),
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "import_id": result.import_id,
    }
