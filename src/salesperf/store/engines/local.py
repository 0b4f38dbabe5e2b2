"""The embedded engine: one DuckDB file (or memory) holds everything, staging included."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.schema as sch
from ibis.backends import BaseBackend

from salesperf.schema import TABLES, Table
from salesperf.store.engines.base import (
    LOG_INSERT,
    EngineDefaults,
    MergeCounts,
    StoreError,
    damaged,
    duck_type,
    log_row,
    memory_limit,
    q,
    table_ddl,
)
from salesperf.store.engines.duck_merge import (
    duck_changes,
    duck_origins,
    duck_snapshot_delete,
    set_aside,
)
from salesperf.store.engines.local_files import remove_stale_spills, spill_folder
from salesperf.store.engines.urls import is_spark
from salesperf.store.reads import note_all
from salesperf.store.system_tables import REJECTS, REJECTS_SCHEMA
from salesperf.store.upkeep import Touched, replaced

#: One transaction at a time per DuckDB file in this process: its connections share one
#: database, and a transaction that began before another committed would refresh the roll-ups
#: from a snapshot without the other's rows (DuckDB refuses one of two transactions that delete
#: the same rows, and keeps both of two that insert).
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


_HAS_TABLE = (
    "SELECT 1 FROM information_schema.tables WHERE table_name = ? "
    "AND table_catalog IN (current_database(), 'temp') AND table_schema = current_schema() LIMIT 1"
)


def writer_lock(key: str) -> threading.RLock:
    """The lock the transactions on one DuckDB file (by its resolved path) take turns with."""
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, threading.RLock())


def must_exist(url: str) -> None:
    """Refuse a store URL naming a DuckDB file that does not exist (other engines and stores in
    memory pass): for commands that only read, a mistyped path is not a new store."""
    scheme, sep, rest = url.partition("://")
    if is_spark(url) or (sep and scheme != "duckdb"):
        return
    rest = rest if sep else url
    path = Path(rest).expanduser()
    if rest not in ("", ":memory:") and not path.exists():
        raise StoreError(
            f"no store at {path}; create one with `salesperf import` or `salesperf demo`"
        )


def open_duckdb(rest: str) -> tuple[Any, Path | None]:
    """An Ibis DuckDB backend on the file `rest` (or in memory), with a clear refusal.

    The engine spills work beyond its memory budget into a folder of this process next to the
    file (see `spill_folder`); leftovers of processes that died are removed once the file is
    open, that is once DuckDB holds its lock.
    """
    if rest in ("", ":memory:"):
        return ibis.duckdb.connect(), None
    path = Path(rest).expanduser()
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give the path of a .duckdb file")
    if not path.parent.exists():
        raise StoreError(f"cannot create the store {path}: folder {path.parent} is missing")
    spill = spill_folder(path)
    try:
        con = ibis.duckdb.connect(str(path), memory_limit=memory_limit(), temp_directory=str(spill))
    except duckdb.Error as exc:  # the engine's own words are the clearest here
        why = damaged(exc, str(path))
        raise StoreError(why or f"cannot open the store {path}: {exc}") from exc
    remove_stale_spills(path, spill)
    return con, path


class DuckDBEngine(EngineDefaults):
    """A DuckDB file: tables, staging and the log in one connection, one writer at a time."""

    name = "duckdb"
    #: A quarter of roll-up rows per statement: each piece fits the default memory budget.
    rollup_chunk_days: int | None = 92

    def __init__(self, rest: str) -> None:
        self._con, self.path = open_duckdb(rest)
        self._depth = 0
        self._order_to_reset = False
        key = str(self.path.resolve()) if self.path else f"memory-{id(self)}"
        self._writing = writer_lock(key)

    @property
    def con(self) -> BaseBackend:
        """The Ibis DuckDB backend."""
        return self.duck

    @property
    def duck(self) -> BaseBackend:
        """The Ibis backend on the DuckDB file."""
        return self._con  # type: ignore[no-any-return]

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection under the Ibis backend."""
        return self._con.con  # type: ignore[no-any-return]

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement on the file (a damaged file is a `StoreError` saying what to do)."""
        note_all()  # plain SQL: which tables it reads is not known here
        try:
            cur = self.raw.execute(sql, list(params or []))
        except duckdb.IOException as exc:
            why = self.damage(exc)
            if why is None:
                raise
            raise StoreError(why) from exc
        try:
            return list(cur.fetchall())
        except Exception:
            return []

    def replace_rows(self, name: str, columns: Sequence[str], keep: str, rows: str | None) -> None:
        """As every engine does, with the insertion order left to the engine: a roll-up's
        groups have no order of their own, and keeping one makes the engine hold a whole
        rebuild's result in memory (the stage roll-up of a 10M-activity store went past the
        384MB budget with it, where without it the work spills to disk)."""
        self.raw.execute("SET preserve_insertion_order = false")
        try:
            EngineDefaults.replace_rows(self, name, columns, keep, rows)
        finally:
            self._reset_order()

    def _reset_order(self) -> None:
        """The engine's default insertion order again; in a transaction that failed, after
        its rollback (a failed transaction takes no statement)."""
        try:
            self.raw.execute("RESET preserve_insertion_order")
            self._order_to_reset = False
        except duckdb.TransactionException:
            self._order_to_reset = True

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN ... COMMIT, or ROLLBACK when the block fails; nested blocks join; one at a
        time per file in this process (see `writer_lock`)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self._writing:
            self.execute("BEGIN TRANSACTION")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                self.execute("ROLLBACK")
                if self._order_to_reset:
                    self._reset_order()
                raise
            self._depth = 0
            self.execute("COMMIT")

    def has_table(self, name: str) -> bool:
        """Whether the file holds the table (or a temporary one): what Ibis's `list_tables`
        reads, asked of one name in one statement (a new store asks this some sixty times)."""
        return bool(self.execute(_HAS_TABLE, [name]))

    def create_table(
        self, name: str, schema: sch.Schema, key: tuple[str, ...] = (), *, strict: bool = False
    ) -> None:
        """The table, without key constraints unless `strict`: merges keep keys unique, and
        DuckDB's key indexes would slow bulk loads for nothing."""
        self.execute(table_ddl(name, schema, key if strict else (), duck_type))

    def staging(self) -> duckdb.DuckDBPyConnection:
        """The store's own connection (temporary tables): accepted rows reach the store
        without a copy."""
        return self.raw

    def staging_relation(self, table: str, column: str) -> str:
        """The stored column itself."""
        return f"(SELECT {q(column)} AS id FROM {q(table)})"

    def next_import_id(self) -> int:
        """One more than the largest so far (a DuckDB file has one writer at a time)."""
        rows = self.execute("SELECT coalesce(max(import_id), 0) + 1 FROM salesperf_imports")
        return int(rows[0][0])

    def write(
        self,
        spec: Table,
        staged: str,
        *,
        log: Mapping[str, Any] | None,
        rejects: str | None,
        on_phase: Callable[[str], None] | None = None,
        system: str | None = None,
        snapshot: str | None = None,
    ) -> MergeCounts:
        """Delete the changed rows (and, for a snapshot, the rows the file no longer has),
        insert the new and changed ones, record origins, log: one transaction."""
        target = q(spec.name)
        cols = ", ".join(q(c) for c in spec.column_names)
        on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in spec.key)
        counts, chg, _ = duck_changes(self.execute, spec, staged, spec.name)
        on_chg = " AND ".join(f"t.{q(k)} = c.{q(k)}" for k in spec.key)
        gone_rows = None
        with self.transaction():
            if on_phase:
                on_phase("write")
            touched = Touched(self, spec.name)
            if snapshot is not None:
                assert log is not None, "a snapshot import has a log entry"
                deleted, gone, params = duck_snapshot_delete(
                    self.execute, spec, spec.name, snapshot, system, log["import_id"]
                )
                if deleted and touched:
                    gone_rows = set_aside(self.execute, spec.name, staged, gone, params)
                if deleted:
                    self.execute(f"DELETE FROM {target} t WHERE {gone}", params)
                counts = dataclasses.replace(counts, deleted=deleted)
                if on_phase:
                    on_phase("deleted")
            changes = counts.inserted + counts.updated + counts.deleted
            if changes:
                touched.before(staged, gone_rows)
            if system is not None:
                duck_origins(self.execute, spec, staged, system)
            if counts.updated:
                self.execute(
                    f"DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM {q(chg)} c WHERE {on_chg})"
                )
            if counts.updated + counts.unchanged == 0 and counts.inserted:
                # no staged key is stored yet: a plain insert, much faster than an anti-join
                self.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {q(staged)}")
            elif counts.inserted or counts.updated:
                self.execute(
                    f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {q(staged)} s "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {on})"
                )
            self.write_log(log, counts, rejects)
            if on_phase:
                on_phase("commit")
            if changes:  # last: on PostgreSQL writes take turns here (see `lock_rollups`)
                touched.after()
                counts = dataclasses.replace(counts, footprint=touched.footprint)
        for temp in (chg, gone_rows):
            if temp is not None:
                self.execute(f"DROP TABLE IF EXISTS {q(temp)}")
        return counts

    def write_log(
        self, log: Mapping[str, Any] | None, counts: MergeCounts, rejects: str | None
    ) -> None:
        """The import log row and the rejected rows (a staged table), when there is an import."""
        if log is not None:
            self.execute(LOG_INSERT, log_row(log, counts))
        if rejects:
            rcols = ", ".join(REJECTS_SCHEMA.names)
            self.execute(f"INSERT INTO {REJECTS} ({rcols}) SELECT {rcols} FROM {q(rejects)}")

    def replace(self, relations: Mapping[str, str]) -> None:
        """Delete and insert, every table in one transaction."""
        with self.transaction():
            for name, sql in relations.items():
                cols = ", ".join(q(c) for c in TABLES[name].column_names)
                self.execute(f"DELETE FROM {q(name)}")
                self.execute(f"INSERT INTO {q(name)} ({cols}) SELECT {cols} FROM ({sql})")
            replaced(self, relations)

    def damage(self, exc: BaseException) -> str | None:
        """What to tell the user when `exc` says the file is damaged (else None)."""
        return damaged(exc, str(self.path)) if self.path else None

    def close(self) -> None:
        """Close the file."""
        self.duck.disconnect()
