"""What the terminal shows: import progress and summaries, and the scorecard's tables."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table as RichTable

from salesperf.cli.common import headings
from salesperf.i18n import format as fmt
from salesperf.ingest.importer import ImportResult
from salesperf.metrics.registry import Group, metric
from salesperf.metrics.targets import BASIS
from salesperf.scorecard import Cell, Scorecard
from salesperf.text import Lang

PHASES = {
    "read": "Reading the file",
    "check": "Checking every row",
    "write": "Writing",
    "deleted": "Writing (rows not in the file deleted)",
    "commit": "Committing",
}


class LazyProgress:
    """A progress bar for the running phase, shown only once an import has taken a second.

    `poll` gives the engine's progress on the statement it is running (0-100, or below 0 when
    it cannot tell); the bar follows it, phase by phase.
    """

    def __init__(
        self, console: Console, poll: Callable[[], float] | None = None, delay: float = 1.0
    ) -> None:
        self.console = console
        self.poll = poll
        self.phase = "Starting"
        self.progress: Progress | None = None
        self.task: Any = None
        self.timer = threading.Timer(delay, self._start)
        self.lock = threading.Lock()
        self.started = False
        self.done = threading.Event()
        self.poller = threading.Thread(target=self._follow, daemon=True)

    def _start(self) -> None:
        with self.lock:
            self.started = True
            if not self.console.is_terminal:
                # scripts and logs see the phases as lines instead of a bar
                self.console.print(f"{self.phase}…", highlight=False)
                return
            self.progress = Progress(
                TextColumn("{task.description:<22}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.phase, total=100)
        if self.poll is not None:
            self.poller.start()

    def _follow(self) -> None:
        while not self.done.wait(0.2):
            assert self.poll is not None
            pct = self.poll()  # < 0 while unknown
            with self.lock:
                if self.progress is not None and pct >= 0:
                    self.progress.update(self.task, completed=pct)

    def __call__(self, phase: str) -> None:
        with self.lock:
            self.phase = PHASES.get(phase, phase)
            if self.progress is not None:
                self.progress.update(self.task, description=self.phase, completed=0)
            if self.started and not self.console.is_terminal:
                self.console.print(f"{self.phase}…", highlight=False)

    def __enter__(self) -> LazyProgress:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.done.set()
        with self.lock:
            if self.progress is not None:
                self.progress.stop()


def print_result(
    out: Console, r: ImportResult, show: int, lang: Lang | str = Lang.EN, snapshot: bool = False
) -> None:
    """The summary of one import, with its first problems, in English or Dutch (with the
    deleted rows of a `snapshot` import)."""
    from salesperf.i18n import messages as i18n  # Babel loads only when an import is shown

    t = RichTable(
        title=f"Import {r.import_id}: {Path(r.source).name} → {r.table}", show_header=False
    )
    for key, value in (
        ("import.rows_read", r.rows_read),
        ("import.inserted", r.inserted),
        ("import.updated", r.updated),
        ("import.unchanged", r.unchanged),
        ("import.rejected", r.rejected),
        *((("import.deleted", r.deleted),) if snapshot or r.deleted else ()),
        ("import.seconds", f"{r.seconds:.2f}"),
    ):
        t.add_row(i18n.t(key, lang), str(value))
    out.print(t)
    if r.deleted:
        out.print(i18n.t("import.restore_hint", lang, n=r.deleted, id=r.import_id), highlight=False)
    if r.ignored_columns:
        out.print(
            f"{i18n.t('import.ignored', lang)}: {', '.join(r.ignored_columns)}", highlight=False
        )
    if r.suggested:
        out.print(i18n.t("import.suggested", lang), highlight=False)
        for column, value, word, rows in r.suggested:
            out.print(f"  {column}: {value!r} → {word} ({rows:,})", highlight=False, markup=False)
    if r.unknown_owners:
        from salesperf.ingest.owners import add_owner_hint

        rows = sum(n for _, n in r.unknown_owners)
        out.print(
            "[bold yellow]"
            + i18n.t("import.unknown_owners", lang, n=len(r.unknown_owners), rows=rows)
            + "[/]"
        )
        for owner, n in r.unknown_owners[: show * 3]:
            out.print(f"  {owner!r}: {n:,}", highlight=False, markup=False)
        if len(r.unknown_owners) > show * 3:
            out.print(f"  … {len(r.unknown_owners) - show * 3}", highlight=False)
        out.print(add_owner_hint(list(r.unknown_owners)), highlight=False, markup=False)
    listed = [
        p
        for p in r.problems
        if not (r.unknown_owners and p.column == "rep_id" and p.rule == "unknown_reference")
    ]
    if listed:
        out.print(f"[bold yellow]{i18n.t('import.first_problems', lang, n=r.rejected)}[/]")
        line = i18n.t("import.line", lang).lower()
        for p in listed[:show]:
            out.print(f"  {line} {p.line}, {p.column}: {p.text(lang)}", highlight=False)
    if r.rejects_path and (listed or r.unknown_owners):
        out.print(i18n.t("import.all_rejects", lang, path=str(r.rejects_path)), highlight=False)


def render_scorecard(
    card: Scorecard, currency: str, console: Console, lang: Lang = Lang.EN
) -> None:
    """The scorecard as three tables: activity (input), performance (output), effectiveness."""
    h = headings("scorecard", lang)
    when = fmt.period(card.period, lang)
    if not card.rows:
        console.print(h["no_data"].format(period=when))
        return
    shown: tuple[str, ...] = ()
    if card.headline and card.split is None:
        _render_headline(card, currency, console, lang)
        shown = card.headline
    for group in (Group.ACTIVITY, Group.PERFORMANCE, Group.EFFECTIVENESS):
        metrics = tuple(m for m in card.group(group) if m.name not in shown)
        if not metrics:
            continue
        t = RichTable(title=f"{h[group.value]}, {when}", title_justify="left")
        t.add_column(h[card.by.value])
        if card.split is not None:
            t.add_column(h[f"split.{card.split.value}"])
        if card.grain.value != "all":
            t.add_column(h["period"])
        for m in metrics:
            t.add_column(card.label(m.name, lang), justify="right")
        for r in card.rows:
            cells = [r.name] + ([r.split or "—"] if card.split is not None else [])
            cells += [fmt.date(r.period_start, lang)] if card.grain.value != "all" else []
            show_target = "quota_attainment" not in card.metrics
            cells += [_cell(r.cells[m.name], m.unit, currency, lang, show_target) for m in metrics]
            t.add_row(*cells)
        console.print(t)
    codes = sorted({c.target_basis for r in card.rows for c in r.cells.values() if c.target_basis})
    if codes:
        ways = "; ".join(
            (BASIS[c].nl if lang is Lang.NL else BASIS[c].en) for c in codes if c in BASIS
        )
        console.print(h["basis"].format(period=when, ways=ways), highlight=False)


def _cell(c: Cell, unit: str, currency: str, lang: Lang, show_target: bool) -> str:
    """One figure with its change, its share of target and a mark when its target is derived."""
    text = fmt.metric(c.value, unit, lang, currency)
    change = fmt.change(c.change, c.previous, unit, lang)
    if change:
        text += f" [dim]{change}[/]"
    if c.attainment is not None and show_target:
        share = fmt.percent(c.attainment, lang, 0)
        text += f" [cyan]{headings('scorecard', lang)['of_target'].format(share=share)}[/]"
    return text + ("*" if c.target_basis else "")


def _render_headline(card: Scorecard, currency: str, console: Console, lang: Lang) -> None:
    """The context preset's headline KPIs first: what this kind of company looks at first."""
    h = headings("scorecard", lang)
    title = h["headline"].format(
        context=card.context.title.get(lang), period=fmt.period(card.period, lang)
    )
    t = RichTable(title=title, title_justify="left")
    t.add_column(h[card.by.value])
    if card.grain.value != "all":
        t.add_column(h["period"])
    for name in card.headline:
        t.add_column(card.label(name, lang), justify="right")
    for r in card.rows:
        cells = [r.name] + ([fmt.date(r.period_start, lang)] if card.grain.value != "all" else [])
        cells += [
            _cell(r.cells[name], metric(name).unit, currency, lang, True) for name in card.headline
        ]
        t.add_row(*cells)
    console.print(t)
