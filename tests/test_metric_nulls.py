"""Null, never 0, where a denominator or an input is missing, and why: on a tiny organisation
computed by hand, through the library, `salesperf metrics explain` and the API.

The organisation (UTC): ORG > T1 (R1, R2), T2 (R3, R4); March 2025.

Activities: R1 calls A1 connected, A2 with no outcome; meetings A3 held, A4 with no outcome.
            R2 calls A5, A6 and meeting A7, none with an outcome. R3 one email A8. R4 nothing.
Deals (closed in March): R1 D1 won 1000 (account C1, its first win), D2 won without an amount,
            D3 lost 400. R2 D4 won without an amount (account C2). R4 D5 won 800, no account.
            R3 none.
Leads: L1 (R1) and L2 (R2) on 03-03, linked to no deal; no activity names a lead or a deal.
Surveys: R1 one CSAT response, score 4. Targets: R1 revenue_won 2000 for March.

By hand, per rep (R1, R2, R3, R4):
    call_connect_rate   1/2 = 0.5;  no outcome;  no call;  no call
    meetings_held_rate  1/2 = 0.5;  no outcome;  no meeting;  no meeting
    avg_deal_size       1000 / 1 (D2 has no amount; it used to count as 0: 500);  no amount;
                        no win;  800 / 1
    win_rate            2/3;  1/1;  nothing closed;  1/1
    lead_conversion     null for all: no lead in the store is linked to a deal (it was 0.0)
    touches_per_won     null for R1, R2, R4: no activity in the store is linked to a deal (0.0)
    repeat_revenue      0/1000 = 0.0;  revenue 0 (no amount);  no win;  no account (was 0.0)
    csat / nps          1.0, else no CSAT response; no NPS response for anyone
    speed_to_lead_h     no lead has an activity (R1, R2); no lead (R3, R4)
    retention_rate      no customer at the start of March, for all
    quota_attainment    1000 / 2000 = 0.5;  no target for R2, R3, R4
By team: T1 calls 4, connected 1 -> 0.25; avg 1000 / 1; T2 no call; avg 800 / 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from salesperf.cli.app import app as cli_app
from salesperf.ingest.importer import import_file
from salesperf.metrics.compiler import NULL_REASON, run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query, Split
from salesperf.metrics.registry import (
    METRICS as REGISTERED,
)
from salesperf.metrics.registry import (
    MetricType,
    computable,
    null_cases,
    null_reason,
)
from salesperf.scorecard import scorecard
from salesperf.store import Store

TINY = {
    "teams": "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT2,South,ORG\n",
    "reps": "rep_id,name,team_id\nR1,Ann,T1\nR2,Bob,T1\nR3,Cas,T2\nR4,Dee,T2\n",
    "accounts": "account_id,segment\nC1,smb\nC2,smb\n",
    "activities": (
        "activity_id,rep_id,type,occurred_at,outcome\n"
        "A1,R1,call,2025-03-03T12:00:00,connected\n"
        "A2,R1,call,2025-03-04T10:00:00,\n"
        "A3,R1,meeting,2025-03-05T10:00:00,held\n"
        "A4,R1,demo,2025-03-06T10:00:00,\n"
        "A5,R2,call,2025-03-03T10:00:00,\n"
        "A6,R2,call,2025-03-04T10:00:00,\n"
        "A7,R2,meeting,2025-03-05T10:00:00,\n"
        "A8,R3,email,2025-03-05T10:00:00,sent\n"
    ),
    "deals": (
        "deal_id,rep_id,created_at,status,amount,closed_at,account_id\n"
        "D1,R1,2025-02-01,won,1000,2025-03-10,C1\n"
        "D2,R1,2025-02-01,won,,2025-03-11,\n"
        "D3,R1,2025-02-01,lost,400,2025-03-12,\n"
        "D4,R2,2025-02-01,won,,2025-03-13,C2\n"
        "D5,R4,2025-02-01,won,800,2025-03-14,\n"
    ),
    "leads": "lead_id,created_at,source,rep_id\nL1,2025-03-03,inbound,R1\nL2,2025-03-03,inbound,R2\n",
    "surveys": "response_id,responded_at,scale,score,rep_id\nS1,2025-03-10,csat5,4,R1\n",
    "targets": (
        "scope,scope_id,metric,period_start,period_end,value\n"
        "rep,R1,revenue_won,2025-03-01,2025-03-31,2000\n"
    ),
}
START, END = date(2025, 3, 1), date(2025, 4, 1)
METRICS = ("call_connect_rate", "meetings_held_rate", "avg_deal_size", "win_rate",
           "lead_conversion_rate", "touches_per_won_deal", "repeat_revenue_share", "csat", "nps",
           "speed_to_lead_h", "retention_rate", "quota_attainment", "sales_cycle_days",
           "activities_per_win", "revenue_per_activity")  # fmt: skip
N = None

# (value, or the null reason's code when None is expected) for each rep, by hand (see above)
EXPECTED: dict[str, dict[str, Any]] = {
    "R1": dict(call_connect_rate=0.5, meetings_held_rate=0.5, avg_deal_size=1000.0,
               win_rate=2 / 3, lead_conversion_rate="no_lead_deal_links",
               touches_per_won_deal="no_activity_deal_links", repeat_revenue_share=0.0, csat=1.0,
               nps="no_nps_responses", speed_to_lead_h="no_touched_leads",
               retention_rate="no_customers_at_start", quota_attainment=0.5,
               sales_cycle_days=(37 + 38) / 2, activities_per_win=2.0, revenue_per_activity=250.0),
    "R2": dict(call_connect_rate="no_call_outcome", meetings_held_rate="no_meeting_outcome",
               avg_deal_size="no_amounts", win_rate=1.0, lead_conversion_rate="no_lead_deal_links",
               touches_per_won_deal="no_activity_deal_links", repeat_revenue_share="no_revenue",
               csat="no_csat_responses", nps="no_nps_responses",
               speed_to_lead_h="no_touched_leads", retention_rate="no_customers_at_start",
               quota_attainment="no_target", sales_cycle_days=40.0, activities_per_win=3.0,
               revenue_per_activity=0.0),
    "R3": dict(call_connect_rate="no_calls", meetings_held_rate="no_meetings",
               avg_deal_size="no_won_deals", win_rate="no_closed_deals",
               lead_conversion_rate="no_leads", touches_per_won_deal="no_won_deals",
               repeat_revenue_share="no_won_deals", csat="no_csat_responses",
               nps="no_nps_responses", speed_to_lead_h="no_leads",
               retention_rate="no_customers_at_start", quota_attainment="no_target",
               sales_cycle_days="no_won_deals", activities_per_win="no_won_deals",
               revenue_per_activity=0.0),
    "R4": dict(call_connect_rate="no_calls", meetings_held_rate="no_meetings",
               avg_deal_size=800.0, win_rate=1.0, lead_conversion_rate="no_leads",
               touches_per_won_deal="no_activity_deal_links", repeat_revenue_share="no_accounts",
               csat="no_csat_responses", nps="no_nps_responses", speed_to_lead_h="no_leads",
               retention_rate="no_customers_at_start", quota_attainment="no_target",
               sales_cycle_days=41.0, activities_per_win=0.0,
               revenue_per_activity="no_activities"),
}  # fmt: skip

runner = CliRunner()


@pytest.fixture
def tiny(empty_store: Store, write: Callable[..., Path]) -> Store:
    """The organisation above, imported through the product's own import."""
    for table in ("teams", "reps", "accounts", "activities", "deals", "leads", "surveys",
                  "targets"):  # fmt: skip
        result = import_file(empty_store, table, write(f"{table}.csv", TINY[table]))
        assert result.rejected == 0, result.problems
    return empty_store


def _q(store: Store, metrics: tuple[str, ...] = METRICS, **kw: Any) -> pd.DataFrame:
    q = Query(metrics=metrics, start=START, end=END, grain=Grain.ALL, **kw)
    return run(store.con, q, store.settings.timezone, reasons=True)


def _null(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _check(row: pd.Series, m: str, expected: Any) -> None:
    value, why = row[m], row[f"{m}{NULL_REASON}"]
    if isinstance(expected, str):
        assert _null(value) and why == expected, (row.iloc[0], m, value, why)
    else:
        assert not _null(value) and math.isclose(value, expected), (row.iloc[0], m, value)
        assert _null(why), (row.iloc[0], m, why)


@pytest.mark.parametrize("rep", sorted(EXPECTED))
@pytest.mark.slow
def test_each_metric_is_its_hand_value_or_null_with_its_reason(tiny: Store, rep: str) -> None:
    row = _q(tiny).set_index("rep_id").loc[rep]
    for m, expected in EXPECTED[rep].items():
        _check(row, m, expected)


@pytest.mark.slow
def test_teams_add_up_their_members_measures_before_the_ratio(tiny: Store) -> None:
    df = _q(tiny, ("call_connect_rate", "avg_deal_size", "win_rate"), by=By.TEAM)
    t1, t2 = df.set_index("team_id").loc["T1"], df.set_index("team_id").loc["T2"]
    _check(t1, "call_connect_rate", 1 / 4)  # R2's calls without an outcome still count
    _check(t1, "avg_deal_size", 1000.0)  # 1000 over D1 alone: D2 and D4 have no amount
    _check(t1, "win_rate", 3 / 4)
    _check(t2, "call_connect_rate", "no_calls")
    _check(t2, "avg_deal_size", 800.0)


@pytest.mark.slow
def test_a_lead_linked_to_a_deal_anywhere_makes_conversion_recorded(
    tiny: Store, write: Callable[..., Path]
) -> None:
    # one February lead linked to D1: now the March leads' conversion is a true 0, not unknown
    leads = "lead_id,created_at,source,rep_id,deal_id\nL9,2025-02-01,inbound,R1,D1\n"
    assert import_file(tiny, "leads", write("more.csv", leads)).rejected == 0
    df = _q(tiny, ("lead_conversion_rate",)).set_index("rep_id")
    _check(df.loc["R1"], "lead_conversion_rate", 0.0)
    _check(df.loc["R2"], "lead_conversion_rate", 0.0)
    _check(df.loc["R3"], "lead_conversion_rate", "no_leads")
    # and within a scope without any linked lead of its own, it stays a recorded 0
    df = _q(tiny, ("lead_conversion_rate",), reps=frozenset({"R2"}))
    _check(df.set_index("rep_id").loc["R2"], "lead_conversion_rate", 0.0)


@pytest.mark.slow
def test_an_activity_linked_to_a_deal_makes_touches_and_speed_recorded(
    tiny: Store, write: Callable[..., Path]
) -> None:
    # A9: a call on D1 and lead L1, nine hours after L1 was created (2025-03-03 00:00 UTC)
    acts = ("activity_id,rep_id,type,occurred_at,outcome,deal_id,lead_id\n"
            "A9,R1,call,2025-03-03T09:00:00,connected,D1,L1\n")  # fmt: skip
    assert import_file(tiny, "activities", write("more.csv", acts)).rejected == 0
    df = _q(tiny, ("touches_per_won_deal", "speed_to_lead_h", "call_connect_rate"))
    df = df.set_index("rep_id")
    _check(df.loc["R1"], "touches_per_won_deal", 0.5)  # median of D1 1 and D2 0
    _check(df.loc["R2"], "touches_per_won_deal", 0.0)  # D4 had none
    _check(df.loc["R3"], "touches_per_won_deal", "no_won_deals")
    _check(df.loc["R1"], "speed_to_lead_h", 9.0)
    _check(df.loc["R2"], "speed_to_lead_h", "no_touched_leads")
    _check(df.loc["R1"], "call_connect_rate", 2 / 3)  # A1 and A9 of A1, A2, A9


@pytest.mark.slow
def test_a_typed_metric_gives_its_reason_too(tiny: Store) -> None:
    df = _q(tiny, ("call_connect_rate:call", "activities_per_day:call")).set_index("rep_id")
    _check(df.loc["R1"], "call_connect_rate:call", 0.5)
    _check(df.loc["R2"], "call_connect_rate:call", "no_call_outcome")
    _check(df.loc["R3"], "call_connect_rate:call", "no_calls")
    _check(df.loc["R1"], "activities_per_day:call", 2 / 21)  # March 2025 has 21 weekdays


@pytest.mark.slow
def test_a_split_metric_gives_its_reason_per_row(tiny: Store, write: Callable[..., Path]) -> None:
    acts = ("activity_id,rep_id,type,occurred_at,outcome,deal_id\n"
            "A9,R1,call,2025-03-03T09:00:00,connected,D1\n"
            "A10,R1,email,2025-03-03T09:00:00,sent,D3\n")  # fmt: skip
    assert import_file(tiny, "activities", write("more.csv", acts)).rejected == 0
    df = _q(tiny, ("type_to_win_rate",), split=Split.TYPE)
    got = {(r.rep_id, r.type): r.type_to_win_rate for r in df.itertuples()}
    assert got == {("R1", "call"): 1.0, ("R1", "email"): 0.0}


@pytest.mark.slow
def test_without_reasons_the_values_are_the_same_and_no_reason_column_is_added(
    tiny: Store,
) -> None:
    q = Query(metrics=METRICS, start=START, end=END, grain=Grain.ALL)
    plain = run(tiny.con, q, tiny.settings.timezone)
    assert not [c for c in plain.columns if c.endswith(NULL_REASON)]
    with_reasons = _q(tiny)
    pd.testing.assert_frame_equal(plain, with_reasons[plain.columns])


def test_every_null_case_is_declared_once_in_both_languages() -> None:
    for name in computable():
        cases = null_cases(name)
        assert len({c.code for c in cases}) == len(cases), name
        for c in cases:
            assert c.en.strip() and c.nl.strip() and c.en != c.nl, (name, c.code)
            assert null_reason(name, c.code) is c
    # every ratio says why it can be null
    undeclared = [
        n for n, m in REGISTERED.items() if m.formula and len(m.formula.needs) > 1 and not m.nulls
    ]
    assert not undeclared
    targets = {n for n, m in REGISTERED.items() if m.type is MetricType.TARGET}
    assert targets == {"quota_attainment", "target_gap"}
    assert all(REGISTERED[n].nulls for n in targets)


# -- as a user sees it --------------------------------------------------------------------------
@pytest.mark.slow
def test_the_scorecard_carries_the_reason(tiny: Store) -> None:
    card = scorecard(tiny, by="rep", period="2025-03",
                     metrics=("call_connect_rate", "avg_deal_size"))  # fmt: skip
    rows = {r.key: r for r in card.rows}
    assert rows["R2"].cells["call_connect_rate"].null_reason == "no_call_outcome"
    assert rows["R1"].cells["call_connect_rate"].null_reason is None
    values = {r["key"]: r["values"] for r in card.to_json()["rows"]}
    assert values["R2"]["call_connect_rate"]["value"] is None
    assert values["R2"]["call_connect_rate"]["null_reason"] == {
        "code": "no_call_outcome", "en": "no call has an outcome recorded",
        "nl": "bij geen enkel gesprek is een uitkomst vastgelegd",
    }  # fmt: skip
    assert values["R1"]["avg_deal_size"] == {
        "value": 1000.0, "previous": None, "change": None, "target": None, "attainment": None,
        "null_reason": None, "target_basis": None,
    }  # fmt: skip


@pytest.mark.slow
def test_metrics_explain_lists_the_null_cases_and_shows_why_a_figure_is_empty(
    tiny: Store,
) -> None:
    path = str(tiny.path)
    r = runner.invoke(cli_app, ["metrics", "explain", "call_connect_rate", "--store", path])
    assert r.exit_code == 0, r.output
    assert "no_call_outcome: no call has an outcome recorded" in r.output
    assert "bij geen enkel gesprek is een uitkomst vastgelegd" in r.output
    r = runner.invoke(cli_app, ["metrics", "explain", "call_connect_rate", "--store", path,
                                "--period", "2025-03"])  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert "  Ann (R1): 50.0%" in lines
    assert "  Bob (R2): —  no call has an outcome recorded" in lines
    assert "  Cas (R3): —  no call was made in the period" in lines
    r = runner.invoke(cli_app, ["metrics", "explain", "lead_conversion_rate", "--store", path,
                                "--period", "2025-03", "--by", "team", "--lang", "nl"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "  North (T1): —  geen enkele lead is aan een deal gekoppeld" in r.output.splitlines()


@pytest.mark.slow
def test_the_api_says_why_a_value_is_null(tiny: Store) -> None:
    from salesperf.auth.users import add_user, password_hasher
    from webtools import PASSWORD, app_for, client_for

    add_user(tiny, "boss", PASSWORD, "admin", hasher=password_hasher(cheap=True))
    client, _ = client_for(app_for(tiny.path), "boss")
    body = {"metrics": ["win_rate", "avg_deal_size", "lead_conversion_rate"],
            "start": "2025-03-01", "end": "2025-04-01", "grain": "all"}  # fmt: skip
    r = client.post("/api/query", json=body)
    assert r.status_code == 200, r.text
    rows = {x["rep_id"]: x for x in r.json()["rows"]}
    assert rows["R1"]["avg_deal_size"] == 1000.0 and rows["R1"]["avg_deal_size_null_reason"] is None
    assert rows["R3"]["win_rate"] is None
    assert rows["R3"]["win_rate_null_reason"] == {
        "code": "no_closed_deals", "en": "no deals were closed in the period",
        "nl": "er is in de periode geen deal gesloten",
    }  # fmt: skip
    assert rows["R2"]["avg_deal_size_null_reason"]["code"] == "no_amounts"
    assert rows["R1"]["lead_conversion_rate_null_reason"]["en"] == "no lead is linked to a deal"
    card = client.get("/api/scorecard", params={"period": "2025-03", "metrics": "win_rate"}).json()
    r3 = next(x for x in card["rows"] if x["key"] == "R3")
    assert r3["values"]["win_rate"]["null_reason"]["code"] == "no_closed_deals"
    listed = {m["name"]: m for m in client.get("/api/metrics").json()}
    assert {"code": "no_call_outcome", "en": "no call has an outcome recorded",
            "nl": "bij geen enkel gesprek is een uitkomst vastgelegd"} in (
        listed["call_connect_rate"]["null_when"])  # fmt: skip
