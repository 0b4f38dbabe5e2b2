"""The server on PostgreSQL and Spark: the same pages, JSON and access as on DuckDB.

The 12-rep web demo is copied to each engine (with its users); the app serving the copy answers
the dashboard's JSON routes as the app serving the DuckDB file does, figure for figure, keeps a
manager inside their team, and takes a batch of activities through the API.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.auth.tokens import create_token
from salesperf.auth.users import add_demo_users, password_hasher
from salesperf.server.app import create_app
from salesperf.store import Store
from test_engines import _json_differences
from webtools import ADMIN, MANAGER, PASSWORD, PERIOD, build_web_store, client_for, settings

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")

#: the JSON routes compared, with their parameters (each is one page's data, or the scorecard)
ROUTES: tuple[tuple[str, dict[str, str]], ...] = (
    ("/api/overview", {}),
    ("/api/scorecard", {"by": "team", "period": PERIOD, "grain": "month"}),
    ("/api/teams", {}),
    ("/api/quadrant", {"window": PERIOD}),
    ("/api/funnel", {"window": PERIOD}),
    ("/api/plan", {"target": "90000", "rep": "R002"}),
    ("/api/forecast", {"period": PERIOD, "as_of": "2026-08-15"}),
)


_copies = itertools.count()


@pytest.fixture(scope="module")
def web_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_store(tmp_path_factory.mktemp("web") / "web.duckdb")


@pytest.fixture(scope="module")
def duckdb_answers(web_file: Path) -> dict[str, Any]:
    """What the app on the DuckDB file answers, as the administrator."""
    client, _ = client_for(create_app(settings(web_file)), ADMIN)
    return {path: _get(client, path, params) for path, params in ROUTES}


@pytest.fixture(scope="module")
def served(web_file: Path, on_engine: Callable[[Store], Store]) -> Iterator[tuple[Store, Any]]:
    """The web demo on each engine (on DuckDB a copy of the file: the tests write to it), its
    users added there, and an app serving it."""
    own = web_file.with_name(f"web-{next(_copies)}.duckdb")
    shutil.copy(web_file, own)
    with Store.open(own) as source:
        store = on_engine(source)
        if store is not source:
            add_demo_users(store, PASSWORD, hasher=password_hasher(cheap=True))
        app = create_app(replace(settings(own), store=store.url))
        yield store, app


def _get(client: TestClient, path: str, params: dict[str, str]) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, (path, r.text[:300])
    return r.json()


@pytest.mark.slow
def test_the_dashboard_answers_the_same_on_every_engine(
    served: tuple[Store, Any], duckdb_answers: dict[str, Any]
) -> None:
    _, app = served
    admin, _ = client_for(app, ADMIN)
    for path, params in ROUTES:
        wrong = _json_differences(_get(admin, path, params), duckdb_answers[path])
        assert not wrong, (path, wrong[:5])
    assert duckdb_answers["/api/scorecard"]["rows"], "a scorecard with rows"


@pytest.mark.slow
def test_access_and_batches_on_every_engine(served: tuple[Store, Any]) -> None:
    store, app = served
    manager, _ = client_for(app, MANAGER)
    teams = {
        r["key"] for r in _get(manager, "/api/scorecard", {"by": "team", "period": PERIOD})["rows"]
    }
    assert teams == {"T02", "T04"}  # DACH and its sub-team: the manager's own subtree
    assert manager.get("/api/plan", params={"team": "T01"}).status_code == 403

    _, token = create_token(store, ADMIN, "write")
    api = TestClient(app, headers={"authorization": f"Bearer {token}"})
    params = {"by": "rep", "period": "2026-09-03", "metrics": "activities"}
    before = {r["key"]: r for r in _get(api, "/api/scorecard", params)["rows"]}
    rows = [
        {"activity_id": "WEB1", "rep_id": "R004", "type": "demo",
         "occurred_at": "2026-09-03T10:00:00", "outcome": "held"},
        {"activity_id": "WEB2", "rep_id": "R004", "type": "call",
         "occurred_at": "2026-09-03T11:00:00"},
    ]  # fmt: skip
    for expected in ((2, 0), (0, 2)):  # posted twice, as a retrying client would
        r = api.post("/api/activities", json=rows)
        assert r.status_code == 200, r.text
        assert (r.json()["inserted"], r.json()["unchanged"]) == expected
    after = {r["key"]: r for r in _get(api, "/api/scorecard", params)["rows"]}
    value = lambda card, rep: card[rep]["values"]["activities"]["value"] if rep in card else 0  # noqa: E731
    assert value(after, "R004") == value(before, "R004") + 2
