"""Prepared queries: a query asked again is not compiled again, and still reads the store as
it is now (a write in between shows); a change that changes its plan (a rep joins a team)
compiles it anew."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from salesperf.metrics import compiler
from salesperf.metrics.compiler import run, run_levels, run_measures
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query
from salesperf.store import Store

STORE_ENGINES = ("duckdb", "postgres")

ACTIVITIES = (
    "activity_id,rep_id,type,occurred_at,outcome\n"
    "A1,R1,call,2025-03-03T09:00:00Z,connected\n"
    "A2,R1,call,2025-03-04T09:00:00Z,no_answer\n"
    "A3,R2,email,2025-03-05T09:00:00Z,sent\n"
    "A4,R3,call,2025-03-06T09:00:00Z,connected\n"
)
Q = Query(("activities", "call_connect_rate"), date(2025, 3, 1), date(2025, 4, 1), grain=Grain.ALL)


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[Query]:
    """The queries compiled (built into an expression) while the test runs."""
    seen: list[Query] = []
    original = compiler.Compiler.compile

    def counting(self: compiler.Compiler, q: Query, plan: Any) -> Any:
        seen.append(q)
        return original(self, q, plan)

    monkeypatch.setattr(compiler.Compiler, "compile", counting)
    return seen


def _import(store: Store, write: Callable[..., Path], name: str, text: str) -> None:
    from salesperf.ingest.importer import import_file

    assert import_file(store, name, write(f"{name}.csv", text)).rejected == 0


def test_asked_again_not_compiled_again_yet_current(
    store: Store, write: Callable[..., Path], compiled: list[Query]
) -> None:
    _import(store, write, "activities", ACTIVITIES)
    first = run(store.con, Q).set_index("rep_id")
    assert first.loc["R1", "activities"] == 2 and first.loc["R1", "call_connect_rate"] == 0.5
    assert len(compiled) == 1
    # a write between the two: the second run reads it, without compiling again
    store.merge_rows(
        "activities",
        [{"activity_id": "A9", "rep_id": "R1", "type": "call",
          "occurred_at": "2025-03-10 10:00:00", "outcome": "connected"}],
    )  # fmt: skip
    again = run(store.con, Q).set_index("rep_id")
    assert len(compiled) == 1
    assert again.loc["R1", "activities"] == 3
    assert again.loc["R1", "call_connect_rate"] == pytest.approx(2 / 3)
    assert again.loc["R3", "activities"] == 1  # the others as they were


def test_a_new_member_compiles_anew(
    store: Store, write: Callable[..., Path], compiled: list[Query]
) -> None:
    _import(store, write, "activities", ACTIVITIES)
    q = Query(("activities",), date(2025, 3, 1), date(2025, 4, 1), grain=Grain.ALL, by=By.TEAM)
    before = run(store.con, q).set_index("team_id")["activities"].to_dict()
    assert before == {"ORG": 4, "T1": 3, "T2": 1}
    store.merge_rows("reps", [{"rep_id": "R4", "name": "Dee", "team_id": "T2", "role": "rep"}])
    store.merge_rows(
        "activities",
        [{"activity_id": "A8", "rep_id": "R4", "type": "call",
          "occurred_at": "2025-03-11 10:00:00", "outcome": "connected"}],
    )  # fmt: skip
    after = run(store.con, q).set_index("team_id")["activities"].to_dict()
    assert after == {"ORG": 5, "T1": 3, "T2": 2}
    assert len(compiled) == 2  # the team closure changed: a new plan, a new expression


def test_levels_and_measures_prepared_too(
    store: Store,
    write: Callable[..., Path],
    compiled: list[Query],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _import(store, write, "activities", ACTIVITIES)
    for _ in range(2):
        by = run_levels(store.con, Q, (By.REP, By.ORG))
        assert by[By.ORG].set_index("org").loc["org", "activities"] == 4
    assert len(compiled) == 1
    built: list[Query] = []
    original = compiler._measures_expr

    def counting(c: compiler.Compiler, q: Query, plan: Any) -> Any:
        built.append(q)
        return original(c, q, plan)

    monkeypatch.setattr(compiler, "_measures_expr", counting)
    counts = run_measures(store.con, Q).set_index("rep_id")
    assert counts.loc["R1", "calls_connected"] == 1 and counts.loc["R1", "calls"] == 2
    store.merge_rows(
        "activities",
        [{"activity_id": "A9", "rep_id": "R1", "type": "call",
          "occurred_at": "2025-03-10 10:00:00", "outcome": "connected"}],
    )  # fmt: skip
    again = run_measures(store.con, Q).set_index("rep_id")
    assert (again.loc["R1", "calls_connected"], again.loc["R1", "calls"]) == (2, 3)
    assert len(built) == 1  # built once, run twice
