"""The API against its own description: requests generated from /openapi.json, valid and
invalid (the boundary cases of every parameter and body, the description's examples, then
values drawn at random), on the demo organisation, sent in turn as an administrator, a manager,
a rep and anonymous. No answer
may be a 5xx, and every answer must be one the description declares (its status, its content
type, its headers, a body of the declared shape; a 405 with the methods it takes).

The run is bounded and deterministic: the same boundary cases, and a fixed number of examples
per operation drawn from a fixed seed, with no example database and no shrinking, so that it
sends the same requests, in about the same time, on every run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from salesperf.analysis.quadrant.model import Peers
from salesperf.auth.tokens import create_token
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Compare, Split
from salesperf.metrics.registry import computable
from salesperf.store import Store
from webtools import ADMIN, MANAGER, REP, app_for, build_web_store

EXAMPLES = 8  # drawn at random per operation and mode, after the boundary cases
FROM_EXAMPLES = 3  # drawn around each of the description's examples
MEANINGFUL = 12  # drawn from values that mean something, per operation
CONFIG = schemathesis.Config.from_dict(
    {"seed": 20261001, "generation": {"deterministic": True, "database": "none"}}
)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    unsupported_method,
    allow_header_conformance,
]


def _draw(strategy: Any, send: Callable[[Any], None], n: int = EXAMPLES) -> None:
    """Send `n` cases drawn from the strategy: from a fixed seed, not shrunk (a failure is
    reported as drawn)."""

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(case: schemathesis.Case) -> None:
        send(case)

    run()


# -- values that mean something ------------------------------------------------------------
YEAR = st.integers(1, 9999)
DAY = st.dates()
ODD = st.text(max_size=8)  # NUL bytes, line breaks, quotes, letters of any script
PERIOD = st.one_of(
    YEAR.map("{:04d}".format),
    st.tuples(YEAR, st.integers(1, 4)).map(lambda t: f"{t[0]:04d}-Q{t[1]}"),
    st.tuples(YEAR, st.integers(1, 12)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}"),
    st.tuples(YEAR, st.integers(1, 53)).map(lambda t: f"{t[0]:04d}-W{t[1]:02d}"),
    DAY.map(date.isoformat),
    st.tuples(DAY, DAY).map(lambda t: f"{t[0]}..{t[1]}"),
    st.tuples(st.integers(0, 999), st.sampled_from(["weeks", "months", "quarters", "years"])).map(
        lambda t: f"last-{t[0]}-{t[1]}"
    ),
)
ID = st.one_of(st.sampled_from(["R002", "R007", "T00", "T02", "T04"]), ODD)
METRIC = st.sampled_from([*computable(), "activities:demo", "stage_conversion:demo>proposal"])
FILTER = st.tuples(st.sampled_from(list(Split)), ODD).map(lambda t: f"{t[0].value}={t[1]}")
#: A value for each parameter of that name.
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "period": PERIOD,
    "window": PERIOD,
    "plan_period": PERIOD,
    "as_of": st.one_of(DAY.map(date.isoformat), ODD),
    "target": st.one_of(st.floats().map(str), st.integers().map(str)),
    "team": ID,
    "team_id": ID,
    "rep": ID,
    "rep_id": ID,
    "grain": st.sampled_from([g.value for g in Grain]),
    "by": st.sampled_from([b.value for b in By]),
    "split": st.sampled_from([s.value for s in Split]),
    "peers": st.sampled_from([p.value for p in Peers]),
    "metrics": st.lists(METRIC, min_size=1, max_size=3).map(",".join),
    "filter": st.lists(FILTER, max_size=2),
    "max_lag": st.integers(-2, 30),
}
QUERY_BODY = st.fixed_dictionaries(
    {
        "metrics": st.lists(st.one_of(METRIC, ODD), min_size=1, max_size=3),
        "start": DAY.map(date.isoformat),
        "end": DAY.map(date.isoformat),
    },
    optional={
        "grain": VALUES["grain"],
        "by": VALUES["by"],
        "split": VALUES["split"],
        "compare": st.lists(st.sampled_from([c.value for c in Compare]), max_size=2),
        "reps": st.lists(ID, max_size=3),
        "teams": st.lists(ID, max_size=3),
        "filters": st.lists(st.tuples(st.sampled_from([d.value for d in Split]), ODD), max_size=2),
    },
)


def _meaningful(operation: Any) -> st.SearchStrategy[schemathesis.Case] | None:
    """Cases of the operation with values that mean something for each parameter of a known
    name (None for an operation without one)."""
    path, query = {}, {}
    for p in operation.iter_parameters():
        if p.name in VALUES:
            (path if p.location.value == "path" else query)[p.name] = VALUES[p.name]
    if operation.label == "POST /api/query":
        return QUERY_BODY.map(lambda b: operation.Case(body=b, media_type="application/json"))
    if not path and not query:
        return None
    values = st.fixed_dictionaries(path, optional=query)
    return values.map(
        lambda v: operation.Case(
            path_parameters={k: x for k, x in v.items() if k in path} or None,
            query={k: x for k, x in v.items() if k not in path} or None,
        )
    )


# -- the runs ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo organisation's app, and the Authorization header of each role (and none)."""
    path: Path = build_web_store(tmp_path_factory.mktemp("fuzz") / "store.duckdb")
    with Store.open(path) as store:
        tokens = {u: create_token(store, u, "write")[1] for u in (ADMIN, MANAGER, REP)}
    headers = {u: {"Authorization": f"Bearer {t}"} for u, t in tokens.items()}
    return {"app": app_for(path), "headers": [*headers.values(), {}]}


def _cases(schema: schemathesis.BaseSchema, operation: Any) -> Iterator[schemathesis.Case]:
    """The operation's boundary cases, valid and invalid, in the order they are made."""
    yield from schema.iter_coverage_cases(
        operation,
        generation_modes=list(GenerationMode),
        generation_config=schema.config.generation_for(operation=operation),
    )


def _drawn(operation: Any, mode: GenerationMode, send: Callable[[Any], None]) -> None:
    """Send cases drawn for the operation in the mode (none when the operation has nothing to
    draw invalid values for)."""
    try:
        _draw(operation.as_strategy(generation_mode=mode), send)
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, operation.label


@pytest.mark.slow
def test_every_answer_is_declared_and_none_is_a_server_error(web: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", web["app"], config=CONFIG)
    roles = itertools.cycle(web["headers"])  # each case as the next role in turn
    failures: dict[str, str] = {}  # the first failure of each operation and kind

    def send(case: schemathesis.Case) -> None:
        headers = next(roles)
        # the check is what is answered, not how fast: a generous deadline on a busy machine
        response = case.call(headers=headers, timeout=600)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseExceptionGroup as found:  # the checks' failures, each with a curl
            failures.setdefault(f"{case.operation.label}: {found.exceptions[0]}", str(found))

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for case in _cases(schema, operation):
            send(case)
        for strategy in schema.get_strategies_from_examples(operation):
            _draw(strategy, send, FROM_EXAMPLES)
        for mode in GenerationMode:
            _drawn(operation, mode, send)
        meaningful = _meaningful(operation)
        if meaningful is not None:
            _draw(meaningful, send, MEANINGFUL)
    assert not failures, "\n\n".join(failures.values())
