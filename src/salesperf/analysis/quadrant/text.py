"""The quadrant in words, in English and Dutch: each rep's label with its reasons, how reps were
compared, how the window was chosen, where conversion breaks and what explains a gap in lead
conversion. The statistics modules hand over enums and numbers; the sentences are the message
catalogue's (`salesperf.i18n.catalogue.quadrant`), the numbers the one formatter's.

This module imports the statistics modules' types only for checking: they call it to put their
results in words, so it must not import them at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from salesperf.analysis.vocab import Basis, Label, Peers
from salesperf.contexts import Context
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import t
from salesperf.i18n.words import word
from salesperf.metrics.periods import Period
from salesperf.metrics.registry import metric, split_name
from salesperf.text import Lang, Text

if TYPE_CHECKING:
    from salesperf.analysis.quadrant.breaks import RateComparison, StepKind
    from salesperf.analysis.quadrant.evidence import Index, Reason, Why
    from salesperf.analysis.quadrant.leadmix import LeadFinding
    from salesperf.analysis.quadrant.window import Tried, WindowWhy


def both(make: Callable[[Lang], str]) -> Text:
    """The sentence `make` writes, in English and in Dutch."""
    return Text(make(Lang.EN), make(Lang.NL))


def said(key: str, **values: Any) -> Text:
    """The catalogue's `key` in both languages; values that are `Text` are put in per language."""
    return both(lambda lang: t(key, lang, **{k: _in(v, lang) for k, v in values.items()}))


def _in(value: Any, lang: Lang) -> Any:
    return value.get(lang) if isinstance(value, Text) else value


# -- the labels ------------------------------------------------------------------------------
def quadrant_name(label: Label) -> Text:
    """A label's name: Star / Topper."""
    return said(f"quadrant.name.{label.value}")


def quadrant_suggests(label: Label) -> Text:
    """What a label suggests doing."""
    return said(f"quadrant.suggests.{label.value}")


# -- why a rep has no label ------------------------------------------------------------------
def index_span(index: Index, lang: Lang) -> str:
    """An index with its interval: 1.27 [0.95–1.60], in Dutch 1,27 [0,95–1,60]."""
    assert index.value is not None
    value = fmt.number(index.value, lang, 2)
    if index.low is None or index.high is None:
        return value
    return f"{value} [{fmt.number(index.low, lang, 2)}–{fmt.number(index.high, lang, 2)}]"


def _counted(key: str, n: int, lang: Lang) -> str:
    return t(f"{key}.{'one' if n == 1 else 'other'}", lang, n=fmt.number(n, lang))


def reason_text(
    why: Why, about: str, count: int, limit: float, index: Index | None
) -> tuple[Text, Text]:
    """A reason a rep has no label, in a sentence and in a few words: `why` about `about`
    ("activity" or "performance"); `count` is the closed deals or active weeks and `limit`
    the threshold they fall short of (or the material difference), `index` the index judged."""
    key = f"quadrant.reason.{why.value}"

    def values(lang: Lang) -> dict[str, str]:
        v = {
            "about": t(f"quadrant.about.{about}", lang),
            "bare": t(f"quadrant.about.{about}.bare", lang),
            "min": fmt.number(limit, lang),
            "pct": fmt.percent(limit, lang, 0),
            "closed": _counted("quadrant.closed_deals", count, lang),
            "active": _counted("quadrant.weeks_active", count, lang),
            "weeks": fmt.number(count, lang),
        }
        if index is not None:
            ref = "target" if index.basis is Basis.TARGET else "team_median"
            v["ref"] = t(f"quadrant.ref.{ref}", lang)
            v["ref_bare"] = t(f"quadrant.ref.{ref}.bare", lang)
            if index.value is not None:
                v["span"] = index_span(index, lang)
        return v

    filled = {lang: values(lang) for lang in Lang}  # the sentence and its few words share them
    return (
        both(lambda lang: t(key, lang, **filled[lang])),
        both(lambda lang: t(f"{key}.short", lang, **filled[lang])),
    )


# -- one rep, and how reps were compared -------------------------------------------------------
def explain_rep(
    name: str,
    label: Label,
    reasons: Sequence[Reason],
    breaks: Text | None,
    mix: Text | None,
    lead_null: Mapping[str, str] | None = None,
) -> Text:
    """One rep's label and what it suggests, why there is none, where conversion breaks and
    how lead conversion compares (or why it is unknown)."""
    parts = [said("quadrant.rep.label", name=name, label=quadrant_name(label),
                  suggests=quadrant_suggests(label))]  # fmt: skip
    if reasons:
        joined = both(lambda lang: "; ".join(r.text.get(lang) for r in reasons))
        parts.append(said("quadrant.rep.no_label", reasons=joined))
    if breaks is not None:
        parts.append(breaks)
    elif label in (Label.BUSY, Label.AT_RISK):
        parts.append(said("quadrant.rep.no_break"))
    if mix is not None:
        parts.append(mix)
    elif lead_null is not None and lead_null["code"] != "no_leads":
        parts.append(said("quadrant.rep.lead_unknown", reason=Text(lead_null["en"],
                                                                   lead_null["nl"])))  # fmt: skip
    return both(lambda lang: " ".join(p.get(lang) for p in parts))


def overview(
    window: Period, peers: Peers, team: str | None, ctx: Context, limits: Mapping[str, float]
) -> Text:
    """How reps were compared over the window, and when a label is given (`limits`: the
    diagnosis's thresholds)."""
    if peers is Peers.OWN_TEAM:
        who = said("quadrant.peers.own_team")
    else:
        where = said("quadrant.where.team", team=team) if team else said("quadrant.where.org")
        who = said("quadrant.peers.all_of", where=where)

    def make(lang: Lang) -> str:
        # the context preset's words: a consultancy's deals are projects, an agency's revenue is
        # campaign revenue
        revenue = ctx.label("revenue_won", lang)
        return t(
            "quadrant.overview", lang,
            span=fmt.window(window, lang), who=who.get(lang),
            revenue=revenue[0].lower() + revenue[1:], deals=ctx.deals.get(lang),
            level=fmt.percent(limits["level"], lang, 0),
            pct=fmt.percent(limits["material_difference"], lang, 0),
            min_deals=fmt.number(limits["min_closed_deals"], lang),
            min_weeks=fmt.number(limits["min_weeks_active"], lang),
        )  # fmt: skip

    return both(make)


# -- the window ------------------------------------------------------------------------------
def _window_name(w: Period, lang: Lang) -> str:
    return f"{fmt.period(w, lang)} ({fmt.span(w.start, w.end - timedelta(days=1), lang)})"


def window_choice_text(
    why: WindowWhy, window: Period, tried: Sequence[Tried], limits: Mapping[str, float]
) -> Text:
    """How the window was chosen (`why`), from the runs of quarters `tried` (shortest first)
    and the rule's `limits` (min_closed_deals, min_won_deals, min_weeks_active, min_ready_share,
    max_quarters)."""

    def make(lang: Lang) -> str:
        def n(key: str) -> str:
            return fmt.number(limits[key], lang)

        name = _window_name(window, lang)
        if why.value == "given":
            return t("quadrant.window.given", lang, name=name)
        last = tried[-1]
        if why.value == "none_active":
            return t("quadrant.window.none_active", lang, name=name)
        need = t("quadrant.window.need", lang, min_won=n("min_won_deals"),
                 min_weeks=n("min_weeks_active"))  # fmt: skip
        counts = {"ready": fmt.number(last.ready, lang), "active": fmt.number(last.active, lang)}
        if why.value in ("longest", "all_data"):
            reach = t(f"quadrant.window.{why.value}", lang, max=n("max_quarters"))
            return t("quadrant.window.short_of", lang, name=name, why=reach, need=need, **counts)
        pct = fmt.percent(limits["min_ready_share"], lang, 0)
        out = t("quadrant.window.chosen", lang, name=name, pct=pct, need=need, **counts)
        if len(tried) > 1:
            prev = tried[-2]
            span = (
                t("quadrant.window.last_quarter", lang) if prev.quarters == 1
                else t("quadrant.window.last_quarters", lang, n=fmt.number(prev.quarters, lang))
            )  # fmt: skip
            out += " " + t("quadrant.window.before", lang, span=span,
                           ready=fmt.number(prev.ready, lang),
                           active=fmt.number(prev.active, lang))  # fmt: skip
        return out

    return both(make)


# -- where conversion breaks -----------------------------------------------------------------
def pct(x: float | None, lang: Lang | str = Lang.EN) -> str:
    """A rate as a whole percentage (the one formatter's), or an em dash."""
    return fmt.percent(x, lang, 0)


def rate_label(name: str) -> Text:
    """A compared rate's label: the metric registry's, with the stages of a step."""
    m = metric(name)
    base, param = split_name(name)
    if base == "stage_conversion" and param:
        a, b = param.split(">", 1)
        en, nl = (m.label_en[: m.label_en.index(" (")], m.label_nl[: m.label_nl.index(" (")])
        return Text(f"{en} {word(a, Lang.EN)} → {word(b, Lang.EN)}",
                    f"{nl} {word(a, Lang.NL)} → {word(b, Lang.NL)}")  # fmt: skip
    return Text(m.label_en, m.label_nl)


def _where(step: str, kind: StepKind, c: RateComparison, lang: Lang) -> str:
    """Where, the rep's figures and the team's."""
    r = c.rate

    def n(x: int) -> str:
        return fmt.number(x, lang, 0)

    figures = t(
        "breaks.figures", lang,
        raw=pct(r.raw, lang), successes=n(r.successes), trials=n(r.trials),
        estimate=pct(r.estimate, lang), level=pct(r.level, lang), low=pct(r.low, lang),
        high=pct(r.high, lang), team=pct(c.team_rate, lang), team_successes=n(c.team_successes),
        team_trials=n(c.team_trials),
    )  # fmt: skip
    shown = (
        " → ".join(word(s, lang) for s in step.split("->"))
        if kind.value == "stage"
        else word(step, lang)
    )
    return t(f"breaks.where.{kind.value}", lang, step=shown, figures=figures)


def break_text(
    step: str,
    kind: StepKind,
    c: RateComparison,
    weakest: tuple[str, StepKind, RateComparison] | None,
) -> Text:
    """Where conversion breaks (the step, its kind and its rates) and, with a pipeline step,
    the activity type whose deals' win rate is furthest below (type and rates)."""

    def make(lang: Lang) -> str:
        out = t("breaks.at", lang, where=_where(step, kind, c, lang))
        if weakest is not None:
            w = _where(*weakest, lang)
            out += " " + t("breaks.weakest_type", lang, where=w)
        return out

    return both(make)


# -- lead conversion -------------------------------------------------------------------------
def lead_mix_text(
    finding: LeadFinding,
    leads: int,
    converted: int,
    interval: tuple[float, float],
    expected: float,
    team_rate: float,
) -> Text:
    """What explains a rep's lead conversion against the peers' (`finding`), with the figures."""

    def make(lang: Lang) -> str:
        of = f"{fmt.number(converted, lang)}/{fmt.number(leads, lang)}"
        return t(
            f"leadmix.{finding.value}", lang,
            rate=pct(converted / leads, lang), of=of, low=pct(interval[0], lang),
            high=pct(interval[1], lang), expected=pct(expected, lang), team=pct(team_rate, lang),
        )  # fmt: skip

    return both(make)
