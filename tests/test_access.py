"""What each viewer may see, decided in one place (salesperf.auth.access) and applied everywhere: every
route of the app carries the scope dependency or is on the short public list, and no route
gives a manager or a rep anything of reps or teams outside their view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from salesperf.auth.access import (
    PUBLIC_PATHS,
    AccessDenied,
    ScopeKind,
    public_route,
    scope_for,
    scoped_table,
)
from salesperf.auth.users import Role, User, get_user
from salesperf.metrics.query import By, Query
from salesperf.schema import TABLES
from salesperf.server.deps import viewer_scope
from salesperf.store import Store
from webtools import (
    ADMIN,
    MANAGER,
    MANAGER_REP,
    REP,
    REP_ID,
    ROOT_MANAGER,
    app_for,
    build_web_store,
    client_for,
)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_store(tmp_path_factory.mktemp("access") / "store.duckdb")


@pytest.fixture(scope="module")
def store(store_path: Path) -> Iterator[Store]:
    s = Store.open(store_path)
    yield s
    s.close()


def _user(store: Store, name: str) -> User:
    u = get_user(store, name)
    assert u is not None
    return u


def _reps_in(store: Store, teams: set[str]) -> set[str]:
    reps = store.table("reps").to_pandas()
    return set(reps.rep_id[reps.team_id.isin(teams)])


# -- the scope of each role ---------------------------------------------------------------
@pytest.mark.slow
def test_an_admin_sees_everything_a_rep_themself(store: Store) -> None:
    assert scope_for(store, _user(store, ADMIN)).everything
    rep = scope_for(store, _user(store, REP))
    assert rep.kind is ScopeKind.REP and rep.reps == {REP_ID} and rep.teams == frozenset()
    assert rep.can_see_rep(REP_ID) and not rep.can_see_rep("R003")


def test_a_manager_sees_the_subtree_of_the_teams_they_manage(store: Store) -> None:
    dach = scope_for(store, _user(store, MANAGER))  # R007 manages T02 (DACH) > T04 (DACH 1)
    assert dach.kind is ScopeKind.TEAMS and dach.top_teams == ("T02",)
    assert dach.teams == {"T02", "T04"}
    assert dach.reps == _reps_in(store, {"T02", "T04"}) and MANAGER_REP in dach.reps
    root = scope_for(store, _user(store, ROOT_MANAGER))  # R001 manages the root
    assert root.reps == set(store.table("reps").to_pandas().rep_id)
    assert not root.everything  # a manager still does not import or see org totals


def test_a_manager_linked_to_a_team_or_to_nothing(store: Store) -> None:
    by_team = scope_for(store, User("m", Role.MANAGER, team_id="T04"))
    assert by_team.teams == {"T04"} and by_team.reps == _reps_in(store, {"T04"})
    nothing = scope_for(store, User("n", Role.MANAGER, rep_id="R003"))  # manages no team
    assert nothing.reps == {"R003"} and nothing.teams == frozenset() and not nothing.top_teams


def test_queries_are_narrowed_to_the_scope(store: Store) -> None:
    dach = scope_for(store, _user(store, MANAGER))
    q = Query(("activities",), date(2026, 7, 1), date(2026, 10, 1), by=By.REP)
    assert dach.narrow(q).reps == dach.reps
    asked = Query(("activities",), date(2026, 7, 1), date(2026, 10, 1), reps=frozenset({"R002"}))
    assert dach.narrow(asked).reps == frozenset()
    teams = Query(("activities",), date(2026, 7, 1), date(2026, 10, 1), by=By.TEAM)
    assert dach.narrow(teams).teams == {"T02", "T04"}
    with pytest.raises(AccessDenied, match="whole organisation"):
        dach.narrow(Query(("activities",), date(2026, 7, 1), date(2026, 10, 1), by=By.ORG))
    with pytest.raises(AccessDenied):
        dach.within_team(store, "T01")
    assert dach.within_team(store, "T04").reps == _reps_in(store, {"T04"})


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_is_cut_to_the_reps_own_rows(store: Store, table: str) -> None:
    rep = scope_for(store, _user(store, REP))
    rows = scoped_table(store, rep, table).to_pandas()
    if "rep_id" in rows:
        assert set(rows.rep_id) <= {REP_ID}
    if table == "targets":
        assert set(rows.scope) <= {"rep"} and set(rows.scope_id) <= {REP_ID}
    if table == "teams":
        assert rows.empty
    if table == "fx_rates":  # exchange rates name nobody: shared
        assert len(rows) == store.count("fx_rates")
    if table in ("activities", "deals", "reps"):
        assert len(rows) > 0
    if table == "deal_stages":
        own = set(scoped_table(store, rep, "deals").to_pandas().deal_id)
        assert set(rows.deal_id) <= own
    if table == "accounts":
        acts = store.table("activities").to_pandas()
        deals = store.table("deals").to_pandas()
        leads = store.table("leads").to_pandas()
        own = (
            set(acts.account_id[acts.rep_id == REP_ID])
            | set(deals.account_id[deals.rep_id == REP_ID])
            | set(leads.account_id[leads.rep_id == REP_ID])
        )
        assert set(rows.account_id) == {a for a in own if isinstance(a, str)}


# -- every route is guarded ---------------------------------------------------------------
def _calls(dependant: Any) -> set[Any]:
    found = set()
    for d in dependant.dependencies:
        found.add(d.call)
        found |= _calls(d)
    return found


def routes(app: FastAPI) -> list[tuple[str, set[str], Any, BaseRoute]]:
    """Every route of the app, included routers' too: (path, methods, dependant, route)."""
    return [
        (c.path or "", set(c.methods or ()), getattr(c, "dependant", None), c.original_route)
        for c in iter_route_contexts(app.routes)
    ]


def unguarded_routes(app: FastAPI) -> list[str]:
    """Routes that neither depend on the viewer's scope nor are public and allow-listed."""
    bad = []
    for path, methods, dependant, route in routes(app):
        if isinstance(route, APIRoute):
            calls = _calls(dependant)
            if viewer_scope in calls:
                continue
            if public_route in calls and path in PUBLIC_PATHS:
                continue
            bad.append(f"{sorted(methods)} {path}")
        elif path not in PUBLIC_PATHS:
            bad.append(f"{type(route).__name__} {path}")
    return bad


def test_every_route_declares_the_scope_or_is_public(store_path: Path) -> None:
    app = app_for(store_path)
    assert unguarded_routes(app) == []
    assert len([r for r in routes(app) if isinstance(r[3], APIRoute)]) >= 25


@pytest.mark.slow
def test_a_route_added_without_the_scope_is_caught(store_path: Path) -> None:
    app = app_for(store_path)

    @app.get("/api/leaky")
    async def leaky() -> dict[str, str]:
        return {"everything": "for everyone"}

    @app.get("/api/marked-public-but-not-listed", dependencies=[])
    async def sneaky() -> dict[str, str]:
        return {}

    assert unguarded_routes(app) == [
        "['GET'] /api/leaky",
        "['GET'] /api/marked-public-but-not-listed",
    ]


# -- and no route shows anything outside the view --------------------------------------------
ROLES = {
    MANAGER: {"own_team": "T02", "other_team": "T01", "own_rep": "R008", "other_rep": "R003"},
    REP: {"own_team": "T03", "other_team": "T01", "own_rep": REP_ID, "other_rep": "R003"},
}


@pytest.fixture(scope="module")
def app(store_path: Path) -> FastAPI:
    return app_for(store_path)


def _forbidden(store: Store, username: str) -> list[str]:
    """Ids and names of reps, and ids of teams, outside the viewer's scope (as patterns)."""
    scope = scope_for(store, _user(store, username))
    reps = store.table("reps").to_pandas()
    teams = store.table("teams").to_pandas()
    words = [
        re.escape(w)
        for rid, name in zip(reps.rep_id, reps.name, strict=True)
        if not scope.can_see_rep(rid)
        for w in (rid, name)
    ]
    own_team = set(reps.team_id[reps.rep_id.isin(scope.reps or ())])
    # team ids as whole words (team names are no test: account names contain regions too)
    words += [rf"\b{t}\b" for t in teams.team_id if not scope.can_see_team(t) and t not in own_team]
    return words


def _paths(app: FastAPI, params: dict[str, str]) -> list[str]:
    """Every GET path of the app with its parameters filled in, in and out of scope."""
    out = []
    for path, methods, _, route in routes(app):
        if not isinstance(route, APIRoute) or "GET" not in methods:
            continue
        if path in ("/assets/vega.js",):  # the chart library: public, no data
            continue
        names = re.findall(r"{(\w+)}", path)
        choices: dict[str, list[str]] = {
            "team_id": [params["own_team"], params["other_team"]],
            "rep_id": [params["own_rep"], params["other_rep"]],
            "table": list(TABLES),
            "import_id": ["1"],
            "job_id": ["not-a-job"],  # an export job (another user's: tests/test_exports_lang.py)
        }
        unknown = [n for n in names if n not in choices]
        assert not unknown, f"give example values for {unknown} of {path} in this test"
        filled = [path]
        for n in names:
            filled = [p.replace("{" + n + "}", v) for p in filled for v in choices[n]]
        out += filled
    return out


@pytest.mark.slow
@pytest.mark.parametrize("username", list(ROLES))
def test_no_route_shows_a_viewer_anything_outside_their_view(
    app: FastAPI, store: Store, username: str
) -> None:
    client, _ = client_for(app, username)
    forbidden = _forbidden(store, username)
    assert len(forbidden) >= 6
    seen = {}
    for path in _paths(app, ROLES[username]):
        extra = {"period": "2026-Q3"} if path.startswith(("/export/", "/api/scorecard")) else {}
        r = client.get(path, params=extra)
        assert r.status_code < 500, (path, r.text[:300])
        body = r.text
        # an id the viewer asked for may be named back ("you may not see rep R003")
        leaked = [w for w in forbidden if re.search(w, body) and not re.search(w, path)]
        assert not leaked, f"{path} shows {leaked} to {username}"
        seen[path] = r.status_code
    other_team = ROLES[username]["other_team"]
    other_rep = ROLES[username]["other_rep"]
    assert seen[f"/teams/{other_team}"] == 403 and seen[f"/api/reps/{other_rep}"] == 403
    assert seen[f"/reps/{ROLES[username]['own_rep']}"] == 200
    assert seen["/api/overview"] == 200 and seen["/export/activities"] == 200
    assert seen["/import"] == 403
    # the metric query and the batches, the routes that take a body
    for by in ("rep", "team", "org"):
        body = {"metrics": ["activities", "revenue_won"], "start": "2026-07-01",
                "end": "2026-10-01", "by": by, "reps": ["R003", "R008", REP_ID]}  # fmt: skip
        r = client.post("/api/query", json=body)
        assert r.status_code in (200, 403)
        assert not [w for w in forbidden if re.search(w, r.text)], (by, r.text[:300])


def test_an_admin_is_shown_everyone(app: FastAPI, store: Store) -> None:
    client, _ = client_for(app, ADMIN)
    names = set(store.table("reps").to_pandas().name)
    page = client.get("/activities/new").text  # the rep picker lists every active rep
    shown = {n for n in names if n in page}
    assert len(shown) >= len(names) - 2  # leavers are not offered
    assert TestClient(app).get("/api/overview").status_code == 401
