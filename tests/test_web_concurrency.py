"""The web server under concurrent use: requests run side by side on stores of their own and
give the same numbers as one at a time and as the library; a slow page does not hold up the
others; a write moves the data version, so no cached figure outlives it; the result cache
computes a missing result once however many requests ask for it at the same moment.

Requests overlap because the test makes them wait for each other (barriers and events), never
because they happen to; a wait's deadline only fails a broken run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.scorecard import scorecard
from salesperf.server import services
from salesperf.server.deps import View
from salesperf.server.pages.registry import Page, add_page
from salesperf.server.pages.routes import ThreadedRouter
from salesperf.server.services import ResultCache
from salesperf.store import Store
from salesperf.store.reads import note
from webtools import ADMIN, MANAGER, PERIOD, REP_ID, app_for, build_web_store, library_part, sign_in

#: The longest a test waits for a request or thread: a deadline that fails a hung run, never
#: a condition of success.
DEADLINE = 120.0

#: (who, path, params) of page data and scorecard requests that a dashboard makes.
REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    (ADMIN, "/api/overview", {"period": PERIOD}),
    (ADMIN, "/api/teams", {"period": PERIOD}),
    (ADMIN, "/api/scorecard", {"by": "team", "period": PERIOD}),
    (ADMIN, "/api/scorecard", {"by": "rep", "period": PERIOD, "metrics": "activities,win_rate"}),
    (MANAGER, "/api/overview", {"period": PERIOD}),
    (MANAGER, "/api/teams/T02", {"period": PERIOD}),
    (MANAGER, "/api/scorecard", {"by": "rep", "period": PERIOD}),
    (ADMIN, "/api/reps/R008", {"period": PERIOD}),
    (ADMIN, "/api/exports", {}),
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_store(tmp_path_factory.mktemp("concurrency") / "store.duckdb")


@pytest.fixture(scope="module")
def store(store_path: Path) -> Iterator[Store]:
    with Store.open(store_path) as s:
        yield s


def _signed_in(app: Any, *users: str) -> dict[str, TestClient]:
    clients = {}
    for u in users:
        c = TestClient(app)
        c.__enter__()  # one event loop for the client's requests, the app's lifespan started
        sign_in(c, u)
        clients[u] = c
    return clients


def _close(clients: dict[str, TestClient]) -> None:
    for c in clients.values():
        c.__exit__(None, None, None)


def _side_by_side(cache: ResultCache) -> list[Any]:
    """Make the first two computations the app's cache starts wait for each other.

    Every computation (a viewer's scope, a page's data, a scorecard) runs in a request that
    holds a store of its own, and a request computes one thing at a time, so two requests
    hold stores at the same moment. Two, not more: while both viewers' scopes are computed,
    every other request may be waiting for one of them. Returns the keys of the computations
    that met, once they have."""
    barrier, lock, started, met = threading.Barrier(2), threading.Lock(), [0], []
    get = cache.get

    def held_get(key: Any, compute: Any) -> Any:
        def held() -> Any:
            with lock:
                # not the day the data end: every request asks it first, so holding it up
                # would hold up every other request
                counted = key != ("data_last_day",)
                started[0] += counted
                first = counted and started[0] <= barrier.parties
            if first:
                barrier.wait(DEADLINE)
                met.append(key)
            return compute()

        return get(key, held)

    cache.get = held_get  # type: ignore[method-assign]
    return met


def _fetch(clients: dict[str, TestClient], job: tuple[str, str, dict[str, str]]) -> Any:
    who, path, params = job
    r = clients[who].get(path, params=params)
    assert r.status_code == 200, (job, r.text[:300])
    return r.json()


@pytest.mark.slow
def test_concurrent_requests_give_the_same_numbers_as_one_at_a_time_and_the_library(
    store_path: Path, store: Store
) -> None:
    one_by_one = app_for(store_path)
    clients = _signed_in(one_by_one, ADMIN, MANAGER)
    try:
        expected = [_fetch(clients, job) for job in REQUESTS]
    finally:
        _close(clients)

    app = app_for(store_path)  # a fresh app: every first request computes, at the same time
    clients = _signed_in(app, ADMIN, MANAGER)
    try:
        together = _side_by_side(app.state.services.cache)
        jobs = REQUESTS * 4
        with ThreadPoolExecutor(12) as pool:
            got = list(pool.map(lambda j: _fetch(clients, j), jobs, timeout=DEADLINE))
        opened = app.state.services.stores.opened
    finally:
        _close(clients)
    for i, job in enumerate(jobs):
        assert got[i] == expected[i % len(REQUESTS)], job
    assert len(together) == 2  # two requests computed at the same moment ...
    assert opened > 1  # ... each holding a store of its own, side by side

    # and the numbers are the library's
    teams = scorecard(store, by="team", period=PERIOD).to_json()
    assert library_part(got[2])["rows"] == _plain(teams["rows"])
    managed = frozenset(r["key"] for r in got[6]["rows"])
    reps = scorecard(store, by="rep", period=PERIOD, reps=managed).to_json()
    assert library_part(got[6])["rows"] == _plain(reps["rows"]) and len(managed) >= 4
    org = got[0]["kpis"]["rows"][0]["values"]
    library = scorecard(store, by="org", period=PERIOD, metrics=("activities",)).rows[0]
    total = library.cells["activities"].value
    assert total is not None and total > 0
    assert org["activities"]["value"] == total


def _plain(rows: Any) -> Any:
    import json

    return json.loads(json.dumps(rows, default=str))


@pytest.mark.slow
def test_a_slow_page_does_not_hold_up_the_others(store_path: Path) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(view: View) -> dict[str, Any]:
        """A page whose data takes as long as the test wants."""
        started.set()
        assert release.wait(DEADLINE), "the slow page was never released"
        return {"done": True}

    app = app_for(store_path)
    router = ThreadedRouter()
    add_page(router, Page("slow", "/slow", slow, "teams.html", judges=False))
    app.include_router(router)
    clients = _signed_in(app, ADMIN)
    try:
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(clients[ADMIN].get, "/api/slow")
            assert started.wait(DEADLINE)
            quick = clients[ADMIN].get("/api/overview", params={"period": PERIOD})
            still_waiting = not pending.done()  # certain: it waits for `release`
            release.set()
            assert pending.result(DEADLINE).json() == {"done": True}
    finally:
        release.set()
        _close(clients)
    assert quick.status_code == 200 and still_waiting


@pytest.mark.slow
def test_a_write_moves_the_data_version_and_the_figures_follow(tmp_path: Path) -> None:
    path = build_web_store(tmp_path / "store.duckdb")
    app = app_for(path)
    c = TestClient(app)
    with c:
        csrf = sign_in(c, ADMIN)
        params = {"by": "rep", "period": PERIOD, "metrics": "activities"}

        def activities() -> int:
            rows = c.get("/api/scorecard", params=params).json()["rows"]
            return int(next(r for r in rows if r["key"] == REP_ID)["values"]["activities"]["value"])

        def overview() -> int:
            kpis = c.get("/api/overview", params={"period": PERIOD}).json()["kpis"]
            return int(kpis["rows"][0]["values"]["activities"]["value"])

        before, total = activities(), overview()
        version = app.state.services.cache.version
        assert (activities(), overview()) == (before, total)  # served from the cache
        row = {"activity_id": "conc-1", "rep_id": REP_ID, "type": "call",
               "occurred_at": "2026-08-04T10:00:00", "outcome": "connected"}  # fmt: skip
        r = c.post("/api/activities", json=[row], headers={"x-csrf-token": csrf})
        assert r.status_code == 200, r.text
        assert app.state.services.cache.version == version + 1
        assert (activities(), overview()) == (before + 1, total + 1)


def test_one_computation_answers_every_request_that_asks_for_it_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waiting = threading.Event()

    class Watched(services.Future):  # type: ignore[type-arg]
        """The cache's promise of a result; tells when a second caller waits for it."""

        def result(self, timeout: float | None = None) -> Any:
            waiting.set()
            return super().result(timeout)

    monkeypatch.setattr(services, "Future", Watched)
    cache = ResultCache()
    computing, release = threading.Event(), threading.Event()
    first, other = object(), object()
    others: list[int] = []

    def slow() -> object:
        computing.set()
        assert release.wait(DEADLINE)
        return first

    def again() -> object:
        others.append(1)
        return other

    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(cache.get, "k", slow)
        assert computing.wait(DEADLINE)
        b = pool.submit(cache.get, "k", again)
        # the second caller asked while the first computed, and waits for its result
        assert waiting.wait(DEADLINE), "the second caller never waited for the computation"
        release.set()
        assert a.result(DEADLINE) is first and b.result(DEADLINE) is first
    assert others == [] and cache.get("k", again) is first


@pytest.mark.parametrize("wrote", [None, ("deals",)], ids=["anything", "a table it read"])
def test_a_result_computed_across_a_write_is_not_kept(wrote: tuple[str, ...] | None) -> None:
    cache = ResultCache()
    computing, release = threading.Event(), threading.Event()

    def slow() -> str:
        note(["deals"])  # as a query of the deals would
        computing.set()
        assert release.wait(DEADLINE)
        return "before the write"

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(cache.get, "k", slow)
        assert computing.wait(DEADLINE)
        cache.clear(wrote)  # a write lands while the result is computed
        release.set()
        assert pending.result(DEADLINE) == "before the write"  # its caller gets it ...
    assert cache.get("k", lambda: "after the write") == "after the write"  # ... no one else


def test_a_failed_computation_is_not_kept_and_its_error_reaches_the_caller() -> None:
    cache = ResultCache()

    def bad() -> int:
        raise ValueError("no such window")

    with pytest.raises(ValueError, match="no such window"):
        cache.get("k", bad)
    assert cache.get("k", lambda: 7) == 7
