"""Schema versions: each migration brings a store from one version to the next.

A store records its version in `salesperf_meta`; `Store.upgrade` applies what it lacks, each
migration in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ibis

from salesperf.schema import TABLES

if TYPE_CHECKING:
    from salesperf.store import Store

META = "salesperf_meta"
IMPORTS = "salesperf_imports"
REJECTS = "salesperf_rejects"

IMPORTS_SCHEMA = ibis.schema(
    {
        "import_id": "int64",
        "table_name": "string",
        "source": "string",
        "started_at": "timestamp",
        "finished_at": "timestamp",
        "rows_read": "int64",
        "inserted": "int64",
        "updated": "int64",
        "unchanged": "int64",
        "rejected": "int64",
        "deleted": "int64",  # since version 6: rows a snapshot import (`--replace`) deleted
    }
)
REJECTS_SCHEMA = ibis.schema(
    {
        "import_id": "int64",
        "line": "int64",
        "column_name": "string",
        "value": "string",
        "rule": "string",
        "message": "string",
        "raw_row": "string",
        "message_nl": "string",  # since version 4
    }
)


#: The reads the dashboard makes most: a rep's activities or closed deals in a period, a deal's
#: stages. Engines with indexes (PostgreSQL) get these; the others scan by column anyway.
INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("activities", ("rep_id", "occurred_at")),
    ("deals", ("rep_id", "closed_at")),
    ("deal_stages", ("deal_id",)),
)


def migration_1(store: Store) -> None:
    """Version 1: the canonical tables (keyed where the engine keeps keys), their read indexes,
    and the settings table."""
    store._exec(f"CREATE TABLE IF NOT EXISTS {META} (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for spec in TABLES.values():
        if not store._has_table(spec.name):
            store.create_table(spec.name, spec.schema, spec.key)
    for table, columns in INDEXES:
        store.create_index(table, columns)


def migration_2(store: Store) -> None:
    """Version 2: the import log and the rejected rows, so that nothing given is lost."""
    for name, schema, key in (
        (IMPORTS, IMPORTS_SCHEMA, ("import_id",)),
        (REJECTS, REJECTS_SCHEMA, ()),
    ):
        if not store._has_table(name):
            store.create_table(name, schema, key)


#: Rows a snapshot import (`--replace`) deleted, as they were, with the import that deleted them.
DELETED = "salesperf_deleted"
DELETED_SCHEMA = ibis.schema(
    {
        "import_id": "int64",
        "table_name": "string",
        "row_key": "string",
        "row_data": "string",
    }
)

USERS = "salesperf_users"
SESSIONS = "salesperf_sessions"
TOKENS = "salesperf_tokens"
SIGNIN_FAILURES = "salesperf_signin_failures"


def migration_3(store: Store) -> None:
    """Version 3: people who sign in to the server, their sessions, API tokens and failed
    sign-ins (secrets are kept only as hashes)."""
    store._exec(
        f"CREATE TABLE IF NOT EXISTS {USERS} (username VARCHAR(200) PRIMARY KEY, "
        "password_hash VARCHAR(500) NOT NULL, role VARCHAR(20) NOT NULL, rep_id VARCHAR(200), "
        "team_id VARCHAR(200), lang VARCHAR(10), created_at TIMESTAMP NOT NULL, "
        "disabled BOOLEAN NOT NULL)"
    )
    store._exec(
        f"CREATE TABLE IF NOT EXISTS {SESSIONS} (session_hash VARCHAR(100) PRIMARY KEY, "
        "username VARCHAR(200) NOT NULL, created_at TIMESTAMP NOT NULL, "
        "expires_at TIMESTAMP NOT NULL)"
    )
    store._exec(
        f"CREATE TABLE IF NOT EXISTS {TOKENS} (token_id VARCHAR(50) PRIMARY KEY, "
        "token_hash VARCHAR(100) NOT NULL, username VARCHAR(200) NOT NULL, name VARCHAR(200), "
        "scope VARCHAR(20) NOT NULL, created_at TIMESTAMP NOT NULL, last_used_at TIMESTAMP, "
        "revoked_at TIMESTAMP)"
    )
    store._exec(
        f"CREATE TABLE IF NOT EXISTS {SIGNIN_FAILURES} (subject VARCHAR(300) NOT NULL, "
        "failed_at TIMESTAMP NOT NULL)"
    )


def migration_4(store: Store) -> None:
    """Version 4: rejected rows keep their message in Dutch too, so that their download speaks
    the language of whoever asks for it (rows rejected before have the English one only)."""
    store._exec(f"ALTER TABLE {REJECTS} ADD COLUMN IF NOT EXISTS message_nl VARCHAR")


def migration_5(store: Store) -> None:
    """Version 5: deals keep their own currency; a rep's other names (`rep_aliases`) and the
    exchange rates (`fx_rates`) are canonical tables; rows a snapshot import deleted are kept
    (`salesperf_deleted`) so that they can be recovered."""
    store._engine.add_column("deals", "currency", TABLES["deals"].column("currency").kind.dtype)
    for name in ("rep_aliases", "fx_rates"):
        spec = TABLES[name]
        if not store._has_table(name):
            store.create_table(name, spec.schema, spec.key)
    if not store._has_table(DELETED):
        store.create_table(DELETED, DELETED_SCHEMA)


#: Which source system (an import's `--system`) last wrote each key of a canonical table, so
#: that a snapshot import of that system (`--replace --system NAME`) deletes only its own rows.
ORIGINS = "salesperf_origins"
ORIGINS_SCHEMA = ibis.schema({"table_name": "string", "row_key": "string", "system": "string"})


def migration_6(store: Store) -> None:
    """Version 6: the import log counts the rows a snapshot import deleted (null for imports
    before this version), and the origin of each key written by an import that named its
    source system."""
    store._engine.add_column(IMPORTS, "deleted", IMPORTS_SCHEMA["deleted"])
    if not store._has_table(ORIGINS):
        store.create_table(ORIGINS, ORIGINS_SCHEMA, ("table_name", "row_key"))


MIGRATIONS: tuple[Callable[[Store], None], ...] = (
    migration_1,
    migration_2,
    migration_3,
    migration_4,
    migration_5,
    migration_6,
)
LATEST_VERSION = len(MIGRATIONS)
