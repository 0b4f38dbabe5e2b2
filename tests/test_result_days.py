"""A remembered result outlives a write of activities on days after every window it counts.

The quadrant is judged on the last full quarters; a CRM posts today's activities all day.
The diagnosis says it reads the activities only through windows ending before the current
quarter (`salesperf.store.reads.windowed`), a write of activities says which timestamps it
touched and whether any row is linked to a deal or lead (`Footprint`), and the result cache
keeps what such a write cannot have changed. Tested here: the bound of a local day in several
zones, the bookkeeping, the cache, that the claim is true of the diagnosis (activities from the
day its windows end change nothing; one a minute earlier does), and the quadrant page served
after a batch of today's activities without being computed again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from salesperf.analysis.drivers.core import DriversQuery, drivers
from salesperf.analysis.health import HealthQuery, health
from salesperf.analysis.quadrant.model import DiagnoseQuery, diagnose
from salesperf.analysis.quality import QualityQuery, quality
from salesperf.analysis.report.model import ReportQuery, weekly_report
from salesperf.metrics.periods import Period, date_only, day_bound, local_datetime
from salesperf.metrics.query import By
from salesperf.scorecard import scorecards
from salesperf.server.api import routes as api_routes
from salesperf.server.pages import analysis as analysis_page
from salesperf.server.services import ResultCache
from salesperf.store import Store
from salesperf.store.reads import (
    Footprint,
    Read,
    except_reps,
    note,
    recording,
    unaffected,
    upsert_writes,
    windowed,
)
from salesperf.store.rollups import rollups_of
from webtools import ADMIN, REP_ID, TODAY, app_for, build_web_store, calls_of, sign_in

AMSTERDAM = "Europe/Amsterdam"
R1 = frozenset({"R1"})
Q4 = date(2026, 10, 1)  # TODAY's quarter begins: the default quadrant's windows end here


@pytest.fixture
def store(web_store: Store) -> Store:
    return web_store  # the web organisation (tests/conftest.py), on the test's own copy


# -- the bound of a local day ---------------------------------------------------------------
@pytest.mark.parametrize(
    "tz", [AMSTERDAM, "America/New_York", "Pacific/Auckland", "Pacific/Kiritimati", "UTC"]
)
@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 3, 29), date(2026, 10, 1)])
def test_a_days_bound_parts_stored_values_by_their_local_day(tz: str, day: date) -> None:
    bound = day_bound(day, tz)
    # instants every 15 minutes over three days around the day, and the date-only marks
    start = datetime.combine(day - timedelta(days=2), time())
    stored = [start + timedelta(minutes=15 * k) for k in range(4 * 24 * 4)]
    stored += [date_only(day + timedelta(days=k)) for k in (-2, -1, 0, 1)]
    stored += [bound - timedelta(microseconds=1), bound]
    for value in stored:  # whatever is on an earlier local day is before the bound
        if local_datetime(value, tz).date() < day:
            assert value < bound, value
    # and the bound is the day's first instant, but where the day before's date-only mark is
    # later (zones 12 hours or more ahead of UTC)
    first = datetime.combine(day, time(), tzinfo=ZoneInfo(tz)).astimezone(UTC)
    ahead = first.astimezone(ZoneInfo(tz)).utcoffset()
    assert ahead is not None
    assert (bound == first.replace(tzinfo=None)) == (ahead < timedelta(hours=12))


def test_the_bound_is_the_days_first_instant_where_no_date_only_mark_is_later() -> None:
    first = datetime.combine(Q4, time(), tzinfo=ZoneInfo(AMSTERDAM)).astimezone(UTC)
    assert day_bound(Q4, AMSTERDAM) == first.replace(tzinfo=None) == datetime(2026, 9, 30, 22)
    # thirteen hours ahead: the day before's date-only value (noon UTC) is after its midnight
    assert day_bound(Q4, "Pacific/Auckland") == date_only(Q4 - timedelta(days=1)) + timedelta(
        microseconds=1
    )


# -- the bookkeeping ------------------------------------------------------------------------
def test_reads_inside_a_window_carry_its_bound_and_a_whole_read_wins(store: Store) -> None:
    assert {"activities", *(r.name for r in rollups_of("activities"))} == {
        "activities", "rollup_activities", "rollup_accounts", "rollup_account_reps"
    }  # fmt: skip
    early, late = datetime(2026, 7, 1), datetime(2026, 9, 1)
    with recording() as outer:
        with windowed(late), recording() as inner:
            store.table("activities").count().execute()
            store.table("deals").count().execute()
            with windowed(datetime(2027, 1, 1)):  # a wider claim inside keeps the narrower
                store.table("activities").count().execute()
        with windowed(early):
            store.table("activities").count().execute()
    assert inner == {"activities", "deals"}
    assert inner.until == {"activities": late}  # the deals were read whole
    assert outer.until == {"activities": late}  # the later of two windowed reads
    with recording() as both:
        note(inner.frozen())  # a remembered result keeps its bounds where it is used
        assert both.until == {"activities": late}
        with windowed(early):
            note(Read(frozenset({"activities"})))  # a result that read them whole stays whole
        assert "activities" in both and both.until == {}
    with recording() as mixed:
        with windowed(late):
            store.table("activities").count().execute()
        store.table("activities").count().execute()
    assert mixed.until == {}


def test_a_windowed_result_outlives_writes_after_its_window_only(store: Store) -> None:
    bound = day_bound(Q4, AMSTERDAM)
    cache = ResultCache()
    runs: list[str] = []

    def quarter() -> int:  # reads the activities through a window, and the deals whole
        runs.append("quarter")
        with windowed(bound):
            a = store.table("activities")
            n = a.filter(a.occurred_at < bound).count().execute()
            except_reps({"R9"})  # whose later activities count all the same
        return int(n) + int(store.table("deals").count().execute())

    def everything() -> int:
        runs.append("everything")
        return int(store.table("activities").count().execute())

    def ask() -> None:
        cache.get("quarter", quarter)
        cache.get("everything", everything)

    ask()
    assert runs == ["quarter", "everything"]
    activities = upsert_writes("activities")
    cache.clear(activities, Footprint(bound, False, R1))  # today's activities
    ask()
    assert runs[2:] == ["everything"]
    for touched in (
        Footprint(bound - timedelta(microseconds=1), False, R1),  # one just before
        Footprint(bound + timedelta(days=30), True, R1),  # later, but linked to a deal
        Footprint(bound, False, frozenset({"R1", "R9"})),  # later, but of a quiet rep
        None,  # a write that cannot say
    ):
        cache.clear(activities, touched)
        ask()
        assert runs[-2:] == ["quarter", "everything"], touched
    cache.clear(upsert_writes("deals"), None)  # the deals were read whole
    ask()
    assert runs[-2:] == ["everything", "quarter"]  # (the other result reads no deal)


def test_a_result_that_reads_no_linked_activity_out_of_its_day_outlives_linked_ones(
    store: Store,
) -> None:
    bound = day_bound(Q4, AMSTERDAM)
    a = store.table("activities")
    with recording() as seen, windowed(bound, links=False):
        a.filter(a.occurred_at < bound).count().execute()
    with recording() as both:  # read twice, once counting linked rows whatever their day
        with windowed(bound, links=False):
            a.count().execute()
        with windowed(bound):
            a.count().execute()
    loose, strict = seen.frozen(), both.frozen()
    assert loose.unlinked == {"activities"} and strict.unlinked == frozenset()
    with recording() as again:  # a remembered result keeps it where it is used
        note(loose)
    assert again.frozen() == loose
    later = Footprint(bound + timedelta(days=3), True, R1)  # later, linked to a deal
    assert unaffected(loose, "activities", later)
    assert not unaffected(strict, "activities", later)
    earlier = Footprint(bound - timedelta(seconds=1), False, R1)
    assert not unaffected(loose, "activities", earlier)


def test_a_result_computed_across_a_write_it_may_not_outlive_is_not_kept(store: Store) -> None:
    bound = day_bound(Q4, AMSTERDAM)
    cache = ResultCache()
    runs: list[int] = []

    def computed_while(touched: Footprint | None) -> Any:
        def compute() -> int:
            runs.append(1)
            with windowed(bound):
                n = int(store.table("activities").count().execute())
            cache.clear(upsert_writes("activities"), touched)  # a write meanwhile
            return n

        return compute

    cache.get("a", computed_while(Footprint(bound, False, R1)))
    cache.get("a", computed_while(None))
    assert len(runs) == 1  # the write after its window: kept
    cache.get("b", computed_while(Footprint(bound - timedelta(hours=1), False, R1)))
    cache.get("b", computed_while(None))
    assert len(runs) == 3  # the write inside its window: answered, not kept


# -- the claim: the diagnosis does not depend on later activities --------------------------
def _call(i: int, rep: str, at: datetime, **more: Any) -> dict[str, Any]:
    return {"activity_id": f"days-{i}", "rep_id": rep, "type": "call", "occurred_at": at,
            "outcome": "connected", **more}  # fmt: skip


def _later_activities(store: Store, start: datetime) -> list[dict[str, Any]]:
    """Activities of every type and outcome for every rep, from `start` (UTC) on."""
    reps = store.table("reps").rep_id.to_pyarrow().to_pylist()
    kinds = [("call", "connected"), ("call", "no_answer"), ("email", None), ("meeting", "held"),
             ("demo", "no_show"), ("proposal", None), ("follow_up", None)]  # fmt: skip
    rows = []
    for i, rep in enumerate(reps):
        for j, (kind, outcome) in enumerate(kinds):
            at = start + timedelta(hours=7 * j + i, seconds=i)
            rows.append({"activity_id": f"later-{rep}-{j}", "rep_id": rep, "type": kind,
                         "occurred_at": at, "outcome": outcome})  # fmt: skip
    return rows


WEEK = Period(date(2026, 9, 21), date(2026, 9, 28), "2026-W39")  # TODAY's last full week
Q3 = Period(date(2026, 7, 1), Q4, "2026-Q3")


def _claims() -> list[Any]:
    """Each analysis that says it counts activities only before a day: how to run it (as JSON),
    that day, and a day whose activities it counts (its last minute is tried)."""
    return [
        pytest.param(lambda s: diagnose(s, DiagnoseQuery(today=TODAY)).to_json(), Q4, Q4,
                     id="quadrant, windows chosen"),
        pytest.param(lambda s: diagnose(s, DiagnoseQuery(window="2026-Q2", today=TODAY)).to_json(),
                     date(2026, 7, 1), date(2026, 7, 1), id="quadrant, window given"),
        # the four quarters before TODAY's, and its pace: the four full weeks before TODAY's
        # week (which begins on Monday 28 September)
        pytest.param(lambda s: health(s, HealthQuery(today=TODAY)).to_json(), Q4, WEEK.end,
                     id="health"),
        pytest.param(lambda s: weekly_report(s, ReportQuery("T00", WEEK)).to_json(), WEEK.end,
                     WEEK.end, id="weekly report"),
        # every level, against the quarter before and target, and in another currency
        pytest.param(lambda s: {str(by): c.to_json() for by, c in scorecards(
                         s, levels=tuple(By), period=Q3, currency="USD").items()},
                     Q4, Q4, id="scorecard"),
        pytest.param(lambda s: quality(s, QualityQuery(Q3, as_of=TODAY)).to_json(), Q4, Q4,
                     id="data quality"),
        # the four quarters before TODAY's, in whole weeks: the last ends on 27 September
        pytest.param(lambda s: drivers(s, DriversQuery(today=TODAY)).to_json(), Q4, WEEK.end,
                     id="drivers"),
    ]  # fmt: skip


@pytest.mark.slow  # each analysis of the web store three times: make test runs them
@pytest.mark.parametrize(("run", "end", "counted"), _claims())
def test_activities_from_the_day_an_analysis_counts_to_change_nothing(
    store: Store, run: Callable[[Store], dict[str, Any]], end: date, counted: date
) -> None:
    with recording() as seen:
        before = run(store)
    bound = day_bound(end, store.settings.timezone)
    # what it says of itself: its reads of the activities end before that day
    assert seen.until and set(seen.until.values()) == {bound}
    assert {"deals", "reps"} <= seen - set(seen.until)  # read whole
    # the first is at 00:00:01 on that local day: 22:00:01 UTC the day before
    written = store.merge_rows("activities", _later_activities(store, bound + timedelta(seconds=1)))
    assert written.inserted > 50
    reps = frozenset(store.table("reps").rep_id.to_pyarrow().to_pylist())
    assert written.footprint == Footprint(bound + timedelta(seconds=1), False, reps)
    assert written.footprint.after(bound)
    assert run(store) == before
    # calls of every rep in the last minute of a day it counts, without an outcome: the
    # analysis changes
    reps = store.table("reps").rep_id.to_pyarrow().to_pylist()
    last = day_bound(counted, store.settings.timezone) - timedelta(minutes=1)
    calls = [_call(i, r, last, outcome=None) for i, r in enumerate(reps)]
    earlier = store.merge_rows("activities", calls)
    assert earlier.footprint is not None and not earlier.footprint.after(bound)
    assert run(store) != before


@pytest.mark.slow  # three fits of the drivers on the web store: make test runs it
def test_the_drivers_count_a_quiet_reps_later_activities(store: Store) -> None:
    """A rep without an end date is active until their last record: one whose records end
    before the window's last week (or who has none) is active again with a later activity,
    which the drivers count whatever its day; other reps' later activities change nothing."""
    quiet = [{"rep_id": r, "name": r, "team_id": "T01", "start_date": date(2025, 10, 1)}
             for r in ("R900", "R901")]  # fmt: skip
    store.merge_rows("reps", quiet)
    store.merge_rows("activities", [_call(9, "R900", datetime(2026, 8, 3, 9))])
    store.merge_rows("deals", [{"deal_id": "D900", "rep_id": "R900", "status": "won",
                                "created_at": datetime(2026, 6, 1, 9), "amount": 5000.0,
                                "closed_at": datetime(2026, 8, 4, 9)}])  # fmt: skip
    q = DriversQuery(today=TODAY)
    with recording() as seen:
        before = drivers(store, q).to_json()
    assert seen.quiet["activities"] == {"R900", "R901"}  # R901 has no record at all
    bound = day_bound(Q4, AMSTERDAM)
    others = store.merge_rows("activities", [_call(10, REP_ID, datetime(2026, 10, 2, 9))])
    assert unaffected(seen.frozen(), "activities", others.footprint)
    assert drivers(store, q).to_json() == before
    woken = store.merge_rows("activities", [_call(11, "R900", datetime(2026, 10, 2, 9))])
    assert woken.footprint is not None and woken.footprint.after(bound)  # later, but R900's
    assert not unaffected(seen.frozen(), "activities", woken.footprint)
    assert drivers(store, q).to_json() != before  # and rightly so: the rep is back


def test_an_activity_linked_to_a_deal_counts_whatever_its_day(store: Store) -> None:
    d = store.table("deals")
    deal = d.filter(d.status == "won").select("deal_id", "rep_id").limit(1).to_pyarrow()
    row = deal.to_pylist()[0]
    later = datetime(2026, 10, 5, 9)
    written = store.merge_rows(
        "activities", [_call(1, row["rep_id"], later, deal_id=row["deal_id"])]
    )
    assert written.footprint == Footprint(later, True, frozenset({row["rep_id"]}))
    assert not written.footprint.after(day_bound(Q4, AMSTERDAM))


# -- the page -------------------------------------------------------------------------------
@pytest.mark.slow  # two diagnoses of the web store: make test runs it
def test_the_quadrant_is_served_after_a_batch_of_todays_activities_without_a_new_diagnosis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_web_store(tmp_path / "store.duckdb")
    made = calls_of(monkeypatch, analysis_page, "diagnose")  # (store, query)
    with TestClient(app_for(path)) as c:
        csrf = sign_in(c, ADMIN)

        def quadrant() -> dict[str, Any]:
            r = c.get("/api/quadrant")
            assert r.status_code == 200, r.text
            return dict(r.json()["diagnosis"])

        def post(row: dict[str, Any]) -> None:
            row = {**row, "occurred_at": row["occurred_at"].isoformat()}
            r = c.post("/api/activities", json=[row], headers={"x-csrf-token": csrf})
            assert r.status_code == 200, r.text

        before = quadrant()
        rep = before["reps"][0]["rep_id"]
        assert len(made) == 1
        post(_call(2, rep, datetime(2026, 10, 1, 10)))  # today, 10:00 in Amsterdam
        assert quadrant() == before and len(made) == 1
        post(_call(3, rep, datetime(2026, 9, 30, 10)))  # the window's last day
        after = quadrant()
        assert len(made) == 2 and after != before
    with Store.open(path) as s:  # what the page shows is the library's on the store as it is
        assert after == diagnose(s, DiagnoseQuery(today=TODAY, peers=made[-1][1].peers)).to_json()


@pytest.mark.slow  # a scorecard of the web store against its quarters: make test runs it
def test_the_scorecards_text_outlives_the_first_write_of_a_day_which_moves_its_data_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first activity of the day moves the data's last day, which the answer's `as_of`
    names; the scorecard of the last full quarter, counted as of the same day, is not made or
    written as JSON again."""
    path = build_web_store(tmp_path / "store.duckdb")
    made = calls_of(monkeypatch, api_routes, "scorecard_card")
    with TestClient(app_for(path)) as c:
        csrf = sign_in(c, ADMIN)

        def card(**params: str) -> dict[str, Any]:
            r = c.get("/api/scorecard", params=params)
            assert r.status_code == 200, r.text
            return dict(r.json())

        before = card()
        quality_before = c.get("/api/quality").json()
        assert before["as_of"]["data_end"] == "2026-09-30" and len(made) == 1
        call = _call(1, REP_ID, datetime(2026, 10, 1, 8))  # today, 10:00 in Amsterdam
        r = c.post("/api/activities", json=[{**call, "occurred_at": "2026-10-01T08:00:00Z"}],
                   headers={"x-csrf-token": csrf})  # fmt: skip
        assert r.status_code == 200, r.text
        after = card()
        assert len(made) == 1
        assert after["as_of"] == {**before["as_of"], "data_end": "2026-10-01"}
        assert {**after, "as_of": None} == {**before, "as_of": None}
        quality_after = c.get("/api/quality").json()
        assert quality_after["as_of"]["data_end"] == "2026-10-01"
        assert {**quality_after, "as_of": None} == {**quality_before, "as_of": None}
        # asked as of the same day (chosen): the same figures, said to be chosen; another day:
        # other figures
        chosen = card(as_of="2026-10-01")
        assert chosen["as_of"]["chosen"] is True and len(made) == 1
        assert {**chosen, "as_of": None} == {**after, "as_of": None}
        earlier = card(as_of="2026-07-01")
        assert len(made) == 2 and earlier["period"]["label"] == "2026-Q2"
    with Store.open(path) as s:  # the figures are the library's on the store as it is
        q3 = scorecards(s, levels=(By.REP,), period=Q3)[By.REP]

    def values(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {r["key"]: {m: v["value"] for m, v in r["values"].items()} for r in rows}

    assert after["period"]["label"] == "2026-Q3"
    assert values(after["rows"]) == values(q3.to_json()["rows"])
