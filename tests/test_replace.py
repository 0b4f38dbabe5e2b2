"""Snapshot imports (`--replace`): a corrected export removes the rows it no longer has.

Deleted rows are counted (the result, the import log, the CLI, the API, the web page), kept in
`salesperf_deleted` and restored by `salesperf imports restore`; rows of the file that are
rejected keep their stored row; `--system` limits the deletions to that system's rows; a process
killed in the middle of a replace leaves the old data whole; a rep may not replace. On DuckDB
always, on PostgreSQL and Spark where they can run (skipped with the reason otherwise).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import REPS_CSV, TEAMS_CSV, new_store_url
from salesperf.auth.access import EVERYTHING, AccessDenied, Scope, ScopeKind, check_replace
from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.ingest.snapshot import restore
from salesperf.ingest.source import FileRefused
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query
from salesperf.store import Store, StoreError
from salesperf.store.migrations import LATEST_VERSION
from salesperf.store.system_tables import DELETED, IMPORTS, ORIGINS

# Spark converts frames with a pandas keyword that pandas 3 deprecates
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")

Writer = Callable[..., Path]
HEAD = "deal_id,rep_id,created_at,status,amount,closed_at\n"
#: The first export: six deals of three reps.
OLD = HEAD + (
    "D1,R1,2025-03-02,won,1000,2025-03-10\n"
    "D2,R1,2025-03-03,lost,500,2025-03-12\n"
    "D3,R2,2025-03-04,won,700,2025-03-14\n"
    "D4,R2,2025-03-05,open,300,\n"
    "D5,R3,2025-03-06,won,200,2025-03-20\n"
    "D6,R3,2025-03-07,lost,900,2025-03-21\n"
)
#: The corrected export: D1's amount changed, D2, D3 and D6 gone, D7 new, D4 and D5 as they were.
NEW = HEAD + (
    "D1,R1,2025-03-02,won,1200,2025-03-10\n"
    "D4,R2,2025-03-05,open,300,\n"
    "D5,R3,2025-03-06,won,200,2025-03-20\n"
    "D7,R2,2025-03-08,won,400,2025-03-25\n"
)
#: A corrected export with a row rejected (an unknown rep) whose deal is stored: D4 stays.
NEW_WITH_TYPO = NEW.replace("D4,R2,", "D4,R9,")
METRICS = (
    "deals_won",
    "deals_lost",
    "revenue_won",
    "win_rate",
    "deals_created",
    "pipeline_created",
)
MARCH = (date(2025, 3, 1), date(2025, 4, 1))


def _setup(store: Store, write: Writer) -> Store:
    assert import_file(store, "teams", write("teams.csv", TEAMS_CSV)).inserted == 3
    assert import_file(store, "reps", write("reps.csv", REPS_CSV)).inserted == 3
    return store


def _deals(store: Store) -> dict[str, float]:
    df = store.table("deals").select("deal_id", "amount").to_pandas()
    return {str(d): float(a) for d, a in zip(df.deal_id, df.amount, strict=True)}


def _log(store: Store, import_id: int) -> dict[str, Any]:
    t = store.table(IMPORTS)
    rows = t.filter(t.import_id == import_id).to_pyarrow().to_pylist()
    assert len(rows) == 1
    return dict(rows[0])


def _kept(store: Store, import_id: int | None = None) -> dict[str, dict[str, Any]]:
    """The rows kept in salesperf_deleted (of one import), by row key, as their JSON."""
    t = store.table(DELETED)
    if import_id is not None:
        t = t.filter(t.import_id == import_id)
    rows = t.to_pyarrow().to_pylist()
    return {str(r["row_key"]): json.loads(r["row_data"]) for r in rows}


def expected_figures(text: str) -> pd.DataFrame:
    """The March figures per rep, computed with pandas from the file itself."""
    from io import StringIO

    df = pd.read_csv(StringIO(text), parse_dates=["created_at", "closed_at"])
    start, end = (pd.Timestamp(d) for d in MARCH)
    closed = df[(df.closed_at >= start) & (df.closed_at < end)]
    created = df[(df.created_at >= start) & (df.created_at < end)]
    out = {}
    for rep in sorted(set(df.rep_id)):
        won = closed[(closed.rep_id == rep) & (closed.status == "won")]
        lost = closed[(closed.rep_id == rep) & (closed.status == "lost")]
        mine = created[created.rep_id == rep]
        decided = len(won) + len(lost)
        out[rep] = {
            "deals_won": len(won),
            "deals_lost": len(lost),
            "revenue_won": float(won.amount.sum()),
            "win_rate": len(won) / decided if decided else None,
            "deals_created": len(mine),
            "pipeline_created": float(mine.amount.sum()),
        }
    return pd.DataFrame.from_dict(out, orient="index")


def _figures(store: Store) -> pd.DataFrame:
    q = Query(METRICS, MARCH[0], MARCH[1], Grain.MONTH, By.REP)
    return run(store.con, q, store.settings.timezone).set_index("rep_id")


def _same_figures(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    for rep, row in expected.iterrows():
        for m in METRICS:
            want, got = row[m], actual.loc[rep, m] if rep in actual.index else None
            if want is None or (isinstance(want, float) and pd.isna(want)):
                assert got is None or pd.isna(got), (rep, m, got)
            elif m in ("deals_won", "deals_lost", "deals_created", "revenue_won",
                       "pipeline_created") and (got is None or pd.isna(got)):  # fmt: skip
                assert want == 0, (rep, m, got, want)
            else:
                assert float(got) == pytest.approx(float(want)), (rep, m, got, want)


# -- the import itself, on every engine -------------------------------------------------------


@pytest.mark.slow
def test_a_replace_deletes_counts_logs_keeps_and_restores(
    backend_store: Store, write: Writer, backend: str
) -> None:
    s = _setup(backend_store, write)
    first = import_file(s, "deals", write("old.csv", OLD))
    assert (first.inserted, first.deleted) == (6, 0)
    assert _log(s, first.import_id)["deleted"] == 0

    # without --replace, nothing is ever deleted: D2, D3, D6 stay
    plain = import_file(s, "deals", write("new.csv", NEW))
    assert (plain.inserted, plain.updated, plain.unchanged, plain.deleted) == (1, 1, 2, 0)
    assert set(_deals(s)) == {"D1", "D2", "D3", "D4", "D5", "D6", "D7"}
    assert s.count(DELETED) == 0

    r = import_file(s, "deals", write("new.csv", NEW), replace=True)
    assert (r.inserted, r.updated, r.unchanged, r.rejected, r.deleted) == (0, 0, 4, 0, 3)
    assert _log(s, r.import_id)["deleted"] == 3
    assert _deals(s) == {"D1": 1200.0, "D4": 300.0, "D5": 200.0, "D7": 400.0}
    kept = _kept(s, r.import_id)
    assert set(kept) == {"D2", "D3", "D6"}
    assert kept["D6"]["rep_id"] == "R3" and float(kept["D6"]["amount"]) == 900.0
    assert kept["D6"]["status"] == "lost" and str(kept["D6"]["closed_at"]).startswith("2025-03-21")

    # the figures are the new file's, computed independently
    _same_figures(_figures(s), expected_figures(NEW))

    # restore puts them back as they were; a second restore changes nothing
    done = restore(s, r.import_id)
    assert (done.table, done.restored, done.kept) == ("deals", 3, ())
    assert _deals(s) == {"D1": 1200.0, "D2": 500.0, "D3": 700.0, "D4": 300.0, "D5": 200.0,
                         "D6": 900.0, "D7": 400.0}  # fmt: skip
    restored = [line for line in OLD.splitlines() if line[:2] in ("D2", "D3", "D6")]
    _same_figures(_figures(s), expected_figures(NEW + "\n".join(restored) + "\n"))
    again = restore(s, r.import_id)
    assert again.restored == 0 and set(again.kept) == {"D2", "D3", "D6"}


@pytest.mark.slow
def test_rows_of_the_file_that_are_rejected_keep_their_stored_row(
    backend_store: Store, write: Writer
) -> None:
    s = _setup(backend_store, write)
    import_file(s, "deals", write("old.csv", OLD))
    r = import_file(s, "deals", write("typo.csv", NEW_WITH_TYPO), replace=True)
    assert (r.rejected, r.deleted) == (1, 3)
    assert r.problems[0].column == "rep_id" and r.problems[0].line == 3
    # D4's row was rejected (rep R9): its stored row stays as it was, owner and all
    assert set(_deals(s)) == {"D1", "D4", "D5", "D7"}
    d4 = s.table("deals").filter(s.table("deals").deal_id == "D4").to_pyarrow().to_pylist()
    assert d4[0]["rep_id"] == "R2"
    assert set(_kept(s, r.import_id)) == {"D2", "D3", "D6"}


@pytest.mark.slow
def test_system_limits_the_deletions_to_that_systems_rows(
    backend_store: Store, write: Writer
) -> None:
    s = _setup(backend_store, write)
    crm = import_file(s, "deals", write("crm.csv", OLD), system="crm")
    assert crm.inserted == 6
    # rows of another system, and rows written without a system
    import_file(s, "deals", write("sheet.csv", HEAD + "S1,R1,2025-03-09,won,50,2025-03-11\n"),
                system="sheet")  # fmt: skip
    import_file(s, "deals", write("hand.csv", HEAD + "H1,R2,2025-03-09,open,60,\n"))
    origins = s.table(ORIGINS).to_pyarrow().to_pylist()
    assert {(o["row_key"], o["system"]) for o in origins} == {
        *((f"D{i}", "crm") for i in range(1, 7)), ("S1", "sheet")}  # fmt: skip

    r = import_file(s, "deals", write("new.csv", NEW), replace=True, system="crm")
    assert r.deleted == 3
    assert set(_deals(s)) == {"D1", "D4", "D5", "D7", "S1", "H1"}
    assert set(_kept(s, r.import_id)) == {"D2", "D3", "D6"}
    # D7 is crm's now: the next crm snapshot without it deletes it, and leaves S1 and H1 alone
    r2 = import_file(s, "deals", write("newer.csv", HEAD + "D1,R1,2025-03-02,won,1200,2025-03-10\n"),
                     replace=True, system="crm")  # fmt: skip
    assert r2.deleted == 3
    assert set(_deals(s)) == {"D1", "S1", "H1"}
    # a system that wrote nothing deletes nothing
    assert import_file(s, "deals", write("x.csv", NEW), replace=True, system="other").deleted == 0
    # the whole table, without --system: everything not in the file
    whole = import_file(s, "deals", write("one.csv", HEAD + "S1,R1,2025-03-09,won,50,2025-03-11\n"),
                        replace=True)  # fmt: skip
    assert set(_deals(s)) == {"S1"} and whole.deleted == 5  # D1, D4, D5, D7 (re-added), H1


@pytest.mark.slow
def test_a_replace_of_a_composite_key_table(store: Store, write: Writer) -> None:
    """deal_stages: a key of three columns, one a time."""
    import_file(store, "deals", write("old.csv", OLD))
    head = "deal_id,stage,entered_at\n"
    stages = head + "D1,qualification,2025-03-02 09:00\nD1,proposal,2025-03-05 10:00\n"
    stages += "D3,qualification,2025-03-04 11:00\n"
    assert import_file(store, "deal_stages", write("st.csv", stages)).inserted == 3
    r = import_file(store, "deal_stages", write("st2.csv", head +
                    "D1,qualification,2025-03-02 09:00\nD1,proposal,2025-03-05 10:00\n"),
                    replace=True)  # fmt: skip
    assert r.deleted == 1
    assert list(_kept(store, r.import_id)) == ['["D3","qualification","2025-03-04 11:00:00"]']
    assert restore(store, r.import_id).restored == 1
    assert store.count("deal_stages") == 3
    assert restore(store, r.import_id).kept == ('["D3","qualification","2025-03-04 11:00:00"]',)


@pytest.mark.slow
def test_a_file_whose_keys_cannot_all_be_read_is_refused_for_a_replace(
    store: Store, write: Writer
) -> None:
    import_file(store, "deals", write("old.csv", OLD))
    before = (_deals(store), store.count(IMPORTS))
    no_key = NEW + ",R1,2025-03-09,open,10,\n"
    with pytest.raises(
        FileRefused, match=r"readable deal_id: line 6 has none.*Nothing was imported"
    ):
        import_file(store, "deals", write("nokey.csv", no_key), replace=True)
    broken = NEW + "D8,R1,2025-03-09,open,10,,extra\n"
    with pytest.raises(FileRefused, match="line 6 has none"):
        import_file(store, "deals", write("broken.csv", broken), replace=True)
    with pytest.raises(FileRefused, match="would delete every stored row"):
        import_file(store, "deals", write("empty.csv", HEAD), replace=True)
    assert (_deals(store), store.count(IMPORTS)) == before
    assert store.count(DELETED) == 0
    # without --replace the same file imports, its bad row rejected
    assert import_file(store, "deals", write("nokey.csv", no_key)).rejected == 1


def test_restore_says_what_it_cannot_do(store: Store, write: Writer) -> None:
    first = import_file(store, "deals", write("old.csv", OLD))
    with pytest.raises(StoreError, match="import 99 in this store"):
        restore(store, 99)
    with pytest.raises(StoreError, match=f"import {first.import_id} deleted no rows"):
        restore(store, first.import_id)


def test_a_store_at_version_5_gets_the_log_column_and_the_origins(tmp_path: Path) -> None:
    path = tmp_path / "v5.duckdb"
    with Store.open(path, target_version=5) as s:
        assert s.schema_version == 5 and not s.has_table(ORIGINS)
        # as a store made by salesperf before version 6 has it: a log without the column
        s._exec(f"ALTER TABLE {IMPORTS} DROP COLUMN deleted")
        s._exec(
            f"INSERT INTO {IMPORTS} (import_id, table_name, source, rows_read) "
            "VALUES (1, 'deals', 'old.csv', 3)"
        )
    with Store.open(path) as s:
        assert s.schema_version == LATEST_VERSION and s.has_table(ORIGINS)
        assert _log(s, 1)["deleted"] is None  # not recorded then


# -- a process killed in the middle of a replace ---------------------------------------------

#: The longest the test waits for the importing process: a deadline that fails a hung run.
DEADLINE = 240.0
HELD = "held: rows deleted, not committed"
#: `python -m salesperf`, except that a replace, once its deletes are issued and before it
#: commits, says on stderr how many rows its own transaction still sees, and waits to be killed.
HOLDING_CLI = f"""
import sys, threading
from salesperf.store import Store

merge = Store.merge

def held(self, *args, on_phase=None, **kwargs):
    def phase(name):
        if on_phase is not None:
            on_phase(name)
        if name == "deleted":  # inside the transaction, the deletes issued
            seen = self._exec("SELECT count(*) FROM deals WHERE deal_id IN ('D2', 'D3', 'D6')")[0][0]
            kept = self._exec("SELECT count(*) FROM salesperf_deleted")[0][0]
            print({HELD!r}, seen, kept, file=sys.stderr, flush=True)
            threading.Event().wait({DEADLINE})
            sys.exit("the import was never killed")
    return merge(self, *args, on_phase=phase, **kwargs)

Store.merge = held
from salesperf.cli.app import main
main()
"""


@pytest.mark.slow
def test_a_process_killed_in_the_middle_of_a_replace_leaves_the_old_data(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, write: Writer
) -> None:
    url, database = new_store_url(backend, request, tmp_path)
    try:
        _killed_in_the_middle(url, write)
    finally:
        if database:
            request.getfixturevalue("pg_server").drop_database(database)


def _killed_in_the_middle(url: str, write: Writer) -> None:
    # a store of its own, closed before the child opens it: a DuckDB file and a Spark
    # warehouse take one process at a time
    with Store.open(url) as s:
        _setup(s, write)
        old = import_file(s, "deals", write("old.csv", OLD))
        rows = s.table("deals").to_pyarrow().to_pylist()
        before = (sorted(rows, key=lambda r: r["deal_id"]), s.count(IMPORTS), s.count(DELETED))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDING_CLI, "import", "deals", str(write("new.csv", NEW)),
         "--replace", "--store", url],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    seen: list[str] = []
    news = threading.Event()  # the replace holds its transaction open, or the process ended

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
        assert news.wait(DEADLINE), "the replace neither deleted its rows nor ended"
        held = [line for line in seen if HELD in line]
        assert held, f"the replace ended early: {''.join(seen)}"
        # inside its transaction the replace had deleted D2, D3 and D6 and kept them
        assert held[0].split()[-2:] == ["0", "3"], held[0]
        os.kill(proc.pid, signal.SIGKILL)  # in the middle of the transaction
        assert proc.wait(DEADLINE) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.join(DEADLINE)

    with Store.open(url) as again:
        after = (sorted(again.table("deals").to_pyarrow().to_pylist(), key=lambda r: r["deal_id"]),
                 again.count(IMPORTS), again.count(DELETED))  # fmt: skip
        assert after == before
        assert len(after[0]) == 6 and _log(again, old.import_id)["deleted"] == 0
        # and the store still takes the replace
        r = import_file(again, "deals", write("new.csv", NEW), replace=True)
        assert r.deleted == 3 and set(_deals(again)) == {"D1", "D4", "D5", "D7"}


# -- who may replace ---------------------------------------------------------------------------


def test_only_a_viewer_who_sees_everything_may_replace() -> None:
    check_replace(EVERYTHING, "deals")
    rep = Scope(ScopeKind.REP, frozenset({"R1"}), frozenset(), rep_id="R1")
    manager = Scope(ScopeKind.TEAMS, frozenset({"R1", "R2"}), frozenset({"T1"}), ("T1",), "R2")
    for scope in (rep, manager):
        with pytest.raises(AccessDenied, match=r"snapshot import \(replace\) deletes"):
            check_replace(scope, "deals")


# -- the command line --------------------------------------------------------------------------

runner = CliRunner()


def _cli(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.mark.slow
def test_the_command_line_replaces_counts_and_restores(tmp_path: Path, write: Writer) -> None:
    db = str(tmp_path / "cli.duckdb")
    for table, text in (("teams", TEAMS_CSV), ("reps", REPS_CSV), ("deals", OLD)):
        assert _cli("import", table, str(write(f"{table}.csv", text)), "--store", db).exit_code == 0
    got = _cli("import", "deals", str(write("new.csv", NEW)), "--replace", "--store", db)
    assert got.exit_code == 0, got.output
    assert "Deleted (not in the file) │ 3" in got.output
    assert "salesperf imports restore 4 puts them back" in got.output
    nl = _cli("import", "deals", str(write("new.csv", NEW)), "--replace", "--store", db,
              "--lang", "nl")  # fmt: skip
    assert nl.exit_code == 0 and "Verwijderd (niet in het bestand) │ 0" in nl.output
    as_json = _cli("import", "deals", str(write("d.csv", HEAD + "D1,R1,2025-03-02,won,1200,"
                   "2025-03-10\n")), "--replace", "--system", "crm", "--json", "--store", db)  # fmt: skip
    assert as_json.exit_code == 0
    # crm wrote nothing before this import: nothing of it to delete
    assert json.loads(as_json.output)["deleted"] == 0

    back = _cli("imports", "restore", "4", "--store", db)
    assert back.exit_code == 0 and "Import 4: 3 deals row(s) restored." in back.output
    twice = _cli("imports", "restore", "4", "--store", db)
    assert twice.exit_code == 0 and "3 row(s) were not restored" in twice.output
    assert "(D2, D3, D6)" in twice.output
    with Store.open(db) as s:
        assert set(_deals(s)) == {"D1", "D2", "D3", "D4", "D5", "D6", "D7"}

    none = _cli("imports", "restore", "1", "--store", db)
    assert none.exit_code == 2 and "import 1 deleted no rows" in none.output
    empty = _cli("import", "deals", str(write("e.csv", HEAD)), "--replace", "--store", db)
    assert empty.exit_code == 2 and "would delete every stored row" in empty.output
    bad = _cli("import", "deals", str(write("b.csv", NEW)), "--replace", "--system", "a\tb",
               "--store", db)  # fmt: skip
    assert bad.exit_code == 2 and "plain text" in bad.output


# -- the API and the web form ------------------------------------------------------------------


@pytest.fixture
def web(store: Store, write: Writer, tmp_path: Path) -> dict[str, Any]:
    """The small organisation with deals, an app on it, and an admin, a manager and a rep."""
    from salesperf.auth.users import add_user, password_hasher
    from webtools import PASSWORD, app_for, client_for

    import_file(store, "deals", write("old.csv", OLD))
    hasher = password_hasher(cheap=True)
    add_user(store, "boss", PASSWORD, "admin", hasher=hasher)
    add_user(store, "mgr", PASSWORD, "manager", rep_id="R3", team_id="T1", hasher=hasher)
    add_user(store, "ann", PASSWORD, "rep", rep_id="R1", hasher=hasher)
    assert store.path is not None
    application = app_for(store.path)
    return {
        "store": store,
        "clients": {name: client_for(application, name) for name in ("boss", "mgr", "ann")},
    }


@pytest.mark.slow
def test_the_api_replaces_and_answers_the_numbers(web: dict[str, Any]) -> None:
    admin, csrf = web["clients"]["boss"]
    r = admin.post(
        "/api/import/deals",
        files={"file": ("new.csv", NEW_WITH_TYPO.encode(), "text/csv")},
        data={"replace": "true", "system": ""},
        headers={"x-csrf-token": csrf or ""},
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["rows_read"], got["inserted"], got["updated"], got["unchanged"]) == (4, 1, 1, 1)
    assert (got["rejected"], got["deleted"]) == (1, 3)
    assert _log(web["store"], got["import_id"])["deleted"] == 3
    assert set(_deals(web["store"])) == {"D1", "D4", "D5", "D7"}
    # without replace: nothing deleted
    r = admin.post("/api/import/deals", files={"file": ("one.csv", (HEAD + "D9,R1,2025-03-09,"
                   "open,1,\n").encode(), "text/csv")}, headers={"x-csrf-token": csrf or ""})  # fmt: skip
    assert r.status_code == 200 and r.json()["deleted"] == 0
    assert set(_deals(web["store"])) == {"D1", "D4", "D5", "D7", "D9"}


@pytest.mark.slow
def test_a_rep_or_a_manager_may_not_replace(web: dict[str, Any]) -> None:
    before = _deals(web["store"])
    for name in ("ann", "mgr"):
        client, csrf = web["clients"][name]
        r = client.post(
            "/api/import/deals",
            files={
                "file": (
                    "mine.csv",
                    (HEAD + "D1,R1,2025-03-02,won,1,2025-03-10\n").encode(),
                    "text/csv",
                )
            },
            data={"replace": "true"},
            headers={"x-csrf-token": csrf or ""},
        )
        assert r.status_code == 403, r.text
        assert "snapshot import (replace) deletes the stored deals rows" in r.json()["error"]
        assert "needs a view of the whole organisation" in r.json()["error"]
    assert _deals(web["store"]) == before and web["store"].count(DELETED) == 0


@pytest.mark.slow
def test_the_web_form_replaces_and_shows_the_deleted_rows(web: dict[str, Any]) -> None:
    admin, csrf = web["clients"]["boss"]
    page = admin.get("/import")
    assert (
        page.status_code == 200 and 'name="replace"' in page.text and 'name="system"' in page.text
    )
    shown = admin.post(
        "/import/preview",
        data={
            "csrf_token": csrf or "",
            "table": "deals",
            "preset": "generic",
            "maps": "",
            "replace": "true",
            "system": "",
        },
        files={"file": ("new.csv", NEW.encode(), "text/csv")},
    )
    assert shown.status_code == 200, shown.text[:500]
    assert '<input type="hidden" name="replace" value="true">' in shown.text
    import re

    token = re.search(r'name="upload" value="([^"]+)"', shown.text)
    assert token
    done = admin.post(
        "/import/run",
        data={
            "csrf_token": csrf or "",
            "table": "deals",
            "preset": "generic",
            "maps": "",
            "upload": token.group(1),
            "replace": "true",
            "system": "",
        },
    )
    assert done.status_code == 200, done.text[:500]
    assert 'data-count="deleted">3<' in done.text
    assert "salesperf imports restore" in done.text
    assert set(_deals(web["store"])) == {"D1", "D4", "D5", "D7"}
    # a rep's form with replace is refused before anything is kept
    rep, rep_csrf = web["clients"]["ann"]
    refused = rep.post(
        "/import/preview",
        data={"csrf_token": rep_csrf or "", "table": "deals", "replace": "true"},
        files={"file": ("new.csv", NEW.encode(), "text/csv")},
    )
    assert refused.status_code == 403 and "snapshot import (replace)" in refused.text
