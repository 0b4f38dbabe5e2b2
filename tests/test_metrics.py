"""Every scorecard metric on a small hand-built organisation, against hand-computed values.

The organisation's time zone is Europe/Amsterdam, and some rows sit on a week or month boundary
that only the local time puts right.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from salesperf.ingest.importer import import_file
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain, parse_period
from salesperf.metrics.query import By, Compare, Query, Split
from salesperf.metrics.registry import computable
from salesperf.store import Store

#: Each test that asks for a store runs on DuckDB and on PostgreSQL (tests/conftest.py).
STORE_ENGINES = ("duckdb", "postgres")

# the customer, lead-cohort and touch metrics are checked on their own data set
# (tests/test_cohort_metrics.py): this organisation has no accounts, lead links or deal links
ELSEWHERE = {"speed_to_lead_h", "customers_acquired", "retention_rate", "repeat_revenue_share",
             "lead_conversion_rate", "touches_per_won_deal", "type_to_win_rate"}  # fmt: skip
ALL = tuple(m for m in computable() if m not in ELSEWHERE)
MARCH = parse_period("2025-03")
NULL = None

# Hand-computed, March 2025 (see the rows above). March 2025 has 21 weekdays; R1 was absent one.
EXPECTED_REPS = {
    "R1": dict(activities=4, active_days=3, accounts_touched=1, call_connect_rate=0.5,
               meetings_held_rate=0.5, deals_won=1, deals_lost=1, win_rate=0.5, revenue_won=1000,
               avg_deal_size=1000, sales_cycle_days=32, deals_created=1, pipeline_created=500, csat=0.5, nps=NULL,
               referral_leads=1, activities_per_day=4 / 20, revenue_per_activity=250,
               wins_per_100_activities=25, activities_per_win=4, quota_attainment=0.5,
               target_gap=1000),
    "R2": dict(activities=1, active_days=1, accounts_touched=0, call_connect_rate=NULL,
               meetings_held_rate=NULL, deals_won=0, deals_lost=0, win_rate=NULL, revenue_won=0,
               avg_deal_size=NULL, sales_cycle_days=NULL, deals_created=1, pipeline_created=3000, csat=NULL,
               nps=NULL, referral_leads=0, activities_per_day=1 / 21, revenue_per_activity=0,
               wins_per_100_activities=0, activities_per_win=NULL, quota_attainment=NULL,
               target_gap=NULL),
    "R3": dict(activities=1, active_days=1, accounts_touched=1, call_connect_rate=1.0,
               meetings_held_rate=NULL, deals_won=1, deals_lost=0, win_rate=1.0, revenue_won=2000,
               avg_deal_size=2000, sales_cycle_days=69, deals_created=1, pipeline_created=700, csat=NULL, nps=0.0,
               referral_leads=0, activities_per_day=1 / 21, revenue_per_activity=2000,
               wins_per_100_activities=100, activities_per_win=1, quota_attainment=NULL,
               target_gap=NULL),
    "R4": dict(activities=0, active_days=0, accounts_touched=0, call_connect_rate=NULL,
               meetings_held_rate=NULL, deals_won=0, deals_lost=0, win_rate=NULL, revenue_won=0,
               avg_deal_size=NULL, sales_cycle_days=NULL, deals_created=0, pipeline_created=0, csat=NULL,
               nps=NULL, referral_leads=0, activities_per_day=0.0, revenue_per_activity=NULL,
               wins_per_100_activities=NULL, activities_per_win=NULL, quota_attainment=NULL,
               target_gap=NULL),
}  # fmt: skip


def _q(org: Store, **kw: object) -> pd.DataFrame:
    params: dict[str, object] = dict(
        metrics=ALL, start=MARCH.start, end=MARCH.end, grain=Grain.MONTH
    )
    params.update(kw)
    return run(org.con, Query(**params), org.settings.timezone)  # type: ignore[arg-type]


def _same(actual: object, expected: object) -> bool:
    if expected is None:
        return (
            actual is None or actual is pd.NA or (isinstance(actual, float) and math.isnan(actual))
        )
    return (
        actual is not pd.NA and actual is not None and math.isclose(float(actual), float(expected))
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("rep", sorted(EXPECTED_REPS))
@pytest.mark.slow
def test_every_metric_for_every_rep_matches_the_hand_computation(org: Store, rep: str) -> None:
    df = _q(org).set_index("rep_id")
    row = df.loc[rep]
    assert row["period_start"] == date(2025, 3, 1)
    wrong = {m: (row[m], v) for m, v in EXPECTED_REPS[rep].items() if not _same(row[m], v)}
    assert not wrong, wrong
    assert set(EXPECTED_REPS[rep]) == set(ALL)


@pytest.mark.slow
def test_undefined_ratios_are_null_never_zero(org: Store) -> None:
    df = _q(org).set_index("rep_id")
    # R4 closed nothing and did nothing: its win rate and revenue per activity are undefined
    assert pd.isna(df.loc["R4", "win_rate"])
    assert pd.isna(df.loc["R4", "revenue_per_activity"])
    # while its counts are honest zeros
    assert df.loc["R4", "activities"] == 0 and df.loc["R4", "deals_won"] == 0


@pytest.mark.slow
def test_teams_roll_up_their_whole_subtree(org: Store) -> None:
    df = _q(org, by=By.TEAM).set_index("team_id")
    # T1 = R1 + R2 (R2 sits in T1a, under T1); ORG = everyone
    assert df.loc["T1", "activities"] == 5
    assert df.loc["T1a", "activities"] == 1
    assert df.loc["ORG", "activities"] == 6
    assert df.loc["T1", "win_rate"] == pytest.approx(0.5)
    assert df.loc["ORG", "win_rate"] == pytest.approx(2 / 3)  # 2 won, 1 lost: not the mean of rates
    assert df.loc["ORG", "revenue_won"] == 3000
    assert df.loc["T1", "pipeline_created"] == 3500
    assert df.loc["T1", "deals_created"] == 2 and df.loc["ORG", "deals_created"] == 3
    assert df.loc["T1", "quota_attainment"] == pytest.approx(1000 / 5000)
    assert df.loc["T2", "nps"] == pytest.approx(0.0)
    assert df.loc["T1", "activities_per_day"] == pytest.approx(5 / (20 + 21))
    org_row = _q(org, by=By.ORG).iloc[0]
    assert org_row["org"] == "org"
    assert org_row["quota_attainment"] == pytest.approx(3000 / 6000)


@pytest.mark.slow
def test_team_figures_equal_a_recomputation_from_the_members_rows(org: Store) -> None:
    teams = _q(org, by=By.TEAM).set_index("team_id")
    reps = _q(org).set_index("rep_id")
    members = {
        "ORG": ["R1", "R2", "R3", "R4"],
        "T1": ["R1", "R2"],
        "T1a": ["R2"],
        "T2": ["R3", "R4"],
    }
    for team, rs in members.items():
        m = reps.loc[rs]
        assert teams.loc[team, "activities"] == m["activities"].sum()
        assert teams.loc[team, "revenue_won"] == m["revenue_won"].sum()
        won, lost = m["deals_won"].sum(), m["deals_lost"].sum()
        expected = won / (won + lost) if won + lost else None
        assert _same(teams.loc[team, "win_rate"], expected), team
        calls_conn = {"ORG": 2 / 3, "T1": 1 / 2, "T1a": None, "T2": 1.0}[team]
        assert _same(teams.loc[team, "call_connect_rate"], calls_conn), team


def test_iso_weeks_and_months_follow_the_organisations_time_zone(org: Store) -> None:
    weeks = _q(org, metrics=("activities",), start=date(2025, 3, 3), end=date(2025, 3, 17),
               grain=Grain.WEEK)  # fmt: skip
    r2 = weeks[weeks.rep_id == "R2"].set_index("period_start")["activities"]
    # 23:30 UTC on Sunday is 00:30 on Monday in Amsterdam: the next ISO week
    assert r2.to_dict() == {date(2025, 3, 3): 0, date(2025, 3, 10): 1}
    april = _q(org, metrics=("activities", "deals_won", "revenue_won"), start=date(2025, 4, 1),
               end=date(2025, 5, 1)).set_index("rep_id")  # fmt: skip
    assert (april.loc["R2", "activities"], april.loc["R2", "deals_won"]) == (1, 1)
    assert april.loc["R2", "revenue_won"] == 3000


def test_the_same_data_in_utc_puts_the_boundary_rows_elsewhere(org: Store) -> None:
    org.set_setting("timezone", "UTC")
    march = _q(org, metrics=("activities",)).set_index("rep_id")
    assert march.loc["R2", "activities"] == 2  # both of R2's boundary rows are March in UTC


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025-07-01..2025-09-30", date(2025, 7, 1), date(2025, 10, 1)),
        ("2025-Q1..2025-Q4", date(2025, 1, 1), date(2026, 1, 1)),
        ("2025-11..2026-02", date(2025, 11, 1), date(2026, 3, 1)),
        ("2025-W52..2026-W01", date(2025, 12, 22), date(2026, 1, 5)),
        ("2025-Q4..2025-12-15", date(2025, 10, 1), date(2025, 12, 16)),
    ],
)
def test_a_range_runs_from_the_start_of_its_first_period_to_the_end_of_its_last(
    text: str, start: date, end: date
) -> None:
    p = parse_period(text)
    assert (p.start, p.end, p.label) == (start, end, text)


@pytest.mark.parametrize("text", ["2025-Q4..2025-Q1", "2025-Q1..2025-Q2..2025-Q3", "2025-Q1.."])
def test_a_backwards_or_broken_range_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a period"):
        parse_period(text)


def test_previous_period_and_last_year(org: Store) -> None:
    df = _q(org, metrics=("activities", "win_rate"), start=date(2025, 4, 1), end=date(2025, 5, 1),
            compare=(Compare.PREVIOUS, Compare.LAST_YEAR)).set_index("rep_id")  # fmt: skip
    assert df.loc["R1", "activities_prev"] == 4
    assert df.loc["R1", "win_rate_prev"] == pytest.approx(0.5)
    assert df.loc["R2", "activities"] == 1 and df.loc["R2", "activities_prev"] == 1
    assert df.loc["R1", "activities_last_year"] == 0  # employed then, and idle


def test_whole_range_grain_and_scope_filter(org: Store) -> None:
    df = _q(org, metrics=("activities", "revenue_won"), start=date(2025, 1, 1), end=date(2025, 7, 1),
            grain=Grain.ALL, reps=frozenset({"R1", "R2"})).set_index("rep_id")  # fmt: skip
    assert set(df.index) == {"R1", "R2"}
    assert df.loc["R2", "activities"] == 2
    assert df.loc["R2", "revenue_won"] == 3000
    assert set(df.period_start) == {date(2025, 1, 1)}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (dict(metrics=("happiness",)), "unknown or non-scorecard metric"),
        (dict(metrics=()), "at least one metric"),
        (dict(start=date(2025, 3, 1), end=date(2025, 3, 1)), "period range is empty"),
    ],
)
def test_bad_queries_are_refused_clearly(kwargs: dict[str, object], words: str) -> None:
    params: dict[str, object] = dict(metrics=("activities",), start=MARCH.start, end=MARCH.end)
    params.update(kwargs)
    with pytest.raises(ValueError, match=words):
        Query(**params)  # type: ignore[arg-type]


def test_split_by_activity_type(org: Store) -> None:
    df = _q(org, metrics=("activities", "activities_per_day", "call_connect_rate", "deals_won"),
            split=Split.TYPE, compare=(Compare.PREVIOUS,))  # fmt: skip
    r1 = df[df.rep_id == "R1"].set_index("type")
    assert r1["activities"].to_dict() == {"call": 2, "demo": 1, "meeting": 1}
    assert r1.loc["call", "call_connect_rate"] == pytest.approx(0.5)
    assert r1.loc["call", "activities_per_day"] == pytest.approx(2 / 20)
    assert r1["deals_won"].isna().all()  # deals have no activity type
    assert (r1["activities_prev"].fillna(0) == 0).all()


def test_split_by_segment_and_kind(org: Store, write: Callable[..., Path]) -> None:
    import_file(org, "accounts", write("acc.csv", "account_id,segment\nC1,smb\nC2,enterprise\n"))
    df = _q(org, metrics=("activities", "accounts_touched"), split=Split.SEGMENT, by=By.ORG)
    seg = df.set_index("segment")
    assert seg.loc["smb", "activities"] == 2 and seg.loc["enterprise", "activities"] == 1
    assert seg.loc["smb", "accounts_touched"] == 1
    with pytest.raises(ValueError, match="not per split"):
        Query(("win_rate",), MARCH.start, MARCH.end, split=Split.KIND, compare=(Compare.TARGET,))


@pytest.mark.slow
def test_python_callers_may_use_plain_words(org: Store) -> None:
    from salesperf.scorecard import scorecard

    card = scorecard(org, by="team", grain="month", period="2025-03")
    assert card.by is By.TEAM
    assert {r.key: r.cells["activities"].value for r in card.rows}["T1"] == 5
    with pytest.raises(ValueError, match="is not a valid By"):
        Query(("activities",), MARCH.start, MARCH.end, by="planet")  # type: ignore[arg-type]


@pytest.mark.slow
def test_activity_metrics_of_one_type_and_their_targets(
    org: Store, write: Callable[..., Path]
) -> None:
    """`activities:demo` counts demos only, and meets the targets set for it."""
    targets = (
        "scope,scope_id,metric,period_start,period_end,value\n"
        "rep,R1,activities:call,2025-03-01,2025-03-31,4\n"
    )
    import_file(org, "targets", write("t2.csv", targets))
    df = _q(org, metrics=("activities", "activities:call", "activities_per_day:call"),
            compare=(Compare.TARGET,)).set_index("rep_id")  # fmt: skip
    assert df.loc["R1", "activities"] == 4
    assert df.loc["R1", "activities:call"] == 2
    assert df.loc["R1", "activities_per_day:call"] == pytest.approx(2 / 20)
    assert df.loc["R1", "activities:call_target"] == 4
    assert df.loc["R1", "activities:call_attainment"] == pytest.approx(0.5)
    assert df.loc["R4", "activities:call"] == 0
    teams = _q(org, metrics=("activities:call",), by=By.TEAM).set_index("team_id")
    assert teams.loc["ORG", "activities:call"] == 3  # A1, A2 and A7; A6 falls in April
    with pytest.raises(ValueError, match="activities:demo"):
        Query(("win_rate:demo",), MARCH.start, MARCH.end)


def test_filters_keep_only_rows_with_a_value(org: Store, write: Callable[..., Path]) -> None:
    import_file(org, "accounts", write("acc.csv", "account_id,segment\nC1,smb\nC2,enterprise\n"))
    calls = _q(org, metrics=("activities", "deals_won"),
               filters=((Split.TYPE, "call"),)).set_index("rep_id")  # fmt: skip
    assert calls.loc["R1", "activities"] == 2  # A1 and A2 of R1's four
    assert calls["deals_won"].isna().all()  # deals have no activity type: no part, never 0
    smb = _q(org, metrics=("activities", "accounts_touched"), by=By.ORG,
             filters=(("segment", "smb"),)).iloc[0]  # fmt: skip
    assert (smb["activities"], smb["accounts_touched"]) == (2, 1)
    with pytest.raises(ValueError, match="is not a valid Split"):
        Query(("activities",), MARCH.start, MARCH.end, filters=(("colour", "red"),))  # type: ignore[arg-type]


def test_working_days_follow_employment_and_absence(org: Store, write: Callable[..., Path]) -> None:
    """A rep who left on 14 March works 10 days of March (3-7 and 10-14), minus an absence."""
    reps = "rep_id,name,team_id,start_date,end_date\nR5,Eve,T2,2024-01-01,2025-03-14\n"
    import_file(org, "reps", write("r5.csv", reps))
    import_file(org, "absences", write("a5.csv", "rep_id,date\nR5,2025-03-12\nR5,2025-03-15\n"))
    acts = "activity_id,rep_id,type,occurred_at\nX1,R5,call,2025-03-03 10:00\nX2,R5,call,2025-03-04 10:00\n"
    import_file(org, "activities", write("x.csv", acts))
    df = _q(org, metrics=("activities", "activities_per_day")).set_index("rep_id")
    # 10 weekdays up to the 14th; the 12th is an absence; the 15th is a Saturday anyway
    assert df.loc["R5", "activities_per_day"] == pytest.approx(2 / 9)
    april = _q(org, metrics=("activities",), start=date(2025, 4, 1), end=date(2025, 5, 1))
    assert "R5" not in set(april.rep_id)  # no longer employed, no row


def test_a_sales_cycle_from_another_season_counts_its_own_local_days(
    store: Store, write: Callable[..., Path]
) -> None:
    """A deal created in winter and won in summer: its created day is read with winter's
    offset (22:30 UTC on 10 January is 23:30 that day in Amsterdam, not 00:30 the next), so
    the cycle is 10 January to 10 June, 151 days."""
    store.set_setting("timezone", "Europe/Amsterdam")
    deals = (
        "deal_id,rep_id,created_at,status,amount,closed_at\n"
        "D1,R1,2025-01-10T22:30:00Z,won,100,2025-06-10T10:00:00Z\n"
    )
    assert import_file(store, "deals", write("deals.csv", deals)).rejected == 0
    q = Query(("sales_cycle_days",), date(2025, 6, 1), date(2025, 7, 1), grain=Grain.ALL)
    df = run(store.con, q, "Europe/Amsterdam").set_index("rep_id")
    assert df.loc["R1", "sales_cycle_days"] == (date(2025, 6, 10) - date(2025, 1, 10)).days
