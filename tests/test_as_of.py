"""The day the analyses judge "now" as of, one rule on every interface.

The store is a 12-rep demo whose history ends on 2026-08-31 (a Monday, mid-quarter); the app
is told that today is 40 days later, 2026-10-10, in the next quarter. Judged as of today the
current quarter would be 2026-Q4, with nothing closed and no pace; the rule judges as of
2026-09-01, the day after the data end, and every page and JSON route says so. The numbers are
the analysis library's own, run on that day. `?as_of=` and `--as-of` choose another day; a bad
one is a clear 422 (in the viewer's language) or exit code 2, never a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from salesperf.analysis import asof
from salesperf.analysis.asof import AsOfError, as_of, last_data_day, parse_as_of
from salesperf.analysis.forecast.core import ForecastQuery, forecast
from salesperf.analysis.health import HealthQuery, health
from salesperf.analysis.plan.core import PlanQuery, plan
from salesperf.analysis.quadrant.model import DiagnoseQuery, diagnose
from salesperf.auth.users import add_demo_users, password_hasher
from salesperf.cli.app import app as cli
from salesperf.demo import DemoConfig, build_demo
from salesperf.scorecard import scorecard
from salesperf.server.pages.registry import PAGES
from salesperf.store import Store
from webtools import ADMIN, PASSWORD, app_for, client_for, library_part

LAST = date(2026, 8, 31)  # the last day of the demo's history
DAY = LAST + timedelta(days=1)  # the day the rule judges as of
TODAY = LAST + timedelta(days=40)  # the app's today: 2026-10-10, in 2026-Q4
QUARTER = "2026-Q3"  # the quarter of the data's end
MOVED = {"day": "2026-09-01", "today": "2026-10-10", "data_end": "2026-08-31",
         "moved": True, "chosen": False}  # fmt: skip
BANNER_EN = "The data end on 2026-08-31: figures are as of 2026-09-01."
BANNER_NL = "De gegevens lopen tot 31-08-2026: de cijfers zijn per 01-09-2026."
PARAMS = {"team_id": "T02", "rep_id": "R002"}  # the path parameters of the pages


def _json(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


def _get(client: TestClient, path: str, **params: Any) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:500]
    return r.json()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The store whose data end 40 days before the app's today, an app on it, and an English
    and a Dutch administrator."""
    path = tmp_path_factory.mktemp("as-of") / "store.duckdb"
    with Store.open(path) as s:
        build_demo(s, DemoConfig(reps=12, years=1, end=LAST))
        add_demo_users(s, PASSWORD, hasher=password_hasher(cheap=True))
    app = app_for(path, today=TODAY)
    admin = client_for(app, ADMIN)[0]
    dutch = client_for(app, ADMIN)[0]
    dutch.cookies.set("salesperf_lang", "nl")
    store = Store.open(path)
    yield {"path": path, "app": app, "store": store, "admin": admin, "nl": dutch}
    store.close()


# -- the rule ------------------------------------------------------------------------------
def test_the_rule_moves_today_back_to_the_day_after_the_data_end() -> None:
    moved = as_of(LAST, TODAY)
    assert (moved.day, moved.moved, moved.chosen) == (DAY, True, False)
    # data up to yesterday (or later): judged today, nothing said
    for last in (TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=3)):
        same = as_of(last, TODAY)
        assert (same.day, same.moved, same.note()) == (TODAY, False, None)
    assert as_of(None, TODAY).day == TODAY  # no data at all
    chosen = as_of(LAST, TODAY, date(2026, 7, 15))
    assert (chosen.day, chosen.moved, chosen.chosen) == (date(2026, 7, 15), False, True)
    assert moved.note() is not None and moved.note().en == BANNER_EN  # type: ignore[union-attr]
    assert moved.note().nl == BANNER_NL  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-02-30", "is not a date"),
        ("15-08-2026", "is not a date"),
        ("tomorrow", "is not a date"),
        ("1800-01-01", "lies outside"),
        ("2999-06-01", "lies outside"),
    ],
)
def test_a_bad_day_is_refused_in_both_languages(text: str, words: str) -> None:
    with pytest.raises(AsOfError) as caught:
        parse_as_of(text)
    assert words in str(caught.value)
    assert caught.value.text.nl != caught.value.text.en
    assert parse_as_of("  ") is None and parse_as_of("2026-08-15") == date(2026, 8, 15)


@pytest.mark.slow
def test_the_data_end_counts_deal_changes_but_not_expected_closes(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as s:
        build_demo(s, DemoConfig(reps=4, years=1, end=LAST))
        assert last_data_day(s) == LAST
        deal = {"rep_id": "R002", "status": "open", "amount": 1000.0}
        # an open deal expected to close later is no change
        s.merge_rows("deals", [{**deal, "deal_id": "X1", "created_at": "2026-08-01",
                                "closed_at": "2026-12-01"}])  # fmt: skip
        assert last_data_day(s) == LAST
        s.merge_rows("deals", [{**deal, "deal_id": "X2", "created_at": "2026-09-10"}])
        assert last_data_day(s) == date(2026, 9, 10)
        s.merge_rows("deals", [{**deal, "deal_id": "X3", "created_at": "2026-08-01",
                                "status": "won", "closed_at": "2026-09-20"}])  # fmt: skip
        assert last_data_day(s) == date(2026, 9, 20)
        assert asof.judge_as_of(s, today=TODAY).day == date(2026, 9, 21)


# -- the JSON routes and pages -------------------------------------------------------------
@pytest.mark.slow
def test_the_forecast_is_of_the_datas_quarter_with_its_closed_revenue(
    web: dict[str, Any],
) -> None:
    data = _get(web["admin"], "/api/forecast")
    assert data["as_of"] == MOVED
    f = data["forecast"]
    expected = forecast(web["store"], ForecastQuery(QUARTER, today=DAY))
    assert f == _json(expected.to_json())
    assert (f["period"]["label"], f["as_of"]) == (QUARTER, "2026-09-01")
    card = scorecard(web["store"], by="org", period="2026-07-01..2026-08-31",
                     metrics=("revenue_won",))  # fmt: skip
    won = card.rows[0].cells["revenue_won"].value
    assert won is not None and won > 0 and f["closed"] == pytest.approx(won)
    assert f["target"] is not None and f["target"] > 0


@pytest.mark.slow
def test_the_plan_and_team_health_pace_are_those_of_the_datas_last_weeks(
    web: dict[str, Any],
) -> None:
    data = _get(web["admin"], "/api/plan")
    assert data["as_of"] == MOVED and data["period"]["label"] == QUARTER
    assert data["target_source"] == "set"
    expected = plan(web["store"], PlanQuery(data["target"], QUARTER, today=DAY))
    assert data["plan"] == _json(expected.to_json())
    # the four full weeks before 2026-09-01's week: 2026-08-03 to 2026-08-30
    assert data["plan"]["pace"]["start"] == "2026-08-03"
    assert data["plan"]["pace_per_week"] > 0
    team = _get(web["admin"], "/api/teams/T02")
    assert team["as_of"] == MOVED
    want = health(web["store"], HealthQuery(team="T02", today=DAY))
    assert team["health"] == _json(want.to_json())
    paces = [r["activity"]["pace_per_week"] for r in team["health"]["rows"] if r["activity"]]
    assert paces and all(p is not None and p > 0 for p in paces)


@pytest.mark.slow
def test_every_judging_route_says_the_day_it_used(web: dict[str, Any]) -> None:
    admin = web["admin"]
    judging = [p for p in PAGES if p.judges]
    assert {p.name for p in judging} >= {"overview", "team", "rep", "quadrant", "funnel",
                                         "drivers", "plan", "forecast"}  # fmt: skip
    assert {p.name for p in PAGES if not p.judges} == {"import", "log", "exports"}
    for page in judging:
        path = page.path.format(**PARAMS)
        assert _get(admin, "/api" + (path if path != "/" else "/overview"))["as_of"] == MOVED
        html = admin.get(path).text
        assert 'id="as-of"' in html and BANNER_EN in html, page.name
        assert 'name="as_of" value="2026-09-01"' in html
        assert BANNER_NL in web["nl"].get(path).text, page.name
    # the last full quarter before 2026-09-01, not before 2026-10-10
    assert _get(admin, "/api/overview")["period"]["label"] == "2026-Q2"
    card = _get(admin, "/api/scorecard", by="org")
    assert card["as_of"] == MOVED and card["period"]["label"] == "2026-Q2"
    expected = scorecard(web["store"], by="org", period="2026-Q2").to_json()
    assert library_part(card) == _json(expected)
    q = _get(admin, "/api/quadrant")["diagnosis"]
    assert q == _json(diagnose(web["store"], DiagnoseQuery(today=DAY)).to_json())
    r = admin.get("/export/scorecard", params={"by": "org"})
    assert r.status_code == 200 and "2026-Q2" in r.headers["content-disposition"]
    # pages that judge nothing show no note
    assert 'id="as-of"' not in admin.get("/exports").text


@pytest.mark.slow
def test_a_chosen_day_wins_and_is_said(web: dict[str, Any]) -> None:
    admin = web["admin"]
    data = _get(admin, "/api/forecast", as_of="2026-07-15")
    assert data["as_of"] == {**MOVED, "day": "2026-07-15", "moved": False, "chosen": True}
    f = forecast(web["store"], ForecastQuery(QUARTER, as_of=date(2026, 7, 15)))
    assert data["forecast"] == _json(f.to_json())
    assert _get(admin, "/api/overview", as_of="2026-07-15")["period"]["label"] == "2026-Q2"
    assert _get(admin, "/api/overview", as_of="2026-11-15")["period"]["label"] == "2026-Q3"
    card = _get(admin, "/api/scorecard", by="org", as_of="2026-11-15")
    assert card["period"]["label"] == "2026-Q3" and card["as_of"]["chosen"] is True
    html = admin.get("/plan", params={"as_of": "2026-07-15", "target": "250000"}).text
    assert "Figures are as of 2026-07-15, the day chosen." in html
    # the other parameters are kept, by the form and by the way back to the latest figures
    assert '<input type="hidden" name="target" value="250000">' in html
    assert re.search(r'<a href="/plan\?target=250000">Back to the latest figures</a>', html)
    nl = web["nl"].get("/plan", params={"as_of": "2026-07-15"}).text
    assert "De cijfers zijn per 15-07-2026, de gekozen dag." in nl
    # a blank day is no choice
    assert _get(admin, "/api/forecast", as_of="")["as_of"] == MOVED


@pytest.mark.slow
def test_judged_today_when_the_data_reach_it(web: dict[str, Any]) -> None:
    app = app_for(web["path"], today=DAY)
    admin = client_for(app, ADMIN)[0]
    data = _get(admin, "/api/forecast")
    assert data["as_of"] == {**MOVED, "today": "2026-09-01", "moved": False}
    assert 'id="as-of"' not in admin.get("/forecast").text


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("/api/forecast", "2026-02-30", "is not a date"),
        ("/api/plan", "1800-01-01", "lies outside"),
        ("/api/scorecard", "2026-13-01", "is not a date"),
        ("/api/quadrant", "2026/08/15", "YYYY-MM-DD"),
        ("/forecast", "2026-02-30", "is not a date"),
        ("/export/scorecard", "2026-02-30", "is not a date"),
        ("/api/forecast", "x" * 40, "as_of"),
    ],
)
def test_a_bad_day_is_a_clear_422(web: dict[str, Any], path: str, value: str, words: str) -> None:
    r = web["admin"].get(path, params={"as_of": value})
    assert r.status_code == 422, r.text[:300]
    assert words in r.text


def test_a_bad_day_is_refused_in_dutch_to_a_dutch_viewer(web: dict[str, Any]) -> None:
    r = web["nl"].get("/api/forecast", params={"as_of": "2026-02-30"})
    assert r.status_code == 422
    assert r.json()["error"] == (
        "as_of '2026-02-30' is geen datum; gebruik JJJJ-MM-DD, zoals 2026-08-15"
    )
    page = web["nl"].get("/plan", params={"as_of": "1800-01-01"})
    assert page.status_code == 422 and "ligt buiten de dagen" in page.text


# -- the command line ----------------------------------------------------------------------
@pytest.fixture
def today_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's today is the test's, 40 days after the data end."""
    monkeypatch.setattr(asof, "current_day", lambda: TODAY)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.slow
def test_the_command_line_judges_by_the_same_rule(web: dict[str, Any], today_is: None) -> None:
    store = str(web["path"])
    r = _cli("forecast", "--period", QUARTER, "--format", "json", "--store", store)
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got == _json(forecast(web["store"], ForecastQuery(QUARTER, today=DAY)).to_json())
    r = _cli("scorecard", "--by", "org", "--format", "json", "--store", store)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["period"]["label"] == "2026-Q2"
    r = _cli("health", "--team", "T02", "--store", store)
    assert r.exit_code == 0, r.output
    assert "The data end on 2026-08-31: figures are as of 2026-09-01." in r.stderr
    r = _cli("plan", "--target", "250000", "--period", QUARTER, "--lang", "nl", "--store", store)
    assert r.exit_code == 0, r.output
    assert f"{BANNER_NL} (kies met --as-of)" in r.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["health"],
        ["plan", "--target", "250000", "--period", QUARTER],
        ["drivers"],
        ["diagnose"],
        ["scorecard", "--by", "org"],
    ],
)
@pytest.mark.slow
def test_every_analysis_command_takes_as_of(
    web: dict[str, Any], today_is: None, command: list[str]
) -> None:
    store = str(web["path"])
    r = _cli(*command, "--as-of", "2026-02-30", "--store", store)
    assert r.exit_code == 2 and "is not a date" in r.stderr
    if command[0] in ("drivers", "diagnose"):
        return  # slow; their --as-of reaches the query as health's does (see below)
    r = _cli(*command, "--as-of", "2026-11-15", "--format", "json", "--store", store)
    assert r.exit_code == 0, r.output
    assert "The data end" not in r.stderr


@pytest.mark.slow
def test_diagnose_as_of_chooses_the_window(web: dict[str, Any], today_is: None) -> None:
    store = str(web["path"])
    r = _cli("diagnose", "--as-of", "2026-07-15", "--format", "json", "--store", store)
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    want = diagnose(web["store"], DiagnoseQuery(today=date(2026, 7, 15))).to_json()
    assert got == _json(want)
