"""Teams and the organisation from their members' rows, and several levels in one query.

A seeded organisation whose accounts are mostly worked by one rep, some by two (in the same team
or in different teams), is counted again here from the raw rows with Python sets, in the
organisation's time zone: the distinct counts of every team, the organisation and every rep
must equal that recount, on every engine, and `run_levels` must give each level the figures of
its own query.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from salesperf.ingest.importer import import_file
from salesperf.metrics.compiler import run, run_levels
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Compare, Query, Split
from salesperf.scorecard import scorecard, scorecards
from salesperf.store import Store

TZ = "Europe/Amsterdam"
TEAMS = {"ORG": None, "N": "ORG", "S": "ORG", "N1": "N", "N2": "N", "S1": "S"}
REPS = {"R01": "N1", "R02": "N1", "R03": "N2", "R04": "N2", "R05": "N", "R06": "S1",
        "R07": "S1", "R08": "S", "R09": "S1", "R10": "N2"}  # fmt: skip
RANGES = {Grain.MONTH: (date(2025, 3, 1), date(2025, 5, 1)),  # whole weeks, whole months
          Grain.WEEK: (date(2025, 3, 3), date(2025, 4, 28))}  # fmt: skip
METRICS = ("activities", "active_days", "accounts_touched", "call_connect_rate")


def _members(team: str) -> set[str]:
    """The reps of a team's whole subtree, from the tree above (not from the product)."""

    def under(t: str | None) -> bool:
        while t is not None:
            if t == team:
                return True
            t = TEAMS[t]
        return False

    return {r for r, t in REPS.items() if under(t)}


def _activities(seed: int = 11) -> list[dict[str, str]]:
    rng = random.Random(seed)
    reps = sorted(REPS)[:-1]  # R10 does nothing
    owner = {f"A{n:02d}": rng.choice(reps) for n in range(40)}
    second = {a: rng.choice(reps) for a in sorted(owner) if rng.random() < 0.3}
    worked: dict[str, list[str]] = defaultdict(list)
    for a, r in owner.items():
        worked[r].append(a)
    for a, r in second.items():
        worked[r].append(a)
    rows = []
    t0 = datetime(2025, 2, 20)
    for n in range(700):
        rep = rng.choice(reps)
        account = rng.choice(worked[rep]) if worked[rep] and rng.random() > 0.1 else ""
        at = t0 + timedelta(minutes=rng.randrange(0, 80 * 24 * 60))
        if n % 25 == 0:  # late on a Sunday or a month's last day, UTC: Monday or the 1st locally
            at = at.replace(hour=22, minute=30)
        kind = rng.choice(["call", "call", "email", "meeting", "demo"])
        outcome = {"call": rng.choice(["connected", "no_answer"]), "email": "sent"}.get(
            kind, rng.choice(["held", "no_show"])
        )
        rows.append(dict(activity_id=f"X{n:04d}", rep_id=rep, type=kind,
                         occurred_at=at.strftime("%Y-%m-%dT%H:%M:%SZ"), outcome=outcome,
                         account_id=account))  # fmt: skip
    return rows


ACTIVITIES = _activities()


def _csv(rows: list[dict[str, str]]) -> str:
    return pd.DataFrame(rows).to_csv(index=False)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Store:
    d = tmp_path_factory.mktemp("levels")
    s = Store.open(d / "levels.duckdb")
    s.set_setting("timezone", TZ)
    files = {
        "teams": _csv([dict(team_id=t, name=t, parent_team_id=p or "") for t, p in TEAMS.items()]),
        "reps": _csv([dict(rep_id=r, name=r, team_id=t) for r, t in REPS.items()]),
        "accounts": _csv([dict(account_id=f"A{n:02d}", name=f"Account {n}",
                               segment="smb" if n % 2 else "enterprise") for n in range(40)]),
        "activities": _csv(ACTIVITIES),
        "targets": (
            "scope,scope_id,metric,period_start,period_end,value\n"
            "rep,R01,activities,2025-03-01,2025-03-31,40\n"
            "team,N,activities,2025-03-01,2025-03-31,200\n"
            "team,S1,activities,2025-04-01,2025-04-30,100\n"
            "org,ORG,activities,2025-03-01,2025-03-31,400\n"
        ),
    }  # fmt: skip
    for table, text in files.items():
        path = d / f"{table}.csv"
        path.write_text(text)
        result = import_file(s, table, path)
        assert result.rejected == 0, result.problems
    return s


@pytest.fixture(scope="module")
def store(source: Store, on_engine: Callable[[Store], Store]) -> Store:
    return on_engine(source)


def _day(row: dict[str, str]) -> date:
    """The activity's day in the organisation's time zone."""
    at = datetime.strptime(row["occurred_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo(TZ)).date()


def _recount(grain: Grain) -> dict[tuple[str, date], dict[str, set[object]]]:
    """(group, period start) -> the activities, days and accounts of its members, by hand."""
    out: dict[tuple[str, date], dict[str, set[object]]] = defaultdict(lambda: defaultdict(set))
    groups = {**{r: {r} for r in REPS}, **{t: _members(t) for t in TEAMS}, "org": set(REPS)}
    for row in ACTIVITIES:
        day = _day(row)
        start, end = RANGES[grain]
        if not start <= day < end:
            continue
        period = day.replace(day=1) if grain is Grain.MONTH else day - timedelta(day.weekday())
        for g, members in groups.items():
            if row["rep_id"] in members:
                cell = out[(g, period)]
                cell["activities"].add(row["activity_id"])
                cell["active_days"].add(day)
                if row["account_id"]:
                    cell["accounts_touched"].add(row["account_id"])
    return out


def _q(grain: Grain, by: By = By.REP, **kw: object) -> Query:
    return Query(METRICS, *RANGES[grain], grain, by, **kw)  # type: ignore[arg-type]


def _check(df: pd.DataFrame, key: str, recount: dict[tuple[str, date], dict[str, set[object]]],
           rename: Callable[[str], str] = str) -> int:  # fmt: skip
    checked = 0
    for rec in df.to_dict("records"):
        cell = recount.get((rename(rec[key]), rec["period_start"]), {})
        for m in ("activities", "active_days", "accounts_touched"):
            assert rec[m] == len(cell.get(m, ())), (rec[key], rec["period_start"], m)
        checked += 1
    return checked


def test_the_data_has_accounts_worked_by_several_reps_in_one_team_and_across_teams() -> None:
    reps_of: dict[str, set[str]] = defaultdict(set)
    for row in ACTIVITIES:
        if row["account_id"]:
            reps_of[row["account_id"]].add(row["rep_id"])
    shared = [rs for rs in reps_of.values() if len(rs) > 1]
    assert len(shared) >= 5
    assert any(len({REPS[r] for r in rs}) == 1 for rs in shared)  # two reps of one team
    assert any(len({REPS[r][0] for r in rs}) > 1 for rs in shared)  # reps of N and of S


@pytest.mark.parametrize("grain", [Grain.WEEK, Grain.MONTH])
@pytest.mark.slow
def test_every_group_counts_distinct_days_and_accounts_as_a_recount_does(
    store: Store, grain: Grain
) -> None:
    recount = _recount(grain)
    reps = run(store.con, _q(grain, By.REP), TZ)
    teams = run(store.con, _q(grain, By.TEAM), TZ)
    org = run(store.con, _q(grain, By.ORG), TZ)
    assert _check(reps, "rep_id", recount) == len(REPS) * len({p for _, p in recount})
    assert _check(teams, "team_id", recount) == len(TEAMS) * len({p for _, p in recount})
    assert _check(org, "org", recount) == len({p for _, p in recount})
    # the organisation as a team and as the organisation: the same figures
    root = teams[teams.team_id == "ORG"].drop(columns="team_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(root, org.drop(columns="org").reset_index(drop=True))


def test_a_shared_account_counts_once_for_a_team_and_once_for_each_of_its_reps(
    store: Store,
) -> None:
    month = run(store.con, _q(Grain.MONTH, By.TEAM), TZ).set_index(["team_id", "period_start"])
    reps = run(store.con, _q(Grain.MONTH, By.REP), TZ)
    for team in TEAMS:
        summed = reps[reps.rep_id.isin(_members(team))].groupby("period_start")["accounts_touched"]
        for period, total in summed.sum().items():
            assert month.loc[(team, period), "accounts_touched"] <= total
    # somewhere the team's count is below its reps' sum: a shared account was counted once
    n = reps[reps.rep_id.isin(_members("ORG"))].groupby("period_start")["accounts_touched"].sum()
    assert (month.xs("ORG", level="team_id")["accounts_touched"] < n).any()


@pytest.mark.parametrize("grain", [Grain.WEEK, Grain.MONTH])
@pytest.mark.slow
def test_run_levels_gives_each_level_the_figures_of_its_own_query(
    store: Store, grain: Grain
) -> None:
    compare = (Compare.PREVIOUS, Compare.TARGET)
    levels = run_levels(store.con, _q(grain, compare=compare), (By.REP, By.TEAM, By.ORG), TZ)
    assert list(levels) == [By.REP, By.TEAM, By.ORG]
    for by, df in levels.items():
        alone = run(store.con, _q(grain, by, compare=compare), TZ)
        pd.testing.assert_frame_equal(df, alone)
    if grain is Grain.MONTH:  # the targets met their own level
        reps = levels[By.REP].set_index(["rep_id", "period_start"])
        teams = levels[By.TEAM].set_index(["team_id", "period_start"])
        march, april = date(2025, 3, 1), date(2025, 4, 1)
        assert reps.loc[("R01", march), "activities_target"] == 40
        assert teams.loc[("N", march), "activities_target"] == 200
        assert teams.loc[("S1", april), "activities_target"] == 100
        assert pd.isna(teams.loc[("S1", march), "activities_target"])
        org = levels[By.ORG].set_index("period_start")
        assert org.loc[march, "activities_target"] == 400
        assert org.loc[march, "activities_attainment"] == pytest.approx(
            org.loc[march, "activities"] / 400
        )


@pytest.mark.slow
def test_run_levels_with_chosen_teams_a_split_and_a_filter(store: Store) -> None:
    q = _q(Grain.MONTH, teams=frozenset({"N", "S1"}), split=Split.SEGMENT)
    levels = run_levels(store.con, q, (By.TEAM, By.REP), TZ)
    assert set(levels[By.TEAM].team_id) == {"N", "S1"}
    for by in (By.TEAM, By.REP):
        alone = run(store.con, Query(**{**q.__dict__, "by": by}), TZ)
        pd.testing.assert_frame_equal(levels[by], alone)
    calls = _q(Grain.MONTH, filters=((Split.TYPE, "call"),))
    levels = run_levels(store.con, calls, (By.ORG, By.TEAM), TZ)
    org = levels[By.ORG].set_index("period_start")
    by_hand = sum(1 for r in ACTIVITIES if r["type"] == "call" and _day(r).month == 3)
    assert org.loc[date(2025, 3, 1), "activities"] == by_hand
    for by in (By.ORG, By.TEAM):
        alone = run(store.con, Query(**{**calls.__dict__, "by": by}), TZ)
        pd.testing.assert_frame_equal(levels[by], alone)


def test_run_levels_needs_a_level(source: Store) -> None:
    with pytest.raises(ValueError, match="at least one level"):
        run_levels(source.con, _q(Grain.MONTH), (), TZ)
    with pytest.raises(ValueError):
        run_levels(source.con, _q(Grain.MONTH), ("region",), TZ)  # type: ignore[arg-type]


def test_the_recount_has_something_to_count() -> None:
    recount = _recount(Grain.MONTH)
    march = recount[("ORG", date(2025, 3, 1))]
    assert len(march["activities"]) > 100 and len(march["accounts_touched"]) > 20


@pytest.mark.slow
def test_scorecards_of_several_levels_equal_each_levels_scorecard(store: Store) -> None:
    cards = scorecards(store, levels=(By.ORG, By.TEAM, By.REP), grain=Grain.MONTH,
                       period="2025-03..2025-04", metrics=METRICS)  # fmt: skip
    for by, card in cards.items():
        alone = scorecard(store, by=by, grain=Grain.MONTH, period="2025-03..2025-04",
                          metrics=METRICS)  # fmt: skip
        assert card == alone
    teams = cards[By.TEAM]
    assert [r.key for r in teams.rows][:2] == ["ORG", "ORG"]  # the tree's order, root first
    march = {r.key: r for r in teams.rows if r.period_start == date(2025, 3, 1)}
    recount = _recount(Grain.MONTH)
    for team in TEAMS:
        accounts = recount[(team, date(2025, 3, 1))]["accounts_touched"]
        assert march[team].cells["accounts_touched"].value == len(accounts)
