"""The import's cheap paths give what the full expressions give: a text is trimmed, an id
stripped and normalised, a vocabulary word read, and a control character looked for only where
it can be there, with the same cells as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from salesperf.ingest.csvfile import control_free
from salesperf.ingest.importer import import_file
from salesperf.ingest.parse import id_sql, trim_sql, word_sql
from salesperf.store import Store

#: Texts with every kind of edge: spaces (ASCII, no-break, ideographic), tabs, line ends,
#: control and format characters, a decomposed accent, printable ASCII at the ends, empty.
TEXTS = [
    "A1", " A1", "A1 ", "  ", "", "\tA1", "A1\r\n", "A1\n", "\u00a0A1", "A1\u3000", "A1\u200b",
    "\ufeffA1", "\x7fA1", "A1\x7f", "\x00A1", "e\u0301", "\u00e9", "!", "~", "a b", " a b ",
    "Zé-9\u2002", "\u2003", "x\u2028", "A\u00ad",
]  # fmt: skip

#: The regular expressions the cheap paths stand in for, as written before them.
EDGE = r"[\s\p{Z}\p{Cc}\p{Cf}]"
FULL_ID = (
    f"nullif(nfc_normalize(CASE WHEN regexp_matches(x, '^{EDGE}|{EDGE}$') "
    f"THEN regexp_replace(x, '^{EDGE}+|{EDGE}+$', '', 'g') ELSE x END), '')"
)
FULL_WORD = "lower(regexp_replace(x, '[\\s-]+', '_', 'g'))"
WORDS = ("call", "email", "follow_up", "other")


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    """A DuckDB with the texts as rows of the column x."""
    c = duckdb.connect()
    c.execute("CREATE TABLE t (x VARCHAR)")
    c.executemany("INSERT INTO t VALUES (?)", [[t] for t in [*TEXTS, None]])
    return c


@pytest.mark.parametrize(
    ("cheap", "full"),
    [
        (id_sql("x"), FULL_ID),
        (trim_sql("x"), "trim(x)"),
        (word_sql("x", WORDS), FULL_WORD),
        (word_sql("x", ("Site Visit", "call")), FULL_WORD),
    ],
    ids=["id", "trim", "word", "word-not-canonical"],
)
def test_the_cheap_expression_equals_the_full_one(
    con: duckdb.DuckDBPyConnection, cheap: str, full: str
) -> None:
    rows = con.execute(f"SELECT x, {cheap}, {full} FROM t").fetchall()
    assert [(x, a) for x, a, _ in rows] == [(x, b) for x, _, b in rows]


def test_words_given_as_canonical_and_not(con: duckdb.DuckDBPyConnection) -> None:
    given = ["call", "Call", "FOLLOW-UP", "follow  up", "e-mail", "email"]
    sql = f"SELECT {word_sql('x', WORDS)} FROM (SELECT ? AS x)"
    got = [con.execute(sql, [g]).fetchone()[0] for g in given]
    assert got == ["call", "call", "follow_up", "follow_up", "e_mail", "email"]


def test_a_file_is_control_free_unless_it_holds_a_control_character(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_bytes('a,b\r\n"x\ty","line\nbreak"\r\nZé,\u00a0\n'.encode())
    assert control_free(plain)
    for byte in (b"\x00", b"\x01", b"\x0b", b"\x0c", b"\x1f", b"\x7f"):
        bad = tmp_path / "bad.csv"
        bad.write_bytes(b"a,b\n" + b"x" * 70_000 + b"," + byte + b"\n")
        assert not control_free(bad), byte


def test_edge_spaces_and_unusual_words_are_read_as_before(
    store: Store, write: Callable[..., Path], tmp_path: Path
) -> None:
    """Values with edge spaces of several kinds, and vocabulary words in another case or with
    hyphens and spaces, land as the full expressions made them; an unknown word is rejected
    with its value as given."""
    text = (
        "activity_id,rep_id,type,occurred_at,duration_min,outcome\n"
        " A1 ,R1,Follow-Up ,2025-01-06 10:00, 5 ,No Answer\n"
        "\u00a0A2\u3000, R1\t,\u3000CALL,2025-01-06 11:00,6,connected \n"
        "A3\u200b,R2,call,2025-01-06 12:00,7,voicemail\n"
        "Ae\u0301,R2,email,2025-01-06 13:00,8,sent\n"
        "A5,R2,e-mail,2025-01-06 14:00,9,sent\n"
    )
    result = import_file(store, "activities", write("a.csv", text), rejects_path=tmp_path / "r")
    assert (result.inserted, result.rejected) == (4, 1)
    [problem] = result.problems
    assert (problem.line, problem.column, problem.rule, problem.value) == (
        6,
        "type",
        "unknown_word",
        "e-mail",
    )
    rows = store.table("activities").execute().sort_values("activity_id")
    got = list(
        zip(rows.activity_id, rows.rep_id, rows.type, rows.duration_min, rows.outcome, strict=True)
    )
    assert got == [
        ("A1", "R1", "follow_up", 5.0, "no_answer"),
        ("A2", "R1", "call", 6.0, "connected"),
        ("A3", "R2", "call", 7.0, "voicemail"),
        ("A\u00e9", "R2", "email", 8.0, "sent"),
    ]
