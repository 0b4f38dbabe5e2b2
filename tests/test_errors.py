"""One error hierarchy, and edges that catch only it: every exception salesperf raises on purpose
is a `salesperf.errors` kind; the command line and the server answer those as the user's
mistake, and anything else as a bug (a 500 with an error id in the log; an internal-error line,
with the traceback under --debug)."""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import salesperf
from salesperf import errors
from salesperf.analysis.asof import AsOfError
from salesperf.auth.access import AccessDenied
from salesperf.auth.access import NotFound as AccessNotFound
from salesperf.auth.users import SignInFailed
from salesperf.cli.app import app as cli_app
from salesperf.cli.common import UserError
from salesperf.fx import CurrencyError
from salesperf.i18n.reading import NumberUnread
from salesperf.ingest.mapping import MappingError
from salesperf.ingest.source import FileRefused
from salesperf.ingest.vocab import UnmappedValues
from salesperf.ingest.xlsxsheet import SheetUnreadable
from salesperf.metrics.periods import PeriodError
from salesperf.server.deps import CsrfFailed, NotSignedIn
from salesperf.server.errors import BadRequest
from salesperf.server.pages.periods import BadPeriod
from salesperf.server.report.render import PdfUnavailable
from salesperf.server.syncing import SyncBusy
from salesperf.server.throttle import Throttled
from salesperf.settings import SettingError
from salesperf.store import Store, StoreError
from salesperf.store.engines.base import StoreError as EngineStoreError
from salesperf.sync.http import SyncFailed
from salesperf.sync.model import SyncRefused
from salesperf.sync.secrets import SecretRefused
from salesperf.sync.webhooks import WebhookMalformed, WebhookRefused
from webtools import ADMIN, app_for, build_web_store, client_for

SRC = Path(salesperf.__file__).parent

KINDS: list[tuple[type[Exception], type[errors.SalesperfError]]] = [
    (SignInFailed, errors.Denied),
    (AccessDenied, errors.Denied),
    (AccessNotFound, errors.NotFound),
    (PeriodError, errors.InputError),
    (EngineStoreError, errors.StoreError),
    (StoreError, errors.StoreError),
    (BadRequest, errors.InputError),
    (Throttled, errors.Denied),
    (NotSignedIn, errors.Denied),
    (CsrfFailed, errors.Denied),
    (SettingError, errors.InputError),
    (CurrencyError, errors.InputError),
    (UnmappedValues, errors.InputError),
    (SheetUnreadable, errors.InputError),
    (FileRefused, errors.InputError),
    (MappingError, errors.InputError),
    (AsOfError, errors.InputError),
    (UserError, errors.InputError),
    (NumberUnread, errors.InputError),
    (BadPeriod, errors.InputError),
    (PdfUnavailable, errors.InputError),
    (SyncRefused, errors.InputError),
    (SyncFailed, errors.StoreError),
    (SyncBusy, errors.InputError),
    (SecretRefused, errors.InputError),
    (WebhookRefused, errors.Denied),
    (WebhookMalformed, errors.InputError),
]


@pytest.mark.parametrize(("cls", "kind"), KINDS, ids=[c.__qualname__ for c, _ in KINDS])
def test_every_project_exception_is_a_salesperf_error_of_its_kind(
    cls: type[Exception], kind: type[errors.SalesperfError]
) -> None:
    assert issubclass(cls, kind)
    others = {errors.InputError, errors.NotFound, errors.Denied, errors.StoreError} - {kind}
    assert not any(issubclass(cls, o) for o in others)


def _classes() -> Iterator[tuple[str, str, list[str]]]:
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b) for b in node.bases]
                yield str(path.relative_to(SRC)), node.name, bases


def test_the_list_above_names_every_exception_class_of_the_project() -> None:
    # a new exception class must be added to KINDS (and so be given a kind)
    known = {c.__name__ for c, _ in KINDS} | {"_Refused", "UploadGone", "BodyTooLarge"}
    found = {
        name
        for where, name, bases in _classes()
        if where != "errors.py"
        and any(re.search(r"(Error|Exception|Refused|Denied|NotFound)$", b) for b in bases)
    }
    assert found == known


def test_errors_imports_nothing_from_salesperf() -> None:
    """At run time: a type it names (`Text`) is imported for the type checker only."""
    tree = ast.parse((SRC / "errors.py").read_text(encoding="utf-8"))
    typing_only = [
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    ]
    hidden = {id(x) for block in typing_only for x in ast.walk(block)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and id(node) not in hidden:
            assert not (node.module or "").startswith("salesperf"), node.module
        if isinstance(node, ast.Import):  # the standard library's logging and uuid
            assert not any(a.name.startswith("salesperf") for a in node.names)


# -- the edges catch the project's errors only -------------------------------------------
EDGES = [
    *sorted((SRC / "server").rglob("*.py")),
    *sorted((SRC / "cli").glob("*.py")),
]
BROAD = {"ValueError", "Exception", "BaseException"}


def _names(node: ast.expr | None) -> set[str]:
    if node is None:  # a bare `except:`
        return {"BaseException"}
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    return {ast.unparse(i).rsplit(".", 1)[-1] for i in items}


def _broad_handlers(tree: ast.AST) -> Iterator[tuple[ast.Try, ast.ExceptHandler]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            for h in node.handlers:
                if _names(h.type) & BROAD:
                    yield node, h


#: What a one-statement `try` may call at an edge and still be local parsing of one value.
PARSERS = {"ip_network", "ip_address", "fromisoformat", "int", "float", "strip", "append"}


def _parses_one_value(block: ast.Try) -> bool:
    if len(block.body) != 1 or not isinstance(block.body[0], (ast.Expr, ast.Assign, ast.Return)):
        return False
    nodes = list(ast.walk(block.body[0]))
    calls = [n for n in nodes if isinstance(n, ast.Call)]
    hidden = (ast.Yield, ast.YieldFrom, ast.Await, ast.Lambda)  # work done elsewhere
    return (
        bool(calls)
        and not any(isinstance(n, hidden) for n in nodes)
        and all(ast.unparse(c.func).rsplit(".", 1)[-1] in PARSERS for c in calls)
    )


def _allowed(block: ast.Try, handler: ast.ExceptHandler) -> bool:
    """A broad handler at an edge either passes the error on (ends with a bare `raise`, after
    cleaning up), or reports it as a bug (`report_bug`, `log_bug`), or guards one statement of local
    parsing (such as `ipaddress.ip_network(text)`): it never turns the ValueError of a block of
    work into the user's mistake."""
    last = handler.body[-1]
    if isinstance(last, ast.Raise) and last.exc is None:
        return True
    calls = (n for n in ast.walk(ast.Module(body=handler.body, type_ignores=[])))
    bug_reports = {"report_bug", "log_bug"}  # the CLI's and the server's
    if any(isinstance(n, ast.Call) and ast.unparse(n.func) in bug_reports for n in calls):
        return True
    return "Exception" not in _names(handler.type) and _parses_one_value(block)


@pytest.mark.parametrize("path", EDGES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_edge_turns_a_value_error_into_a_users_mistake(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [h.lineno for b, h in _broad_handlers(tree) if not _allowed(b, h)]
    assert bad == [], f"{path.name}: a broad except at line(s) {bad}"


BEFORE = {
    # the command line's errors() and the plan page before this check
    "a context manager": "try:\n    yield\nexcept (UserError, ValueError) as exc:\n"
    "    err.print(str(exc))\n    raise typer.Exit(2) from None\n",
    "one call doing work": "try:\n    result = cached(view, key, lambda: plan(store, q))\n"
    "except ValueError as exc:\n    if refuse:\n        raise\n    error = str(exc)\n",
    "a block": "try:\n    a = work()\n    b = more(a)\nexcept ValueError as exc:\n"
    "    raise UserError(str(exc))\n",
    "everything": "try:\n    a = int(text)\nexcept Exception:\n    a = 0\n",
}
ALLOWED = {
    "cleanup, passed on": "try:\n    a = work()\nexcept BaseException:\n    undo()\n    raise\n",
    "a bug reported": "try:\n    yield\nexcept Exception as exc:\n    report_bug(exc)\n",
    "local parsing": "try:\n    return ipaddress.ip_address(text)\nexcept ValueError:\n"
    "    return None\n",
}


@pytest.mark.parametrize("code", BEFORE.values(), ids=BEFORE.keys())
def test_the_ast_check_finds_a_value_error_turned_into_a_users_mistake(code: str) -> None:
    found = [(b, h) for b, h in _broad_handlers(ast.parse(code)) if not _allowed(b, h)]
    assert len(found) == 1


@pytest.mark.parametrize("code", ALLOWED.values(), ids=ALLOWED.keys())
def test_the_ast_check_allows_passing_on_reporting_and_parsing(code: str) -> None:
    handlers = list(_broad_handlers(ast.parse(code)))
    assert len(handlers) == 1 and _allowed(*handlers[0])


# -- the server ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = build_web_store(tmp_path_factory.mktemp("errors") / "store.duckdb")
    app = app_for(path)
    client, _ = client_for(app, ADMIN)
    # the bug is re-raised to the server after its answer; the test reads the answer
    quiet = TestClient(app, raise_server_exceptions=False, cookies=client.cookies)
    return {"app": app, "client": quiet, "path": path}


def test_the_server_has_no_handler_that_takes_every_value_error(web: dict[str, Any]) -> None:
    handlers = web["app"].exception_handlers
    broad = [k for k in handlers if isinstance(k, type) and issubclass(ValueError, k)]
    assert broad == [Exception]  # the bug's 500, and nothing else
    assert handlers[Exception].__name__ == "bug"
    assert handlers[errors.InputError].__name__ == "bad_input"


SECRET = "internal detail: cannot reindex on an axis with duplicate labels"


@pytest.mark.parametrize("bug", [ValueError(SECRET), ZeroDivisionError(SECRET)])
def test_a_bug_inside_an_api_route_is_a_500_with_an_id_in_the_log(
    web: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    bug: Exception,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise bug

    monkeypatch.setattr("salesperf.server.pages.data.resolve_period", broken)
    with caplog.at_level(logging.ERROR, logger="salesperf.server.errors"):
        r = web["client"].get("/api/overview", params={"period": "2026-Q2"})
    assert r.status_code == 500, r.text
    body = r.json()
    error_id = body["error_id"]
    assert re.fullmatch(r"[0-9a-f]{12}", error_id)
    assert f"error id {error_id}" in body["error"] and "bug" in body["error"]
    assert SECRET not in r.text and type(bug).__name__ not in r.text
    logged = [rec for rec in caplog.records if error_id in rec.getMessage()]
    assert len(logged) == 1 and "/api/overview" in logged[0].getMessage()
    assert logged[0].exc_info is not None and logged[0].exc_info[1] is bug


def test_a_bug_behind_a_page_is_a_500_page_in_the_viewers_language(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(SECRET)

    monkeypatch.setattr("salesperf.server.pages.data.resolve_period", broken)
    client = web["client"]
    with caplog.at_level(logging.ERROR, logger="salesperf.server.errors"):
        r = client.get("/", params={"period": "2026-Q1"}, headers={"accept-language": "nl"})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    error_id = re.search(r"foutcode ([0-9a-f]{12})", r.text)
    assert error_id is not None, r.text
    assert "Er ging iets mis binnen salesperf." in r.text and SECRET not in r.text
    assert any(error_id.group(1) in rec.getMessage() for rec in caplog.records)


def test_real_bad_input_is_still_a_422_with_its_message(web: dict[str, Any]) -> None:
    r = web["client"].get("/api/scorecard", params={"metrics": "revenue_wonn"})
    assert r.status_code == 422
    assert "unknown or non-scorecard metric(s): revenue_wonn" in r.json()["error"]
    assert "error_id" not in r.json()


# -- the command line ------------------------------------------------------------------------
runner = CliRunner()


def test_a_bug_in_a_command_is_an_internal_error_with_an_id_and_no_traceback(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(SECRET)

    monkeypatch.setattr("salesperf.cli.status.open_store", broken)
    result = runner.invoke(cli_app, ["status", "--store", str(store.path)])
    assert result.exit_code == 1, result.output
    assert re.search(r"Internal error \(id [0-9a-f]{12}\): this is a bug", result.output)
    assert "salesperf --debug" in result.output
    assert SECRET not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("how", ["option", "environment"])
def test_under_debug_a_bug_in_a_command_shows_its_traceback(
    store: Store, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError(SECRET)

    monkeypatch.setattr("salesperf.cli.status.open_store", broken)
    args = ["status", "--store", str(store.path)]
    if how == "option":
        result = runner.invoke(cli_app, ["--debug", *args])
    else:
        result = runner.invoke(cli_app, args, env={"SALESPERF_DEBUG": "1"})
    assert result.exit_code == 1, result.output
    assert "Traceback (most recent call last)" in result.output
    assert f"ZeroDivisionError: {SECRET}" in result.output
    assert re.search(r"Internal error \(id [0-9a-f]{12}\)", result.output)


def test_real_bad_input_on_the_command_line_is_still_exit_2_with_its_message(
    store: Store,
) -> None:
    result = runner.invoke(
        cli_app, ["scorecard", "--store", str(store.path), "--period", "2025-Q9"]
    )
    assert result.exit_code == 2, result.output
    assert "'2025-Q9' is not a period" in result.output
    assert "Internal error" not in result.output
