"""The overview as a start page: the leaderboard holds the scorecard's figures for the reps in
the viewer's view, the quota progress is the forecast's with the pace of working days, the
week's movers are the scorecard's changes, and the organisation's attainment is the same on
the overview and the teams page (also for an organisation of several top teams)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from salesperf.analysis.progress import elapsed_share
from salesperf.auth.users import add_user, password_hasher
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import parse_period
from salesperf.scorecard import scorecard
from salesperf.server.charts.dashboard import sparkline
from salesperf.server.pages.data import tree
from salesperf.store import Store
from webtools import (
    ADMIN,
    MANAGER,
    PERIOD,
    REP,
    REP_ID,
    app_for,
    build_web_store,
    client_for,
    imported_store,
    sign_in,
)

pytestmark = pytest.mark.slow

AS_OF = "2026-08-15"  # halfway through 2026-Q3's working days (33 of 66)
ASKED = {"period": PERIOD, "as_of": AS_OF}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, FastAPI]:
    path = build_web_store(tmp_path_factory.mktemp("overview") / "store.duckdb")
    return path, app_for(path)


@pytest.fixture(scope="module")
def pages(web: tuple[Path, FastAPI]) -> dict[str, dict[str, Any]]:
    """The overview's JSON for the administrator, the manager and the rep (one request each)."""
    out = {}
    for user in (ADMIN, MANAGER, REP):
        client, _ = client_for(web[1], user)
        r = client.get("/api/overview", params=ASKED)
        assert r.status_code == 200, r.text[:500]
        out[user] = r.json()
    return out


def _subtree_reps(store: Store, top: str) -> frozenset[str]:
    """The reps of a team and the teams below it, read from the tables."""
    teams = store.table("teams").to_pandas()
    reps = store.table("reps").to_pandas()
    inside, grew = {top}, True
    while grew:
        more = set(teams.team_id[teams.parent_team_id.isin(inside)]) - inside
        grew, inside = bool(more), inside | more
    return frozenset(reps.rep_id[reps.team_id.isin(inside)])


def _values(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["key"]: r["values"] for r in rows}


def test_the_leaderboard_holds_the_scorecard_of_the_managers_reps(
    web: tuple[Path, FastAPI], pages: dict[str, dict[str, Any]]
) -> None:
    board = pages[MANAGER]["leaderboard"]
    with Store.open(web[0]) as s:
        members = _subtree_reps(s, "T02")
        expected = scorecard(s, by="rep", period=PERIOD, reps=members).to_json()
    assert {r["key"] for r in board["rows"]} == members
    assert [m["name"] for m in board["metrics"]] == [m["name"] for m in expected["metrics"]]
    assert _values(board["rows"]) == _values(expected["rows"])
    won = [r["values"]["revenue_won"]["value"] or 0 for r in board["rows"]]
    assert board["ranked_by"] == "revenue_won" and won == sorted(won, reverse=True)
    assert [r["rank"] for r in board["rows"]] == list(range(1, len(members) + 1))


def test_an_administrators_leaderboard_holds_every_rep(
    web: tuple[Path, FastAPI], pages: dict[str, dict[str, Any]]
) -> None:
    with Store.open(web[0]) as s:
        expected = scorecard(s, by="rep", period=PERIOD).to_json()
    board = pages[ADMIN]["leaderboard"]
    assert _values(board["rows"]) == _values(expected["rows"])
    assert len(board["rows"]) == 12


def test_a_reps_leaderboard_holds_only_themself(pages: dict[str, dict[str, Any]]) -> None:
    board = pages[REP]["leaderboard"]
    assert [r["key"] for r in board["rows"]] == [REP_ID]
    for moved in pages[REP]["movers"]["metrics"]:
        assert {r["key"] for r in moved["rows"]} <= {REP_ID}


def test_each_rep_has_the_quadrant_pages_label_and_their_weekly_activity(
    web: tuple[Path, FastAPI], pages: dict[str, dict[str, Any]]
) -> None:
    client, _ = client_for(web[1], MANAGER)
    quadrant = client.get("/api/quadrant", params={"as_of": AS_OF}).json()["diagnosis"]
    labels = {r["rep_id"]: r["label"] for r in quadrant["reps"]}
    board = pages[MANAGER]["leaderboard"]
    shown = {r["key"]: r["quadrant"]["label"] for r in board["rows"] if r["quadrant"]}
    assert shown and shown == {k: v for k, v in labels.items() if k in shown}
    with Store.open(web[0]) as s:
        weekly = scorecard(s, by="rep", grain="week", period=PERIOD, metrics=("activities",),
                           reps=_subtree_reps(s, "T02")).to_json()  # fmt: skip
    for r in board["rows"]:
        weeks = sorted((w["period_start"], w["values"]["activities"]["value"])
                       for w in weekly["rows"] if w["key"] == r["key"])  # fmt: skip
        assert r["spark"]["values"] == [v for _, v in weeks]
    assert max(len(r["spark"]["values"]) for r in board["rows"]) >= 13  # the weeks of Q3


def test_quota_progress_against_hand_computed_figures(
    web: tuple[Path, FastAPI], pages: dict[str, dict[str, Any]]
) -> None:
    progress = pages[ADMIN]["progress"]["progress"]
    with Store.open(web[0]) as s:
        whole = scorecard(s, by="org", period=PERIOD, metrics=("revenue_won",)).rows[0]
        so_far = scorecard(s, by="org", period="2026-07-01..2026-08-14", metrics=("revenue_won",))
    target = whole.cells["revenue_won"].target
    closed = so_far.rows[0].cells["revenue_won"].value
    assert target and closed
    # Q3 2026 has 66 working days (23 + 21 + 22); 1 July to 14 August holds 33 (23 + 10)
    assert progress["period"]["label"] == PERIOD and progress["day"] == AS_OF
    assert progress["share"] == 0.5
    assert progress["target"] == target and progress["closed"] == closed
    assert progress["pace"] == pytest.approx(target / 2)
    assert progress["attainment"] == pytest.approx(closed / target)
    assert progress["gap"] == pytest.approx(closed - target / 2)
    low, mid, high = (progress[k] for k in ("projected_low", "projected", "projected_high"))
    assert closed <= low <= mid <= high
    assert progress["projected_attainment"] == pytest.approx(mid / target)
    assert "analysis.forecast" in progress["sources"]["projected"]
    client, _ = client_for(web[1], ADMIN)
    fc = client.get("/api/forecast", params={"period": PERIOD, "as_of": AS_OF}).json()["forecast"]
    assert (fc["closed"], fc["revenue"]["p50"]) == (closed, mid)


def test_a_manager_sees_their_teams_progress(pages: dict[str, dict[str, Any]]) -> None:
    progress = pages[MANAGER]["progress"]["progress"]
    assert progress["scope"] == {"kind": "team", "id": "T02", "name": "DACH"}


def test_the_weeks_movers_are_the_scorecards_largest_changes(
    web: tuple[Path, FastAPI], pages: dict[str, dict[str, Any]]
) -> None:
    movers = pages[ADMIN]["movers"]
    assert movers["period"]["label"] == "2026-W32"  # the last full week before 15 August
    with Store.open(web[0]) as s:
        week = scorecard(s, by="rep", period="2026-W32", metrics=("revenue_won",)).to_json()
    changes = sorted(
        ((abs(r["values"]["revenue_won"]["change"]), r["key"]) for r in week["rows"]
         if r["values"]["revenue_won"]["change"]),
        reverse=True,
    )  # fmt: skip
    won = next(m for m in movers["metrics"] if m["metric"]["name"] == "revenue_won")
    assert [abs(r["change"]) for r in won["rows"]] == [c for c, _ in changes[:5]]


def test_attainment_is_the_same_on_the_overview_and_the_teams_page(
    web: tuple[Path, FastAPI], pages: dict[str, dict[str, Any]]
) -> None:
    client, _ = client_for(web[1], ADMIN)
    teams = client.get("/api/teams", params=ASKED).json()["scorecard"]
    org = pages[ADMIN]["kpis"]["rows"][0]["values"]["quota_attainment"]["value"]
    assert teams["rows"][0]["key"] == "org" and teams["rows"][0]["level"] == "org"
    assert teams["rows"][0]["values"]["quota_attainment"]["value"] == org
    manager, _ = client_for(web[1], MANAGER)
    own = manager.get("/api/teams", params=ASKED).json()["scorecard"]["rows"]
    assert own[0]["key"] == "T02"  # a manager has no organisation row: their top team first
    mine = pages[MANAGER]["kpis"]["rows"][0]
    assert mine["key"] == "T02"
    assert (
        mine["values"]["quota_attainment"]["value"] == own[0]["values"]["quota_attainment"]["value"]
    )


def test_an_organisation_of_several_top_teams_shows_its_attainment_on_the_teams_page(
    tmp_path: Path,
) -> None:
    # two teams at the top and no team for the whole organisation: the organisation's target is
    # its top teams' (6,000 + 4,000), its attainment 8,000 / 10,000, which no team row shows
    store = imported_store(tmp_path, {
        "teams": "team_id,name,parent_team_id\nT1,North,\nT2,South,\nT2a,South A,T2\n",
        "reps": "rep_id,name,team_id\nR1,Ann,T1\nR2,Bob,T2a\n",
        "deals": "deal_id,rep_id,created_at,status,amount,closed_at\n"
                 "D1,R1,2026-07-02,won,6000,2026-08-10\nD2,R2,2026-07-03,won,2000,2026-08-20\n",
        "targets": "scope,scope_id,metric,period_start,period_end,value\n"
                   "team,T1,revenue_won,2026-07-01,2026-09-30,6000\n"
                   "team,T2,revenue_won,2026-07-01,2026-09-30,4000\n",
    })  # fmt: skip
    add_user(store, "boss", "a-long-password", "admin", hasher=password_hasher(cheap=True))
    store.close()
    client = TestClient(app_for(tmp_path / "store.duckdb"))
    sign_in(client, "boss", "a-long-password")
    overview = client.get("/api/overview", params={"period": PERIOD}).json()
    teams = client.get("/api/teams", params={"period": PERIOD}).json()
    rows = teams["scorecard"]["rows"]
    assert overview["kpis"]["rows"][0]["values"]["quota_attainment"]["value"] == 0.8
    assert rows[0]["key"] == "org" and rows[0]["values"]["quota_attainment"]["value"] == 0.8
    assert [(r["key"], r["values"]["quota_attainment"]["value"]) for r in rows[1:]] == [
        ("T1", 1.0), ("T2", 0.5), ("T2a", None)
    ]  # fmt: skip
    assert [(t["team_id"], t["depth"]) for t in teams["teams"]] == [
        ("T1", 0),
        ("T2", 0),
        ("T2a", 1),
    ]
    html = client.get("/teams", params={"period": PERIOD}).text
    assert '<tr data-key="org">' in html
    # under the organisation's row, the top teams one step in and South A two
    for key, depth in (("T1", 1), ("T2", 1), ("T2a", 2)):
        assert (
            f'<tr data-key="{key}">\n      <th scope="row" class="depth" style="--depth: {depth}"'
            in html
        )
    assert fmt.metric(0.8, "ratio", "en") in html.split('<tr data-key="org">')[1].split("</tr>")[0]


def test_the_pages_show_the_leaderboard_and_keep_the_period(web: tuple[Path, FastAPI]) -> None:
    client, _ = client_for(web[1], MANAGER)
    html = client.get("/", params=ASKED).text
    assert 'id="leaderboard"' in html and 'table class="scorecard leaderboard sortable"' in html
    assert f'href="/reps/R009?period={PERIOD}"' in html
    assert "<polyline points=" in html
    assert "Progress to target" in html and "Leaderboard" in html
    dutch = client.get("/", params=ASKED, headers={"accept-language": "nl"})
    assert "Voortgang naar het doel" in dutch.text or "Progress to target" in dutch.text
    teams = client.get("/teams", params=ASKED).text
    assert 'data-depth="1"' in teams and f'href="/teams/T04?period={PERIOD}"' in teams
    team = client.get("/teams/T02", params=ASKED).text
    assert 'class="health sortable"' in team and "under target" in team


def test_teams_in_tree_order_with_their_depth() -> None:
    teams = [
        {"team_id": "A", "parent_team_id": None},
        {"team_id": "A1", "parent_team_id": "A"},
        {"team_id": "A1x", "parent_team_id": "A1"},
        {"team_id": "A2", "parent_team_id": "A"},
        {"team_id": "B", "parent_team_id": None},
    ]
    assert [(t["team_id"], t["depth"]) for t in tree(teams)] == [
        ("A", 0), ("A1", 1), ("A1x", 2), ("A2", 1), ("B", 0)
    ]  # fmt: skip
    assert [(t["team_id"], t["depth"]) for t in tree(teams, "A1")] == [("A1", 0), ("A1x", 1)]


def test_the_pace_share_and_the_sparkline() -> None:
    q3 = parse_period("2026-Q3")
    assert elapsed_share(q3, q3.start) == 0.0
    assert elapsed_share(q3, q3.end) == 1.0
    assert elapsed_share(q3, parse_period("2026-08").start) == 23 / 66
    assert sparkline([1.0, 3.0, 2.0]) == "0.0,23.0 50.0,1.0 100.0,12.0"
    assert sparkline([5.0, None, 5.0]) == "0.0,12.0 100.0,12.0"
    assert sparkline([4.0]) == ""
