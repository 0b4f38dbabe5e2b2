"""The weekly report in words: titles, notes and tables of formatted figures, in English or
Dutch, from the one catalogue (`salesperf.i18n.catalogue.report`) and the one formatter. The
HTML page, the mail and the PDF render these same words; `plain_text` writes them as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from salesperf.analysis.report.model import Report
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import t
from salesperf.i18n.words import word
from salesperf.metrics.periods import Grain
from salesperf.text import Lang

#: The most stuck deals a report lists (the rest are counted).
MOST_STUCK = 15


@dataclass(frozen=True)
class Table:
    """Column headings and rows of formatted cells; `right`: the columns of figures."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: tuple[bool, ...]


@dataclass(frozen=True)
class Section:
    """One part of the report: its title, sentences, a table, and what it says when empty."""

    key: str
    title: str
    notes: tuple[str, ...] = ()
    table: Table | None = None
    empty: str | None = None


@dataclass(frozen=True)
class Words:
    """The whole report in one language."""

    lang: Lang
    title: str
    subject: str
    intro: str
    sections: tuple[Section, ...]
    footer: str


def words(report: Report, lang: Lang | str = Lang.EN, made: date | None = None) -> Words:
    """The report in `lang` (`made`: the day named in its footer, default today)."""
    lang = Lang(lang)
    week = fmt.period(report.week, lang)
    days = fmt.span(report.week.start, report.week.end - timedelta(days=1), lang)
    values = {"team": report.team_name, "week": week}
    sections = [
        _week(report, lang),
        _leaders(report, lang),
        _quadrant(report, lang),
        _funnel(report, lang),
        _under(report, lang),
        _stuck(report, lang),
        _quality(report, lang),
    ]
    if report.alerts:
        notes = tuple(_alert(a, lang) for a in report.alerts)
        sections.insert(0, Section("alerts", t("report.section.alerts", lang), notes))
    return Words(
        lang,
        t("report.title", lang, **values),
        t("report.subject", lang, **values),
        t("report.intro", lang, **values, days=days, previous=fmt.period(report.previous, lang)),
        tuple(sections),
        t(
            "report.footer",
            lang,
            day=fmt.date(made or date.today(), lang),
            currency=report.currency,
        ),
    )


def _alert(alert: Any, lang: Lang) -> str:
    """An alert's sentence: its `text` (a `Text`) in `lang`, else the alert as it is."""
    text = getattr(alert, "text", None)
    return text.get(lang) if text is not None and hasattr(text, "get") else str(alert)


def _cols(lang: Lang, *keys: str) -> tuple[str, ...]:
    return tuple(t(f"report.col.{k}", lang) for k in keys)


def _week(r: Report, lang: Lang) -> Section:
    rows = []
    for team in r.teams:
        for f in team.figures:
            c = f.cell
            rows.append((
                team.name, r.context.label(f.metric, lang),
                fmt.metric(c.value, f.unit, lang, r.currency),
                fmt.metric(c.previous, f.unit, lang, r.currency),
                fmt.change(c.change, c.previous, f.unit, lang) or fmt.DASH,
                fmt.metric(c.target, f.unit, lang, r.currency) if c.target is not None else fmt.DASH,
                fmt.percent(c.attainment, lang, 0),
            ))  # fmt: skip
    cols = _cols(lang, "team", "metric", "value", "previous", "change", "target", "attainment")
    table = Table(cols, tuple(rows), (False, False, True, True, True, True, True))
    return Section("week", t("report.section.week", lang), (), table if rows else None,
                   t("report.none.week", lang))  # fmt: skip


def _leaders(r: Report, lang: Lang) -> Section:
    unit = r.teams[0].figure(r.ranked_by) if r.teams else None
    u = unit.unit if unit is not None else "count"
    rows = tuple(
        (
            fmt.DASH if x.rank is None else str(x.rank), x.name,
            fmt.metric(x.value.value, u, lang, r.currency),
            fmt.change(x.value.change, x.value.previous, u, lang) or fmt.DASH,
            fmt.metric(x.activities.value, "count", lang),
        )
        for x in r.leaders
    )  # fmt: skip
    cols = ("#", t("report.col.rep", lang), r.context.label(r.ranked_by, lang),
            t("report.col.change", lang), t("report.col.activities", lang))  # fmt: skip
    return Section("leaders", t("report.section.leaders", lang), (),
                   Table(cols, rows, (True, False, True, True, True)) if rows else None,
                   t("report.none.leaders", lang))  # fmt: skip


def _label(label: Any, lang: Lang) -> str:
    return t("report.not_judged", lang) if label is None else t(f"quadrant.name.{label}", lang)


def _quadrant(r: Report, lang: Lang) -> Section:
    note = t("report.quadrant.note", lang, now=fmt.period(r.quadrant_window, lang),
             before=fmt.period(r.quadrant_before, lang))  # fmt: skip
    rows = tuple((c.name, _label(c.before, lang), _label(c.after, lang))
                 for c in r.quadrant_changes)  # fmt: skip
    table = Table(_cols(lang, "rep", "before", "after"), rows, (False, False, False))
    return Section("quadrant", t("report.section.quadrant", lang), (note,),
                   table if rows else None, t("report.none.quadrant", lang))  # fmt: skip


def step_words(source: str, target: str, lang: Lang) -> str:
    """A pipeline step in words: Demo → Proposal."""
    return t("report.step", lang, source=word(source, lang), target=word(target, lang))


def _funnel(r: Report, lang: Lang) -> Section:
    f = r.funnel
    window = fmt.period(f.window, lang)
    w = f.weakest
    if w is None:
        return Section("funnel", t("report.section.funnel", lang), (),
                       None, t("report.none.funnel", lang, window=window))  # fmt: skip
    notes = [t("report.funnel.weakest", lang, window=window, step=step_words(w.source, w.target, lang),
               rate=fmt.percent(w.rate, lang, 0), entered=fmt.number(w.entered, lang))]  # fmt: skip
    for b in f.breaks:
        a, _, z = b.step.partition("->")
        step = step_words(a, z, lang) if z else word(b.step, lang)
        notes.append(t("report.funnel.breaks", lang, rep=b.name, step=step))
    rows = tuple(
        (step_words(s.source, s.target, lang), fmt.percent(s.rate, lang, 0),
         fmt.number(s.entered, lang), fmt.number(s.converted, lang))
        for s in f.steps
    )  # fmt: skip
    table = Table(_cols(lang, "step", "rate", "entered", "converted"), rows,
                  (False, True, True, True))  # fmt: skip
    return Section("funnel", t("report.section.funnel", lang), tuple(notes), table)


def _under(r: Report, lang: Lang) -> Section:
    grains = "health.grain.quarters" if r.health_grain is Grain.QUARTER else "health.grain.months"
    names = {x.team_id: x.name for x in r.teams} | r.rep_names
    rows = tuple(
        (names.get(u.id, u.name), t("report.missed", lang, missed=u.missed, n=u.periods),
         t(f"report.trend.{u.direction}", lang), fmt.percent(u.last_attainment, lang, 0))
        for u in r.under_target
    )  # fmt: skip
    notes: tuple[str, ...] = ()
    if rows:
        notes = (t("report.under.note", lang, k=r.health_min_missed, n=r.health_periods,
                   grains=t(grains, lang)),)  # fmt: skip
    table = Table(_cols(lang, "who", "missed", "trend", "last"), rows, (False, True, False, True))
    return Section("under", t("report.section.under", lang), notes, table if rows else None,
                   t("report.none.under", lang))  # fmt: skip


def _stuck(r: Report, lang: Lang) -> Section:
    notes = [t("report.stuck.note", lang, days=r.stuck_days)]
    rows = tuple(
        (d.deal_id, r.rep_names.get(d.rep_id, d.rep_id),
         word(d.stage, lang) if d.stage else fmt.DASH,
         fmt.money(d.amount, lang, d.currency or r.currency) if d.amount is not None else fmt.DASH,
         fmt.date(d.last_touch, lang), fmt.number(d.idle_days, lang))
        for d in r.stuck[:MOST_STUCK]
    )  # fmt: skip
    if len(r.stuck) > MOST_STUCK:
        notes.append(t("report.more", lang, n=len(r.stuck) - MOST_STUCK))
    cols = _cols(lang, "deal", "rep", "stage", "amount", "last_touch", "idle")
    table = Table(cols, rows, (False, False, False, True, True, True))
    return Section("stuck", t("report.section.stuck", lang), tuple(notes),
                   table if rows else None, t("report.none.stuck", lang))  # fmt: skip


def _quality(r: Report, lang: Lang) -> Section:
    rows = tuple(
        (r.rep_names.get(f.rep_id, f.rep_id), t(f"quality.{f.flag.value}", lang),
         t("report.missed", lang, missed=fmt.number(f.count, lang), n=fmt.number(f.total, lang)))
        for f in r.quality
    )  # fmt: skip
    table = Table(_cols(lang, "rep", "flag", "count"), rows, (False, False, True))
    return Section("quality", t("report.section.quality", lang), (), table if rows else None,
                   t("report.none.quality", lang))  # fmt: skip


# -- as plain text -------------------------------------------------------------------------
def plain_text(w: Words) -> str:
    """The report as plain text: a mail's text part, the command line's `--format text`."""
    lines = [w.title, "=" * len(w.title), "", w.intro, ""]
    for s in w.sections:
        lines += [s.title, "-" * len(s.title)]
        lines += list(s.notes)
        if s.table is not None:
            lines += _table(s.table)
        elif s.empty:
            lines.append(s.empty)
        lines.append("")
    lines.append(w.footer)
    return "\n".join(lines) + "\n"


def _table(table: Table) -> list[str]:
    widths = [
        max(len(c), *(len(row[i]) for row in table.rows))
        for i, c in enumerate(table.columns)
    ]  # fmt: skip

    def line(cells: tuple[str, ...]) -> str:
        parts = [
            c.rjust(w) if right else c.ljust(w)
            for c, w, right in zip(cells, widths, table.right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line(table.columns), line(tuple("-" * w for w in widths)),
            *(line(row) for row in table.rows)]  # fmt: skip
