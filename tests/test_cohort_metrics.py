"""Customer, lead-cohort and touch metrics on their own small organisation, computed by hand.

The organisation (time zone UTC): ORG > T1 (R1) > T1a (R2); ORG > T2 (R3, R4).

Customers (an account's first won deal -> its churn), attributed to the rep of that deal:
    C4  R3  2024-12-01 (D4) -> churned 2025-02-10
    C1  R1  2025-01-15 (D1)
    C2  R2  2025-02-01 (D3) -> churned 2025-03-20
    C5  R2  2025-03-20 (D6)
    C3  R1  2025-03-28 (D8)
    C6  R3  2025-04-10 (D11)

Deals won in March 2025: D2 R1 500 (C1, created 02-01: C1 a customer since 01-15 -> repeat),
D8 R1 400 (C3's first), D6 R2 3000 (C5's first), D10 R2 600 (C2, created 02-15: a customer
since 02-01, churned only 03-20 -> repeat), D5 R3 1500 (C4 churned 02-10, before D5 was created
on 03-01 -> not repeat). Lost in March: D7 R1. Open: D9 R3.

Leads (created, rep, deal -> won, first activity):
    L1 03-02 R1 inbound  D8 won 03-28   A1 03-02 10:00 (10 h)
    L2 03-04 R1 referral D7 lost        A3 03-05 00:00 (24 h)
    L3 03-06 R1 inbound  -              no activity (no speed)
    L4 03-05 R2 referral D6 won 03-20   A4 03-05 06:00 (6 h)
    L5 02-20 R2 outbound D10 won 03-18  A7 02-21 00:00 (24 h)
    L6 03-25 R3 outbound D9 open        A5 03-27 00:00 (48 h)
    L7 03-12 R3 inbound  D11 won 04-10  A6 03-12 03:00 (3 h)

Activities linked to deals (touches, and their types):
    D2: none   D8: A1 call, A2 email, A8 meeting (3)   D6: A4 call, A9 demo (2)
    D10: A7 call (1)   D5: A11 meeting, A12 call, A13 email, A14 call (4)
    D7 (lost): A3 call, A15 email
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
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Compare, Query, Split
from salesperf.store import Store

#: Each test that asks for a store runs on DuckDB and on PostgreSQL (tests/conftest.py).
STORE_ENGINES = ("duckdb", "postgres")

COHORT = {
    "teams": "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT1a,North-A,T1\nT2,South,ORG\n",
    "reps": "rep_id,name,team_id\nR1,Ann,T1\nR2,Bob,T1a\nR3,Cas,T2\nR4,Dee,T2\n",
    "accounts": (
        "account_id,segment,churned_at\n"
        "C1,smb,\nC2,smb,2025-03-20\nC3,enterprise,\nC4,smb,2025-02-10\nC5,enterprise,\nC6,smb,\n"
    ),
    "deals": (
        "deal_id,rep_id,created_at,status,amount,closed_at,account_id\n"
        "D1,R1,2024-12-01,won,1000,2025-01-15,C1\n"
        "D2,R1,2025-02-01,won,500,2025-03-10,C1\n"
        "D3,R2,2025-01-05,won,2000,2025-02-01,C2\n"
        "D4,R3,2024-11-01,won,800,2024-12-01,C4\n"
        "D5,R3,2025-03-01,won,1500,2025-03-15,C4\n"
        "D6,R2,2025-03-02,won,3000,2025-03-20,C5\n"
        "D7,R1,2025-03-03,lost,700,2025-03-25,C3\n"
        "D8,R1,2025-03-05,won,400,2025-03-28,C3\n"
        "D9,R3,2025-03-10,open,900,,C3\n"
        "D10,R2,2025-02-15,won,600,2025-03-18,C2\n"
        "D11,R3,2025-03-12,won,250,2025-04-10,C6\n"
    ),
    "leads": (
        "lead_id,created_at,source,rep_id,deal_id\n"
        "L1,2025-03-02,inbound,R1,D8\nL2,2025-03-04,referral,R1,D7\nL3,2025-03-06,inbound,R1,\n"
        "L4,2025-03-05,referral,R2,D6\nL5,2025-02-20,outbound,R2,D10\n"
        "L6,2025-03-25,outbound,R3,D9\nL7,2025-03-12,inbound,R3,D11\n"
    ),
    "activities": (
        "activity_id,rep_id,type,occurred_at,outcome,deal_id,lead_id\n"
        "A1,R1,call,2025-03-02T10:00:00,connected,D8,L1\n"
        "A2,R1,email,2025-03-02T12:00:00,sent,D8,L1\n"
        "A3,R1,call,2025-03-05T00:00:00,connected,D7,L2\n"
        "A4,R2,call,2025-03-05T06:00:00,connected,D6,L4\n"
        "A5,R3,email,2025-03-27T00:00:00,sent,,L6\n"
        "A6,R3,call,2025-03-12T03:00:00,connected,D11,L7\n"
        "A7,R2,call,2025-02-21T00:00:00,connected,D10,L5\n"
        "A8,R1,meeting,2025-03-20T10:00:00,held,D8,\n"
        "A9,R2,demo,2025-03-10T10:00:00,held,D6,\n"
        "A11,R3,meeting,2025-03-05T10:00:00,held,D5,\n"
        "A12,R3,call,2025-03-06T10:00:00,connected,D5,\n"
        "A13,R3,email,2025-03-07T10:00:00,sent,D5,\n"
        "A14,R3,call,2025-03-08T10:00:00,no_answer,D5,\n"
        "A15,R1,email,2025-03-24T10:00:00,sent,D7,\n"
    ),
}

METRICS = ("customers_acquired", "retention_rate", "repeat_revenue_share",
           "lead_conversion_rate", "speed_to_lead_h", "touches_per_won_deal")  # fmt: skip
N = None  # undefined: null, never 0

# March 2025, by hand (see the module docstring).
EXPECTED = {
    # customers_acquired: C3 (R1) and C5 (R2).
    # retention: at the start C1 (R1), C2 (R2); at the end C1, C3 (R1), C5 (R2) (C2 churned).
    #   R1 (2-1)/1, R2 (1-1)/1; T1 and ORG (3-2)/2; R3, R4 and T2 had no customer at the start.
    # repeat share: R1 500/900; R2 600/3600; R3 0/1500; T1 1100/4500; ORG 1100/6000.
    # conversion: R1 L1 of L1-L3; R2 L4 of L4; R3 none of L6, L7 (D11 is won after March).
    # speed: R1 median(10, 24); R2 6; R3 median(48, 3); T1 median(10, 24, 6); ORG + 48, 3.
    # touches: R1 median(0, 3); R2 median(2, 1); R3 4; T1 median(0, 3, 2, 1); ORG + 4.
    "rep": {
        "R1": (1, 1.0, 500 / 900, 1 / 3, 17.0, 1.5),
        "R2": (1, 0.0, 600 / 3600, 1.0, 6.0, 1.5),
        "R3": (0, N, 0.0, 0.0, 25.5, 4.0),
        "R4": (0, N, N, N, N, N),
    },
    "team": {
        "T1": (2, 0.5, 1100 / 4500, 2 / 4, 10.0, 1.5),
        "T1a": (1, 0.0, 600 / 3600, 1.0, 6.0, 1.5),
        "T2": (0, N, 0.0, 0.0, 25.5, 4.0),
        "ORG": (2, 0.5, 1100 / 6000, 2 / 6, 10.0, 2.0),
    },
    "org": {"org": (2, 0.5, 1100 / 6000, 2 / 6, 10.0, 2.0)},
}


@pytest.fixture
def cohort(empty_store: Store, write: Callable[..., Path]) -> Store:
    """The organisation above, imported through the product's own import."""
    for table in ("teams", "reps", "accounts", "deals", "leads", "activities"):
        result = import_file(empty_store, table, write(f"{table}.csv", COHORT[table]))
        assert result.rejected == 0, result.problems
    return empty_store


def _q(store: Store, metrics: tuple[str, ...] = METRICS, **kw: object) -> pd.DataFrame:
    params: dict[str, object] = dict(
        metrics=metrics, start=date(2025, 3, 1), end=date(2025, 4, 1), grain=Grain.MONTH
    )
    params.update(kw)
    return run(store.con, Query(**params), store.settings.timezone)  # type: ignore[arg-type]


def _same(actual: object, expected: float | None) -> bool:
    if expected is None:
        return (
            actual is None or actual is pd.NA or (isinstance(actual, float) and math.isnan(actual))
        )
    return actual is not pd.NA and actual is not None and math.isclose(float(actual), expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("by", [By.REP, By.TEAM, By.ORG])
@pytest.mark.slow
def test_every_new_metric_matches_the_hand_computation(cohort: Store, by: By) -> None:
    key = {By.REP: "rep_id", By.TEAM: "team_id", By.ORG: "org"}[by]
    df = _q(cohort, by=by).set_index(key)
    expected = EXPECTED[by.value]
    assert set(df.index) == set(expected)
    wrong = {
        (k, m): (df.loc[k, m], v)
        for k, values in expected.items()
        for m, v in zip(METRICS, values, strict=True)
        if not _same(df.loc[k, m], v)
    }
    assert not wrong, wrong


@pytest.mark.slow
def test_teams_equal_a_recomputation_from_their_members_counts(cohort: Store) -> None:
    reps = _q(cohort, ("customers_acquired",)).set_index("rep_id")["customers_acquired"]
    teams = _q(cohort, ("customers_acquired",), by=By.TEAM).set_index("team_id")
    members = {
        "ORG": ["R1", "R2", "R3", "R4"],
        "T1": ["R1", "R2"],
        "T1a": ["R2"],
        "T2": ["R3", "R4"],
    }
    for team, rs in members.items():
        assert teams.loc[team, "customers_acquired"] == reps.loc[rs].sum(), team


@pytest.mark.slow
def test_retention_follows_the_customers_period_by_period(cohort: Store) -> None:
    df = _q(cohort, ("retention_rate", "customers_acquired"), start=date(2025, 2, 1))
    feb = df[df.period_start == date(2025, 2, 1)].set_index("rep_id")
    # February: at the start C1 (R1) and C4 (R3, churns 02-10); C2 (R2) is acquired on 02-01;
    # at the end C1 (R1), C2 (R2). R1 (1-0)/1; R2 none at the start; R3 (0-0)/1.
    assert _same(feb.loc["R1", "retention_rate"], 1.0)
    assert _same(feb.loc["R2", "retention_rate"], None)
    assert _same(feb.loc["R3", "retention_rate"], 0.0)
    assert feb.loc["R2", "customers_acquired"] == 1
    march = df[df.period_start == date(2025, 3, 1)].set_index("rep_id")
    assert _same(march.loc["R1", "retention_rate"], 1.0)  # the same as a March-only query
    org = _q(cohort, ("retention_rate",), start=date(2025, 2, 1), by=By.ORG)
    # ORG in February: (2 - 1) / 2
    assert _same(org.set_index("period_start").loc[date(2025, 2, 1), "retention_rate"], 0.5)


@pytest.mark.slow
def test_lead_conversion_waits_for_the_end_of_the_observation_window(cohort: Store) -> None:
    # queried for March and April, the window ends on 1 May: L7's deal (won 04-10) counts
    df = _q(cohort, ("lead_conversion_rate",), end=date(2025, 5, 1)).set_index(
        ["rep_id", "period_start"]
    )
    assert _same(df.loc[("R3", date(2025, 3, 1)), "lead_conversion_rate"], 1 / 2)
    assert _same(df.loc[("R1", date(2025, 3, 1)), "lead_conversion_rate"], 1 / 3)
    assert _same(df.loc[("R3", date(2025, 4, 1)), "lead_conversion_rate"], None)  # no leads
    # L5 (R2, February) converted on 03-18: not yet by the end of February, yes by March's end
    feb = _q(cohort, ("lead_conversion_rate",), start=date(2025, 2, 1), end=date(2025, 3, 1))
    assert _same(feb.set_index("rep_id").loc["R2", "lead_conversion_rate"], 0.0)
    both = _q(cohort, ("lead_conversion_rate",), start=date(2025, 2, 1)).set_index(
        ["rep_id", "period_start"]
    )
    assert _same(both.loc[("R2", date(2025, 2, 1)), "lead_conversion_rate"], 1.0)


@pytest.mark.slow
def test_lead_conversion_by_source(cohort: Store) -> None:
    df = _q(cohort, ("lead_conversion_rate",), by=By.ORG, split=Split.SOURCE).set_index("source")
    # inbound L1 (won), L3, L7; referral L2, L4 (won); outbound L6
    assert _same(df.loc["inbound", "lead_conversion_rate"], 1 / 3)
    assert _same(df.loc["referral", "lead_conversion_rate"], 1 / 2)
    assert _same(df.loc["outbound", "lead_conversion_rate"], 0.0)
    r1 = _q(cohort, ("lead_conversion_rate",), split=Split.SOURCE)
    r1 = r1[r1.rep_id == "R1"].set_index("source")
    assert _same(r1.loc["inbound", "lead_conversion_rate"], 1 / 2)
    assert _same(r1.loc["referral", "lead_conversion_rate"], 0.0)


@pytest.mark.slow
def test_type_to_win_rate_one_row_per_activity_type(cohort: Store) -> None:
    # closed in March, with their activity types: D2 won (none), D5 won (meeting, call, email),
    # D6 won (call, demo), D7 lost (call, email), D8 won (call, email, meeting), D10 won (call)
    org = _q(cohort, ("type_to_win_rate",), by=By.ORG, split=Split.TYPE).set_index("type")
    assert {t: round(v, 4) for t, v in org["type_to_win_rate"].items()} == {
        "call": 0.8, "demo": 1.0, "email": round(2 / 3, 4), "meeting": 1.0,
    }  # fmt: skip
    reps = _q(cohort, ("type_to_win_rate",), split=Split.TYPE).set_index(["rep_id", "type"])
    assert _same(reps.loc[("R1", "call"), "type_to_win_rate"], 0.5)  # D7 lost, D8 won
    assert _same(reps.loc[("R1", "email"), "type_to_win_rate"], 0.5)
    assert _same(reps.loc[("R2", "call"), "type_to_win_rate"], 1.0)  # D6, D10
    teams = _q(cohort, ("type_to_win_rate",), by=By.TEAM, split=Split.TYPE)
    t1 = teams.set_index(["team_id", "type"])
    assert _same(t1.loc[("T1", "call"), "type_to_win_rate"], 3 / 4)  # D6, D7, D8, D10
    assert _same(t1.loc[("T2", "meeting"), "type_to_win_rate"], 1.0)  # D5


@pytest.mark.slow
def test_counts_are_whole_but_median_touches_are_not(cohort: Store) -> None:
    df = _q(cohort).set_index("rep_id")
    assert df.loc["R1", "customers_acquired"] == 1
    assert df.loc["R1", "touches_per_won_deal"] == pytest.approx(1.5)


@pytest.mark.slow
def test_no_leads_means_no_conversion_and_no_speed_never_zero(cohort: Store) -> None:
    jan = _q(cohort, start=date(2025, 1, 1), end=date(2025, 2, 1)).set_index("rep_id")
    assert jan["lead_conversion_rate"].isna().all()
    assert jan["speed_to_lead_h"].isna().all()
    assert jan.loc["R1", "customers_acquired"] == 1  # C1
    assert _same(jan.loc["R1", "repeat_revenue_share"], 0.0)  # D1 made C1 a customer
    assert _same(jan.loc["R2", "repeat_revenue_share"], None)  # nothing won
    assert _same(jan.loc["R3", "retention_rate"], 1.0)  # C4 kept through January


@pytest.mark.slow
def test_an_empty_organisation_has_nulls_and_zeros(store: Store) -> None:
    df = _q(store).set_index("rep_id")
    assert (df["customers_acquired"] == 0).all()
    for m in METRICS[1:]:
        assert df[m].isna().all(), m


@pytest.mark.slow
def test_comparisons_work_for_the_new_metrics(cohort: Store) -> None:
    df = _q(cohort, ("customers_acquired", "retention_rate"), compare=(Compare.PREVIOUS,))
    r2 = df.set_index("rep_id").loc["R2"]
    assert r2["customers_acquired"] == 1 and r2["customers_acquired_prev"] == 1  # C5; C2
    assert _same(r2["retention_rate_prev"], None)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (dict(metrics=("type_to_win_rate",)), "split=type"),
        (dict(metrics=("type_to_win_rate",), split=Split.SOURCE), "split=type"),
        (dict(metrics=("stage_conversion",)), "pair of stages"),
    ],
)
def test_metrics_that_need_more_are_refused_clearly(kwargs: dict[str, object], words: str) -> None:
    params: dict[str, object] = dict(start=date(2025, 3, 1), end=date(2025, 4, 1))
    params.update(kwargs)
    with pytest.raises(ValueError, match=words):
        Query(**params)  # type: ignore[arg-type]


@pytest.mark.slow
def test_stage_conversion_of_a_pair_of_stages(
    empty_store: Store, write: Callable[..., Path]
) -> None:
    """Of the deals that entered `demo` in the period, the share that later entered `proposal`."""
    s = empty_store
    files = {
        "teams": "team_id,name,parent_team_id\nORG,Org,\nT1,One,ORG\n",
        "reps": "rep_id,name,team_id\nR1,Ann,T1\nR2,Bob,T1\nR3,Cas,T1\n",
        "deals": (
            "deal_id,rep_id,created_at,status\n"
            "D1,R1,2025-02-01,open\nD2,R1,2025-02-01,open\nD3,R2,2025-02-01,open\n"
            "D4,R2,2025-02-01,open\nD5,R1,2025-02-01,open\n"
        ),
        "deal_stages": (
            "deal_id,stage,entered_at\n"
            "D1,demo,2025-03-05\nD1,proposal,2025-03-10\n"  # March cohort, converted
            "D2,demo,2025-03-07\n"  # March cohort, not (yet) converted
            "D3,demo,2025-02-20\nD3,proposal,2025-03-02\n"  # February cohort
            "D4,proposal,2025-03-01\nD4,demo,2025-03-03\n"  # proposal came before demo: not later
            "D5,demo,2025-03-04\nD5,demo,2025-03-20\nD5,proposal,2025-03-25\n"  # first entry counts
        ),
    }
    for table, text in files.items():
        assert import_file(s, table, write(f"{table}.csv", text)).rejected == 0
    name = "stage_conversion:demo>proposal"
    q = Query((name, "deals_won"), date(2025, 3, 1), date(2025, 4, 1), Grain.MONTH, By.REP)
    df = run(s.con, q, s.settings.timezone).set_index("rep_id")
    assert df.loc["R1", name] == pytest.approx(2 / 3)  # D1 and D5 of D1, D2, D5
    assert df.loc["R2", name] == pytest.approx(0.0)  # D4 only (D3 entered demo in February)
    assert pd.isna(df.loc["R3", name])  # no deal entered demo: undefined, never 0
    team = run(s.con, Query((name,), date(2025, 3, 1), date(2025, 4, 1), Grain.MONTH, By.TEAM),
               s.settings.timezone).set_index("team_id")  # fmt: skip
    assert team.loc["T1", name] == pytest.approx(2 / 4)
    feb = run(s.con, Query((name,), date(2025, 2, 1), date(2025, 3, 1), Grain.MONTH, By.REP),
              s.settings.timezone).set_index("rep_id")  # fmt: skip
    assert feb.loc["R2", name] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="stage_conversion:demo>proposal"):
        Query(("stage_conversion",), date(2025, 3, 1), date(2025, 4, 1))
    with pytest.raises(ValueError, match="unknown or non-scorecard"):
        Query(("stage_conversion:demo",), date(2025, 3, 1), date(2025, 4, 1))
