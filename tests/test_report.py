"""The weekly report's content: its figures are the scorecard's for the same team and week, and
its quadrant changes, stuck deals and under-target flags on a small organisation worked out by
hand; a team's report holds nothing of the teams outside it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from reporttools import WEEK, report_csvs
from salesperf.analysis.quadrant.model import DiagnoseQuery, diagnose
from salesperf.analysis.report.model import Report, ReportQuery, report_week, weekly_report
from salesperf.analysis.vocab import Label
from salesperf.errors import InputError
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By
from salesperf.scorecard import scorecard
from salesperf.store import Store
from webtools import build_web_store, imported_store


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The small organisation of `reporttools.report_csvs`, imported through the product's own
    import."""
    store = imported_store(tmp_path_factory.mktemp("report"), report_csvs())
    yield store
    store.close()


@pytest.fixture(scope="module")
def north(small: Store) -> Report:
    """North's report for week 20, health judged per month over four months."""
    q = ReportQuery(team="T1", week=WEEK, quadrant_weeks=4, health_grain=Grain.MONTH)
    return weekly_report(small, q)


@pytest.mark.slow
def test_stuck_deals_are_the_open_ones_idle_for_the_days(north: Report) -> None:
    got = {d.deal_id: (d.rep_id, d.last_touch, d.idle_days) for d in north.stuck}
    assert got == {
        "D3": ("R2", date(2025, 3, 1), 79),
        "D4": ("R2", date(2025, 4, 2), 47),
        "D1": ("R1", date(2025, 4, 10), 39),
    }
    assert [d.deal_id for d in north.stuck] == ["D3", "D4", "D1"]  # the longest idle first
    assert north.stuck[2].stage == "proposal" and north.stuck[2].amount == 7000


@pytest.mark.slow
def test_stuck_days_is_a_parameter(small: Store) -> None:
    q = ReportQuery(team="T1", week=WEEK, quadrant_weeks=4, health_grain=Grain.MONTH,
                    stuck_days=40)  # fmt: skip
    assert [d.deal_id for d in weekly_report(small, q).stuck] == ["D3", "D4"]


@pytest.mark.slow
def test_under_target_are_health_flags(north: Report) -> None:
    got = {(u.scope, u.id): (u.missed, u.periods) for u in north.under_target}
    assert got == {(By.TEAM, "T1"): (4, 4), (By.REP, "R2"): (4, 4)}  # Ann missed only twice
    bob = next(u for u in north.under_target if u.id == "R2")
    assert bob.last_attainment == pytest.approx(0.5)


@pytest.mark.slow
def test_a_rep_judged_for_the_first_time_changed_quadrant(north: Report) -> None:
    # Dirk was active only this week: not judged as of last week, judged now (on too little
    # evidence for a label); Ann and Bob are judged on both days, alike
    assert [(c.rep_id, c.before, c.after) for c in north.quadrant_changes] == [
        ("R4", None, Label.INCONCLUSIVE)
    ]
    assert north.quadrant_window.end == date(2025, 5, 19)
    assert north.quadrant_before.end == date(2025, 5, 12)


@pytest.mark.slow
def test_the_team_figures_and_leaderboard(north: Report) -> None:
    assert north.team == "T1" and north.team_name == "North"
    assert [t.team_id for t in north.teams] == ["T1"]  # South is not below North
    act = north.teams[0].figure("activities")
    assert act is not None
    # week 20: Ann's meeting on 14 May and Dirk's two calls (the calls end on 28 April); the
    # week before: none
    assert (act.cell.value, act.cell.previous) == (3, 0)
    revenue = north.teams[0].figure("revenue_won")
    assert revenue is not None and revenue.cell.value == 7000 and revenue.cell.previous == 3000
    assert north.ranked_by == "revenue_won"
    got = [(x.rep_id, x.rank, x.value.value, x.activities.value) for x in north.leaders]
    assert got[:2] == [("R2", 1, 5000, 0), ("R1", 2, 2000, 1)]
    assert got[2][0] == "R4" and got[2][3] == 2


@pytest.mark.slow
def test_nothing_outside_the_team(north: Report) -> None:
    text = json.dumps(north.to_json())
    assert "R3" not in text and "Cas" not in text and "D6" not in text and "South" not in text


@pytest.mark.slow
def test_alerts_slot_is_empty(north: Report) -> None:
    assert north.alerts == ()


@pytest.mark.parametrize("week", ["2025-Q2", "2025-05", "2025-05-12", "week 60 2025", "nonsense"])
def test_a_report_is_for_an_iso_week(week: str) -> None:
    with pytest.raises(InputError):
        report_week(week)


def test_a_week_as_written() -> None:
    assert report_week("week 40 2026").label == "2026-W40"
    assert report_week("2026-W40").start == date(2026, 9, 28)


@pytest.mark.slow
def test_an_unknown_team(small: Store) -> None:
    with pytest.raises(InputError, match="no team"):
        weekly_report(small, ReportQuery(team="T9", week=WEEK))


# -- on the demo organisation --------------------------------------------------------------
@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The 12-rep demo organisation of the web tests."""
    store = Store.open(build_web_store(tmp_path_factory.mktemp("web") / "s.duckdb"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def dach(web: Store) -> Report:
    """DACH's report (T02 and its sub-team T04) for week 39 of 2026."""
    return weekly_report(web, ReportQuery(team="T02", week="2026-W39"))


@pytest.mark.slow
def test_figures_are_the_scorecards(web: Store, dach: Report) -> None:
    card = scorecard(web, by="team", period="2026-W39", teams=frozenset({"T02", "T04"}),
                     metrics=dach.headline)  # fmt: skip
    assert [t.team_id for t in dach.teams] == ["T02", "T04"]
    for team in dach.teams:
        row = next(r for r in card.rows if r.key == team.team_id)
        for m in dach.headline:
            fig = team.figure(m)
            assert fig is not None
            assert fig.cell.value == row.cells[m].value
            assert fig.cell.previous == row.cells[m].previous
            assert fig.cell.attainment == row.cells[m].attainment
    last = scorecard(web, by="team", period="2026-W38", teams=frozenset({"T02"}),
                     metrics=("activities",))  # fmt: skip
    assert (
        dach.teams[0].figure("activities").cell.previous == last.rows[0].cells["activities"].value
    )  # type: ignore[union-attr]


@pytest.mark.slow
def test_leaderboard_is_the_reps_scorecard_ranked(web: Store, dach: Report) -> None:
    card = scorecard(web, by="rep", period="2026-W39", reps=frozenset(dach.reps),
                     metrics=(dach.ranked_by, "activities"))  # fmt: skip
    values = {r.key: r.cells[dach.ranked_by].value for r in card.rows}
    assert {x.rep_id: x.value.value for x in dach.leaders} == values
    ranked = [x.value.value for x in dach.leaders]
    assert ranked == sorted(ranked, key=lambda v: -(v if v is not None else -1))
    assert dach.leaders[0].rank == 1
    acts = {r.key: r.cells["activities"].value for r in card.rows}
    assert {x.rep_id: x.activities.value for x in dach.leaders} == acts


@pytest.mark.slow
def test_quadrant_changes_are_the_diagnoses(web: Store, dach: Report) -> None:
    now = diagnose(web, DiagnoseQuery(team="T02", window=dach.quadrant_window))
    then = diagnose(web, DiagnoseQuery(team="T02", window=dach.quadrant_before))
    a = {r.rep_id: r.label for r in now.reps}
    b = {r.rep_id: r.label for r in then.reps}
    changed = {r for r in a.keys() | b.keys() if a.get(r) != b.get(r)}
    assert {c.rep_id for c in dach.quadrant_changes} == changed
    for c in dach.quadrant_changes:
        assert (c.before, c.after) == (b.get(c.rep_id), a.get(c.rep_id))


@pytest.mark.slow
def test_dach_holds_nothing_of_benelux(web: Store, dach: Report) -> None:
    reps = web.table("reps").to_pandas()
    outside = reps[~reps.team_id.isin(["T02", "T04"])]
    text = json.dumps(dach.to_json())
    assert set(dach.reps) == set(reps[reps.team_id.isin(["T02", "T04"])].rep_id)
    for rep_id, name in zip(outside.rep_id, outside.name, strict=True):
        assert f'"{rep_id}"' not in text and name not in text
    assert "Benelux" not in text
    assert dach.funnel.weakest is not None
    assert dach.funnel.weakest.rate == min(s.rate for s in dach.funnel.steps if s.rate is not None)


@pytest.mark.slow
def test_a_week_before_the_data_is_an_empty_report(small: Store) -> None:
    q = ReportQuery(team="T1", week="2024-W10", quadrant_weeks=4, health_grain=Grain.MONTH)
    r = weekly_report(small, q)
    assert r.quadrant_changes == () and r.stuck == () and r.funnel.weakest is None
    # nobody won anything; Dirk, who started in May 2025, is not on the scorecard yet
    assert [(x.rep_id, x.value.value) for x in r.leaders] == [("R1", 0), ("R2", 0)]
    act = r.teams[0].figure("activities")
    assert act is not None and act.cell.value in (0, None)
