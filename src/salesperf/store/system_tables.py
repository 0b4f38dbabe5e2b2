"""The store's own tables (not canonical data): their names, schemas and keys, declared once.

`salesperf.store.migrations` creates them, version by version; the store's code reads and writes
them by these names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.schema as sch


@dataclass(frozen=True)
class SystemTable:
    """One of the store's own tables (not canonical data): its Ibis schema and key.

    A `strict` table has its key and its not-null columns (those whose type is not nullable)
    kept by every engine, as tables of people and secrets need; the others are keyed only
    where the engine keeps keys, like the canonical tables.
    """

    name: str
    schema: sch.Schema
    key: tuple[str, ...] = ()
    strict: bool = False


def _text(chars: int, required: bool = False) -> dt.DataType:
    return dt.String(length=chars, nullable=not required)


_WHEN = dt.Timestamp(nullable=False)

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
        "cursor": "string",  # since version 10: where a CRM sync stands after this page
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

META_TABLE = SystemTable(
    META, ibis.schema({"key": dt.String(nullable=False), "value": dt.string}), ("key",), strict=True
)
IMPORTS_TABLE = SystemTable(IMPORTS, IMPORTS_SCHEMA, ("import_id",))
REJECTS_TABLE = SystemTable(REJECTS, REJECTS_SCHEMA)


#: The reads the dashboard makes most: a rep's activities or closed deals in a period, a deal's
#: stages. Engines with indexes (PostgreSQL) get these; the others scan by column anyway.
INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("activities", ("rep_id", "occurred_at")),
    ("deals", ("rep_id", "closed_at")),
    ("deal_stages", ("deal_id",)),
)


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
DELETED_TABLE = SystemTable(DELETED, DELETED_SCHEMA)

USERS = "salesperf_users"
SESSIONS = "salesperf_sessions"
TOKENS = "salesperf_tokens"
SIGNIN_FAILURES = "salesperf_signin_failures"

#: Since version 9: the address a user's mail (the weekly report) goes to.
USER_EMAIL = _text(320)

# The tables of version 3, as their first DDL had them (lengths, not-nulls and keys), and the
# users' e-mail address of version 9.
USERS_TABLE = SystemTable(
    USERS,
    ibis.schema(
        {
            "username": _text(200, required=True),
            "password_hash": _text(500, required=True),
            "role": _text(20, required=True),
            "rep_id": _text(200),
            "team_id": _text(200),
            "lang": _text(10),
            "created_at": _WHEN,
            "disabled": dt.Boolean(nullable=False),
            "email": USER_EMAIL,  # since version 9
        }
    ),
    ("username",),
    strict=True,
)
SESSIONS_TABLE = SystemTable(
    SESSIONS,
    ibis.schema(
        {
            "session_hash": _text(100, required=True),
            "username": _text(200, required=True),
            "created_at": _WHEN,
            "expires_at": _WHEN,
        }
    ),
    ("session_hash",),
    strict=True,
)
TOKENS_TABLE = SystemTable(
    TOKENS,
    ibis.schema(
        {
            "token_id": _text(50, required=True),
            "token_hash": _text(100, required=True),
            "username": _text(200, required=True),
            "name": _text(200),
            "scope": _text(20, required=True),
            "created_at": _WHEN,
            "last_used_at": dt.timestamp,
            "revoked_at": dt.timestamp,
        }
    ),
    ("token_id",),
    strict=True,
)
SIGNIN_FAILURES_TABLE = SystemTable(
    SIGNIN_FAILURES,
    ibis.schema({"subject": _text(300, required=True), "failed_at": _WHEN}),
    strict=True,
)


#: Which source system (an import's `--system`) last wrote each key of a canonical table, so
#: that a snapshot import of that system (`--replace --system NAME`) deletes only its own rows.
ORIGINS = "salesperf_origins"
ORIGINS_SCHEMA = ibis.schema({"table_name": "string", "row_key": "string", "system": "string"})
ORIGINS_TABLE = SystemTable(ORIGINS, ORIGINS_SCHEMA, ("table_name", "row_key"))


#: Roll-ups (`salesperf.store.rollups`): the state of each (the version of its definition and
#: the time zone its days are in) and the four tables, aggregates per rep and local day.
ROLLUP_STATE = "salesperf_rollups"
ROLLUP_STATE_TABLE = SystemTable(
    ROLLUP_STATE,
    ibis.schema(
        {
            "name": dt.String(nullable=False),
            "version": dt.Int64(nullable=False),
            "timezone": dt.String(nullable=False),
            "built_at": dt.Timestamp(nullable=False),
        }
    ),
    ("name",),
    strict=True,
)
_S, _D, _I, _F = dt.string, dt.date, dt.int64, dt.float64
ROLLUP_TABLES: Mapping[str, sch.Schema] = {
    "rollup_activities": ibis.schema(
        {
            "rep_id": _S, "day": _D, "type": _S, "outcome": _S, "_n": _I,
            "duration_min": _F, "_n_duration": _I,
        }
    ),
    "rollup_accounts": ibis.schema(
        {"rep_id": _S, "day": _D, "type": _S, "account_id": _S, "_n": _I}
    ),
    "rollup_deals": ibis.schema(
        {
            "rep_id": _S, "day": _D, "event": _S, "fx_day": _D, "status": _S,
            "kind": _S, "source": _S, "currency": _S, "_n": _I, "amount": _F,
            "_n_amount": _I,
        }
    ),
    "rollup_stages": ibis.schema(
        {
            "rep_id": _S, "day": _D, "kind": _S, "source": _S, "stage": _S,
            "next_stage": _S, "_n": _I, "_then": _I,
        }
    ),
    "rollup_account_reps": ibis.schema({"rep_id": _S, "account_id": _S}),
}  # fmt: skip


#: Each user's alert rules (`salesperf.analysis.alerts`): whether a rule is switched on and its
#: parameter. A rule without a row is off, with its default parameter.
ALERT_RULES = "salesperf_alert_rules"
ALERT_RULES_TABLE = SystemTable(
    ALERT_RULES,
    ibis.schema(
        {
            "username": _text(200, required=True),
            "rule": _text(50, required=True),
            "enabled": dt.Boolean(nullable=False),
            "parameter": dt.Int64(nullable=False),
            "updated_at": _WHEN,
        }
    ),
    ("username", "rule"),
    strict=True,
)


#: Each CRM sync run, one row per object: counts, the cursor reached, and an error if it failed.
SYNC_RUNS = "salesperf_sync_runs"
SYNC_RUNS_TABLE = SystemTable(
    SYNC_RUNS,
    ibis.schema(
        {
            "run_id": dt.Int64(nullable=False),
            "crm": _text(20, required=True),
            "object": _text(50, required=True),
            "started_at": _WHEN,
            "finished_at": dt.Timestamp(nullable=True),
            "status": _text(20, required=True),
            "full_sync": dt.Boolean(nullable=False),
            "rows_in": dt.Int64(nullable=False),
            "inserted": dt.Int64(nullable=False),
            "updated": dt.Int64(nullable=False),
            "rejected": dt.Int64(nullable=False),
            "deleted": dt.Int64(nullable=False),
            "cursor": _text(200),
            "error": _text(2000),
        }
    ),
    ("run_id", "crm", "object"),
    strict=True,
)

#: The CRMs an administrator connected on the settings page: the credentials, encrypted with
#: the key from the environment, what may be shown of them, and how often to sync.
SYNC_CONNECTIONS = "salesperf_sync_connections"
SYNC_CONNECTIONS_TABLE = SystemTable(
    SYNC_CONNECTIONS,
    ibis.schema(
        {
            "crm": _text(20, required=True),
            "secret": _text(8000, required=True),
            "shown": _text(200),
            "every_minutes": dt.Int64(nullable=True),
            "updated_at": _WHEN,
            "updated_by": _text(200),
        }
    ),
    ("crm",),
    strict=True,
)

#: Every table of the store's own, by name.
SYSTEM_TABLES: Mapping[str, SystemTable] = {
    t.name: t
    for t in (
        META_TABLE,
        IMPORTS_TABLE,
        REJECTS_TABLE,
        DELETED_TABLE,
        USERS_TABLE,
        SESSIONS_TABLE,
        TOKENS_TABLE,
        SIGNIN_FAILURES_TABLE,
        ORIGINS_TABLE,
        ROLLUP_STATE_TABLE,
        ALERT_RULES_TABLE,
        SYNC_RUNS_TABLE,
        SYNC_CONNECTIONS_TABLE,
    )
}
