"""The one place that connects to an engine.

A store is opened from a URL: a path or `duckdb:///path.duckdb` for the embedded default,
`postgresql://user@host:port/database` for PostgreSQL, `local[2]?warehouse=/folder` or
`spark://host:7077?warehouse=/folder` for Spark over Parquet (see docs/deployment.md). The rest of
salesperf receives an Ibis backend or table from here and never names an engine (engines differ in
`salesperf.store.engines`). The store keeps its schema version and upgrades itself on open.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis.expr.datatypes as dt
import ibis.expr.schema as sch
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from salesperf.schema import LOAD_ORDER, TABLES, Table
from salesperf.settings import SETTING_KEYS, SettingError, Settings, check_setting
from salesperf.store.engines import batch, connect, shown
from salesperf.store.engines.base import (
    MEMORY_ENV,
    Engine,
    MergeCounts,
    StoreError,
    duck_casts,
    memory_limit,
)
from salesperf.store.engines.batch import batch_of, staged_batch
from salesperf.store.engines.local import must_exist
from salesperf.store.engines.rows import Compare, Op, RowAccess
from salesperf.store.maintain import Maintenance
from salesperf.store.migrations import MIGRATIONS
from salesperf.store.system_tables import META, SystemTable
from salesperf.store.upkeep import rebuild_all

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

__all__ = [
    "DEFAULT_STORE",
    "IMPORT_MEMORY",
    "MEMORY_ENV",
    "STORE_ENV",
    "Compare",
    "MergeCounts",
    "Op",
    "Store",
    "StoreError",
    "copy_store",
    "memory_limit",
    "resolve_url",
]

DEFAULT_STORE = "salesperf.duckdb"
STORE_ENV = "SALESPERF_STORE"
#: An import stages every row of its file; a tighter budget keeps a ten-million-row file well
#: inside 1.5 GB of memory at a small cost in speed (the staged rows spill to disk).
IMPORT_MEMORY = "640MB"


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """The store URL to use: the argument, else $SALESPERF_STORE, else ./salesperf.duckdb."""
    if url is None or str(url) == "":
        url = os.environ.get(STORE_ENV) or DEFAULT_STORE
    return str(url)


class Store(RowAccess, Maintenance):
    """An open store: an Ibis backend holding the canonical tables."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = shown(url)
        self._engine = engine
        self.path: Path | None = engine.path

    @property
    def con(self) -> BaseBackend:
        """The Ibis backend the metric layer queries (Spark starts on first use)."""
        return self._engine.con

    @property
    def engine(self) -> str:
        """The engine's name: duckdb, postgres or spark."""
        return self._engine.name

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str | os.PathLike[str] | None = None,
        *,
        upgrade: bool = True,
        target_version: int | None = None,
        create: bool = True,
    ) -> Store:
        """Open the store at `url` and bring its schema up to date; a DuckDB file that does not
        exist is created, or with `create=False` refused (a mistyped path is not a new store)."""
        resolved = resolve_url(url)
        if not create:
            must_exist(resolved)
        store = cls(resolved, connect(resolved))
        if upgrade:
            try:
                store.upgrade(target_version)
            except BaseException as exc:
                store.close()
                why = store._engine.damage(exc)
                if why is None:
                    raise
                raise StoreError(why) from exc
        return store

    def close(self) -> None:
        """Close the connection."""
        self._engine.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self.close()
        why = None if exc is None else self._engine.damage(exc)
        if why is not None:  # a read in the block found the file damaged: say what to do
            raise StoreError(why) from exc

    # -- raw access (only the store speaks SQL) --------------------------------------------
    def _exec(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one plain-SQL statement with `?` placeholders on the store's own tables."""
        return self._engine.execute(sql, params)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        with self._engine.transaction():
            yield

    # -- schema versions -----------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        """Whether the store holds a table of that name."""
        return self._engine.has_table(name)

    def create_table(self, name: str, schema: sch.Schema, key: tuple[str, ...] = ()) -> None:
        """Create a table (for migrations); engines that enforce keys enforce `key`."""
        self._engine.create_table(name, schema, key)

    def declare(self, table: SystemTable) -> None:
        """Create one of the store's own tables as declared, if absent (for migrations)."""
        self._engine.create_table(table.name, table.schema, table.key, strict=table.strict)

    def add_column(self, table: str, column: str, dtype: dt.DataType) -> None:
        """Add a column (null in every row) to a table that lacks it (for migrations)."""
        self._engine.add_column(table, column, dtype)

    def create_index(self, table: str, columns: tuple[str, ...]) -> None:
        """An index for reads by these columns, on engines that use indexes (for migrations)."""
        self._engine.create_index(table, columns)

    @property
    def schema_version(self) -> int:
        """The schema version the store is at (0 for an empty store)."""
        if not self.has_table(META):
            return 0
        rows = self._exec(f"SELECT value FROM {META} WHERE key = 'schema_version'")
        return int(rows[0][0]) if rows else 0

    def upgrade(self, target: int | None = None) -> list[int]:
        """Apply the migrations the store lacks, each in its own transaction. Processes
        opening the same store at once take turns; each migration runs once."""
        current = self.schema_version
        latest = len(MIGRATIONS)
        target = latest if target is None else target
        if current > latest:
            raise StoreError(
                f"the store {self.url} has schema version {current}, newer than this salesperf "
                f"understands ({latest}); upgrade salesperf to use it"
            )
        applied = []
        for version in range(current + 1, target + 1):
            with self.transaction():
                self._engine.lock_schema()
                if self.schema_version >= version:  # another process was first
                    continue
                MIGRATIONS[version - 1](self)
                self._set_meta("schema_version", str(version))
            applied.append(version)
        self._engine.prepare()
        return applied

    def _set_meta(self, key: str, value: str) -> None:
        self._exec(f"DELETE FROM {META} WHERE key = ?", [key])
        self._exec(f"INSERT INTO {META} VALUES (?, ?)", [key, value])

    def _meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.select_rows(META, ("key", "value"))}

    @property
    def settings(self) -> Settings:
        """The organisation's settings (time zone, currency, activity types, context)."""
        return Settings.from_meta(self._meta())

    def set_setting(self, key: str, value: str, *, replacing: bool = False) -> str:
        """Change one setting after checking it; returns the value as stored. The currency
        does not change under stored amounts or rates unless the caller has just replaced
        every table with amounts in the new one (`replacing`, the demo)."""
        try:
            checked = check_setting(key, value)
        except SettingError as exc:
            raise StoreError(str(exc)) from None
        before = self.settings
        if key == "currency" and checked != before.currency and not replacing:
            self._check_currency_change(checked)
        with self.transaction():
            self._set_meta(key, checked)
            if key == "timezone" and checked != before.timezone:  # roll-ups hold local days
                rebuild_all(self._engine, checked)
        return checked

    def _check_currency_change(self, new: str) -> None:
        """Refuse a new organisation currency once amounts or rates are stored in the old one:
        `fx_rates` holds rates into the old currency and deals without their own currency are
        in it, so every converted figure would silently be wrong."""
        old = self.settings.currency
        rates = self.count("fx_rates") if self.has_table("fx_rates") else 0
        deals = self.table("deals")
        priced = int(
            deals.filter(
                deals.amount.notnull() & (deals.currency.isnull() | (deals.currency != new))
            )
            .count()
            .execute()
        )
        if rates or priced:
            held = " and ".join(
                part
                for part in (
                    f"{priced:,} deals with amounts in {old} or another currency" if priced else "",
                    f"{rates:,} exchange rates into {old}" if rates else "",
                )
                if part
            )
            raise StoreError(
                f"the store holds {held}; the organisation's currency cannot change under them "
                f"(every converted figure would be wrong). Show figures in {new} with "
                f"`salesperf scorecard --currency {new}` instead, or start a new store"
            )

    # -- tables --------------------------------------------------------------------------
    def table(self, name: str) -> ir.Table:
        """The Ibis table for a canonical (or log) table."""
        return self._engine.table(name)

    def count(self, name: str) -> int:
        """The number of rows in a table."""
        return self._engine.count(name)

    def counts(self) -> dict[str, int]:
        """Row counts of every canonical table."""
        return {name: self.count(name) for name in TABLES}

    # -- imports -------------------------------------------------------------------------
    def memory_budget(self, limit: str) -> contextlib.AbstractContextManager[None]:
        """Run the block with a smaller staging memory budget (work beyond it spills to disk)."""
        return batch.memory_budget(self.staging(), limit)

    def progress_tracker(self) -> Callable[[], float]:
        """A function telling how far the running statement is, in percent (< 0: unknown).

        Call this before the work starts; the function may then be called from another thread.
        """
        return batch.progress_tracker(self.staging())

    def check_writable(self, table: str) -> None:
        """Refuse, saying why, a write to a canonical table this store only reads (every write
        of rows passes here: `merge`, which `merge_rows` uses, and `replace_all`; an import
        asks first, before it reads its file)."""
        why = self._engine.read_only(table)
        if why:
            raise StoreError(why)

    def staging(self) -> DuckDBPyConnection:
        """The DuckDB connection in which import files are read and checked: the embedded
        store's own (temporary tables: accepted rows reach the store without a copy); other
        engines stage in a DuckDB of their own and copy the accepted rows over."""
        return self._engine.staging()

    def staging_relation(self, table: str, column: str) -> str:
        """A relation, usable in the staging engine, of the ids in `table.column` (as `id`)."""
        if table not in TABLES or column not in TABLES[table].column_names:
            raise StoreError(f"{table}.{column} is not a canonical column")
        return self._engine.staging_relation(table, column)

    def next_import_id(self) -> int:
        """A fresh import id."""
        return self._engine.next_import_id()

    def merge(
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
        """Upsert the staged table (a temporary table in the staging engine) into `spec`, in
        one transaction.

        Rows whose key is new are inserted; rows whose key exists with other values replace the
        stored row; identical rows are left alone. The import log and the rejected rows are
        written in the same transaction, so an import is recorded exactly when it lands.

        `system` names the source system the rows come from (recorded as each written key's
        origin). `snapshot` (a staging relation of the key columns of every row of the import's
        file, accepted or rejected) makes this a snapshot import: stored rows whose key is not
        in it (with a `system`, of the rows that system wrote last) are deleted, each kept in
        `salesperf_deleted` (see `salesperf.ingest.snapshot.restore`). The roll-ups are kept
        current in the same transaction (`salesperf.store.upkeep`).
        """
        self.check_writable(spec.name)
        if snapshot is not None and log is None:
            raise StoreError("a snapshot import needs its log entry (the deleted rows name it)")
        return self._engine.write(
            spec, staged, log=log, rejects=rejects, on_phase=on_phase, system=system,
            snapshot=snapshot,
        )  # fmt: skip

    def merge_rows(self, table: str, rows: pa.Table | Sequence[Mapping[str, Any]]) -> MergeCounts:
        """Upsert a small batch of rows, by key, in one transaction (no import log).

        Sending the same batch twice changes nothing the second time. The rows must already be
        valid (the import's checks are not run here): each needs the table's required columns;
        columns left out are null; values must cast to the canonical types. A batch with a
        key twice, a missing required value or an unknown column is refused whole.
        """
        spec = TABLES.get(table)
        if spec is None:
            raise StoreError(f"there is no table {table!r}; the tables are: {', '.join(TABLES)}")
        data = batch_of(spec, rows)
        if data.num_rows == 0:
            return MergeCounts(0, 0, 0)
        with staged_batch(self.staging(), spec, data) as name:
            return self.merge(spec, name, log=None, rejects=None)

    def replace_all(self, tables: Mapping[str, pa.Table | pa.RecordBatchReader]) -> dict[str, int]:
        """Replace the whole content of the given canonical tables, in one transaction.

        Used for whole data sets built in memory (the demo organisation); each Arrow table (or
        stream of batches, read once) must have exactly the canonical columns (in any order,
        castable to the canonical types).
        """
        for name in tables:
            self.check_writable(name)
        con = self.staging()
        relations: dict[str, str] = {}
        written: dict[str, int] = {}
        try:
            for name, data in tables.items():
                spec = TABLES[name]
                missing = set(spec.column_names) - set(data.schema.names)
                if missing:
                    raise StoreError(f"{name}: columns missing: {', '.join(sorted(missing))}")
                view = f"_replace_{name}"
                con.register(view, data)
                relations[name] = f"SELECT {duck_casts(spec.schema)} FROM {view}"
                if isinstance(data, pa.Table):
                    written[name] = data.num_rows
            self._engine.replace(relations)
        finally:
            for name in relations:
                con.unregister(f"_replace_{name}")
        for name in relations:
            if name not in written:
                written[name] = self.count(name)
        return written


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Copy every canonical table and the settings of one store into another (any engines).

    The target's canonical tables are replaced, one table at a time; rows stream through, so a
    store larger than memory can be copied. Used to move a store to PostgreSQL or Spark.
    """
    for key, value in source._meta().items():
        if key in SETTING_KEYS:
            target.set_setting(key, value, replacing=True)  # every table is replaced below
    copied = {}
    for name in LOAD_ORDER:
        reader = source.table(name).to_pyarrow_batches(chunk_size=200_000)
        copied.update(target.replace_all({name: reader}))
    return copied
