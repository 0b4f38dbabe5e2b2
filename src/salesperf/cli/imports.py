"""`salesperf imports`: what imports did, and undoing the deletions of a snapshot import."""

from __future__ import annotations

from typing import Annotated

import typer

from salesperf.cli.common import StoreOpt, errors, open_store, out
from salesperf.ingest.snapshot import restore

imports_app = typer.Typer(
    help="The imports of the store: restore the rows a snapshot import deleted.",
    no_args_is_help=True,
)


@imports_app.command("restore")
def restore_cmd(
    import_id: Annotated[int, typer.Argument(help="The import whose deleted rows to restore.")],
    store: StoreOpt = None,
) -> None:
    """Put back the rows a snapshot import (`import --replace`) deleted, by key, all at once.
    A row whose key was stored again since is left as it is now (the newer row wins)."""
    with errors(), open_store(store) as s:
        done = restore(s, import_id)
    out.print(
        f"Import {done.import_id}: {done.restored} {done.table} row(s) restored.", highlight=False
    )
    if done.kept:
        shown = ", ".join(done.kept[:10]) + (" …" if len(done.kept) > 10 else "")
        out.print(
            f"{len(done.kept)} row(s) were not restored: a row with the same key was stored "
            f"again since, and is kept as it is now ({shown}).",
            highlight=False,
        )
