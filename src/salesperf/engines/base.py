"""What every engine does for a store, and the SQL its DuckDB side shares.

Each engine keeps the canonical tables (and the store's own log tables) and offers an Ibis
backend for the metric layer. Whatever the engine, import files are read and checked in a DuckDB
connection (the staging engine): accepted rows are then written into the store in one go.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis.expr.schema as sch
import ibis.expr.types as ir
from ibis.backends import BaseBackend
from ibis.backends.sql.datatypes import DuckDBType

from salesperf import errors
from salesperf.migrations import DELETED, IMPORTS, IMPORTS_SCHEMA, ORIGINS
from salesperf.schema import Table

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
    return [row[c] for c in IMPORTS_SCHEMA.names]


LOG_INSERT = (
    f"INSERT INTO {IMPORTS} ({', '.join(IMPORTS_SCHEMA.names)}) "
    f"VALUES ({', '.join('?' for _ in IMPORTS_SCHEMA.names)})"
)


class Engine:
    """One engine behind a store. Subclasses implement every method below.

    `execute` runs plain SQL with `?` placeholders on the store's side that holds the settings
    and log tables; `staging` is the DuckDB connection in which import files are checked, and
    `write` moves accepted rows from there into the store.
    """

    name = "engine"
    path: Path | None = None

    @property
    def con(self) -> BaseBackend:
        """The Ibis backend the metric layer queries."""
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement; its rows (none for a statement without a result)."""
        raise NotImplementedError

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all (nested blocks join the outer one)."""
        raise NotImplementedError
        yield  # pragma: no cover

    def has_table(self, name: str) -> bool:
        """Whether the store holds a table of that name."""
        raise NotImplementedError

    def table(self, name: str) -> ir.Table:
        """The Ibis table."""
        return self.con.table(name)

    def create_table(self, name: str, schema: sch.Schema, key: tuple[str, ...] = ()) -> None:
        """Create a table if it does not exist; engines that enforce keys enforce `key`."""
        raise NotImplementedError

    def add_column(self, table: str, column: str, dtype: Any) -> None:
        """Add a column (null in every row) to a table that lacks it."""
        self.execute(
            f"ALTER TABLE {q(table)} ADD COLUMN IF NOT EXISTS {q(column)} {duck_type(dtype)}"
        )

    def count(self, name: str) -> int:
        """The number of rows in a table."""
        return int(self.execute(f"SELECT count(*) FROM {q(name)}")[0][0])

    def read_only(self, name: str) -> str | None:
        """Why a canonical table cannot be written here, or None when it can."""
        return None

    def create_index(self, table: str, columns: tuple[str, ...]) -> None:
        """An index for reads by these columns, where the engine uses indexes (else nothing)."""

    def lock_schema(self) -> None:
        """Inside an upgrade's transaction: wait until no other process is upgrading."""

    def prepare(self) -> None:
        """After the schema is up to date: what the engine needs besides the tables."""

    def staging(self) -> Any:
        """The DuckDB connection in which import files are read and checked."""
        raise NotImplementedError

    def staging_relation(self, table: str, column: str) -> str:
        """A relation, in the staging engine, of the values in `table.column` (as `id`)."""
        raise NotImplementedError

    def next_import_id(self) -> int:
        """A fresh import id, never handed out before."""
        raise NotImplementedError

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
        raise NotImplementedError

    def replace(self, relations: Mapping[str, str]) -> None:
        """Replace whole tables by staged relations (SQL in the staging engine), at once."""
        raise NotImplementedError

    def damage(self, exc: BaseException) -> str | None:
        """What to tell the user when `exc` says the store's own files are damaged (else None)."""
        return None

    def close(self) -> None:
        """Release the connections."""


# -- the DuckDB side of a merge: the embedded store and the Spark store's catalog ---------------


def duck_changes(
    execute: Callable[[str], list[tuple[Any, ...]]], spec: Table, staged: str, target: str
) -> tuple[MergeCounts, str, bool]:
    """Count what upserting `staged` into `target` will do, before doing it.

    Returns the counts, a temporary table of the keys whose stored rows differ (to be
    replaced), and whether the target was empty.
    """
    chg = q(f"{staged}_changed")
    s, t = q(staged), q(target)
    on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in spec.key)
    others = [c for c in spec.column_names if c not in spec.key]
    differs = " OR ".join(f"t.{q(c)} IS DISTINCT FROM s.{q(c)}" for c in others) or "FALSE"
    total = int(execute(f"SELECT count(*) FROM {s}")[0][0])
    empty = int(execute(f"SELECT count(*) FROM {t}")[0][0]) == 0
    # rows whose key exists with other values (none when the table is still empty)
    execute(
        f"CREATE OR REPLACE TEMP TABLE {chg} AS SELECT "
        + ", ".join(f"s.{q(k)}" for k in spec.key)
        + f" FROM {s} s JOIN {t} t ON {on} WHERE {differs}"
        + (" AND FALSE" if empty else "")
    )
    existing = (
        0
        if empty
        else int(
            execute(f"SELECT count(*) FROM {s} s WHERE EXISTS (SELECT 1 FROM {t} t WHERE {on})")[0][
                0
            ]
        )
    )
    updated = int(execute(f"SELECT count(*) FROM {chg}")[0][0])
    counts = MergeCounts(inserted=total - existing, updated=updated, unchanged=existing - updated)
    return counts, f"{staged}_changed", empty


# -- snapshot imports: the DuckDB side (the embedded store and the Spark store's catalog) -------


def duck_row_key(spec: Table, alias: str) -> str:
    """A row's key as one text (the id; a JSON array of texts for a key of several columns),
    as `salesperf_origins` and `salesperf_deleted` keep it on the DuckDB side."""
    parts = [f"CAST({alias}.{q(k)} AS VARCHAR)" for k in spec.key]
    if len(parts) == 1:
        return parts[0]
    return f"CAST(to_json([{', '.join(parts)}]) AS VARCHAR)"


def duck_row_json(spec: Table, alias: str) -> str:
    """A whole row as a JSON object, as `salesperf_deleted` keeps it."""
    fields = ", ".join(f"{q(c)} := {alias}.{q(c)}" for c in spec.column_names)
    return f"CAST(to_json(struct_pack({fields})) AS VARCHAR)"


def duck_gone(spec: Table, target: str, keys: str, system: str | None) -> tuple[str, list[Any]]:
    """The condition (on alias `t` of `target`) of the stored rows a snapshot import deletes:
    their key is not in `keys` and, with a `system`, that system wrote them last."""
    on = " AND ".join(f"k.{q(k)} = t.{q(k)}" for k in spec.key)
    where = f"NOT EXISTS (SELECT 1 FROM {q(keys)} k WHERE {on})"
    if system is None:
        return where, []
    return (
        f"{where} AND {duck_row_key(spec, 't')} IN (SELECT row_key FROM {ORIGINS} "
        "WHERE table_name = ? AND system = ?)",
        [spec.name, system],
    )


def duck_snapshot_delete(
    execute: Callable[..., list[tuple[Any, ...]]],
    spec: Table,
    target: str,
    keys: str,
    system: str | None,
    import_id: int,
) -> tuple[int, str, list[Any]]:
    """Keep the rows a snapshot import deletes in `salesperf_deleted` (inside the import's
    transaction); their number, and the condition that picks them (for the delete itself)."""
    where, params = duck_gone(spec, target, keys, system)
    rows = execute(
        f"INSERT INTO {DELETED} (import_id, table_name, row_key, row_data) "
        f"SELECT ?, ?, {duck_row_key(spec, 't')}, {duck_row_json(spec, 't')} "
        f"FROM {q(target)} t WHERE {where}",
        [import_id, spec.name, *params],
    )
    return (int(rows[0][0]) if rows else 0), where, params


def duck_origins(
    execute: Callable[..., list[tuple[Any, ...]]], spec: Table, staged: str, system: str
) -> None:
    """Record `system` as the origin of every key in `staged` (the last system to write a
    key owns it)."""
    key = duck_row_key(spec, "s")
    execute(
        f"DELETE FROM {ORIGINS} WHERE table_name = ? AND row_key IN "
        f"(SELECT {key} FROM {q(staged)} s)",
        [spec.name],
    )
    execute(
        f"INSERT INTO {ORIGINS} (table_name, row_key, system) "
        f"SELECT DISTINCT ?, {key}, ? FROM {q(staged)} s",
        [spec.name, system],
    )
