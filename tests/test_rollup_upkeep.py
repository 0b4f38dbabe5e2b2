"""Roll-ups kept current by every write, on every engine: after each kind of write the stored
roll-ups are exactly what a rebuild from the raw tables gives, and a metric read from them equals
the same metric read from the raw rows. A write that fails leaves them as they were, and
`salesperf rollups check` finds a roll-up changed behind the store's back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from typer.testing import CliRunner

from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.ingest.snapshot import restore
from salesperf.metrics.compiler import Compiler, run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query
from salesperf.schema import TABLES
from salesperf.store import Store, StoreError, upkeep
from salesperf.store.engines.base import EngineDefaults
from salesperf.store.migrations import LATEST_VERSION
from salesperf.store.rollups import ROLLUPS, usable
from test_rollups import TZ, _organisation, _same

NAMES = tuple(ROLLUPS)
START, END = date(2025, 2, 1), date(2025, 7, 1)
QUERY = Query(
    ("activities", "accounts_touched", "active_days", "deals_won", "revenue_won",
     "deals_created", "stage_conversion:qualify>demo", "stage_conversion:demo>proposal"),
    START, END, grain=Grain.MONTH,
)  # fmt: skip


def stored(s: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every roll-up's rows, sorted (nulls first in each column)."""

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple((v is not None, v) for v in row)

    return {n: sorted(s._exec(f'SELECT * FROM "{n}"'), key=key) for n in NAMES}


def assert_current(s: Store, *, metrics: bool = True, tz: str = TZ) -> None:
    """The roll-ups equal a rebuild from the raw tables, row for row (the sums are of whole and
    half numbers, so exact), and a query reads the same figures from them as from raw rows."""
    kept = stored(s)
    assert all(kept[n] for n in ("rollup_activities", "rollup_deals", "rollup_stages"))
    s.rebuild_rollups()
    again = stored(s)
    for n in NAMES:  # a growing roll-up may keep rows a rebuild drops (see the pairs' test)
        if ROLLUPS[n].growing:
            assert set(again[n]) <= set(kept[n]) and len(set(kept[n])) == len(kept[n]), n
        else:
            assert again[n] == kept[n], n
    if metrics:
        assert usable(s.con, tz) == frozenset(NAMES)
        _same(*(run(s.con, QUERY, tz, s.settings.currency, rollups=use) for use in (True, False)))


@pytest.fixture
def org(engine_store: Callable[..., Store]) -> Store:
    """The roll-up test organisation (see test_rollups.py), written with `replace_all`."""
    s = engine_store()
    s.set_setting("timezone", TZ)
    s.replace_all(_organisation())
    return s


def _activity(s: Store, activity_id: str) -> dict[str, Any]:
    t = s.table("activities")
    return dict(t.filter(t.activity_id == activity_id).to_pyarrow().to_pylist()[0])


@pytest.mark.slow
def test_replace_all_and_a_file_import_that_moves_activities(
    org: Store, write: Callable[..., Path]
) -> None:
    assert_current(org, metrics=False)  # after replace_all
    a1, a2 = _activity(org, "A1"), _activity(org, "A2")
    other = "R5" if a1["rep_id"] != "R5" else "R4"
    csv = (
        "activity_id,rep_id,type,occurred_at,outcome,account_id\n"
        f"A1,{other},call,2025-06-01T21:30:00Z,connected,C1\n"  # another rep and day
        f"A2,{a2['rep_id']},email,2025-03-30T00:30:00Z,sent,C2\n"  # the night clocks change
        "A9000,R1,meeting,2025-06-02T10:00:00Z,held,C3\n"
    )
    r = import_file(org, "activities", write("acts.csv", csv))
    assert (r.inserted, r.updated, r.rejected) == (1, 2, 0)
    assert _activity(org, "A1")["rep_id"] == other
    assert_current(org)


@pytest.mark.slow
def test_a_snapshot_import_that_deletes_and_its_restore(
    org: Store, write: Callable[..., Path]
) -> None:
    deals = org.table("deals").order_by("deal_id").to_pyarrow().to_pylist()
    kept = deals[::3]  # two deals in three are deleted, and with them their stage rows' days

    def cell(v: Any) -> str:
        return "" if v is None else v.isoformat() if isinstance(v, datetime) else str(v)

    cols = [c for c in TABLES["deals"].column_names if c != "stage"]
    lines = [",".join(cols)] + [",".join(cell(d[c]) for c in cols) for d in kept]
    r = import_file(org, "deals", write("deals.csv", "\n".join(lines) + "\n"), replace=True)
    # (a row the import rejects keeps its stored row)
    assert r.deleted == len(deals) - len(kept) and org.count("deals") == len(kept)
    assert_current(org, metrics=False)
    back = restore(org, r.import_id)
    assert back.restored == r.deleted and org.count("deals") == len(deals)
    assert_current(org)


@pytest.mark.slow
def test_batches_that_move_a_deal_and_its_stages(org: Store) -> None:
    d = org.table("deals")
    deal = d.filter(d.deal_id == "D5").to_pyarrow().to_pylist()[0]
    st = org.table("deal_stages")
    first = st.filter(st.deal_id == "D5").entered_at.min().execute()
    assert first is not None
    # the deal moves to another rep: its stage rows move with it (their days are the stages')
    deal["rep_id"] = "R1" if deal["rep_id"] != "R1" else "R2"
    deal["kind"] = "expansion"
    assert org.merge_rows("deals", [deal]).updated == 1
    assert_current(org, metrics=False)
    # a stage entered before every other of the deal: it is first now, the others follow it
    entry = {"deal_id": "D5", "stage": "negotiation", "entered_at": datetime(2025, 1, 2, 23, 30)}
    assert entry["entered_at"] < first
    assert org.merge_rows("deal_stages", [entry]).inserted == 1
    # one activity, and a deal closed on another day (the batch API, the form)
    act = _activity(org, "A3") | {"occurred_at": datetime(2025, 4, 20, 22, 15), "rep_id": "R3"}
    org.merge_rows("activities", [act])
    closed = org.table("deals").filter(d.deal_id == "D6").to_pyarrow().to_pylist()[0]
    closed |= {"status": "won", "closed_at": datetime(2025, 5, 5, 12), "amount": 1234.0}
    org.merge_rows("deals", [closed])
    assert_current(org)


def test_a_small_batch_refreshes_only_its_days(org: Store) -> None:
    """One activity moved to another rep and day: both days are right again, and the rows of
    every other day are as they were."""
    before = stored(org)["rollup_activities"]
    row = _activity(org, "A10")
    old_day = row["occurred_at"].replace(tzinfo=UTC).astimezone(ZoneInfo(TZ)).date()
    moved = row | {"rep_id": "R5" if row["rep_id"] != "R5" else "R4",
                   "occurred_at": datetime(2025, 5, 20, 8)}  # fmt: skip
    assert org.merge_rows("activities", [moved]).updated == 1
    after = stored(org)["rollup_activities"]
    touched = {old_day, date(2025, 5, 20)}
    assert [r for r in before if r[1] not in touched] == [r for r in after if r[1] not in touched]
    assert all(v == 0 for v in org.check_rollups().values())

    # counted by hand: the activity left its old rep's day and joined the new rep's
    def count(rows: list[tuple[Any, ...]], rep: str, day: date) -> int:
        return sum(r[4] for r in rows if r[0] == rep and r[1] == day)

    assert count(after, row["rep_id"], old_day) == count(before, row["rep_id"], old_day) - 1
    new = (moved["rep_id"], date(2025, 5, 20))
    assert count(after, *new) == count(before, *new) + 1


@pytest.mark.slow  # 3 s on DuckDB, 40 s on Spark: a rebuild and queries both ways
def test_the_pairs_of_reps_and_accounts_only_grow(org: Store) -> None:
    """An activity moved to another rep and account adds the new (rep, account) pair and keeps
    the old one until a rebuild, which `rollups check` accepts; the teams' distinct accounts
    read through the pairs stay exact, and equal to the raw rows' (here the moved activity was
    its rep's only one on that account, so the old pair is stale)."""
    pairs = "SELECT rep_id, account_id FROM rollup_account_reps"
    org.merge_rows("activities", [_activity(org, "A10") | {"account_id": "C-only", "rep_id": "R1"}])
    before = set(org._exec(pairs))
    assert ("R1", "C-only") in before
    moved = _activity(org, "A10") | {"rep_id": "R2", "account_id": "C-new"}
    assert org.merge_rows("activities", [moved]).updated == 1
    after = set(org._exec(pairs))
    assert after == before | {("R2", "C-new")}  # the stale ("R1", "C-only") kept
    assert all(v == 0 for v in org.check_rollups().values())
    q = Query(("accounts_touched",), START, END, by=By.TEAM, grain=Grain.MONTH)
    assert "rollup_account_reps" in Compiler(org.con, TZ).to_sql(q, Compiler(org.con, TZ).plan(q))
    _same(*(run(org.con, q, TZ, org.settings.currency, rollups=use) for use in (True, False)))
    org.rebuild_rollups()
    assert set(org._exec(pairs)) == after - {("R1", "C-only")}
    # a pair missing is a difference `rollups check` reports
    drop = "rep_id = 'R2' AND account_id = 'C-new'"
    if org.engine == "spark":  # a roll-up is a Parquet snapshot there: written anew
        with org.transaction():
            org._engine.replace_rows("rollup_account_reps", ("rep_id", "account_id"),
                                     f"NOT ({drop})", None)  # fmt: skip
    else:
        org._exec(f"DELETE FROM rollup_account_reps WHERE {drop}")
    assert org.check_rollups()["rollup_account_reps"] == 1


@pytest.mark.slow  # 2 s: the organisation written, then upgraded
@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_a_version_10_store_gets_its_pairs_built(engine_store: Callable[..., Store]) -> None:
    """Version 11 adds the pairs to a store made before them, built from its activities."""
    old = engine_store(target_version=10)
    old.set_setting("timezone", TZ)
    old.replace_all(_organisation())
    old._exec("DROP TABLE rollup_account_reps")  # a store made before had neither the table
    old._exec("DELETE FROM salesperf_rollups WHERE name = 'rollup_account_reps'")  # nor state
    assert "rollup_account_reps" not in usable(old.con, TZ)
    url = old.url
    old.close()
    with Store.open(url) as s:
        assert s.schema_version == LATEST_VERSION == 11
        assert usable(s.con, TZ) == frozenset(NAMES)
        want = s._exec(
            "SELECT DISTINCT rep_id, account_id FROM activities WHERE account_id IS NOT NULL"
        )
        assert sorted(s._exec("SELECT * FROM rollup_account_reps")) == sorted(want)
        assert len(want) > 20 and all(v == 0 for v in s.check_rollups().values())


@pytest.mark.slow
def test_a_new_time_zone_rebuilds_the_rollups(org: Store) -> None:
    org.set_setting("timezone", "America/New_York")
    zones = {r[0] for r in org._exec("SELECT DISTINCT timezone FROM salesperf_rollups")}
    assert zones == {"America/New_York"}
    assert usable(org.con, TZ) == frozenset()  # the old zone's days are gone
    assert_current(org, tz="America/New_York")


def test_a_failed_write_leaves_the_rollups_as_they_were(
    org: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = stored(org)
    row = _activity(org, "A7") | {"rep_id": "R2", "occurred_at": datetime(2025, 5, 1, 9)}
    refreshed: list[str] = []

    def refresh_then_fail(host: Any, r: Any, tz: str, days: Any) -> None:
        """The first roll-up is refreshed, then the write fails (inside its transaction)."""
        real_refresh(host, r, tz, days)
        refreshed.append(r.name)
        raise RuntimeError("the disk is full")

    real_refresh = upkeep.refresh
    monkeypatch.setattr(upkeep, "refresh", refresh_then_fail)
    with pytest.raises(RuntimeError, match="disk is full"):
        org.merge_rows("activities", [row])
    monkeypatch.undo()
    assert refreshed == ["rollup_activities"]
    assert _activity(org, "A7")["occurred_at"] != row["occurred_at"]
    assert stored(org) == before
    # a batch refused whole (a key twice) changes nothing either
    with pytest.raises(StoreError, match="more than once"):
        org.merge_rows("activities", [row, row])
    assert stored(org) == before
    assert all(v == 0 for v in org.check_rollups().values())


def test_duckdb_writes_rollups_in_any_order_and_then_restores_it(
    empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roll-up is written with the insertion order left to DuckDB (kept, a large rebuild is
    held in memory and fails the memory budget), and the order is the default again after
    the write, also after one that failed inside the engine and aborted its transaction."""
    s = empty_store
    s.set_setting("timezone", TZ)
    s.replace_all(_organisation())

    def ordered() -> bool:
        return bool(s._exec("SELECT current_setting('preserve_insertion_order')")[0][0])

    real = EngineDefaults.replace_rows
    seen: list[bool] = []

    def spy(engine: Any, *args: Any) -> None:
        seen.append(ordered())
        real(engine, *args)

    monkeypatch.setattr(EngineDefaults, "replace_rows", spy)
    assert ordered()
    s.rebuild_rollups()
    assert len(seen) >= len(NAMES) and not any(seen)
    assert ordered()
    before = stored(s)

    def fail(engine: Any, *args: Any) -> None:
        real(engine, *args)
        engine.raw.execute("SELECT error('past the memory budget')")  # aborts the transaction

    monkeypatch.setattr(EngineDefaults, "replace_rows", fail)
    with pytest.raises(duckdb.Error, match="past the memory budget"):
        s.rebuild_rollups()
    monkeypatch.undo()
    assert ordered()
    assert stored(s) == before


@pytest.mark.slow
def test_a_rebuild_in_pieces_of_days_equals_one_at_once(
    empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB builds a roll-up a quarter of days per statement; in pieces of any size (down to
    a day: stages entered on other days, deals closed in another piece) the rows are those of
    one statement over every day, and a refresh of a long range is built in pieces too."""
    s = empty_store
    s.set_setting("timezone", TZ)
    s.replace_all(_organisation())
    engine = type(s._engine)
    assert engine.rollup_chunk_days == 92
    monkeypatch.setattr(engine, "rollup_chunk_days", None)
    s.rebuild_rollups()
    whole = stored(s)
    found = upkeep.data_days(s._engine, ROLLUPS["rollup_activities"])
    assert found is not None
    lo, hi = found
    span = (hi - lo).days
    assert span > 92
    statements: list[str] = []
    real = EngineDefaults.replace_rows

    def count(host: Any, name: str, columns: Any, keep: str, rows: Any) -> None:
        statements.append(name)
        real(host, name, columns, keep, rows)

    monkeypatch.setattr(EngineDefaults, "replace_rows", count)
    for days in (1, 7, 92):
        monkeypatch.setattr(engine, "rollup_chunk_days", days)
        statements.clear()
        s.rebuild_rollups()
        assert stored(s) == whole, days
        assert statements.count("rollup_activities") == -(-span // days), days
    # a refresh of most days of a long range (an import of a season) is built in pieces too
    monkeypatch.setattr(engine, "rollup_chunk_days", 7)
    statements.clear()
    every = {lo + k * timedelta(days=1) for k in range(span)}
    upkeep.refresh(s._engine, ROLLUPS["rollup_activities"], TZ, every)
    assert statements == ["rollup_activities"] * -(-span // 7)
    assert stored(s) == whole


def test_a_rebuild_commits_each_rollup_on_its_own(
    empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rollups rebuild` builds one roll-up per transaction (the engine holds one roll-up's new
    rows at a time): a failure keeps the roll-ups rebuilt before it and leaves the failed one,
    its state included, as it was."""
    s = empty_store
    s.set_setting("timezone", TZ)
    s.replace_all(_organisation())
    for name in ("rollup_deals", "rollup_activities"):  # changed behind the store's back
        s._exec(f"DELETE FROM {name} WHERE rep_id = 'R2'")
    broken = s.check_rollups()
    assert broken["rollup_deals"] and broken["rollup_activities"]
    real = upkeep.data_days

    def fail_on_activities(host: Any, r: Any) -> Any:
        if r.name == "rollup_activities":
            raise RuntimeError("the disk is full")
        return real(host, r)

    monkeypatch.setattr(upkeep, "data_days", fail_on_activities)
    with pytest.raises(RuntimeError, match="disk is full"):
        s.rebuild_rollups()
    monkeypatch.undo()
    after = s.check_rollups()
    assert after["rollup_deals"] == 0 and after["rollup_stages"] == 0  # rebuilt before it
    assert after["rollup_activities"] == broken["rollup_activities"]  # as it was
    assert usable(s.con, TZ) == frozenset(NAMES)  # the failed one's state kept too
    s.rebuild_rollups()
    assert all(v == 0 for v in s.check_rollups().values())


@pytest.mark.slow
def test_rollups_check_finds_a_changed_rollup(org: Store) -> None:
    runner = CliRunner()
    url = org.url
    ok = runner.invoke(app, ["rollups", "check", "--store", url])
    assert ok.exit_code == 0, ok.output
    assert "rollup_stages: equal to the raw tables" in ok.output
    n = org._exec("SELECT count(*) FROM rollup_deals WHERE rep_id = 'R2'")[0][0]
    assert n > 0
    if org.engine == "spark":  # a roll-up is a Parquet snapshot there: written anew
        with org.transaction():
            org._engine.replace_rows("rollup_deals", ROLLUPS["rollup_deals"].schema.names,
                                     "rep_id <> 'R2'", None)  # fmt: skip
    else:
        org._exec("DELETE FROM rollup_deals WHERE rep_id = 'R2'")
    assert org.check_rollups()["rollup_deals"] == n
    bad = runner.invoke(app, ["rollups", "check", "--store", url, "--lang", "nl"])
    assert bad.exit_code == 1
    assert f"rollup_deals: {n} rijen wijken af van de ruwe tabellen" in bad.output
    assert "rollup_activities: gelijk" in bad.output
    fixed = runner.invoke(app, ["rollups", "rebuild", "--store", url])
    assert fixed.exit_code == 0 and "rollup_deals:" in fixed.output
    assert runner.invoke(app, ["rollups", "check", "--store", url]).exit_code == 0


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_writes_at_once_never_count_a_row_twice(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes' writes on the same day, the second while the first is still open with its
    roll-up rows replaced: the second waits for the first to end before it replaces them (else
    each would keep its own, and the day would count rows twice)."""
    server = request.getfixturevalue("pg_server")
    name = f"busy_rollups_{tmp_path.name}"[:60].lower().replace("-", "_")
    url = server.create_database(name)
    first, second, watch = Store.open(url), Store.open(url), Store.open(url)
    try:
        first.set_setting("timezone", TZ)
        first.replace_all(_organisation())
        row = _activity(first, "A20")
        moves = [row | {"occurred_at": datetime(2025, 5, 20, h), "rep_id": "R1"} for h in (8, 9)]
        moves[1] = moves[1] | {"activity_id": "A21"}
        done = threading.Event()
        held: list[str] = []

        def later() -> None:
            second.merge_rows("activities", [moves[1]])
            done.set()

        def refresh_and_hold(host: Any, r: Any, tz: str, days: Any) -> None:
            """The first write, its roll-up rows replaced and not committed, starts the
            second and waits until that waits for a lock (or, without one, has ended)."""
            real_refresh(host, r, tz, days)
            if held or host is not first._engine:
                return
            held.append(r.name)
            threading.Thread(target=later, daemon=True).start()
            deadline = time.monotonic() + 60
            while not done.is_set() and time.monotonic() < deadline:
                waiting = watch._exec(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )[0][0]
                if waiting:
                    return
                done.wait(0.05)

        real_refresh = upkeep.refresh
        monkeypatch.setattr(upkeep, "refresh", refresh_and_hold)
        first.merge_rows("activities", [moves[0]])
        assert done.wait(60)
        assert all(v == 0 for v in first.check_rollups().values())
    finally:
        for s in (first, second, watch):
            s.close()
        server.drop_database(name)


class _Watched:
    """A lock that tells when a thread had to wait for it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.waited = threading.Event()

    def __enter__(self) -> _Watched:
        if not self._lock.acquire(blocking=False):
            self.waited.set()
            self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


@pytest.mark.slow
def test_two_writes_to_one_duckdb_file_at_once_take_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server's stores on one DuckDB file write from threads of their own: the second write
    begins only when the first has committed, so its roll-up refresh sees the first's rows."""
    org = Store.open(tmp_path / "store.duckdb")
    org.set_setting("timezone", TZ)
    org.replace_all(_organisation())
    assert org.path is not None
    watched = _Watched()
    monkeypatch.setattr(org._engine, "_writing", watched)
    second = Store.open(org.path)
    monkeypatch.setattr(second._engine, "_writing", watched)
    try:
        row = _activity(org, "A30")
        moves = [row | {"occurred_at": datetime(2025, 5, 21, h), "rep_id": "R2"} for h in (8, 9)]
        moves[1] = moves[1] | {"activity_id": "A31"}
        done: list[BaseException | None] = []

        def later() -> None:
            try:
                second.merge_rows("activities", [moves[1]])
                done.append(None)
            except BaseException as exc:  # reported below
                done.append(exc)

        thread = threading.Thread(target=later, daemon=True)

        def refresh_and_hold(host: Any, r: Any, tz: str, days: Any) -> None:
            real_refresh(host, r, tz, days)
            if host is org._engine and not thread.is_alive() and not done:
                thread.start()
                assert watched.waited.wait(60)  # the second write waits for this one

        real_refresh = upkeep.refresh
        monkeypatch.setattr(upkeep, "refresh", refresh_and_hold)
        org.merge_rows("activities", [moves[0]])
        thread.join(60)
        assert done == [None]
        assert all(v == 0 for v in org.check_rollups().values())
    finally:
        second.close()
        org.close()
