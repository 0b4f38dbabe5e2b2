"""Roll-ups: every metric the same from the roll-ups as from the raw rows, on every engine.

A seeded organisation with what makes roll-ups hard: a time zone that changes its offset inside
the range (activities in the hour around it), date-only stamps, accounts shared by reps, deals in
two currencies (one day's rate missing) and without amounts, stages entered twice and out of
order, kinds and sources. Each query runs twice, once reading the roll-ups and once the raw
tables only, and the figures must agree; the roll-up side must really read the roll-ups.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from salesperf.metrics.compiler import Compiler, run, run_levels, run_measures
from salesperf.metrics.periods import Grain, date_only
from salesperf.metrics.query import By, Compare, Query, Split
from salesperf.metrics.registry import computable
from salesperf.store import Store
from salesperf.store.maintain import rebuild
from salesperf.store.rollups import ROLLUPS

TZ = "Europe/Amsterdam"
REPS = ("R1", "R2", "R3", "R4", "R5")
TYPES = ("call", "email", "meeting", "demo", "proposal")
OUTCOMES = {
    "call": ("connected", "no_answer", None),
    "meeting": ("held", "no_show", None),
    "demo": ("held", None),
    "email": ("sent", "replied"),
    "proposal": (None,),
}
STAGES = ("qualify", "demo", "proposal", "negotiation")


def _organisation(seed: int = 7) -> dict[str, pa.Table]:
    rnd = random.Random(seed)
    start = datetime(2025, 2, 20)
    teams = pa.table(
        {
            "team_id": ["ORG", "T1", "T2", "T2a"],
            "name": ["Org", "North", "South", "South-A"],
            "parent_team_id": [None, "ORG", "ORG", "T2"],
            "manager_rep_id": [None] * 4,
        }
    )
    reps = pa.table(
        {
            "rep_id": list(REPS),
            "name": [f"Rep {r}" for r in REPS],
            "email": [None] * len(REPS),
            "team_id": ["T1", "T1", "T2", "T2a", "T2a"],
            "role": ["rep"] * len(REPS),
            "start_date": [None, None, date(2025, 3, 10), None, None],
            "end_date": [None] * len(REPS),
        }
    )
    acts = []
    for i in range(900):
        t = rnd.choice(TYPES)
        if i % 9 == 0:  # around the change to summer time (30 March, 01:00 UTC)
            when = datetime(2025, 3, 29, 22) + timedelta(minutes=rnd.randrange(0, 240))
        elif i % 13 == 0:  # a date-only value
            when = date_only((start + timedelta(days=rnd.randrange(0, 100))).date())
        else:
            when = start + timedelta(minutes=rnd.randrange(0, 100 * 24 * 60))
        acts.append(
            {
                "activity_id": f"A{i}",
                "rep_id": rnd.choice(REPS),
                "type": t,
                "occurred_at": when,
                "duration_min": rnd.choice([None, 5.0, 12.5, 30.0]),
                "outcome": rnd.choice(OUTCOMES[t]),
                "deal_id": f"D{rnd.randrange(60)}" if rnd.random() < 0.4 else None,
                "lead_id": None,
                # a few accounts, so that reps share them
                "account_id": f"C{rnd.randrange(25)}" if rnd.random() < 0.8 else None,
            }
        )
    deals, stages = [], []
    for i in range(60):
        created = start + timedelta(days=rnd.randrange(0, 80), hours=rnd.randrange(24))
        status = rnd.choice(["won", "won", "lost", "open"])
        closed = (
            created + timedelta(days=rnd.randrange(1, 40), minutes=rnd.randrange(1440))
            if status != "open"
            else None
        )
        if i % 7 == 0 and closed is not None:  # closed in the first hour of a summer day
            closed = datetime(2025, 4, 14, 22, 30)
        deals.append(
            {
                "deal_id": f"D{i}",
                "rep_id": rnd.choice(REPS),
                "created_at": created,
                "status": status,
                "amount": None if i % 11 == 0 else float(rnd.randrange(100, 5000)),
                "currency": rnd.choice(["EUR", "EUR", "USD", None]),
                "closed_at": closed,
                "account_id": f"C{rnd.randrange(25)}",
                "stage": None,
                "kind": rnd.choice(["new_business", "expansion", None]),
                "lost_reason": None,
                "source": rnd.choice(["inbound", "referral", "outbound"]),
            }
        )
        at = created
        for s in rnd.sample(STAGES, rnd.randrange(1, 5)):  # any order, a stage sometimes twice
            at += timedelta(days=rnd.randrange(0, 6), hours=rnd.randrange(24))
            stages.append({"deal_id": f"D{i}", "stage": s, "entered_at": at})
            if rnd.random() < 0.2:
                stages.append(
                    {"deal_id": f"D{i}", "stage": s, "entered_at": at + timedelta(days=3)}
                )
    # USD rates on some days only: a deal converts at the last rate on or before its day, and
    # one on a day before the first rate has none (its amount is null)
    rates = [(date(2025, 2, 25) + timedelta(days=d), 0.9 + d / 1000) for d in range(0, 120, 3)]
    fx = pa.table(
        {
            "currency": ["USD"] * len(rates),
            "date": [d for d, _ in rates],
            "rate": [r for _, r in rates],
        }
    )
    return {
        "teams": teams,
        "reps": reps,
        "activities": pa.Table.from_pylist(acts),
        "deals": pa.Table.from_pylist(deals),
        "deal_stages": pa.Table.from_pylist(stages),
        "fx_rates": fx,
    }


@pytest.fixture(scope="module")
def rolled_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Store.open(tmp_path_factory.mktemp("rollups") / "store.duckdb")
    s.set_setting("timezone", TZ)
    s.replace_all(_organisation())
    rebuild(s)
    return s


@pytest.fixture(scope="module")
def rolled(rolled_duckdb: Store, on_engine) -> Store:  # type: ignore[no-untyped-def]
    """The organisation with its roll-ups built, on each engine."""
    s = on_engine(rolled_duckdb)
    if s is not rolled_duckdb:
        rebuild(s)
    return s


START, END = date(2025, 3, 1), date(2025, 5, 1)
METRICS = tuple(
    m for m in computable() if m not in ("quota_attainment", "target_gap", "type_to_win_rate")
)
TYPED = ("activities:call", "accounts_touched:demo", "active_days:email", "activities_per_day:demo")
PAIRS = ("stage_conversion:demo>proposal", "stage_conversion:qualify>negotiation")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The same figures: counts exactly, money and ratios to 1e-9."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b) and len(a) > 0
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False, rtol=1e-9
    )


CASES = {
    "rep by week": Query(METRICS, START, END, grain=Grain.WEEK),
    "team by month, previous": Query(
        METRICS, START, END, by=By.TEAM, grain=Grain.MONTH, compare=(Compare.PREVIOUS,)
    ),
    "org by day": Query(METRICS, START, END, by=By.ORG, grain=Grain.DAY),
    "rep, all": Query(METRICS, START, END, grain=Grain.ALL, compare=(Compare.PREVIOUS,)),
    "typed and pairs, team by quarter": Query(
        TYPED + PAIRS, START, END, by=By.TEAM, grain=Grain.QUARTER
    ),
    "split by type": Query(
        ("activities", "accounts_touched", "active_days", "call_connect_rate", "type_to_win_rate"),
        START, END, grain=Grain.MONTH, split=Split.TYPE,
    ),
    "split by kind": Query(
        ("deals_won", "revenue_won", "win_rate", "pipeline_created", *PAIRS),
        START, END, by=By.TEAM, grain=Grain.MONTH, split=Split.KIND,
    ),
    "filtered by source": Query(
        ("deals_won", "avg_deal_size", "deals_created", *PAIRS),
        START, END, grain=Grain.MONTH, filters=((Split.SOURCE, "inbound"),),
    ),
    "some reps": Query(METRICS, START, END, grain=Grain.WEEK, reps=frozenset({"R2", "R4"})),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_every_metric_the_same_from_the_rollups(rolled: Store, case: str) -> None:
    q = CASES[case]
    both = [run(rolled.con, q, TZ, rolled.settings.currency, rollups=use) for use in (True, False)]
    _same(*both)


@pytest.mark.slow
def test_several_levels_and_a_display_currency_the_same(rolled: Store) -> None:
    q = Query(METRICS, START, END, grain=Grain.MONTH, compare=(Compare.PREVIOUS,))
    levels = (By.REP, By.TEAM, By.ORG)
    for to in (None, "USD"):
        a, b = (
            run_levels(rolled.con, q, levels, TZ, "EUR", to, rollups=use) for use in (True, False)
        )
        for by in levels:
            _same(a[by], b[by])


@pytest.mark.slow
def test_measures_the_same(rolled: Store) -> None:
    q = Query(("win_rate", "call_connect_rate", *PAIRS), START, END, grain=Grain.MONTH)
    _same(*(run_measures(rolled.con, q, TZ, "EUR", rollups=use) for use in (True, False)))


def test_the_rollups_are_read(rolled_duckdb: Store) -> None:
    """The queries above really read the roll-ups (else they compare the raw rows to
    themselves): the activity and deal counts, money and stage pairs come from them."""
    c = Compiler(rolled_duckdb.con, TZ)
    q = Query(("activities", "accounts_touched", "revenue_won", "deals_created", *PAIRS),
              START, END, by=By.TEAM, grain=Grain.MONTH)  # fmt: skip
    sql = c.to_sql(q, c.plan(q))
    for table in ROLLUPS:  # the pairs too: the accounts several reps share, for the teams
        assert f'"{table}"' in sql
    for table in ("activities", "deals", "deal_stages"):
        assert f'FROM "{table}"' not in sql
    raw = Compiler(rolled_duckdb.con, TZ, rollups=False)
    assert "rollup_" not in raw.to_sql(q, raw.plan(q))


def test_another_time_zone_reads_the_raw_rows(rolled_duckdb: Store) -> None:
    """Roll-ups built in one zone hold that zone's days: a query in another reads the rows."""
    c = Compiler(rolled_duckdb.con, "America/New_York")
    q = Query(("activities",), START, END)
    assert "rollup_" not in c.to_sql(q, c.plan(q))
    _same(
        run(rolled_duckdb.con, q, "America/New_York"),
        run(rolled_duckdb.con, q, "America/New_York", rollups=False),
    )


def test_rollups_hold_what_the_rows_say(rolled_duckdb: Store, tmp_path: Path) -> None:
    """Counted independently, with pandas from the raw rows: activities per rep and local day
    and the distinct accounts of each."""
    a = rolled_duckdb.table("activities").to_pandas()
    local = a.occurred_at.dt.tz_localize("UTC").dt.tz_convert(TZ).dt.tz_localize(None)
    marked = a.occurred_at.dt.time == date_only(date(2025, 1, 1)).time()
    day = local.where(~marked, a.occurred_at.dt.normalize()).dt.date
    want = a.assign(day=day).groupby(["rep_id", "day"]).size()
    r = rolled_duckdb.table("rollup_activities").to_pandas()
    got = r.groupby(["rep_id", "day"])["_n"].sum()
    got.index = got.index.set_levels(pd.to_datetime(got.index.levels[1]).date, level=1)
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    accounts = a.assign(day=day).dropna(subset=["account_id"])
    want_acc = accounts.groupby(["rep_id"])["account_id"].nunique().to_dict()
    ra = rolled_duckdb.table("rollup_accounts").to_pandas()
    assert ra.groupby("rep_id")["account_id"].nunique().to_dict() == want_acc
    pairs = rolled_duckdb.table("rollup_account_reps").to_pandas()
    assert not pairs.duplicated().any()
    want_pairs = set(accounts[["rep_id", "account_id"]].itertuples(index=False, name=None))
    assert set(pairs.itertuples(index=False, name=None)) == want_pairs
    shared = accounts.groupby("account_id")["rep_id"].nunique()
    assert (shared > 1).sum() >= 5  # reps share accounts here: the teams' counts need them
