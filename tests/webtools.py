"""Test helpers for the web server: a small demo organisation with its users, an app for it,
and signing in as a browser does (the sign-in form with its CSRF token)."""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from salesperf.auth.users import add_demo_users, password_hasher
from salesperf.demo import DemoConfig, build_demo
from salesperf.server.app import create_app
from salesperf.server.settings import AppSettings
from salesperf.store import Store

PASSWORD = "demo-password"
TODAY = date(2026, 10, 1)  # the day after the demo's history ends: 2026-Q3 is the last quarter
PERIOD = "2026-Q3"
# the 12-rep demo: R001 manages the root (T00 > T01 > T03, Benelux), R007 manages DACH (T02 >
# T04); the other reps are plain reps
ADMIN = "admin"
ROOT_MANAGER = "jan.novak"
MANAGER = "vera.schmidt"
MANAGER_REP = "R007"
REP = "lucas.lindqvist"
REP_ID = "R002"


@functools.cache
def _web_template() -> Path:
    """The web store, built once per test process (a pytest-xdist worker) in a folder removed
    when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="salesperf-web-"))
    atexit.register(shutil.rmtree, folder, True)
    with Store.open(folder / "store.duckdb") as s:
        build_demo(s, DemoConfig(reps=12, years=1))
        add_demo_users(s, PASSWORD, hasher=password_hasher(cheap=True))
    return folder / "store.duckdb"


def build_web_store(path: Path) -> Path:
    """A 12-rep, one-year demo organisation with its demo users, in a DuckDB file of its own
    (a copy of one built once per test process)."""
    shutil.copyfile(_web_template(), path)
    return path


def settings(path: Path, **changes: Any) -> AppSettings:
    """Test settings for the store: the demo's reference day, cheap hashing, http cookies."""
    base = AppSettings(
        store=str(path), secret_key="test-secret", secure_cookies=None, today=TODAY,
        cheap_hashing=True, work_dir=path.parent / "web-work",
    )  # fmt: skip
    return replace(base, **changes)


def app_for(path: Path, **changes: Any) -> FastAPI:
    """An app serving the store."""
    return create_app(settings(path, **changes))


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the sign-in form; returns the session's CSRF token."""
    token = csrf_from(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/exports"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    return csrf_from(client.get("/activities/new").text)


def client_for(app: FastAPI, username: str | None = None) -> tuple[TestClient, str | None]:
    """A client of the app, signed in as `username` (if given), and its CSRF token."""
    client = TestClient(app)
    return client, (sign_in(client, username) if username else None)


def imported_store(folder: Path, files: dict[str, str]) -> Store:
    """A DuckDB store in `folder` holding `files` (table: CSV text, in order), imported through
    the product's own import; every row must be accepted."""
    from salesperf.ingest.importer import import_file

    store = Store.open(folder / "store.duckdb")
    for table, text in files.items():
        (folder / f"{table}.csv").write_text(text, encoding="utf-8")
        result = import_file(store, table, folder / f"{table}.csv", rejects_path=folder / "r.csv")
        assert result.rejected == 0, result.problems
    return store


def library_part(card: dict[str, Any]) -> dict[str, Any]:
    """A scorecard route's answer without what the route adds to the library's scorecard: the
    day it judged as of, and (for one period) each figure's comparisons with the period before
    and last year, its data-quality findings and each metric's direction."""
    out = {k: v for k, v in card.items() if k not in ("as_of", "compare")}
    out["metrics"] = [{k: v for k, v in m.items() if k != "higher_is_better"}
                      for m in card["metrics"]]  # fmt: skip
    out["rows"] = [
        {**row, "values": {name: {k: v for k, v in cell.items() if k not in ("compare", "quality")}
                           for name, cell in row["values"].items()}}
        for row in card["rows"]
    ]  # fmt: skip
    return out


def calls_of(monkeypatch: Any, owner: object, name: str) -> list[tuple[Any, ...]]:
    """Wrap `owner.name` (a function a page calls) so that the arguments of each call are kept,
    in the list returned (the keyword arguments, if any, as a dict after the others); the
    function still runs."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(owner, name)

    def kept(*args: Any, **kwargs: Any) -> Any:
        calls.append((*args, kwargs) if kwargs else args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, kept)
    return calls
