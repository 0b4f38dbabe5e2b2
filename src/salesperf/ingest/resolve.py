"""Which mapping an import uses: a ready preset, then a mapping file, then --map options on top.

The presets are the ready mappings for CRM exports, one TOML file each under `presets/`. A
preset is named by its CRM (`hubspot`: the table picks the file `hubspot-<table>.toml`) or by
its file's full name for one kind of export (`hubspot-calls`); `generic` takes the canonical
column names as they are. The files are mappings in the form `mapping` describes.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from salesperf.ingest.mapping import (
    ImportMapping,
    MappingError,
    from_options,
    load_mapping,
    parse_mapping,
)
from salesperf.ingest.source import FileRefused
from salesperf.schema import TABLES


def _preset_files() -> dict[str, Traversable]:
    """The preset files by name (the file name without .toml)."""
    folder = resources.files("salesperf.ingest").joinpath("presets")
    return {p.name.removesuffix(".toml"): p for p in folder.iterdir() if p.name.endswith(".toml")}


def _preset_names() -> tuple[str, ...]:
    stems = sorted(_preset_files())
    return ("generic", *sorted({s.split("-")[0] for s in stems}), *stems)


#: Every preset name: generic, each CRM (the table picks its file) and each file's full name.
PRESETS = _preset_names()


def _preset_data(name: str) -> dict[str, Any]:
    return tomllib.loads(_preset_files()[name].read_text(encoding="utf-8"))


def preset_descriptions() -> dict[str, tuple[str, str]]:
    """Each preset file's name with its table and its one-line description."""
    out = {}
    for name in sorted(_preset_files()):
        data = _preset_data(name)
        out[name] = (str(data.get("table", "")), str(data.get("description", "")))
    return out


@functools.cache
def preset_help() -> str:
    """The --preset option's help: every preset with its description (kept: the command line
    reads its options' annotations, and so this, each time it builds a command)."""
    files = preset_descriptions()
    crms = [p for p in PRESETS if p != "generic" and p not in files]
    listed = "; ".join(f"{name}: {desc}" for name, (_t, desc) in files.items())
    return (
        "A ready mapping: generic (canonical column names, the default); a CRM ("
        + ", ".join(crms)
        + ": the table picks its preset); or one export: "
        + listed
        + ". See docs/import.md."
    )


def preset(name: str, table: str) -> ImportMapping:
    """A ready mapping for a CRM's export of `table` (generic: canonical names as they are).

    `name` is a CRM (`hubspot`: the file `hubspot-<table>.toml`) or a preset's full name for one
    kind of export (`hubspot-calls`), whose table must be `table`."""
    if name not in PRESETS:
        raise MappingError(f"unknown preset {name!r}; the presets are: {', '.join(PRESETS)}")
    if name == "generic":
        return ImportMapping(table=table, name="generic")
    files = _preset_files()
    if name in files:
        data = _preset_data(name)
        if data.get("table") != table:
            raise MappingError(
                f"the preset {name} reads {data.get('table')}, not {table}; import the file "
                f"with: salesperf import {data.get('table')} FILE --preset {name}"
            )
    elif f"{name}-{table}" in files:
        data = _preset_data(f"{name}-{table}")
    else:
        have = sorted(
            f"{stem} ({_preset_data(stem).get('table')})"
            for stem in files
            if stem.startswith(f"{name}-")
        )
        raise MappingError(
            f"no {name} preset reads {table}; the {name} presets are: {', '.join(have)}; "
            "use --map or a mapping file for this table"
        )
    mapping = parse_mapping(data, f"preset {name}")
    # exports differ in which optional columns they carry: a preset's column may be absent
    sources = (*mapping.rename, *(mapping.status.sources() if mapping.status else ()))
    return replace(mapping, optional=frozenset(sources))


def resolve_mapping(
    table: str | None,
    *,
    mapping_file: str | os.PathLike[str] | None = None,
    preset_name: str | None = None,
    maps: Sequence[str] = (),
) -> tuple[str, ImportMapping]:
    """The table and mapping from the options: a preset, then a file, then --map on top."""
    file_mapping = load_mapping(mapping_file) if mapping_file else None
    name = table or (file_mapping.table if file_mapping else None)
    if name is None:
        raise FileRefused(
            "say which table to import into (e.g. deals), or set table = in the mapping"
        )
    if name not in TABLES:
        raise FileRefused(f"there is no table {name!r}; the tables are: {', '.join(TABLES)}")
    mapping = preset(preset_name or "generic", name)
    if file_mapping:
        if file_mapping.table and file_mapping.table != name:
            raise FileRefused(
                f"the mapping {file_mapping.name} is for {file_mapping.table}, not {name}"
            )
        mapping = mapping.merged(file_mapping)
    if maps:
        mapping = mapping.merged(from_options(maps, name))
    return name, mapping
