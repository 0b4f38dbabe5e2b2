"""All or nothing: a failed or killed import leaves the store exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from salesperf.ingest.importer import import_file
from salesperf.store import Store

#: The longest the test waits for the import process: a deadline that fails a hung run.
DEADLINE = 120.0
#: `python -m salesperf`, except that the import, once its rows are written and before it
#: commits, says so on stderr and waits to be killed.
HELD = "held: rows written, not committed"
HOLDING_CLI = f"""
import sys, threading
from salesperf.store import Store

merge = Store.merge

def held(self, *args, on_phase=None, **kwargs):
    def phase(name):
        if on_phase is not None:
            on_phase(name)
        if name == "commit":  # inside the transaction
            print({HELD!r}, file=sys.stderr, flush=True)
            threading.Event().wait({DEADLINE})
            sys.exit("the import was never killed")
    return merge(self, *args, on_phase=phase, **kwargs)

Store.merge = held
from salesperf.cli.app import main
main()
"""

ACTS = "activity_id,rep_id,type,occurred_at\nA1,R1,call,2025-01-06 10:00\nA2,R2,email,2025-01-06 11:00\n"


def _snapshot(store: Store) -> tuple[object, ...]:
    """Everything an import may touch: row counts, the content of activities, the import log."""
    acts = store.con.con.execute(  # type: ignore[attr-defined]
        "SELECT count(*), string_agg(activity_id || type || occurred_at, ',' ORDER BY activity_id) "
        "FROM activities"
    ).fetchone()
    return (
        store.counts(),
        acts,
        store.count("salesperf_imports"),
        store.count("salesperf_rejects"),
    )


class Boom(Exception):
    pass


@pytest.mark.slow
def test_a_failure_while_writing_rolls_everything_back(
    store: Store, write: Callable[..., Path]
) -> None:
    import_file(store, "activities", write("a.csv", ACTS))
    before = _snapshot(store)
    text = ACTS.replace("A1", "A9") + "A3,R9,call,2025-01-07 10:00\n"

    def fail_at(phase: str) -> None:
        if phase == "commit":  # inside the transaction, after the rows were written
            raise Boom

    with pytest.raises(Boom):
        import_file(store, "activities", write("b.csv", text), on_phase=fail_at)
    assert _snapshot(store) == before
    # and the store is still usable
    result = import_file(store, "activities", write("b.csv", text))
    assert (result.inserted, result.unchanged, result.rejected) == (1, 1, 1)


def _big_activities(path: Path, rows: int) -> None:
    duckdb.connect().execute(
        f"""COPY (SELECT 'B' || i AS activity_id, 'R' || (1 + i % 3) AS rep_id,
                 (['call', 'email', 'meeting', 'demo'])[1 + i % 4] AS type,
                 TIMESTAMP '2025-01-06 08:00' + to_seconds(i) AS occurred_at
               FROM range({rows}) t(i)) TO '{path}' (HEADER)"""
    )


@pytest.mark.slow
def test_a_process_killed_in_the_middle_of_an_import_changes_nothing(
    store: Store, write: Callable[..., Path], tmp_path: Path
) -> None:
    import_file(store, "activities", write("a.csv", ACTS))
    before = _snapshot(store)
    path = store.path
    assert path is not None
    store.close()
    big = tmp_path / "big.csv"
    _big_activities(big, 1_500_000)

    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDING_CLI, "import", "activities", str(big), "--store", str(path)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    seen: list[str] = []
    news = threading.Event()  # the import holds its transaction open, or it has ended

    def watch() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            if HELD in line:
                news.set()
        news.set()

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        assert news.wait(DEADLINE), "the import neither wrote its rows nor ended"
        assert any(HELD in line for line in seen), f"the import ended early: {''.join(seen)}"
        os.kill(proc.pid, signal.SIGKILL)  # in the middle of the transaction
        assert proc.wait(DEADLINE) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.join(DEADLINE)

    with Store.open(path) as s:
        assert _snapshot(s) == before
        again = import_file(s, "activities", write("c.csv", ACTS + "A3,R3,demo,2025-01-08 09:00\n"))
        assert (again.inserted, again.unchanged) == (1, 2)
