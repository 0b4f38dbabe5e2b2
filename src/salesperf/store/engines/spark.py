"""Spark: the canonical tables as Parquet files in a warehouse folder, queried by Spark.

The folder holds `salesperf.duckdb`, the store's catalog: the settings, the import log, the
rejected rows, and which Parquet file is each canonical table's current snapshot
(`tables/<table>/<snapshot>.parquet`). Imports are checked in that DuckDB, which writes a new
snapshot of the table (the stored rows not replaced, plus the accepted ones); the catalog then
points at it in the same transaction as the log entry, so an import lands whole or not at all.
Spark starts only when a query needs it, and reads every table through a temporary view of its
current snapshot. One process at a time may open a warehouse.

Tables the organisation already keeps in its own lake can be read from there instead (see
`spark_sources`): Spark reads them through views, and salesperf never writes them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.schema as sch
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from salesperf.schema import TABLES, Table
from salesperf.store.engines.base import (
    MergeCounts,
    StoreError,
    duck_type,
    q,
)
from salesperf.store.engines.duck_merge import (
    duck_changes,
    duck_origins,
    duck_row_key,
    duck_snapshot_delete,
    set_aside,
)
from salesperf.store.engines.local import DuckDBEngine
from salesperf.store.engines.spark_sources import problems, view_sql
from salesperf.store.rollups import ROLLUPS
from salesperf.store.system_tables import DELETED, ROLLUP_STATE, ROLLUP_STATE_TABLE, ROLLUP_TABLES
from salesperf.store.upkeep import Touched, replaced

CATALOG = "salesperf.duckdb"
SNAPSHOTS = "salesperf_snapshots"
#: The tables kept as Parquet snapshots (canonical tables and roll-ups), with their columns.
SNAPSHOT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    **{name: spec.column_names for name, spec in TABLES.items()},
    **{name: tuple(schema.names) for name, schema in ROLLUP_TABLES.items()},
}

#: Spark settings every salesperf session needs. Without Arrow, pandas data (Ibis's in-memory
#: tables) reaches Spark damaged: nullable integers become NULL, missing text the word 'NaN'.
SESSION_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
}
START_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def local_partitions(master: str) -> int | None:
    """Shuffle partitions for a local master: two per core (Spark's 200 suit a cluster)."""
    if master == "local":
        return 2
    if master.startswith("local[") and master.endswith("]"):
        cores = master[6:-1].split(",")[0]
        if cores == "*":
            return 2 * (os.cpu_count() or 1)
        return 2 * int(cores) if cores.isdigit() else None
    return None


def spark_session(master: str, conf: Mapping[str, str], warehouse: Path) -> Any:
    """A new Spark session (its own temporary views) on the process's Spark context."""
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError:
        raise StoreError("a Spark store needs pyspark: pip install 'salesperf[spark]'") from None
    builder = SparkSession.builder.master(master).appName("salesperf")
    partitions = local_partitions(master)
    settings = {
        **START_CONF,
        **({"spark.sql.shuffle.partitions": str(partitions)} if partitions else {}),
        **SESSION_CONF,
        "spark.sql.warehouse.dir": str(warehouse / "_spark"),
        **conf,
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        base = builder.getOrCreate()
    except Exception as exc:
        raise StoreError(
            f"cannot start Spark ({master}): {str(exc).strip().splitlines()[0]}; "
            "Spark needs Java 17 (JAVA_HOME or java on the PATH)"
        ) from None
    base.sparkContext.setLogLevel("ERROR")
    session = base.newSession()
    for key, value in {**SESSION_CONF, **conf}.items():
        if session.conf.isModifiable(key):  # the rest were given to the context at its start
            session.conf.set(key, value)
    return session


class SparkEngine(DuckDBEngine):
    """A warehouse folder: Parquet snapshots for Spark, a DuckDB catalog for everything else."""

    name = "spark"
    rollup_chunk_days: int | None = None  # each statement writes a roll-up's Parquet anew

    def __init__(
        self,
        master: str,
        conf: Mapping[str, str],
        warehouse: Path,
        sources: Mapping[str, str] | None = None,
    ) -> None:
        warehouse = warehouse.expanduser().resolve()
        if warehouse.exists() and not warehouse.is_dir():
            raise StoreError(f"the Spark warehouse {warehouse} is a file; give a folder")
        if not warehouse.parent.exists():
            raise StoreError(
                f"cannot create the Spark warehouse {warehouse}: folder {warehouse.parent} is missing"
            )
        warehouse.mkdir(exist_ok=True)
        super().__init__(str(warehouse / CATALOG))
        self.path = None
        self.warehouse = warehouse
        self.master = master
        self._conf = dict(conf)
        self.sources = dict(sources or {})  # canonical table -> where the lake keeps it
        self._spark: BaseBackend | None = None
        self._session: Any = None
        self._pending: list[tuple[str, str | None, str]] = []  # (table, old, new snapshot)
        self._state_seen: list[tuple[Any, ...]] | None = None  # the roll-up state Spark sees
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {SNAPSHOTS} (table_name VARCHAR, location VARCHAR)"
        )
        for name in self._snapshots():
            if name not in self.sources:  # a lake table is read by Spark alone
                self._duck_view(name)

    # -- where each table's rows are -------------------------------------------------------
    def _snapshots(self) -> dict[str, str]:
        return dict(self.execute(f"SELECT table_name, location FROM {SNAPSHOTS}"))  # type: ignore[arg-type]

    def _file(self, location: str) -> str:
        return str(self.warehouse / location)

    def _duck_view(self, name: str) -> None:
        location = self._snapshots()[name]
        self.execute(
            f"CREATE OR REPLACE TEMP VIEW {q(name)} AS "
            f"SELECT * FROM read_parquet('{self._file(location)}')"
        )

    def _spark_view(self, name: str, location: str) -> None:
        if self._session is not None and name not in self.sources:
            self._session.read.parquet(self._file(location)).createOrReplaceTempView(name)

    def _new_location(self, name: str) -> str:
        return f"tables/{name}/{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet"

    def _write_snapshot(self, name: str, sql: str) -> None:
        """Write the relation as the table's next snapshot and point the catalog at it."""
        new = self._new_location(name)
        (self.warehouse / new).parent.mkdir(parents=True, exist_ok=True)
        cols = ", ".join(q(c) for c in SNAPSHOT_COLUMNS[name])
        with self.transaction():
            self._pending.append((name, self._snapshots().get(name), new))
            self.execute(
                f"COPY (SELECT {cols} FROM ({sql})) TO '{self._file(new)}' (FORMAT parquet)"
            )
            self.execute(f"DELETE FROM {SNAPSHOTS} WHERE table_name = ?", [name])
            self.execute(f"INSERT INTO {SNAPSHOTS} VALUES (?, ?)", [name, new])
            self._duck_view(name)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """The catalog's transaction; new snapshots become current when it commits."""
        outer = self._depth == 0
        try:
            with super().transaction():
                yield
        except BaseException:
            if outer:
                failed, self._pending = self._pending, []
                for name, _, new in failed:
                    Path(self._file(new)).unlink(missing_ok=True)
                    if name in self._snapshots():
                        self._duck_view(name)
                    else:
                        self.execute(f"DROP VIEW IF EXISTS {q(name)}")
            raise
        if outer:
            done, self._pending = self._pending, []
            for name, old, new in done:
                self._spark_view(name, new)
                if old is not None and old != new:
                    Path(self._file(old)).unlink(missing_ok=True)
            self._state_view()

    # -- the engine ------------------------------------------------------------------------
    @property
    def con(self) -> BaseBackend:
        """The Ibis Spark backend, started on first use."""
        if self._spark is None:
            session = spark_session(self.master, self._conf, self.warehouse)
            self._session = session
            for name, location in self._snapshots().items():
                self._spark_view(name, location)
            self._read_sources(session)
            self._state_view()
            self._spark = ibis.pyspark.connect(session)
        return self._spark

    def _state_view(self) -> None:
        """Spark's view of the roll-ups' state (`rollups.usable`), made again when it changed;
        roll-ups of lake tables are never current (the lake changes without salesperf)."""
        if self._session is None or not super().has_table(ROLLUP_STATE):
            return
        cols = ", ".join(ROLLUP_STATE_TABLE.schema.names)
        rows = [
            r
            for r in self.execute(f"SELECT {cols} FROM {ROLLUP_STATE} ORDER BY name")
            if r[0] in ROLLUPS and not set(ROLLUPS[r[0]].sources) & set(self.sources)
        ]
        if rows != self._state_seen:
            schema = "name STRING, version BIGINT, timezone STRING, built_at TIMESTAMP_NTZ"
            self._session.createDataFrame(rows, schema).createOrReplaceTempView(ROLLUP_STATE)
            self._state_seen = rows

    def _read_sources(self, session: Any) -> None:
        """Views of the lake's tables, and their rows checked against the import's rules."""
        for name, source in self.sources.items():
            session.sql(
                f"CREATE OR REPLACE TEMP VIEW `{name}` AS {view_sql(session, name, source)}"
            )
        for name, source in self.sources.items():
            found = problems(session, name)
            if found:
                raise StoreError(
                    f"the {name} table at {source} breaks the rules salesperf's import "
                    f"enforces: {'; '.join(found)}. Fix the rows there, or import the table "
                    "instead (`salesperf import` sets bad rows aside and says why)"
                )

    def read_only(self, name: str) -> str | None:
        """Why the table cannot be written (it is read from the lake), or None."""
        if name in self.sources:
            return (
                f"the {name} table of this store is read from {self.sources[name]}, which "
                "salesperf does not write: load the rows there"
            )
        return None

    def count(self, name: str) -> int:
        """Rows of a table: a lake table's from Spark, the rest from the catalog's snapshot."""
        if name in self.sources:
            return int(self.con.table(name).count().execute())
        return super().count(name)

    def staging_relation(self, table: str, column: str) -> str:
        """The ids of a lake table, fetched from Spark into a temporary table of the catalog."""
        if table not in self.sources:
            return super().staging_relation(table, column)
        ids = self.con.sql(f"SELECT DISTINCT `{column}` AS id FROM `{table}`").to_pyarrow()
        temp = f"_lake_{table}_{column}"
        self.raw.register(f"{temp}_arrow", ids)
        self.execute(
            f"CREATE OR REPLACE TEMP TABLE {q(temp)} AS SELECT id FROM {q(temp + '_arrow')}"
        )
        self.raw.unregister(f"{temp}_arrow")
        return q(temp)

    def table(self, name: str) -> ir.Table:
        """Canonical tables and roll-ups from Spark; the store's own tables from the catalog."""
        if name in SNAPSHOT_COLUMNS:
            return self.con.table(name)
        return self.duck.table(name)

    def has_table(self, name: str) -> bool:
        """A lake table, a canonical table with a snapshot, or a table of the catalog."""
        return name in self.sources or name in self._snapshots() or super().has_table(name)

    def create_table(
        self, name: str, schema: sch.Schema, key: tuple[str, ...] = (), *, strict: bool = False
    ) -> None:
        """Canonical tables and roll-ups start as an empty Parquet snapshot; others: catalog."""
        if name not in SNAPSHOT_COLUMNS:
            super().create_table(name, schema, key, strict=strict)
        elif name not in self._snapshots() and name not in self.sources:
            empty = ", ".join(f"CAST(NULL AS {duck_type(t)}) AS {q(n)}" for n, t in schema.items())
            self._write_snapshot(name, f"SELECT {empty} LIMIT 0")

    def add_column(self, table: str, column: str, dtype: Any) -> None:
        """A canonical table gets a new snapshot with the column (null in every row)."""
        if table not in TABLES:
            super().add_column(table, column, dtype)
            return
        location = self._snapshots().get(table)
        if location is None or table in self.sources:
            return
        have = {
            str(r[0])
            for r in self.execute(f"DESCRIBE SELECT * FROM read_parquet('{self._file(location)}')")
        }
        if column not in have:
            self._write_snapshot(
                table,
                f"SELECT *, CAST(NULL AS {duck_type(dtype)}) AS {q(column)} "
                f"FROM read_parquet('{self._file(location)}')",
            )

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
        """A new snapshot (stored rows not replaced or deleted + staged rows), the rows deleted
        by a snapshot import kept, origins, the log: one transaction."""
        cols = ", ".join(q(c) for c in spec.column_names)
        on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in spec.key)
        counts, chg, _ = duck_changes(self.execute, spec, staged, spec.name)
        aside = None
        with self.transaction():
            if on_phase:
                on_phase("write")
            touched = Touched(self, spec.name)
            gone = ""
            if snapshot is not None:
                assert log is not None, "a snapshot import has a log entry"
                deleted, where, params = duck_snapshot_delete(
                    self.execute, spec, spec.name, snapshot, system, log["import_id"]
                )
                if deleted and touched:
                    aside = set_aside(self.execute, spec.name, staged, where, params)
                counts = dataclasses.replace(counts, deleted=deleted)
                # the rows just kept as deleted by this import are left out of the new snapshot
                gone = (
                    f" AND {duck_row_key(spec, 't')} NOT IN (SELECT row_key FROM {DELETED} "
                    f"WHERE import_id = {int(log['import_id'])} AND table_name = '{spec.name}')"
                )
            if system is not None:
                duck_origins(self.execute, spec, staged, system)
            if counts.inserted or counts.updated or counts.deleted:
                touched.before(staged, aside)
                kept = (
                    f"SELECT {cols} FROM {q(spec.name)} t "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {q(staged)} s WHERE {on}){gone}"
                )
                self._write_snapshot(spec.name, f"{kept} UNION ALL SELECT {cols} FROM {q(staged)}")
            if on_phase and snapshot is not None:
                on_phase("deleted")
            self.write_log(log, counts, rejects)
            if on_phase:
                on_phase("commit")
            if counts.inserted or counts.updated or counts.deleted:
                touched.after()
                counts = dataclasses.replace(counts, footprint=touched.footprint)
        for temp in [t for t in (chg, aside) if t is not None]:
            self.execute(f"DROP TABLE IF EXISTS {q(temp)}")
        return counts

    def replace(self, relations: Mapping[str, str]) -> None:
        """A new snapshot of every table, current together."""
        with self.transaction():
            for name, sql in relations.items():
                self._write_snapshot(name, sql)
            replaced(self, relations)

    def replace_rows(self, name: str, columns: Sequence[str], keep: str, rows: str | None) -> None:
        """A new snapshot of the roll-up: its rows that meet `keep`, and `rows`."""
        cols = ", ".join(q(c) for c in columns)
        more = f" UNION ALL SELECT {cols} FROM ({rows}) AS _rows" if rows is not None else ""
        self._write_snapshot(name, f"SELECT {cols} FROM {q(name)} WHERE {keep}{more}")

    def close(self) -> None:
        """Close the catalog (the process's Spark context stays for other stores)."""
        if self._session is not None:
            for name in {*self._snapshots(), *self.sources, ROLLUP_STATE}:
                self._session.catalog.dropTempView(name)
        super().close()
