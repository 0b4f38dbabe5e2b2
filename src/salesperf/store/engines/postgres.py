"""PostgreSQL: a server many processes read and write at once.

Import files are checked in a private in-memory DuckDB (the staging engine); the accepted rows
travel as CSV through COPY into a temporary table and are upserted with INSERT ... ON CONFLICT,
with the import log and the rejected rows, in one transaction. Readers never see half of it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import duckdb
import ibis
import ibis.expr.schema as sch
from ibis.backends import BaseBackend
from ibis.backends.sql.datatypes import PostgresType

from salesperf.schema import TABLES, Table
from salesperf.store.engines.base import (
    LOG_INSERT,
    EngineDefaults,
    MergeCounts,
    StoreError,
    log_row,
    memory_limit,
    q,
    table_ddl,
)
from salesperf.store.reads import note_all
from salesperf.store.system_tables import DELETED, IMPORTS, ORIGINS, REJECTS, REJECTS_SCHEMA
from salesperf.store.upkeep import Touched, replaced

#: The advisory lock that serialises schema upgrades between processes.
SCHEMA_LOCK = 0x5A1E5
#: The advisory lock that serialises the replacing of roll-up rows between writes.
ROLLUP_LOCK = 0x5A1E6
IMPORT_IDS = "salesperf_import_ids"
#: A write that lost a deadlock (two upserts of the same keys) is tried again this often.
RETRIES = 5


def pg_type(dtype: Any) -> str:
    """The PostgreSQL type of an Ibis type."""
    return str(PostgresType.from_ibis(dtype).sql("postgres"))


def pg_row_key(spec: Table, alias: str) -> str:
    """A row's key as one text (the id; a JSON array of texts for a key of several columns),
    as `salesperf_origins` and `salesperf_deleted` keep it on PostgreSQL."""
    parts = [f"{alias}.{q(k)}::text" for k in spec.key]
    if len(parts) == 1:
        return parts[0]
    return f"json_build_array({', '.join(parts)})::text"


def connect_args(url: str) -> dict[str, Any]:
    """psycopg connection arguments from postgresql://user:password@host:port/database?opts."""
    parts = urlsplit(url)
    args: dict[str, Any] = dict(parse_qsl(parts.query))
    if parts.hostname:
        args["host"] = unquote(parts.hostname)
    if parts.port:
        args["port"] = parts.port
    if parts.username:
        args["user"] = unquote(parts.username)
    if parts.password:
        args["password"] = unquote(parts.password)
    database = unquote(parts.path.lstrip("/"))
    if database:
        args["database"] = database
    return args


class PostgresEngine(EngineDefaults):
    """A PostgreSQL database through Ibis and psycopg (autocommit outside transactions)."""

    name = "postgres"
    rollup_dialect = "postgres"

    def __init__(self, url: str, shown: str) -> None:
        args = connect_args(url)
        where = f"{args.get('host', 'localhost')}:{args.get('port', 5432)}"
        database = args.get("database", "")
        try:
            self._con = ibis.postgres.connect(**args)
        except ModuleNotFoundError as exc:
            raise StoreError(
                f"a PostgreSQL store needs psycopg ({exc.name} is missing): "
                "pip install 'salesperf[postgres]'"
            ) from None
        except Exception as exc:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if "does not exist" in text and "database" in text:
                raise StoreError(
                    f"the database {database!r} does not exist on {where}; create it first "
                    f"(createdb -h {args.get('host', 'localhost')} -p {args.get('port', 5432)} "
                    f"{'-U ' + args['user'] + ' ' if 'user' in args else ''}{database})"
                ) from None
            raise StoreError(f"cannot connect to PostgreSQL at {shown}: {text}") from None
        self._tmp = tempfile.TemporaryDirectory(prefix="salesperf-pg-")
        self._staging = duckdb.connect(
            config={"memory_limit": memory_limit(), "temp_directory": self._tmp.name}
        )

    @property
    def con(self) -> BaseBackend:
        """The Ibis PostgreSQL backend."""
        return self._con  # type: ignore[no-any-return]

    @property
    def raw(self) -> Any:
        """The psycopg connection."""
        return self._con.con

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement; `?` placeholders become psycopg's."""
        note_all()  # plain SQL: which tables it reads is not known here
        args = list(params) if params else None
        if args:
            sql = sql.replace("%", "%%").replace("?", "%s")
        with self.raw.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall()) if cur.description else []

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction (a savepoint when nested)."""
        with self.raw.transaction():
            yield

    def has_table(self, name: str) -> bool:
        """Whether the database's current schema holds the table."""
        rows = self.execute(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = ?",
            [name],
        )
        return bool(rows)

    def create_table(
        self, name: str, schema: sch.Schema, key: tuple[str, ...] = (), *, strict: bool = False
    ) -> None:
        """The table with its primary key (upserts rely on it), strict or not."""
        self.execute(table_ddl(name, schema, key, pg_type))

    def add_column(self, table: str, column: str, dtype: Any) -> None:
        """Add a column (null in every row) to a table that lacks it."""
        self.execute(
            f"ALTER TABLE {q(table)} ADD COLUMN IF NOT EXISTS {q(column)} {pg_type(dtype)}"
        )

    def create_index(self, table: str, columns: tuple[str, ...]) -> None:
        """A b-tree index."""
        name = q(f"{table}_{'_'.join(columns)}_idx")
        self.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {q(table)} ({', '.join(q(c) for c in columns)})"
        )

    def lock_rollups(self) -> None:
        """An advisory lock held until the transaction ends: two writes that replaced the
        roll-up rows of one day at once would each keep their own, counting rows twice."""
        self.execute(f"SELECT pg_advisory_xact_lock({ROLLUP_LOCK})")

    def lock_schema(self) -> None:
        """An advisory lock held until the upgrade's transaction ends."""
        self.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")

    def prepare(self) -> None:
        """The sequence of import ids, which concurrent imports draw from."""
        if not self.has_table(IMPORTS):
            return
        with self.transaction():
            self.lock_schema()
            if self.execute(f"SELECT to_regclass('{IMPORT_IDS}')")[0][0] is None:
                self.execute(f"CREATE SEQUENCE {IMPORT_IDS}")
                self.execute(
                    f"SELECT setval('{IMPORT_IDS}', max(import_id)) FROM {IMPORTS} "
                    "HAVING max(import_id) IS NOT NULL"
                )

    def staging(self) -> duckdb.DuckDBPyConnection:
        """A private in-memory DuckDB."""
        return self._staging

    def staging_relation(self, table: str, column: str) -> str:
        """The column's values, copied from the server into a staging table."""
        name = f"_known_{table}_{column}"
        path = Path(self._tmp.name) / f"{name}.csv"
        with self.raw.cursor() as cur, open(path, "wb") as f:
            sql = (
                f"COPY (SELECT DISTINCT {q(column)} FROM {q(table)} WHERE {q(column)} IS NOT NULL) "
                "TO STDOUT (FORMAT csv)"
            )
            with cur.copy(sql) as copy:
                for chunk in copy:
                    f.write(chunk)
        if path.stat().st_size == 0:
            self._staging.execute(f"CREATE OR REPLACE TEMP TABLE {q(name)} (id VARCHAR)")
        else:
            self._staging.execute(
                f"CREATE OR REPLACE TEMP TABLE {q(name)} AS SELECT id FROM read_csv('{path}', "
                "header = false, columns = {'id': 'VARCHAR'}, quote = '\"', escape = '\"', "
                "allow_quoted_nulls = false)"
            )
        path.unlink()
        return f"(SELECT id FROM {q(name)})"

    def next_import_id(self) -> int:
        """The next value of the import id sequence (concurrent imports never share one)."""
        return int(self.execute(f"SELECT nextval('{IMPORT_IDS}')")[0][0])

    # -- moving rows from the staging engine to the server ---------------------------------
    def _export(self, sql: str) -> tuple[Path, int]:
        """The staged relation as a CSV file (DuckDB writes NULL as nothing, '' as "")."""
        path = Path(self._tmp.name) / f"{uuid.uuid4().hex}.csv"
        rows = self._staging.execute(
            f"COPY ({sql}) TO '{path}' (FORMAT csv, HEADER false)"
        ).fetchall()
        return path, int(rows[0][0]) if rows else 0

    def _copy_in(self, table: str, columns: Sequence[str], path: Path) -> None:
        cols = ", ".join(q(c) for c in columns)
        with (
            self.raw.cursor() as cur,
            cur.copy(f"COPY {q(table)} ({cols}) FROM STDIN (FORMAT csv)") as copy,
            open(path, "rb") as f,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)

    def _upsert_sql(self, spec: Table, source: str) -> str:
        """INSERT ... ON CONFLICT that counts the rows it inserted and the rows it changed."""
        cols = ", ".join(q(c) for c in spec.column_names)
        key = ", ".join(q(k) for k in spec.key)
        others = [c for c in spec.column_names if c not in spec.key]
        if others:
            sets = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in others)
            old = ", ".join(f"t.{q(c)}" for c in others)
            new = ", ".join(f"EXCLUDED.{q(c)}" for c in others)
            conflict = f"DO UPDATE SET {sets} WHERE ({old}) IS DISTINCT FROM ({new})"
        else:
            conflict = "DO NOTHING"
        # xmax is 0 exactly for a freshly inserted row version; an unchanged row is not returned
        return (
            f"WITH up AS (INSERT INTO {q(spec.name)} AS t ({cols}) SELECT {cols} FROM {q(source)} "
            f"ORDER BY {key} ON CONFLICT ({key}) {conflict} RETURNING (t.xmax = 0) AS fresh) "
            "SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM up"
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
        """COPY into a temporary table, (for a snapshot import) delete the rows the file no
        longer has, upsert, record origins, log and keep the rejects: one transaction."""
        import psycopg

        cols = ", ".join(q(c) for c in spec.column_names)
        data, total = self._export(f"SELECT {cols} FROM {q(staged)}")
        keycols = ", ".join(q(k) for k in spec.key)
        keys = (
            self._export(f"SELECT DISTINCT {keycols} FROM {q(snapshot)}")[0] if snapshot else None
        )
        rcols = REJECTS_SCHEMA.names
        rej = self._export(f"SELECT {', '.join(rcols)} FROM {q(rejects)}")[0] if rejects else None
        tmp = f"_salesperf_stage_{uuid.uuid4().hex[:8]}"
        try:
            for attempt in range(RETRIES):
                try:
                    with self.transaction():
                        if on_phase:
                            on_phase("write")
                        self.execute(
                            f"CREATE TEMP TABLE {q(tmp)} (LIKE {q(spec.name)}) ON COMMIT DROP"
                        )
                        self._copy_in(tmp, spec.column_names, data)
                        touched = Touched(self, spec.name)
                        deleted, gone = 0, None
                        if keys is not None:
                            assert log is not None, "a snapshot import has a log entry"
                            self.execute(
                                f"CREATE TEMP TABLE {q(tmp + '_keys')} (LIKE {q(spec.name)}) "
                                "ON COMMIT DROP"
                            )
                            self._copy_in(tmp + "_keys", spec.key, keys)
                            gone = f"{tmp}_gone" if touched else None
                            deleted = self._snapshot_delete(
                                spec, tmp + "_keys", system, int(log["import_id"]), gone
                            )
                            if on_phase:
                                on_phase("deleted")
                        touched.before(tmp, gone)
                        if system is not None:
                            self.execute(
                                f"INSERT INTO {ORIGINS} (table_name, row_key, system) "
                                f"SELECT DISTINCT ?, {pg_row_key(spec, 's')}, ? FROM {q(tmp)} s "
                                "ON CONFLICT (table_name, row_key) DO UPDATE SET system = "
                                "EXCLUDED.system",
                                [spec.name, system],
                            )
                        inserted, updated = self.execute(self._upsert_sql(spec, tmp))[0]
                        counts = MergeCounts(
                            inserted=int(inserted),
                            updated=int(updated),
                            unchanged=total - int(inserted) - int(updated),
                            deleted=deleted,
                        )
                        if log is not None:
                            self.execute(LOG_INSERT, log_row(log, counts))
                        if rej is not None:
                            self._copy_in(REJECTS, rcols, rej)
                        if on_phase:
                            on_phase("commit")
                        if counts.inserted or counts.updated or counts.deleted:
                            # last, as it waits for other writes' roll-up refreshes to commit
                            touched.after()
                            counts = dataclasses.replace(counts, footprint=touched.footprint)
                    return counts
                except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                    if attempt == RETRIES - 1:
                        raise
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            data.unlink(missing_ok=True)
            for path in (rej, keys):
                if path is not None:
                    path.unlink(missing_ok=True)

    def _snapshot_delete(
        self, spec: Table, keys: str, system: str | None, import_id: int, aside: str | None
    ) -> int:
        """Delete the stored rows whose key is not in `keys` (of `system` only, when given),
        keeping each in `salesperf_deleted` (and, for the roll-ups, in the temporary table
        `aside` when named); how many."""
        on = " AND ".join(f"k.{q(k)} = t.{q(k)}" for k in spec.key)
        where = f"NOT EXISTS (SELECT 1 FROM {q(keys)} k WHERE {on})"
        of_system: list[Any] = []
        if system is not None:
            where += (
                f" AND {pg_row_key(spec, 't')} IN (SELECT row_key FROM {ORIGINS} "
                "WHERE table_name = ? AND system = ?)"
            )
            of_system = [spec.name, system]
        params = [*of_system, import_id, spec.name]
        if aside is not None:
            self.execute(
                f"CREATE TEMP TABLE {q(aside)} ON COMMIT DROP AS "
                f"SELECT * FROM {q(spec.name)} t WHERE {where}",
                of_system,
            )
        fields = ", ".join(f"'{c}', t.{q(c)}" for c in spec.column_names)
        rows = self.execute(
            f"WITH gone AS (DELETE FROM {q(spec.name)} t WHERE {where} "
            f"RETURNING {pg_row_key(spec, 't')} AS row_key, "
            f"json_build_object({fields})::text AS row_data), "
            f"kept AS (INSERT INTO {DELETED} (import_id, table_name, row_key, row_data) "
            "SELECT ?, ?, row_key, row_data FROM gone RETURNING 1) "
            "SELECT count(*) FROM kept",
            params,
        )
        return int(rows[0][0])

    def replace(self, relations: Mapping[str, str]) -> None:
        """Every table emptied and loaded with COPY, in one transaction."""
        files = {}
        try:
            for name, sql in relations.items():
                cols = ", ".join(q(c) for c in TABLES[name].column_names)
                files[name] = self._export(f"SELECT {cols} FROM ({sql})")[0]
            with self.transaction():
                for name, path in files.items():
                    self.execute(f"DELETE FROM {q(name)}")
                    self._copy_in(name, TABLES[name].column_names, path)
                replaced(self, files)
        finally:
            for path in files.values():
                path.unlink(missing_ok=True)

    def close(self) -> None:
        """Close the connection and the staging engine."""
        self._con.disconnect()
        self._staging.close()
        self._tmp.cleanup()
