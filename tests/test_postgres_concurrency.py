"""PostgreSQL with several writers and readers at once: every row lands exactly once, and no
reader ever sees part of an import.

Two processes import FILES activity files each (each with FILE_ROWS good rows marked by their
account_id, and one row to reject; one through the importer, one uploading to the API of a
server of its own), one process posts BATCHES batches of activities from a shared pool of ids to
the API (each batch twice, as a retrying client would), and two processes count the rows per
file and get team scorecards (from the library and the API). The overlap is certain, not
likely: every write holds its transaction open, its rows written, until both readers have read
the store, and the writers' first writes are all open at the same time (see tests/engines.py).
Afterwards the store holds exactly what was accepted.
"""

from __future__ import annotations

import multiprocessing
import queue
from pathlib import Path
from typing import Any

import pytest

from conftest import REPS_CSV, TEAMS_CSV
from engines import (
    BATCHES,
    DEADLINE,
    FILE_ROWS,
    FILES,
    Handshakes,
    batch_worker,
    import_worker,
    read_worker,
    run_worker,
)
from salesperf.auth.tokens import create_token
from salesperf.auth.users import add_user, password_hasher
from salesperf.ingest.importer import import_file
from salesperf.store import Store
from salesperf.store.system_tables import IMPORTS, REJECTS

# the fixture below asks for the server inside it
pytestmark = pytest.mark.postgres


@pytest.fixture
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The URL of a new PostgreSQL store with three reps, and the store itself."""
    server = request.getfixturevalue("pg_server")
    url = server.create_database(f"busy_{tmp_path.name}"[:60])
    store = Store.open(url)
    for table, text in (("teams", TEAMS_CSV), ("reps", REPS_CSV)):
        path = tmp_path / f"{table}.csv"
        path.write_text(text)
        assert import_file(store, table, path).inserted == 3
    add_user(store, "admin", "a-long-password", "admin", hasher=password_hasher(cheap=True))
    _, token = create_token(store, "admin", "write")
    yield url, store, token
    store.close()


def _run_workers(ctx: Any, shakes: Handshakes, workers: list[tuple[Any, ...]]) -> list[Any]:
    """Run (target, number, *args) workers in processes of their own; their results. The first
    worker to fail fails the test with its traceback, and the others are stopped."""
    procs = [
        ctx.Process(target=run_worker, args=(target, shakes, n, *args))
        for target, n, *args in workers
    ]
    for p in procs:
        p.start()
    results = []
    try:
        while len(results) < len(procs):
            try:
                kind, n, got = shakes.out.get(timeout=DEADLINE)
            except queue.Empty:
                pytest.fail(f"no worker finished within {DEADLINE:.0f} s")
            if kind == "error":
                pytest.fail(f"worker {n} failed:\n{got}")
            results.append((kind, n, got))
        for p in procs:
            p.join(DEADLINE)
            assert p.exitcode == 0
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    return results


@pytest.mark.slow
def test_writers_and_readers_at_once(shared_store: Any, tmp_path: Path) -> None:
    url, store, token = shared_store
    ctx = multiprocessing.get_context("spawn")
    writers, readers = (1, 2, 3), (4, 5)
    shakes = Handshakes(
        start=ctx.Barrier(len(writers) + len(readers)),
        writers=ctx.Barrier(len(writers)),
        asks={r: ctx.Queue() for r in readers},
        answers={w: ctx.Queue() for w in writers},
        out=ctx.Queue(),
    )
    common = (url, token, str(tmp_path))
    results = _run_workers(ctx, shakes, [
        (import_worker, 1, *common, False),
        (import_worker, 2, *common, True),
        (batch_worker, 3, *common),
        (read_worker, 4, *common),
        (read_worker, 5, *common),
    ])  # fmt: skip
    files = [f for kind, _, done in results if kind == "import_worker" for f in done]
    batches = {i for kind, _, sent in results if kind == "batch_worker" for i in sent}
    reads = [r for kind, _, r in results if kind == "read_worker"]

    # every import landed whole: its good rows inserted, its bad row rejected and kept
    markers = {marker for marker, *_ in files}
    assert markers == {f"W{w}F{n}" for w in (1, 2) for n in range(FILES)}  # importer and API
    assert all((ins, upd, same, rej) == (FILE_ROWS, 0, 0, 1) for _, _, ins, upd, same, rej in files)
    assert len({import_id for _, import_id, *_ in files}) == len(files)  # no id handed out twice
    # every accepted row is in the store exactly once
    t = store.table("activities")
    per_file = dict(
        store._exec(
            "SELECT account_id, count(*) FROM activities WHERE account_id LIKE 'W%' "
            "GROUP BY account_id"
        )
    )
    assert per_file == {marker: FILE_ROWS for marker, *_ in files}
    stored_batch = {
        r[0] for r in store._exec("SELECT activity_id FROM activities WHERE account_id = 'batch'")
    }
    assert stored_batch == batches
    assert t.count().execute() == FILE_ROWS * len(files) + len(batches)
    assert t.activity_id.nunique().execute() == t.count().execute()
    logged = store._exec(
        f"SELECT import_id, inserted, updated, unchanged, rejected FROM {IMPORTS} "
        "WHERE import_id > 2"
    )
    file_ids = {i for _, i, *_ in files}
    assert sorted(r for r in logged if r[0] in file_ids) == sorted(
        (i, FILE_ROWS, 0, 0, 1) for i in file_ids
    )
    # the API logs each batch: every id inserted once in all, a retry changes nothing
    posted = [r for r in logged if r[0] not in file_ids]
    assert len(posted) == 2 * BATCHES
    assert all(ins + same == 20 and (upd, rej) == (0, 0) for _, ins, upd, same, rej in posted)
    assert sum(ins for _, ins, *_ in posted) == len(batches)
    assert store.count(REJECTS) == len(files)
    # the writes took turns refreshing the roll-ups: each equals a fresh build
    assert store.check_rollups() == dict.fromkeys(store.check_rollups(), 0)

    # no reader ever saw part of a file; each read while every file and batch was being
    # written (and saw none of that file's rows yet), and saw the store change
    assert len(reads) == 2
    for r in reads:
        assert r["broken"] == [], r["broken"]
        assert r["reads"] > 1 and r["cards"] > 0
        assert len(r["states"]) > 1, r["states"]  # before a file landed, and after
        in_flight = {m for _, m, _ in r["during"]}
        assert {m for m in in_flight if m.startswith("W")} == markers
        assert {m for m in in_flight if m.startswith("batch")} == {
            f"batch{n}.{a}" for n in range(BATCHES) for a in range(2)
        }
        assert all(seen == 0 for _, _, seen in r["during"]), r["during"]
