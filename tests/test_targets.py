"""Targets at every grain (spec: metrics.md, "Targets at every grain"), on a small organisation
whose targets are set per month only, every figure computed by hand: quarters take the sum of
their months, a team without a target its members', its own target where it has one; a longer
period's target is spread to months and weeks by working days, and says so; ratio targets are
never summed or spread. Health by quarter, the pages, the API and the command line's
scorecard all give the same attainment for the same scope and period.

The tree: Acme (ORG) > North (T1: Ann R1, Bob R2) and South (T2: Cas R3) > South-A (T2a: Dee
R4). Revenue targets per month of 2025-Q1 (January, February, March):

    Ann 10k 10k 10k = 30k     Bob 5k 5k 10k = 20k     North (own) 20k a month = 60k
    Cas 8k a month  = 24k     Dee 6k a month = 18k    South, South-A, Acme, org: none

so South = Cas + South-A (= Dee) = 42k, Acme = North's own 60k + South 42k = 102k, and the
organisation (no target of its own) = its top team Acme = 102k. Revenue won in 2025-Q1: Ann 28k,
Bob 25k, Cas 40k, Dee 10k.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from salesperf.analysis.health import HealthQuery, health
from salesperf.auth.users import add_user, password_hasher
from salesperf.cli.app import app as cli_app
from salesperf.ingest.importer import import_file
from salesperf.metrics.compiler import run, run_levels
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Compare, Query
from salesperf.metrics.targets import resolved_targets
from salesperf.server.app import create_app
from salesperf.store import Store
from webtools import PASSWORD, client_for, imported_store, settings

TODAY = date(2025, 4, 15)
Q1 = (date(2025, 1, 1), date(2025, 4, 1))
MONTHS = [("01", 31), ("02", 28), ("03", 31)]
REVENUE = {"R1": (10000, 10000, 10000), "R2": (5000, 5000, 10000),
           "R3": (8000, 8000, 8000), "R4": (6000, 6000, 6000)}  # fmt: skip
WON = {"R1": (("01-15", 12000), ("02-14", 10000), ("03-14", 6000)), "R2": (("03-10", 25000),),
       "R3": (("02-20", 40000),), "R4": (("01-20", 10000),)}  # fmt: skip
# 2025-Q1 by hand: target, revenue won, attainment
TARGET = {"R1": 30000, "R2": 20000, "R3": 24000, "R4": 18000,
          "T1": 60000, "T2": 24000 + 18000, "T2a": 18000, "ORG": 60000 + 42000}  # fmt: skip
ACTUAL = {"R1": 28000, "R2": 25000, "R3": 40000, "R4": 10000,
          "T1": 53000, "T2": 50000, "T2a": 10000, "ORG": 103000}  # fmt: skip
ATTAINMENT = {k: ACTUAL[k] / TARGET[k] for k in TARGET}
# working days (Monday to Friday) of January, February, March 2025: 23 + 20 + 21 = 64
WD = (23, 20, 21)


def _csvs() -> dict[str, str]:
    targets = ["scope,scope_id,metric,period_start,period_end,value"]
    for i, (m, last) in enumerate(MONTHS):
        span = f"2025-{m}-01,2025-{m}-{last}"
        targets += [f"rep,{r},revenue_won,{span},{v[i]}" for r, v in REVENUE.items()]
        targets.append(f"team,T1,revenue_won,{span},20000")
        targets.append(f"rep,R1,win_rate,{span},0.5")  # a ratio: never summed to the quarter
    targets.append("rep,R2,activities,2025-01-01,2025-03-31,640")  # spread by working days
    targets.append("rep,R2,win_rate,2025-01-01,2025-03-31,0.4")  # a ratio: never spread
    deals = ["deal_id,rep_id,created_at,status,amount,closed_at"]
    for rep, wins in WON.items():
        for n, (day, amount) in enumerate(wins):
            deals.append(f"D{rep}{n},{rep},2024-12-02,won,{amount},2025-{day}T12:00:00Z")
    return {
        "teams": "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT2,South,ORG\n"
        "T2a,South-A,T2\n",
        "reps": "rep_id,name,team_id,start_date\nR1,Ann,T1,2024-01-01\nR2,Bob,T1,2024-01-01\n"
        "R3,Cas,T2,2024-01-01\nR4,Dee,T2a,2024-01-01\n",
        "deals": "\n".join(deals) + "\n",
        "targets": "\n".join(targets) + "\n",
    }


@pytest.fixture(scope="module")
def monthly_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The organisation, imported through the product's own import into a DuckDB file."""
    store = imported_store(tmp_path_factory.mktemp("targets"), _csvs())
    yield store
    store.close()


@pytest.fixture(scope="module")
def monthly(monthly_file: Store, on_engine: Callable[[Store], Store]) -> Store:
    """The organisation on each engine in turn (DuckDB, PostgreSQL, Spark)."""
    return on_engine(monthly_file)


def _by_key(frames: dict[By, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for by, df in frames.items():
        col = {By.REP: "rep_id", By.TEAM: "team_id", By.ORG: "org"}[by]
        for rec in df.to_dict("records"):
            out["ORG!" if by is By.ORG else str(rec[col])] = rec
    return out


def _basis(v: Any) -> str | None:
    return v if isinstance(v, str) else None


@pytest.mark.slow
def test_targets_at_every_grain_by_hand(monthly: Store) -> None:
    """The metric layer on each engine: quarters sum months, teams their members (their own
    target first), longer targets spread by working days, ratio targets stay put."""
    q = Query(("revenue_won", "quota_attainment", "win_rate", "activities"), *Q1,
              grain=Grain.QUARTER, compare=(Compare.TARGET,))  # fmt: skip
    rows = _by_key(run_levels(monthly.con, q, (By.REP, By.TEAM, By.ORG)))
    for key, target in TARGET.items():
        assert rows[key]["revenue_won_target"] == pytest.approx(target), key
        assert rows[key]["revenue_won"] == pytest.approx(ACTUAL[key]), key
        assert rows[key]["quota_attainment"] == pytest.approx(ATTAINMENT[key]), key
    org = rows["ORG!"]  # the organisation: no target of its own, its top team Acme's
    assert (org["revenue_won_target"], org["quota_attainment"]) == pytest.approx(
        (102000, 103 / 102)
    )
    basis = {k: _basis(rows[k]["revenue_won_target_basis"]) for k in TARGET}
    assert basis == {"R1": "summed", "R2": "summed", "R3": "summed", "R4": "summed",
                     "T1": "summed", "T2": "members_summed", "T2a": "members_summed",
                     "ORG": "members_summed"}  # fmt: skip
    assert _basis(org["revenue_won_target_basis"]) == "members_summed"
    # ratio targets: Ann's monthly win rate target makes no quarterly one; Bob's quarterly holds
    assert rows["R1"]["win_rate_target"] != rows["R1"]["win_rate_target"]  # null (NaN)
    assert rows["R2"]["win_rate_target"] == pytest.approx(0.4)
    assert rows["T1"]["win_rate_target"] != rows["T1"]["win_rate_target"]  # never summed
    assert rows["R2"]["activities_target"] == pytest.approx(640)
    assert _basis(rows["R2"]["activities_target_basis"]) is None  # set for exactly the quarter

    # by month: Bob's quarterly 640 activities by working days, 640 * 23/64, * 20/64, * 21/64
    m = Query(("activities", "revenue_won", "win_rate"), *Q1, grain=Grain.MONTH, by=By.REP,
              compare=(Compare.TARGET,), reps=frozenset({"R1", "R2"}))  # fmt: skip
    bob = run(monthly.con, m).set_index(["rep_id", "period_start"]).loc["R2"]
    assert list(bob["activities_target"]) == pytest.approx([230, 200, 210])
    assert list(bob["activities_target_basis"]) == ["spread"] * 3
    assert bob["win_rate_target"].isna().all()  # the quarterly ratio is not spread
    assert list(bob["revenue_won_target"]) == pytest.approx([5000, 5000, 10000])
    assert bob["revenue_won_target_basis"].isna().all()  # its own, set per month
    teams = run(monthly.con, Query(("activities",), *Q1, grain=Grain.MONTH, by=By.TEAM,
                                   compare=(Compare.TARGET,)))  # fmt: skip
    north = teams[teams.team_id == "T1"]
    assert list(north["activities_target"]) == pytest.approx([230, 200, 210])  # Bob's share
    assert list(north["activities_target_basis"]) == ["members_spread"] * 3
    # January: South has no target: Cas's 8k and South-A's (Dee's) 6k; North its own 20k
    jan = run(monthly.con, Query(("revenue_won",), date(2025, 1, 1), date(2025, 2, 1),
                                 by=By.TEAM, compare=(Compare.TARGET,))).set_index("team_id")  # fmt: skip
    assert jan.loc["T2", "revenue_won_target"] == pytest.approx(14000)
    assert jan.loc["T1", "revenue_won_target"] == pytest.approx(20000)
    assert _basis(jan.loc["T1", "revenue_won_target_basis"]) is None

    # weeks: 2025-W10 (3-9 March) is 5 of the quarter's 64 working days of Bob's 640; the week
    # of 31 March to 6 April holds one working day of March (of 21) and no April target
    weeks = run(monthly.con, Query(("activities", "revenue_won"), date(2025, 3, 3),
                                   date(2025, 4, 7), grain=Grain.WEEK,
                                   compare=(Compare.TARGET,)))  # fmt: skip
    w = weeks.set_index(["rep_id", "period_start"])
    assert w.loc[("R2", date(2025, 3, 3)), "activities_target"] == pytest.approx(50)
    assert w.loc[("R1", date(2025, 3, 3)), "revenue_won_target"] == pytest.approx(10000 * 5 / 21)
    last = w.loc[("R1", date(2025, 3, 31))]
    assert last["revenue_won_target"] == pytest.approx(10000 / 21)
    assert last["revenue_won_target_basis"] == "spread"
    assert w.loc[("R2", date(2025, 3, 31)), "activities_target"] == pytest.approx(640 / 64)

    # the year 2025: the months set (only the first quarter's) summed
    year = run(monthly.con, Query(("revenue_won",), date(2025, 1, 1), date(2026, 1, 1),
                                  grain=Grain.YEAR, compare=(Compare.TARGET,)))  # fmt: skip
    assert year.set_index("rep_id").loc["R1", "revenue_won_target"] == pytest.approx(30000)


@pytest.mark.slow
def test_health_by_quarter_flags_the_teams_that_miss_in_monthly_terms(
    monthly_file: Store,
) -> None:
    """`salesperf health` (quarters): North misses its own 60k (53k, 88%), South-A its member
    Dee's 18k (10k, 56%); South (50k of 42k) and Acme (103k of 102k) do not; of the reps Ann
    (28k of 30k) and Dee miss."""
    h = health(monthly_file, HealthQuery(periods=1, min_missed=1, last="2025-Q1", today=TODAY))
    assert {r.id for r in h.flagged if r.scope is By.TEAM} == {"T1", "T2a"}
    assert {r.id for r in h.flagged if r.scope is By.REP} == {"R1", "R4"}
    for r in h.rows:
        (p,) = r.periods
        assert (p.target, p.actual) == pytest.approx((TARGET[r.id], ACTUAL[r.id])), r.id
        assert p.attainment == pytest.approx(ATTAINMENT[r.id]), r.id
    result = CliRunner().invoke(cli_app, [
        "health", "--periods", "1", "--min-missed", "1", "--last", "2025-Q1",
        "--as-of", TODAY.isoformat(), "--store", str(monthly_file.path), "--format", "json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert sorted(r["id"] for r in data["rows"] if r["flagged"]) == ["R1", "R4", "T1", "T2a"]
    south = next(r for r in data["rows"] if r["id"] == "T2")
    assert south["periods"][0]["target_basis"] == "members_summed"
    table = CliRunner().invoke(cli_app, [
        "health", "--grain", "month", "--periods", "3", "--last", "2025-03", "--as-of",
        TODAY.isoformat(), "--store", str(monthly_file.path), "--lang", "nl",
    ])  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "* Doel niet voor precies de periode vastgelegd: de som van de doelen van de leden." in (
        table.output.replace("\n", " ")
    )


def _scorecard_cli(store: Store, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli_app, [
        "scorecard", "--period", "2025-Q1", "--format", "json", "--store", str(store.path), *args,
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def _attainment(card: dict[str, Any]) -> dict[str, float]:
    return {r["key"]: r["values"]["quota_attainment"]["value"] for r in card["rows"]}


@pytest.fixture(scope="module")
def client(monthly_file: Store, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An administrator's client of an app on the organisation (on 15 April 2025)."""
    add_user(monthly_file, "admin", PASSWORD, "admin", hasher=password_hasher(cheap=True))
    path = Path(str(monthly_file.path))
    app = create_app(settings(path, today=TODAY, work_dir=tmp_path_factory.mktemp("work")))
    return client_for(app, "admin")[0]


def _get(client: Any, path: str, **params: Any) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:500]
    return r.json()


@pytest.mark.slow
def test_every_interface_gives_one_attainment(monthly_file: Store, client: Any) -> None:
    """2025-Q1 with monthly targets only: the overview (the organisation), the team pages,
    the rep page, the API's scorecard and the command line's give the hand-computed figures."""
    teams = {k: ATTAINMENT[k] for k in ("T1", "T2", "T2a", "ORG")}
    reps = {k: ATTAINMENT[k] for k in ("R1", "R2", "R3", "R4")}
    assert _attainment(_scorecard_cli(monthly_file, "--by", "team")) == pytest.approx(teams)
    assert _attainment(_scorecard_cli(monthly_file, "--by", "rep")) == pytest.approx(reps)
    org = _scorecard_cli(monthly_file, "--by", "org")
    assert _attainment(org) == pytest.approx({"org": 103 / 102})
    cell = org["rows"][0]["values"]["quota_attainment"]
    assert cell["target_basis"]["code"] == "members_summed"
    assert "members" in cell["target_basis"]["en"] and "leden" in cell["target_basis"]["nl"]
    api = _get(client, "/api/scorecard", by="team", period="2025-Q1")
    assert _attainment(api) == pytest.approx(teams)
    assert _attainment(_get(client, "/api/scorecard", by="rep", period="2025-Q1")) == (
        pytest.approx(reps)
    )
    overview = _get(client, "/api/overview", period="2025-Q1")
    assert _attainment(overview["kpis"]) == pytest.approx({"org": 103 / 102})
    north = _get(client, "/api/teams/T1", period="2025-Q1")
    assert _attainment(north["teams"]) == pytest.approx({"T1": ATTAINMENT["T1"]})
    assert _attainment(north["reps"]) == pytest.approx({"R1": reps["R1"], "R2": reps["R2"]})
    south = _get(client, "/api/teams/T2", period="2025-Q1")
    assert _attainment(south["teams"]) == pytest.approx({"T2": teams["T2"], "T2a": teams["T2a"]})
    acme = _get(client, "/api/teams/ORG", period="2025-Q1")
    assert _attainment(acme["teams"])["ORG"] == pytest.approx(103 / 102)
    ann = _get(client, "/api/reps/R1", period="2025-Q1")
    assert _attainment(ann["scorecard"]) == pytest.approx({"R1": 28 / 30})
    body = {"metrics": ["quota_attainment", "revenue_won"], "start": "2025-01-01",
            "end": "2025-04-01", "grain": "quarter", "by": "team", "compare": ["target"]}  # fmt: skip
    r = client.post("/api/query", json=body)
    assert r.status_code == 200, r.text
    got = {x["team_id"]: x for x in r.json()["rows"]}
    assert {k: x["quota_attainment"] for k, x in got.items()} == pytest.approx(teams)
    assert got["T2"]["revenue_won_target_basis"]["code"] == "members_summed"
    assert got["T1"]["revenue_won_target_basis"]["code"] == "summed"
    html = client.get("/teams/T2", params={"period": "2025-Q1"}).text
    assert (
        "the sum of its members&#39; targets" in html or "the sum of its members' targets" in html
    )
    client.cookies.set("salesperf_lang", "nl")
    try:
        html = client.get("/teams/T2", params={"period": "2025-Q1"}).text
    finally:
        client.cookies.delete("salesperf_lang")
    assert "de som van de doelen van de leden" in html


@pytest.mark.slow
def test_an_organisation_target_and_a_teams_own_come_first(
    store: Store, write: Callable[..., Path]
) -> None:
    """The small tree ORG > T1 (Ann, Bob), T2 (Cas): an organisation target that names the top
    team is that team's, ahead of its members'; a team's own target ahead of an organisation
    target naming it; the organisation's own ahead of its teams'."""
    targets = (
        "scope,scope_id,metric,period_start,period_end,value\n"
        "rep,R1,revenue_won,2025-01-01,2025-01-31,1000\n"
        "rep,R3,revenue_won,2025-01-01,2025-01-31,500\n"
        "org,ORG,revenue_won,2025-01-01,2025-03-31,9000\n"
    )
    assert import_file(store, "targets", write("t.csv", targets)).rejected == 0
    jan, q1 = (date(2025, 1, 1), date(2025, 2, 1)), Q1
    teams = resolved_targets(store.con, By.TEAM, "revenue_won", *q1)
    assert teams == {"ORG": (9000.0, None), "T1": (1000.0, "members_summed"),
                     "T2": (500.0, "members_summed")}  # fmt: skip
    assert resolved_targets(store.con, By.ORG, "revenue_won", *q1) == {"org": (9000.0, None)}
    # January: the quarter's 9000 by working days, 23 of 64
    assert resolved_targets(store.con, By.ORG, "revenue_won", *jan) == {
        "org": (pytest.approx(9000 * 23 / 64), "spread")
    }
    own = "scope,scope_id,metric,period_start,period_end,value\nteam,ORG,revenue_won,2025-01-01,2025-03-31,7000\n"
    assert import_file(store, "targets", write("t2.csv", own)).rejected == 0
    assert resolved_targets(store.con, By.TEAM, "revenue_won", *q1)["ORG"] == (7000.0, None)
    assert resolved_targets(store.con, By.ORG, "revenue_won", *q1) == {"org": (9000.0, None)}


def test_working_days_in_sql_are_the_analyses_working_days(empty_store: Store) -> None:
    """The share's working days, computed in the query, against `analysis.common.working_days`
    for every start weekday and lengths from an empty span to a year and more."""
    import ibis
    import pandas as pd

    from salesperf.analysis.windows import working_days as python_working_days
    from salesperf.metrics.targets import working_days

    spans = [(date(2025, 3, 3) + timedelta(days=s), n) for s in range(7) for n in range(-1, 400, 3)]
    df = pd.DataFrame(
        {"a": [a for a, _ in spans], "last": [a + timedelta(days=n) for a, n in spans]}
    )
    t = ibis.memtable(df).mutate(a=lambda x: x.a.cast("date"), last=lambda x: x.last.cast("date"))
    got = empty_store.con.execute(t.select(n=working_days(t.a, t.last)))["n"].tolist()
    want = [python_working_days(a, a + timedelta(days=n + 1)) if n >= 0 else 0 for a, n in spans]
    assert got == want
