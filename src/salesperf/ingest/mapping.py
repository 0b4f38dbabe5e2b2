"""Mappings: how a file's columns and values become canonical ones.

A mapping is a TOML file (or `--map source=canonical` options, or a ready preset):

    table = "deals"                 # the canonical table (optional: the command names it)
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

Columns not mapped are matched by name (case, spaces and punctuation ignored). The pseudo
column "@row" is the record's number in the file, for files that have no id of their own.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from salesperf.schema import TABLES

#: Extra canonical columns an import may carry that are checked but not stored.
CHECK_ONLY: tuple[str, ...] = ()
DATE_FORMATS = ("ISO", "DD-MM-YYYY", "MM/DD/YYYY")
PRESETS = ("generic", "hubspot", "salesforce", "pipedrive")
#: A pseudo source column: the record's number in the file (1 = first data row).
ROW_SOURCE = "@row"
_OPTION_KEYS = ("delimiter", "encoding", "decimal", "date_format", "sheet", "format", "timezone")


class MappingError(Exception):
    """A mapping (file, preset or option) is not usable; the message says how to fix it."""


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

    def option(self, key: str) -> str | None:
        """A reading option, or None when it is to be detected."""
        value = self.options.get(key)
        return None if value in (None, "") else str(value)

    def sources_for(self, canonical: str) -> tuple[str, ...]:
        """The source columns mapped explicitly onto `canonical`, in order."""
        return tuple(src for src, targets in self.rename.items() if canonical in targets)

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
    known = {"table", "dedupe", "auto", "options", "columns", "values", "formats", "constants"}
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
    except MappingError as exc:
        problems.append(str(exc))
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
            {t for ts in rename.values() for t in ts} | set(values) | set(formats) | set(constants)
        )
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
    )


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


def preset(name: str, table: str) -> ImportMapping:
    """A ready mapping for a CRM's export of `table` (generic: canonical names as they are)."""
    if name not in PRESETS:
        raise MappingError(f"unknown preset {name!r}; the presets are: {', '.join(PRESETS)}")
    if name == "generic":
        return ImportMapping(table=table, name="generic")
    res = resources.files("salesperf.ingest").joinpath("presets", f"{name}-{table}.toml")
    if not res.is_file():
        have = sorted(
            p.name.removeprefix(f"{name}-").removesuffix(".toml")
            for p in resources.files("salesperf.ingest").joinpath("presets").iterdir()
            if p.name.startswith(f"{name}-")
        )
        raise MappingError(
            f"the {name} preset covers {', '.join(have)}, not {table}; "
            "use --map or a mapping file for this table"
        )
    data = tomllib.loads(res.read_text(encoding="utf-8"))
    mapping = parse_mapping(data, f"preset {name}")
    # exports differ in which optional columns they carry: a preset's column may be absent
    return replace(mapping, optional=frozenset(mapping.rename))


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
