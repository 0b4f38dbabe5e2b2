"""`salesperf rollups`: the roll-ups (aggregates per rep and local day that queries read in place
of the raw rows) built from scratch, and checked against the raw tables."""

from __future__ import annotations

import typer

from salesperf.cli.common import LangOpt, StoreOpt, err, errors, open_store, out
from salesperf.i18n.format import number
from salesperf.i18n.messages import t
from salesperf.text import Lang

rollups_app = typer.Typer(
    help="The roll-ups: rebuild them from the raw tables, or check them against those.",
    no_args_is_help=True,
)


@rollups_app.command("rebuild")
def rollups_rebuild(store: StoreOpt = None, lang: LangOpt = Lang.EN) -> None:
    """Build every roll-up again from the raw tables, each in a transaction of its own (until
    it commits, readers see the roll-up as it was). Every write through salesperf keeps them
    current; rebuild after rows were written into the store by other
    means (straight into a PostgreSQL store's tables)."""
    with errors(), open_store(store) as s:
        counts = s.rebuild_rollups()
    for name, rows in counts.items():
        out.print(t("cli.rollups.rows", lang, name=name, rows=number(rows, lang)), highlight=False)


@rollups_app.command("check")
def rollups_check(store: StoreOpt = None, lang: LangOpt = Lang.EN) -> None:
    """Compare each roll-up with a fresh build from the raw tables; exit 1 when one differs."""
    with errors(), open_store(store) as s:
        found = s.check_rollups()
    wrong = False
    for name, differ in found.items():
        if differ is None:
            line = t("cli.rollups.unused", lang, name=name)
        elif differ:
            wrong = True
            line = t("cli.rollups.differ", lang, name=name, rows=number(differ, lang))
        else:
            line = t("cli.rollups.equal", lang, name=name)
        (err if differ else out).print(line, highlight=False, markup=False)
    if wrong:
        err.print(t("cli.rollups.fix", lang), highlight=False, markup=False)
        raise typer.Exit(1)
