"""The salesperf command line: thin commands that call the library."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from salesperf import __version__
from salesperf.analysis.windows import period_label
from salesperf.cli.aliases import alias_app
from salesperf.cli.common import (
    DEBUG_ENV,
    LangOpt,
    StoreOpt,
    UserError,
    err,
    errors,
    open_store,
    out,
    set_debugging,
)
from salesperf.cli.copy import copy_cmd
from salesperf.cli.diagnose import diagnose_cmd
from salesperf.cli.drivers import drivers_cmd
from salesperf.cli.forecast import forecast_cmd
from salesperf.cli.health import health_cmd
from salesperf.cli.imports import imports_app
from salesperf.cli.plan import plan_cmd
from salesperf.cli.scorecard import scorecard_cmd
from salesperf.cli.serve import serve_cmd
from salesperf.cli.terminal import LazyProgress, print_result, render_scorecard
from salesperf.cli.users import users_app
from salesperf.errors import InputError
from salesperf.i18n import format as fmt
from salesperf.ingest.importer import import_file
from salesperf.ingest.mapping import DATE_FORMATS
from salesperf.ingest.resolve import preset_help, resolve_mapping
from salesperf.ingest.snapshot import system_name
from salesperf.metrics.periods import Grain, parse_period
from salesperf.metrics.query import By, Split
from salesperf.schema import TABLES
from salesperf.settings import SETTING_KEYS
from salesperf.text import Lang

app = typer.Typer(
    help="salesperf: sales activity and sales performance side by side.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
settings_app = typer.Typer(help="Show or change the organisation's settings.", no_args_is_help=True)
app.add_typer(settings_app, name="settings")
metrics_app = typer.Typer(
    help="List the metrics and explain how each is computed.", no_args_is_help=True
)
app.add_typer(metrics_app, name="metrics")


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
        data["rejects_path"] = str(result.rejects_path) if result.rejects_path else None
        out.print_json(json.dumps(data, default=str))
    else:
        print_result(out, result, show=10, lang=lang, snapshot=replace)


@app.command()
def demo(
    context: Annotated[str, typer.Option(help="startup, consultancy or agency.")] = "startup",
    reps: Annotated[int, typer.Option(help="Number of reps.")] = 24,
    years: Annotated[int, typer.Option(help="Years of history.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the demo dashboard, with demo sign-ins.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Build the seeded demo organisation in the store (replacing what is there) and show its
    scorecards for the last full quarter."""
    from salesperf.auth.users import add_demo_users
    from salesperf.cli.serve import finish_demo
    from salesperf.demo import DemoConfig, build_demo
    from salesperf.scorecard import last_full_quarter, scorecards
    from salesperf.store import resolve_url

    with errors():
        config = DemoConfig(context=context, reps=reps, years=years, seed=seed)
        started = time.monotonic()
        with open_store(store, create=True) as s:
            with err.status(f"Building the {context} demo organisation…"):
                data = build_demo(s, config)
                demo_users = add_demo_users(s)
            built = time.monotonic() - started
            counts = s.counts()
            where = s.path or s.url
            quarter = last_full_quarter(config.end + timedelta(days=1))
            after = parse_period(quarter.label).end
            next_quarter = period_label(after, Grain.QUARTER)
            mid_quarter = (quarter.start + timedelta(days=45)).isoformat()
            cards = scorecards(s, levels=(By.ORG, By.TEAM), period=quarter)
            org_card, team_card = cards[By.ORG], cards[By.TEAM]
            currency = s.settings.currency
            names = {
                r["rep_id"]: r["name"]
                for r in s.table("reps").select("rep_id", "name").to_pyarrow().to_pylist()
            }
            teams = {
                r["team_id"]: r["name"]
                for r in s.table("teams").select("team_id", "name").to_pyarrow().to_pylist()
            }
    t = RichTable(title=f"Demo organisation ({context}, seed {seed}) in {where}")
    t.add_column("table")
    t.add_column("rows", justify="right")
    for name, n in counts.items():
        t.add_row(name, f"{n:,}")
    out.print(t)
    out.print(f"Built in {built:.1f} s.\n")
    shown = fmt.period(quarter, Lang.EN)
    out.print(f"[bold]The organisation, {shown}[/]")
    render_scorecard(org_card, currency, out)
    out.print(f"\n[bold]Each team (with its sub-teams), {shown}[/]")
    render_scorecard(team_card, currency, out)
    p = data.planted
    out.print(
        "\n[bold]What to look at next[/] (the commands are in .venv/bin)\n"
        f"  salesperf scorecard --by rep --period {quarter.label}    every rep, input to output\n"
        f"  salesperf scorecard --by team --grain month --period {quarter.label[:4]}\n"
        f"  salesperf scorecard --split type --metrics activities,activities_per_day,"
        "call_connect_rate,meetings_held_rate\n"
        "  salesperf metrics explain win_rate    how a figure is computed\n"
        "  salesperf diagnose --window last-4-quarters    who is busy but not effective, and why\n"
        "  salesperf health    teams and reps consistently under target\n"
        "  salesperf drivers    which activities go with results, and with what lag\n"
        f"  salesperf plan --target 250000 --period {next_quarter} --team "
        f"{p.under_target_team}    the activity a target requires\n"
        f"  salesperf forecast --period {quarter.label} --as-of {mid_quarter}    "
        "will the target be hit?\n"
        f"The demo hides patterns to find: team {teams.get(p.under_target_team)} misses its "
        f"target most quarters; {', '.join(names.get(r, r) for r in p.busy_not_effective)} are "
        f"busy but not effective; {', '.join(names.get(r, r) for r in p.efficient)} are "
        f"efficient; {names.get(p.new_hire, p.new_hire)} is a new hire ramping up.",
        highlight=False,
    )
    finish_demo(resolve_url(store), demo_users, serve=serve)


@app.command()
def status(store: StoreOpt = None) -> None:
    """Show the store: where it is, its schema version, row counts and the last imports."""
    with errors(), open_store(store) as s:
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
    with errors(), open_store(store) as s:
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
    # a new organisation may set its time zone before its first import (see the README)
    with errors(), open_store(store, create=True) as s:
        stored = s.set_setting(key, value)
        out.print(f"{key} = {stored}")


@metrics_app.command("list")
def metrics_list() -> None:
    """Every metric, by group, with its English and Dutch label."""
    from salesperf.metrics.registry import METRICS, computable

    scorecard_metrics = set(computable())
    for m in METRICS.values():
        where = "scorecard" if m.name in scorecard_metrics else "analyses"
        out.print(
            f"{m.name:<24} {m.group.value:<13} {m.unit.value:<6} {where:<9} "
            f"{m.label_en} / {m.label_nl}",
            highlight=False,
        )


@metrics_app.command("explain")
def metrics_explain(
    name: Annotated[str, typer.Argument(help="A metric name, e.g. win_rate.")],
    period: Annotated[
        str | None,
        typer.Option(help="Also show the figures of this period (e.g. 2025-Q1), and why any is "
                     "empty."),
    ] = None,
    by: Annotated[By, typer.Option(help="The figures of --period by rep, team or org.")] = By.REP,
    lang: LangOpt = Lang.EN,
    store: StoreOpt = None,
) -> None:  # fmt: skip
    """A metric's definition, when it is empty, and the SQL it compiles to on this store's
    engine; with --period, its figures and why an empty one is empty."""
    from salesperf.metrics.compiler import Compiler
    from salesperf.metrics.query import Query
    from salesperf.metrics.registry import formula, get, null_cases, null_reason
    from salesperf.scorecard import last_full_quarter, scorecard

    with errors():
        try:
            m = get(name)
        except KeyError as exc:
            raise UserError(str(exc.args[0])) from None
        out.print(f"[bold]{m.name}[/] — {m.label_en} / {m.label_nl}")
        out.print(f"{m.description_en}\n{m.description_nl}", highlight=False)
        out.print(f"group {m.group.value}, type {m.type.value}, unit {m.unit.value}, "
                  f"{'higher' if m.higher_is_better else 'lower'} is better")  # fmt: skip
        cases = null_cases(name)
        if cases:
            out.print("Empty (—), never 0, when / Leeg (—), nooit 0, als:", highlight=False)
            for case in cases:
                out.print(f"  {case.code}: {case.en} / {case.nl}", highlight=False)
        per = f.split if (f := formula(name)) is not None else None  # e.g. per type
        try:
            with open_store(store) as s:
                p = last_full_quarter(date.today())
                q = Query(metrics=(name,), start=p.start, end=p.end, grain=Grain.MONTH, by=By.REP,
                          split=Split(per) if per else None)  # fmt: skip
                currency = s.settings.currency
                comp = Compiler(s.con, s.settings.timezone, currency=currency)
                sql = comp.to_sql(q, comp.plan(q))
                card = (
                    scorecard(s, by=by, period=period, metrics=(name,), split=per)
                    if period is not None
                    else None
                )
        except InputError as exc:
            out.print(f"Not a scorecard metric: {exc}", highlight=False)
            return
        split = f" and {q.split.value}" if q.split else ""
        out.print(f"\nSQL for one quarter by rep{split} and month:")
        print(sql)
        if card is None:
            return
        shown = fmt.period(card.period, lang)
        out.print(f"\n{m.label_nl if lang is Lang.NL else m.label_en}, {shown}:")
        for r in card.rows:
            c = r.cells[name]
            why = null_reason(name, c.null_reason) if c.null_reason else None
            text = (why.nl if lang is Lang.NL else why.en) if why else ""
            part = f" {r.split}" if r.split else ""
            out.print(f"  {r.name} ({r.key}){part}: {fmt.metric(c.value, m.unit, lang, currency)}  {text}".rstrip(),
                      highlight=False)  # fmt: skip


# The analyses, the server and the users: each command in its own module.
app.command("copy")(copy_cmd)
app.command("scorecard")(scorecard_cmd)
app.command("diagnose")(diagnose_cmd)
app.command("health")(health_cmd)
app.command("drivers")(drivers_cmd)
app.command("plan")(plan_cmd)
app.command("forecast")(forecast_cmd)
app.command("serve")(serve_cmd)
app.add_typer(users_app, name="users")
app.add_typer(imports_app, name="imports")
app.add_typer(alias_app, name="alias")


def _version(value: bool) -> None:
    if value:
        out.print(f"salesperf {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar=DEBUG_ENV,
            help="On an internal error (a bug in salesperf, exit code 1), print its traceback; "
            "without it, one line with an error id (bad input is one line, exit code 2).",
        ),
    ] = False,
) -> None:
    """salesperf: sales activity and sales performance side by side."""
    set_debugging(debug)


def main() -> None:
    """Run the command line."""
    app()
