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

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        _run(self.bindir / "pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def _run(*cmd: str | Path) -> None:
    args = [str(c) for c in cmd]
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


def start_postgres() -> PgServer:
    """Start a fresh server in a temporary folder (about half a second)."""
    bindir = pg_bindir()
    assert bindir is not None
    # not under pytest's own temporary folder: that one is closed to other users
    folder = Path(tempfile.mkdtemp(prefix="salesperf-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    folder.chmod(0o755)
    port = _free_port()
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
