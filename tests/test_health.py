"""Team health: attainment per period, the flag, the trend and the activity check, on a small
organisation computed by hand and on the demo organisation's planted under-target team; and the
health command."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from salesperf.analysis.health import Health, HealthQuery, health
from salesperf.analysis.plan.core import PlanQuery, plan
from salesperf.cli.app import app
from salesperf.metrics.query import By
from salesperf.store import Store
from webtools import imported_store

runner = CliRunner()
TODAY = date(2025, 5, 14)  # current period May 2025; pace weeks 2025-04-14..2025-05-11


def _csvs() -> dict[str, str]:
    """Ann (North) wins one deal a month; Bob (South) too; targets per month: Ann 25k, 20k,
    40k, 20k (attainment 80%, 100%, 50%, 150%); Bob 5k, then 20k (200%, 50%, 50%, 50%); North
    30k a month (67%, 67%, 67%, 100%). South has no team target: it takes Bob's; Acme (the top
    team) neither: North's and South's, 35k, then 50k. No target is set for May."""
    deals = ["deal_id,rep_id,created_at,status,amount,closed_at"]
    targets = ["scope,scope_id,metric,period_start,period_end,value"]
    months = [(1, 31), (2, 28), (3, 31), (4, 30)]
    ann, bob = (20000, 20000, 20000, 30000), (10000, 10000, 10000, 10000)
    for i, (m, last) in enumerate(months):
        deals.append(f"D{i}A,R1,2025-{m:02d}-02T09:00:00Z,won,{ann[i]},2025-{m:02d}-20T15:00:00Z")
        deals.append(f"D{i}B,R2,2025-{m:02d}-02T09:00:00Z,won,{bob[i]},2025-{m:02d}-21T15:00:00Z")
        deals.append(f"D{i}C,R1,2025-{m:02d}-03T09:00:00Z,lost,5000,2025-{m:02d}-22T15:00:00Z")
        span = f"2025-{m:02d}-01,2025-{m:02d}-{last}"
        targets.append(f"rep,R1,revenue_won,{span},{(25000, 20000, 40000, 20000)[i]}")
        targets.append(f"rep,R2,revenue_won,{span},{(5000, 20000, 20000, 20000)[i]}")
        targets.append(f"team,T1,revenue_won,{span},30000")
    acts = ["activity_id,rep_id,type,occurred_at,outcome"]
    for i in range(40):  # demos in the first quarter, 20 each
        day = date(2025, 1, 6) + timedelta(days=2 * i)
        acts.append(f"Q{i},{'R1' if i % 2 else 'R2'},demo,{day}T10:00:00Z,held")
    for i in range(8):  # Ann's pace: 8 demos in the four weeks from 14 April
        acts.append(f"P{i},R1,demo,{date(2025, 4, 14) + timedelta(days=3 * i)}T10:00:00Z,held")
    return {
        "teams": "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT2,South,ORG\n",
        "reps": "rep_id,name,team_id,start_date,end_date\nR1,Ann,T1,2024-01-01,\n"
        "R2,Bob,T2,2024-01-01,\nR3,Cas,T1,2024-01-01,2024-12-31\n",
        "deals": "\n".join(deals) + "\n",
        "activities": "\n".join(acts) + "\n",
        "targets": "\n".join(targets) + "\n",
    }


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The small organisation of `_csvs`, imported through the product's own import into a
    DuckDB file (the command-line tests open it by its path)."""
    store = imported_store(tmp_path_factory.mktemp("health"), _csvs())
    yield store
    store.close()


@pytest.fixture(scope="module")
def small(small_file: Store, on_engine: Callable[[Store], Store]) -> Store:
    """The small organisation on each engine in turn (DuckDB, PostgreSQL, Spark)."""
    return on_engine(small_file)


@pytest.fixture(scope="module")
def monthly(small: Store) -> Health:
    """Four months to April 2025, three misses make a flag."""
    return health(small, HealthQuery(grain="month", periods=4, last="2025-04", today=TODAY))


def _row(h: Health, key: str):  # type: ignore[no-untyped-def]
    return next(r for r in h.rows if r.id == key)


@pytest.mark.slow
def test_attainment_flag_and_trend_by_hand(monthly: Health) -> None:
    assert [p.label for p in monthly.periods] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    ann, bob, north = _row(monthly, "R1"), _row(monthly, "R2"), _row(monthly, "T1")
    assert [p.attainment for p in ann.periods] == pytest.approx([0.8, 1.0, 0.5, 1.5])
    assert [p.missed for p in ann.periods] == [True, False, True, False]  # 100% is not a miss
    assert (ann.missed, ann.flagged) == (2, False)
    assert ann.trend == pytest.approx(0.16)  # least squares over x = 0..3: 0.8 / 5
    assert ann.direction == "improving"
    assert [p.attainment for p in bob.periods] == pytest.approx([2.0, 0.5, 0.5, 0.5])
    assert (bob.missed, bob.flagged, bob.direction) == (3, True, "declining")
    assert bob.trend == pytest.approx(-0.45)
    assert [p.attainment for p in north.periods] == pytest.approx([2 / 3] * 3 + [1.0])
    assert north.flagged and north.scope is By.TEAM
    assert [p.actual for p in north.periods] == pytest.approx([20000, 20000, 20000, 30000])
    south = _row(monthly, "T2")  # no team target: its one member Bob's
    assert [p.target for p in south.periods] == pytest.approx([5000, 20000, 20000, 20000])
    assert [p.attainment for p in south.periods] == pytest.approx([2.0, 0.5, 0.5, 0.5])
    assert {p.target_basis for p in south.periods} == {"members"}
    assert (south.with_target, south.flagged, south.direction) == (4, True, "declining")
    acme = _row(monthly, "ORG")  # North's own 30k plus South's (Bob's); actual Ann's and Bob's
    assert [p.target for p in acme.periods] == pytest.approx([35000, 50000, 50000, 50000])
    assert [p.attainment for p in acme.periods] == pytest.approx([30 / 35, 0.6, 0.6, 0.8])
    assert (acme.missed, acme.flagged) == (4, True)
    assert {p.target_basis for p in north.periods} == {None}  # its own, set per month
    assert {r.id for r in monthly.rows if r.scope is By.REP} == {"R1", "R2"}  # Cas: no targets
    assert bob.flag.en == (
        "Under target in 3 of the last 4 months (February 2025, March 2025, April 2025)."
    )
    assert bob.flag.nl == (
        "Onder doel in 3 van de laatste 4 maanden (februari 2025, maart 2025, april 2025)."
    )
    assert "falling by 45 points a month" in bob.trend_text.en
    assert "daalt met 45 procentpunt per maand" in bob.trend_text.nl
    assert "3 of 3 teams and 1 of 2 reps" in monthly.explanation.en


@pytest.mark.slow
def test_min_missed_sets_the_bar(small: Store) -> None:
    h = health(small, HealthQuery(grain="month", periods=4, min_missed=4, last="2025-04",
                                  today=TODAY))  # fmt: skip
    assert [r.id for r in h.flagged] == ["ORG"]  # Acme missed all four
    h2 = health(small, HealthQuery(grain="month", periods=2, min_missed=1, last="2025-04",
                                   today=TODAY))  # fmt: skip
    # March and April: Ann missed March, Bob both, North March, South (Bob's) and Acme both
    assert {r.id: r.missed for r in h2.rows if r.with_target} == {
        "R1": 1, "R2": 2, "T1": 1, "T2": 2, "ORG": 2
    }  # fmt: skip
    assert {r.id for r in h2.flagged} == {"R1", "R2", "T1", "T2", "ORG"}


@pytest.mark.slow
def test_activity_check_is_the_plan_against_the_pace(small: Store, monthly: Health) -> None:
    check = _row(monthly, "R1").activity
    assert check is not None
    assert check.period.label == "2025-05"
    assert check.target == 20000  # April's: none is set for May
    assert check.target_period is not None and check.target_period.label == "2025-04"
    p = plan(small, PlanQuery(20000, "2025-05", rep="R1", today=TODAY, simulate=False))
    assert check.required_per_week == pytest.approx(p.per_week)
    # by hand: 1 deal of 20,000 at a 50% win rate (3 of 6, shrunk toward a team of one rep
    # with that same rate) is 2 opportunities; 6 opportunities came from 20 demos, so 6.67
    # demos over May's 22 working days (4.4 weeks)
    assert check.required_per_week == pytest.approx(2 / (6 / 20) / (22 / 5))
    assert check.pace_per_week == pytest.approx(8 / 4)  # 8 demos in four weeks
    assert check.coverage == pytest.approx(2 / p.per_week)
    assert check.enough is True and p.per_week <= 2  # 2 a week against about 1.5 asked
    assert "none is set for May 2025" in check.explanation.en
    assert "voor mei 2025 is er geen" in check.explanation.nl


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"grain": "week"}, "per quarter or per month"),
        ({"periods": 0}, "--periods"),
        ({"min_missed": 5}, "--min-missed"),
        ({"team": "T9"}, "no team 'T9'"),
        ({"last": "2025-13"}, "not a period"),
    ],
)
def test_bad_health_queries_are_refused(small: Store, kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        health(small, HealthQuery(today=TODAY, **kw))  # type: ignore[arg-type]


# -- the demo organisation --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_health(demo_store: Store) -> Health:
    """The four quarters to 2026-Q3, judged on 1 October 2026."""
    return health(demo_store, HealthQuery(last="2026-Q3", today=date(2026, 10, 1)))


@pytest.mark.slow
def test_demo_planted_under_target_team_is_flagged(demo_health: Health, demo_planted) -> None:  # type: ignore[no-untyped-def]
    team = demo_planted.under_target_team
    assert team == "T03"
    quarters = [p.start for p in demo_health.periods]
    assert quarters == [date(2025, 10, 1), date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)]
    row = _row(demo_health, team)
    assert row.flagged
    missed = [p.period.start for p in row.periods if p.missed]
    assert missed == [q for q in demo_planted.under_target_missed if q in quarters]
    assert row.direction == "declining"
    # Benelux (T01) holds T03 and is dragged under too; no other team is flagged
    flagged = {r.id for r in demo_health.flagged if r.scope is By.TEAM}
    assert flagged == {"T01", team}
    assert "Benelux 1 (T03)" in _row(demo_health, "T01").flag.en
    for other in ("T00", "T02", "T04", "T05"):
        assert _row(demo_health, other).missed <= 2


@pytest.mark.slow
def test_demo_attainment_and_pace_from_independent_sql(demo_store: Store, demo_health: Health) -> None:  # fmt: skip
    tz = demo_store.settings.timezone
    row = _row(demo_health, "T03")
    con = demo_store.con.con  # the store's own DuckDB connection, for plain SQL
    local = f"(closed_at AT TIME ZONE 'UTC') AT TIME ZONE '{tz}'"
    won = dict(con.execute(
        f"select date_trunc('quarter', {local})::date, sum(amount) from deals d "
        "join reps r using (rep_id) where r.team_id = 'T03' and status = 'won' "
        f"and {local} >= '2025-10-01' and {local} < '2026-10-01' group by 1"
    ).fetchall())  # fmt: skip
    goal = dict(con.execute(
        "select period_start, value from targets where scope = 'team' and scope_id = 'T03' "
        "and metric = 'revenue_won' and period_end - period_start > 80"
    ).fetchall())  # fmt: skip
    when = "(occurred_at AT TIME ZONE 'UTC') AT TIME ZONE '" + tz + "'"
    (acts,) = con.execute(
        f"select count(*) from activities a join reps r using (rep_id) where "
        f"r.team_id = 'T03' and {when} >= '2026-08-31' and {when} < '2026-09-28'"
    ).fetchone()  # fmt: skip
    for p in row.periods:
        assert p.actual == pytest.approx(won[p.period.start])
        assert p.attainment == pytest.approx(won[p.period.start] / goal[p.period.start])
    check = row.activity
    assert check is not None and check.target == pytest.approx(goal[date(2026, 7, 1)])
    assert check.pace_per_week == pytest.approx(acts / 4)
    p = plan(demo_store, PlanQuery(check.target, "2026-Q4", team="T03", today=date(2026, 10, 1),
                                   simulate=False))  # fmt: skip
    assert check.required_per_week == pytest.approx(p.per_week)
    assert check.enough is False  # the planted team's activity falls short of its target


def _planted_reps(planted: Any, reps: pd.DataFrame) -> set[str]:
    """The reps a planted pattern may push under target: the under-target team's members, the
    busy-not-effective reps, the new hire, the other hires and the leavers."""
    team = set(reps.rep_id[reps.team_id == planted.under_target_team])
    return team | {*planted.busy_not_effective, planted.new_hire, *planted.hires, *planted.leavers}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [42, 7])
def test_demo_health_flags_the_planted_team_and_no_unplanted_rep(
    seed: int, demo_store: Store, demo_planted: Any, tmp_path: Path
) -> None:
    """The demo's targets follow its seasons and each rep's territory, so that with the default
    settings only the planted patterns are flagged (seed 42: the default demo; 7: another)."""
    from salesperf.demo import DemoConfig, build_demo

    if seed == 42:
        store, planted = demo_store, demo_planted
    else:
        store = Store.open(tmp_path / "other.duckdb")
        planted = build_demo(store, DemoConfig(seed=seed)).planted
    h = health(store, HealthQuery(today=date(2026, 10, 1)))
    reps = store.table("reps").to_pandas()
    teams = store.table("teams").to_pandas()
    parent = dict(zip(teams.team_id, teams.parent_team_id, strict=True))
    above, t = set(), parent[planted.under_target_team]
    while isinstance(t, str):
        above.add(t)
        t = parent[t]
    flagged_teams = {r.id for r in h.flagged if r.scope is By.TEAM}
    flagged_reps = {r.id for r in h.flagged if r.scope is By.REP}
    assert planted.under_target_team in flagged_teams
    assert flagged_teams <= {planted.under_target_team} | above
    assert flagged_reps <= _planted_reps(planted, reps), flagged_reps - _planted_reps(planted, reps)
    # every busy rep is under target most of the time; no efficient rep ever is flagged
    assert set(planted.busy_not_effective) <= flagged_reps
    assert not flagged_reps & set(planted.efficient)
    if store is not demo_store:
        store.close()


# -- the command line -------------------------------------------------------------------------------
def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.slow
def test_cli_health_json_and_table(small_file: Store, monthly: Health) -> None:
    base = ("health", "--grain", "month", "--periods", "4", "--last", "2025-04", "--as-of",
            TODAY.isoformat(), "--store", str(small_file.path))  # fmt: skip
    code, text = _cli(*base, "--format", "json")
    assert code == 0, text
    data = json.loads(text)
    assert data == json.loads(json.dumps(monthly.to_json()))
    bob = next(r for r in data["rows"] if r["id"] == "R2")
    assert [p["attainment"] for p in bob["periods"]] == pytest.approx([2.0, 0.5, 0.5, 0.5])
    assert bob["flagged"] is True and bob["missed"] == 3
    code, text = _cli(*base)
    assert code == 0, text
    assert "3 of 3 teams and 1 of 2 reps" in text
    assert "R2 Bob" in text and "200%" in text and "3/4" in text and "⚑" in text
    assert "Bob (R2): Under target in 3 of the last 4 months" in text
    code, text = _cli(*base, "--lang", "nl")
    assert code == 0, text
    assert "Structureel onder doel" in text and "Onder doel in 3 van de laatste 4 maanden" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--grain", "week"), "per quarter or per month"),
        (("--periods", "0"), "--periods"),
        (("--min-missed", "9"), "--min-missed"),
        (("--team", "T9"), "no team 'T9'"),
        (("--last", "someday"), "not a period"),
        (("--as-of", "2025-02-30"), "not a date"),
    ],
)
def test_cli_health_bad_input_exits_2(
    small_file: Store, args: tuple[str, ...], message: str
) -> None:
    code, text = _cli("health", "--store", str(small_file.path), *args)
    assert code == 2, text
    assert message in text
    assert "Traceback" not in text
