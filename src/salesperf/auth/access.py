"""What a viewer may see: the one place that decides it.

A `Scope` comes from the signed-in user: an admin sees everything; a manager sees the subtree
of the teams they manage (the teams whose `manager_rep_id` is their rep, and the team they are
linked to) and the reps in it; a rep sees themself. Every metric query, page, JSON answer and
export goes through a scope: `Scope.scorecard_args` and `Scope.narrow` restrict the metric
layer's `Query.reps` / `Query.teams`, `scoped_table` restricts a table for export,
`write_guard` decides whose rows a viewer may write and `check_replace` who may delete rows by a
snapshot import.

The web server marks each route with the scope dependency (`salesperf.server.deps.viewer_scope`)
or, for the few routes that show no organisation data, with `public_route`; a test fails for
any route that has neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from salesperf import errors
from salesperf.auth.users import Role, User
from salesperf.errors import Denied, InputError
from salesperf.i18n.messages import MESSAGES, both
from salesperf.metrics.levels import team_closure
from salesperf.metrics.query import By, Query
from salesperf.schema import TABLES
from salesperf.store import Store
from salesperf.text import Text

#: Paths (route templates) that show no organisation data and need no sign-in (the CRMs'
#: webhooks are trusted by their signature instead, and answer with no data).
PUBLIC_PATHS = frozenset(
    {
        "/login",
        "/static",
        "/assets/vega.js",
        "/docs",
        "/openapi.json",
        "/healthz",
        "/api/webhooks/hubspot",
        "/api/webhooks/pipedrive",
    }
)


def public_route() -> None:
    """A route dependency marking a route that shows no organisation data (sign-in, assets)."""


class AccessDenied(Denied):
    """The viewer may not see or change this; the message says what they may do instead."""


class NotFound(errors.NotFound):
    """The team, rep or thing asked for does not exist."""


class Rows(TypedDict):
    """Whose rows a scorecard or query keeps: `reps` and `teams` (None: everyone's)."""

    reps: frozenset[str] | None
    teams: frozenset[str] | None


class ScopeKind(StrEnum):
    """How far a viewer sees."""

    ALL = "all"  # the whole organisation
    TEAMS = "teams"  # the subtree of some teams
    REP = "rep"  # one rep


@dataclass(frozen=True)
class Scope:
    """What one viewer may see: everyone, the reps and teams of some subtrees, or one rep."""

    kind: ScopeKind
    reps: frozenset[str] | None = None  # None: every rep
    teams: frozenset[str] | None = None  # None: every team
    top_teams: tuple[str, ...] = ()  # the roots of the visible subtrees (kind TEAMS)
    rep_id: str | None = None  # the viewer's own rep, if linked to one

    @property
    def everything(self) -> bool:
        """The whole organisation is visible."""
        return self.kind is ScopeKind.ALL

    def can_see_rep(self, rep_id: str) -> bool:
        """May the viewer see this rep's figures and rows?"""
        return self.reps is None or rep_id in self.reps

    def can_see_team(self, team_id: str) -> bool:
        """May the viewer see this team (and so everyone in its subtree)?"""
        return self.teams is None or team_id in self.teams

    def require_rep(self, rep_id: str) -> None:
        """AccessDenied unless the rep is in scope."""
        if not self.can_see_rep(rep_id):
            raise self._denied("access.rep", rep=rep_id)

    def require_team(self, team_id: str) -> None:
        """AccessDenied unless the team is in scope."""
        if not self.can_see_team(team_id):
            raise self._denied("access.team", team=team_id)

    def require_everything(self, what: str) -> None:
        """AccessDenied unless the viewer sees the whole organisation."""
        if not self.everything:
            raise AccessDenied(f"{what} needs a view of the whole organisation")

    def describe(self) -> str:
        """What this scope covers, in words."""
        return self.said().en

    def said(self) -> Text:
        """What this scope covers, in English and Dutch."""
        if self.kind is ScopeKind.ALL:
            return both("access.all")
        if self.kind is ScopeKind.REP:
            return both("access.own", lambda _: {"rep": self.rep_id})
        if not self.top_teams:
            return both("access.no_team")
        return both("access.teams", lambda _: {"teams": ", ".join(self.top_teams)})

    def _denied(self, key: str, **values: str) -> AccessDenied:
        """A refusal said in both languages, ending with what this scope covers."""
        scope = self.said()
        return AccessDenied(
            text=both(key, lambda lang: {**values, "scope": scope.get(lang)}),
        )

    def check_by(self, by: By | str) -> None:
        """Only groupings inside the scope: a rep sees rep rows, a manager rep and team rows."""
        by = By(by)
        if self.kind is ScopeKind.ALL:
            return
        if by is By.ORG:
            raise self._denied("access.by_org")
        if by is By.TEAM and self.kind is ScopeKind.REP:
            raise self._denied("access.by_team")

    def scorecard_args(self, by: By | str) -> Rows:
        """`reps` and `teams` for `salesperf.scorecard.scorecard` (as for a `Query`): the
        scope's, once the grouping is checked."""
        self.check_by(by)
        return {"reps": self.reps, "teams": self.teams if By(by) is By.TEAM else None}

    def home(self) -> tuple[By, Rows]:
        """The rows a viewer's overview shows: the organisation, the top teams they manage, or
        themself (`by` and the scorecard's `reps`/`teams`)."""
        if self.kind is ScopeKind.ALL:
            return By.ORG, {"reps": None, "teams": None}
        if self.kind is ScopeKind.TEAMS:
            return By.TEAM, {"reps": self.reps, "teams": frozenset(self.top_teams)}
        return By.REP, {"reps": self.reps, "teams": None}

    def within_team(self, store: Store, team_id: str) -> Scope:
        """This scope narrowed to one team's subtree (AccessDenied if the team is not in it)."""
        self.require_team(team_id)
        teams = store.table("teams").select("team_id", "parent_team_id").to_pandas()
        parent = _parents(teams)
        if team_id not in parent:
            raise NotFound(text=both("access.unknown_team", lambda _: {"team": repr(team_id)}))
        subtree = frozenset(t for t in parent if _under(t, {team_id}, parent))
        closure = team_closure(store.con)
        members = frozenset(closure.rep_id[closure.team_id == team_id])
        return Scope(
            ScopeKind.TEAMS,
            _meet(members, self.reps),
            _meet(subtree, self.teams),
            (team_id,),
            self.rep_id,
        )

    def within_rep(self, rep_id: str) -> Scope:
        """This scope narrowed to one rep (AccessDenied if the rep is not in it)."""
        self.require_rep(rep_id)
        return Scope(ScopeKind.REP, frozenset({rep_id}), frozenset(), rep_id=rep_id)

    def narrow(self, q: Query) -> Query:
        """The query restricted to the scope (asked-for reps and teams outside it are dropped)."""
        self.check_by(q.by)
        reps = _meet(q.reps, self.reps)
        teams = _meet(q.teams, self.teams) if q.by is By.TEAM else q.teams
        return replace(q, reps=reps, teams=teams)


def _meet(asked: frozenset[str] | None, allowed: frozenset[str] | None) -> frozenset[str] | None:
    if allowed is None:
        return asked
    return allowed if asked is None else asked & allowed


EVERYTHING = Scope(ScopeKind.ALL)


def require_admin(user: User, what: str = "this") -> None:
    """AccessDenied unless the user is an administrator (imports, user management); said in
    both languages where the catalogue has `what` (`access.admin.<what>`)."""
    if user.role is not Role.ADMIN:
        key = f"access.admin.{what}"
        if key in MESSAGES:
            raise AccessDenied(text=both(key))
        raise AccessDenied(f"only an administrator may do {what}")


def scope_for(store: Store, user: User) -> Scope:
    """The scope of a signed-in user, from their role and the rep or team they are linked to."""
    if user.role is Role.ADMIN:
        return EVERYTHING
    if user.role is Role.REP:
        rep = user.rep_id or ""
        return Scope(ScopeKind.REP, frozenset({rep}), frozenset(), rep_id=user.rep_id)
    teams = store.table("teams").select("team_id", "parent_team_id", "manager_rep_id").to_pandas()
    managed = {
        str(t)
        for t, m in zip(teams.team_id, teams.manager_rep_id, strict=True)
        if user.rep_id is not None and m == user.rep_id
    }
    if user.team_id is not None:
        managed.add(user.team_id)
    parent = _parents(teams)
    subtree = {t for t in parent if _under(t, managed, parent)}
    closure = team_closure(store.con)
    reps = set(closure.rep_id[closure.team_id.isin(sorted(managed))])
    if user.rep_id is not None:
        reps.add(user.rep_id)
    top = tuple(sorted(t for t in managed if not _under(parent.get(t), managed, parent)))
    return Scope(ScopeKind.TEAMS, frozenset(reps), frozenset(subtree), top, user.rep_id)


def _parents(teams: pd.DataFrame) -> dict[str, str | None]:
    return {
        str(t): (p if isinstance(p, str) else None)
        for t, p in zip(teams.team_id, teams.parent_team_id, strict=True)
    }


def _under(team: str | None, roots: set[str], parent: dict[str, str | None]) -> bool:
    """Is `team` one of `roots` or below one of them?"""
    seen: set[str] = set()
    while team is not None and team not in seen:
        if team in roots:
            return True
        seen.add(team)
        team = parent.get(team)
    return False


def write_guard(store: Store, scope: Scope, table: str) -> Callable[[pa.Table], None]:
    """The check an import runs on the rows it is about to write for this viewer: AccessDenied
    when a row names a rep outside the scope, or would overwrite a stored row of such a rep.

    It is given the rows' keys and owners as the importer will write them (ids normalised by
    `salesperf.ingest.parse.id_sql`), so an id sent as " D000144" is decided as the stored
    "D000144" it will overwrite; deciding on the text as sent is how a takeover slips through.
    """
    key = TABLES[table].key[0]

    def guard(staged: pa.Table) -> None:
        if scope.everything:
            return
        rows = staged.select([key, "rep_id"]).to_pylist()
        reps = {str(r["rep_id"]) for r in rows if r["rep_id"] is not None}
        outside = sorted(rep for rep in reps if not scope.can_see_rep(rep))
        if outside:
            raise AccessDenied(
                f"you may not write rows of reps outside your view ({', '.join(outside)}); "
                + scope.describe()
            )
        ids = sorted({str(r[key]) for r in rows if r[key] is not None})
        if not ids:
            return
        t = store.table(table)
        stored = t.filter(t[key].isin(ids)).select(key, "rep_id").to_pyarrow().to_pylist()
        taken = sorted(str(s[key]) for s in stored if not scope.can_see_rep(str(s["rep_id"])))
        if taken:
            raise AccessDenied(f"{key} {', '.join(taken)} belong to reps outside your view")

    return guard


def check_replace(scope: Scope, table: str) -> None:
    """AccessDenied unless the viewer may make a table equal to a file (a snapshot import,
    `replace`): it deletes every stored row the file lacks, whoever's it is, so only a viewer
    who sees the whole organisation may; a narrower scope never deletes anything."""
    if not scope.everything:
        raise AccessDenied(
            f"a snapshot import (replace) deletes the stored {table} rows that are not in the "
            "file, other people's included, so it needs a view of the whole organisation; "
            f"{scope.describe()}. Import without replace to add and update rows"
        )


#: Tables whose rows belong to a rep through their rep_id column.
_BY_REP = ("activities", "deals", "leads", "surveys", "absences", "rep_aliases")
#: Reference data that names nobody: everyone who may sign in sees it whole.
_SHARED = ("fx_rates",)


def scoped_table(store: Store, scope: Scope, name: str) -> ir.Table:
    """A canonical table with only the rows the viewer may see."""
    if name not in TABLES:
        raise InputError(f"there is no table {name!r}; the tables are: {', '.join(TABLES)}")
    t = store.table(name)
    if scope.everything or name in _SHARED:
        return t
    reps = sorted(scope.reps or ())
    teams = sorted(scope.teams or ())
    if name in _BY_REP or name == "reps":
        return t.filter(t.rep_id.isin(reps))
    if name == "teams":
        return t.filter(t.team_id.isin(teams))
    if name == "targets":
        return t.filter(
            ((t.scope == "rep") & t.scope_id.isin(reps))
            | ((t.scope == "team") & t.scope_id.isin(teams))
        )
    deals = store.table("deals")
    deals = deals.filter(deals.rep_id.isin(reps))
    if name == "deal_stages":
        return t.semi_join(deals.select("deal_id"), "deal_id")
    if name == "accounts":
        return t.semi_join(_named_accounts(store, scope), "account_id")
    raise ValueError(f"no access rule for table {name!r}")  # a new table needs its rule here


def _named_accounts(
    store: Store,
    scope: Scope,
    before: datetime | None = None,
    since: datetime | None = None,
) -> ir.Table:
    """The account ids the scope's reps' deals, activities and leads name (an account is
    seen by whoever works it); with `before`, through the activities stored before it only;
    with `since`, through the activities stored from it on only (no deals or leads)."""
    reps = sorted(scope.reps or ())
    acts = store.table("activities")
    acts = acts.filter(acts.rep_id.isin(reps))
    if before is not None:
        acts = acts.filter(acts.occurred_at < before)
    if since is not None:
        acts = acts.filter(acts.occurred_at >= since)
        return acts.select("account_id")
    deals, leads = store.table("deals"), store.table("leads")
    return (
        deals.filter(deals.rep_id.isin(reps))
        .select("account_id")
        .union(acts.select("account_id"))
        .union(leads.filter(leads.rep_id.isin(reps)).select("account_id"))
    )


def visible_account_ids(
    store: Store, scope: Scope, *, before: datetime | None = None, since: datetime | None = None
) -> ir.Table:
    """The ids of the accounts `scope` may see (the rows of `scoped_table(.., "accounts")`),
    counting only the activities stored before `before`, or (without the deals and leads) only
    those from `since` on, when given: the two halves of a count whose older half is kept
    while the day's activities arrive. The union of both halves is every visible account."""
    t = store.table("accounts")
    if scope.everything:  # every account, whoever works it: all of them in the older half
        return t.select("account_id") if since is None else t.filter(False).select("account_id")
    return t.semi_join(_named_accounts(store, scope, before, since), "account_id").select(
        "account_id"
    )
