"""What a request may cost and what it may hold: bounded periods and bodies, and a clear 4xx
(never a 500) for the inputs that broke the server, through HTTP and the command line alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from salesperf.auth.tokens import create_token
from salesperf.cli.app import app as cli
from salesperf.server.app import create_app
from salesperf.server.limits import MB, BodyLimits
from salesperf.store import Store
from webtools import ADMIN, MANAGER, REP, app_for, build_web_store, settings

T = TypeVar("T")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One demo store and app for the module, with an API client per role."""
    path = build_web_store(tmp_path_factory.mktemp("limits") / "store.duckdb")
    app = app_for(path)
    with Store.open(path) as store:
        tokens = {u: create_token(store, u, "write")[1] for u in (ADMIN, MANAGER, REP)}
    clients = {
        u: TestClient(app, headers={"authorization": f"Bearer {t}"}, raise_server_exceptions=False)
        for u, t in tokens.items()
    }
    return {"app": app, "path": path, "clients": clients, "admin": clients[ADMIN]}


def _cli(path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--store", str(path)])
    return result.exit_code, result.output


def _error(r: Any, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text[:500])
    message: str = r.json()["error"]
    return message


# -- expensive periods -----------------------------------------------------------------------
@pytest.mark.slow
def test_a_scorecard_of_too_many_days_is_refused_with_the_limit(web: dict[str, Any]) -> None:
    r = web["admin"].get("/api/scorecard", params={"period": "2024..2026", "grain": "day"})
    message = _error(r, 422)
    assert "2024-01-01..2026-12-31 by day is 1096 periods" in message
    assert "at most 800 (SALESPERF_MAX_BUCKETS)" in message
    code, text = _cli(web["path"], "scorecard", "--period", "2024..2026", "--grain", "day")
    assert code == 2 and "by day is 1096 periods; a query may have at most 800" in text
    assert "Traceback" not in text


def test_a_metric_query_of_too_many_weeks_is_refused(web: dict[str, Any]) -> None:
    body = {"metrics": ["activities"], "start": "2000-01-01", "end": "2026-01-01", "grain": "week"}
    message = _error(web["admin"].post("/api/query", json=body), 422)
    assert "by week is 1358 periods; a query may have at most 800" in message


def test_the_bucket_limit_is_set_by_the_environment(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"period": "2025-Q3", "grain": "day", "by": "org", "metrics": "activities"}
    monkeypatch.setenv("SALESPERF_MAX_BUCKETS", "50")
    message = _error(web["admin"].get("/api/scorecard", params=params), 422)
    assert "2025-07-01..2025-09-30 by day is 92 periods; a query may have at most 50" in message
    monkeypatch.setenv("SALESPERF_MAX_BUCKETS", "92")
    r = web["admin"].get("/api/scorecard", params=params)
    assert r.status_code == 200
    days = [row["period_start"] for row in r.json()["rows"]]  # the days with activity
    assert days[0] == "2025-07-01" and days[-1] <= "2025-09-30" and len(days) > 60


def test_a_bad_limit_in_the_environment_is_named_by_the_server_and_the_command_line(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESPERF_MAX_BUCKETS", "lots")
    with pytest.raises(ValueError, match="SALESPERF_MAX_BUCKETS must be a whole number above 0"):
        create_app(settings(web["path"]))
    code, text = _cli(web["path"], "scorecard", "--period", "2025-Q3")
    assert code == 2 and "SALESPERF_MAX_BUCKETS must be a whole number above 0, not 'lots'" in text


def test_the_brief_example_of_a_century_by_day_is_refused_at_once(web: dict[str, Any]) -> None:
    r = web["admin"].get("/api/scorecard", params={"period": "1970-01..2100-01", "grain": "day"})
    message = _error(r, 422)
    assert "spans more than 100 years, the most a query may span (SALESPERF_MAX_YEARS)" in message
    assert r.elapsed.total_seconds() < 2


def test_a_millennium_as_one_period_is_refused(web: dict[str, Any]) -> None:
    message = _error(web["admin"].get("/api/scorecard", params={"period": "1900..2999"}), 422)
    assert message.startswith("1900-01-01..2999-12-31 spans more than 100 years")
    code, text = _cli(web["path"], "scorecard", "--period", "1900..2999")
    assert code == 2 and "spans more than 100 years" in text


# -- dates out of range ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/api/scorecard", {"period": "0001"}, "'0001' is not a period: its year must lie"),
        ("/api/scorecard", {"period": "9999-12-31"}, "its year must lie from 1900 to 2999"),
        ("/api/overview", {"period": "0001-01"}, "'0001-01' is not a period: its year must lie"),
        ("/api/overview", {"period": "9999-W52"}, "its year must lie from 1900 to 2999"),
        ("/api/forecast", {"period": "0001"}, "'0001' is not a period: its year must lie from "
                                              "1900 to 2999"),
        ("/api/forecast", {"period": "9999-12-31"}, "its year must lie from 1900 to 2999"),
        ("/api/quadrant", {"window": "0001-Q1"}, "'0001-Q1' is not a period: its year must lie"),
        ("/api/funnel", {"window": "0001-01-01..2026-01-01"}, "its year must lie from 1900"),
    ],
)  # fmt: skip
def test_periods_out_of_the_years_are_422_on_every_page(
    web: dict[str, Any], path: str, params: dict[str, str], words: str
) -> None:
    assert words in _error(web["admin"].get(path, params=params), 422)


def test_a_query_of_year_one_is_422_naming_the_years(web: dict[str, Any]) -> None:
    body = {"metrics": ["activities"], "start": "0001-01-01", "end": "0001-02-01"}
    message = _error(web["admin"].post("/api/query", json=body), 422)
    assert message == (
        "0001-01-01..0001-01-31 is outside the years 1900 to 2999 that a query may cover"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("scorecard", "--period", "0001"),
        ("scorecard", "--period", "9999-12-31"),
        ("forecast", "--period", "0001"),
        ("plan", "--period", "0001-Q1", "--target", "1000"),
        ("health", "--last", "0001-01"),
    ],
)
def test_the_command_line_says_which_years_without_a_traceback(
    web: dict[str, Any], args: tuple[str, ...]
) -> None:
    code, text = _cli(web["path"], *args)
    assert code == 2, text
    assert "is not a period: its year must lie from 1900 to 2999" in text
    assert "Traceback" not in text


# -- request bodies --------------------------------------------------------------------------
def _small_app(web: dict[str, Any]) -> tuple[FastAPI, dict[str, str]]:
    """An app on the module's store whose bodies may hold 1 MB, and uploads 3 MB."""
    app = create_app(settings(web["path"]), BodyLimits(body_mb=1, file_mb=3))
    return app, dict(web["admin"].headers)


PART = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
    b"Content-Type: text/csv\r\n\r\nactivity_id,rep_id\r\n"
)
MULTIPART = {"content-type": "multipart/form-data; boundary=xyz"}


def _upload(mb: float) -> bytes:
    """A multipart body with one CSV file of about `mb` MB."""
    return PART + b"A1,R002\r\n" * int(mb * MB / 9) + b"\r\n--xyz--\r\n"


async def _stream(
    app: FastAPI, headers: dict[str, str], path: str, chunks: int, upload: bool = False
) -> tuple[Any, int]:
    """POST `chunks` chunks of 1 MB (JSON, or a file's) without a Content-Length, counting the
    chunks the app took."""
    taken = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal taken
        if upload:
            yield PART
        for _ in range(chunks):
            taken += 1
            yield b"A1,R002\n" * (MB // 8) if upload else b" " * MB

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        kind = MULTIPART if upload else {"content-type": "application/json"}
        r = await client.post(path, content=body(), headers={**headers, **kind})
    return r, taken


def test_a_json_body_over_10_mb_is_413_naming_the_limit(web: dict[str, Any]) -> None:
    body = b"[" + b" " * (10 * MB) + b"]"
    r = web["admin"].post(
        "/api/activities", content=body, headers={"content-type": "application/json"}
    )
    assert _error(r, 413) == (
        "a request body may hold at most 10 MB (10485760 bytes); this one is larger"
    )
    assert r.headers["connection"] == "close" and r.headers["x-frame-options"] == "DENY"


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end in a thread of its own: a browser test earlier in this worker
    (Playwright's synchronous API) may have left an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_a_body_of_100_mb_is_stopped_at_the_limit_not_read_to_its_end(web: dict[str, Any]) -> None:
    r, taken = _run(_stream(web["app"], dict(web["admin"].headers), "/api/activities", 100))
    assert r.status_code == 413 and "at most 10 MB" in r.json()["error"]
    assert taken == 11  # the chunk that went over the limit is the last one read


def test_uploads_have_a_limit_of_their_own(web: dict[str, Any]) -> None:
    app, headers = _small_app(web)
    client = TestClient(app, headers=headers)
    # 2 MB is over the body limit but within the upload limit: the route itself answers
    r = client.post("/api/import/planets", content=_upload(2), headers=MULTIPART)
    assert "there is no table 'planets'" in _error(r, 422)
    r = client.post("/api/import/planets", content=_upload(4), headers=MULTIPART)
    assert _error(r, 413) == (
        "a request that uploads files may hold at most 3 MB (3145728 bytes); this one is larger"
    )
    r = client.post("/api/activities", json=[{"note": "x" * (2 * MB)}])
    assert "a request body may hold at most 1 MB (1048576 bytes)" in _error(r, 413)
    r, taken = _run(_stream(app, headers, "/api/import/planets", 50, upload=True))
    assert r.status_code == 413 and taken == 3  # the part's header and 3 MB: over


def test_the_body_limits_are_read_from_the_environment(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESPERF_MAX_BODY_MB", "2")
    monkeypatch.setenv("SALESPERF_MAX_FILE_MB", "5")
    assert BodyLimits.from_env() == BodyLimits(body_mb=2, file_mb=5)
    client = TestClient(create_app(settings(web["path"])), headers=dict(web["admin"].headers))
    r = client.post("/api/activities", json=[{"note": "x" * (3 * MB)}])
    assert "at most 2 MB (2097152 bytes)" in _error(r, 413)
    monkeypatch.setenv("SALESPERF_MAX_FILE_MB", "lots")
    with pytest.raises(ValueError, match="SALESPERF_MAX_FILE_MB must be a whole number of MB"):
        create_app(settings(web["path"]))


# -- methods ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/me", "GET"),
        ("PUT", "/api/query", "POST"),
        ("GET", "/api/activities", "POST"),
        ("PATCH", "/login", "GET, POST"),  # two routes at one path: both methods
    ],
)
def test_a_method_the_path_does_not_take_is_405_naming_those_it_takes(
    web: dict[str, Any], method: str, path: str, allow: str
) -> None:
    r = web["admin"].request(method, path)
    assert r.status_code == 405 and r.headers["allow"] == allow


# -- NUL bytes -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params", "where"),
    [
        ("/api/scorecard", {"filter": "kind=new\x00business"}, "query.filter"),
        ("/api/scorecard", {"metrics": "activities\x00"}, "query.metrics"),
        ("/api/reps/R002%00", {}, "path.rep_id"),
        ("/api/teams/T02%00", {}, "path.team_id"),
        ("/api/quadrant", {"team": "T02\x00"}, "query.team"),
        ("/api/plan", {"rep": "R\x00", "target": "1000"}, "query.rep"),
        ("/api/forecast", {"team": "\x00"}, "query.team"),
    ],
)
def test_a_nul_byte_in_a_filter_or_an_id_is_422_naming_the_parameter(
    web: dict[str, Any], path: str, params: dict[str, str], where: str
) -> None:
    r = web["admin"].get(path, params=params)
    assert _error(r, 422) == f"the request is not valid: {where}: must not hold a NUL byte"
    assert r.json()["problems"] == [{"where": where, "message": "must not hold a NUL byte"}]


def test_a_nul_byte_in_a_query_body_is_422_naming_the_field(web: dict[str, Any]) -> None:
    body = {"metrics": ["activities"], "start": "2026-07-01", "end": "2026-10-01",
            "reps": ["R002", "R\x00"], "filters": [["kind", "new\x00"]]}  # fmt: skip
    message = _error(web["admin"].post("/api/query", json=body), 422)
    assert message == (
        "the request is not valid: body.reps.1: must not hold a NUL byte; "
        "body.filters.0.1: must not hold a NUL byte"
    )


def test_a_nul_byte_in_a_page_address_is_a_422_page(web: dict[str, Any]) -> None:
    r = web["admin"].get("/reps/R002%00")
    assert r.status_code == 422 and "path.rep_id: must not hold a NUL byte" in r.text


def test_text_parameters_say_what_they_ask_for(web: dict[str, Any]) -> None:
    r = web["admin"].get("/api/forecast", params={"as_of": "tomorrow"})
    assert _error(r, 422).endswith("query.as_of: must be a day written YYYY-MM-DD")
    r = web["admin"].get("/api/scorecard", params={"period": "2026_07"})
    assert "query.period: must be a period or a window, such as 2026-Q3" in _error(r, 422)
    r = web["admin"].get("/api/overview", params={"period": "2026-Q3" * 20})
    assert "query.period: String should have at most 64 characters" in _error(r, 422)


# -- the API's description -------------------------------------------------------------------
def test_every_operation_declares_its_error_answers_with_their_body(web: dict[str, Any]) -> None:
    spec = web["admin"].get("/openapi.json").json()
    error_body = spec["components"]["schemas"]["ErrorBody"]
    assert error_body["required"] == ["error"] and error_body["additionalProperties"] is True
    operations = [(p, m, op) for p, ops in spec["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 20
    for path, method, op in operations:
        for status in ("401", "403", "404", "413", "422"):
            content = op["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (path, method)


def test_text_parameters_declare_their_length_and_pattern(web: dict[str, Any]) -> None:
    spec = web["admin"].get("/openapi.json").json()
    texts = {}
    for path, ops in spec["paths"].items():
        if path.startswith("/api/tokens"):  # another module's routes
            continue
        for op in ops.values():
            for param in op.get("parameters", []):
                schema = param["schema"]
                options = schema.get("anyOf", [schema])
                for s in (o.get("items", o) for o in options):
                    if s.get("type") == "string":
                        texts[(path, param["name"])] = (s.get("maxLength"), s.get("pattern"))
    assert texts[("/api/scorecard", "period")] == (64, "^[0-9A-Za-z .,/\\u2013\\u2014-]*$")
    assert texts[("/api/scorecard", "filter")] == (200, "^[^\\x00]*$")
    assert texts[("/api/reps/{rep_id}", "rep_id")] == (200, "^[^\\x00]*$")
    assert texts[("/api/forecast", "as_of")] == (64, "^[0-9 -]*$")
    assert all(length and pattern for length, pattern in texts.values()), texts
    body = spec["components"]["schemas"]["QueryBody"]["properties"]
    assert body["reps"]["anyOf"][0]["items"] == {
        "type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$",
    }  # fmt: skip


def test_a_query_takes_at_most_50_filters_and_one_given_twice_counts_once(
    web: dict[str, Any],
) -> None:
    from salesperf.metrics.query import Query

    body = {"metrics": ["activities"], "start": "2026-07-01", "end": "2026-10-01",
            "filters": [["kind", "new_business"]] * 51}  # fmt: skip
    r = web["admin"].post("/api/query", json=body)
    assert r.status_code == 422 and "body.filters" in _error(r, 422)
    q = Query(("activities",), date(2026, 7, 1), date(2026, 10, 1),
              filters=(("kind", "new_business"), ("kind", "new_business"), ("source", "x")))  # fmt: skip
    assert [(d.value, v) for d, v in q.filters] == [("kind", "new_business"), ("source", "x")]
