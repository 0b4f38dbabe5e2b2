"""`salesperf import`: a file into a canonical table, every row checked, rejects kept."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from salesperf.cli.common import (
    LangOpt,
    StoreOpt,
    err,
    errors,
    open_store,
    out,
)
from salesperf.cli.terminal import LazyProgress, print_result
from salesperf.ingest.importer import import_file
from salesperf.ingest.mapping import DATE_FORMATS
from salesperf.ingest.resolve import preset_help, resolve_mapping
from salesperf.ingest.snapshot import system_name
from salesperf.schema import TABLES
from salesperf.text import Lang


def import_cmd(
    table: Annotated[str, typer.Argument(help=f"The table to fill: {', '.join(TABLES)}.")],
    file: Annotated[Path, typer.Argument(help="A CSV, Excel (.xlsx) or Parquet file.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="SOURCE=CANONICAL column mapping; repeat for more columns."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="A TOML mapping file (see docs/import.md).")
    ] = None,
    preset: Annotated[str | None, typer.Option(help=preset_help())] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (detected if absent).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="utf-8 or cp1252 (detected if absent).")
    ] = None,
    decimal: Annotated[str | None, typer.Option(help="Decimal separator: '.' or ','.")] = None,
    date_format: Annotated[
        str | None, typer.Option(help=f"{', '.join(DATE_FORMATS)} or a %-pattern.")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first).")] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="Where to write rejected rows (default ./FILE.TABLE.rejects.csv); "
            "a file already there is kept and the new one numbered (NAME-2.csv)."
        ),
    ] = None,
    accept_suggested: Annotated[
        bool,
        typer.Option(
            "--accept-suggested",
            help="Map the status, type, outcome or source values no rule maps to the suggested "
            "words (without it, such values stop the import and are listed).",
        ),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="A snapshot: delete the stored rows (of --system, when given) whose key is in "
            "no row of the file; rejected rows are kept. Deleted rows are kept for "
            "`salesperf imports restore`.",
        ),
    ] = False,
    system: Annotated[
        str | None,
        typer.Option(
            help="The source system the file comes from (e.g. hubspot): recorded for each row "
            "written; with --replace, only rows written by this system may be deleted."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    lang: LangOpt = Lang.EN,
    store: StoreOpt = None,
) -> None:
    """Import a file into a canonical table: every row checked, rejects kept, all or nothing."""
    with errors():
        system = system_name(system)
        name, m = resolve_mapping(table, mapping_file=mapping, preset_name=preset, maps=map_ or ())
        options = {
            k: v
            for k, v in {
                "delimiter": delimiter,
                "encoding": encoding,
                "decimal": decimal,
                "date_format": date_format,
                "sheet": sheet,
            }.items()
            if v is not None
        }
        if options:
            from salesperf.ingest.mapping import parse_mapping

            m = m.merged(parse_mapping({"table": name, "options": options}, "options"))
        with (
            open_store(store, create=True) as s,
            LazyProgress(err, s.progress_tracker()) as progress,
        ):
            result = import_file(
                s, name, file, mapping=m, rejects_path=rejects, on_phase=progress, lang=lang,
                accept_suggested=accept_suggested, replace=replace, system=system,
            )  # fmt: skip
    if as_json:
        data = asdict(result)
        data.pop("footprint")  # (what a server's result cache is told, not the user)
        data["rejects_path"] = str(result.rejects_path) if result.rejects_path else None
        out.print_json(json.dumps(data, default=str))
    else:
        print_result(out, result, show=10, lang=lang, snapshot=replace)
