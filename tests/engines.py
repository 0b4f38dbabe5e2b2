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

#: Rows of every file an importing worker writes; each file also has one row to reject.
FILE_ROWS = 40


def import_worker(
    url: str,
    token: str,
    folder: str,
    worker: int,
    via_api: bool,
    seconds: float,
    barrier: Any,
    out: Any,
) -> None:
    """Import activity files (FILE_ROWS good rows marked by account_id, one bad) until time:
    with `salesperf import`'s importer, or uploaded to the API (`via_api`)."""
    import time

    from salesperf.ingest.importer import import_file
    from salesperf.store import Store

    done = []
    with Store.open(url) as store, api_client(url, token, folder) as api:
        barrier.wait()
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end or not done:
            marker = f"W{worker}F{n}"
            lines = ["activity_id,rep_id,type,occurred_at,account_id"]
            lines += [f"{marker}-{j},R{1 + j % 3},call,2025-03-{1 + j % 28:02d} 10:00,{marker}"
                      for j in range(FILE_ROWS)]  # fmt: skip
            lines.append(f"{marker}-bad,R9,call,2025-03-01 10:00,{marker}")
            path = Path(folder) / f"{marker}.csv"
            path.write_text("\n".join(lines) + "\n")
            if via_api:  # uploaded to the server, as the dashboard's import page does
                with path.open("rb") as f:
                    got = api.post("/api/import/activities", files={"file": (path.name, f)})
                assert got.status_code == 200, got.text
                j = got.json()
                done.append((marker, j["import_id"], j["inserted"], j["updated"], j["unchanged"],
                             j["rejected"]))  # fmt: skip
            else:
                r = import_file(
                    store, "activities", path, rejects_path=Path(folder) / f"{marker}.rej.csv"
                )
                done.append((marker, r.import_id, r.inserted, r.updated, r.unchanged, r.rejected))
            n += 1
    out.put(("import", worker, done))


def api_client(url: str, token: str, folder: str) -> Any:
    """A client of a server process of its own on the store, with an API token's header."""
    from fastapi.testclient import TestClient

    from salesperf.api import AppSettings, create_app

    app = create_app(AppSettings(
        store=url, secret_key="test-secret", cheap_hashing=True,
        work_dir=Path(folder) / f"server-{os.getpid()}",
    ))  # fmt: skip
    return TestClient(app, headers={"authorization": f"Bearer {token}"})


def batch_worker(
    url: str, token: str, folder: str, worker: int, seconds: float, barrier: Any, out: Any
) -> None:
    """POST batches of activities drawn from one shared pool of ids to the API (each batch
    twice, as a client retrying after a lost answer would)."""
    import random
    import time

    rng = random.Random(worker)
    sent: set[str] = set()
    with api_client(url, token, folder) as api:
        barrier.wait()
        end = time.monotonic() + seconds
        while time.monotonic() < end or not sent:
            ids = sorted(rng.sample(range(300), 20))
            batch = [
                {"activity_id": f"B{i:03d}", "rep_id": f"R{1 + i % 3}", "type": "email",
                 "occurred_at": f"2025-03-{1 + i % 28:02d} 09:00", "account_id": "batch"}
                for i in ids
            ]  # fmt: skip
            for _ in range(2):  # a retry of the same batch changes nothing
                r = api.post("/api/activities", json=batch)
                assert r.status_code == 200, r.text
            sent.update(r["activity_id"] for r in batch)
    out.put(("batch", worker, sorted(sent)))


def read_worker(
    url: str, token: str, folder: str, worker: int, seconds: float, barrier: Any, out: Any
) -> None:
    """Count rows per import file and get a team scorecard (from the library, and from the
    API), again and again; report what was seen."""
    import time
    from datetime import date

    from salesperf.metrics.compiler import run
    from salesperf.metrics.periods import Grain
    from salesperf.metrics.query import By, Query
    from salesperf.store import Store

    reads, cards, states, broken = 0, 0, set(), []
    with Store.open(url) as store, api_client(url, token, folder) as api:
        barrier.wait()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t = store.table("activities")
            files = t.filter(t.account_id.startswith("W"))
            per_file = files.group_by("account_id").aggregate(n=files.count()).to_pandas()
            broken += [(a, int(n)) for a, n in zip(per_file.account_id, per_file.n, strict=True)
                       if n != FILE_ROWS]  # fmt: skip
            states.add(len(per_file))
            reads += 1
            if reads % 3 == 0:
                q = Query(("activities", "activities_per_day"), date(2025, 3, 1), date(2025, 4, 1),
                          Grain.MONTH, By.TEAM)  # fmt: skip
                card = run(store.con, q, "UTC")
                got = api.get("/api/scorecard", params={
                    "by": "team", "period": "2025-03", "metrics": "activities"})  # fmt: skip
                assert got.status_code == 200, got.text
                cards += int(len(card) > 0 and len(got.json()["rows"]) > 0)
    out.put(("read", worker, {"reads": reads, "cards": cards, "states": sorted(states),
                              "broken": broken}))  # fmt: skip
