"""What every engine does for a store, and the SQL its DuckDB side shares.

Each engine keeps the canonical tables (and the store's own log tables) and offers an Ibis
backend for the metric layer. Whatever the engine, import files are read and checked in a DuckDB
connection (the staging engine): accepted rows are then written into the store in one go.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import ibis.expr.schema as sch
import ibis.expr.types as ir
from ibis.backends import BaseBackend
from ibis.backends.sql.datatypes import DuckDBType

from salesperf import errors
from salesperf.schema import Table
from salesperf.store.reads import Footprint, reading
from salesperf.store.system_tables import IMPORTS, IMPORTS_SCHEMA

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

MEMORY_ENV = "SALESPERF_MEMORY_LIMIT"


class StoreError(errors.StoreError):
    """The store cannot be opened or used as asked; the message says why."""


@dataclass(frozen=True)
class MergeCounts:
    """What one merge did to a table."""

    inserted: int
    updated: int
    unchanged: int
    deleted: int = 0  # by a snapshot import (`--replace`): stored rows the file no longer has
    #: what a write of activities touched (None: not known), beside the counts
    footprint: Footprint | None = field(default=None, compare=False)


def memory_limit() -> str:
    """The embedded engine's memory budget (beyond it, work spills to disk): 384MB by default.

    A bounded budget keeps scorecards and analyses of tens of millions of rows inside the
    memory a laptop or a small server has (the full scorecard of 50 million activities stays
    under 1 GB for the whole process, at a few percent of its speed at 10 million; see
    docs/performance.md); $SALESPERF_MEMORY_LIMIT (e.g. 4GB) raises it.
    """
    return os.environ.get(MEMORY_ENV) or "384MB"


def out_of_memory(exc: BaseException) -> str | None:
    """What to tell the user when the embedded engine ran out of its memory budget (None for
    any other error)."""
    try:
        import duckdb
    except ModuleNotFoundError:  # pragma: no cover - duckdb is a dependency
        return None
    if not isinstance(exc, duckdb.OutOfMemoryException):
        return None
    return (
        f"the work needed more memory than the engine's budget ({memory_limit()}); give it more "
        f"with {MEMORY_ENV} (for example {MEMORY_ENV}=4GB): most work beyond the budget spills "
        "to disk, but not all of it can"
    )


#: DuckDB's words when a block of its file fails its checksum or the file ends too soon. The
#: same exception type (IOException) also says "disk full" or "no such CSV file", which are not
#: damage, hence the words.
_DAMAGE_WORDS = ("Corrupt database file", "Could not read enough bytes from file")
_NOT_A_STORE = "not a valid DuckDB database file"


def damaged(exc: BaseException, where: str | None = None) -> str | None:
    """What to tell the user when the embedded engine found the store's file damaged (None for
    any other error); `where` names the store."""
    try:
        import duckdb
    except ModuleNotFoundError:  # pragma: no cover - duckdb is a dependency
        return None
    if not isinstance(exc, duckdb.IOException):
        return None
    words = str(exc)
    store = f"the store {where}" if where else "the store"
    if _NOT_A_STORE in words:
        return (
            f"cannot open {store}: it is not a DuckDB file, or its first bytes are damaged "
            f"({words}); give the path of a salesperf store, or restore it from a backup"
        )
    if not any(w in words for w in _DAMAGE_WORDS):
        return None
    named = re.search(r'from file "([^"]+)"', words)
    if named and where and Path(named.group(1)).name != Path(where).name:
        return None  # another file (one being imported) ends too soon: not the store
    place = where or "PATH"
    return (
        f"{store} is damaged: part of its file cannot be read ({words}). Move the damaged "
        "file aside, then restore the store from a backup, copy a good store "
        f"to its place (salesperf copy {place} --store GOOD), or import your files again "
        "(salesperf import)"
    )


def q(name: str) -> str:
    """A quoted identifier (our own canonical names only)."""
    return '"' + name.replace('"', '""') + '"'


def duck_type(dtype: Any) -> str:
    """The DuckDB type of an Ibis type."""
    return str(DuckDBType.from_ibis(dtype).sql("duckdb"))


def duck_casts(spec_schema: sch.Schema) -> str:
    """A select list casting each column to its stored DuckDB type."""
    return ", ".join(f"CAST({q(n)} AS {duck_type(t)}) AS {q(n)}" for n, t in spec_schema.items())


def log_row(log: Mapping[str, Any], counts: MergeCounts) -> list[Any]:
    """The import log row of an import that landed with these counts, in column order."""
    row = {
        **log,
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "deleted": counts.deleted,
        "finished_at": datetime.now(UTC).replace(tzinfo=None),
    }
    return [row.get(c) for c in IMPORTS_SCHEMA.names]


LOG_INSERT = (
    f"INSERT INTO {IMPORTS} ({', '.join(IMPORTS_SCHEMA.names)}) "
    f"VALUES ({', '.join('?' for _ in IMPORTS_SCHEMA.names)})"
)


def table_ddl(
    name: str, schema: sch.Schema, key: tuple[str, ...], type_of: Callable[[Any], str]
) -> str:
    """CREATE TABLE IF NOT EXISTS with the engine's types (`type_of`), NOT NULL for columns whose
    type is not nullable, and the primary key (if any)."""
    cols = [f"{q(n)} {type_of(t)}{'' if t.nullable else ' NOT NULL'}" for n, t in schema.items()]
    if key:
        cols.append(f"PRIMARY KEY ({', '.join(q(k) for k in key)})")
    return f"CREATE TABLE IF NOT EXISTS {q(name)} ({', '.join(cols)})"


class Engine(Protocol):
    """One engine behind a store (DuckDB, PostgreSQL, Spark).

    `execute` runs plain SQL with `?` placeholders on the store's side that holds the settings
    and log tables; `staging` is the DuckDB connection in which import files are checked, and
    `write` moves accepted rows from there into the store. What most engines do alike is in
    `EngineDefaults`.
    """

    name: str
    path: Path | None
    #: The SQL dialect of `execute` (the roll-ups are built there, see `salesperf.store.upkeep`).
    rollup_dialect: str
    rollup_chunk_days: int | None

    @property
    def con(self) -> BaseBackend:
        """The Ibis backend the metric layer queries."""
        ...

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement; its rows (none for a statement without a result)."""
        ...

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """All writes inside commit together or not at all (nested blocks join the outer one)."""
        ...

    def has_table(self, name: str) -> bool:
        """Whether the store holds a table of that name."""
        ...

    def table(self, name: str) -> ir.Table:
        """The Ibis table."""
        ...

    def create_table(
        self, name: str, schema: sch.Schema, key: tuple[str, ...] = (), *, strict: bool = False
    ) -> None:
        """Create a table if it does not exist; engines that enforce keys enforce `key`, and
        every engine enforces it (and the schema's not-nulls) for a `strict` table."""
        ...

    def add_column(self, table: str, column: str, dtype: Any) -> None:
        """Add a column (null in every row) to a table that lacks it."""
        ...

    def count(self, name: str) -> int:
        """The number of rows in a table."""
        ...

    def read_only(self, name: str) -> str | None:
        """Why a canonical table cannot be written here, or None when it can."""
        ...

    def create_index(self, table: str, columns: tuple[str, ...]) -> None:
        """An index for reads by these columns, where the engine uses indexes (else nothing)."""
        ...

    def lock_schema(self) -> None:
        """Inside an upgrade's transaction: wait until no other process is upgrading."""
        ...

    def prepare(self) -> None:
        """After the schema is up to date: what the engine needs besides the tables."""
        ...

    def staging(self) -> DuckDBPyConnection:
        """The DuckDB connection in which import files are read and checked."""
        ...

    def staging_relation(self, table: str, column: str) -> str:
        """A relation, in the staging engine, of the values in `table.column` (as `id`)."""
        ...

    def next_import_id(self) -> int:
        """A fresh import id, never handed out before."""
        ...

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
        """Upsert the staged relation into `spec`'s table, with the log row and the rejects.

        `system` records it as the origin of every written key (`salesperf_origins`).
        `snapshot`, a staging relation of the key columns of every row of the import's file,
        makes it a snapshot import: stored rows whose key is not in it (of `system` only, when
        given) are deleted, each kept in `salesperf_deleted`, in the same transaction."""
        ...

    def replace(self, relations: Mapping[str, str]) -> None:
        """Replace whole tables by staged relations (SQL in the staging engine), at once."""
        ...

    def replace_rows(self, name: str, columns: Sequence[str], keep: str, rows: str | None) -> None:
        """In one of the store's derived tables (a roll-up): keep the rows that meet `keep`
        (SQL), add `rows` (a SELECT of `columns`), inside the caller's transaction."""
        ...

    def lock_rollups(self) -> None:
        """Inside a transaction, before roll-up rows are replaced: wait until no other process
        is replacing any (each replaces the rows of its days as its own snapshot sees them)."""
        ...

    def damage(self, exc: BaseException) -> str | None:
        """What to tell the user when `exc` says the store's own files are damaged (else None)."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...


class EngineDefaults:
    """What most engines do alike (an engine class overrides what it does otherwise)."""

    path: Path | None = None
    rollup_dialect = "duckdb"
    #: Days of roll-up rows built per statement in a rebuild (None: every day at once).
    rollup_chunk_days: int | None = None

    def table(self: Engine, name: str) -> ir.Table:
        """The Ibis table."""
        return self.con.table(name)

    def add_column(self: Engine, table: str, column: str, dtype: Any) -> None:
        """Add a column (null in every row) to a table that lacks it."""
        self.execute(
            f"ALTER TABLE {q(table)} ADD COLUMN IF NOT EXISTS {q(column)} {duck_type(dtype)}"
        )

    def count(self: Engine, name: str) -> int:
        """The number of rows in a table."""
        with reading(name):
            return int(self.execute(f"SELECT count(*) FROM {q(name)}")[0][0])

    def read_only(self, name: str) -> str | None:
        """Why a canonical table cannot be written here, or None when it can."""
        return None

    def replace_rows(
        self: Engine, name: str, columns: Sequence[str], keep: str, rows: str | None
    ) -> None:
        """Delete the rows that fail `keep`, insert `rows`."""
        self.execute(f"DELETE FROM {q(name)} WHERE NOT ({keep})")
        if rows is not None:
            cols = ", ".join(q(c) for c in columns)
            self.execute(f"INSERT INTO {q(name)} ({cols}) SELECT {cols} FROM ({rows}) AS _rows")

    def create_index(self, table: str, columns: tuple[str, ...]) -> None:
        """An index for reads by these columns, where the engine uses indexes (else nothing)."""

    def lock_rollups(self) -> None:
        """Before roll-up rows are replaced: nothing (one writer at a time)."""

    def lock_schema(self) -> None:
        """Inside an upgrade's transaction: wait until no other process is upgrading."""

    def prepare(self) -> None:
        """After the schema is up to date: what the engine needs besides the tables."""

    def damage(self, exc: BaseException) -> str | None:
        """What to tell the user when `exc` says the store's own files are damaged (else None)."""
        return None

    def close(self) -> None:
        """Release the connections."""
