"""All or nothing: a failed or killed import leaves the store exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from salesperf.ingest.importer import import_file
from salesperf.store import Store

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
        [sys.executable, "-m", "salesperf", "import", "activities", str(big), "--store", str(path)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    seen: list[str] = []
    writing = threading.Event()

    def watch() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("Writing"):
                os.kill(proc.pid, signal.SIGKILL)  # in the middle of the transaction
                writing.set()
                return

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
    t.join(5)
    assert writing.is_set(), f"the import never reached its write phase: {''.join(seen)}"
    assert proc.returncode == -signal.SIGKILL

    with Store.open(path) as s:
        assert _snapshot(s) == before
        again = import_file(s, "activities", write("c.csv", ACTS + "A3,R3,demo,2025-01-08 09:00\n"))
        assert (again.inserted, again.unchanged) == (1, 2)
