"""`salesperf copy`: move a store to another engine (a DuckDB file to PostgreSQL or Spark, and
back), with its settings and its users."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from salesperf.cli.common import StoreOpt, UserError, err, errors, open_store, out


def copy_cmd(
    target: Annotated[
        str,
        typer.Argument(
            help="The store to copy to: a DuckDB file, postgresql://..., or local[*]?warehouse=..."
        ),
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a target that already holds rows.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Copy the store (every canonical table, the settings and the users with their password
    hashes) to another store, on any engine. Sessions and API tokens are not copied."""
    from salesperf.auth.users import copy_users
    from salesperf.schema import TABLES
    from salesperf.store import Store, copy_store

    with errors(), open_store(store) as source:
        if _same_store(source.url, target):
            raise UserError(f"{target} is the store being copied; give another target")
        with Store.open(target) as dest:
            held = sum(dest.count(name) for name in TABLES)
            if held and not replace:
                raise UserError(
                    f"{dest.url} already holds {held:,} rows; give --replace to overwrite "
                    "its tables (its users of the same names are replaced too)"
                )
            with err.status(f"Copying {source.url} to {dest.url}…"):
                copied = copy_store(source, dest)
                users = copy_users(source, dest)
            t = RichTable(title=f"Copied to {dest.url}")
            t.add_column("table")
            t.add_column("rows", justify="right")
            for name, rows in copied.items():
                t.add_row(name, f"{rows:,}")
            t.add_row("users", f"{users:,}")
            out.print(t)
            out.print(
                "Sessions and API tokens were not copied: people sign in again, and "
                "`salesperf users token` issues new tokens.",
                highlight=False,
            )


def _same_store(a: str, b: str) -> bool:
    """Whether two store URLs name the same DuckDB file (other engines: the same URL)."""
    from pathlib import Path

    if "://" in a or "://" in b or "[" in a or "[" in b:
        return a == b
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
