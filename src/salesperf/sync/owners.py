"""A CRM's users linked to the store's reps, as aliases (`rep_aliases`).

Each CRM user who owns records gets the alias `<crm>:<user id>` (what a synced row names as its
owner), pointing to the rep whose alias, e-mail or name the user has, matched as an import
matches owners (without case, repeated spaces or a "(Deactivated User)" suffix; a name two reps
share matches neither). Deactivated users are linked like the others, so their history stays
with their rep. An alias that exists already is left as it is (an administrator may have set it
by hand with `salesperf alias add`). Users that match no rep are reported: their records are
rejected as an unknown owner, exactly as in a file, until the rep or an alias is added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from salesperf.ingest.owners import owner_keys
from salesperf.store import Store
from salesperf.sync.model import Owner


def owner_alias(crm: str, user_id: str | int) -> str:
    """The alias under which a synced row names its owner."""
    return f"{crm}:{user_id}"


def match_owners(store: Store, crm: str, owners: Sequence[Owner]) -> dict[str, str | None]:
    """Each owner's alias and the rep it resolves to (None: no rep, or two)."""
    reps = store.table("reps").select("rep_id", "name", "email").to_pyarrow().to_pylist()
    aliases = store.table("rep_aliases").select("alias", "rep_id").to_pyarrow().to_pylist()
    existing = {str(a["alias"]): str(a["rep_id"]) for a in aliases}
    texts = [str(a["alias"]) for a in aliases]
    texts += [str(r[c]) for r in reps for c in ("email", "name", "rep_id") if r[c] is not None]
    texts += [t for o in owners for t in (o.email, o.name) if t is not None]
    key = owner_keys(store.staging(), texts)
    found: dict[str, set[str]] = defaultdict(set)
    for a in aliases:
        if k := key.get(str(a["alias"])):
            found[k].add(str(a["rep_id"]))
    for r in reps:
        for text in (r["email"], r["name"], r["rep_id"]):
            if text is not None and (k := key.get(str(text))):
                found[k].add(str(r["rep_id"]))
    matched: dict[str, str | None] = {}
    for owner in owners:
        alias = owner_alias(crm, owner.id)
        if alias in existing:
            matched[alias] = existing[alias]
            continue
        rep = None
        for text in (owner.email, owner.name):
            reps_of = found.get(key.get(text or "") or "", set())
            if len(reps_of) == 1:
                rep = next(iter(reps_of))
                break
        matched[alias] = rep
    return matched


def link_owners(
    store: Store, crm: str, owners: Sequence[Owner], *, write: bool = True
) -> tuple[int, tuple[Owner, ...]]:
    """Add the aliases of the owners that match a rep; how many owners are linked, and the
    owners that match none."""
    matched = match_owners(store, crm, owners)
    existing = {
        str(a) for a in store.table("rep_aliases").select("alias").to_pyarrow()["alias"].to_pylist()
    }
    new = [
        {"alias": alias, "rep_id": rep, "source": crm}
        for alias, rep in matched.items()
        if rep is not None and alias not in existing
    ]
    if write and new:
        store.merge_rows("rep_aliases", new)
    unmatched = tuple(o for o in owners if matched[owner_alias(crm, o.id)] is None)
    return sum(rep is not None for rep in matched.values()), unmatched
