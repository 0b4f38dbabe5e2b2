"""The plan stage and the pure compiler: once a query's plan is read, its expression and SQL
are built without running a single statement; and every metric is declared once, its formula
(or its target) beside it, with no second table keyed by metric names."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest

import salesperf.metrics
from salesperf.metrics.compiler import Compiler
from salesperf.metrics.measures import MEASURES
from salesperf.metrics.periods import Grain
from salesperf.metrics.plan import read_plan
from salesperf.metrics.query import By, Compare, Query, Split
from salesperf.metrics.registry import METRICS, MetricType, computable, formula
from salesperf.store import Store

MARCH = (date(2025, 3, 1), date(2025, 4, 1))


def _queries() -> Iterator[tuple[Query, tuple[By, ...] | None, str | None]]:
    """Every registered metric by team (through the team tree), against the previous period and
    its targets; all of them by rep, for the organisation, for several levels at once and in a
    display currency; a typed and a parametrised one too."""
    plain, per = [], []
    for name in computable():
        f = formula(name)
        if f is not None and f.split:  # asked within its split only
            per.append(Query((name,), *MARCH, Grain.MONTH, By.TEAM, split=Split(f.split)))
        else:
            plain.append(name)
    both = (Compare.PREVIOUS, Compare.TARGET)
    for name in plain:
        yield Query((name,), *MARCH, Grain.MONTH, By.TEAM, both), None, None
    for q in per:
        yield q, None, None
    every = tuple(plain)
    yield Query(every, *MARCH, Grain.WEEK, By.REP, both), None, None
    yield Query(every, *MARCH, Grain.ALL, By.ORG, both), None, "USD"
    yield Query(every, *MARCH, Grain.ALL, By.REP, both), (By.REP, By.TEAM, By.ORG), None
    yield Query(("activities:call", "stage_conversion:demo>proposal"), *MARCH), None, None


class Refused(AssertionError):
    """A statement was run while compiling."""


def refuse_statements(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the store's backend refuse (and count) every statement: running an expression, raw
    SQL, the store's own statements. Table lookups answer from schemas read beforehand."""
    con: Any = store.con
    tables = {n: con.table(n) for n in con.list_tables()}
    calls: list[str] = []

    def refuse(what: str) -> Any:
        def run(*args: object, **kwargs: object) -> None:
            calls.append(what)
            raise Refused(f"{what} ran while compiling")

        return run

    monkeypatch.setattr(con, "table", lambda name, **kw: tables[name])
    for method in ("execute", "to_pyarrow", "to_pyarrow_batches", "raw_sql", "sql", "to_pandas"):
        monkeypatch.setattr(con, method, refuse(method))
    monkeypatch.setattr(Store, "_exec", refuse("Store._exec"))
    return calls


@pytest.mark.slow
def test_compiling_every_metric_from_its_plan_runs_no_query(org: Store) -> None:
    cases = list(_queries())
    assert {n for q, _, _ in cases for n in q.metrics} >= set(computable())
    plans = []
    for q, levels, to in cases:  # the plan stage reads, with the store as it is
        c = Compiler(org.con, "Europe/Amsterdam", levels, to=to, reasons=True)
        plans.append((c, q, c.plan(q)))
    with pytest.MonkeyPatch.context() as m:
        calls = refuse_statements(org, m)
        for c, q, plan in plans:
            sql = c.to_sql(q, plan)
            assert "SELECT" in sql and all(n.split(":")[0] in sql for n in q.metrics), q
    assert calls == []


def test_the_refusing_store_does_refuse(org: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: reading a plan is refused, and counted."""
    calls = refuse_statements(org, monkeypatch)
    q = Query(("quota_attainment",), *MARCH, Grain.MONTH, By.TEAM)
    with pytest.raises(Refused):
        read_plan(org.con, q)
    with pytest.raises(Refused):
        org.con.table("deals").count().execute()
    assert calls == ["to_pandas", "execute"] or calls[0] in ("to_pandas", "execute")


def test_a_plan_read_for_other_groups_is_refused(org: Store) -> None:
    c = Compiler(org.con)
    reps = Query(("activities",), *MARCH, Grain.MONTH, By.REP)
    team_plan = c.plan(Query(("activities",), *MARCH, Grain.MONTH, By.TEAM, teams={"T1"}))
    with pytest.raises(ValueError, match="other groups"):
        c.compile(reps, team_plan)
    with pytest.raises(ValueError, match="without targets"):
        c.compile(Query(("quota_attainment",), *MARCH, Grain.MONTH, By.REP), c.plan(reps))


def test_every_metric_is_declared_once_with_its_formula() -> None:
    for name, m in METRICS.items():
        assert m.name == name
        if m.type is MetricType.TARGET:  # reads another metric's figure against its target
            assert m.formula is None and m.target is not None, name
            assert formula(m.target.of) is not None, name
        else:
            assert m.formula is not None and m.target is None, name
    # no second table keyed by metric names anywhere in the metrics package
    names = set(METRICS)
    for info in pkgutil.iter_modules(salesperf.metrics.__path__):
        module = importlib.import_module(f"salesperf.metrics.{info.name}")
        for var, value in vars(module).items():
            # a simple metric's measure has its name: measures are declared once, apart
            if isinstance(value, Mapping) and value is not METRICS and value is not MEASURES:
                keyed = names & {k for k in value if isinstance(k, str)}
                assert not keyed, f"{info.name}.{var} is keyed by metric names: {keyed}"
