"""Data-quality flags, one rule at a time, on a hand-built store whose faults are counted by
hand: silent working days (absences and weekends aside), calls and meetings without an
outcome, won and open deals without an amount, new deals without stage history, open deals
past their expected close, and rates resting on few cases."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from salesperf.analysis.quality import Finding, Flag, QualityQuery, quality
from salesperf.auth.access import scope_for
from salesperf.auth.users import get_user
from salesperf.errors import InputError
from salesperf.ingest.importer import import_file
from salesperf.metrics.periods import parse_period
from salesperf.store import Store
from webtools import ADMIN, MANAGER, REP, REP_ID, TODAY, app_for, build_web_store, client_for

PERIOD = parse_period("2025-03-03..2025-03-16")  # two weeks: ten working days
WORKDAYS = [date(2025, 3, 3) + timedelta(days=k) for k in range(14)]
WORKDAYS = [d for d in WORKDAYS if d.weekday() < 5]
R1_SILENT = (date(2025, 3, 5), date(2025, 3, 13), date(2025, 3, 14))  # and absent on the 4th


def _activities() -> str:
    lines = ["activity_id,rep_id,type,occurred_at,outcome"]
    for d in WORKDAYS:
        if d != date(2025, 3, 4) and d not in R1_SILENT:
            lines.append(f"R1-{d},R1,call,{d}T10:00:00Z,connected")
        for k in range(2):  # R2: two answered calls a day, twenty in all
            lines.append(f"R2-{d}-{k},R2,call,{d}T1{k}:00:00Z,no_answer")
    lines += [
        "R1-x1,R1,call,2025-03-06T15:00:00Z,",  # no outcome
        "R1-x2,R1,meeting,2025-03-07T15:00:00Z,",  # no outcome
        "R1-x3,R1,email,2025-03-07T16:00:00Z,",  # an e-mail: no outcome is not a fault
        "R1-x4,R1,call,2025-02-28T15:00:00Z,",  # before the period
    ]  # R3 logs nothing
    return "\n".join(lines) + "\n"


DEALS = (
    "deal_id,rep_id,created_at,status,amount,closed_at\n"
    "D1,R1,2025-02-10,won,,2025-03-07\n"  # won without an amount
    "D2,R1,2025-03-05,open,,2025-03-10\n"  # new, no amount, no stages, overdue
    "D3,R2,2025-03-04,won,3000,2025-03-12\n"
    "D4,R2,2025-03-03,lost,100,2025-03-13\n"
    "D5,R2,2025-03-06,open,500,2025-04-30\n"  # open, on time
    "D6,R3,2025-01-06,won,,2025-02-20\n"  # won before the period: not this period's fault
)
STAGES = (
    "deal_id,stage,entered_at\n"
    "D3,qualification,2025-03-04\nD4,qualification,2025-03-03\nD5,qualification,2025-03-06\n"
)


@pytest.fixture(scope="module")
def shop(_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The small team tree of `store` (ORG > T1 with R1 and R2, T2 with R3) and the rows above,
    imported once for the module (the flags only read)."""
    folder = tmp_path_factory.mktemp("quality")
    shutil.copyfile(_store_template, folder / "store.duckdb")
    files = {
        "absences": "rep_id,date\nR1,2025-03-04\n",
        "activities": _activities(),
        "deals": DEALS,
        "deal_stages": STAGES,
    }
    with Store.open(folder / "store.duckdb") as s:
        for table, text in files.items():
            (folder / f"{table}.csv").write_text(text, encoding="utf-8")
            result = import_file(s, table, folder / f"{table}.csv")
            assert result.rejected == 0, result.problems
        yield s


def _by(findings: tuple[Finding, ...]) -> dict[tuple[str, Flag], Finding]:
    return {(f.rep_id, f.flag): f for f in findings}


@pytest.fixture(params=["roll-up", "raw"])
def read_from(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, shop: Store) -> str:
    """The activities' counts read from their roll-up (current in the shop), or from the raw
    rows as for a store whose roll-ups are not current."""
    from salesperf.analysis import quality as module
    from salesperf.store import rollups

    assert "rollup_activities" in rollups.usable(shop.con, shop.settings.timezone)
    if request.param == "raw":
        monkeypatch.setattr(module.rollups, "usable", lambda con, tz: frozenset())
    return str(request.param)


def test_each_rule_counts_what_is_missing(shop: Store, read_from: str) -> None:
    q = quality(shop, QualityQuery(PERIOD))
    found = _by(q.findings)
    assert set(found) == {
        ("R1", Flag.SILENT_DAYS), ("R1", Flag.NO_OUTCOME), ("R1", Flag.FEW_CALLS),
        ("R1", Flag.NO_AMOUNT), ("R1", Flag.NO_STAGES), ("R1", Flag.OVERDUE),
        ("R1", Flag.FEW_CLOSED), ("R2", Flag.FEW_CLOSED), ("R3", Flag.SILENT_DAYS),
    }  # fmt: skip
    silent = found["R1", Flag.SILENT_DAYS]  # ten working days less the absence
    assert (silent.count, silent.total) == (3, 9)
    assert silent.examples == tuple(d.isoformat() for d in R1_SILENT)
    assert (found["R3", Flag.SILENT_DAYS].count, found["R3", Flag.SILENT_DAYS].total) == (10, 10)
    # five examples, the first in order (the engine picks them, not a fetch of every day)
    assert found["R3", Flag.SILENT_DAYS].examples == tuple(d.isoformat() for d in WORKDAYS[:5])
    outcome = found["R1", Flag.NO_OUTCOME]  # 6 calls with one, a call and a meeting without
    assert (outcome.count, outcome.total, outcome.examples) == (2, 8, ("R1-x1", "R1-x2"))
    assert (found["R1", Flag.FEW_CALLS].count, found["R1", Flag.FEW_CALLS].total) == (6, 20)
    amount = found["R1", Flag.NO_AMOUNT]  # the won D1 and the open D2
    assert (amount.count, amount.total, amount.examples) == (2, 2, ("D1", "D2"))
    stages = found["R1", Flag.NO_STAGES]
    assert (stages.count, stages.total, stages.examples) == (1, 1, ("D2",))
    late = found["R1", Flag.OVERDUE]
    assert (late.count, late.total, late.examples) == (1, 1, ("D2",))
    assert found["R1", Flag.FEW_CLOSED].count == 1 and found["R2", Flag.FEW_CLOSED].count == 2
    # R2 has twenty answered calls: enough for its connect rate
    assert ("R2", Flag.FEW_CALLS) not in found
    assert q.about("revenue_won") == (amount,)
    assert {f.flag for f in q.about("win_rate")} == {Flag.FEW_CLOSED}
    assert q.about("activities_per_day", "R1") == (silent,)


def test_the_day_judged_the_scope_and_the_thresholds(shop: Store, read_from: str) -> None:
    early = _by(quality(shop, QualityQuery(PERIOD, as_of=date(2025, 3, 12))).findings)
    assert ("R1", Flag.SILENT_DAYS) not in early  # one silent day by then, under three
    assert early["R3", Flag.SILENT_DAYS].count == 7  # 3 to 11 March
    assert early["R1", Flag.OVERDUE].count == 1
    before_due = _by(quality(shop, QualityQuery(PERIOD, as_of=date(2025, 3, 10))).findings)
    assert ("R1", Flag.OVERDUE) not in before_due  # due on the 10th: not yet late
    strict = _by(
        quality(shop, QualityQuery(PERIOD, as_of=date(2025, 3, 12), min_silent=1)).findings
    )
    assert strict["R1", Flag.SILENT_DAYS].examples == ("2025-03-05",)
    south = quality(shop, QualityQuery(PERIOD, team="T2"))
    assert south.reps == ("R3",) and {f.rep_id for f in south.findings} == {"R3"}
    one = quality(shop, QualityQuery(PERIOD, rep="R2"))
    assert [(f.rep_id, f.flag) for f in one.findings] == [("R2", Flag.FEW_CLOSED)]
    lenient = _by(quality(shop, QualityQuery(PERIOD, min_rows=2)).findings)
    assert ("R2", Flag.FEW_CLOSED) not in lenient and ("R1", Flag.FEW_CLOSED) in lenient


@pytest.mark.parametrize(
    ("query", "words"),
    [
        (QualityQuery(PERIOD, team="T9"), "no team 'T9'"),
        (QualityQuery(PERIOD, rep="R9"), "no rep 'R9'"),
        (QualityQuery(PERIOD, team="T1", rep="R1"), "not both"),
        (QualityQuery(PERIOD, min_rows=0), "1 or more"),
    ],
)
def test_bad_queries_are_refused(shop: Store, query: QualityQuery, words: str) -> None:
    with pytest.raises(InputError, match=words):
        quality(shop, query)


def test_the_affected_figures_are_the_registrys(shop: Store) -> None:
    from salesperf.analysis.quality import AFFECTS
    from salesperf.metrics.registry import METRICS

    named = {m for figures in AFFECTS.values() for m in figures} - {"forecast"}
    assert named <= set(METRICS)


def test_the_command_says_it_in_both_languages(shop: Store) -> None:
    from typer.testing import CliRunner

    from salesperf.cli.app import app

    url = str(shop.url)
    args = [
        "quality",
        "--store",
        url,
        "--period",
        "2025-03-03..2025-03-16",
        "--as-of",
        "2025-03-17",
    ]
    en = CliRunner().invoke(app, [*args], env={"COLUMNS": "200"})
    assert en.exit_code == 0, en.output
    assert "working days without any logged activity" in en.output
    assert "3 / 9" in en.output and "10 / 10" in en.output and "D2" in en.output
    nl = CliRunner().invoke(app, [*args, "--lang", "nl"], env={"COLUMNS": "200"})
    assert nl.exit_code == 0, nl.output
    assert "werkdagen zonder vastgelegde activiteit" in nl.output and "05-03-2025" in nl.output
    data = CliRunner().invoke(app, [*args, "--format", "json", "--team", "T2"])
    assert data.exit_code == 0, data.output
    import json

    found = json.loads(data.output)["findings"]
    assert [(f["rep_id"], f["flag"], f["count"], f["total"]) for f in found] == [
        ("R3", "silent_days", 10, 10)
    ]
    bad = CliRunner().invoke(app, [*args, "--rep", "R9"])
    assert bad.exit_code == 2 and "no rep 'R9'" in bad.output


def test_every_flag_has_its_words() -> None:
    from salesperf.analysis.quality import Flag
    from salesperf.i18n.messages import MESSAGES

    for flag in Flag:
        said = MESSAGES[f"quality.{flag.value}"]
        assert said.en and said.nl and said.en != said.nl, flag


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = build_web_store(tmp_path_factory.mktemp("quality-web") / "store.duckdb")
    app = app_for(path)
    return {"path": path, **{u: client_for(app, u)[0] for u in (ADMIN, MANAGER, REP)}}


def _flags(found: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    return [(f["rep_id"], f["flag"], f["count"], f["total"]) for f in found]


@pytest.mark.slow
def test_the_route_gives_the_analysis_inside_the_viewers_scope(web: dict[str, Any]) -> None:
    """The admin's answer is the analysis's for everyone; a manager's and a rep's hold only
    the reps they may see (a threshold of 1,000 cases gives every rep a finding)."""
    period = parse_period("2026-Q3")
    asked = {"period": "2026-Q3", "min_rows": 1000}
    with Store.open(web["path"]) as s:
        everyone = quality(s, QualityQuery(period, as_of=TODAY, min_rows=1000)).to_json()
        reps = {str(r) for r in s.table("reps").rep_id.execute()}
        user = get_user(s, MANAGER)
        assert user is not None
        visible = scope_for(s, user).reps
    assert visible is not None and visible < reps
    assert {f["rep_id"] for f in everyone["findings"]} == reps
    admin = web[ADMIN].get("/api/quality", params=asked)
    assert admin.status_code == 200, admin.text[:300]
    assert _flags(admin.json()["findings"]) == _flags(everyone["findings"])
    manager = web[MANAGER].get("/api/quality", params=asked).json()
    assert manager["reps"] == sorted(visible)
    assert _flags(manager["findings"]) == [
        x for x in _flags(everyone["findings"]) if x[0] in visible
    ]
    mine = web[REP].get("/api/quality", params=asked).json()
    assert mine["reps"] == [REP_ID] and {f["rep_id"] for f in mine["findings"]} == {REP_ID}
    other = sorted(reps - {REP_ID})[0]
    assert web[REP].get("/api/quality", params={"rep": other}).status_code == 403
    bad = web[ADMIN].get("/api/quality", params={"period": "K5 2026"})
    assert bad.status_code == 422 and "is not a window" in bad.json()["error"]
    assert web[ADMIN].get("/api/quality", params={"min_rows": 0}).status_code == 422
