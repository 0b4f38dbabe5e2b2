"""A plan for a rep who converts worse than their team: the activity at their own conversion
and at the team's, checked against the metric layer's counts, on the library and the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from salesperf.analysis.plan.core import PlanQuery, plan
from salesperf.cli.app import app
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Period
from salesperf.metrics.query import By, Query
from salesperf.store import Store

runner = CliRunner()


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


# -- two paths for a rep who converts worse than the team ----------------------------------
@pytest.mark.slow
def test_a_busy_rep_sees_the_activity_at_their_own_and_at_the_teams_conversion(
    demo_store: Store, demo_planted: object
) -> None:
    """The planted busy-but-not-effective reps convert far worse than their team: the plan
    asks them for their own conversion's activity and sets the team's beside it, each computed
    here from the metric layer's counts (deals needed / win rate / opportunities per activity);
    an efficient rep, who converts better than the team, gets one path."""
    today = date(2026, 10, 1)
    window = Period(date(2025, 10, 1), date(2026, 10, 1), "2025-Q4..2026-Q3")
    for rep in demo_planted.busy_not_effective:  # type: ignore[attr-defined]
        p = plan(demo_store, PlanQuery(150_000, "2026-Q4", rep=rep, today=today, simulate=False))
        assert p.rates.window == window
        assert p.paths is not None
        own, team = p.paths.own, p.paths.team
        assert own.per_week == pytest.approx(p.per_week)  # the plan's own path is the plan
        team_id = team.source.split()[1]
        q = Query(("deals_won", "deals_lost", "deals_created", "activities"), window.start,
                  window.end, grain="all", by=By.TEAM, teams=frozenset({team_id}))  # fmt: skip
        t = run(demo_store.con, q, demo_store.settings.timezone).iloc[0]
        win = t.deals_won / (t.deals_won + t.deals_lost)
        per_activity = t.deals_created / t.activities
        assert team.win_rate == pytest.approx(win)
        assert team.opportunities_per_activity == pytest.approx(per_activity)
        assert team.per_week == pytest.approx(p.deals / win / per_activity / p.weeks)
        assert own.per_week > 2 * team.per_week  # the costlier path by far
        assert "Fix conversion first" in p.paths.text.en
        assert "Verbeter eerst de conversie" in p.paths.text.nl
        assert p.to_json()["paths"]["team"]["per_week"] == pytest.approx(team.per_week)
    for rep in demo_planted.efficient:  # type: ignore[attr-defined]
        p = plan(demo_store, PlanQuery(150_000, "2026-Q4", rep=rep, today=today, simulate=False))
        assert p.paths is None


@pytest.mark.slow
def test_cli_plan_shows_both_paths_in_both_languages(
    demo_store: Store, demo_planted: object
) -> None:
    rep = demo_planted.busy_not_effective[0]  # type: ignore[attr-defined]
    base = ("plan", "--target", "150000", "--period", "2026-Q4", "--rep", rep, "--as-of",
            "2026-10-01", "--store", str(demo_store.path))  # fmt: skip
    code, text = _cli(*base)
    assert code == 0, text
    assert "Two paths to this target" in text and "Fix conversion first" in text
    code, text = _cli(*base, "--lang", "nl")
    assert code == 0, text
    assert "Twee wegen naar dit doel" in text
    code, text = _cli(*base, "--format", "json")
    assert code == 0, text
    assert json.loads(text)["paths"]["own"]["conversion"] == "own"
