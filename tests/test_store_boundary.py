"""The store's boundary: only the store (the `store` package: the store, its migrations and engines) speaks SQL or
touches the store's private members; the rest uses its typed row methods. The store's own
tables, now declared as schemas, are made as their first hand-written DDL made them."""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

import salesperf
from salesperf.store import Compare, Op, Store, StoreError
from salesperf.store.system_tables import META, SESSIONS, SIGNIN_FAILURES, TOKENS, USERS

PACKAGE = Path(salesperf.__file__).parent
#: The modules that make up the store: they may use its private members.
STORE_MODULES = ("store",)


def _outside_the_store() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.relative_to(PACKAGE).parts[0] not in STORE_MODULES
    ]


def _private_store_members() -> set[str]:
    store = Store.__new__(Store)  # the attributes `__init__` sets are private too
    names = {n for n in vars(Store) if n.startswith("_") and not n.startswith("__")}
    return names | {"_engine"} | {n for n in getattr(store, "__dict__", {}) if n.startswith("_")}


def test_no_module_outside_the_store_uses_its_private_members() -> None:
    private = _private_store_members()
    assert {"_exec", "_engine", "_meta", "_set_meta"} <= private
    modules = _outside_the_store()
    assert PACKAGE / "auth" / "users.py" in modules and PACKAGE / "server" / "deps.py" in modules
    found = [
        f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}"
        for path in modules
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Attribute) and node.attr in private
    ]
    assert found == []


def test_the_boundary_check_finds_a_private_call() -> None:
    """The check above is not blind: the code users.py had before is caught."""
    tree = ast.parse('rows = store._exec("SELECT 1 FROM reps WHERE rep_id = ?", [rep_id])')
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert attrs & _private_store_members() == {"_exec"}


#: The tables of version 3 and the settings table as their first, hand-written DDL made them.
FIRST_DDL = {
    META: "(key VARCHAR PRIMARY KEY, value VARCHAR)",
    USERS: "(username VARCHAR(200) PRIMARY KEY, "
    "password_hash VARCHAR(500) NOT NULL, role VARCHAR(20) NOT NULL, rep_id VARCHAR(200), "
    "team_id VARCHAR(200), lang VARCHAR(10), created_at TIMESTAMP NOT NULL, "
    "disabled BOOLEAN NOT NULL, email VARCHAR(320))",  # the address: since version 9
    SESSIONS: "(session_hash VARCHAR(100) PRIMARY KEY, "
    "username VARCHAR(200) NOT NULL, created_at TIMESTAMP NOT NULL, "
    "expires_at TIMESTAMP NOT NULL)",
    TOKENS: "(token_id VARCHAR(50) PRIMARY KEY, "
    "token_hash VARCHAR(100) NOT NULL, username VARCHAR(200) NOT NULL, name VARCHAR(200), "
    "scope VARCHAR(20) NOT NULL, created_at TIMESTAMP NOT NULL, last_used_at TIMESTAMP, "
    "revoked_at TIMESTAMP)",
    SIGNIN_FAILURES: "(subject VARCHAR(300) NOT NULL, failed_at TIMESTAMP NOT NULL)",
}


def _shape(store: Store, table: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """A table's columns (name, type, length, nullable) and key columns, as the engine says."""
    columns = store._exec(
        "SELECT column_name, data_type, character_maximum_length, is_nullable "
        "FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    )
    keys = store._exec(
        "SELECT k.column_name, c.constraint_type FROM information_schema.key_column_usage k "
        "JOIN information_schema.table_constraints c ON c.constraint_name = k.constraint_name "
        "AND c.table_name = k.table_name WHERE k.table_name = ? ORDER BY k.column_name",
        [table],
    )
    return columns, keys


def test_declared_system_tables_are_made_as_their_first_ddl_made_them(
    engine_store: Callable[..., Store],
) -> None:
    store = engine_store()
    if store.engine == "spark":  # the store's own tables are in its DuckDB catalog
        pytest.skip("Spark keeps these tables in a DuckDB catalog: the duckdb case covers it")
    for table, ddl in FIRST_DDL.items():
        store._exec(f"CREATE TABLE first_{table} {ddl}")
        made, first = _shape(store, table), _shape(store, f"first_{table}")
        assert made == first, table


def test_row_methods_read_and_write_by_filter(backend_store: Store) -> None:
    store = backend_store
    t0, t1, t2 = datetime(2026, 1, 1), datetime(2026, 1, 2), datetime(2026, 1, 3)
    for n, when in (("a", t0), ("b", t1), ("c", t2)):
        store.insert_row(SESSIONS, {"session_hash": n, "username": "u", "created_at": when,
                                    "expires_at": when})  # fmt: skip
    pick = store.select_rows
    assert pick(SESSIONS, ["session_hash"], {"expires_at": Compare(Op.GT, t0)},
                order_by=["session_hash"]) == [("b",), ("c",)]  # fmt: skip
    store.delete_rows(SESSIONS, {"expires_at": Compare(Op.LE, t1)})
    assert pick(SESSIONS, ["session_hash"]) == [("c",)]
    store.insert_row(TOKENS, {"token_id": "t", "token_hash": "h", "username": "u",
                              "scope": "read", "created_at": t0})  # fmt: skip
    # a use moves last_used_at forward (a null one too), never back
    for when in (t1, t0, t2):
        store.update_rows(
            TOKENS,
            {"last_used_at": when},
            {"token_id": "t", "last_used_at": Compare(Op.LT, when, or_null=True)},
        )
    assert pick(TOKENS, ["last_used_at"], {"token_id": "t"}) == [(t2,)]
    store.update_rows(TOKENS, {"revoked_at": t1}, {"token_id": "t", "revoked_at": None})
    store.update_rows(TOKENS, {"revoked_at": t2}, {"token_id": "t", "revoked_at": None})
    assert pick(TOKENS, ["revoked_at"], {"token_id": "t"}) == [(t1,)]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda s: s.select_rows("nope", ["a"]), "there is no table 'nope'"),
        (lambda s: s.select_rows(USERS, ["password; DROP"]), "has no column 'password; DROP'"),
        (lambda s: s.select_rows(USERS, ["username"], {"x": 1}), "has no column 'x'"),
        (lambda s: s.insert_row(USERS, {}), "needs at least one value"),
        (lambda s: s.update_rows(USERS, {"lang": "nl"}, {}), "needs a filter"),
        (lambda s: s.delete_rows(SESSIONS, {}), "needs a filter"),
    ],
)
def test_row_methods_refuse_unknown_names_and_unfiltered_changes(
    store: Store, call: Callable[[Store], object], words: str
) -> None:
    with pytest.raises(StoreError, match=words):
        call(store)
