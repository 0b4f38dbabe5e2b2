"""Shared fixtures: a fresh store per test, small files, and the public data sets."""

from __future__ import annotations

import inspect
import itertools
import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from salesperf.ingest.importer import import_file
from salesperf.store import Store, copy_store

warnings.filterwarnings("ignore", message=".*Pandas4Warning.*")
# Rich fixes a console's width from COLUMNS when the console is made (at import), and pytest-xdist
# workers run with COLUMNS=80; without it the width is read at each print, so a test can choose
# it per command (CliRunner's env).
os.environ.pop("COLUMNS", None)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

TEAMS_CSV = "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT2,South,ORG\n"
REPS_CSV = "rep_id,name,team_id,role\nR1,Ann,T1,rep\nR2,Bob,T1,rep\nR3,Cas,T2,manager\n"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium for every browser test (Playwright cannot download a browser here)."""
    from browsertools import CHROMIUM, LAUNCH_ARGS

    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": LAUNCH_ARGS}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder, so default outputs (rejects files) stay there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESPERF_STORE", raising=False)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a text file in the test's folder and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(text.encode(encoding))
        return p

    return _write


@pytest.fixture
def store_engine(request: pytest.FixtureRequest) -> str:
    """The engine of `empty_store` (and so of `store` and `org`): DuckDB, unless the module
    names more in `STORE_ENGINES` (see `pytest_generate_tests`)."""
    return str(getattr(request, "param", "duckdb"))


@pytest.fixture
def empty_store(
    store_engine: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Store]:
    """A new, empty store in a real DuckDB file (or in a new database of the session's
    PostgreSQL server, when `store_engine` is postgres)."""
    if store_engine == "duckdb":
        s = _opened_copy(request.getfixturevalue("_empty_template"), tmp_path)
        yield s
        s.close()
        return
    assert store_engine == "postgres", store_engine
    server = request.getfixturevalue("pg_server")
    name = f"s_{tmp_path.name}".lower().replace("-", "_")[:60]
    s = Store.open(server.create_database(name))
    yield s
    s.close()
    server.drop_database(name)


def _import_small_tree(store: Store, write: Callable[..., Path]) -> Store:
    r1 = import_file(store, "teams", write("teams.csv", TEAMS_CSV))
    r2 = import_file(store, "reps", write("reps.csv", REPS_CSV))
    assert (r1.inserted, r2.inserted) == (3, 3)
    return store


def _opened_copy(template: Path, tmp_path: Path) -> Store:
    """A store opened on the test's own copy of a store file made once per session: a new
    DuckDB store is migrated table by table (about 0.3 s), a copy opens in 30 ms."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(template, path)
    return Store.open(path)


@pytest.fixture
def web_store(tmp_path: Path) -> Iterator[Store]:
    """The 12-rep, one-year web organisation with its demo users (`webtools.build_web_store`),
    on the test's own copy."""
    from webtools import build_web_store

    with Store.open(build_web_store(tmp_path / "store.duckdb")) as s:
        yield s


@pytest.fixture(scope="session")
def _empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new store, made once per session by `Store.open` and closed."""
    path = tmp_path_factory.mktemp("empty-template") / "store.duckdb"
    Store.open(path).close()
    return path


def _template(
    factory: pytest.TempPathFactory, name: str, fill: Callable[[Store, Callable[..., Path]], Store]
) -> Path:
    """A DuckDB store filled once per session through the product's own import, closed."""
    folder = factory.mktemp(name)

    def write(file: str, text: str, encoding: str = "utf-8") -> Path:
        (folder / file).write_text(text, encoding=encoding)
        return folder / file

    with Store.open(folder / "store.duckdb") as s:
        fill(s, write)
    return folder / "store.duckdb"


@pytest.fixture(scope="session")
def _store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small team tree of `store`, imported once per session."""
    return _template(tmp_path_factory, "store-template", _import_small_tree)


@pytest.fixture
def store(
    store_engine: str, request: pytest.FixtureRequest, tmp_path: Path, write: Callable[..., Path]
) -> Iterator[Store]:
    """A store with a small team tree (ORG > T1, T2) and three reps (R1, R2 in T1; R3 in T2).
    On DuckDB imported once per session and copied into the test's own file (unless the test
    also asks for `empty_store`, which is then the same store), its CSV files written in the
    test's folder as an import would leave them."""
    if store_engine != "duckdb" or "empty_store" in request.fixturenames:
        yield _import_small_tree(request.getfixturevalue("empty_store"), write)
        return
    write("teams.csv", TEAMS_CSV)
    write("reps.csv", REPS_CSV)
    s = _opened_copy(request.getfixturevalue("_store_template"), tmp_path)
    yield s
    s.close()


@pytest.fixture
def shared_data() -> Path:
    """The public data sets folder, or a skip saying why it is missing."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the public data sets are not at {SHARED_DATA}")
    return SHARED_DATA


# A small organisation whose every figure was computed by hand (see test_metrics.py).
HANDBUILT = {
    "teams": "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT1a,North-A,T1\nT2,South,ORG\n",
    "reps": "rep_id,name,team_id\nR1,Ann,T1\nR2,Bob,T1a\nR3,Cas,T2\nR4,Dee,T2\n",
    "absences": "rep_id,date\nR1,2025-03-04\n",
    "activities": (
        "activity_id,rep_id,type,occurred_at,outcome,account_id\n"
        "A1,R1,call,2025-03-03T09:00:00Z,connected,\n"
        "A2,R1,call,2025-03-03T10:00:00Z,no_answer,\n"
        "A3,R1,meeting,2025-03-05T10:00:00Z,held,C1\n"
        "A4,R1,demo,2025-03-06T10:00:00Z,no_show,C1\n"
        "A5,R2,email,2025-03-09T23:30:00Z,sent,\n"  # Monday 00:30 in Amsterdam: ISO week 11
        "A6,R2,call,2025-03-31T22:30:00Z,connected,\n"  # 1 April 00:30 in Amsterdam
        "A7,R3,call,2025-03-12T10:00:00Z,connected,C2\n"
    ),
    "deals": (
        "deal_id,rep_id,created_at,status,amount,closed_at\n"
        "D1,R1,2025-02-10,won,1000,2025-03-14\n"
        "D2,R1,2025-03-01,lost,500,2025-03-20\n"
        "D3,R2,2025-03-02,won,3000,2025-03-31T22:30:00Z\n"  # closes on 1 April, local time
        "D4,R3,2025-01-15,won,2000,2025-03-25\n"
        "D5,R3,2025-03-15,open,700,\n"
    ),
    "surveys": (
        "response_id,responded_at,scale,score,rep_id\n"
        "S1,2025-03-10,csat5,5,R1\nS2,2025-03-11,csat5,3,R1\n"
        "S3,2025-03-10,nps10,10,R3\nS4,2025-03-11,nps10,5,R3\nS5,2025-03-12,nps10,8,R3\n"
    ),
    "leads": "lead_id,created_at,source,rep_id\nL1,2025-03-03,referral,R1\nL2,2025-03-04,inbound,R1\n",
    "targets": (
        "scope,scope_id,metric,period_start,period_end,value\n"
        "rep,R1,revenue_won,2025-03-01,2025-03-31,2000\n"
        "team,T1,revenue_won,2025-03-01,2025-03-31,5000\n"
        "org,ORG,revenue_won,2025-03-01,2025-03-31,6000\n"
    ),
}


def _import_handbuilt(store: Store, write: Callable[..., Path]) -> Store:
    store.set_setting("timezone", "Europe/Amsterdam")
    for table in HANDBUILT:
        result = import_file(store, table, write(f"{table}.csv", HANDBUILT[table]))
        assert result.rejected == 0, result.problems
    return store


@pytest.fixture(scope="session")
def _org_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built organisation imported once per session into a DuckDB file, closed."""
    return _template(tmp_path_factory, "org-template", _import_handbuilt)


@pytest.fixture
def org(
    store_engine: str, request: pytest.FixtureRequest, tmp_path: Path, write: Callable[..., Path]
) -> Iterator[Store]:
    """The hand-built organisation, imported through the product's own import: on DuckDB
    imported once per session and copied into the test's own file, its CSV files written
    in the test's folder as an import would leave them."""
    if store_engine != "duckdb":
        yield _import_handbuilt(request.getfixturevalue("empty_store"), write)
        return
    for table, text in HANDBUILT.items():
        write(f"{table}.csv", text)
    s = _opened_copy(request.getfixturevalue("_org_template"), tmp_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def _demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Any]]:
    from salesperf.demo import build_demo
    from salesperf.demo.config import DemoConfig

    s = Store.open(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    data = build_demo(s, DemoConfig())
    yield s, data
    s.close()


@pytest.fixture(scope="session")
def demo_store(_demo: tuple[Store, Any]) -> Store:
    """The default demo organisation (`DemoConfig()`), built once per test session into a real
    DuckDB file. Shared by many tests: read it, never write to it."""
    return _demo[0]


@pytest.fixture(scope="session")
def demo_planted(_demo: tuple[Store, Any]) -> Any:
    """The patterns planted in `demo_store` (a `salesperf.demo.Planted`)."""
    return _demo[1].planted


# -- other engines: PostgreSQL and Spark (see tests/engines.py) ---------------------------------

ENGINES = ("duckdb", "postgres", "spark")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A PostgreSQL server of this test session (a `tests.engines.PgServer`), or a skip saying
    why none can run here."""
    from engines import start_postgres, why_no_postgres

    reason = why_no_postgres()
    if reason:
        pytest.skip(reason)
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def spark_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Spark started once for the test session, in local[2] mode with a fresh warehouse
    folder, or a skip saying why it cannot run here. Stores get folders of their own."""
    from engines import why_no_spark

    reason = why_no_spark()
    if reason:
        pytest.skip(reason)
    from salesperf.store.engines.spark import spark_session

    root = tmp_path_factory.mktemp("spark")
    spark_session("local[2]", {}, root)
    return root


_stores = itertools.count()


def new_store_url(
    backend: str, request: pytest.FixtureRequest, folder: Path
) -> tuple[str, str | None]:
    """The URL of a new, empty store on `backend` (a DuckDB file or a Spark warehouse in
    `folder`, or a new database on the session's PostgreSQL server), and the database's name
    (for dropping it afterwards; None on the other engines)."""
    n = next(_stores)
    if backend == "postgres":
        name = f"s{n}_{os.getpid()}"
        return request.getfixturevalue("pg_server").create_database(name), name
    if backend == "spark":
        request.getfixturevalue("spark_home")
        return f"local[2]?warehouse={folder / f'warehouse{n}'}", None
    return str(folder / f"store{n}.duckdb"), None


@pytest.fixture(params=ENGINES)
def backend(request: pytest.FixtureRequest) -> str:
    """The engine a test runs on: a test asking for it runs once on each engine."""
    return str(request.param)


class EngineStores:
    """New, empty stores on one engine, closed (and their PostgreSQL databases dropped)
    together."""

    def __init__(
        self, backend: str, request: pytest.FixtureRequest, folder: Callable[[], Path]
    ) -> None:
        self.backend, self._request, self._folder = backend, request, folder
        self._opened: list[Store] = []
        self._databases: list[str] = []

    def open(self, **kwargs: Any) -> Store:
        """A new store; `Store.open`'s keywords pass through."""
        url, database = new_store_url(self.backend, self._request, self._folder())
        self._databases.extend([database] if database else [])
        if self.backend == "duckdb" and not kwargs:
            # a copy of the session's new store, as `empty_store` does
            shutil.copyfile(self._request.getfixturevalue("_empty_template"), url)
        s = Store.open(url, **kwargs)
        self._opened.append(s)
        return s

    def close(self) -> None:
        """Close every store opened here, and drop their databases."""
        for s in self._opened:
            s.close()
        for name in self._databases:
            self._request.getfixturevalue("pg_server").drop_database(name)


@pytest.fixture
def engine_store(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., Store]]:
    """A factory of fresh, empty stores on `backend` (a DuckDB file, a new PostgreSQL database,
    a new Spark warehouse folder); `Store.open`'s keywords pass through. Closed after the test."""
    stores = EngineStores(backend, request, lambda: tmp_path)
    yield stores.open
    stores.close()


@pytest.fixture
def backend_store(engine_store: Callable[..., Store]) -> Store:
    """A fresh, empty store on `backend`."""
    return engine_store()


@pytest.fixture(scope="module", params=ENGINES)
def on_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Store], Store]]:
    """A module's stores on each engine in turn. `on_engine(store)` is the (DuckDB) store itself
    on DuckDB, else a copy of it in a new PostgreSQL database or Spark warehouse folder, made
    with the product's own `copy_store`. A module fixture built with it, and every test using
    that fixture, runs once per engine; the copies are closed (and dropped) after the module."""
    stores = EngineStores(str(request.param), request, lambda: tmp_path_factory.mktemp("copies"))

    def copy(source: Store) -> Store:
        if stores.backend == "duckdb":
            return source
        target = stores.open()
        assert copy_store(source, target) == source.counts()
        assert target.settings == source.settings
        return target

    yield copy
    stores.close()


# -- markers and xdist groups, from what a test uses --------------------------------------------

#: Fixtures that start an engine, and the marker of a test that uses one.
ENGINE_FIXTURES = {"pg_server": "postgres", "spark_home": "spark"}
#: Parameters that name the engine a test runs on.
ENGINE_PARAMS = ("backend", "on_engine", "store_engine")
#: pytest-playwright's fixtures: a test using one drives a real browser.
BROWSER_FIXTURES = {"page", "context", "browser"}
#: Fixtures that build the seeded demo organisation (about 20 s): a test using one is slow.
DEMO_FIXTURES = {"demo_store", "demo_planted"}
#: The names a test of a module with `STORE_ENGINES` asks for when it wants a store.
USES_STORE = {"store", "org", "cohort", "empty_store"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module naming `STORE_ENGINES = ("duckdb", "postgres")` runs each of its tests that asks
    for a store (`USES_STORE`) once per engine."""
    engines = getattr(metafunc.module, "STORE_ENGINES", None)
    if engines and USES_STORE & set(inspect.signature(metafunc.function).parameters):
        metafunc.parametrize("store_engine", engines, indirect=True)


def _engines(item: pytest.Item) -> set[str]:
    """The engines other than DuckDB a test needs: by its fixtures, its engine parameter, or a
    marker set by hand (for a test that asks for a server with `request.getfixturevalue`)."""
    names = set(getattr(item, "fixturenames", ()))
    found = {engine for fixture, engine in ENGINE_FIXTURES.items() if fixture in names}
    params = getattr(getattr(item, "callspec", None), "params", {})
    found |= {str(params[p]) for p in ENGINE_PARAMS if p in params}
    found |= {m.name for m in item.iter_markers() if m.name in ("postgres", "spark")}
    return found - {"duckdb"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by what it needs (`duckdb`, `postgres`, `spark`, `browser`; `slow` when it
    needs the demo organisation) and put it in
    an xdist group: Spark's tests in one (one Spark session, in one worker), the rest by module
    and engine, so that a module's fixtures are built once and, under `--dist loadgroup`, the
    engine suites spread over the workers."""
    for item in items:
        engines = _engines(item)
        for engine in sorted(engines):
            item.add_marker(engine)
        if not engines:
            item.add_marker("duckdb")
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker("browser")
        if DEMO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker("slow")
        module = item.nodeid.split("::", 1)[0]
        group = (
            "spark" if "spark" in engines else f"{module}:{'+'.join(sorted(engines)) or 'duckdb'}"
        )
        item.add_marker(pytest.mark.xdist_group(group))
        _in_group(config, item, group)


def _in_group(config: pytest.Config, item: pytest.Item, group: str) -> None:
    """Give the test its group the way pytest-xdist's `loadgroup` reads it: a node id ending in
    `@<group>`. pytest-xdist 3.8 writes the suffix to `_nodeid`, which pytest 9.2 no longer
    reads (a node's id is its `_id`), so without this every test went to any worker: a module's
    fixtures were built on both, and Spark started on both."""
    # a worker knows the mode as `loadgroup` (its own `dist` is "no")
    if not getattr(config.option, "loadgroup", False) or "@" in item.nodeid:
        return
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # an older pytest: pytest-xdist's own suffix works there
        return
    if hasattr(item, "_id"):
        item._id = coerce_node_id(f"{item.nodeid}@{group}")
