"""Owners: the names, e-mails and CRM owner ids under which a rep appears in exports.

An export names a deal's or an activity's owner as the CRM knows them ("Lenny Smith",
"lenny@acme.com (Deactivated User)", "0055e000001AbCd"), not by the rep id of the store. An
import resolves an owner column (`rep_id` of every table but `reps` and `rep_aliases`) in this
order: the rep id itself, exactly; an entry of `rep_aliases`; a rep's e-mail; a rep's name; a
rep id written in another case. Names and e-mails are compared without case, surrounding or
repeated spaces, and without a "(Deactivated User)"-style suffix, so that a renamed or
deactivated user keeps one history. A name two reps share resolves to neither (it is reported
as unknown, so that an alias can say who is meant).

Owners that resolve to no rep are reported once each with their row count and the command that
adds them (`unknown_owners`), besides the rejected rows kept in the rejects file.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from salesperf.ingest.sql import ident, lit

#: What a CRM appends to a user who left.
_SUFFIX = r"\s*[\(\[](deactivated|inactive|disabled|deleted|gedeactiveerd|inactief|verwijderd)[^\)\]]*[\)\]]\s*$"


def key_sql(x: str) -> str:
    """The SQL expression that reduces an owner's text to the form it is matched in."""
    return (
        f"nullif(lower(trim(regexp_replace(regexp_replace({x}, '{_SUFFIX}', '', 'i'), "
        f"'\\s+', ' ', 'g'))), '')"
    )


def owners_map(store: Any, con: Any, name: str) -> str:
    """The store's owner names (alias → rep), with one rep per key (ambiguous keys left out),
    as a SQL map literal for the staging connection `con`.

    A literal rather than a joined relation: a join may hand rows on in another order than the
    file's, and a row's place in the staged table is how its line number is found."""
    reps = store.table("reps").select("rep_id", "name", "email").to_pyarrow()
    aliases = store.table("rep_aliases").select("alias", "rep_id").to_pyarrow()
    n, m = reps.num_rows, aliases.num_rows
    pairs = pa.table(
        {
            "text": pa.concat_arrays(
                [
                    aliases["alias"].combine_chunks().cast(pa.string()),
                    reps["email"].combine_chunks().cast(pa.string()),
                    reps["name"].combine_chunks().cast(pa.string()),
                    reps["rep_id"].combine_chunks().cast(pa.string()),
                ]
            ),
            "rep_id": pa.concat_arrays(
                [
                    aliases["rep_id"].combine_chunks().cast(pa.string()),
                    *(reps["rep_id"].combine_chunks().cast(pa.string()) for _ in range(3)),
                ]
            ),
            # an alias the organisation gave wins over a name or e-mail found on a rep
            "prio": pa.array([0] * m + [1] * n + [2] * n + [3] * n, pa.int8()),
        }
    )
    view = f"{name}_owner_pairs"
    con.register(view, pairs)
    try:
        rows = con.execute(
            f"WITH p AS (SELECT {key_sql('text')} AS k, rep_id, prio FROM {ident(view)} "
            "WHERE text IS NOT NULL), "
            "best AS (SELECT k, min(prio) AS prio FROM p WHERE k IS NOT NULL GROUP BY k) "
            "SELECT p.k, min(p.rep_id) FROM p JOIN best USING (k, prio) "
            "GROUP BY p.k HAVING count(DISTINCT p.rep_id) = 1 ORDER BY p.k"
        ).fetchall()
    finally:
        con.unregister(view)
    if not rows:
        return "CAST(NULL AS MAP(VARCHAR, VARCHAR))"
    return "MAP {" + ", ".join(f"{lit(k)}: {lit(r)}" for k, r in rows) + "}"


def resolved_sql(given: str, reps: str, owners: str) -> str:
    """A rep id for the owner text `given`: itself when it is a rep id, else through the
    owners map (NULL: unknown)."""
    return (
        f"CASE WHEN {given} IS NULL THEN NULL "
        f"WHEN {given} IN (SELECT id FROM {reps}) THEN {given} "
        f"ELSE map_extract({owners}, {key_sql(given)})[1] END"
    )


def unknown_owners(con: Any, staged: str) -> list[tuple[str, int]]:
    """Each owner of the staged rows that resolved to no rep, with its row count."""
    rows = con.execute(
        f"SELECT p.value, count(*) AS n FROM (SELECT unnest(_problems) AS p FROM {ident(staged)} "
        "WHERE _bad) WHERE p.column = 'rep_id' AND p.rule = 'unknown_reference' "
        "GROUP BY p.value ORDER BY n DESC, p.value"
    ).fetchall()
    return [(str(v), int(n)) for v, n in rows]


def add_owner_hint(owners: list[tuple[str, int]], source: str = "") -> str:
    """The commands that make these owners known, for messages."""
    first = owners[0][0] if owners else "NAME"
    where = f" --source {source}" if source else ""
    return (
        f'salesperf alias add "{first}" REP_ID{where}  (one per owner), or import a file of '
        "alias,rep_id rows: salesperf import rep_aliases aliases.csv"
    )
