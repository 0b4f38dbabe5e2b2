"""Planning from a target: the reverse funnel's arithmetic on a small organisation computed by
hand, the borrowed rates, the simulated 80% level against an independent simulation, a team's
split, the demo organisation, and the command line."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from salesperf.analysis.plan.core import (
    Plan,
    PlanQuery,
    default_window,
    pace_weeks,
    plan,
)
from salesperf.analysis.plan.simulation import Funnel, Simulation
from salesperf.analysis.stats.shrinkage import fit_prior, shrink
from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Period, parse_period
from salesperf.metrics.query import By, Query
from salesperf.store import Store

runner = CliRunner()
PERIOD = "2025-04-07..2025-07-06"  # 13 weeks from a Monday: 65 working days
TODAY = date(2025, 5, 5)  # the pace: the four weeks 2025-04-07..2025-05-04
WON_R1 = (15000, 5000, 8000, 12000, 10000, 10000)  # average 10,000
WON_R2 = (6000, 14000, 9000, 11000)  # average 10,000


def _q1_weekdays() -> list[date]:
    d, out = date(2025, 1, 6), []
    while d < date(2025, 3, 29):
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def _csvs() -> dict[str, str]:
    """North (T1): Ann and Bob won 10 of 40 deals closed in 2025-Q1 (25%), all at an average of
    10,000; 20 of their deals were created in the quarter, against 100 demos: 2 opportunities per
    10 demos. Cas (T1) has no deals and did nothing in the quarter. South (T2): Dee lost 2 deals
    and created 1 from 5 demos."""
    deals = ["deal_id,rep_id,created_at,status,amount,closed_at"]
    n = 0

    def deal(rep: str, created: str, status: str, amount: int, closed: str) -> None:
        nonlocal n
        n += 1
        deals.append(f"D{n},{rep},{created}T09:00:00Z,{status},{amount},{closed}T15:00:00Z")

    won_days = ["2025-01-20", "2025-01-21", "2025-02-10", "2025-02-11", "2025-03-10", "2025-03-11"]
    for i, amount in enumerate(WON_R1):  # the first 12 of Ann's 20 deals were created in Q1
        deal("R1", "2025-01-02" if i < 12 else "2024-12-02", "won", amount, won_days[i])
    for i in range(6, 20):
        deal("R1", "2025-01-02" if i < 12 else "2024-12-02", "lost", 7000, "2025-03-20")
    for i, amount in enumerate(WON_R2):  # 8 of Bob's 20 created in Q1
        deal("R2", "2025-01-03" if i < 8 else "2024-12-03", "won", amount, f"2025-02-{5 + i:02d}")
    for i in range(4, 20):
        deal("R2", "2025-01-03" if i < 8 else "2024-12-03", "lost", 7000, "2025-03-21")
    deal("R4", "2025-01-05", "lost", 9000, "2025-02-01")
    deal("R4", "2024-12-01", "lost", 9000, "2025-02-02")
    acts = ["activity_id,rep_id,type,occurred_at,outcome"]
    days = _q1_weekdays()
    counts = {"R1": 60, "R2": 40, "R4": 5}
    for rep, k in counts.items():
        for i in range(k):
            acts.append(f"A{len(acts)},{rep},demo,{days[i % len(days)]}T10:00:00Z,held")
    april = [date(2025, 4, 7) + timedelta(days=i) for i in range(28)]
    for rep, k in {"R1": 8, "R2": 4, "R3": 4}.items():  # the pace weeks
        for i in range(k):
            acts.append(f"A{len(acts)},{rep},demo,{april[i * 3]}T10:00:00Z,held")
    acts.append(f"A{len(acts)},R1,call,2025-04-08T10:00:00Z,connected")  # a type not in the plan
    targets = [
        "scope,scope_id,metric,period_start,period_end,value",
        "rep,R1,revenue_won,2025-04-07,2025-07-06,50000",
        "rep,R2,revenue_won,2025-04-07,2025-07-06,30000",
        "rep,R3,revenue_won,2025-04-07,2025-07-06,20000",
        "rep,R1,revenue_won,2025-01-01,2025-01-31,25000",
        "rep,R1,revenue_won,2025-02-01,2025-02-28,20000",
        "rep,R1,revenue_won,2025-03-01,2025-03-31,40000",
    ]
    return {
        "teams": "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT2,South,ORG\n",
        "reps": "rep_id,name,team_id,start_date\nR1,Ann,T1,2024-01-01\nR2,Bob,T1,2024-01-01\n"
        "R3,Cas,T1,2024-01-01\nR4,Dee,T2,2024-01-01\n",
        "deals": "\n".join(deals) + "\n",
        "activities": "\n".join(acts) + "\n",
        "targets": "\n".join(targets) + "\n",
    }


def build_tiny(folder: Path) -> Store:
    """The small organisation, imported through the product's own import into a new store."""
    store = Store.open(folder / "tiny.duckdb")
    for table, text in _csvs().items():
        (folder / f"{table}.csv").write_text(text, encoding="utf-8")
        result = import_file(store, table, folder / f"{table}.csv", rejects_path=folder / "r.csv")
        assert result.rejected == 0, result.problems
    return store


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The small organisation of `_csvs` in a DuckDB file (read-only: shared by the module's
    tests; the command-line tests open it by its path)."""
    store = build_tiny(tmp_path_factory.mktemp("tiny"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def tiny(tiny_file: Store, on_engine: Callable[[Store], Store]) -> Store:
    """The small organisation on each engine in turn (DuckDB, PostgreSQL, Spark)."""
    return on_engine(tiny_file)


@pytest.fixture(scope="module")
def t1(tiny: Store) -> Plan:
    """North's plan for 100,000 over the 13 weeks, on the rates of 2025-Q1."""
    return plan(tiny, PlanQuery(100_000, PERIOD, team="T1", window="2025-Q1", today=TODAY))


# -- the arithmetic ------------------------------------------------------------------------------
@pytest.mark.slow
def test_team_plan_arithmetic_by_hand(t1: Plan) -> None:
    p = t1
    assert p.rates.avg_deal_size.value == pytest.approx(10_000)
    assert p.rates.win_rate.value == pytest.approx(0.25)
    assert p.rates.opportunities == 20
    (demo,) = p.rates.activity
    assert (demo.type, demo.activities, demo.rate) == ("demo", 100, pytest.approx(0.2))
    assert p.deals == pytest.approx(10)  # 100,000 / 10,000
    assert p.opportunities == pytest.approx(40)  # 10 / 25%
    (need,) = p.activities
    assert need.total == pytest.approx(200)  # 40 / (2 per 10 demos)
    assert (p.working_days, p.weeks) == (65, 13)
    assert need.per_week == pytest.approx(200 / 13)
    assert need.per_day == pytest.approx(200 / 65)
    # the pace: Ann 8, Bob 4 and Cas 4 demos in the four weeks from 7 April
    assert p.pace == Period(date(2025, 4, 7), date(2025, 5, 5), "2025-04-07..2025-05-04")
    assert need.pace_per_week == pytest.approx(16 / 4)
    assert need.shortfall_per_week == pytest.approx(200 / 13 - 4)
    assert p.coverage == pytest.approx(4 / (200 / 13))
    # intervals: Jeffreys for the team's 10 of 40, a bootstrap around the average deal
    wr = p.rates.win_rate
    assert wr.low is not None and wr.high is not None and wr.low < 0.25 < wr.high
    size = p.rates.avg_deal_size
    assert size.low is not None and size.high is not None and size.low < 10_000 < size.high
    assert demo.low < 0.2 < demo.high
    assert p.notes == ()
    assert "10.0 deals" in p.explanation.en and "10,0 deals" in p.explanation.nl


@pytest.mark.slow
def test_rep_win_rate_is_shrunk_toward_the_team(tiny: Store) -> None:
    p = plan(tiny, PlanQuery(100_000, PERIOD, rep="R1", window="2025-Q1", today=TODAY))
    # Ann 6 of 20, Bob 4 of 20, Cas nothing closed: the prior is fitted to North's reps
    expected = shrink(6, 20, fit_prior([6, 4, 0], [20, 20, 0]))
    wr = p.rates.win_rate
    assert wr.raw == pytest.approx(0.3)
    assert wr.value == pytest.approx(expected.estimate)
    assert (wr.low, wr.high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    assert 0.25 < wr.value < 0.3  # between the team's and her own
    assert p.deals == pytest.approx(10)
    assert p.opportunities == pytest.approx(10 / expected.estimate)
    assert p.activities[0].total == pytest.approx(10 / expected.estimate / (12 / 60))
    assert p.activities[0].pace_per_week == pytest.approx(8 / 4)


@pytest.mark.slow
def test_a_rep_without_deals_or_activity_borrows_the_teams_rates(tiny: Store) -> None:
    p = plan(tiny, PlanQuery(50_000, PERIOD, rep="R3", window="2025-Q1", today=TODAY))
    assert p.rates.avg_deal_size.source == "team T1"
    assert p.rates.avg_deal_size.value == pytest.approx(10_000)
    assert p.rates.opportunities_source == "team T1"
    prior = fit_prior([6, 4, 0], [20, 20, 0])
    assert p.rates.win_rate.value == pytest.approx(prior.mean)  # nothing closed: the team's
    assert p.rates.win_rate.raw is None
    assert p.deals == pytest.approx(5)
    assert p.activities[0].total == pytest.approx(5 / prior.mean / 0.2)
    texts = " ".join(n.en for n in p.notes)
    assert "Cas (R3) won no deal in Q1 2025: the average deal size is that of North (T1)" in texts
    assert "closed no deal" in texts and "created no opportunity" in texts
    assert all(n.nl and n.nl != n.en for n in p.notes)


@pytest.mark.slow
def test_a_team_without_wins_borrows_from_the_organisation(tiny: Store) -> None:
    p = plan(tiny, PlanQuery(100_000, PERIOD, team="T2", window="2025-Q1", today=TODAY))
    # South's parent is the root team ORG, whose members are everyone
    assert p.rates.avg_deal_size.source == "team ORG"
    assert p.rates.win_rate.source == "team ORG"
    assert p.rates.win_rate.value == pytest.approx(10 / 42)
    assert p.opportunities == pytest.approx(42)
    assert p.activities[0].total == pytest.approx(42 / (1 / 5))  # South's own 1 per 5 demos
    assert len(p.notes) == 2


@pytest.mark.slow
def test_no_won_deal_anywhere_is_a_clear_error(tiny: Store) -> None:
    with pytest.raises(ValueError, match="no deal was won in Q1 2024"):
        plan(tiny, PlanQuery(100_000, PERIOD, team="T1", window="2024-Q1", today=TODAY))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"target": 0}, "positive amount"),
        ({"target": -5}, "positive amount"),
        ({"target": float("nan")}, "positive amount"),
        ({"rep": "R1", "team": "T1"}, "not both"),
        ({"rep": "R9"}, "no rep 'R9'"),
        ({"team": "T9"}, "no team 'T9'"),
        ({"period": "2025-Q5"}, "not a period"),
        ({"period": "2025-04-05..2025-04-06"}, "no working days"),
    ],
)
def test_bad_plan_queries_are_refused(tiny: Store, kw: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"target": 100_000, "period": PERIOD, "today": TODAY,
                               "window": "2025-Q1", **kw}  # fmt: skip
    with pytest.raises(ValueError, match=message):
        plan(tiny, PlanQuery(**args))  # type: ignore[arg-type]


def test_default_window_and_pace_weeks() -> None:
    q1 = parse_period("2026-Q1")
    assert default_window(q1, date(2026, 11, 27)) == Period(
        date(2025, 1, 1), date(2026, 1, 1), "2025-Q1..2025-Q4"
    )
    ahead = default_window(parse_period("2027-Q1"), date(2026, 11, 27))
    assert (ahead.start, ahead.end) == (date(2025, 10, 1), date(2026, 10, 1))
    # a past period's pace: the four weeks before its last week; a future one's: before today
    assert pace_weeks(q1, date(2026, 11, 27)).start == date(2026, 3, 2)
    assert pace_weeks(parse_period("2027-Q1"), date(2026, 11, 27)).end == date(2026, 11, 23)


# -- the team split ---------------------------------------------------------------------------
@pytest.mark.slow
def test_a_team_target_is_split_over_its_reps(tiny: Store, t1: Plan) -> None:
    p = t1
    shares = {r.id: r.target for r in p.reps}
    assert shares == pytest.approx({"R1": 50_000, "R2": 30_000, "R3": 20_000})  # own targets
    assert sum(shares.values()) == pytest.approx(p.target)
    assert "own targets" in p.split.en  # type: ignore[union-attr]
    assert p.reps_total is not None
    assert p.reps_total.deals == pytest.approx(sum(r.deals for r in p.reps))
    assert p.reps_total.activities[0].total == pytest.approx(
        sum(r.activities[0].total for r in p.reps)
    )
    # 2025-Q3 holds 4 of the 65 working days of the 13 weeks' targets: each rep's share of
    # their own (50,000, 30,000, 20,000 times 4/65), so in proportion to those
    q3 = plan(tiny, PlanQuery(90_000, "2025-Q3", team="T1", window="2025-Q1", today=TODAY))
    assert {r.id: r.target for r in q3.reps} == pytest.approx(
        {"R1": 45_000, "R2": 27_000, "R3": 18_000}
    )
    assert "own targets" in q3.split.en  # type: ignore[union-attr]
    # no targets for 2025-Q4: in proportion to revenue won in the window (60,000 and 40,000)
    q4 = plan(tiny, PlanQuery(90_000, "2025-Q4", team="T1", window="2025-Q1", today=TODAY))
    assert {r.id: r.target for r in q4.reps} == pytest.approx(
        {"R1": 54_000, "R2": 36_000, "R3": 0.0}
    )
    assert "revenue won" in q4.split.en  # type: ignore[union-attr]
    org = plan(tiny, PlanQuery(120_000, "2025-Q3", window="2025-Q1", today=TODAY))
    assert sum(r.target for r in org.reps) == pytest.approx(120_000)
    assert {r.id for r in org.reps} == {"R1", "R2", "R3", "R4"}


# -- the chance of reaching the target ------------------------------------------------------------
FUNNEL = Funnel(  # North's: 40 opportunities asked, 20 seen, 10 of 40 won, these deal sizes
    opportunities=40.0, observed=20, win_alpha=10.5, win_beta=30.5,
    deal_sizes=tuple(float(x) for x in WON_R1 + WON_R2),
)  # fmt: skip


def _independent(scale: float, n: int, seed: int) -> float:
    """P(revenue >= 100,000) by a plain simulation: Poisson opportunities, binomial wins,
    resampled deals (no shared code with the product's simulation)."""
    rng = np.random.default_rng(seed)
    g = rng.gamma(20.5, size=n) / 20
    p = rng.beta(10.5, 30.5, size=n)
    opps = rng.poisson(scale * 40 * g)
    wins = rng.binomial(opps, p)
    sizes = np.array(FUNNEL.deal_sizes)
    draws = rng.choice(sizes, size=(n, int(wins.max()) + 1))
    revenue = np.where(np.arange(draws.shape[1])[None, :] < wins[:, None], draws, 0).sum(1)
    return float(np.mean(revenue >= 100_000))


def test_the_80_percent_level_reaches_the_target_80_percent_of_the_time() -> None:
    sim = Simulation(FUNNEL, 100_000, n=20_000, seed=11)
    s80, s50 = sim.level(0.8), sim.level(0.5)
    assert s80 is not None and s50 is not None
    assert 1.0 < s80 < 2.5 and s50 < s80
    n = 40_000
    se = math.sqrt(0.8 * 0.2 / n + 0.8 * 0.2 / sim.n)
    assert _independent(s80, n, seed=99) == pytest.approx(0.8, abs=4 * se + 0.005)
    assert _independent(s50, n, seed=98) == pytest.approx(0.5, abs=4 * se + 0.005)
    # more activity, a higher chance: exactly so in the product's coupled draws ...
    chances = [sim.probability(s) for s in (0.25, 0.5, 1.0, s80, 1.5 * s80, 3.0)]
    assert chances == sorted(chances)  # type: ignore[type-var]
    assert chances[0] < 0.05 and chances[-1] > 0.97  # type: ignore[operator]
    # ... and in the independent one, beyond its noise
    assert (
        _independent(0.8 * s80, n, 1) < 0.8 - 4 * se < 0.8 + 4 * se < _independent(1.25 * s80, n, 2)
    )


@pytest.mark.slow
def test_the_plan_reports_the_simulated_levels(t1: Plan) -> None:
    p = t1
    assert p.chance is not None
    sim = Simulation(FUNNEL, 100_000, n=p.chance.simulations, seed=p.chance.seed)
    even, high = p.chance.levels
    assert (even.probability, high.probability) == (0.5, 0.8)
    assert high.scale == pytest.approx(sim.level(0.8))
    assert p.chance.at_plan == pytest.approx(sim.probability(1.0))
    assert high.activities_per_week == pytest.approx(high.scale * 200 / 13)  # type: ignore[operator]
    assert p.at_level(0.8) == {"demo": pytest.approx(high.activities_per_week)}
    assert "80%" in p.chance.explanation.en and "80%" in p.chance.explanation.nl


# -- the demo organisation --------------------------------------------------------------------------
@pytest.mark.slow
def test_demo_plan_uses_the_metric_layers_rates(demo_store: Store) -> None:
    today = date(2026, 11, 27)
    p = plan(demo_store, PlanQuery(250_000, "2026-Q1", rep="R002", today=today))
    assert p.rates.window.label == "2025-Q1..2025-Q4"
    q = Query(metrics=("avg_deal_size", "deals_won", "deals_lost"), start=date(2025, 1, 1),
              end=date(2026, 1, 1), grain="all", by=By.REP, reps=frozenset({"R002"}))  # fmt: skip
    row = run(demo_store.con, q, demo_store.settings.timezone).iloc[0]
    assert p.rates.avg_deal_size.value == pytest.approx(row.avg_deal_size)
    assert p.deals == pytest.approx(250_000 / row.avg_deal_size)
    assert p.rates.win_rate.n == row.deals_won + row.deals_lost
    assert p.opportunities == pytest.approx(p.deals / p.rates.win_rate.value)
    assert sum(r.total for r in p.activities) == pytest.approx(
        p.opportunities * sum(r.activities for r in p.rates.activity) / p.rates.opportunities
    )
    team = plan(demo_store, PlanQuery(250_000, "2026-Q1", team="T03", today=today))
    assert sum(r.target for r in team.reps) == pytest.approx(250_000)
    assert "own targets" in team.split.en  # type: ignore[union-attr]
    assert team.chance is not None and 0.35 < team.chance.at_plan < 0.6


# -- the command line -------------------------------------------------------------------------------
def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.slow
def test_cli_plan_json_and_table_hold_the_library_numbers(tiny_file: Store, t1: Plan) -> None:
    path = str(tiny_file.path)
    base = ("plan", "--target", "100000", "--period", PERIOD, "--team", "T1", "--window",
            "2025-Q1", "--as-of", TODAY.isoformat(), "--store", path)  # fmt: skip
    code, text = _cli(*base, "--format", "json")
    assert code == 0, text
    data = json.loads(text)
    lib = t1
    assert data["deals"] == pytest.approx(lib.deals) == pytest.approx(10)
    assert data["opportunities"] == pytest.approx(40)
    assert data["activities"][0]["total"] == pytest.approx(200)
    assert data["per_week"] == pytest.approx(200 / 13)
    assert data["rates"]["win_rate"]["value"] == pytest.approx(0.25)
    assert data["chance"]["levels"][1]["scale"] == pytest.approx(lib.chance.levels[1].scale)  # type: ignore[union-attr]
    assert [r["target"] for r in data["reps"]] == pytest.approx([50_000, 30_000, 20_000])
    assert data["period"] == {"label": PERIOD, "start": "2025-04-07", "end": "2025-07-06"}
    code, text = _cli(*base)
    assert code == 0, text
    assert "Plan: €100,000" in text and "North (T1)" in text
    assert "15.4" in text and "3.1" in text  # 200 demos over 13 weeks, over 65 working days
    code, text = _cli(*base[:5], "--rep", "R3", *base[7:], "--lang", "nl")
    assert code == 0, text
    assert "Benodigde activiteiten" in text and "€\u00a010.000" in text  # North's, borrowed
    assert "Cas (R3) won geen deal in K1 2025" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--target", "abc"), "positive amount"),
        (("--target", "-100"), "positive amount"),
        (("--target", "0"), "positive amount"),
        (("--rep", "R1", "--team", "T1"), "not both"),
        (("--rep", "R9"), "no rep 'R9'"),
        (("--team", "T9"), "no team 'T9'"),
        (("--period", "2025-13"), "not a period"),
        (("--as-of", "yesterday"), "not a date"),
        (("--window", "last-fortnight"), "not a window"),
    ],
)
def test_cli_plan_bad_input_exits_2(tiny_file: Store, args: tuple[str, ...], message: str) -> None:
    opts = {"--target": "100000", "--period": PERIOD, "--store": str(tiny_file.path)}
    extra = list(args)
    for k in list(opts):
        if k in extra:
            del opts[k]
    flat = [x for kv in opts.items() for x in kv]
    code, text = _cli("plan", *flat, *extra)
    assert code == 2, text
    assert message in text
    assert "Traceback" not in text


@pytest.mark.parametrize("target", [1e308, "1e13"])
def test_an_absurd_target_is_refused_clearly(target: object) -> None:
    from salesperf.analysis.plan.core import check_target

    with pytest.raises(ValueError, match="beyond any plan"):
        check_target(target)
