"""Alerts a user can switch on: each rule on a small organisation built by hand (one rep, deal or
team for which the rule fires and one for which it does not, with the numbers worked out here),
the viewer's scope, the switches kept per user, bad parameters refused in English and Dutch, and
the page in Dutch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from salesperf.analysis.alerts.core import alerts_for_user, find_alerts
from salesperf.analysis.alerts.model import Alert, AlertQuery, Alerts, Concerns
from salesperf.analysis.alerts.rules import Rule, RuleSetting, read_parameter
from salesperf.analysis.alerts.switches import rule_settings, save_rule_settings
from salesperf.auth.access import EVERYTHING, Scope, ScopeKind, scope_for
from salesperf.auth.users import Role, User
from salesperf.errors import InputError
from salesperf.i18n.messages import t
from salesperf.metrics.periods import parse_period
from salesperf.server.jinja import environment
from salesperf.server.render import Fmt
from salesperf.store import Store
from salesperf.text import Lang, Text
from test_dutch_pages import foreign_words, visible_text
from webtools import ADMIN, MANAGER, REP, REP_ID, app_for, build_web_store, client_for

DAY = date(2025, 6, 12)  # a Thursday: the days judged are those before it


def _on(rule: Rule, n: int | None = None) -> tuple[RuleSetting, ...]:
    return (RuleSetting(rule, True, n),)


def _alerts(store: Store, rules: tuple[RuleSetting, ...], scope: Scope = EVERYTHING,
            day: date = DAY) -> Alerts:  # fmt: skip
    return find_alerts(store, AlertQuery(scope, day, rules))


def _by_id(found: Alerts) -> dict[str, Alert]:
    return {a.id: a for a in found.alerts}


# -- a small organisation -----------------------------------------------------------------------
def _at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour)


def _calls(rep: str, day: date, n: int, deal: str | None = None) -> list[dict[str, Any]]:
    return [{"activity_id": f"{rep}-{day}-{j}", "rep_id": rep, "type": "call",
             "occurred_at": _at(day, 9 + j), "outcome": "connected", "deal_id": deal}
            for j in range(n)]  # fmt: skip


def _quarter_target(scope: str, who: str, quarter: str, value: float) -> dict[str, Any]:
    p = parse_period(quarter)
    return {"scope": scope, "scope_id": who, "metric": "revenue_won", "period_start": p.start,
            "period_end": p.end - timedelta(days=1), "value": value}  # fmt: skip


def _build_small(store: Store) -> None:
    """North (T1): Ann and Cas; South (T2): Bob; both under Acme (ORG).

    Activity goals (`activities` targets): Ann and Bob 44 in May 2025 (22 weekdays) and 42 in
    June (21 weekdays), two a working day; Cas has none. Ann is absent on Wednesday 4 June.
    Ann: three calls on Friday 30 May, then one a day on 2, 3, 5, 6, 9, 10 and 11 June, five on
    12 June (the as-of day, not judged). Bob: one a day from 2 to 11 June but three on the 9th.

    Open deals: D1 (Ann, created 1 May, last touched 20 May, and on the as-of day itself), D2
    (Bob, touched 5 June), D3 (Bob, created 10 May, never touched), D5 (Cas, created 11 June);
    D4 (Ann) was won on 15 May.

    Revenue targets per quarter, 2024-Q2 to 2025-Q1: North and South 100,000 each. Ann (North)
    wins 50k, 50k, 50k, 150k; Bob (South) 150k, 50k, 150k, 150k.
    """
    teams = [{"team_id": "ORG", "name": "Acme"},
             {"team_id": "T1", "name": "North", "parent_team_id": "ORG"},
             {"team_id": "T2", "name": "South", "parent_team_id": "ORG"}]  # fmt: skip
    start = date(2024, 1, 1)
    reps = [{"rep_id": "R1", "name": "Ann", "team_id": "T1", "role": "rep", "start_date": start},
            {"rep_id": "R2", "name": "Bob", "team_id": "T2", "role": "rep", "start_date": start},
            {"rep_id": "R3", "name": "Cas", "team_id": "T1", "role": "rep", "start_date": start}]  # fmt: skip
    june = [date(2025, 6, d) for d in (2, 3, 5, 6, 9, 10, 11)]
    acts = _calls("R1", date(2025, 5, 30), 3) + _calls("R1", date(2025, 5, 20), 1, "D1")
    acts += [a for d in june for a in _calls("R1", d, 1)]
    acts += _calls("R1", DAY, 5, "D1")
    bob = [date(2025, 6, d) for d in (2, 3, 4, 5, 6, 9, 10, 11)]
    acts += [a for d in bob for a in _calls("R2", d, 3 if d.day == 9 else 1,
                                             "D2" if d.day == 5 else None)]  # fmt: skip
    acts += _calls("R1", date(2025, 4, 1), 1, "D4")
    deals = [
        {"deal_id": "D1", "rep_id": "R1", "created_at": _at(date(2025, 5, 1)), "status": "open"},
        {"deal_id": "D2", "rep_id": "R2", "created_at": _at(date(2025, 5, 1)), "status": "open"},
        {"deal_id": "D3", "rep_id": "R2", "created_at": _at(date(2025, 5, 10)), "status": "open"},
        {
            "deal_id": "D4",
            "rep_id": "R1",
            "created_at": _at(date(2025, 3, 1)),
            "status": "won",
            "closed_at": _at(date(2025, 5, 15)),
            "amount": 1000.0,
        },
        {"deal_id": "D5", "rep_id": "R3", "created_at": _at(date(2025, 6, 11)), "status": "open"},
    ]
    targets = []
    quarters = ("2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1")
    won = {"R1": (50_000, 50_000, 50_000, 150_000), "R2": (150_000, 50_000, 150_000, 150_000)}
    for i, q in enumerate(quarters):
        p = parse_period(q)
        for team in ("T1", "T2"):
            targets.append(_quarter_target("team", team, q, 100_000))
        for rep, amounts in won.items():
            deals.append({"deal_id": f"W-{rep}-{q}", "rep_id": rep, "status": "won",
                          "created_at": _at(p.start), "closed_at": _at(p.start + timedelta(40)),
                          "amount": float(amounts[i])})  # fmt: skip
    for rep in ("R1", "R2"):
        for first, last, value in ((date(2025, 5, 1), date(2025, 5, 31), 44),
                                   (date(2025, 6, 1), date(2025, 6, 30), 42)):  # fmt: skip
            targets.append({"scope": "rep", "scope_id": rep, "metric": "activities",
                            "period_start": first, "period_end": last, "value": value})  # fmt: skip
    for table, rows in (("teams", teams), ("reps", reps), ("deals", deals),
                        ("activities", acts), ("targets", targets),
                        ("absences", [{"rep_id": "R1", "date": date(2025, 6, 4)}])):  # fmt: skip
        store.merge_rows(table, rows)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(tmp_path_factory.mktemp("alerts") / "small.duckdb") as s:
        _build_small(s)
        yield s


# -- the rules ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_rep_under_the_activity_goal_for_n_working_days(small: Store) -> None:
    found = _alerts(small, _on(Rule.UNDER_ACTIVITY_GOAL))  # N = 5 by default
    assert [a.id for a in found.alerts] == ["R1"]  # Bob: only two days; Cas: no goal
    ann = found.alerts[0]
    # 2 June to 11 June less the weekend and the absence on the 4th: seven working days, one
    # call each against two; 30 May (three calls) ends the run, 12 June is not judged
    assert ann.figures["days"] == 7
    assert ann.figures["days_judged"] == [date(2025, 6, d) for d in (2, 3, 5, 6, 9, 10, 11)]
    assert (ann.figures["since"], ann.figures["last"]) == (date(2025, 6, 2), date(2025, 6, 11))
    assert (ann.figures["activities"], ann.figures["goal"]) == (7, 14)
    assert (ann.concerns, ann.rep_id, ann.team_id) == (Concerns.REP, "R1", "T1")
    assert ann.link == "/reps/R1?period=2025-06"
    assert ann.text.en == (
        "Ann has been under the activity goal for 7 working days in a row (since 2025-06-02):"
        " 7 activities against a goal of 14."
    )
    assert ann.text.nl == (
        "Ann zit al 7 werkdagen op rij onder het activiteitendoel (sinds 02-06-2025): "
        "7 activiteiten tegenover een doel van 14."
    )
    two = _by_id(_alerts(small, _on(Rule.UNDER_ACTIVITY_GOAL, 2)))
    assert sorted(two) == ["R1", "R2"]
    assert (two["R2"].figures["days"], two["R2"].figures["activities"]) == (2, 2)
    assert _alerts(small, _on(Rule.UNDER_ACTIVITY_GOAL, 8)).alerts == ()


@pytest.mark.slow
def test_an_open_deal_with_no_activity_for_n_days(small: Store) -> None:
    found = _alerts(small, _on(Rule.IDLE_DEAL))  # N = 14 by default
    # D3 never touched since 10 May (33 days); D1 last touched on 20 May (23 days: its call on
    # the as-of day is not counted); D2 touched 7 days ago, D5 made yesterday, D4 won
    assert [(a.id, a.figures["days"]) for a in found.alerts] == [("D3", 33), ("D1", 23)]
    d1, d3 = _by_id(found)["D1"], _by_id(found)["D3"]
    assert d1.figures["last_activity"] == date(2025, 5, 20)
    assert d3.figures["last_activity"] is None and d3.figures["created"] == date(2025, 5, 10)
    assert (d3.concerns, d3.rep_id, d3.team_id, d3.link) == (
        Concerns.DEAL,
        "R2",
        "T2",
        "/reps/R2?period=2025-06",
    )
    assert d1.text.en == "Deal D1 of Ann has had no activity for 23 days (the last on 2025-05-20)."
    assert d3.text.nl == (
        "Deal D3 van Bob heeft geen activiteit gehad in de 33 dagen sinds hij op 10-05-2025 "
        "werd aangemaakt."
    )
    assert [a.id for a in _alerts(small, _on(Rule.IDLE_DEAL, 7)).alerts] == ["D3", "D1", "D2"]
    assert [a.id for a in _alerts(small, _on(Rule.IDLE_DEAL, 24)).alerts] == ["D3"]
    # as of 16 May, D4 was still open and D1 untouched since it was made on 1 May
    early = _by_id(_alerts(small, _on(Rule.IDLE_DEAL), day=date(2025, 5, 16)))
    assert sorted(early) == ["D1", "D2"] and early["D1"].figures["days"] == 15


@pytest.mark.slow
def test_a_team_under_target_in_n_of_the_last_four_quarters(small: Store) -> None:
    found = _alerts(small, _on(Rule.TEAM_UNDER_TARGET))  # 3 of 4 by default
    assert [a.id for a in found.alerts] == ["T1"]
    north = found.alerts[0]
    assert north.figures["missed"] == 3 and north.figures["periods"] == 4
    assert north.figures["missed_periods"] == ["2024-Q2", "2024-Q3", "2024-Q4"]
    assert north.figures["attainment"] == pytest.approx(
        {"2024-Q2": 0.5, "2024-Q3": 0.5, "2024-Q4": 0.5, "2025-Q1": 1.5}
    )
    assert north.link == "/teams/T1?period=2025-Q1"
    assert north.text.en.startswith("North (T1): Under target in 3 of the last 4 quarters")
    assert north.text.nl.startswith("North (T1): Onder doel in 3 van de laatste 4 kwartalen")
    # with one miss enough: South (Q3 2024) and Acme (its members' 200k against 100k won)
    one = _alerts(small, _on(Rule.TEAM_UNDER_TARGET, 1))
    assert [(a.id, a.figures["missed"]) for a in one.alerts] == [("T1", 3), ("ORG", 1), ("T2", 1)]
    assert _by_id(one)["T2"].figures["missed_periods"] == ["2024-Q3"]


# the quadrant over two quarters: B works as the others in 2024-Q4 and busily, to little
# effect, in 2025-Q1; K is busy but not effective in both (not newly)
BASELINE = (2, 10, 10, None)  # activities a working day, deals won, lost, revenue target
BUSY = (3, 5, 15, 20_000.0)
QUARTER_PLAN = {
    "2024-Q4": {"A": BASELINE, "D": BASELINE, "E": BASELINE, "G": BASELINE, "B": BASELINE,
                "K": BUSY},
    "2025-Q1": {"A": BASELINE, "D": BASELINE, "E": BASELINE, "G": BASELINE, "B": BUSY,
                "K": BUSY},
}  # fmt: skip


def _build_quadrant(store: Store) -> None:
    reps = [{"rep_id": r, "name": f"Rep {r}", "team_id": "T1", "role": "rep"} for r in "ABDEGK"]
    acts, deals, targets = [], [], []
    for quarter, plan in QUARTER_PLAN.items():
        p = parse_period(quarter)
        days = [p.start + timedelta(i) for i in range((p.end - p.start).days)]
        workdays = [d for d in days if d.weekday() < 5]
        for rep, (per_day, won, lost, target) in plan.items():
            acts += [a for d in workdays for a in _calls(rep, d, per_day)]
            for i in range(won + lost):
                closed = datetime.combine(p.start, datetime.min.time()) + timedelta(
                    days=(i * 7) % 80, hours=i % 8)  # fmt: skip
                deals.append({"deal_id": f"{rep}-{quarter}-{i}", "rep_id": rep,
                              "created_at": _at(p.start - timedelta(30)), "closed_at": closed,
                              "status": "won" if i < won else "lost", "amount": 1000.0})  # fmt: skip
            if target is not None:
                targets.append(_quarter_target("rep", rep, quarter, target))
    store.merge_rows("teams", [{"team_id": "T1", "name": "North"}])
    for table, rows in (("reps", reps), ("activities", acts), ("deals", deals),
                        ("targets", targets)):  # fmt: skip
        store.merge_rows(table, rows)


@pytest.mark.slow
def test_a_rep_newly_busy_but_not_effective(tmp_path: Path) -> None:
    with Store.open(tmp_path / "quadrant.duckdb") as s:
        _build_quadrant(s)
        found = _alerts(s, _on(Rule.NEWLY_BUSY), day=date(2025, 4, 10))
    assert [a.id for a in found.alerts] == ["B"]  # K was busy the quarter before too
    b = found.alerts[0]
    f = b.figures
    assert (f["window"], f["previous_window"], f["previous_label"]) == (
        "2025-Q1",
        "2024-Q4",
        "inconclusive",
    )
    # three calls a working day against the team's median of two; 5,000 won of a 20,000 target
    assert f["activity_index"] == pytest.approx(1.5)
    assert f["performance_index"] == pytest.approx(0.25)
    assert (f["revenue_won"], f["target"], f["performance_basis"]) == (5000.0, 20_000.0, "target")
    assert b.link == "/reps/B?period=2025-Q1"
    assert b.text.en == (
        "Rep B is busy but not effective in Q1 2025 (activity index 1.50, performance index "
        "0.25); in Q4 2024: inconclusive."
    )
    assert b.text.nl.startswith("Rep B is druk maar niet effectief in K1 2025 (activiteitsindex")


# -- scope ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_each_viewer_sees_only_their_scope(small: Store) -> None:
    rules = (RuleSetting(Rule.UNDER_ACTIVITY_GOAL, True, 2), RuleSetting(Rule.IDLE_DEAL, True))
    everything = {(a.rule, a.id) for a in _alerts(small, rules).alerts}
    assert everything == {(Rule.UNDER_ACTIVITY_GOAL, "R1"), (Rule.UNDER_ACTIVITY_GOAL, "R2"),
                          (Rule.IDLE_DEAL, "D1"), (Rule.IDLE_DEAL, "D3")}  # fmt: skip
    north = scope_for(small, User("mia", Role.MANAGER, team_id="T1"))
    assert {(a.rule, a.id) for a in _alerts(small, rules, north).alerts} == {
        (Rule.UNDER_ACTIVITY_GOAL, "R1"),
        (Rule.IDLE_DEAL, "D1"),
    }
    bob = scope_for(small, User("bob", Role.REP, rep_id="R2"))
    assert {(a.rule, a.id) for a in _alerts(small, rules, bob).alerts} == {
        (Rule.UNDER_ACTIVITY_GOAL, "R2"),
        (Rule.IDLE_DEAL, "D3"),
    }
    nobody = Scope(ScopeKind.TEAMS, frozenset(), frozenset())
    assert _alerts(small, rules, nobody).alerts == ()


@pytest.mark.slow
def test_a_manager_never_sees_another_teams_alerts(small: Store) -> None:
    teams = _on(Rule.TEAM_UNDER_TARGET, 1)
    south = scope_for(small, User("sam", Role.MANAGER, team_id="T2"))
    assert [a.id for a in _alerts(small, teams, south).alerts] == ["T2"]
    rep = scope_for(small, User("ann", Role.REP, rep_id="R1"))
    assert _alerts(small, teams, rep).alerts == ()  # a rep sees no team's figures


# -- the switches --------------------------------------------------------------------------------
@pytest.mark.slow
def test_switches_are_off_by_default_and_kept_per_user(small: Store) -> None:
    defaults = rule_settings(small, "mia")
    assert [(r.rule, r.enabled, r.n) for r in defaults] == [
        (Rule.UNDER_ACTIVITY_GOAL, False, 5), (Rule.IDLE_DEAL, False, 14),
        (Rule.TEAM_UNDER_TARGET, False, 3), (Rule.NEWLY_BUSY, False, 1),
    ]  # fmt: skip
    save_rule_settings(small, "Mia", [RuleSetting(Rule.IDLE_DEAL, True, 24)])
    save_rule_settings(small, "mia", [RuleSetting(Rule.UNDER_ACTIVITY_GOAL, False, 9)])
    kept = {r.rule: (r.enabled, r.n) for r in rule_settings(small, "mia")}
    assert kept[Rule.IDLE_DEAL] == (True, 24) and kept[Rule.UNDER_ACTIVITY_GOAL] == (False, 9)
    assert rule_settings(small, "ann") == defaults  # another user's are their own
    mia = User("mia", Role.MANAGER, team_id="T1")
    assert [a.id for a in alerts_for_user(small, mia, DAY).alerts] == []  # D1: 23 days < 24
    save_rule_settings(small, "mia", [RuleSetting(Rule.IDLE_DEAL, True, 23)])
    assert [a.id for a in alerts_for_user(small, mia, DAY).alerts] == ["D1"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("-3", "-3"), ("0", "0"), ("366", "366"), ("abc", "abc"), ("2.5", "2.5"),
     ("9" * 30, "9" * 20), (True, "true")],
)  # fmt: skip
def test_a_bad_parameter_is_refused_in_both_languages(value: Any, shown: str) -> None:
    with pytest.raises(InputError) as caught:
        read_parameter(Rule.IDLE_DEAL, value)
    said = caught.value.text
    assert said is not None
    assert said.en == (
        f"An open deal with no activity for N days: N must be a whole number from 1 to 365, "
        f"not '{shown}'."
    )
    assert said.nl == (
        f"Een open deal zonder activiteit in N dagen: N moet een geheel getal van 1 tot en met "
        f"365 zijn, niet '{shown}'."
    )
    assert read_parameter(Rule.IDLE_DEAL, " 21 ") == 21 and read_parameter("idle_deal", "") == 14
    with pytest.raises(InputError):
        RuleSetting(Rule.TEAM_UNDER_TARGET, True, 5)  # of the last 4 quarters


# -- the page and its JSON ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return app_for(build_web_store(tmp_path_factory.mktemp("alerts-web") / "store.duckdb"))


def _problems(html: str) -> list[str]:
    box = re.search(r'<div class="error" role="alert">(.*?)</div>', html, re.S)
    assert box, html[:500]
    return [re.sub(r"&#39;", "'", x) for x in re.findall(r"<li>(.*?)</li>", box.group(1))]


@pytest.mark.slow
def test_the_form_saves_the_switches_and_refuses_bad_ones(web: FastAPI) -> None:
    client, csrf = client_for(web, REP)
    assert client.get("/api/alerts").json()["alerts"] == []
    bad = {"csrf_token": csrf, "idle_deal.on": "1", "idle_deal.n": "-3",
           "under_activity_goal.n": "veel"}  # fmt: skip
    r = client.post("/alerts", data=bad)
    assert r.status_code == 422
    assert _problems(r.text) == [
        "A rep under their activity goal for N working days in a row: N must be a whole number "
        "from 1 to 60, not 'veel'.",
        "An open deal with no activity for N days: N must be a whole number from 1 to 365, "
        "not '-3'.",
    ]
    client.cookies.set("salesperf_lang", "nl")
    r = client.post("/alerts", data={**bad, "under_activity_goal.n": "5"})
    assert _problems(r.text) == [
        "Een open deal zonder activiteit in N dagen: N moet een geheel getal van 1 tot en met "
        "365 zijn, niet '-3'."
    ]
    assert not any(x["enabled"] for x in client.get("/api/alerts").json()["rules"])  # none kept
    assert client.post("/alerts", data={"idle_deal.on": "1"}).status_code == 403  # no token
    r = client.post("/alerts", data={"csrf_token": csrf, "idle_deal.on": "1",
                                     "idle_deal.n": "6"}, follow_redirects=False)  # fmt: skip
    assert (r.status_code, r.headers["location"]) == (303, "/alerts?saved=1")
    # kept for the user, whatever session they sign in with next
    again, token = client_for(web, REP)
    data = again.get("/api/alerts").json()
    rules = {x["rule"]: (x["enabled"], x["parameter"]) for x in data["rules"]}
    assert rules == {"under_activity_goal": (False, 5), "idle_deal": (True, 6),
                     "team_under_target": (False, 3), "newly_busy": (False, 1)}  # fmt: skip
    assert data["alerts"] and {a["rep_id"] for a in data["alerts"]} == {REP_ID}  # their own
    assert all(a["figures"]["days"] >= 6 for a in data["alerts"])
    assert data["day"] == "2026-10-01" and data["as_of"]["day"] == "2026-10-01"
    # the JSON route refuses the same, in the viewer's language
    bad_json = {"rules": [{"rule": "idle_deal", "enabled": True, "parameter": "1e9"}]}
    r = again.put("/api/alerts/rules", json=bad_json, headers={"x-csrf-token": token or ""})
    assert r.status_code == 422
    assert r.json()["error"] == (
        "An open deal with no activity for N days: N must be a whole number from 1 to 365, "
        "not '1e9'."
    )
    r = again.put("/api/alerts/rules", json={"rules": [{"rule": "nap", "enabled": True}]},
                  headers={"x-csrf-token": token or "", "accept-language": "nl"})  # fmt: skip
    assert r.status_code == 422 and r.json()["error"].startswith("Er is geen signaal met")


def _switch_all_on(client: Any, csrf: str | None) -> None:
    form = {"csrf_token": csrf or ""} | {f"{r.value}.on": "1" for r in Rule}
    assert client.post("/alerts", data=form, follow_redirects=False).status_code == 303


@pytest.mark.slow
def test_the_web_alerts_keep_to_the_viewers_scope(web: FastAPI) -> None:
    """The demo's managers: vera.schmidt runs DACH (T02 and T04, reps R008 to R012); R004 of
    Benelux 1 is newly busy in 2026-Q3, and the root team T00 is under target too."""
    seen: dict[str, list[dict[str, Any]]] = {}
    for user in (ADMIN, MANAGER, REP):
        client, csrf = client_for(web, user)
        _switch_all_on(client, csrf)
        seen[user] = client.get("/api/alerts").json()["alerts"]
    everyone = {(a["rule"], a["id"]) for a in seen[ADMIN]}
    assert {("team_under_target", t) for t in ("T00", "T02", "T04")} <= everyone
    assert ("newly_busy", "R004") in everyone
    dach = {"T02", "T04"}
    dach_reps = {"R007", "R008", "R009", "R010", "R011", "R012"}
    for a in seen[MANAGER]:
        assert a["team_id"] in dach and (a["rep_id"] is None or a["rep_id"] in dach_reps), a
    assert {a["id"] for a in seen[MANAGER] if a["rule"] == "team_under_target"} == dach
    assert {a["rep_id"] for a in seen[REP]} <= {REP_ID}
    assert not any(a["concerns"] == "team" for a in seen[REP])
    admin_only = {(a["rule"], a["id"]) for a in seen[ADMIN] if a["team_id"] not in dach}
    assert admin_only and not admin_only & {(a["rule"], a["id"]) for a in seen[MANAGER]}


@pytest.mark.slow
def test_the_page_in_dutch_has_no_english_words(web: FastAPI) -> None:
    client, csrf = client_for(web, MANAGER)
    _switch_all_on(client, csrf)
    client.cookies.set("salesperf_lang", "nl")
    r = client.get("/alerts")
    assert r.status_code == 200 and '<html lang="nl">' in r.text
    text = visible_text(r.text)
    assert "Onder doel in 3 van de laatste 4 kwartalen" in text
    assert 'href="/teams/T02?period=2026-Q3"' in r.text
    assert foreign_words(text) == []
    r = client.get("/alerts")
    client.cookies.set("salesperf_lang", "en")
    assert "Under target in 3 of the last 4 quarters" in visible_text(client.get("/alerts").text)


def test_the_partial_lists_alerts_compactly() -> None:
    """`_alerts.html`'s macro, as the overview and the weekly report call it: the first
    `limit` alerts, each linking to its page, and how many more there are."""
    alert = Alert(Rule.IDLE_DEAL, Concerns.DEAL, "D1", "D1", "R1", "T1", {"days": 23},
                  "/reps/R1?period=2025-06", Text("Deal D1 is idle.", "Deal D1 ligt stil."))  # fmt: skip
    shown = [alert.to_json()] * 3
    page = environment().from_string(
        '{% import "_alerts.html" as ui with context %}{{ ui.alert_list(alerts, limit=2) }}'
    )
    html = page.render(alerts=shown, lang="nl", fmt=Fmt(Lang.NL),
                       _=lambda key, **kw: t(key, Lang.NL, **kw))  # fmt: skip
    assert html.count('<a href="/reps/R1?period=2025-06">Deal D1 ligt stil.</a>') == 2
    assert '<a href="/alerts">en nog 1</a>' in html
    empty = page.render(alerts=[], lang="en", fmt=Fmt(Lang.EN), _=lambda key, **kw: t(key, "en"))
    assert "Nothing to report." in empty


@pytest.mark.slow
def test_the_overview_shows_the_viewers_alerts_once_switched_on(web: FastAPI) -> None:
    """The start page lists the viewer's current alerts (as `/api/alerts` finds them) once a
    rule is on, at once (a switch clears the kept pages), and no section while all are off."""
    client, csrf = client_for(web, MANAGER)
    # every rule off first: other tests of this module switch the manager's rules on
    assert (
        client.post("/alerts", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    before = client.get("/api/overview").json()["alerts"]
    assert not any(r["enabled"] for r in before["rules"]) and before["alerts"] == []
    assert 'id="alerts"' not in client.get("/").text
    r = client.post("/alerts", data={"csrf_token": csrf, "idle_deal.on": "1", "idle_deal.n": "1"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    try:
        found = client.get("/api/alerts").json()["alerts"]
        shown = client.get("/api/overview").json()["alerts"]["alerts"]
        assert found and [a["id"] for a in shown] == [a["id"] for a in found]
        page = client.get("/").text
        assert 'id="alerts"' in page
        for a in found[:5]:  # the page lists the first five, each linking to its figure
            assert f'href="{a["link"]}"' in page.replace("&amp;", "&")
    finally:
        client.post("/alerts", data={"csrf_token": csrf})  # every rule off again
