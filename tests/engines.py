"""Test helpers for the other engines: a throw-away PostgreSQL server and Spark's requirements.

The server runs from the binaries of a local PostgreSQL installation (Debian's live in
/usr/lib/postgresql/<version>/bin) in a temporary folder; as root, it runs as the `postgres`
user, since initdb refuses root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def pg_bindir() -> Path | None:
    """The folder of PostgreSQL's server binaries (initdb, pg_ctl), or None."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def why_no_postgres() -> str | None:
    """Why a PostgreSQL server cannot be started here, or None when it can."""
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        return "psycopg is not installed (pip install 'salesperf[postgres]')"
    if pg_bindir() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl); apt-get install postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres user to run the server as"
    return None


def why_no_spark() -> str | None:
    """Why Spark cannot run here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ModuleNotFoundError:
        return "pyspark is not installed (pip install 'salesperf[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        return "Spark needs Java (17), and there is none (apt-get install openjdk-17-jre-headless)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """A running server; `url(db)` is the store URL of one of its databases."""

    folder: Path
    port: int
    bindir: Path

    def url(self, database: str) -> str:
        """The store URL of a database on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, database: str) -> str:
        """Create an empty database; its store URL."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def drop_database(self, database: str) -> None:
        """Drop a database, closing whatever connections are left."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def stop(self, remove: bool = True) -> None:
        """Stop the server and remove its folder (or keep it, stopped cleanly, for next time)."""
        mode = "immediate" if remove else "fast"
        _run(self.bindir / "pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "stop")
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)


def _run(*cmd: str | Path) -> None:
    args = [str(c) for c in cmd]
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


def start_postgres(folder: Path | None = None) -> PgServer:
    """Start a server (about half a second): in a new temporary folder, or in `folder`, whose
    data is kept from one start to the next."""
    bindir = pg_bindir()
    assert bindir is not None
    # by default not under pytest's own temporary folder: that one is closed to other users
    folder = folder or Path(tempfile.mkdtemp(prefix="salesperf-pg-"))
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    folder.chmod(0o755)
    port = _free_port()
    if not (folder / "data").exists():
        _run(bindir / "initdb", "-D", str(folder / "data"), "-U", "postgres", "-A", "trust",
             "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
    _run(bindir / "pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "log"), "-w", "-o",
         f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
         "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start")  # fmt: skip
    return PgServer(folder, port, bindir)


def open_version(url: str) -> int:
    """Open the store at `url` (upgrading it) in this process; its schema version."""
    from salesperf.store import Store

    with Store.open(url) as s:
        return s.schema_version


# -- workers of the PostgreSQL concurrency test (run in processes of their own) -------------------
#
# The workers do a fixed amount of work and take turns by handshakes, never by time: every write
# (an imported file, a posted batch) holds its transaction open, its rows written and not yet
# committed, until each reader has read the store; the first write of every writer waits until
# all writers have one open at once. Readers read when asked to and once more after the last
# write. A worker that fails breaks the barriers and reports its error, so that the others and
# the test stop at once instead of waiting for their deadline.

#: Rows of every file an importing worker writes; each file also has one row to reject.
FILE_ROWS = 40
#: Files each importing worker writes, and batches the batch worker posts (each twice).
FILES = 3
BATCHES = 3
#: The longest any process waits for another: a deadline that fails the test, never a condition
#: of its success (only a hung or broken run waits this long).
DEADLINE = 300.0


@dataclass
class Handshakes:
    """The queues and barriers the workers meet at (made by the test, passed to each worker)."""

    start: Any  # a Barrier of every worker: all have started before any works
    writers: Any  # a Barrier of the writers: their first writes are open at the same time
    asks: dict[int, Any]  # one Queue per reader: ("write", writer, marker), ("done", writer, None)
    answers: dict[int, Any]  # one Queue per writer: a reader's number once it has read
    out: Any  # a Queue of (kind, worker, result), or ("error", worker, traceback)

    def abort(self) -> None:
        """Break the barriers, so that no one waits for a worker that failed."""
        self.start.abort()
        self.writers.abort()

    def read_while_open(self, writer: int, marker: str) -> None:
        """Ask every reader to read now, and wait until each has (called inside a write)."""
        for ask in self.asks.values():
            ask.put(("write", writer, marker))
        for _ in self.asks:
            self.answers[writer].get(timeout=DEADLINE)

    def writer_done(self, writer: int) -> None:
        """Tell the readers this writer has committed its last write."""
        for ask in self.asks.values():
            ask.put(("done", writer, None))


def run_worker(target: Any, shakes: Handshakes, worker: int, *args: Any) -> None:
    """Run one worker; put its result, or its error, on `shakes.out`."""
    import traceback

    try:
        result = target(shakes, worker, *args)
    except BaseException:
        shakes.out.put(("error", worker, traceback.format_exc()))
        shakes.abort()
        raise SystemExit(1) from None
    shakes.out.put((target.__name__, worker, result))


def _hold_writes(shakes: Handshakes, writer: int, marker: list[str]) -> None:
    """Make every write of this process, once its rows are written and before it commits, wait
    for the readers to read the store (and the first one for the other writers' first writes).
    `marker[0]` names what is being written."""
    from salesperf.store import Store

    merge = Store.merge
    first = [True]

    def held(self: Store, *args: Any, on_phase: Any = None, **kwargs: Any) -> Any:
        def phase(name: str) -> None:
            if on_phase is not None:
                on_phase(name)
            if name == "commit":  # inside the transaction: written, not yet committed
                if first:
                    first.clear()
                    shakes.writers.wait(DEADLINE)
                shakes.read_while_open(writer, marker[0])

        return merge(self, *args, on_phase=phase, **kwargs)

    Store.merge = held  # type: ignore[method-assign]


def import_worker(
    shakes: Handshakes, worker: int, url: str, token: str, folder: str, via_api: bool
) -> list[tuple[Any, ...]]:
    """Import FILES activity files (FILE_ROWS good rows marked by account_id, one bad) with
    `salesperf import`'s importer, or uploaded to the API (`via_api`)."""
    from salesperf.ingest.importer import import_file
    from salesperf.store import Store

    marker = [""]
    _hold_writes(shakes, worker, marker)
    done = []
    with Store.open(url) as store, api_client(url, token, folder) as api:
        shakes.start.wait(DEADLINE)
        for n in range(FILES):
            marker[0] = f"W{worker}F{n}"
            lines = ["activity_id,rep_id,type,occurred_at,account_id"]
            lines += [f"{marker[0]}-{j},R{1 + j % 3},call,2025-03-{1 + j % 28:02d} 10:00,{marker[0]}"
                      for j in range(FILE_ROWS)]  # fmt: skip
            lines.append(f"{marker[0]}-bad,R9,call,2025-03-01 10:00,{marker[0]}")
            path = Path(folder) / f"{marker[0]}.csv"
            path.write_text("\n".join(lines) + "\n")
            if via_api:  # uploaded to the server, as the dashboard's import page does
                with path.open("rb") as f:
                    got = api.post("/api/import/activities", files={"file": (path.name, f)})
                assert got.status_code == 200, got.text
                j = got.json()
                done.append((marker[0], j["import_id"], j["inserted"], j["updated"],
                             j["unchanged"], j["rejected"]))  # fmt: skip
            else:
                r = import_file(
                    store, "activities", path, rejects_path=Path(folder) / f"{marker[0]}.rej.csv"
                )
                done.append((marker[0], r.import_id, r.inserted, r.updated, r.unchanged,
                             r.rejected))  # fmt: skip
    shakes.writer_done(worker)
    return done


def api_client(url: str, token: str, folder: str) -> Any:
    """A client of a server process of its own on the store, with an API token's header."""
    from fastapi.testclient import TestClient

    from salesperf.server.app import create_app
    from salesperf.server.settings import AppSettings

    app = create_app(AppSettings(
        store=url, secret_key="test-secret", cheap_hashing=True,
        work_dir=Path(folder) / f"server-{os.getpid()}",
    ))  # fmt: skip
    return TestClient(app, headers={"authorization": f"Bearer {token}"})


def batch_worker(shakes: Handshakes, worker: int, url: str, token: str, folder: str) -> list[str]:
    """POST BATCHES batches of activities drawn from one shared pool of ids to the API (each
    batch twice, as a client retrying after a lost answer would)."""
    import random

    marker = [""]
    _hold_writes(shakes, worker, marker)
    rng = random.Random(worker)
    sent: set[str] = set()
    with api_client(url, token, folder) as api:
        shakes.start.wait(DEADLINE)
        for n in range(BATCHES):
            ids = sorted(rng.sample(range(300), 20))
            batch = [
                {"activity_id": f"B{i:03d}", "rep_id": f"R{1 + i % 3}", "type": "email",
                 "occurred_at": f"2025-03-{1 + i % 28:02d} 09:00", "account_id": "batch"}
                for i in ids
            ]  # fmt: skip
            for attempt in range(2):  # a retry of the same batch changes nothing
                marker[0] = f"batch{n}.{attempt}"
                got = api.post("/api/activities", json=batch)
                assert got.status_code == 200, got.text
            sent.update(row["activity_id"] for row in batch)
    shakes.writer_done(worker)
    return sorted(sent)


def read_worker(
    shakes: Handshakes, worker: int, url: str, token: str, folder: str
) -> dict[str, Any]:
    """Whenever a writer holds a write open, count the rows per import file and get a team
    scorecard (from the library, and from the API); once more after the last write. Report
    what was seen, and how many rows of each file in flight were visible while it was."""
    import queue
    from datetime import date

    from salesperf.metrics.compiler import run
    from salesperf.metrics.periods import Grain
    from salesperf.metrics.query import By, Query
    from salesperf.store import Store

    ask, writers = shakes.asks[worker], len(shakes.answers)
    reads, cards, states, broken, during = 0, 0, set(), [], []
    with Store.open(url) as store, api_client(url, token, folder) as api:

        def read(in_flight: list[tuple[int, str]]) -> None:
            nonlocal reads, cards
            t = store.table("activities")
            files = t.filter(t.account_id.startswith("W"))
            per_file = files.group_by("account_id").aggregate(n=files.count()).to_pandas()
            seen = dict(zip(per_file.account_id, (int(n) for n in per_file.n), strict=True))
            broken.extend((a, n) for a, n in seen.items() if n != FILE_ROWS)
            states.add(len(seen))
            during.extend((w, m, seen.get(m, 0)) for w, m in in_flight)
            reads += 1
            q = Query(("activities", "activities_per_day"), date(2025, 3, 1), date(2025, 4, 1),
                      Grain.MONTH, By.TEAM)  # fmt: skip
            card = run(store.con, q, "UTC")
            got = api.get("/api/scorecard", params={
                "by": "team", "period": "2025-03", "metrics": "activities"})  # fmt: skip
            assert got.status_code == 200, got.text
            cards += int(len(card) > 0 and len(got.json()["rows"]) > 0)

        shakes.start.wait(DEADLINE)
        finished: set[int] = set()
        while len(finished) < writers:
            asked = [ask.get(timeout=DEADLINE)]
            while True:  # every request waiting now is answered by one read
                try:
                    asked.append(ask.get_nowait())
                except queue.Empty:
                    break
            finished |= {w for kind, w, _ in asked if kind == "done"}
            in_flight = [(w, m) for kind, w, m in asked if kind == "write"]
            if in_flight:
                read(in_flight)
                for w, _ in in_flight:
                    shakes.answers[w].put(worker)
        read([])  # after every write has committed
    return {"reads": reads, "cards": cards, "states": sorted(states), "broken": broken,
            "during": during}  # fmt: skip
