"""The one place that connects to an engine.

A store is opened from a URL: a path or `duckdb:///path.duckdb` for the embedded default. The
rest of salesperf receives an Ibis backend or table from here and never names an engine.
The store records its schema version in `salesperf_meta` and upgrades itself on open.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.backends.sql.datatypes import DuckDBType

from salesperf.migrations import (
    IMPORTS,
    IMPORTS_SCHEMA,
    META,
    MIGRATIONS,
    REJECTS,
    REJECTS_SCHEMA,
)
from salesperf.schema import TABLES, Table
from salesperf.settings import SettingError, Settings, check_setting

DEFAULT_STORE = "salesperf.duckdb"
STORE_ENV = "SALESPERF_STORE"


class StoreError(Exception):
    """The store cannot be opened or used as asked; the message says why."""


@dataclass(frozen=True)
class MergeCounts:
    """What one merge did to a table."""

    inserted: int
    updated: int
    unchanged: int


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """The store URL to use: the argument, else $SALESPERF_STORE, else ./salesperf.duckdb."""
    if url is None or str(url) == "":
        url = os.environ.get(STORE_ENV) or DEFAULT_STORE
    return str(url)


MEMORY_ENV = "SALESPERF_MEMORY_LIMIT"
#: An import stages every row of its file; a tighter budget keeps a ten-million-row file well
#: inside 1.5 GB of memory at a small cost in speed (the staged rows spill to disk).
IMPORT_MEMORY = "768MB"


def memory_limit() -> str:
    """The embedded engine's memory budget (beyond it, work spills to disk): 1GB by default.

    A bounded budget keeps imports and scorecards of tens of millions of rows inside the
    memory a laptop or a small server has; $SALESPERF_MEMORY_LIMIT (e.g. 4GB) raises it.
    """
    return os.environ.get(MEMORY_ENV) or "1GB"


def _q(name: str) -> str:
    """A quoted identifier (our own canonical names only)."""
    return '"' + name.replace('"', '""') + '"'


class Store:
    """An open store: an Ibis backend holding the canonical tables."""

    def __init__(self, url: str, con: BaseBackend, path: Path | None) -> None:
        self.url = url
        self.con = con
        self.path = path

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str | os.PathLike[str] | None = None,
        *,
        upgrade: bool = True,
        target_version: int | None = None,
    ) -> Store:
        """Open (creating if needed) the store at `url` and bring its schema up to date."""
        resolved = resolve_url(url)
        scheme, _, rest = resolved.partition("://")
        if not rest:
            scheme, rest = "duckdb", resolved
        if scheme != "duckdb":
            raise StoreError(
                f"cannot open {resolved!r}: supported stores are a DuckDB file path "
                "or duckdb:///path.duckdb"
            )
        if rest in ("", ":memory:"):
            con = ibis.duckdb.connect()
            path = None
        else:
            path = Path(rest).expanduser()
            if path.is_dir():
                raise StoreError(f"{path} is a folder; give the path of a .duckdb file")
            if not path.parent.exists():
                raise StoreError(f"cannot create the store {path}: folder {path.parent} is missing")
            try:
                con = ibis.duckdb.connect(str(path), memory_limit=memory_limit())
            except Exception as exc:  # the engine's own words are the clearest here
                raise StoreError(f"cannot open the store {path}: {exc}") from exc
        store = cls(resolved, con, path)
        if upgrade:
            store.upgrade(target_version)
        return store

    def close(self) -> None:
        """Close the connection."""
        self.con.disconnect()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- raw access (only this module speaks SQL) ------------------------------------------
    def _exec(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        cur = self.con.con.execute(sql, params or [])  # type: ignore[attr-defined]
        try:
            return list(cur.fetchall())
        except Exception:
            return []

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        self._exec("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._exec("ROLLBACK")
            raise
        self._exec("COMMIT")

    # -- schema versions -----------------------------------------------------------------
    def _has_table(self, name: str) -> bool:
        return name in self.con.list_tables()

    @property
    def schema_version(self) -> int:
        """The schema version the store is at (0 for an empty store)."""
        if not self._has_table(META):
            return 0
        rows = self._exec(f"SELECT value FROM {META} WHERE key = 'schema_version'")
        return int(rows[0][0]) if rows else 0

    def upgrade(self, target: int | None = None) -> list[int]:
        """Apply the migrations the store lacks, each in its own transaction."""
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
                MIGRATIONS[version - 1](self)
                self._set_meta("schema_version", str(version))
            applied.append(version)
        return applied

    def _set_meta(self, key: str, value: str) -> None:
        self._exec(f"DELETE FROM {META} WHERE key = ?", [key])
        self._exec(f"INSERT INTO {META} VALUES (?, ?)", [key, value])

    # -- settings ------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        """The organisation's settings (time zone, currency, activity types)."""
        return Settings.from_meta(dict(self._exec(f"SELECT key, value FROM {META}")))

    def set_setting(self, key: str, value: str) -> str:
        """Change one setting after checking it; returns the value as stored."""
        try:
            checked = check_setting(key, value)
        except SettingError as exc:
            raise StoreError(str(exc)) from None
        with self.transaction():
            self._set_meta(key, checked)
        return checked

    # -- tables --------------------------------------------------------------------------
    def table(self, name: str) -> ir.Table:
        """The Ibis table for a canonical (or log) table."""
        return self.con.table(name)

    def count(self, name: str) -> int:
        """The number of rows in a table."""
        return int(self.con.table(name).count().execute())

    def counts(self) -> dict[str, int]:
        """Row counts of every canonical table."""
        return {name: self.count(name) for name in TABLES}

    # -- imports -------------------------------------------------------------------------
    @contextlib.contextmanager
    def memory_budget(self, limit: str) -> Iterator[None]:
        """Run the block with a smaller engine memory budget (work beyond it spills to disk)."""
        raw = self.con.con  # type: ignore[attr-defined]
        before = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        raw.execute(f"SET memory_limit = '{limit}'")
        try:
            yield
        finally:
            raw.execute(f"SET memory_limit = '{before}'")

    def progress_tracker(self) -> Callable[[], float]:
        """A function telling how far the running statement is, in percent (< 0: unknown).

        Call this before the work starts; the function may then be called from another thread.
        """
        raw = self.con.con  # type: ignore[attr-defined]
        # the engine measures progress only when asked to, and must not print it itself
        raw.execute("SET enable_progress_bar = true")
        raw.execute("SET enable_progress_bar_print = false")
        return lambda: float(raw.query_progress())

    def staging(self) -> Any:
        """The backend in which import files are read and checked.

        For the embedded store that is the store's own connection (temporary tables), so that
        accepted rows reach the store without a copy.
        """
        return self.con.con  # type: ignore[attr-defined]

    def replace_all(self, tables: Mapping[str, pa.Table]) -> dict[str, int]:
        """Replace the whole content of the given canonical tables, in one transaction.

        Used for whole data sets built in memory (the demo organisation); each Arrow table must
        have exactly the canonical columns (in any order, castable to the canonical types).
        """
        written: dict[str, int] = {}
        with self.transaction():
            for name, data in tables.items():
                spec = TABLES[name]
                missing = set(spec.column_names) - set(data.column_names)
                if missing:
                    raise StoreError(f"{name}: columns missing: {', '.join(sorted(missing))}")
                view = f"_replace_{name}"
                self.con.con.register(view, data)  # type: ignore[attr-defined]
                try:
                    cols = ", ".join(_q(c) for c in spec.column_names)
                    casts = ", ".join(
                        f"CAST({_q(c.name)} AS {DuckDBType.from_ibis(c.kind.dtype).sql('duckdb')})"
                        for c in spec.columns
                    )
                    self._exec(f"DELETE FROM {_q(name)}")
                    self._exec(f"INSERT INTO {_q(name)} ({cols}) SELECT {casts} FROM {view}")
                finally:
                    self.con.con.unregister(view)  # type: ignore[attr-defined]
                written[name] = data.num_rows
        return written

    def staging_relation(self, table: str, column: str) -> str:
        """A relation, usable in the staging engine, of the ids in `table.column` (as `id`)."""
        if table not in TABLES or column not in TABLES[table].column_names:
            raise StoreError(f"{table}.{column} is not a canonical column")
        return f"(SELECT {_q(column)} AS id FROM {_q(table)})"

    def next_import_id(self) -> int:
        """A fresh import id."""
        rows = self._exec(f"SELECT coalesce(max(import_id), 0) + 1 FROM {IMPORTS}")
        return int(rows[0][0])

    def merge(
        self,
        spec: Table,
        staged: str,
        *,
        log: Mapping[str, Any],
        rejects: str | None,
        on_phase: Callable[[str], None] | None = None,
    ) -> MergeCounts:
        """Upsert the staged table (a temporary table name) into `spec`, in one transaction.

        Rows whose key is new are inserted; rows whose key exists with other values replace the
        stored row; identical rows are left alone. The import log and the rejected rows are
        written in the same transaction, so an import is recorded exactly when it lands.
        """
        chg = _q(f"{staged}_changed")
        staged = _q(staged)
        target = _q(spec.name)
        s_cols = ", ".join(_q(c) for c in spec.column_names)
        on = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in spec.key)
        others = [c for c in spec.column_names if c not in spec.key]
        differs = " OR ".join(f"t.{_q(c)} IS DISTINCT FROM s.{_q(c)}" for c in others) or "FALSE"
        total = int(self._exec(f"SELECT count(*) FROM {staged}")[0][0])
        empty = int(self._exec(f"SELECT count(*) FROM {target}")[0][0]) == 0
        # rows whose key exists with other values (none when the table is still empty)
        self._exec(
            f"CREATE OR REPLACE TEMP TABLE {chg} AS SELECT "
            + ", ".join(f"s.{_q(k)}" for k in spec.key)
            + f" FROM {staged} s JOIN {target} t ON {on} WHERE {differs}"
            + (" AND FALSE" if empty else "")
        )
        existing = (
            0
            if empty
            else int(
                self._exec(
                    f"SELECT count(*) FROM {staged} s WHERE EXISTS (SELECT 1 FROM {target} t WHERE {on})"
                )[0][0]
            )
        )
        updated = int(self._exec(f"SELECT count(*) FROM {chg}")[0][0])
        counts = MergeCounts(
            inserted=total - existing, updated=updated, unchanged=existing - updated
        )
        on_chg = " AND ".join(f"t.{_q(k)} = c.{_q(k)}" for k in spec.key)
        with self.transaction():
            if on_phase:
                on_phase("write")
            if updated:
                self._exec(
                    f"DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM {chg} c WHERE {on_chg})"
                )
            if existing == 0 and counts.inserted:
                # nothing to compare with: a plain insert, much faster than an anti-join
                self._exec(f"INSERT INTO {target} ({s_cols}) SELECT {s_cols} FROM {staged}")
            elif counts.inserted or updated:
                self._exec(
                    f"INSERT INTO {target} ({s_cols}) SELECT {s_cols} FROM {staged} s "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {on})"
                )
            row = {
                **log,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "finished_at": datetime.now(UTC).replace(tzinfo=None),
            }
            cols = list(IMPORTS_SCHEMA.names)
            self._exec(
                f"INSERT INTO {IMPORTS} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [row[c] for c in cols],
            )
            if rejects:
                rcols = ", ".join(REJECTS_SCHEMA.names)
                self._exec(f"INSERT INTO {REJECTS} ({rcols}) SELECT {rcols} FROM {_q(rejects)}")
            if on_phase:
                on_phase("commit")
        self._exec(f"DROP TABLE IF EXISTS {chg}")
        return counts
