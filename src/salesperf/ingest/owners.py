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

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from salesperf.ingest.sql import ident, lit, through

#: What a CRM appends to a user who left.
_SUFFIX = r"\s*[\(\[](deactivated|inactive|disabled|deleted|gedeactiveerd|inactief|verwijderd)[^\)\]]*[\)\]]\s*$"


def owner_keys(con: Any, texts: Iterable[str | None]) -> dict[str, str | None]:
    """Each text in the form owners are matched in (`key_sql`, the one rule), computed on the
    staging connection `con`."""
    return through(con, key_sql, texts)


def key_sql(x: str) -> str:
    """The SQL expression that reduces an owner's text to the form it is matched in."""
    return (
        f"nullif(lower(trim(regexp_replace(regexp_replace({x}, '{_SUFFIX}', '', 'i'), "
        f"'\\s+', ' ', 'g'))), '')"
    )


def owners_map(store: Any, con: Any, name: str, text: str, relation: str) -> str:
    """The owners of the file that are not rep ids but resolve to a rep (a name, an e-mail, an
    alias; one rep per key, ambiguous keys left out), as a SQL map literal from the owner's text
    as the file gives it (the expression `text` over `relation`) to the rep id, for the staging
    connection `con`; an empty string when there are none.

    A literal rather than a joined relation: a join may hand rows on in another order than the
    file's, and a row's place in the staged table is how its line number is found. It holds only
    the owners the file names (read in one pass over the file beforehand), so that looking an
    owner up stays cheap however many reps and aliases the store knows."""
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
    ids = pa.table({"id": reps["rep_id"].combine_chunks().cast(pa.string())})
    con.register(view, pairs)
    con.register(f"{view}_ids", ids)
    try:
        rows = con.execute(
            f"WITH p AS (SELECT {key_sql('text')} AS k, rep_id, prio FROM {ident(view)} "
            "WHERE text IS NOT NULL), "
            "best AS (SELECT k, min(prio) AS prio FROM p WHERE k IS NOT NULL GROUP BY k), "
            "one AS (SELECT p.k, min(p.rep_id) AS rep_id FROM p JOIN best USING (k, prio) "
            "GROUP BY p.k HAVING count(DISTINCT p.rep_id) = 1), "
            f"f AS (SELECT DISTINCT {text} AS t FROM {relation}) "
            f"SELECT f.t, one.rep_id FROM f JOIN one ON one.k = {key_sql('f.t')} "
            f"WHERE f.t NOT IN (SELECT id FROM {ident(view + '_ids')}) ORDER BY f.t"
        ).fetchall()
    finally:
        con.unregister(view)
        con.unregister(f"{view}_ids")
    if not rows:
        return ""
    return "MAP {" + ", ".join(f"{lit(k)}: {lit(r)}" for k, r in rows) + "}"


def resolved_sql(given: str, reps: str, owners: str) -> str:
    """A rep id for the owner text `given`: itself when it is a rep id, else through the
    owners map (`owners_map`; NULL: unknown)."""
    through = f"ELSE map_extract({owners}, {given})[1] " if owners else ""
    return (
        f"CASE WHEN {given} IS NULL THEN NULL "
        f"WHEN {given} IN (SELECT id FROM {reps}) THEN {given} {through}END"
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
