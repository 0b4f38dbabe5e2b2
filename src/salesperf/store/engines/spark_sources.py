"""Canonical tables that a Spark store reads from the organisation's own data lake.

A Spark store URL may name, per canonical table, where its rows already are:

    local[*]?warehouse=/data/salesperf&table.activities=parquet:/lake/crm/activities
            &table.deals=delta:s3a://lake/crm/deals&table.reps=crm.sales_reps

`FORMAT:PATH` is any file source Spark reads by path (parquet, orc, delta, iceberg, ... where the
session has them; an object store path where Spark is set up for it); a bare name is a table
of Spark's catalog (`db.table`, `catalog.db.table`). salesperf reads those tables and never writes
them: they are refused as import targets. Each becomes a Spark view that selects the canonical
columns, cast to the canonical types (a column the source lacks and salesperf can do without is
null), so the metric code runs on it unchanged. Because the view is SQL, every query sees the
source as it is then: files added to a lake folder count from the next query on.

The rows did not pass salesperf's import checks, so they are checked when Spark starts: keys
present and unique, required values present, words from the vocabularies, no negative amounts
or durations, references that resolve. A source that breaks them is refused with the count of
rows per broken rule, rather than giving figures nobody can trust.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from salesperf.schema import TABLES, Column, Kind, Table
from salesperf.store.engines.base import StoreError

#: The Spark types a canonical column of each kind may be read from (ids that a lake keeps as
#: numbers are read as text).
_INTEGERS = ("tinyint", "smallint", "int", "bigint")
SOURCE_TYPES: Mapping[Kind, tuple[str, ...]] = {
    Kind.TEXT: ("string", "varchar", "char", *_INTEGERS),
    Kind.INTEGER: _INTEGERS,
    Kind.NUMBER: (*_INTEGERS, "float", "double", "decimal"),
    Kind.DATE: ("date",),
    Kind.TIMESTAMP: ("timestamp", "timestamp_ntz"),
}
#: What each kind is in Spark. Timestamps are naive UTC, as in the store's own Parquet files
#: (the session's time zone is UTC, so a zoned timestamp keeps its instant).
SPARK_TYPES: Mapping[Kind, str] = {
    Kind.TEXT: "STRING",
    Kind.INTEGER: "BIGINT",
    Kind.NUMBER: "DOUBLE",
    Kind.DATE: "DATE",
    Kind.TIMESTAMP: "TIMESTAMP_NTZ",
}
NEEDED = {"teams": ("team_id",), "reps": ("rep_id", "team_id")}  # beyond the required ones

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+){0,2}")


def parse_sources(params: dict[str, str]) -> dict[str, str]:
    """Take the `table.NAME=SOURCE` options out of a Spark store URL's options."""
    sources = {}
    for key in [k for k in params if k.startswith("table.")]:
        name, source = key.removeprefix("table."), params.pop(key).strip()
        if name not in TABLES:
            raise StoreError(
                f"unknown table {name!r} in the store option {key}; the tables are: "
                + ", ".join(TABLES)
            )
        source_sql(source, name)  # refuse a malformed source now, not at the first query
        sources[name] = source
    return sources


def source_sql(source: str, name: str) -> str:
    """The Spark SQL relation of a source: ``parquet.`/path` `` or a quoted table name."""
    fmt, sep, path = source.partition(":")
    if sep and path.startswith("//"):  # s3a://bucket/x: a location without its format
        raise StoreError(
            f"cannot read the {name} table from {source!r}: say its format first "
            f"(parquet:{source}, delta:{source})"
        )
    if sep and _WORD.fullmatch(fmt) and path:
        return f"{fmt.lower()}.`{path.replace('`', '``')}`"
    if _NAME.fullmatch(source):
        return ".".join(f"`{part}`" for part in source.split("."))
    raise StoreError(
        f"cannot read the {name} table from {source!r}: give FORMAT:PATH (parquet:/lake/{name}, "
        f"delta:s3a://bucket/{name}) or a table of Spark's catalog (db.{name})"
    )


def _base_type(simple: str) -> str:
    return simple.split("(")[0].lower()


def view_sql(session: Any, name: str, source: str) -> str:
    """The SQL of the view that reads `source` as the canonical table `name`, after checking
    that the source has the columns it needs, of types that convert."""
    spec = TABLES[name]
    relation = source_sql(source, name)
    try:
        fields = session.sql(f"SELECT * FROM {relation}").schema.fields
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot read the {name} table from {source}: {first}") from None
    have = {f.name.lower(): f for f in fields}
    needed = set(spec.required) | set(spec.key) | set(NEEDED.get(name, ()))
    missing = [c for c in spec.column_names if c in needed and c not in have]
    if missing:
        raise StoreError(
            f"the {name} table at {source} has no column {', '.join(missing)}; salesperf needs "
            f"{', '.join(c for c in spec.column_names if c in needed)} (the canonical names of "
            "salesperf/schema.py, in any case)"
        )
    wrong = [
        f"{c.name} is {f.dataType.simpleString()}, not one of {', '.join(SOURCE_TYPES[c.kind])}"
        for c in spec.columns
        for f in [have.get(c.name)]
        if f is not None and _base_type(f.dataType.simpleString()) not in SOURCE_TYPES[c.kind]
    ]
    if wrong:
        raise StoreError(
            f"the {name} table at {source} has columns of the wrong type: {'; '.join(wrong)}"
        )
    cols = ", ".join(
        f"CAST(`{have[c.name].name}` AS {SPARK_TYPES[c.kind]}) AS `{c.name}`"
        if c.name in have
        else f"CAST(NULL AS {SPARK_TYPES[c.kind]}) AS `{c.name}`"
        for c in spec.columns
    )
    return f"SELECT {cols} FROM {relation}"


def _counts(spec: Table) -> list[tuple[str, str]]:
    """(what is wrong, a Spark SQL count of the rows it is wrong for) for one table's rules."""

    def count(cond: str) -> str:
        return f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    key = ", ".join(f"`{k}`" for k in spec.key)
    out = [(f"rows without {c}", count(f"`{c}` IS NULL")) for c in spec.required]
    out.append((f"rows repeating the {'/'.join(spec.key)} of another row",
                f"count(*) - count(DISTINCT {key})"))  # fmt: skip
    for c in spec.columns:
        out += _column_counts(c, count)
    return out


def _column_counts(c: Column, count: Any) -> list[tuple[str, str]]:
    out = []
    if c.vocabulary is not None and c.name != "type":  # activity types may be extended
        words = ", ".join(f"'{w}'" for w in c.vocabulary.words())
        out.append((f"rows whose {c.name} is not one of {', '.join(c.vocabulary.words())}",
                    count(f"`{c.name}` IS NOT NULL AND `{c.name}` NOT IN ({words})")))  # fmt: skip
    if c.non_negative:
        out.append((f"rows with a negative {c.name}", count(f"`{c.name}` < 0")))
    return out


def _rows(n: int, what: str) -> str:
    """'1 row without rep_id', '3 rows without rep_id'."""
    return f"{n} {what.replace('rows ', 'row ', 1) if n == 1 else what}"


def problems(session: Any, name: str) -> list[str]:
    """What is wrong with the rows of the view `name` (empty: nothing), as counts in words."""
    spec = TABLES[name]
    rules = _counts(spec)
    row = session.sql(
        "SELECT "
        + ", ".join(f"{expr} AS c{i}" for i, (_, expr) in enumerate(rules))
        + f" FROM `{name}`"
    ).collect()[0]
    found = [_rows(int(row[f"c{i}"]), what) for i, (what, _) in enumerate(rules) if row[f"c{i}"]]
    for c in spec.columns:
        if c.references and c.references.split(".")[0] in TABLES:
            table, column = c.references.split(".")
            dangling = session.sql(
                f"SELECT count(*) AS n FROM `{name}` t LEFT ANTI JOIN `{table}` r "
                f"ON t.`{c.name}` = r.`{column}` WHERE t.`{c.name}` IS NOT NULL"
            ).collect()[0]["n"]
            if dangling:
                found.append(_rows(int(dangling), f"rows whose {c.name} is not in {table}"))
    return found
