"""A remembered result is dropped by a write to a table it was computed from, and by no other.

The tables come from the queries themselves (`salesperf.store.reads`): Ibis queries name
theirs, the store's named reads theirs, and plain SQL it cannot name counts as every table. On
the web server a batch of activities leaves the forecast (deals and their stages) remembered,
while a batch of deals makes it again, with the new deal in it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.analysis.forecast.core import ForecastQuery, forecast
from salesperf.auth.access import EVERYTHING as ALL
from salesperf.auth.access import scope_for, scoped_table, visible_account_ids
from salesperf.auth.users import get_user
from salesperf.metrics.periods import day_bound, parse_period
from salesperf.schema import TABLES
from salesperf.server.pages import export_counts
from salesperf.server.pages import plan as plan_page
from salesperf.server.services import ResultCache
from salesperf.store import Store
from salesperf.store.reads import EVERYTHING, recording, upsert_writes
from webtools import (
    ADMIN,
    MANAGER,
    PERIOD,
    REP_ID,
    TODAY,
    app_for,
    build_web_store,
    calls_of,
    sign_in,
)


@pytest.fixture
def store(web_store: Store) -> Store:
    return web_store  # the web organisation (tests/conftest.py), on the test's own copy


def test_queries_name_the_tables_they_read(store: Store) -> None:
    with recording() as outer:
        with recording() as ibis_query:
            assert store.table("deals").count().execute() > 0
        with recording() as named:
            assert store.settings.timezone  # the store's settings: one table, named
            assert store.count("activities") > 0
        with recording() as unknown:
            store.has_table("deals")  # plain SQL the store does not name
    assert ibis_query == {"deals"}
    assert named == {"salesperf_meta", "activities"}
    assert EVERYTHING in unknown
    assert outer >= ibis_query | named | unknown  # what an inner recording saw, the outer saw
    with recording() as nothing:
        pass
    assert nothing == set()


def test_a_result_lives_until_a_write_to_a_table_it_read(store: Store) -> None:
    cache = ResultCache()
    runs: list[str] = []

    def deals() -> int:
        runs.append("deals")
        return int(store.table("deals").count().execute())

    def unknown() -> bool:
        runs.append("unknown")
        return store.has_table("deals")

    def page() -> tuple[int, int]:  # uses the deals' result, and reads the reps itself
        runs.append("page")
        return cache.get("deals", deals), int(store.table("reps").count().execute())

    n = cache.get("deals", deals)
    assert cache.get("page", page) == (n, store.count("reps"))
    cache.get("unknown", unknown)
    assert runs == ["deals", "page", "unknown"]
    cache.clear(upsert_writes("activities"))  # a batch of activities
    assert cache.get("deals", deals) == n and cache.get("page", page)[0] == n
    cache.get("unknown", unknown)  # read "everything": made again after any write
    assert runs == ["deals", "page", "unknown", "unknown"]
    cache.clear(["reps"])  # the page read the reps itself: made again, the deals' kept
    cache.get("page", page)
    assert runs[-1:] == ["page"] and cache.get("deals", deals) == n
    cache.clear(upsert_writes("deals"))  # the page used the deals' result: both made again
    cache.get("page", page)
    assert runs[-2:] == ["page", "deals"]
    cache.clear()  # a write of anything: everything made again
    cache.get("deals", deals)
    assert runs[-1:] == ["deals"]


def _forecast_json(store_path: Path) -> dict[str, Any]:
    with Store.open(store_path) as s:
        q = ForecastQuery(parse_period(PERIOD), today=TODAY)
        return dict(forecast(s, q).to_json())


@pytest.mark.slow  # two forecasts of the web store: make test runs it
def test_a_batch_of_activities_keeps_the_forecast_and_a_batch_of_deals_remakes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_web_store(tmp_path / "store.duckdb")
    made = calls_of(monkeypatch, plan_page, "forecast")
    with TestClient(app_for(path)) as c:
        csrf = sign_in(c, ADMIN)

        def asked() -> dict[str, Any]:
            r = c.get("/api/forecast", params={"period": PERIOD})
            assert r.status_code == 200, r.text
            return dict(r.json()["forecast"])

        def activities_of_rep() -> int:
            params = {"by": "rep", "period": PERIOD, "metrics": "activities"}
            rows = c.get("/api/scorecard", params=params).json()["rows"]
            return int(next(r for r in rows if r["key"] == REP_ID)["values"]["activities"]["value"])

        before, calls = asked(), activities_of_rep()
        assert len(made) == 1
        call = {"activity_id": "reads-1", "rep_id": REP_ID, "type": "call",
                "occurred_at": "2026-08-04T10:00:00", "outcome": "connected"}  # fmt: skip
        r = c.post("/api/activities", json=[call], headers={"x-csrf-token": csrf})
        assert r.status_code == 200, r.text
        assert asked() == before and len(made) == 1  # remembered: activities are not its input
        assert activities_of_rep() == calls + 1  # the scorecard, which reads them, is not
        deal = {"deal_id": "reads-D1", "rep_id": REP_ID, "created_at": "2026-07-15",
                "status": "won", "amount": 123456, "closed_at": "2026-08-05"}  # fmt: skip
        r = c.post("/api/deals", json=[deal], headers={"x-csrf-token": csrf})
        assert r.status_code == 200, r.text
        after = asked()
        assert len(made) == 2 and after != before
    # what the route answers is what the library computes on the store as it now is
    assert after == _forecast_json(path)
    assert before != after


def test_the_exports_page_counts_again_only_the_table_a_batch_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_web_store(tmp_path / "store.duckdb")
    calls = calls_of(monkeypatch, export_counts, "scoped_table")  # (store, scope, table)
    with TestClient(app_for(path)) as c:
        csrf = sign_in(c, ADMIN)

        def rows() -> dict[str, int]:
            r = c.get("/api/exports")
            assert r.status_code == 200, r.text
            return {t["name"]: t["rows"] for t in r.json()["tables"]}

        calls.clear()  # (signing in showed a form with the reps to choose from)
        before = rows()
        assert sorted(c[2] for c in calls) == sorted(TABLES)
        calls.clear()
        call = {"activity_id": "reads-2", "rep_id": REP_ID, "type": "call",
                "occurred_at": "2026-08-04T10:00:00", "outcome": "connected"}  # fmt: skip
        r = c.post("/api/activities", json=[call], headers={"x-csrf-token": csrf})
        assert r.status_code == 200, r.text
        after = rows()
    assert [c[2] for c in calls] == ["activities"]  # the others read other tables
    assert after == {**before, "activities": before["activities"] + 1}


@pytest.mark.slow  # six batches and seven exports pages: make test runs it
def test_a_managers_export_counts_keep_the_activities_before_today_while_todays_arrive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A region's activities and the accounts they name are counted in two halves: those
    stored before the reference day, kept while the day's batches arrive (linked to a deal or
    not), and the day's, counted after each batch; the sum is the export's row count."""
    path = build_web_store(tmp_path / "store.duckdb")
    with Store.open(path) as s:
        user = get_user(s, MANAGER)
        assert user is not None
        scope = scope_for(s, user)
        assert scope.reps
        reps = sorted(scope.reps)
        outsider = next(r for r in s.table("reps").rep_id.to_pyarrow().to_pylist()
                        if r not in reps)  # fmt: skip
        seen = set(scoped_table(s, scope, "accounts").account_id.to_pyarrow().to_pylist())
        unseen = sorted(set(s.table("accounts").account_id.to_pyarrow().to_pylist()) - seen)
        d = s.table("deals")
        deal = d.filter(d.rep_id == reps[0]).deal_id.to_pyarrow().to_pylist()[0]
        tz = s.settings.timezone
        # an administrator sees every account, all of them in the older half
        bound = day_bound(TODAY, tz)
        everyone = visible_account_ids(s, ALL, before=bound).to_pyarrow().column(0)
        assert sorted(everyone.to_pylist()) == sorted(seen | set(unseen))
        assert visible_account_ids(s, ALL, since=bound).count().execute() == 0
    assert len(unseen) >= 3
    # the accounts' older half built (the day's half is built once, then run again: `arrow`)
    built = calls_of(monkeypatch, export_counts, "visible_account_ids")  # (store, scope, {..})
    runs = calls_of(monkeypatch, export_counts, "arrow")
    app = app_for(path)
    with TestClient(app) as admin, TestClient(app) as manager:
        csrf = sign_in(admin, ADMIN)
        sign_in(manager, MANAGER)

        def rows() -> tuple[int, int]:
            r = manager.get("/api/exports")
            assert r.status_code == 200, r.text
            got = {t["name"]: t["rows"] for t in r.json()["tables"]}
            return got["activities"], got["accounts"]

        def post(i: int, rep: str, at: str, **more: Any) -> None:
            row = {"activity_id": f"halves-{i}", "rep_id": rep, "type": "call",
                   "occurred_at": at, "outcome": "connected", **more}  # fmt: skip
            r = admin.post("/api/activities", json=[row], headers={"x-csrf-token": csrf})
            assert r.status_code == 200, r.text

        def counted() -> tuple[list[str], int]:
            kinds, n = [next(iter(c[2])) for c in built], len(runs)
            built.clear()
            runs.clear()
            return kinds, n

        acts, accounts = rows()
        assert counted() == (["before", "since"], 2)
        # today's first instant (UTC), an account the region had not seen, and linked to a
        # deal: the day's half only is counted again
        first = day_bound(TODAY, tz)
        post(1, reps[0], first.isoformat() + "Z", account_id=unseen[0], deal_id=deal)
        assert rows() == (acts + 1, accounts + 1)
        assert counted() == ([], 2)  # the day's activities and accounts
        post(2, reps[-1], f"{TODAY}T11:00:00", account_id=unseen[0])  # the same account
        assert rows() == (acts + 2, accounts + 1)
        post(3, outsider, f"{TODAY}T12:00:00", account_id=unseen[1])  # another region's
        assert rows() == (acts + 2, accounts + 1)
        assert counted() == ([], 4)  # the day's half after each batch, the outsider's too
        # the day before: both halves are counted again
        post(4, reps[0], f"{TODAY - timedelta(days=1)}T16:00:00", account_id=unseen[2])
        assert rows() == (acts + 3, accounts + 2)
        assert counted() == (["before"], 2)
        # the last instant before the day, in UTC: still the older half
        last = first - timedelta(microseconds=1)
        post(5, reps[0], last.isoformat() + "Z", account_id=unseen[1])
        assert rows() == (acts + 4, accounts + 3)
        assert counted() == (["before"], 2)
        final = rows()
    with Store.open(path) as s:  # counted another way: plain SQL over the whole tables
        ids = ", ".join(f"'{r}'" for r in reps)
        by_sql = s.con.raw_sql(
            f"SELECT (SELECT count(*) FROM activities WHERE rep_id IN ({ids})), "
            "(SELECT count(DISTINCT account_id) FROM accounts WHERE account_id IN ("
            f"SELECT account_id FROM activities WHERE rep_id IN ({ids}) UNION "
            f"SELECT account_id FROM deals WHERE rep_id IN ({ids}) UNION "
            f"SELECT account_id FROM leads WHERE rep_id IN ({ids})))"
        ).fetchall()
    assert final == tuple(by_sql[0])
