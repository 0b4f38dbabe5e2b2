"""Where each object's sync stands (the cursor its last committed page wrote in the import log)
and the record of each run (`salesperf sync status`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from salesperf.store import Store
from salesperf.store.system_tables import IMPORTS, SYNC_RUNS
from salesperf.sync.model import Cursor, ObjectReport


def label(crm: str, obj: str) -> str:
    """The source a sync's imports carry in the import log."""
    return f"sync:{crm}:{obj}"


def last_cursor(store: Store, crm: str, obj: str) -> Cursor | None:
    """The cursor of the object's last committed page (None: never synced)."""
    rows = store.select_rows(
        IMPORTS, ["import_id", "cursor"], {"source": label(crm, obj)}, order_by=["import_id"]
    )
    cursors = [r[1] for r in rows if r[1]]
    return Cursor.parse(cursors[-1]) if cursors else None


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def next_run_id(store: Store) -> int:
    ids = [int(r[0]) for r in store.select_rows(SYNC_RUNS, ["run_id"], distinct=True)]
    return max(ids, default=0) + 1


def start_run(store: Store, run_id: int, report: ObjectReport, full: bool) -> None:
    store.insert_row(
        SYNC_RUNS,
        {
            "run_id": run_id, "crm": report.crm, "object": report.object, "started_at": now(),
            "status": "running", "full_sync": full, "rows_in": 0, "inserted": 0, "updated": 0,
            "rejected": 0, "deleted": 0,
        },
    )  # fmt: skip


def end_run(
    store: Store, run_id: int, report: ObjectReport, status: str, error: str | None = None
) -> None:
    store.update_rows(
        SYNC_RUNS,
        {
            "finished_at": now(), "status": status, "rows_in": report.rows_in,
            "inserted": report.inserted, "updated": report.updated, "rejected": report.rejected,
            "deleted": report.deleted, "error": (error or "")[:2000] or None,
            "cursor": report.cursor.text() if report.cursor else None,
        },
        {"run_id": run_id, "crm": report.crm, "object": report.object},
    )  # fmt: skip


@dataclass(frozen=True)
class ObjectStatus:
    """One object's state: its cursor and its last run."""

    crm: str
    object: str
    cursor: Cursor | None
    last_run: Mapping[str, Any] | None


def status(store: Store, crm: str | None = None) -> list[ObjectStatus]:
    """Per CRM and object synced so far: the cursor and the last run (newest run first)."""
    cols = ["run_id", "crm", "object", "started_at", "finished_at", "status", "full_sync",
            "rows_in", "inserted", "updated", "rejected", "deleted", "cursor", "error"]  # fmt: skip
    rows = store.select_rows(SYNC_RUNS, cols, {"crm": crm} if crm else None, order_by=["run_id"])
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        record = dict(zip(cols, row, strict=True))
        last[(record["crm"], record["object"])] = record
    return [ObjectStatus(c, o, last_cursor(store, c, o), last[(c, o)]) for c, o in sorted(last)]
