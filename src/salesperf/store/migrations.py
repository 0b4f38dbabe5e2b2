"""Schema versions: each migration brings a store from one version to the next.

A store records its version in `salesperf_meta`; `Store.upgrade` applies what it lacks, each
migration in its own transaction. The tables they make are declared in
`salesperf.store.system_tables`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from salesperf.schema import TABLES
from salesperf.store.system_tables import (
    ALERT_RULES_TABLE,
    DELETED,
    DELETED_TABLE,
    IMPORTS,
    IMPORTS_SCHEMA,
    IMPORTS_TABLE,
    INDEXES,
    META_TABLE,
    ORIGINS,
    ORIGINS_TABLE,
    REJECTS,
    REJECTS_SCHEMA,
    REJECTS_TABLE,
    ROLLUP_STATE_TABLE,
    ROLLUP_TABLES,
    SESSIONS_TABLE,
    SIGNIN_FAILURES_TABLE,
    SYNC_CONNECTIONS_TABLE,
    SYNC_RUNS_TABLE,
    TOKENS_TABLE,
    USER_EMAIL,
    USERS,
    USERS_TABLE,
)

if TYPE_CHECKING:
    from salesperf.store import Store


def migration_1(store: Store) -> None:
    """Version 1: the canonical tables (keyed where the engine keeps keys), their read indexes,
    and the settings table."""
    store.declare(META_TABLE)
    for spec in TABLES.values():
        if not store.has_table(spec.name):
            store.create_table(spec.name, spec.schema, spec.key)
    for table, columns in INDEXES:
        store.create_index(table, columns)


def migration_2(store: Store) -> None:
    """Version 2: the import log and the rejected rows, so that nothing given is lost."""
    for table in (IMPORTS_TABLE, REJECTS_TABLE):
        if not store.has_table(table.name):
            store.declare(table)


def migration_3(store: Store) -> None:
    """Version 3: people who sign in to the server, their sessions, API tokens and failed
    sign-ins (secrets are kept only as hashes)."""
    for table in (USERS_TABLE, SESSIONS_TABLE, TOKENS_TABLE, SIGNIN_FAILURES_TABLE):
        store.declare(table)


def migration_4(store: Store) -> None:
    """Version 4: rejected rows keep their message in Dutch too, so that their download speaks
    the language of whoever asks for it (rows rejected before have the English one only)."""
    store.add_column(REJECTS, "message_nl", REJECTS_SCHEMA["message_nl"])


def migration_5(store: Store) -> None:
    """Version 5: deals keep their own currency; a rep's other names (`rep_aliases`) and the
    exchange rates (`fx_rates`) are canonical tables; rows a snapshot import deleted are kept
    (`salesperf_deleted`) so that they can be recovered."""
    store.add_column("deals", "currency", TABLES["deals"].column("currency").kind.dtype)
    for name in ("rep_aliases", "fx_rates"):
        spec = TABLES[name]
        if not store.has_table(name):
            store.create_table(name, spec.schema, spec.key)
    if not store.has_table(DELETED):
        store.declare(DELETED_TABLE)


def migration_6(store: Store) -> None:
    """Version 6: the import log counts the rows a snapshot import deleted (null for imports
    before this version), and the origin of each key written by an import that named its
    source system."""
    store.add_column(IMPORTS, "deleted", IMPORTS_SCHEMA["deleted"])
    if not store.has_table(ORIGINS):
        store.declare(ORIGINS_TABLE)


def migration_7(store: Store) -> None:
    """Version 7: the roll-ups and their state, built from the stored rows (empty for a new
    store), so that every later write keeps them current."""
    store.declare(ROLLUP_STATE_TABLE)
    for name, schema in ROLLUP_TABLES.items():
        if not store.has_table(name):
            store.create_table(name, schema)
    store.rebuild_rollups()


def migration_8(store: Store) -> None:
    """Version 8: each user's alert rules, switched on or off, with their parameter."""
    store.declare(ALERT_RULES_TABLE)


def migration_9(store: Store) -> None:
    """Version 9: users have an e-mail address (null for users made before), where the weekly
    report is sent."""
    store.add_column(USERS, "email", USER_EMAIL)


def migration_10(store: Store) -> None:
    """Version 10: CRM sync: each import's cursor (a sync's page commits its cursor with its
    rows), the runs, and the connections made on the settings page."""
    store.add_column(IMPORTS, "cursor", IMPORTS_SCHEMA["cursor"])
    store.declare(SYNC_RUNS_TABLE)
    store.declare(SYNC_CONNECTIONS_TABLE)


def migration_11(store: Store) -> None:
    """Version 11: the (rep, account) pairs of the activities (`rollup_account_reps`), built
    when the store keeps its other roll-ups current (a store made at this version has it from
    version 7, built there)."""
    name = "rollup_account_reps"
    if not store.has_table(name):
        store.create_table(name, ROLLUP_TABLES[name])
        store.rebuild_rollups(only=(name,))


MIGRATIONS: tuple[Callable[[Store], None], ...] = (
    migration_1,
    migration_2,
    migration_3,
    migration_4,
    migration_5,
    migration_6,
    migration_7,
    migration_8,
    migration_9,
    migration_10,
    migration_11,
)
LATEST_VERSION = len(MIGRATIONS)
