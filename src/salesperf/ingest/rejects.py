"""Rejected rows: duplicate ids, line numbers, the rows as given, and where they are kept.

The rejects of an import stay in the staging DuckDB, however many there are, each kept once: the
problems and the row as given stay in the staged rows they belong to (`{name}_rejp` is a view
of one row per problem: line, column, rule, value, messages; `{name}_rejw` one of one row per
rejected line), and a table holds the lines that are no staged row of their own (a repeated id,
a line the CSV parser refused: `{name}_rejr`, their rows as given read once more from the file).
The store's rejects table is filled from a view over both, and the staging engine writes the
rejects file itself; only the problems shown are fetched into Python.

Each problem says what is wrong in English (`message`) and in Dutch (`message_nl`); the store
keeps both, and the rejects file is in the importer's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from salesperf.cells import csv_field_sql
from salesperf.ingest.rejects_file import given_sql, open_new, rejects_header, structural_table
from salesperf.ingest.source import Source
from salesperf.ingest.sql import ident, lit

#: The suffixes of the staging tables and views made here (dropped by `drop_rejects`).
_VIEWS = ("_rejv", "_rejg", "_rejw", "_rejp")
_TABLES = ("_rejr", "_dup", "_rejl", "_rejs")
#: The order of a duplicate among the problems of its row (after every rule's problem).
_DUP_ORDER = 1 << 30

#: One problem, as `Rejects.first` gives it: line, column, value, rule, message, message_nl.
ProblemRow = tuple[int, str, str | None, str, str, str]


def find_duplicates(con: Any, name: str, key: tuple[str, ...], pos: str) -> str:
    """A staging table (its name is returned) of the rows whose id was already seen earlier in
    the same file: their position `_pos`, the first row's position `_first`, the id `_key`."""
    keys = ", ".join(ident(k) for k in key)
    shown = " || ' / ' || ".join(f"CAST({ident(k)} AS VARCHAR)" for k in key)
    dups = f"{name}_dup"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(dups)} AS "
        f"SELECT _pos, _first, _key FROM (SELECT _pos, min(_pos) OVER (PARTITION BY {keys}) "
        f"AS _first, {shown} AS _key FROM (SELECT {pos} AS _pos, {keys} FROM {ident(name)} "
        f"WHERE NOT _bad AND ({keys}) IN (SELECT ({keys}) FROM {ident(name)} WHERE NOT _bad "
        "GROUP BY ALL HAVING count(*) > 1))) WHERE _pos > _first"
    )
    return dups


def line_thresholds(structural: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """For the CSV parser's refused lines: (position, n) pairs saying that a record at that
    position or later follows n refused lines (the greatest pair not above it counts)."""
    lines = sorted(r["line"] for r in structural)
    # a refused line at file line L, being the j-th refused one, follows L - 2 - j good records
    out: dict[int, int] = {}
    for j, line in enumerate(lines):
        out[line - 2 - j] = j + 1
    return sorted(out.items())


@dataclass(frozen=True)
class Rejects:
    """The rejected rows of one import, kept in the staging engine (see the module docstring)."""

    con: Any
    name: str
    #: The source's columns, as given (the rejects file's columns after line and problems).
    columns: tuple[str, ...]
    #: How many lines were rejected (a line with several problems counts once).
    rows: int
    #: The language of the rejects file.
    lang: str = "en"
    #: Whether `lines` gives the rejected lines in the file's order as it is (then the rejects
    #: file is written as a stream, without sorting its lines).
    ordered: bool = False
    #: A staged row's position (its line grows with it).
    pos: str = "rowid"

    @property
    def problems(self) -> str:
        """The staging view of problems: pos, line, k (order within the row), column_name,
        rule, value, message, message_nl, line_text (a line the CSV parser refused)."""
        return ident(self.name + "_rejp")

    @property
    def lines(self) -> str:
        """The staging view of rejected lines, one row each: pos, line, found (whether the row
        as given was found), items (its problems as the rejects file says them), line_text,
        then the row as given: as the rejects file's fields (given_csv) and as JSON
        (given_json)."""
        return ident(self.name + "_rejw")

    def first(self, n: int) -> list[ProblemRow]:
        """The first `n` problems, by line and column."""
        # they lie on the first n rejected staged rows at most (each has a problem, and a line
        # grows with its row's position), and on the lines before: the rest is not unpacked
        nth = self.con.execute(
            f"SELECT {self.pos} FROM {ident(self.name)} WHERE _bad "
            f"ORDER BY {self.pos} LIMIT 1 OFFSET {max(int(n) - 1, 0)}"
        ).fetchone()
        upto = f"WHERE pos <= {int(nth[0])} " if nth is not None and n > 0 else ""
        return [
            (int(line), c, v, r, m, nl or "")
            for line, c, v, r, m, nl in self.con.execute(
                "SELECT line, column_name, value, rule, message, message_nl "
                f"FROM {self.problems} {upto}ORDER BY line, column_name, k LIMIT {int(n)}"
            ).fetchall()
        ]

    def relation(self, import_id: int) -> str:
        """A staging view with the rows of the store's rejects table for this import."""
        view = self.name + "_rejv"
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(view)} AS SELECT "
            f"CAST({int(import_id)} AS BIGINT) AS import_id, line, column_name, value, rule, "
            "message, CASE WHEN pos < 0 THEN to_json({'line_text': line_text}) "
            "WHEN NOT found THEN '{}' ELSE given_json END AS raw_row, "
            "nullif(message_nl, '') AS message_nl "
            f"FROM {ident(self.name + '_rejg')}"
        )
        return view

    def write_file(self, path: Path) -> Path:
        """Write the rejects file (see `rejects_text` for its layout) at `path`, or, when a file
        is there already, at the first free numbered name beside it; returns where it went."""
        # (a line's problems start with a column's name or the word line: never formula-like)
        # the staging engine makes each line, its cells made safe and quoted as Python's CSV
        # writer does (salesperf.cells), and writes them in order (the sort spills to disk when
        # it must), each as it is: one column, never quoted again
        out = io.StringIO()
        csv.writer(out).writerow(rejects_header(self.columns, self.lang == "nl"))
        text = (
            f"CAST(line AS VARCHAR) || ',' || {csv_field_sql('items', plain_start=True)} || ',' || "
            f"CASE WHEN line_text IS NOT NULL THEN {csv_field_sql('line_text')} ELSE given_csv END"
        )
        # the header is the one column's name, written as it is
        header = ident(out.getvalue()[:-2])
        rows = (
            f"SELECT {text} AS {header} FROM {self.lines}"
            if self.ordered
            else f"SELECT t AS {header} FROM (SELECT line, {text} AS t FROM {self.lines}) ORDER BY line"
        )
        path, f = open_new(path)  # the name is taken here, the engine writes the file
        f.close()
        try:
            self.con.execute(
                f"COPY ({rows}) TO {lit(str(path))} (FORMAT csv, HEADER true, QUOTE '', "
                "ESCAPE '', DELIMITER '\x01', NEW_LINE '\r\n')"
            )
        except BaseException:
            path.unlink(missing_ok=True)  # no half-written rejects file is left behind
            raise
        return path


def collect_rejects(
    con: Any,
    name: str,
    source: Source,
    pos: str,
    structural: list[dict[str, Any]],
    dups: str,
    key_label: str,
    lang: str = "en",
    carried: bool = False,
) -> Rejects:
    """Every problem of every rejected row, with its line and its message in English and Dutch,
    and the rows as given, in the staging engine (see `Rejects`); nothing but the count is
    fetched. The rejects file will be in `lang`. `carried`: the staged rows carry the rejected
    rows as given (`salesperf.ingest.validate.stage_sql`), so the file is read again only for
    repeated ids, if there are any."""
    thresholds = line_thresholds(structural) if source.format == "csv" else []
    if thresholds:
        _load(con, f"{name}_rejl", pa.table({"_th": [t for t, _ in thresholds],
                                             "_n": [n for _, n in thresholds]}))  # fmt: skip

    def lines(rel: str, col: str, out: str) -> str:
        """`rel` with the line of the record at position `col` as `out`."""
        if source.format != "csv":
            return f"SELECT *, CAST({col} AS BIGINT) AS {out} FROM ({rel})"
        if not thresholds:
            return f"SELECT *, CAST({col} + 2 AS BIGINT) AS {out} FROM ({rel})"
        return (
            f"SELECT x.*, CAST(x.{col} + 2 + coalesce(l._n, 0) AS BIGINT) AS {out} "
            f"FROM ({rel}) x ASOF LEFT JOIN {ident(name + '_rejl')} l ON x.{col} >= l._th"
        )

    found = (
        "SELECT _pos, CAST(k AS BIGINT) AS k, struct_extract(x, 'column') AS column_name, "
        "struct_extract(x, 'rule') AS rule, struct_extract(x, 'value') AS value, "
        "struct_extract(x, 'message') AS message, struct_extract(x, 'message_nl') AS message_nl "
        "{outer} "
        f"FROM (SELECT {pos} AS _pos, unnest(range(len(_problems))) AS k, unnest(_problems) AS x"
        "{inner} "
        f"FROM {ident(name)} WHERE _bad)"
    )
    first = lines(f"SELECT _pos, _first, _key FROM {ident(dups)}", "_first", "_first_line")
    label = lit(key_label + " ")
    duplicated = (
        f"SELECT _pos, CAST({_DUP_ORDER} AS BIGINT) AS k, {lit(key_label)} AS column_name, "
        "'duplicate_id' AS rule, _key AS value, "
        f"{label} || _key || ' appears more than once in the file; the row on line ' || "
        "_first_line || ' was kept' AS message, "
        f"{label} || _key || ' komt meer dan eens voor in het bestand; de rij op regel ' || "
        "_first_line || ' is behouden' AS message_nl "
        f"FROM ({first})"
    )
    rows = lines(f"{found.format(outer='', inner='')} UNION ALL {duplicated}", "_pos", "line")
    columns = (
        "_pos AS pos, line, k, column_name, rule, value, message, message_nl, "
        "CAST(NULL AS VARCHAR) AS line_text"
    )
    refused = ""
    if structural:
        _load(con, f"{name}_rejs", structural_table(structural))
        refused = f" UNION ALL SELECT * FROM {ident(name + '_rejs')}"
    # a view: the problems stay in the staged rows they belong to, never copied
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {ident(name + '_rejp')} AS "
        f"SELECT {columns} FROM ({rows}){refused}"
    )
    single = f"SELECT {columns} FROM ({lines(duplicated, '_pos', 'line')}){refused}"
    alone = _collect_lines(con, name, source, pos, lines, single, lang, carried)
    # every problem with its row as given: from the staged row itself when it carries it
    joined = (
        "SELECT p.*, r.found, r.given_json FROM ({problems}) p "
        f"LEFT JOIN {ident(name + '_rejr')} r ON r.line = p.line"
    )
    if carried:
        # the row's JSON, made with the checks (`validate.stage_sql`)
        own = lines(found.format(outer=", _given_json", inner=", _given_json"), "_pos", "line")
        given = (
            f"SELECT {columns}, true AS found, _given_json AS given_json FROM ({own}) "
            f"UNION ALL {joined.format(problems=single)}"
        )
    else:
        given = joined.format(problems=f"SELECT * FROM {ident(name + '_rejp')}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(name + '_rejg')} AS {given}")
    # a rejected line is a rejected staged row, a repeated id or a line the parser refused
    count = con.execute(
        f"SELECT (SELECT count(*) FROM {ident(name)} WHERE _bad) + "
        f"(SELECT count(*) FROM {ident(dups)})"
    ).fetchone()
    # a CSV file's staged rows are in its order (their position is the row's), and a scan
    # keeps it: with no other rejected line the file's lines need no sorting
    ordered = alone and pos == "rowid"
    return Rejects(con, name, source.columns, int(count[0]) + len(structural), lang, ordered, pos)


def _item(nl: bool) -> str:
    """A problem as the rejects file says it ("column: message"; a problem of no column names
    the line; a Dutch file takes the English message where there is no Dutch one), as SQL
    with `{x}` (the struct or table prefix) and `{c}` (the column field) to fill in."""
    if nl:
        return (
            "coalesce(nullif({x}{c}, ''), 'regel') || ': ' || "
            "coalesce(nullif({x}message_nl, ''), {x}message)"
        )
    return "coalesce(nullif({x}{c}, ''), 'line') || ': ' || {x}message"


def _collect_lines(
    con: Any,
    name: str,
    source: Source,
    pos: str,
    lines: Callable[[str, str, str], str],
    single: str,
    lang: str,
    carried: bool,
) -> bool:
    """The table of rejected lines (`Rejects.lines`). A staged row's problems, kept with it
    in order (by column, then as found), are joined; a repeated id and a line the
    parser refused (`single`, rows of the problems view) have one problem each. The rows as
    given come with the staged rows when they carry them (`carried`); the others
    are read once more from the file, only those rejected. True when every rejected line is a
    staged row (the view is of the staged rows alone)."""
    item = _item(lang == "nl")
    # (a staged row's problems are in the file's order already: `validate.stage_sql`)
    joined = (
        f"array_to_string(list_transform(_problems, x -> {item.format(x='x.', c='column')}), ' | ')"
    )
    kept = ", _given_csv AS given_csv, _given_json AS given_json" if carried else ""
    staged = (
        f"SELECT {pos} AS _pos, {joined} AS items, "
        f"CAST(NULL AS VARCHAR) AS line_text{kept} FROM {ident(name)} WHERE _bad"
    )
    kept = ", given_csv, given_json" if carried else ""
    staged = f"SELECT _pos, line, items, line_text{kept} FROM ({lines(staged, '_pos', 'line')})"
    others = (
        f"SELECT pos AS _pos, line, {item.format(x='', c='column_name')} AS items, line_text "
        f"FROM ({single})"
    )
    table = ident(name + "_rejr")
    out = "pos, line, found, items, line_text, given_csv, given_json"
    alone = carried and not con.execute(f"SELECT count(*) FROM ({others})").fetchone()[0]
    if alone:
        # nothing to read again: an empty table of the right shape
        read = f"SELECT _pos AS pos, line, true AS found, items, line_text{kept} FROM ({staged}) LIMIT 0"
    else:
        raws = [f"_raw_{i}" for i in range(len(source.columns))]
        cols = ", ".join(f"{ident(c)} AS {r}" for c, r in zip(source.columns, raws, strict=True))
        if source.format == "csv":
            numbered = f"SELECT row_number() OVER () - 1 AS _pos, {cols} FROM {source.relation}"
        else:
            at = ident(source.line_column or "_line")
            numbered = f"SELECT {at} AS _pos, {cols} FROM {source.relation}"
        as_csv, as_json = given_sql(source.columns, [f"n.{r}" for r in raws])
        rejected = (
            others
            if carried
            else f"SELECT _pos, line, items, line_text FROM ({staged}) UNION ALL {others}"
        )
        read = (
            f"WITH r AS ({rejected}), n AS (SELECT * FROM ({numbered}) "
            "WHERE _pos IN (SELECT _pos FROM r WHERE _pos >= 0)) "
            "SELECT r._pos AS pos, r.line, n._pos IS NOT NULL AS found, r.items, r.line_text, "
            f"{as_csv} AS given_csv, {as_json} AS given_json "
            "FROM r LEFT JOIN n ON n._pos = r._pos"
        )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {read}")
    # the rejected lines: the staged rows' own, and those of the table
    own = f"SELECT _pos AS pos, line, true AS found, items, line_text{kept} FROM ({staged})"
    every = (
        own
        if alone
        else f"{own} UNION ALL SELECT {out} FROM {table}"
        if carried
        else f"SELECT {out} FROM {table}"
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(name + '_rejw')} AS {every}")
    return alone


def drop_rejects(con: Any, name: str) -> None:
    """Drop the staging tables and views made for the rejects of the import `name`."""
    for suffix in _VIEWS:
        con.execute(f"DROP VIEW IF EXISTS {ident(name + suffix)}")
    for suffix in _TABLES:
        con.execute(f"DROP TABLE IF EXISTS {ident(name + suffix)}")


def _load(con: Any, table: str, data: pa.Table) -> None:
    """A staging table with the rows of an Arrow table."""
    con.register(f"{table}_arrow", data)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT * FROM {ident(table + '_arrow')}"
        )
    finally:
        con.unregister(f"{table}_arrow")
