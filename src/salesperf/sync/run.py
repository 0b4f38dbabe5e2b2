"""A sync run: owners linked, then each object read page by page and imported through its preset.

Incremental (the default): each page is one import, whose log entry carries the page's cursor in
the same transaction as its rows; the next run starts after the last committed cursor, so a run
stopped between pages repeats nothing and loses nothing. Records the CRM deleted, archived or
merged away are removed (kept in `salesperf_deleted`, as a snapshot import keeps them).

`full`: every record is read again and the object's rows are imported at once as a snapshot of
that CRM (`replace` with the CRM as `system`): rows the CRM no longer has are removed, rows other
sources wrote are left alone. `dry_run`: every record is read and checked, nothing is written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from salesperf.ingest.importer import ImportResult, import_file
from salesperf.ingest.parse import ids_as_stored
from salesperf.ingest.resolve import preset
from salesperf.schema import TABLES
from salesperf.store import Store, StoreError
from salesperf.store.engines.batch import staged_batch
from salesperf.store.system_tables import ORIGINS
from salesperf.sync.model import (
    Connector,
    Cursor,
    ObjectReport,
    Page,
    Row,
    SyncObject,
    SyncReport,
)
from salesperf.sync.owners import link_owners, match_owners
from salesperf.sync.state import end_run, label, last_cursor, next_run_id, now, start_run
from salesperf.text import Lang

#: Told how many rows of an object were read so far.
Progress = Callable[[str, int], None]


def sync(
    store: Store,
    connector: Connector,
    *,
    full: bool = False,
    dry_run: bool = False,
    since: Cursor | None = None,
    rejects_dir: str | Path | None = None,
    on_progress: Progress | None = None,
    lang: Lang | str = Lang.EN,
) -> SyncReport:
    """Sync every object of `connector` into `store` (see the module docstring)."""
    crm = connector.name
    report = SyncReport(crm=crm, full=full, dry_run=dry_run)
    owners = connector.owners()
    report.owners_linked, report.owners_unmatched = link_owners(
        store, crm, owners, write=not dry_run
    )
    # a dry run writes no alias: its rows name the reps their owners would be linked to
    linked = {a: r for a, r in match_owners(store, crm, owners).items() if r} if dry_run else {}
    connector.prepare()
    run_id = 0 if dry_run else next_run_id(store)
    objects = [o for o in connector.objects() if o.preset is not None]
    # objects that share a table (calls, meetings, e-mails and tasks into activities) cannot
    # each be imported as a snapshot of the CRM's rows in it: the last would remove the others'.
    # A full sync of such a table upserts each object, then removes the CRM's rows none read.
    shared = {o.table for o in objects if sum(p.table == o.table for p in objects) > 1}
    read: dict[str, set[str] | None] = {}
    for obj in objects:
        done = ObjectReport(crm=crm, object=obj.name, table=obj.table)
        report.objects.append(done)
        start = None if full else (since or last_cursor(store, crm, obj.name))
        if not dry_run:
            start_run(store, run_id, done, full)
        try:
            pages = connector.pages(obj, start)
            if full or dry_run:
                snapshot = full and obj.table not in shared
                rows = _at_once(store, obj, crm, pages, done, snapshot, dry_run, rejects_dir,
                                on_progress, lang, linked)  # fmt: skip
                if full and obj.table in shared:  # None: one object read nothing (CRM down?)
                    seen = read.get(obj.table, set())
                    read[obj.table] = (
                        _keys(store, obj, rows) | seen if rows and seen is not None else None
                    )
            else:
                for page in pages:
                    _one_page(store, obj, crm, page, done, rejects_dir, lang)
                    if on_progress:
                        on_progress(obj.name, done.rows_in)
        except BaseException as exc:
            if not dry_run:
                end_run(store, run_id, done, "failed", str(exc) or type(exc).__name__)
            raise
        if not dry_run:
            end_run(store, run_id, done, "ok")
    for table, keys in read.items():
        if keys is not None and not dry_run:
            last = next(o for o in reversed(report.objects) if o.table == table)
            where = {"table_name": table, "system": crm}
            stored = {str(r[0]) for r in store.select_rows(ORIGINS, ["row_key"], where)}
            last.deleted += forget(store, crm, last.object, table, sorted(stored - keys), None)
    return report


def _keys(store: Store, obj: SyncObject, rows: Sequence[Row]) -> set[str]:
    """The keys of the rows (accepted or rejected: a rejected row keeps its stored row), read
    from the columns the object's preset maps onto the table's key, the first one filled."""
    columns = preset(str(obj.preset), obj.table).sources_for(TABLES[obj.table].key[0])
    found = (next((r.get(c) for c in columns if r.get(c)), None) for r in rows)
    stored = ids_as_stored(store.staging(), (str(v) for v in found if v))
    return {k for k in stored.values() if k}


def _write(rows: Sequence[Row], folder: Path, name: str) -> Path:
    """The rows as a Parquet file of text columns (what an export file would hold)."""
    names = list(dict.fromkeys(k for r in rows for k in r))
    table = pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})
    path = folder / f"{name}.parquet"
    pq.write_table(table, path)
    return path


def _count(done: ObjectReport, result: ImportResult) -> None:
    done.inserted += result.inserted
    done.updated += result.updated
    done.unchanged += result.unchanged
    done.rejected += result.rejected
    done.deleted += result.deleted
    if result.rejects_path:
        done.rejects_files.append(str(result.rejects_path))
    for owner, rows in result.unknown_owners:
        done.unknown_owners[owner] = done.unknown_owners.get(owner, 0) + rows


def _rejects(rejects_dir: str | Path | None, crm: str, obj: str, n: int) -> Path:
    folder = Path(rejects_dir) if rejects_dir else Path.cwd()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{crm}-{obj}-{n}.rejects.csv"


def _one_page(
    store: Store, obj: SyncObject, crm: str, page: Page, done: ObjectReport,
    rejects_dir: str | Path | None, lang: Lang | str,
) -> None:  # fmt: skip
    """One page imported with its cursor; then the records deleted in the CRM removed."""
    done.pages += 1
    cursor = page.cursor.text() if page.cursor else None
    if page.rows:
        with tempfile.TemporaryDirectory(prefix="salesperf-sync-") as tmp:
            path = _write(page.rows, Path(tmp), f"{crm}-{obj.name}")
            result = import_file(
                store, obj.table, path, preset_name=obj.preset, system=crm,
                label=label(crm, obj.name), cursor=cursor, lang=lang,
                rejects_path=_rejects(rejects_dir, crm, obj.name, done.pages),
            )  # fmt: skip
        done.rows_in += len(page.rows)
        _count(done, result)
        cursor = None  # committed with the rows
    if page.deleted:
        if obj.table == "deals":  # a deal's stage history goes with it (first: no orphans)
            forget(store, crm, obj.name, "deal_stages", page.deleted, None, by="deal_id")
        done.deleted += forget(store, crm, obj.name, obj.table, page.deleted, cursor)
        cursor = None
    if page.cursor:
        done.cursor = page.cursor


def _at_once(
    store: Store, obj: SyncObject, crm: str, pages: Iterable[Page], done: ObjectReport,
    full: bool, dry_run: bool, rejects_dir: str | Path | None,
    on_progress: Progress | None, lang: Lang | str, linked: Mapping[str, str],
) -> list[Row]:  # fmt: skip
    """Every page read, then imported in one go (a full sync's snapshot, or a dry run's check;
    `linked` names the rep of each owner alias a dry run did not write); the rows read."""
    rows: list[Row] = []
    cursor: Cursor | None = None
    for page in pages:
        done.pages += 1
        rows.extend(
            [{k: linked.get(v, v) if v else v for k, v in r.items()} for r in page.rows]
            if linked
            else page.rows
        )
        cursor = page.cursor or cursor
        if on_progress:
            on_progress(obj.name, len(rows))
    done.rows_in = len(rows)
    if not rows:  # nothing to check; a full sync of nothing removes nothing (the CRM may be down)
        return rows
    with tempfile.TemporaryDirectory(prefix="salesperf-sync-") as tmp:
        path = _write(rows, Path(tmp), f"{crm}-{obj.name}")
        result = import_file(
            store, obj.table, path, preset_name=obj.preset, system=crm,
            label=label(crm, obj.name),
            cursor=cursor.text() if cursor else None, check_only=dry_run, replace=full,
            lang=lang, rejects_path=_rejects(rejects_dir, crm, obj.name, 0),
        )  # fmt: skip
    _count(done, result)
    done.cursor = cursor
    return rows


def forget(
    store: Store, crm: str, obj: str, table: str, ids: Sequence[str], cursor: str | None,
    *, by: str | None = None,
) -> int:  # fmt: skip
    """Remove the rows `crm` wrote whose key (or, with `by`, whose column `by`) is one of `ids`
    (the records the CRM deleted), keeping them in `salesperf_deleted`, in one transaction with
    a log entry (and the cursor); how many rows were removed. Rows another source wrote are
    left alone."""
    spec = TABLES[table]
    wanted = {str(i) for i in ids}
    if by is None:
        if len(spec.key) != 1:
            raise StoreError(f"{table} has a key of several columns: name the column to match")
        where = {"table_name": table, "system": crm}
        stored = [str(r[0]) for r in store.select_rows(ORIGINS, ["row_key"], where)]
        if not wanted & set(stored):
            return 0
        keep = pa.table({spec.key[0]: [k for k in stored if k not in wanted]})
    else:
        t = store.table(table)
        if not int(t.filter(t[by].isin(list(wanted))).count().execute()):
            return 0
        keep = t.filter(~t[by].isin(list(wanted))).select(*spec.key).to_pyarrow()
    con = store.staging()
    keys = f"_sync_keep_{table}"
    con.register(f"{keys}_arrow", keep)
    try:
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{keys}" AS SELECT * FROM "{keys}_arrow"')
        empty = pa.table({c: pa.array([], pa.string()) for c in spec.required})
        with staged_batch(con, spec, empty) as staged:
            log = {
                "import_id": store.next_import_id(), "table_name": table,
                "source": label(crm, obj), "started_at": now(), "rows_read": 0,
                "rejected": 0, "cursor": cursor,
            }  # fmt: skip
            counts = store.merge(spec, staged, log=log, rejects=None, system=crm, snapshot=keys)
    finally:
        con.unregister(f"{keys}_arrow")
        con.execute(f'DROP TABLE IF EXISTS "{keys}"')
    return counts.deleted
