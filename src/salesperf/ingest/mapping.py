"""Mappings: how a file's columns and values become canonical ones.

A mapping is a TOML file (or `--map source=canonical` options, or a ready preset):

    table = "deals"                 # the canonical table (optional: the command names it)
    description = "..."             # one line, shown in --help and the docs (presets)
    dedupe = false                  # collapse rows that are identical after mapping
    [options]                       # how to read the file
    delimiter = ";"                 # detected when absent
    decimal = ","                   # ',' for ';'-separated files unless said otherwise
    date_format = "DD-MM-YYYY"      # ISO (default), DD-MM-YYYY, MM/DD/YYYY or a %-pattern
    [columns]                       # source column = canonical column(s)
    "Deal Stage" = ["status", "stage"]
    "Won time" = "closed_at"        # several sources for one column: the first filled one
    "Lost time" = "closed_at"
    [values.status]                 # source value = canonical value; "*" = any other value
    "Closed Won" = "won"
    [formats]                       # a date format for one column
    closed_at = "MM/DD/YYYY"
    [constants]                     # the same value in every row
    kind = "new_business"
    [units]                         # the unit a number column is given in (converted)
    duration_min = "ms"             # ms, s, min, h, or text as hh:mm:ss or hh:mm
    [status]                        # deals: columns that decide the status (see below)
    won = "IsWon"                   # true/false, 1/0, yes/no (any case)
    closed = "IsClosed"
    active = "Active"               # false: closed as lost (Odoo archives lost leads)
    probability = "Deal probability"
    probability_max = 1             # 1 or 100: the value that means certain

The `[status]` columns win over the label mapping `[values.status]` where they are filled, in
this order: won and closed flags (won; closed and not won is lost; not closed is open); a
probability at its maximum is won; not active is lost; a probability between 0 and the maximum
is open; a probability of 0 is lost only when `[values.status]` does not map the row's label
(a deal in a stage mapped as open may carry 0%) and an `active` column does not say the deal
is active. Otherwise the label mapping decides. A number unit also reads a text duration
hh:mm:ss. A flag
or probability that cannot be read leaves the status as "column=value", which no status
word matches, so the row is rejected naming it.

A source column that the file has more than once is named `Name`, `Name (2)`, ... by the
readers; a mapping that uses such a name is refused (pick one: `Name (1)` is the first,
`Name (2)` the second).

Columns not mapped are matched by name (case, spaces and punctuation ignored). The pseudo
column "@row" is the record's number in the file, for files that have no id of their own.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from salesperf.errors import InputError
from salesperf.schema import TABLES

#: Extra canonical columns an import may carry that are checked but not stored.
CHECK_ONLY: tuple[str, ...] = ()
DATE_FORMATS = ("ISO", "DD-MM-YYYY", "MM/DD/YYYY")
#: Units a number column may be given in (`[units]`), and the canonical columns that take one
#: (each is kept in minutes).
UNITS = ("ms", "s", "min", "h", "hh:mm:ss", "hh:mm")
UNIT_COLUMNS = ("duration_min",)
#: A pseudo source column: the record's number in the file (1 = first data row).
ROW_SOURCE = "@row"
_OPTION_KEYS = ("delimiter", "encoding", "decimal", "date_format", "sheet", "format", "timezone")


class MappingError(InputError):
    """A mapping (file, preset or option) is not usable; the message says how to fix it."""


@dataclass(frozen=True)
class StatusRule:
    """Source columns that decide a deal's status (`[status]`), each optional."""

    won: str | None = None
    closed: str | None = None
    active: str | None = None
    probability: str | None = None
    probability_max: float = 100.0

    def sources(self) -> tuple[str, ...]:
        """The source columns the rule reads."""
        return tuple(s for s in (self.won, self.closed, self.active, self.probability) if s)

    def keeping(self, columns: Sequence[str]) -> StatusRule:
        """The rule without the source columns that `columns` lacks."""

        def kept(col: str | None) -> str | None:
            return col if col in columns else None

        return StatusRule(
            kept(self.won), kept(self.closed), kept(self.active), kept(self.probability),
            self.probability_max,
        )  # fmt: skip


_STATUS_KEYS = ("won", "closed", "active", "probability")


def normalise_name(name: str) -> str:
    """A column name reduced for matching: 'Deal ID' and 'deal_id' are the same."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


@dataclass(frozen=True)
class ImportMapping:
    """Where each canonical column comes from, and how values are translated."""

    table: str | None = None
    rename: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # source -> canonical
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # canonical -> map
    formats: Mapping[str, str] = field(default_factory=dict)  # canonical -> date format
    constants: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)
    dedupe: bool = False
    auto: bool = True
    name: str = "generic"
    optional: frozenset[str] = frozenset()  # source columns that may be absent (presets)
    units: Mapping[str, str] = field(default_factory=dict)  # canonical -> unit given in
    status: StatusRule | None = None
    description: str = ""

    def option(self, key: str) -> str | None:
        """A reading option, or None when it is to be detected."""
        value = self.options.get(key)
        return None if value in (None, "") else str(value)

    def sources_for(self, canonical: str) -> tuple[str, ...]:
        """The source columns mapped explicitly onto `canonical`, in order."""
        return tuple(src for src, targets in self.rename.items() if canonical in targets)

    def source_names(self) -> tuple[str, ...]:
        """Every source column the mapping names (columns and the status rule)."""
        return (*self.rename, *(self.status.sources() if self.status else ()))

    def for_columns(self, columns: Sequence[str]) -> tuple[ImportMapping, list[str]]:
        """The mapping made concrete for a file's columns, and the problems that refuse it.

        A name the file has more than once (the readers name the others `Name (2)`, ...) may not
        be used: which one is meant cannot be told. `Name (1)` picks the first. Status columns
        a preset names but the file lacks are left out of the rule."""
        problems: list[str] = []
        have = set(columns)
        uses = [(src, (self.rename.get(src) or ("status",))[0]) for src in self.source_names()]
        if self.auto and self.table is not None and self.table in TABLES:  # named by the file
            named = {t for ts in self.rename.values() for t in ts} | set(self.constants)
            by_norm = {normalise_name(c): c for c in columns if f"{c} (2)" in have}
            uses += [
                (by_norm[c], c)
                for c in TABLES[self.table].column_names
                if c in by_norm and c not in named
            ]
        for src, target in uses:
            if src not in have or f"{src} (2)" not in have:
                continue
            places = [
                i for i, c in enumerate(columns, start=1)
                if c == src or re.fullmatch(re.escape(src) + r" \(\d+\)", c)
            ]  # fmt: skip
            problems.append(
                f"the file has the column {src!r} more than once (columns "
                f"{', '.join(map(str, places[:-1]))} and {places[-1]}), and the mapping uses it "
                f'for {target}; say which one with --map "{src} (2)={target}" '
                f'(or "{src} (1)={target}" for the first)'
            )
        rename = {
            (s[:-4] if s.endswith(" (1)") and s not in have and f"{s[:-4]} (2)" in have else s): t
            for s, t in self.rename.items()
        }
        status = self.status
        if status is not None:
            missing = [c for c in status.sources() if c not in have and c not in self.optional]
            for c in missing:
                problems.append(
                    f"the mapping's [status] names the column {c!r}, which the file does not have"
                )
            status = status.keeping(columns)
        return replace(self, rename=rename, status=status), problems

    def merged(self, other: ImportMapping) -> ImportMapping:
        """This mapping with `other` laid over it (options given later win)."""
        # a later mapping that names a canonical column replaces the earlier sources for it
        named = {t for targets in other.rename.values() for t in targets} | set(other.constants)
        rename: dict[str, tuple[str, ...]] = {}
        for src, targets in self.rename.items():
            rest = tuple(t for t in targets if t not in named)
            if rest:
                rename[src] = rest
        for src, targets in other.rename.items():
            rename[src] = tuple(dict.fromkeys((*rename.get(src, ()), *targets)))
        values = {k: dict(v) for k, v in self.values.items()}
        for k, v in other.values.items():
            values.setdefault(k, {}).update(v)
        # a unit or a status rule belongs to the sources it was given with
        units = {k: u for k, u in self.units.items() if k not in named}
        units.update(other.units)
        status = other.status or (None if "status" in named else self.status)
        return replace(
            self,
            table=other.table or self.table,
            rename=rename,
            values=values,
            formats={**self.formats, **other.formats},
            constants={**self.constants, **other.constants},
            options={**self.options, **other.options},
            dedupe=self.dedupe or other.dedupe,
            auto=self.auto and other.auto,
            name=other.name if other.name != "generic" else self.name,
            optional=self.optional | other.optional,
            units=units,
            status=status,
            description=other.description or self.description,
        )


def _targets(value: Any, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise MappingError(f"{where}: a source column maps to a column name or a list of names")
    return tuple(items)


def _str_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingError(f"{where} must be a table of name = value pairs")
    out: dict[str, str] = {}
    for k, v in value.items():
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise MappingError(f"{where}.{k}: the value must be text or a number")
        out[str(k)] = str(v)
    return out


def parse_mapping(data: Mapping[str, Any], name: str) -> ImportMapping:
    """Build a mapping from parsed TOML, collecting every problem into one message."""
    problems: list[str] = []
    known = {
        "table", "description", "dedupe", "auto", "options", "columns", "values", "formats",
        "constants", "units", "status",
    }  # fmt: skip
    for key in data:
        if key not in known:
            problems.append(f"unknown section or key {key!r} (known: {', '.join(sorted(known))})")
    table = data.get("table")
    if table is not None and table not in TABLES:
        problems.append(f"table {table!r} is not a canonical table ({', '.join(TABLES)})")
    rename: dict[str, tuple[str, ...]] = {}
    values: dict[str, dict[str, str]] = {}
    formats: dict[str, str] = {}
    constants: dict[str, str] = {}
    options: dict[str, str] = {}
    try:
        for src, tgt in (data.get("columns") or {}).items():
            rename[str(src)] = _targets(tgt, f"[columns] {src!r}")
        raw_values = data.get("values") or {}
        if not isinstance(raw_values, dict):
            raise MappingError("[values] must hold one table per column, e.g. [values.status]")
        for col, vmap in raw_values.items():
            values[str(col)] = {
                k.strip().casefold(): v for k, v in _str_map(vmap, f"[values.{col}]").items()
            }
        formats = _str_map(data.get("formats") or {}, "[formats]")
        constants = _str_map(data.get("constants") or {}, "[constants]")
        options = _str_map(data.get("options") or {}, "[options]")
        units = _str_map(data.get("units") or {}, "[units]")
    except MappingError as exc:
        problems.append(str(exc))
        units = {}
    for col, unit in units.items():
        if col not in UNIT_COLUMNS:
            problems.append(f"[units] {col}: only {', '.join(UNIT_COLUMNS)} takes a unit")
        if unit not in UNITS:
            problems.append(f"[units] {col}: the unit {unit!r} is not one of {', '.join(UNITS)}")
    status = _status_rule(data.get("status"), table, problems)
    description = data.get("description", "")
    if not isinstance(description, str) or "\n" in description:
        problems.append("description must be one line of text")
        description = ""
    for key in options:
        if key not in _OPTION_KEYS:
            problems.append(f"unknown option {key!r} (known: {', '.join(_OPTION_KEYS)})")
    for col, fmt in [
        *formats.items(),
        *([("date_format", options["date_format"])] if "date_format" in options else []),
    ]:
        if fmt not in DATE_FORMATS and "%" not in fmt:
            problems.append(
                f"date format {fmt!r} for {col} is not one of {', '.join(DATE_FORMATS)} "
                "nor a %-pattern such as %d.%m.%Y"
            )
    if isinstance(table, str) and table in TABLES:
        allowed = set(TABLES[table].column_names) | set(CHECK_ONLY)
        used = (
            {t for ts in rename.values() for t in ts}
            | set(values) | set(formats) | set(constants) | set(units)
        )  # fmt: skip
        for col in sorted(used - allowed):
            problems.append(f"{col!r} is not a column of {table} ({', '.join(sorted(allowed))})")
    if problems:
        raise MappingError(f"the mapping {name} has problems:\n  - " + "\n  - ".join(problems))
    return ImportMapping(
        table=table,
        rename=rename,
        values=values,
        formats=formats,
        constants=constants,
        options=options,
        dedupe=bool(data.get("dedupe", False)),
        auto=bool(data.get("auto", True)),
        name=name,
        units=units,
        status=status,
        description=description,
    )


def _status_rule(raw: Any, table: Any, problems: list[str]) -> StatusRule | None:
    """The `[status]` section, its problems added to `problems`."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append("[status] must be a table of won/closed/active/probability = column")
        return None
    if table is not None and table != "deals":
        problems.append(f"[status] decides a deal's status; this mapping is for {table}")
    known = (*_STATUS_KEYS, "probability_max")
    for key in raw:
        if key not in known:
            problems.append(f"[status] unknown key {key!r} (known: {', '.join(known)})")
    cols = {k: raw.get(k) for k in _STATUS_KEYS}
    for k, v in cols.items():
        if v is not None and (not isinstance(v, str) or not v.strip()):
            problems.append(f"[status] {k} names a source column (text)")
    top = raw.get("probability_max", 100)
    if isinstance(top, bool) or top not in (1, 100):
        problems.append(f"[status] probability_max is 1 or 100, not {top!r}")
        top = 100
    if top != 100 and not cols["probability"]:
        problems.append("[status] probability_max needs probability = COLUMN")
    named = {k: v for k, v in cols.items() if isinstance(v, str) and v.strip()}
    return StatusRule(**named, probability_max=float(top)) if named else None


def load_mapping(path: str | os.PathLike[str]) -> ImportMapping:
    """Read a TOML mapping file."""
    p = Path(path)
    if not p.is_file():
        raise MappingError(f"mapping file {p} does not exist")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {p} is not valid TOML: {exc}") from None
    return parse_mapping(data, p.name)


def from_options(maps: Sequence[str], table: str | None) -> ImportMapping:
    """A mapping from `--map source=canonical` options."""
    rename: dict[str, tuple[str, ...]] = {}
    problems = []
    for m in maps:
        src, sep, tgt = m.rpartition("=")
        if not sep or not src.strip() or not tgt.strip():
            problems.append(f"--map {m!r} is not of the form SOURCE=CANONICAL")
            continue
        rename[src.strip()] = (*rename.get(src.strip(), ()), tgt.strip())
    if problems:
        raise MappingError("; ".join(problems))
    return parse_mapping(
        {"table": table, "columns": {k: list(v) for k, v in rename.items()}}, "--map"
    )
