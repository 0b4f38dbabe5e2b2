"""The store's files under stress: a damaged file, a process killed while spilling, a mistyped
path. Each gets a clear message and no traceback; nothing is lost, left behind or made by
mistake."""

from __future__ import annotations

import hashlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from salesperf.cli.app import app
from salesperf.store import Store, StoreError

runner = CliRunner()

#: DuckDB's file starts with a main header and two database headers, 4 KiB each; blocks follow.
HEADERS = 3 * 4096
#: A spill of about 80 MB: one million rows staged, sorted, under a 32 MB budget.
SPILL_SQL = (
    "CREATE TEMP TABLE staged AS "
    "SELECT range AS i, md5(range::VARCHAR) AS s FROM range(1000000) ORDER BY s"
)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, BaseException | None]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output, result.exception


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _overwrite(path: Path, start: int, length: int) -> None:
    """Overwrite bytes in place, as a failing disk or a stray write would."""
    with path.open("r+b") as f:
        f.seek(start)
        f.write(b"\xde\xad\xbe\xef" * (length // 4))


def _rows_of(path: Path, table: str, column: str) -> int:
    """Where the stored values of `table.column` start in the file (in the first block holding
    them, after the block's 8-byte checksum)."""
    with duckdb.connect(str(path), read_only=True) as con:
        size = con.execute("SELECT block_size FROM pragma_database_size()").fetchall()[0][0]
        found = con.execute(
            f"SELECT block_id, block_offset FROM pragma_storage_info('{table}') "
            f"WHERE column_name = '{column}' AND block_id >= 0 ORDER BY block_id LIMIT 1"
        ).fetchall()
    assert found, f"{table}.{column} has no values on disk"
    block, offset = found[0]
    return HEADERS + int(block) * int(size) + 8 + int(offset)


def _spills(path: Path) -> dict[str, list[str]]:
    """The spill folders next to the store (DuckDB's own name or a process's), with their
    files."""
    return {
        folder.name: sorted(f.name for f in folder.iterdir())
        for folder in path.parent.glob(path.name + ".tmp*")
        if folder.is_dir()
    }


# -- a damaged file -------------------------------------------------------------------------


@pytest.fixture
def imported(org: Store) -> Path:
    """The hand-built organisation's file, imported and closed."""
    assert org.path is not None
    org.close()
    return org.path


def _assert_damage_told(code: int, text: str, exc: BaseException | None, path: Path) -> None:
    assert code == 2, text
    assert isinstance(exc, SystemExit), exc  # typer's exit, not an exception escaping
    assert "Traceback" not in text
    assert f"the store {path} is damaged" in " ".join(text.split())
    for advice in ("restore the store from a backup", "salesperf copy", "salesperf import"):
        assert advice in " ".join(text.split())


@pytest.mark.slow
def test_a_damaged_block_read_by_a_command_is_a_clear_error(imported: Path) -> None:
    # the activities and their roll-up (which the scorecard reads in their place)
    _overwrite(imported, _rows_of(imported, "activities", "occurred_at"), 16)
    _overwrite(imported, _rows_of(imported, "rollup_activities", "day"), 16)
    with (  # the damage is real, and the file still opens
        duckdb.connect(str(imported), read_only=True) as con,
        pytest.raises(duckdb.IOException, match="Corrupt database file"),
    ):
        con.execute("SELECT * FROM activities").fetchall()
    before = _digest(imported)

    code, text, exc = _run("scorecard", "--store", str(imported), "--period", "2025-03")
    _assert_damage_told(code, text, exc, imported)
    assert _digest(imported) == before  # reading a damaged store changes nothing

    with pytest.raises(StoreError, match="is damaged"), Store.open(imported) as s:
        s.table("activities").to_pyarrow()


@pytest.mark.parametrize("damage", ["headers", "truncated"])
@pytest.mark.parametrize("command", [["status"], ["scorecard"], ["serve"]])
def test_a_store_damaged_where_it_opens_is_refused_with_what_to_do(
    imported: Path, damage: str, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if damage == "headers":
        _overwrite(imported, 4096, HEADERS - 4096)  # both database headers
    else:
        os.truncate(imported, imported.stat().st_size // 2)
    before = _digest(imported)
    served: list[str] = []
    monkeypatch.setattr("salesperf.cli.serve.run_server", lambda url, *a, **k: served.append(url))

    code, text, exc = _run(*command, "--store", str(imported))
    _assert_damage_told(code, text, exc, imported)
    assert served == []
    assert _digest(imported) == before
    with pytest.raises(StoreError, match="is damaged"):
        Store.open(imported)


@pytest.mark.slow
def test_the_server_answers_a_damaged_store_with_a_503_that_says_what_to_do(
    org: Store,
) -> None:
    from fastapi.testclient import TestClient

    from salesperf.auth.tokens import create_token
    from salesperf.auth.users import add_user, password_hasher
    from webtools import app_for

    add_user(org, "admin", "a-long-password", "admin", hasher=password_hasher(cheap=True))
    _, token = create_token(org, "admin", "read")
    assert org.path is not None
    path = org.path
    org.close()
    _overwrite(path, _rows_of(path, "activities", "occurred_at"), 16)
    _overwrite(path, _rows_of(path, "rollup_activities", "day"), 16)
    client = TestClient(app_for(path), headers={"authorization": f"Bearer {token}"})
    r = client.get("/api/scorecard", params={"period": "2025-03", "by": "rep"})
    assert r.status_code == 503, r.text
    said = r.json()["error"]
    assert f"the store {path} is damaged" in said and "restore the store from a backup" in said
    assert client.get("/healthz").status_code == 200  # and the server goes on answering


# -- spill files of a dead process ----------------------------------------------------------


@pytest.mark.slow
def test_opening_removes_a_dead_process_spill_files_and_keeps_live_ones(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.duckdb"
    Store.open(path).close()
    # what a process killed while spilling leaves: DuckDB's own folder, or a process's
    for folder, name in [
        ("store.duckdb.tmp", "duckdb_temp_storage_DEFAULT-0.tmp"),
        ("store.duckdb.tmp-4242-0badf00d", "duckdb_temp_block-7.block"),
    ]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_bytes(b"\0" * 65536)
    # not spill files of this store: left alone
    (tmp_path / "store.duckdb.tmp-4243-0badf00d").mkdir()
    (tmp_path / "store.duckdb.tmp-4243-0badf00d" / "notes.txt").write_text("mine")
    (tmp_path / "other.duckdb.tmp").mkdir()
    (tmp_path / "other.duckdb.tmp" / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"\0")

    first = Store.open(path)
    assert _spills(path) == {"store.duckdb.tmp-4243-0badf00d": ["notes.txt"]}
    assert (tmp_path / "other.duckdb.tmp" / "duckdb_temp_storage_DEFAULT-0.tmp").exists()

    # a first connection spills; a second one of the same process (a server's pool) opens the
    # same store and must not take the first one's spill files away
    with first.memory_budget("32MB"):
        first.staging().execute(SPILL_SQL)
        live = {k: v for k, v in _spills(path).items() if k != "store.duckdb.tmp-4243-0badf00d"}
        assert len(live) == 1 and next(iter(live.values())), live
        second = Store.open(path)
        assert {k: v for k, v in _spills(path).items() if k in live} == live
        assert first.staging().execute("SELECT count(*) FROM staged").fetchall() == [(1_000_000,)]
        second.close()
    first.close()
    assert _spills(path) == {"store.duckdb.tmp-4243-0badf00d": ["notes.txt"]}  # cleaned on exit


CHILD = f"""
import sys
from pathlib import Path
from salesperf.store import Store

path = Path(sys.argv[1])
store = Store.open(path)
with store.memory_budget("32MB"):
    store.staging().execute({SPILL_SQL!r})
    files = [f for f in path.parent.glob(path.name + ".tmp*/*")]
    print("spilled", len(files), flush=True)
    sys.stdin.read()  # holds the store and its spilled rows until it is killed
"""


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    """The child's output lines, read as they come (an empty string when it ends)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], prefix: str, deadline: float) -> str | None:
    """The first line starting with `prefix` (the engine's progress output is skipped), or None
    when the child ended or said nothing more within `deadline` seconds."""
    while True:
        try:
            line = lines.get(timeout=deadline)
        except queue.Empty:
            return None
        if not line or line.startswith(prefix):
            return line or None


@pytest.mark.slow
def test_kill_9_while_spilling_leaves_nothing_after_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    Store.open(path).close()
    errors = tmp_path / "child.err"
    with errors.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        line = _wait_for(_lines(proc), "spilled", deadline=120)
        assert line is not None, f"the child did not spill: {errors.read_text()}"
        assert int(line.split()[1]) > 0, "the child did not spill"
        spilled = _spills(path)
        assert spilled

        # while the child lives it holds the store: it cannot be opened, its files stay
        with pytest.raises(StoreError, match="lock"):
            Store.open(path)
        assert _spills(path) == spilled
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert _spills(path) == spilled  # what kill -9 leaves

    with Store.open(path) as s:
        assert s.schema_version > 0
    assert _spills(path) == {}


# -- a mistyped path ------------------------------------------------------------------------

READ_COMMANDS = [
    ["status"],
    ["settings", "show"],
    ["scorecard"],
    ["diagnose"],
    ["health"],
    ["drivers"],
    ["plan", "--target", "1000", "--period", "2025-Q1"],
    ["forecast", "--period", "2025-Q1"],
    ["metrics", "explain", "win_rate"],
    ["serve"],
    ["copy", "copy.duckdb"],
    ["users", "list"],
    ["users", "set-role", "anna", "rep"],
    ["users", "set-password", "anna", "--password", "a-long-password"],
    ["users", "token", "create", "anna"],
    ["users", "token", "revoke", "abc"],
    ["users", "token", "list"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_a_command_that_only_reads_refuses_a_path_with_no_store(
    tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[str] = []
    monkeypatch.setattr("salesperf.cli.serve.run_server", lambda url, *a, **k: served.append(url))
    typo = tmp_path / "salesprf.duckdb"
    code, text, exc = _run(*command, "--store", str(typo))
    assert code == 2, text
    assert isinstance(exc, SystemExit), exc
    assert "Traceback" not in text
    flat = " ".join(text.split())
    assert f"no store at {typo}; create one with `salesperf import` or `salesperf demo`" in flat
    assert list(tmp_path.iterdir()) == []  # no store, no copy target, no spill folder
    assert served == []


def test_the_default_store_and_the_environment_store_are_not_made_by_reading(
    tmp_path: Path,
) -> None:
    code, text, _ = _run("status")
    assert code == 2 and "no store at salesperf.duckdb" in text, text
    code, text, _ = _run("scorecard", env={"SALESPERF_STORE": str(tmp_path / "env.duckdb")})
    assert code == 2 and f"no store at {tmp_path / 'env.duckdb'}" in " ".join(text.split())
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(StoreError, match="no store at"):
        Store.open(tmp_path / "lib.duckdb", create=False)
    assert list(tmp_path.iterdir()) == []
    with Store.open(":memory:", create=False) as s:  # nothing to mistype
        assert s.path is None


@pytest.mark.slow
def test_commands_that_make_a_store_still_make_it(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    teams = write("teams.csv", "team_id,name,parent_team_id\nORG,Acme,\n")
    code, text, _ = _run("status", "--store", "new.duckdb")
    assert code == 2 and not (tmp_path / "new.duckdb").exists(), text
    code, text, _ = _run("import", "teams", str(teams), "--store", "new.duckdb")
    assert code == 0, text
    code, text, _ = _run("settings", "set", "timezone", "Europe/Amsterdam", "--store", "tz.duckdb")
    assert code == 0, text
    code, text, _ = _run("copy", "copy.duckdb", "--store", "new.duckdb")
    assert code == 0, text
    with Store.open(tmp_path / "copy.duckdb") as s:
        assert s.count("teams") == 1
