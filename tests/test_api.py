"""The JSON API and the pages' data, through HTTP: the numbers equal the library's on the same
store, bad input is a clear 4xx (never a 500), imports and batches go through the importer."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from salesperf.auth.tokens import create_token
from salesperf.auth.users import add_user, password_hasher
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import negotiate
from salesperf.metrics.compiler import run
from salesperf.metrics.query import By, Query
from salesperf.scorecard import scorecard
from salesperf.server.deps import View
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
)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One store and app for the module, with a client per role and the store for checks."""
    path = build_web_store(tmp_path_factory.mktemp("api") / "store.duckdb")
    app = app_for(path)
    clients = {name: client_for(app, name) for name in (ADMIN, MANAGER, REP)}
    store = Store.open(path)
    yield {"app": app, "store": store, "clients": clients, "path": path}
    store.close()


def _json(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


def _reps_of(store: Store, teams: set[str]) -> set[str]:
    reps = store.table("reps").to_pandas()
    return set(reps.rep_id[reps.team_id.isin(teams)])


# -- the scorecard -------------------------------------------------------------------------
@pytest.mark.slow
def test_the_scorecard_route_gives_the_librarys_json(web: dict[str, Any]) -> None:
    admin = web["clients"][ADMIN][0]
    r = admin.get("/api/scorecard", params={"by": "team", "period": PERIOD})
    assert r.status_code == 200
    expected = scorecard(web["store"], by="team", period=PERIOD).to_json()
    assert _card(r.json()) == _json(expected)
    assert r.json()["rows"][0]["values"]["revenue_won"]["value"] > 0
    # and the day the default period is counted from: the data reach the day before today
    assert r.json()["as_of"] == {"day": "2026-10-01", "today": "2026-10-01",
                                 "data_end": "2026-09-30", "moved": False, "chosen": False}  # fmt: skip


def _card(got: dict[str, Any]) -> dict[str, Any]:
    """The scorecard route's answer without what the library's JSON has not: its `as_of`, and
    the comparisons and data-quality findings the route adds (tests/test_kpi_compare.py)."""
    assert set(got["as_of"]) == {"day", "today", "data_end", "moved", "chosen"}
    out = {k: v for k, v in got.items() if k not in ("as_of", "compare")}
    out["metrics"] = [{k: v for k, v in m.items() if k != "higher_is_better"}
                      for m in got["metrics"]]  # fmt: skip
    for row in out["rows"]:  # (a split or a grain other than all has no comparisons)
        for cell in row["values"].values():
            cell.pop("compare", None), cell.pop("quality", None)
    return out


@pytest.mark.slow
def test_a_managers_scorecard_holds_their_reps_only_with_the_same_numbers(
    web: dict[str, Any],
) -> None:
    manager = web["clients"][MANAGER][0]
    params = {"by": "rep", "period": PERIOD, "metrics": "activities,revenue_won,win_rate"}
    got = manager.get("/api/scorecard", params=params).json()
    theirs = _reps_of(web["store"], {"T02", "T04"})
    assert {r["key"] for r in got["rows"]} <= theirs and len(got["rows"]) >= 4
    expected = scorecard(
        web["store"], by="rep", period=PERIOD, metrics=("activities", "revenue_won", "win_rate"),
        reps=frozenset(theirs),
    ).to_json()  # fmt: skip
    assert _card(got) == _json(expected)


@pytest.mark.slow
def test_scorecard_filters_and_splits_work_as_on_the_command_line(web: dict[str, Any]) -> None:
    admin = web["clients"][ADMIN][0]
    r = admin.get(
        "/api/scorecard",
        params={"by": "org", "period": PERIOD, "metrics": "activities", "split": "type"},
    )
    expected = scorecard(
        web["store"], by="org", period=PERIOD, metrics=("activities",), split="type"
    ).to_json()
    assert _card(r.json()) == _json(expected)
    r = admin.get(
        "/api/scorecard",
        params={"by": "org", "period": PERIOD, "metrics": "revenue_won",
                "filter": ["kind=new_business"]},
    )  # fmt: skip
    expected = scorecard(
        web["store"], by="org", period=PERIOD, metrics=("revenue_won",),
        filters=(("kind", "new_business"),),
    ).to_json()  # fmt: skip
    assert _card(r.json()) == _json(expected)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"metrics": "revenue_wonn"}, "unknown or non-scorecard metric"),
        ({"period": "2026-Q9"}, "is not a window"),
        ({"by": "planet"}, "by"),
        ({"grain": "fortnight"}, "grain"),
        ({"filter": "kind"}, "DIMENSION=VALUE"),
        ({"split": "colour"}, "split"),
        ({"metrics": "stage_conversion"}, "needs a pair of stages"),
    ],
)
def test_bad_scorecard_options_are_422_with_a_clear_message(
    web: dict[str, Any], params: dict[str, str], words: str
) -> None:
    r = web["clients"][ADMIN][0].get("/api/scorecard", params=params)
    assert r.status_code == 422, r.text
    assert words in r.json()["error"]


def test_organisation_figures_are_refused_to_a_manager_and_team_figures_to_a_rep(
    web: dict[str, Any],
) -> None:
    r = web["clients"][MANAGER][0].get("/api/scorecard", params={"by": "org"})
    assert r.status_code == 403 and "whole organisation" in r.json()["error"]
    r = web["clients"][REP][0].get("/api/scorecard", params={"by": "team"})
    assert r.status_code == 403 and "by=rep" in r.json()["error"]


# -- metric queries and the registry ---------------------------------------------------------
def test_a_metric_query_gives_the_metric_layers_rows(web: dict[str, Any]) -> None:
    body = {
        "metrics": ["activities", "win_rate"], "start": "2026-07-01", "end": "2026-10-01",
        "grain": "month", "by": "team",
    }  # fmt: skip
    r = web["clients"][ADMIN][0].post("/api/query", json=body)
    assert r.status_code == 200, r.text
    q = Query(("activities", "win_rate"), date(2026, 7, 1), date(2026, 10, 1), by=By.TEAM)
    df = run(web["store"].con, q, web["store"].settings.timezone)
    got = {(x["team_id"], x["period_start"]): x["activities"] for x in r.json()["rows"]}
    want = {
        (t, p.isoformat()): int(a)
        for t, p, a in zip(df.team_id, df.period_start, df.activities, strict=True)
    }
    assert got == want and len(got) == 15  # 5 teams x 3 months


def test_a_reps_query_is_narrowed_to_themself(web: dict[str, Any]) -> None:
    body = {"metrics": ["activities"], "start": "2026-07-01", "end": "2026-10-01", "by": "rep"}
    rows = web["clients"][REP][0].post("/api/query", json=body).json()["rows"]
    assert {x["rep_id"] for x in rows} == {REP_ID}
    body["reps"] = ["R003", REP_ID]  # asking for someone else gives nothing of theirs
    rows = web["clients"][REP][0].post("/api/query", json=body).json()["rows"]
    assert {x["rep_id"] for x in rows} == {REP_ID}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"metrics": ["nope"], "start": "2026-07-01", "end": "2026-10-01"}, "unknown"),
        ({"metrics": ["activities"], "start": "2026-10-01", "end": "2026-07-01"}, "empty"),
        ({"metrics": [], "start": "2026-07-01", "end": "2026-10-01"}, "metrics"),
        ({"metrics": ["activities"], "start": "July", "end": "2026-10-01"}, "start"),
        ({"metrics": ["activities"], "start": "2026-07-01", "end": "2026-10-01", "x": 1}, "x"),
    ],
)
def test_bad_queries_are_422(web: dict[str, Any], body: dict[str, Any], words: str) -> None:
    r = web["clients"][ADMIN][0].post("/api/query", json=body)
    assert r.status_code == 422, r.text
    assert words in r.json()["error"]


def test_the_metric_registry_is_listed_in_both_languages(web: dict[str, Any]) -> None:
    from salesperf.metrics.registry import METRICS

    got = {m["name"]: m for m in web["clients"][REP][0].get("/api/metrics").json()}
    assert set(got) == set(METRICS)
    assert got["win_rate"]["label_nl"] == "Winratio" and got["win_rate"]["scorecard"]


def test_unknown_paths_and_missing_sign_in_answer_in_json(web: dict[str, Any]) -> None:
    assert web["clients"][ADMIN][0].get("/api/nothing").status_code == 404
    anonymous = TestClient(web["app"])
    r = anonymous.get("/api/scorecard")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = anonymous.get("/teams", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/teams"


# -- pages' data -------------------------------------------------------------------------
@pytest.mark.slow
def test_the_overview_shows_the_organisation_against_target_and_last_quarter(
    web: dict[str, Any],
) -> None:
    data = web["clients"][ADMIN][0].get("/api/overview").json()
    assert data["period"]["label"] == PERIOD and data["by"] == "org"
    kpis = data["kpis"]["rows"][0]["values"]
    card = scorecard(web["store"], by="org", period=PERIOD, metrics=("revenue_won", "activities"))
    org = card.rows[0].cells
    assert kpis["revenue_won"]["value"] == org["revenue_won"].value
    assert kpis["revenue_won"]["previous"] == org["revenue_won"].previous
    assert kpis["activities"]["value"] == org["activities"].value
    assert len(data["trend"]["rows"]) == 12  # a year of months
    assert (
        data["trend"]["rows"][-1]["values"]["activities"]["value"]
        == scorecard(web["store"], by="org", period="2026-09", metrics=("activities",))
        .rows[0]
        .cells["activities"]
        .value
    )


@pytest.mark.slow
def test_a_managers_overview_is_their_team(web: dict[str, Any]) -> None:
    data = web["clients"][MANAGER][0].get("/api/overview").json()
    assert data["by"] == "team" and [r["key"] for r in data["kpis"]["rows"]] == ["T02"]
    assert {t["team_id"] for t in data["teams"]} == {"T02", "T04"}


@pytest.mark.slow
def test_team_and_rep_pages_data_match_the_scorecard(web: dict[str, Any]) -> None:
    manager = web["clients"][MANAGER][0]
    data = manager.get("/api/teams/T04").json()
    members = _reps_of(web["store"], {"T04"})
    assert {r["key"] for r in data["reps"]["rows"]} <= members
    card = scorecard(web["store"], by="rep", period=PERIOD, reps=frozenset(members))
    assert data["reps"] == _json(card.to_json())
    assert manager.get("/api/teams/T03").status_code == 403
    assert web["clients"][ADMIN][0].get("/api/teams/T99").status_code == 404
    rep = web["clients"][REP][0]
    data = rep.get(f"/api/reps/{REP_ID}").json()
    assert data["rep"]["rep_id"] == REP_ID
    mix = scorecard(
        web["store"], by="rep", period=PERIOD, split="type", metrics=("activities",),
        reps=frozenset({REP_ID}),
    )  # fmt: skip
    assert data["mix"] == _json(mix.to_json())
    assert rep.get("/api/reps/R003").status_code == 403


def test_pages_render_in_the_language_asked_for(web: dict[str, Any]) -> None:
    client = TestClient(web["app"])
    assert "Gebruikersnaam" in client.get("/login", headers={"accept-language": "nl"}).text
    assert "Username" in client.get("/login", headers={"accept-language": "en-GB"}).text
    assert negotiate("de-DE,nl;q=0.8,en;q=0.5").value == "nl"
    assert negotiate("fr").value == "en"


def test_dutch_numbers_and_dates() -> None:
    assert fmt.number(1234.56, "nl", 2) == "1.234,56"
    assert fmt.number(1234.56, "en", 2) == "1,234.56"
    assert fmt.date(date(2026, 7, 1), "nl") == "01-07-2026"
    assert fmt.date(date(2026, 7, 1), "en") == "2026-07-01"
    assert fmt.metric(0.2534, "ratio", "nl") == "25,3%"
    assert fmt.metric(12345.6, "money", "nl") == "€\xa012.346"
    assert fmt.metric(None, "money", "nl") == "—"


# -- imports and batches -------------------------------------------------------------------
ACTIVITIES = (
    "activity_id,rep_id,type,occurred_at,outcome\n"
    "X1,R002,call,2026-09-01T10:00:00,connected\n"
    "X2,R002,call,2026-09-01T11:00:00,warp_speed\n"
    "X3,R003,email,2026-09-02T09:00:00,sent\n"
)


X2_AS_GIVEN = ["X2", "R002", "call", "2026-09-01T11:00:00", "warp_speed"]


def _count(store: Store, table: str, where: str = "") -> int:
    return int(store._exec(f"SELECT count(*) FROM {table} {where}")[0][0])


def test_an_upload_is_imported_with_its_bad_row_listed_and_kept(web: dict[str, Any]) -> None:
    admin, csrf = web["clients"][ADMIN]
    before = _count(web["store"], "activities")
    r = admin.post(
        "/api/import/activities",
        files={"file": ("acts.csv", ACTIVITIES.encode(), "text/csv")},
        headers={"x-csrf-token": csrf or ""},
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["rows_read"], got["inserted"], got["rejected"]) == (3, 2, 1)
    assert got["problems"][0]["line"] == 3 and got["problems"][0]["column"] == "outcome"
    assert _count(web["store"], "activities") == before + 2
    rejected = admin.get(got["rejects_url"])
    assert rejected.status_code == 200
    # as the importer's rejects file: the line, its problems, the row as given
    lines = list(csv.reader(io.StringIO(rejected.text)))
    assert lines[0] == ["line", "problems", "activity_id", "rep_id", "type", "occurred_at",
                        "outcome"]  # fmt: skip
    assert lines[1][0] == "3" and lines[1][2:] == X2_AS_GIVEN
    assert lines[1][1].startswith("outcome: 'warp_speed' is not a known outcome")
    assert len(lines) == 2  # X1 and X3 were accepted
    # a Dutch-speaking administrator gets it in Dutch
    switch = {"csrf_token": csrf or "", "next": "/import"}
    assert (
        admin.post("/lang", data={**switch, "lang": "nl"}, follow_redirects=False).status_code
        == 303
    )
    try:
        dutch = list(csv.reader(io.StringIO(admin.get(got["rejects_url"]).text)))
    finally:
        admin.post("/lang", data={**switch, "lang": "en"}, follow_redirects=False)
    assert dutch[0][:2] == ["regel", "problemen"] and dutch[1][2:] == X2_AS_GIVEN
    assert dutch[1][1].startswith("outcome: de waarde 'warp_speed' staat niet in de woordenlijst")


def test_imports_are_for_administrators_and_write_tokens(web: dict[str, Any]) -> None:
    manager, csrf = web["clients"][MANAGER]
    files = {"file": ("acts.csv", ACTIVITIES.encode(), "text/csv")}
    r = manager.post("/api/import/activities", files=files, headers={"x-csrf-token": csrf or ""})
    assert r.status_code == 403 and "administrator" in r.json()["error"]
    _, read_token = create_token(web["store"], ADMIN, "read")
    r = TestClient(web["app"]).post(
        "/api/import/activities", files=files, headers={"authorization": f"Bearer {read_token}"}
    )
    assert r.status_code == 403 and "only read" in r.json()["error"]
    r = web["clients"][ADMIN][0].post(
        "/api/import/planets", files=files, headers={"x-csrf-token": web["clients"][ADMIN][1]}
    )
    assert r.status_code == 422 and "there is no table 'planets'" in r.json()["error"]


@pytest.mark.slow
def test_a_batch_is_upserted_by_id_and_posting_it_again_changes_nothing(
    web: dict[str, Any],
) -> None:
    _, token = create_token(web["store"], ADMIN, "write")
    api = TestClient(web["app"], headers={"authorization": f"Bearer {token}"})
    rows = [
        {"activity_id": "B1", "rep_id": "R004", "type": "demo",
         "occurred_at": "2026-09-03T10:00:00", "outcome": "held", "duration_min": 45},
        {"activity_id": "B2", "rep_id": "R004", "type": "call",
         "occurred_at": "2026-09-03T11:00:00", "outcome": None},
    ]  # fmt: skip
    r = api.post("/api/activities", json=rows)
    assert r.status_code == 200, r.text
    assert (r.json()["inserted"], r.json()["unchanged"]) == (2, 0)
    r = api.post("/api/activities", json=rows)
    assert (r.json()["inserted"], r.json()["unchanged"]) == (0, 2)
    stored = web["store"]._exec("SELECT duration_min FROM activities WHERE activity_id = 'B1'")
    assert stored == [(45.0,)]


def test_a_batch_with_a_bad_row_writes_nothing_and_says_which_row(web: dict[str, Any]) -> None:
    _, token = create_token(web["store"], ADMIN, "write")
    api = TestClient(web["app"], headers={"authorization": f"Bearer {token}"})
    before = _count(web["store"], "deals")
    rows = [
        {"deal_id": "ND1", "rep_id": "R005", "created_at": "2026-08-01", "status": "open",
         "amount": 1000},
        {"deal_id": "ND2", "rep_id": "R005", "created_at": "2026-08-01", "status": "won",
         "amount": 2000},  # won without closed_at
        {"deal_id": "ND3", "rep_id": "R005", "created_at": "2026-08-01", "status": "open",
         "amount": -5},
    ]  # fmt: skip
    r = api.post("/api/deals", json=rows)
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert {(p["row"], p["id"]) for p in problems} == {(1, "ND2"), (2, "ND3")}
    assert "nothing was written" in r.json()["error"]
    assert _count(web["store"], "deals") == before
    r = api.post("/api/deals", json=rows[:1])
    assert r.status_code == 200 and r.json()["inserted"] == 1


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([], "empty"),
        ([{"activity_id": "Q", "planet": "mars"}], "no field 'planet'"),
        ([{"activity_id": "Q", "rep_id": "R002", "type": "call", "occurred_at": ["x"]}], "plain"),
        ({"activity_id": "Q"}, "list"),
    ],
)
def test_malformed_batches_are_422(web: dict[str, Any], rows: Any, words: str) -> None:
    admin, csrf = web["clients"][ADMIN]
    r = admin.post("/api/activities", json=rows, headers={"x-csrf-token": csrf or ""})
    assert r.status_code == 422, r.text
    assert words in r.text


def test_a_rep_writes_only_their_own_activities(web: dict[str, Any]) -> None:
    rep, csrf = web["clients"][REP]
    headers = {"x-csrf-token": csrf or ""}
    mine = {"activity_id": "M1", "rep_id": REP_ID, "type": "call",
            "occurred_at": "2026-09-04T09:00:00"}  # fmt: skip
    assert rep.post("/api/activities", json=[mine], headers=headers).status_code == 200
    theirs = {**mine, "activity_id": "M2", "rep_id": "R003"}
    r = rep.post("/api/activities", json=[theirs], headers=headers)
    assert r.status_code == 403 and "outside your view" in r.json()["error"]
    # an existing activity of another rep cannot be taken over by naming oneself
    other = web["store"]._exec("SELECT activity_id FROM activities WHERE rep_id = 'R003' LIMIT 1")
    steal = {**mine, "activity_id": other[0][0]}
    r = rep.post("/api/activities", json=[steal], headers=headers)
    assert r.status_code == 403 and "belong to reps outside your view" in r.json()["error"]


# -- exports -------------------------------------------------------------------------------
def test_a_reps_table_export_holds_their_rows_only(web: dict[str, Any]) -> None:
    rep = web["clients"][REP][0]
    params = {"format": "csv", "period": "2026-09", "headers": "canonical"}
    r = rep.get("/export/activities", params=params)
    assert r.status_code == 200
    df = pd.read_csv(io.StringIO(r.text))
    assert set(df.rep_id) == {REP_ID}
    expected = _count(
        web["store"], "activities",
        f"WHERE rep_id = '{REP_ID}' AND occurred_at >= '2026-09-01' AND occurred_at < '2026-10-01'",
    )  # fmt: skip
    assert len(df) == expected > 0
    r = rep.get("/export/targets", params={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    ids = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ids == {REP_ID}


@pytest.mark.slow
def test_the_scorecard_export_is_the_scorecards_table(web: dict[str, Any]) -> None:
    manager = web["clients"][MANAGER][0]
    params = {"by": "team", "period": PERIOD, "headers": "canonical"}
    r = manager.get("/export/scorecard", params=params)
    got = pd.read_csv(io.StringIO(r.text))
    card = scorecard(
        web["store"], by="team", period=PERIOD,
        reps=frozenset(_reps_of(web["store"], {"T02", "T04"})), teams=frozenset({"T02", "T04"}),
    )  # fmt: skip
    want = pd.read_csv(io.StringIO(card.to_frame().to_csv(index=False)))
    pd.testing.assert_frame_equal(got, want)
    assert manager.get("/export/scorecard", params={"format": "pdf"}).status_code == 422


def test_log_an_activity_form_saves_through_the_batch_rules(
    web: dict[str, Any], tmp_path: Path
) -> None:
    rep, csrf = web["clients"][REP]
    form = {"csrf_token": csrf, "rep_id": REP_ID, "type": "meeting",
            "occurred_at": "2026-09-10T14:30", "outcome": "held", "duration_min": "30"}  # fmt: skip
    r = rep.post("/activities/new", data=form, follow_redirects=False)
    assert r.status_code == 303 and "saved=web-" in r.headers["location"]
    saved = r.headers["location"].split("saved=")[1]
    # 14:30 in Amsterdam (summer time) is 12:30 UTC
    row = web["store"]._exec(
        f"SELECT rep_id, type, occurred_at FROM activities WHERE activity_id = '{saved}'"
    )
    assert row[0][:2] == (REP_ID, "meeting") and row[0][2].hour == 12
    r = rep.post("/activities/new", data={**form, "type": "teleport"})
    assert r.status_code == 422 and "teleport" in r.text


@pytest.mark.slow
def test_a_new_page_is_a_data_function_a_template_and_one_declaration(
    web: dict[str, Any],
) -> None:
    from fastapi import APIRouter

    from salesperf.server.pages import data
    from salesperf.server.pages.registry import Page, add_page

    def league(view: View, period: str | None = None) -> dict[str, Any]:
        """Every visible team, ranked."""
        return data.teams(view, period)

    app = app_for(web["path"])
    router = APIRouter()
    add_page(router, Page("league", "/league", league, "teams.html"))
    app.include_router(router)
    client, _ = client_for(app, MANAGER)
    page = client.get("/league", params={"period": "2026-Q2"})
    assert page.status_code == 200 and 'data-key="T04"' in page.text
    twin = client.get("/api/league", params={"period": "2026-Q2"}).json()
    assert twin == client.get("/api/teams", params={"period": "2026-Q2"}).json()
    params = app.openapi()["paths"]["/api/league"]["get"]["parameters"]
    # its own parameters, and the day it judges as of (every page that judges "now" takes it)
    assert [p["name"] for p in params] == ["period", "as_of"]


@pytest.mark.slow
def test_the_api_reference_and_the_pages_refer_to_nothing_outside(web: dict[str, Any]) -> None:
    import re

    admin = web["clients"][ADMIN][0]
    docs = admin.get("/docs").text
    assert "GET /api/scorecard" in docs and "POST /api/activities" in docs
    for path in ("/docs", "/login", "/exports", "/import", "/activities/new"):
        html = admin.get(path).text
        assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", html), path
    csp = admin.get("/exports").headers["content-security-policy"]
    assert "default-src 'self'" in csp


@pytest.mark.slow
def test_work_beyond_the_memory_budget_is_a_503_that_says_what_to_do(
    org: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(org, "boss", "a-long-password", "admin", hasher=password_hasher(cheap=True))
    _, token = create_token(org, "boss", "read")
    assert org.path is not None
    org.close()
    monkeypatch.setenv("SALESPERF_MEMORY_LIMIT", "2MB")  # the server's stores open with it
    client = TestClient(app_for(org.path), headers={"authorization": f"Bearer {token}"})
    r = client.get("/api/scorecard", params={"by": "team", "period": "2025-03"})
    assert r.status_code == 503, r.text
    assert "needed more memory than the engine's budget (2MB)" in r.json()["error"]
    assert "SALESPERF_MEMORY_LIMIT=4GB" in r.json()["error"]
