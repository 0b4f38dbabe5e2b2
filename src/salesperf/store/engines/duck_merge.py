"""The DuckDB side of a merge and of a snapshot import, shared by the embedded store and the
Spark store's catalog: what an upsert will change, and the deleted rows and key origins kept
in the store's own tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from salesperf.schema import Table
from salesperf.store.engines.base import MergeCounts, q
from salesperf.store.system_tables import DELETED, ORIGINS

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


def set_aside(
    execute: Callable[..., list[tuple[Any, ...]]],
    target: str,
    staged: str,
    gone: str,
    params: list[Any],
) -> str:
    """A temporary table of the stored rows a snapshot import is about to delete (`gone`, the
    condition of `duck_snapshot_delete`), for the roll-ups to learn their days."""
    name = f"{staged}_gone"
    execute(
        f"CREATE OR REPLACE TEMP TABLE {q(name)} AS SELECT * FROM {q(target)} t WHERE {gone}",
        params,
    )
    return name
