"""The salesperf command line: thin commands that call the library."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from salesperf import __version__
from salesperf.ingest.importer import ImportResult, import_file, resolve_mapping
from salesperf.ingest.mapping import DATE_FORMATS, PRESETS, MappingError
from salesperf.ingest.readers import FileRefused
from salesperf.schema import TABLES
from salesperf.store import SETTING_KEYS, STORE_ENV, Store, StoreError

app = typer.Typer(
    help="salesperf: sales activity and sales performance side by side.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
settings_app = typer.Typer(help="Show or change the organisation's settings.", no_args_is_help=True)
app.add_typer(settings_app, name="settings")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help="The store: a DuckDB file path (default ./salesperf.duckdb).",
        show_default=False,
    ),
]

PHASES = {"read": "Reading the file", "check": "Checking every row", "write": "Writing", "commit": "Committing"}


class UserError(Exception):
    """A problem the user can fix; shown without a traceback, exit code 2."""


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except (FileRefused, MappingError, StoreError, UserError, ValueError) as exc:
        err.print(f"[bold red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None


def _open(store: str | None) -> Store:
    return Store.open(store)


class _LazyProgress:
    """A spinner with the current phase, shown only once an import has taken a second."""

    def __init__(self, console: Console, delay: float = 1.0) -> None:
        self.console = console
        self.phase = "Starting"
        self.progress: Progress | None = None
        self.task: Any = None
        self.timer = threading.Timer(delay, self._start)
        self.lock = threading.Lock()
        self.started = False

    def _start(self) -> None:
        with self.lock:
            if not self.console.is_terminal:
                # scripts and logs see the phases as lines instead of a spinner
                self.started = True
                self.console.print(f"{self.phase}…", highlight=False)
                return
            if self.progress is None:
                self.progress = Progress(
                    SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=self.console, transient=True,
                )
                self.progress.start()
                self.task = self.progress.add_task(self.phase, total=None)

    def __call__(self, phase: str) -> None:
        with self.lock:
            self.phase = PHASES.get(phase, phase)
            if self.progress is not None:
                self.progress.update(self.task, description=self.phase)
            if self.started and not self.console.is_terminal:
                self.console.print(f"{self.phase}…", highlight=False)

    def __enter__(self) -> _LazyProgress:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        with self.lock:
            if self.progress is not None:
                self.progress.stop()


def _print_result(r: ImportResult, show: int) -> None:
    t = RichTable(title=f"Import {r.import_id}: {Path(r.source).name} → {r.table}", show_header=False)
    for label, value in (
        ("rows read", r.rows_read),
        ("inserted", r.inserted),
        ("updated", r.updated),
        ("unchanged", r.unchanged),
        ("rejected", r.rejected),
        ("seconds", f"{r.seconds:.2f}"),
    ):
        t.add_row(label, str(value))
    out.print(t)
    if r.ignored_columns:
        out.print("Columns not imported: " + ", ".join(r.ignored_columns), highlight=False)
    if r.problems:
        out.print(f"[bold yellow]{r.rejected} row(s) rejected[/]; the first problems:")
        for p in r.problems[:show]:
            out.print(f"  line {p.line}, {p.column}: {p.message}", highlight=False)
        if r.rejects_path:
            out.print(f"All rejected rows, with their problems: {r.rejects_path}", highlight=False)


@app.command("import")
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
    preset: Annotated[
        str | None, typer.Option(help=f"A ready mapping: {', '.join(PRESETS)}.")
    ] = None,
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter (detected if absent).")] = None,
    encoding: Annotated[str | None, typer.Option(help="utf-8 or cp1252 (detected if absent).")] = None,
    decimal: Annotated[str | None, typer.Option(help="Decimal separator: '.' or ','.")] = None,
    date_format: Annotated[
        str | None, typer.Option(help=f"{', '.join(DATE_FORMATS)} or a %-pattern.")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first).")] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected rows (default ./FILE.rejects.csv).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """Import a file into a canonical table: every row checked, rejects kept, all or nothing."""
    with _errors():
        name, m = resolve_mapping(table, mapping_file=mapping, preset_name=preset, maps=map_ or ())
        options = {
            k: v
            for k, v in {
                "delimiter": delimiter, "encoding": encoding, "decimal": decimal,
                "date_format": date_format, "sheet": sheet,
            }.items()
            if v is not None
        }
        if options:
            from salesperf.ingest.mapping import parse_mapping

            m = m.merged(parse_mapping({"table": name, "options": options}, "options"))
        with _open(store) as s, _LazyProgress(err) as progress:
            result = import_file(s, name, file, mapping=m, rejects_path=rejects, on_phase=progress)
    if as_json:
        data = asdict(result)
        data["rejects_path"] = str(result.rejects_path) if result.rejects_path else None
        out.print_json(json.dumps(data, default=str))
    else:
        _print_result(result, show=10)


@app.command()
def demo(
    context: Annotated[str, typer.Option(help="startup, consultancy or agency.")] = "startup",
    reps: Annotated[int, typer.Option(help="Number of reps.")] = 24,
    years: Annotated[int, typer.Option(help="Years of history.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    store: StoreOpt = None,
) -> None:
    """Build the seeded demo organisation in the store (replacing what is there)."""
    from salesperf.demo import DemoConfig, build_demo

    with _errors():
        config = DemoConfig(context=context, reps=reps, years=years, seed=seed)
        started = time.monotonic()
        with _open(store) as s:
            with err.status(f"Building the {context} demo organisation…"):
                data = build_demo(s, config)
            counts = s.counts()
            where = s.path or s.url
    t = RichTable(title=f"Demo organisation ({context}, seed {seed}) in {where}")
    t.add_column("table")
    t.add_column("rows", justify="right")
    for name, n in counts.items():
        t.add_row(name, f"{n:,}")
    out.print(t)
    out.print(f"Built in {time.monotonic() - started:.1f} s.")
    p = data.planted
    out.print(
        "Planted for the analysis to find: busy but not effective "
        f"{', '.join(p.busy_not_effective)}; efficient {', '.join(p.efficient)}; "
        f"team under target {p.under_target_team}; new hire {p.new_hire}; "
        f"driver activity '{p.driver_type}'.",
        highlight=False,
    )


@app.command()
def status(store: StoreOpt = None) -> None:
    """Show the store: where it is, its schema version, row counts and the last imports."""
    with _errors(), _open(store) as s:
        out.print(f"Store {s.path or s.url}, schema version {s.schema_version}", highlight=False)
        st = s.settings
        out.print(f"Time zone {st.timezone}, currency {st.currency}", highlight=False)
        t = RichTable()
        t.add_column("table")
        t.add_column("rows", justify="right")
        for name, n in s.counts().items():
            t.add_row(name, f"{n:,}")
        out.print(t)


@settings_app.command("show")
def settings_show(store: StoreOpt = None) -> None:
    """Show the organisation's settings."""
    with _errors(), _open(store) as s:
        st = s.settings
        out.print(f"timezone = {st.timezone}")
        out.print(f"currency = {st.currency}")
        out.print(f"activity_types = {','.join(st.activity_types)}")


@settings_app.command("set")
def settings_set(
    key: Annotated[str, typer.Argument(help=f"One of: {', '.join(SETTING_KEYS)}.")],
    value: Annotated[str, typer.Argument(help="The new value.")],
    store: StoreOpt = None,
) -> None:
    """Change one setting (checked before it is stored)."""
    with _errors(), _open(store) as s:
        stored = s.set_setting(key, value)
        out.print(f"{key} = {stored}")


def _version(value: bool) -> None:
    if value:
        out.print(f"salesperf {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """salesperf: sales activity and sales performance side by side."""


def main() -> None:
    """Run the command line."""
    app()
