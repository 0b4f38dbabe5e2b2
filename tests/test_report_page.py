"""The weekly report as a page and its JSON twin, scoped to the viewer: a manager sees the
report of their own teams only, a rep none; on the 12-rep demo organisation of the web tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.store import Store
from webtools import ADMIN, MANAGER, REP, app_for, build_web_store, client_for

pytestmark = pytest.mark.slow
WEEK = "2026-W39"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An app on the web store and a client per role; DACH's (T02) report as its manager gets it."""
    path = build_web_store(tmp_path_factory.mktemp("report-page") / "store.duckdb")
    app = app_for(path)
    clients = {u: client_for(app, u)[0] for u in (ADMIN, MANAGER, REP)}
    with Store.open(path) as s:
        reps = s.table("reps").select("rep_id", "name", "team_id").to_pandas()
    r = clients[MANAGER].get("/api/report", params={"team": "T02", "week": WEEK})
    assert r.status_code == 200, r.text
    yield {"clients": clients, "reps": reps, "dach": r.json(), "path": path}
    for c in clients.values():
        c.close()


def test_a_manager_gets_their_teams_report(web: dict[str, Any]) -> None:
    data = web["dach"]
    assert data["team"] == "T02" and data["week"] == WEEK
    report = data["report"]
    assert [t["team_id"] for t in report["teams"]] == ["T02", "T04"]
    inside = web["reps"][web["reps"].team_id.isin(["T02", "T04"])]
    assert set(report["reps"]) == set(inside.rep_id)
    assert {x["rep_id"] for x in report["leaders"]} <= set(inside.rep_id)
    assert data["words"]["title"] == "Weekly report: DACH, Week 39 2026"


def test_nothing_outside_the_managers_scope(web: dict[str, Any]) -> None:
    text = str(web["dach"])
    outside = web["reps"][~web["reps"].team_id.isin(["T02", "T04"])]
    for rep_id, name in zip(outside.rep_id, outside.name, strict=True):
        assert f"'{rep_id}'" not in text and name not in text
    assert "Benelux" not in text


def test_the_page_is_the_self_contained_document(web: dict[str, Any]) -> None:
    manager: TestClient = web["clients"][MANAGER]
    r = manager.get("/report", params={"team": "T02", "week": WEEK})
    assert r.status_code == 200
    assert "<h1>Weekly report: DACH, Week 39 2026</h1>" in r.text
    assert "<script" not in r.text.lower()
    manager.cookies.set("salesperf_lang", "nl")
    nl = manager.get("/report", params={"team": "T02", "week": WEEK})
    manager.cookies.delete("salesperf_lang")
    assert '<html lang="nl">' in nl.text and "<h1>Weekrapport: DACH, week 39 2026</h1>" in nl.text


def test_the_default_is_the_managers_team_and_the_last_full_week(web: dict[str, Any]) -> None:
    # the demo's data end on 30 September 2026: the last full week is week 39
    r = web["clients"][MANAGER].get("/api/report")
    assert r.status_code == 200
    assert (r.json()["team"], r.json()["week"]) == ("T02", WEEK)


@pytest.mark.parametrize(
    ("who", "params", "status", "said"),
    [
        (MANAGER, {"team": "T01"}, 403, "T01"),
        (MANAGER, {"team": "T00"}, 403, "T00"),
        (REP, {}, 403, "managers"),
        (REP, {"team": "T03"}, 403, "managers"),
        (ADMIN, {"team": "T99"}, 404, "no team"),
        (MANAGER, {"team": "T02", "week": "2026-Q3"}, 422, "not an ISO week"),
        (MANAGER, {"team": "T02", "week": "2026-W77"}, 422, "2026-W77"),
    ],
)
def test_refused(web: dict[str, Any], who: str, params: dict[str, str], status: int,
                 said: str) -> None:  # fmt: skip
    r = web["clients"][who].get("/api/report", params=params)
    assert r.status_code == status, r.text
    assert said in r.text
