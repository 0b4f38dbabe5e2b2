"""`salesperf diagnose`: the activity–performance quadrant per rep, with intervals, and where
conversion breaks for reps who are busy but not effective or at risk."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from salesperf.analysis.vocab import Basis, Label, Peers
from salesperf.analysis.windows import WINDOW_HELP
from salesperf.cli.common import (
    FormatOpt,
    LangOpt,
    OutputFormat,
    StoreOpt,
    TeamOpt,
    errors,
    headings,
    judged,
    open_store,
    out,
    print_json,
)
from salesperf.cli.plan import AsOfOpt, parse_day
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import t
from salesperf.text import Lang

if TYPE_CHECKING:
    from salesperf.analysis.quadrant.model import Diagnosis, Index, RepDiagnosis

_STYLE = {
    Label.STAR: "bold green",
    Label.BUSY: "bold yellow",
    Label.EFFICIENT: "bold cyan",
    Label.AT_RISK: "bold red",
    Label.INCONCLUSIVE: "dim",
}

QuadrantWindowOpt = Annotated[
    str | None,
    typer.Option(
        "--window",
        help="The window (default: the shortest run of whole quarters, up to four, ending with "
        "the last full one, in which at least half the active reps have enough deals for a "
        f"label): {WINDOW_HELP.replace('last-quarter (the default)', 'last-quarter')}.",
        show_default=False,
    ),
]
PeersOpt = Annotated[
    Peers | None,
    typer.Option(
        "--peers",
        help="Compare each rep with their own team, or with the whole queried team "
        "(default: the queried team with --team, else their own team).",
        show_default=False,
    ),
]


def diagnose_cmd(
    team: TeamOpt = None,
    window: QuadrantWindowOpt = None,
    peers: PeersOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = Lang.EN,
    format: FormatOpt = OutputFormat.TABLE,
    store: StoreOpt = None,
) -> None:
    """Each rep in the activity–performance quadrant (star, busy but not effective, efficient,
    at risk), only where the evidence supports it, and where their conversion breaks."""
    from salesperf.analysis.quadrant.model import DiagnoseQuery, diagnose  # loads the statistics

    with errors():
        day = parse_day(as_of)
        with open_store(store) as s:
            today = judged(s, day, format is OutputFormat.TABLE, lang)
            result = diagnose(s, DiagnoseQuery(team=team, window=window, peers=peers, today=today))
    if format is OutputFormat.JSON:
        print_json(result.to_json())
        return
    render_diagnosis(result, lang)


def index_text(index: Index, lang: Lang, sep: str = " ") -> str:
    """An index with its interval, `1.41 (1.37–1.46)`; decimal commas in Dutch."""
    if index.value is None:
        return fmt.DASH
    text = fmt.number(index.value, lang, 2)
    if index.low is not None and index.high is not None:
        text += f"{sep}({fmt.number(index.low, lang, 2)}–{fmt.number(index.high, lang, 2)})"
    return text


def _why(r: RepDiagnosis, lang: Lang) -> str:
    if r.reasons:
        return "; ".join(x.short.get(lang) for x in r.reasons)
    b = r.breaks_at
    if b is not None:
        rate, team = b.comparison.rate.estimate, b.comparison.team_rate or 0.0
        step = b.step.replace("->", " → ")
        vs = t("cli.diagnose.vs", lang)
        return f"{step}: {fmt.percent(rate, lang, 0)} {vs} {fmt.percent(team, lang, 0)}"
    if r.label in (Label.BUSY, Label.AT_RISK):
        return t("cli.diagnose.no_break", lang)
    return r.quadrant.suggests.get(lang)


def render_diagnosis(result: Diagnosis, lang: Lang) -> None:
    """The quadrant table, one row per rep, then the explanations in `lang`."""
    h = headings("diagnose", lang)
    if result.window_choice is not None:
        out.print(result.window_choice.text.get(lang), highlight=False)
    out.print(f"[bold]{result.explanation.get(lang)}[/]", highlight=False)
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    t.add_column(h["rep"], max_width=20)
    t.add_column(h["activity"], justify="right", no_wrap=True, min_width=11)
    t.add_column(h["performance"], justify="right", no_wrap=True, min_width=11)
    t.add_column(h["label"], min_width=12, max_width=14)
    t.add_column(h["why"], min_width=16)
    for r in result.reps:
        perf = index_text(r.performance.index, lang, "\n")
        if r.performance.index.basis is Basis.TEAM_MEDIAN and perf != "—":
            perf = perf.replace("\n", " †\n", 1) if "\n" in perf else f"{perf} †"
        t.add_row(
            f"{r.rep_id} {r.name} [dim]({r.team_id})[/]", index_text(r.activity.index, lang, "\n"),
            perf,
            f"[{_STYLE[r.label]}]{r.quadrant.name.get(lang)}[/]", _why(r, lang),
        )  # fmt: skip
    out.print(t)
    out.print(h["legend"], highlight=False)
    for r in result.reps:
        out.print(f"\n{r.explanation.get(lang)}", highlight=False)
