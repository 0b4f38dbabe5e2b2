"""An import where most rows are rejected: the problems shown are capped, everything else is
kept whole (the count, the rejects file, the store's rejects table), on every engine; and a
rejects file is never overwritten."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from salesperf.ingest.importer import import_file
from salesperf.server.api.uploads import rejects_csv
from salesperf.store import Store
from salesperf.store.system_tables import REJECTS

Writer = Callable[..., Path]
HEAD = "deal_id,rep_id,created_at,status,amount,stage"
TEAMS = "team_id,name\nT1,North\n"
REPS = "rep_id,name,team_id\nR1,Ann,T1\n"


def _mostly_rejected() -> tuple[str, dict[int, list[tuple[str, str]]], dict[int, list[str]]]:
    """A deals file of 40 rows, 32 of them breaking one or two rules, a line the CSV parser
    refuses and a repeated id; with, by file line, the problems expected and the cells given."""
    lines = [HEAD]
    problems: dict[int, list[tuple[str, str]]] = {}
    given: dict[int, list[str]] = {}
    for i in range(40):
        rep, created, amount = "R1", "2025-01-06", "10"
        kind = i % 5
        if kind in (1, 4):
            rep = "R9"
            problems.setdefault(len(lines) + 1, []).append(("rep_id", "unknown_reference"))
        if kind == 2:
            created = "someday"
            problems.setdefault(len(lines) + 1, []).append(("created_at", "not_a_date"))
        if kind in (3, 4):
            amount = "-5"
            problems.setdefault(len(lines) + 1, []).append(("amount", "negative"))
        cells = [f"D{i}", rep, created, "open", amount, "=demo" if i == 3 else "demo"]
        if len(lines) + 1 in problems:
            given[len(lines) + 1] = cells
        lines.append(",".join(cells))
        if i == 10:  # the parser refuses this line; the lines after it keep their numbers
            problems[len(lines) + 1] = [("", "malformed_line")]
            given[len(lines) + 1] = ["X1,R1,2025-01-06,open,10,demo,surplus"]
            lines.append(given[len(lines) + 1][0])
    problems[len(lines) + 1] = [("deal_id", "duplicate_id")]  # D0 is on line 2
    given[len(lines) + 1] = ["D0", "R1", "2025-01-07", "open", "20", "demo"]
    lines.append(",".join(given[len(lines) + 1]))
    return "\n".join(lines) + "\n", problems, given


@pytest.mark.slow
def test_a_mostly_rejected_import_caps_its_problems_and_keeps_every_rejected_row(
    backend_store: Store, write: Writer
) -> None:
    s = backend_store
    import_file(s, "teams", write("teams.csv", TEAMS))
    import_file(s, "reps", write("reps.csv", REPS))
    text, expected, given = _mostly_rejected()
    result = import_file(s, "deals", write("export.csv", text), keep_problems=7)

    every = sorted((line, c, r) for line, ps in expected.items() for c, r in ps)
    assert len(every) == 42 and len(expected) == 34  # 8 rows with two problems
    assert (result.rows_read, result.inserted, result.rejected) == (42, 8, 34)
    assert s.count("deals") == 8
    # the problems shown: the first 7 by line and column, no more
    assert [(p.line, p.column, p.rule) for p in result.problems] == every[:7]
    for cap in (1, 2, 31, 32, 33, 41, 42, 50):  # around the rejected rows and problems counts
        shown = import_file(
            s, "deals", write("again.csv", text), keep_problems=cap, check_only=True
        )
        assert [(p.line, p.column, p.rule) for p in shown.problems] == every[:cap], cap

    # the rejects file: one line per rejected row, every problem, the row as given
    assert result.rejects_path == Path.cwd() / "export.deals.rejects.csv"
    with open(result.rejects_path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["line", "problems", *HEAD.split(",")]
    assert [int(r[0]) for r in rows[1:]] == sorted(expected)
    for r in rows[1:]:
        line = int(r[0])
        cells = ["'" + c if c[:1] in "=-" else c for c in given[line]]  # written as text
        assert r[2:] == cells, line
        assert [p.split(":")[0] for p in r[1].split(" | ")] == [
            c or "line" for c, _ in sorted(expected[line])
        ]
    last = rows[-1]
    assert (
        "deal_id: deal_id D0 appears more than once in the file; the row on line 2 was kept"
        in (last[1])
    )

    # the store's rejects table: every problem, each with its row as given
    kept = s.table(REJECTS).execute()
    kept = kept[kept.import_id == result.import_id]
    assert sorted(zip(kept.line, kept.column_name, kept.rule, strict=True)) == every
    for line, raw in zip(kept.line, kept.raw_row, strict=True):
        if expected[line] == [("", "malformed_line")]:
            assert json.loads(raw) == {"line_text": given[line][0]}
        else:
            assert json.loads(raw) == dict(zip(HEAD.split(","), given[line], strict=True))
    assert set(kept.message_nl) != {None}
    # the download of the rejected rows, rebuilt from the store, is the rejects file itself
    download = rejects_csv(s, result.import_id, "en").decode()
    assert download == result.rejects_path.read_bytes().decode("utf-8")


@pytest.mark.slow
def test_a_rejects_file_is_never_overwritten(store: Store, write: Writer, tmp_path: Path) -> None:
    text = f"{HEAD}\nD1,R9,2025-01-06,open,10,demo\n"
    path = write("export.csv", text)
    first = import_file(store, "deals", path)
    assert first.rejects_path == tmp_path / "export.deals.rejects.csv"
    before = first.rejects_path.read_bytes()
    # the same export again (the rows are the same, the rejects file is a new one)
    again = import_file(store, "deals", path, lang="nl")
    assert again.rejects_path == tmp_path / "export.deals.rejects-2.csv"
    assert first.rejects_path.read_bytes() == before
    assert again.rejects_path.read_text(encoding="utf-8").startswith("regel,problemen,")
    third = import_file(store, "deals", path)
    assert third.rejects_path == tmp_path / "export.deals.rejects-3.csv"
    # a path given explicitly is numbered too when a file is there
    chosen = tmp_path / "out" / "rejected.csv"
    chosen.parent.mkdir()
    chosen.write_text("kept\n")
    given = import_file(store, "deals", path, rejects_path=chosen)
    assert given.rejects_path == tmp_path / "out" / "rejected-2.csv"
    assert chosen.read_text() == "kept\n"
    assert given.rejects_path.read_text(encoding="utf-8").startswith("line,problems,")
    # the same export into another table has a file of its own
    acts = write("export.csv", "activity_id,rep_id,type,occurred_at\nA1,R9,call,2025-01-06\n")
    other = import_file(store, "activities", acts)
    assert other.rejects_path == tmp_path / "export.activities.rejects.csv"


@pytest.mark.slow
def test_the_rejects_file_is_its_download_in_dutch_and_with_identical_rows_collapsed(
    store: Store, write: Writer
) -> None:
    """The rejects file equals the download rebuilt from the store, word for word, also in
    Dutch, and also when identical rows collapse into one (the file is then read again for the
    rows as given, instead of their riding along with the checks)."""
    import_file(store, "teams", write("teams.csv", TEAMS))
    import_file(store, "reps", write("reps.csv", REPS))
    text, _, given = _mostly_rejected()
    # an identical copy of a rejected row and of an accepted one: collapsed when asked
    extra = [",".join(given[3]), "D5,R1,2025-01-06,open,10,demo"]
    path = write("export.csv", text + "\n".join(extra) + "\n")
    for dedupe in (False, True):
        for lang in ("en", "nl"):
            mapping = write("m.toml", 'table = "deals"\ndedupe = true\n') if dedupe else None
            r = import_file(store, "deals", path, lang=lang, mapping_file=mapping)
            text_file = r.rejects_path.read_bytes().decode("utf-8")
            assert rejects_csv(store, r.import_id, lang).decode() == text_file, (dedupe, lang)
            rows = list(csv.reader(text_file.splitlines()))
            assert rows[0][:2] == (["regel", "problemen"] if lang == "nl" else ["line", "problems"])
            lines = [int(row[0]) for row in rows[1:]]
            first_copy = len(text.splitlines()) + 1  # the copy of line 3
            # collapsed, the copy of a rejected row is that row; else a repeated id
            assert (first_copy in lines) is not dedupe, (dedupe, lang)
            assert rows[1][2:] == given[3]
            if lang == "nl":
                assert rows[1][1].startswith("rep_id: ") and "onbekend" in rows[1][1]


@pytest.mark.slow
def test_a_large_rejects_file_keeps_the_files_order(store: Store, tmp_path: Path) -> None:
    """A file of several row groups, checked in parallel: its rejects file (written as a stream
    when nothing else needs sorting) lists the rejected lines in the file's order, each once."""
    import duckdb

    import_file(store, "teams", _file(tmp_path, "teams.csv", TEAMS))
    import_file(store, "reps", _file(tmp_path, "reps.csv", REPS))
    path = tmp_path / "big.csv"
    rows = 300_000
    duckdb.connect().execute(
        f"COPY (SELECT 'D' || i AS deal_id, CASE WHEN i % 3 = 1 THEN 'R9' ELSE 'R1' END AS rep_id, "
        "'2025-01-06' AS created_at, 'open' AS status, '10' AS amount, 'demo' AS stage "
        f"FROM range({rows}) t(i)) TO '{path}' (HEADER)"
    )
    result = import_file(store, "deals", path, rejects_path=tmp_path / "big.rejects.csv")
    assert (result.inserted, result.rejected) == (rows - rows // 3, rows // 3)
    assert result.rejects_path is not None
    with open(result.rejects_path, encoding="utf-8", newline="") as f:
        lines = [int(r[0]) for r in list(csv.reader(f))[1:]]
    # row i is on line i + 2; every third row (i % 3 == 1) names an unknown rep
    assert lines == [i + 2 for i in range(rows) if i % 3 == 1]


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
