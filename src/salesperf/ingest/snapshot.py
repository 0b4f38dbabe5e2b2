"""Snapshot imports (`--replace`): which stored rows a file keeps, and how deleted rows come back.

A snapshot import makes a table (or the rows one source system wrote) equal to its file: a stored
row whose key is in none of the file's rows, accepted or rejected, is deleted. A rejected row
keeps its stored row, so a typo in a corrected export never loses data; a row whose key cannot be
read at all (the key left empty or unreadable, a line the CSV parser refused) could be any stored
row, so such a file is refused for a snapshot import. Every deleted row is kept, as JSON, in
`salesperf_deleted` with the import that deleted it; `restore` puts them back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from salesperf.ingest.rejects import Rejects
from salesperf.ingest.source import FileRefused
from salesperf.ingest.sql import ident
from salesperf.schema import TABLES, Table
from salesperf.store import Store, StoreError
from salesperf.store.engines.base import duck_type, q
from salesperf.store.system_tables import DELETED, IMPORTS

#: Lines named in a refusal (the rest are counted).
SHOWN_LINES = 10
#: Keys asked of the store at once when looking for rows stored again since a deletion.
_CHUNK = 5_000


def snapshot_keys(
    con: Any,
    name: str,
    spec: Table,
    pos: str,
    rejects: Rejects,
    rows_read: int,
) -> str:
    """A staging table of the keys of every row of the file, accepted or rejected: the stored
    rows a snapshot import keeps. Refuses (FileRefused) a file with no rows, or with a row
    whose key cannot be read: it could stand for any stored row."""
    if rows_read == 0:
        raise FileRefused(
            "the file has no rows: importing it with --replace would delete every stored row; "
            "nothing was imported"
        )
    missing = " OR ".join(f"{ident(k)} IS NULL" for k in spec.key)
    unread = f"SELECT {pos} FROM {ident(name)} WHERE {missing}"
    lines = [
        int(r[0])
        for r in con.execute(
            f"SELECT DISTINCT line FROM {rejects.problems} "
            f"WHERE pos = -1 OR pos IN ({unread}) ORDER BY line"
        ).fetchall()
    ]
    unread_any = bool(con.execute(f"SELECT count(*) FROM ({unread})").fetchone()[0])
    if lines or unread_any:
        shown = ", ".join(str(n) for n in lines[:SHOWN_LINES])
        more = f" and {len(lines) - SHOWN_LINES} more" if len(lines) > SHOWN_LINES else ""
        raise FileRefused(
            f"with --replace, every row of the file must have a readable {' / '.join(spec.key)}: "
            f"line{'s' if len(lines) > 1 else ''} {shown}{more} "
            f"{'have' if len(lines) > 1 else 'has'} none, so the import cannot tell which "
            "stored rows they stand for and would delete them. Fix those lines (the import "
            "without --replace lists their problems), or import without --replace. "
            "Nothing was imported"
        )
    keys = f"{name}_keys"
    cols = ", ".join(ident(k) for k in spec.key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(keys)} AS SELECT DISTINCT {cols} FROM {ident(name)}"
    )
    return keys


@dataclass(frozen=True)
class Restored:
    """What `restore` did: rows put back, and the keys left alone because a row with that key
    was stored again after the deletion (the current row is kept)."""

    import_id: int
    table: str
    restored: int
    kept: tuple[str, ...]


def restore(store: Store, import_id: int) -> Restored:
    """Put back the rows snapshot import `import_id` deleted, by key, in one transaction.

    A row whose key has been stored again since (a later import added it back) is left as it is
    now and named in `kept`: the newer row wins. Restoring twice puts nothing back the second
    time. Raises StoreError when the import is unknown or deleted nothing."""
    log = store.table(IMPORTS)
    if log.filter(log.import_id == import_id).count().execute() == 0:
        raise StoreError(f"there is no import {import_id} in this store")
    t = store.table(DELETED)
    rows = (
        t.filter(t.import_id == import_id)
        .select("table_name", "row_key", "row_data")
        .to_pyarrow()
        .to_pylist()
    )
    if not rows:
        raise StoreError(f"import {import_id} deleted no rows: there is nothing to restore")
    table = str(rows[0]["table_name"])
    spec = TABLES[table]
    data = [json.loads(r["row_data"]) for r in rows]
    back, kept = _not_stored(store, spec, data, [str(r["row_key"]) for r in rows])
    if back:
        store.merge_rows(table, back)
    return Restored(import_id, table, len(back), tuple(kept))


def _not_stored(
    store: Store, spec: Table, data: list[dict[str, Any]], row_keys: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The deleted rows whose key is not stored now, and the row keys of those that are."""
    con = store.staging()
    name = f"_restore_{os.getpid()}"
    casts = ", ".join(
        f"CAST({ident(k)} AS {duck_type(spec.column(k).kind.dtype)}) AS {ident(k)}"
        for k in spec.key
    )
    first = spec.key[0]
    firsts = sorted({str(r[first]) for r in data if r.get(first) is not None})
    t = store.table(spec.name)
    found = [
        t.filter(t[first].isin(firsts[i : i + _CHUNK])).select(*spec.key).to_pyarrow()
        for i in range(0, len(firsts), _CHUNK)
    ]
    stored = pa.concat_tables(found) if found else None
    given = pa.table({k: [json.dumps(r.get(k)) for r in data] for k in spec.key})
    con.register(f"{name}_given", given)
    try:
        # every key as the canonical type, from its JSON text (a date or a time as its text)
        parsed = ", ".join(
            f"CAST(CASE WHEN json_type({ident(k)}) = 'NULL' THEN NULL "
            f"ELSE json_extract_string({ident(k)}, '$') END "
            f"AS {duck_type(spec.column(k).kind.dtype)}) AS {ident(k)}"
            for k in spec.key
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS SELECT row_number() OVER () - 1 AS _i, "
            f"{parsed} FROM {q(name + '_given')}"
        )
        if stored is not None and stored.num_rows:
            con.register(f"{name}_stored", stored)
            on = " AND ".join(f"s.{ident(k)} = g.{ident(k)}" for k in spec.key)
            hits = con.execute(
                f"SELECT g._i FROM {ident(name)} g WHERE EXISTS "
                f"(SELECT 1 FROM (SELECT {casts} FROM {q(name + '_stored')}) s WHERE {on})"
            ).fetchall()
            con.unregister(f"{name}_stored")
        else:
            hits = []
    finally:
        con.unregister(f"{name}_given")
        con.execute(f"DROP TABLE IF EXISTS {ident(name)}")
    taken = {int(h[0]) for h in hits}
    back = [r for i, r in enumerate(data) if i not in taken]
    return back, [row_keys[i] for i in sorted(taken)]


#: The longest source system name an import may record.
SYSTEM_LENGTH = 100


def system_name(text: str | None) -> str | None:
    """A source system's name as given (`--system`), checked: None when not given."""
    if text is None or text.strip() == "":
        return None
    name = text.strip()
    if len(name) > SYSTEM_LENGTH or any(ord(c) < 32 for c in name):
        raise FileRefused(
            f"a source system's name is at most {SYSTEM_LENGTH} characters of plain text "
            f"(e.g. hubspot), not {name[:40]!r}"
        )
    return name
