"""What every command shares: the consoles, the `--store` option, and how user errors show."""

from __future__ import annotations

import json
import os
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from salesperf.analysis.asof import judge_as_of
from salesperf.analysis.windows import WINDOW_HELP
from salesperf.errors import InputError, SalesperfError
from salesperf.i18n.messages import MESSAGES, t
from salesperf.store import STORE_ENV, Store
from salesperf.store.engines.base import damaged, out_of_memory
from salesperf.text import Lang

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


class OutputFormat(StrEnum):
    """How an analysis command prints its result."""

    TABLE = "table"
    JSON = "json"


LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of labels and explanations.")]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", help="table (for people) or json (for scripts).")
]
WindowOpt = Annotated[str, typer.Option("--window", help=f"The window: {WINDOW_HELP}.")]
TeamOpt = Annotated[
    str | None, typer.Option("--team", help="A team id: that team and its sub-teams.")
]
RepOpt = Annotated[str | None, typer.Option("--rep", help="A rep id.")]


class UserError(InputError):
    """A problem the user can fix; shown without a traceback, exit code 2."""


#: The exit code of a bug (an error salesperf does not expect); a user's mistake is 2.
INTERNAL_EXIT = 1
DEBUG_ENV = "SALESPERF_DEBUG"


#: Whether this run of the command line asked for tracebacks (set by the global options).
_debug: ContextVar[bool] = ContextVar("salesperf_debug", default=False)


def set_debugging(on: bool) -> None:
    """Remember `--debug` for this run (the global options call this on every run)."""
    _debug.set(on)


def debugging() -> bool:
    """Whether the command line was asked for tracebacks (`salesperf --debug ...`, or
    $SALESPERF_DEBUG set to 1)."""
    env = os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")
    return _debug.get() or env


def report_bug(exc: BaseException) -> NoReturn:
    """Say that an unexpected error is a bug, with an id to report it by (and the traceback
    under --debug), and exit with `INTERNAL_EXIT`."""
    error_id = uuid.uuid4().hex[:12]
    if debugging():
        err.print("".join(traceback.format_exception(exc)), markup=False, highlight=False)
        hint = "the traceback is above"
    else:
        hint = "run the command again with `salesperf --debug ...` to see the traceback"
    err.print(
        f"[bold red]Internal error[/] (id {error_id}): this is a bug in salesperf, not a "
        f"mistake in what you gave; {hint}, and report it with the id.",
        highlight=False,
    )
    raise typer.Exit(INTERNAL_EXIT) from None


@contextmanager
def errors() -> Iterator[None]:
    """Show a user's mistake as one clear line and exit with code 2 (no traceback); anything
    else is a bug (see `report_bug`)."""
    try:
        yield
    except SalesperfError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    except Exception as exc:
        message = out_of_memory(exc) or damaged(exc)
        if message is None:
            report_bug(exc)
        err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
        raise typer.Exit(2) from None


def open_store(store: str | None, *, create: bool = False) -> Store:
    """Open the store named by `--store` (or the default).

    Only commands that make a store on purpose (import, demo, ...) pass `create`: for the
    others a path that does not exist is a mistake, refused before anything is written.
    """
    return Store.open(store, create=create)


def headings(command: str, lang: Lang) -> dict[str, str]:
    """A command's table headings and labels in `lang`, by name (`cli.<command>.<name>`)."""
    start = f"cli.{command}."
    return {k[len(start) :]: v.get(lang) for k, v in MESSAGES.items() if k.startswith(start)}


def print_json(data: Any) -> None:
    """Print `data` as JSON on standard output (dates and the like as strings)."""
    out.print_json(json.dumps(data, default=str))


def judged(store: Store, as_of: date | None, say: bool = True, lang: Lang = Lang.EN) -> date:
    """The day to judge as of (see `salesperf.analysis.asof`), saying so on standard error
    (when `say`) if the data end before today."""
    rule = judge_as_of(store, as_of)
    note = rule.note()
    if say and rule.moved and note is not None:
        choose = t("cli.asof.choose", lang)
        err.print(f"[dim]{escape(note.get(lang))}{choose}[/]", highlight=False)
    return rule.day
