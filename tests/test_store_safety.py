"""The store's files under stress: a damaged file, a process killed while spilling, a mistyped
path. Each gets a clear message and no traceback; nothing is lost, left behind or made by
mistake."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from salesperf.cli import app
from salesperf.store import Store, StoreError

runner = CliRunner()

#: DuckDB's file starts with a main header and two database headers, 4 KiB each; blocks follow.
HEADERS = 3 * 4096


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


def test_a_damaged_block_read_by_a_command_is_a_clear_error(imported: Path) -> None:
    _overwrite(imported, _rows_of(imported, "activities", "occurred_at"), 16)
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
    monkeypatch.setattr(
        "salesperf.commands.serve.run_server", lambda url, *a, **k: served.append(url)
    )

    code, text, exc = _run(*command, "--store", str(imported))
    _assert_damage_told(code, text, exc, imported)
    assert served == []
    assert _digest(imported) == before
    with pytest.raises(StoreError, match="is damaged"):
        Store.open(imported)
