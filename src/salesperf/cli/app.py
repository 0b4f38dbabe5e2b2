"""The salesperf command line: thin commands that call the library."""

from __future__ import annotations

from typing import Annotated

import typer

from salesperf import __version__
from salesperf.cli.aliases import alias_app
from salesperf.cli.common import (
    DEBUG_ENV,
    out,
    set_debugging,
)
from salesperf.cli.copy import copy_cmd
from salesperf.cli.demo import demo_cmd
from salesperf.cli.diagnose import diagnose_cmd
from salesperf.cli.drivers import drivers_cmd
from salesperf.cli.forecast import forecast_cmd
from salesperf.cli.health import health_cmd
from salesperf.cli.importing import import_cmd
from salesperf.cli.imports import imports_app
from salesperf.cli.metrics import metrics_app
from salesperf.cli.plan import plan_cmd
from salesperf.cli.quality import quality_cmd
from salesperf.cli.report import report_app
from salesperf.cli.rollups import rollups_app
from salesperf.cli.scorecard import scorecard_cmd
from salesperf.cli.serve import serve_cmd
from salesperf.cli.settings import settings_app
from salesperf.cli.status import status_cmd
from salesperf.cli.sync import sync_app
from salesperf.cli.users import users_app

app = typer.Typer(
    help="salesperf: sales activity and sales performance side by side.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# Each command in its own module, registered here in the order `--help` lists them.
app.command("import")(import_cmd)
app.command("demo")(demo_cmd)
app.command("status")(status_cmd)
app.command("copy")(copy_cmd)
app.command("scorecard")(scorecard_cmd)
app.command("diagnose")(diagnose_cmd)
app.command("health")(health_cmd)
app.command("quality")(quality_cmd)
app.command("drivers")(drivers_cmd)
app.command("plan")(plan_cmd)
app.command("forecast")(forecast_cmd)
app.add_typer(report_app, name="report")
app.command("serve")(serve_cmd)
app.add_typer(settings_app, name="settings")
app.add_typer(metrics_app, name="metrics")
app.add_typer(users_app, name="users")
app.add_typer(imports_app, name="imports")
app.add_typer(alias_app, name="alias")
app.add_typer(rollups_app, name="rollups")
app.add_typer(sync_app, name="sync")


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
