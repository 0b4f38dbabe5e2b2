"""`salesperf alias`: the names, e-mails and CRM owner ids under which a rep appears in exports
(the `rep_aliases` table, through which every import resolves its owners)."""

from __future__ import annotations

from typing import Annotated

import typer

from salesperf.cli.common import StoreOpt, UserError, errors, open_store, out

alias_app = typer.Typer(
    help="The names, e-mails and CRM owner ids under which a rep appears in exports.",
    no_args_is_help=True,
)


@alias_app.command("add")
def alias_add(
    alias: Annotated[str, typer.Argument(help="The owner as an export names them.")],
    rep_id: Annotated[str, typer.Argument(help="The rep it is.")],
    source: Annotated[
        str | None, typer.Option(help="Where the name comes from (hubspot, salesforce, ...).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Make ALIAS a name of rep REP_ID in every later import (an existing alias is moved)."""
    with errors(), open_store(store) as s:
        alias, rep_id = alias.strip(), rep_id.strip()
        if not alias or any(ord(ch) < 32 for ch in alias):
            raise UserError("an alias is a name, an e-mail address or an owner id, on one line")
        reps = s.table("reps")
        if not int(reps.filter(reps.rep_id == rep_id).count().execute()):
            raise UserError(f"there is no rep {rep_id!r}; import the rep first")
        s.merge_rows("rep_aliases", [{"alias": alias, "rep_id": rep_id, "source": source}])
        out.print(f"{alias!r} → {rep_id}", highlight=False, markup=False)


@alias_app.command("list")
def alias_list(store: StoreOpt = None) -> None:
    """Every alias, with its rep and source."""
    with errors(), open_store(store) as s:
        rows = s.table("rep_aliases").order_by(["rep_id", "alias"]).to_pyarrow().to_pylist()
    for r in rows:
        out.print(
            f"{r['alias']}\t{r['rep_id']}\t{r['source'] or ''}", highlight=False, markup=False
        )
