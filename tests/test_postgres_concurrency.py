"""PostgreSQL with several writers and readers at once: every row lands exactly once, and no
reader ever sees part of an import.

For a few seconds, two processes import activity files (each with FILE_ROWS good rows marked by
their account_id, and one row to reject; one through the importer, one uploading to the API of
a server of its own), one process posts batches of activities from a shared pool of ids to the
API (each batch twice, as a retrying client would), and two processes count the rows per file
and get team scorecards (from the library and the API). Afterwards the store holds exactly what
was accepted.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from conftest import REPS_CSV, TEAMS_CSV
from engines import FILE_ROWS, batch_worker, import_worker, read_worker
from salesperf.ingest.importer import import_file
from salesperf.migrations import IMPORTS, REJECTS
from salesperf.store import Store
from salesperf.users import add_user, create_token, password_hasher

SECONDS = 4.0


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


@pytest.mark.slow
def test_writers_and_readers_at_once(shared_store: Any, tmp_path: Path) -> None:
    url, store, token = shared_store
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(5), ctx.Queue()
    common = (url, token, str(tmp_path))
    procs = [
        ctx.Process(target=import_worker, args=(*common, 1, False, SECONDS, barrier, out)),
        ctx.Process(target=import_worker, args=(*common, 2, True, SECONDS, barrier, out)),
        ctx.Process(target=batch_worker, args=(*common, 3, SECONDS, barrier, out)),
        ctx.Process(target=read_worker, args=(*common, 4, SECONDS, barrier, out)),
        ctx.Process(target=read_worker, args=(*common, 5, SECONDS, barrier, out)),
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    files = [f for kind, _, done in results if kind == "import" for f in done]
    batches = {i for kind, _, sent in results if kind == "batch" for i in sent}
    reads = [r for kind, _, r in results if kind == "read"]

    # every import landed whole: its good rows inserted, its bad row rejected and kept
    assert len(files) >= 2
    assert {marker[:2] for marker, *_ in files} == {"W1", "W2"}  # the importer and the API
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
    assert all(ins + same == 20 and (upd, rej) == (0, 0) for _, ins, upd, same, rej in posted)
    assert sum(ins for _, ins, *_ in posted) == len(batches)
    assert store.count(REJECTS) == len(files)

    # no reader ever saw part of a file, and the readers did read while files were landing
    assert all(r["broken"] == [] for r in reads), [r["broken"] for r in reads]
    assert all(r["reads"] > 0 and r["cards"] > 0 for r in reads)
    assert max(len(r["states"]) for r in reads) > 1
