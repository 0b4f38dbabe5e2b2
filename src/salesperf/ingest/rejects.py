"""Rejected rows: duplicate ids, line numbers, the rows as given, and where they are kept.

Each problem says what is wrong in English (`message`, the one kept in the rejects file and the
store's rejects table) and in Dutch (`message_nl`, for the interface).
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from salesperf.cells import csv_row
from salesperf.ingest.readers import Source
from salesperf.ingest.sql import ident


def find_duplicates(
    con: Any, name: str, key: tuple[str, ...], pos: str
) -> list[tuple[int, int, str]]:
    """Rows whose id was already seen earlier in the same file: (position, first position, id)."""
    keys = ", ".join(ident(k) for k in key)
    shown = " || ' / ' || ".join(f"CAST({ident(k)} AS VARCHAR)" for k in key)
    rows = con.execute(
        f"SELECT _pos, _first, _key FROM (SELECT _pos, min(_pos) OVER (PARTITION BY {keys}) "
        f"AS _first, {shown} AS _key FROM (SELECT {pos} AS _pos, {keys} FROM {ident(name)} "
        f"WHERE NOT _bad AND ({keys}) IN (SELECT ({keys}) FROM {ident(name)} WHERE NOT _bad "
        "GROUP BY ALL HAVING count(*) > 1))) WHERE _pos > _first ORDER BY _pos"
    ).fetchall()
    return [(int(p), int(f), str(k)) for p, f, k in rows]


def line_mapper(structural: list[dict[str, Any]]) -> Callable[[int], int]:
    """From a record's position among parsed records to its line in the file (header = 1)."""
    lines = sorted(r["line"] for r in structural)
    # a refused line at file line L, being the j-th refused one, follows L - 2 - j good records
    thresholds = [line - 2 - j for j, line in enumerate(lines)]
    return lambda pos: pos + 2 + bisect.bisect_right(thresholds, pos)


def collect_rejects(
    con: Any,
    name: str,
    source: Source,
    pos: str,
    structural: list[dict[str, Any]],
    dups: list[tuple[int, int, str]],
    key_label: str,
) -> list[dict[str, Any]]:
    """Every problem of every rejected row, with its line, its message in English and Dutch,
    and the row as given."""
    rows = con.execute(
        f"SELECT {pos} AS pos, unnest(_problems, recursive := true) FROM {ident(name)} "
        "WHERE _bad ORDER BY pos"
    ).fetchall()
    to_line = line_mapper(structural) if source.format == "csv" else (lambda p: int(p))
    out = [
        {
            "pos": int(p),
            "line": to_line(int(p)),
            "column": c,
            "rule": r,
            "value": v,
            "message": m,
            "message_nl": nl,
        }
        for p, c, r, v, m, nl in rows
    ]
    for p, first, key in dups:
        out.append(
            {
                "pos": p,
                "line": to_line(p),
                "column": key_label,
                "rule": "duplicate_id",
                "value": key,
                "message": f"{key_label} {key} appears more than once in the file; "
                f"the row on line {to_line(first)} was kept",
                "message_nl": f"{key_label} {key} komt meer dan eens voor in het bestand; "
                f"de rij op regel {to_line(first)} is behouden",
            }
        )
    raw = raw_rows(con, source, sorted({r["pos"] for r in out}))
    for r in out:
        r["raw"] = raw.get(r["pos"], {})
    for s in structural:
        detail = str(s["message"]).splitlines()[0]
        out.append(
            {
                "pos": -1,
                "line": s["line"],
                "column": "",
                "rule": "malformed_line",
                "value": s["raw"],
                "message": "the line does not split into the header's columns (" + detail + ")",
                "message_nl": "de regel valt niet uiteen in de kolommen van de kopregel ("
                + parser_detail_nl(detail)
                + ")",
                "raw": {"line_text": s["raw"]},
            }
        )
    out.sort(key=lambda r: (r["line"], r["column"]))
    return out


_COLUMNS_FOUND = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def parser_detail_nl(detail: str) -> str:
    """The CSV parser's reason for refusing a line, in Dutch where it is a known one."""
    found = _COLUMNS_FOUND.search(detail)
    if found:
        return f"{found.group(1)} kolommen verwacht, {found.group(2)} gevonden"
    if "unterminated quote" in detail:
        return "een aanhalingsteken wordt niet gesloten"
    return detail


def raw_rows(con: Any, source: Source, positions: list[int]) -> dict[int, dict[str, Any]]:
    """The rejected rows exactly as the file gives them, by record position."""
    if not positions:
        return {}
    cols = ", ".join(ident(c) for c in source.columns)
    pos_list = ", ".join(str(p) for p in positions) if len(positions) < 5000 else None
    if source.format == "csv":
        numbered = f"(SELECT row_number() OVER () - 1 AS _pos, {cols} FROM {source.relation})"
    else:
        numbered = f"(SELECT {ident(source.line_column or '_line')} AS _pos, {cols} FROM {source.relation})"
    where = f"WHERE _pos IN ({pos_list})" if pos_list else ""
    rows = con.execute(f"SELECT _pos, {cols} FROM {numbered} {where}").fetchall()
    wanted = set(positions)
    return {
        int(r[0]): dict(zip(source.columns, r[1:], strict=True))
        for r in rows
        if int(r[0]) in wanted
    }


def write_rejects_table(
    con: Any, table: str, import_id: int, rejects: list[dict[str, Any]]
) -> None:
    data = pa.table(
        {
            "import_id": pa.array([import_id] * len(rejects), pa.int64()),
            "line": pa.array([r["line"] for r in rejects], pa.int64()),
            "column_name": pa.array([r["column"] for r in rejects], pa.string()),
            "value": pa.array([r["value"] for r in rejects], pa.string()),
            "rule": pa.array([r["rule"] for r in rejects], pa.string()),
            "message": pa.array([r["message"] for r in rejects], pa.string()),
            "raw_row": pa.array(
                [json.dumps(r["raw"], ensure_ascii=False, default=str) for r in rejects],
                pa.string(),
            ),
            "message_nl": pa.array([r.get("message_nl") or None for r in rejects], pa.string()),
        }
    )
    con.register(f"{table}_arrow", data)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT * FROM {ident(table + '_arrow')}"
        )
    finally:
        con.unregister(f"{table}_arrow")


def write_rejects_file(
    path: Path, columns: tuple[str, ...], rejects: list[dict[str, Any]], lang: str = "en"
) -> None:
    """One line per rejected row: its line, every problem, then the row as it was given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(rejects_text(columns, rejects, lang))


def rejects_text(columns: tuple[str, ...], rejects: list[dict[str, Any]], lang: str = "en") -> str:
    """The rejects file's text: a header, then per rejected row its line, every problem (in
    English or Dutch; a message without its Dutch version stays English), the row as given."""
    by_line: dict[int, list[dict[str, Any]]] = {}
    for r in rejects:
        by_line.setdefault(r["line"], []).append(r)
    out = io.StringIO()
    w = csv.writer(out)
    nl = lang == "nl"
    # the rows as given may hold formula-like text: each cell is written as text (salesperf.cells)
    w.writerow(csv_row(["regel" if nl else "line", "problemen" if nl else "problems", *columns]))
    for line, rs in sorted(by_line.items()):
        raw = rs[0]["raw"]
        problems = " | ".join(
            f"{r['column'] or ('regel' if nl else 'line')}: "
            f"{(r.get('message_nl') if nl else None) or r['message']}"
            for r in rs
        )
        if "line_text" in raw:
            w.writerow(csv_row([line, problems, raw["line_text"]]))
        else:
            w.writerow(csv_row([line, problems, *(raw.get(c) for c in columns)]))
    return out.getvalue()
