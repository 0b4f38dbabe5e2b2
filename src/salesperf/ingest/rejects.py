"""Rejected rows: duplicate ids, line numbers, the rows as given, and where they are kept.

The rejects of an import stay in the staging DuckDB as tables, however many there are: one row
per problem (`{name}_rejp`: line, column, rule, value, messages) and the rejected rows as the file
gives them (`{name}_rejr`). The store's rejects table is filled from a view over both, the rejects
file is written from them in batches, and only the problems shown are fetched into Python.

Each problem says what is wrong in English (`message`, the one kept in the rejects file and the
store's rejects table) and in Dutch (`message_nl`, for the interface).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from salesperf.cells import csv_row
from salesperf.ingest.readers import Source
from salesperf.ingest.sql import ident, lit

#: The suffixes of the staging tables and views made here (dropped by `drop_rejects`).
_VIEWS = ("_rejv",)
_TABLES = ("_rejp", "_rejq", "_dup", "_rejl", "_rejs")
#: Rows fetched from the staging engine at a time when the rejects file is written.
_BATCH = 20_000
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

    @property
    def problems(self) -> str:
        """The staging table of problems: pos, line, k (order within the row), column_name,
        rule, value, message, message_nl, line_text (a line the CSV parser refused), found
        (whether the row as given was found), then the row as given, the source's columns
        named `_raw_0`, `_raw_1`, ... (`given`)."""
        return ident(self.name + "_rejp")

    def given(self, prefix: str = "") -> list[str]:
        """The columns of `problems` holding the row as given, in the source's order."""
        return [f"{prefix}_raw_{i}" for i in range(len(self.columns))]

    def first(self, n: int) -> list[ProblemRow]:
        """The first `n` problems, by line and column."""
        return [
            (int(line), c, v, r, m, nl or "")
            for line, c, v, r, m, nl in self.con.execute(
                "SELECT line, column_name, value, rule, message, message_nl "
                f"FROM {self.problems} ORDER BY line, column_name, k LIMIT {int(n)}"
            ).fetchall()
        ]

    def relation(self, import_id: int) -> str:
        """A staging view with the rows of the store's rejects table for this import."""
        fields = ", ', ', ".join(
            f"{lit(json.dumps(c, ensure_ascii=False) + ': ')}, coalesce(to_json({raw}), 'null')"
            for c, raw in zip(self.columns, self.given("p."), strict=True)
        )
        view = self.name + "_rejv"
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(view)} AS SELECT "
            f"CAST({int(import_id)} AS BIGINT) AS import_id, p.line, p.column_name, p.value, "
            "p.rule, p.message, "
            # the row as given, as JSON written the way Python's json.dumps writes it
            "CASE WHEN p.pos < 0 THEN concat('{\"line_text\": ', "
            "coalesce(to_json(p.line_text), 'null'), '}') "
            "WHEN NOT p.found THEN '{}' "
            f"ELSE concat('{{', {fields}, '}}') END AS raw_row, "
            "nullif(p.message_nl, '') AS message_nl "
            f"FROM {self.problems} p"
        )
        return view

    def write_file(self, path: Path, lang: str = "en") -> Path:
        """Write the rejects file (see `rejects_text` for its layout) at `path`, or, when a file
        is there already, at the first free numbered name beside it; returns where it went."""
        # one row per problem, in order; a row's problems are consecutive (no aggregate holding
        # every rejected row in memory: the sort spills to disk when it must)
        reader = self.con.execute(
            f"SELECT line, column_name, message, message_nl, line_text, {', '.join(self.given())} "
            f"FROM {self.problems} ORDER BY line, column_name, k"
        ).to_arrow_reader(_BATCH)
        nl = lang == "nl"
        path, f = open_new(path)
        try:
            with f:
                w = csv.writer(f)
                w.writerow(rejects_header(self.columns, nl))
                line: int | None = None
                items: list[tuple[str | None, str, str | None]] = []
                given: Sequence[Any] = ()
                for batch in reader:
                    data = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                    for at, column, message, message_nl, text, *cells in zip(*data, strict=True):
                        if at != line:
                            if line is not None:
                                w.writerow(rejects_row(line, items, given, nl))
                            line, items = at, []
                            given = [text] if text is not None else cells
                        items.append((column, message, message_nl))
                if line is not None:
                    w.writerow(rejects_row(line, items, given, nl))
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
) -> Rejects:
    """Every problem of every rejected row, with its line and its message in English and Dutch,
    and the rows as given, into staging tables; nothing but the count is fetched."""
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
        f"FROM (SELECT {pos} AS _pos, unnest(range(len(_problems))) AS k, unnest(_problems) AS x "
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
    rows = lines(f"{found} UNION ALL {duplicated}", "_pos", "line")
    problems = f"{name}_rejq"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(problems)} AS SELECT _pos AS pos, line, k, "
        "column_name, rule, value, message, message_nl, CAST(NULL AS VARCHAR) AS line_text "
        f"FROM ({rows})"
    )
    if structural:
        details = [str(s["message"]).splitlines()[0] for s in structural]
        given = [s["raw"] for s in structural]
        _load(
            con,
            f"{name}_rejs",
            pa.table(
                {
                    "pos": pa.array([-1] * len(structural), pa.int64()),
                    "line": pa.array([s["line"] for s in structural], pa.int64()),
                    "k": pa.array([0] * len(structural), pa.int64()),
                    "column_name": [""] * len(structural),
                    "rule": ["malformed_line"] * len(structural),
                    "value": pa.array(given, pa.string()),
                    "message": [
                        "the line does not split into the header's columns (" + d + ")"
                        for d in details
                    ],
                    "message_nl": [
                        "de regel valt niet uiteen in de kolommen van de kopregel ("
                        + parser_detail_nl(d)
                        + ")"
                        for d in details
                    ],
                    "line_text": pa.array(given, pa.string()),
                }
            ),
        )
        con.execute(f"INSERT INTO {ident(problems)} SELECT * FROM {ident(name + '_rejs')}")
    # each problem with its row as given: the file is read once more, its rows numbered as
    # the staged rows are
    cols = ", ".join(f"{ident(c)} AS _raw_{i}" for i, c in enumerate(source.columns))
    if source.format == "csv":
        numbered = f"SELECT row_number() OVER () - 1 AS _pos, {cols} FROM {source.relation}"
    else:
        at = ident(source.line_column or "_line")
        numbered = f"SELECT {at} AS _pos, {cols} FROM {source.relation}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(name + '_rejp')} AS SELECT q.*, "
        f"n._pos IS NOT NULL AS found, n.* EXCLUDE (_pos) FROM {ident(problems)} q "
        f"LEFT JOIN ({numbered}) n ON n._pos = q.pos"
    )
    con.execute(f"DROP TABLE {ident(problems)}")
    # a rejected line is a rejected staged row, a repeated id or a line the parser refused
    count = con.execute(
        f"SELECT (SELECT count(*) FROM {ident(name)} WHERE _bad) + "
        f"(SELECT count(*) FROM {ident(dups)})"
    ).fetchone()
    return Rejects(con, name, source.columns, int(count[0]) + len(structural))


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


_COLUMNS_FOUND = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def parser_detail_nl(detail: str) -> str:
    """The CSV parser's reason for refusing a line, in Dutch where it is a known one."""
    found = _COLUMNS_FOUND.search(detail)
    if found:
        return f"{found.group(1)} kolommen verwacht, {found.group(2)} gevonden"
    if "unterminated quote" in detail:
        return "een aanhalingsteken wordt niet gesloten"
    return detail


def open_new(path: Path) -> tuple[Path, IO[str]]:
    """A new file at `path` for writing, or at `path` numbered (`NAME-2.csv`, `NAME-3.csv`, ...)
    when a file is there already: an earlier file is never overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        at = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            # exclusive creation: two imports at once never pick the same name either
            return at, open(at, "x", encoding="utf-8", newline="")
        except FileExistsError:
            n += 1


def rejects_header(columns: Sequence[str], nl: bool) -> list[Any]:
    """The rejects file's header: line, problems, then the source's columns."""
    # the rows as given may hold formula-like text: each cell is written as text (salesperf.cells)
    return csv_row(["regel" if nl else "line", "problemen" if nl else "problems", *columns])


def rejects_row(
    line: int,
    problems: Iterable[tuple[str | None, str, str | None]],
    given: Sequence[Any],
    nl: bool,
) -> list[Any]:
    """One line of the rejects file: the line, every problem (column, English message, Dutch
    message; a message without its Dutch version stays English), the row as given."""
    text = " | ".join(
        f"{column or ('regel' if nl else 'line')}: {(message_nl if nl else None) or message}"
        for column, message, message_nl in problems
    )
    return csv_row([line, text, *given])


def rejects_text(columns: tuple[str, ...], rejects: list[dict[str, Any]], lang: str = "en") -> str:
    """The rejects file's text from problems as dicts (line, column, message, message_nl, raw:
    the row as given, by column, or its `line_text`), in English or Dutch."""
    by_line: dict[int, list[dict[str, Any]]] = {}
    for r in rejects:
        by_line.setdefault(r["line"], []).append(r)
    out = io.StringIO()
    w = csv.writer(out)
    nl = lang == "nl"
    w.writerow(rejects_header(columns, nl))
    for line, rs in sorted(by_line.items()):
        raw = rs[0]["raw"]
        items = [(r["column"], r["message"], r.get("message_nl")) for r in rs]
        given = [raw["line_text"]] if "line_text" in raw else [raw.get(c) for c in columns]
        w.writerow(rejects_row(line, items, given, nl))
    return out.getvalue()
