"""Conversion by number of touches: the win rate (or any conversion) of items by how many touches
they had, in bins, with the gain per extra touch and where the returns flatten. Works on any
(touches, converted) counts: deals and their linked activities, a phone campaign's leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from salesperf.analysis.stats.shrinkage import jeffreys_interval
from salesperf.analysis.windows import number, percent
from salesperf.text import Lang, Text

#: Bins of touches: (lowest, highest), None for open-ended.
TOUCH_BINS: tuple[tuple[int, int | None], ...] = (
    (0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (6, 8), (9, 12), (13, 20), (21, None),
)  # fmt: skip
#: A bin with fewer items than this is shown but takes no part in finding where returns flatten.
MIN_BIN_ITEMS = 20
#: Returns are flat where an extra touch adds less than a quarter of the best gain per touch,
#: and in any case under half a percentage point.
FLAT_SHARE = 0.25
FLAT_GAIN = 0.005


@dataclass(frozen=True)
class TouchBin:
    """Items whose touches fall in [lo, hi] (hi None: open-ended), and how many converted."""

    label: str
    lo: int
    hi: int | None
    items: int
    converted: int
    rate: float | None
    low: float | None
    high: float | None
    mean_touches: float | None
    gain: float | None  # rate change per extra touch since the previous bin (None: first, thin)


@dataclass(frozen=True)
class TouchCurve:
    """Conversion by number of touches, with where the returns flatten."""

    bins: tuple[TouchBin, ...]
    peak_gain: float | None  # the largest gain per extra touch between bins
    flattens_after: str | None  # the bin after which extra touches add little (None: never)
    statement: Text


def _bin_label(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"{lo}+"
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _pct(x: float, lang: Lang) -> str:
    return percent(x, 1, lang) if lang is Lang.NL else f"{100 * x:.1f}%"


def _points(x: float, lang: Lang) -> str:
    return number(100 * x, 1, lang) if lang is Lang.NL else f"{100 * x:.1f}"


def touch_curve(
    touches: Sequence[int] | pd.Series,
    items: Sequence[int] | pd.Series,
    converted: Sequence[int] | pd.Series,
    bins: Sequence[tuple[int, int | None]] = TOUCH_BINS,
    noun: tuple[Text, Text] = (Text("touch", "contactmoment"), Text("touches", "contactmomenten")),
    min_items: int = MIN_BIN_ITEMS,
) -> TouchCurve:
    """Conversion by number of touches from counts per touch value (`items` with that many
    touches, `converted` of them), in `bins`, with the gain per extra touch between bins and
    where the returns flatten. `noun` names a touch (singular, plural) in the statement.

    The gain of a bin is (its rate - the previous bin's) / (its mean touches - the previous
    bin's). Returns flatten after the bin from which every later gain stays under a quarter of
    the best gain (and under half a point); if no gain is positive, after the first bin.
    Bins with fewer than `min_items` items are shown but take no part in that.
    """
    df = (
        pd.DataFrame({"t": list(touches), "n": list(items), "k": list(converted)}, dtype="int64")
        .groupby("t", as_index=False)[["n", "k"]]
        .sum()
    )
    if (df.t < 0).any() or (df.k > df.n).any() or (df.k < 0).any():
        raise ValueError("touches and counts must be whole numbers >= 0, converted <= items")
    out: list[TouchBin] = []
    prev: TouchBin | None = None
    for lo, hi in bins:
        sel = df[(df.t >= lo) & ((df.t <= hi) if hi is not None else True)]
        n, k = int(sel.n.sum()), int(sel.k.sum())
        if n == 0:
            continue
        mean = float((sel.t * sel.n).sum() / n)
        rate = k / n
        low, high = jeffreys_interval(k, n) or (None, None)
        gain = None
        if n >= min_items and prev is not None and prev.rate is not None:
            assert prev.mean_touches is not None
            gain = (rate - prev.rate) / (mean - prev.mean_touches)
        b = TouchBin(_bin_label(lo, hi), lo, hi, n, k, rate, low, high, mean, gain)
        out.append(b)
        if n >= min_items:
            prev = b
    return _flatten(tuple(out), noun, min_items)


def conversion_by_touches(
    frame: pd.DataFrame,
    touches: str = "touches",
    converted: str = "converted",
    bins: Sequence[tuple[int, int | None]] = TOUCH_BINS,
    noun: tuple[Text, Text] = (Text("touch", "contactmoment"), Text("touches", "contactmomenten")),
) -> TouchCurve:
    """`touch_curve` of a plain frame with one row per lead or deal: its number of touches and
    whether it converted (a boolean, or 0/1)."""
    if touches not in frame or converted not in frame:
        raise ValueError(f"the frame needs columns {touches!r} and {converted!r}")
    conv = frame[converted].astype(bool).astype("int64")
    g = conv.groupby(frame[touches].astype("int64")).agg(["size", "sum"])
    return touch_curve(g.index.to_list(), g["size"].to_list(), g["sum"].to_list(), bins, noun)


def _flatten(bins: tuple[TouchBin, ...], noun: tuple[Text, Text], min_items: int) -> TouchCurve:
    solid = [b for b in bins if b.items >= min_items]
    gains = [(i, b.gain) for i, b in enumerate(solid) if b.gain is not None]
    one, many = noun

    def said(b: TouchBin, lang: Lang) -> str:
        return f"{b.label} {(one if b.label == '1' else many).get(lang)}"

    if not solid or not gains:
        msg = Text(
            f"Too few closed items to tell how conversion changes with {many.en}.",
            f"Te weinig afgeronde items om te zien hoe de conversie met {many.nl} verandert.",
        )
        return TouchCurve(bins, None, None, msg)
    peak = max(g for _, g in gains)
    last = solid[-1]
    if peak < FLAT_GAIN:
        top = solid[0]
        statements = {
            lang: (
                f"Conversion is highest at {said(top, lang)} ({_pct(top.rate or 0, lang)}); "
                f"more {many.get(lang)} did not raise it (it is {_pct(last.rate or 0, lang)} at "
                f"{said(last, lang)}): the returns are flat from the first {one.get(lang)} on."
                if lang is Lang.EN
                else f"De conversie is het hoogst bij {said(top, lang)} "
                f"({_pct(top.rate or 0, lang)}); meer {many.get(lang)} verhoogden haar niet "
                f"(bij {said(last, lang)} is ze {_pct(last.rate or 0, lang)}): het rendement is "
                f"vlak vanaf het eerste {one.get(lang)}."
            )
            for lang in Lang
        }
        return TouchCurve(bins, peak, top.label, Text(statements[Lang.EN], statements[Lang.NL]))
    threshold = max(FLAT_SHARE * peak, FLAT_GAIN)
    at_peak = next(i for i, g in gains if g == peak)
    after = None
    for j, (i, _) in enumerate(gains):
        if i > at_peak and all(g < threshold for _, g in gains[j:]):
            after = solid[i - 1]
            break
    if after is None:
        msg = Text(
            f"Conversion still rises by at least {_points(threshold, Lang.EN)} points per extra "
            f"{one.en} up to {said(last, Lang.EN)} ({_pct(last.rate or 0, Lang.EN)}): the returns "
            "do not flatten within these data.",
            f"De conversie stijgt nog met minstens {_points(threshold, Lang.NL)} punt per extra "
            f"{one.nl} tot {said(last, Lang.NL)} ({_pct(last.rate or 0, Lang.NL)}): het rendement "
            "vlakt binnen deze gegevens niet af.",
        )
        return TouchCurve(bins, peak, None, msg)
    later = max(g for i, g in gains if solid[i - 1].lo >= after.lo)
    msg = Text(
        f"Conversion rises with {many.en} up to {said(after, Lang.EN)} "
        f"({_pct(after.rate or 0, Lang.EN)}), by up to {_points(peak, Lang.EN)} points per extra "
        f"{one.en}; beyond that each extra {one.en} adds at most {_points(later, Lang.EN)} "
        f"points: the returns flatten after about {after.hi or after.lo} {many.en}.",
        f"De conversie stijgt met {many.nl} tot {said(after, Lang.NL)} "
        f"({_pct(after.rate or 0, Lang.NL)}), met tot {_points(peak, Lang.NL)} punt per extra "
        f"{one.nl}; daarna voegt elk extra {one.nl} hoogstens {_points(later, Lang.NL)} punt "
        f"toe: het rendement vlakt af na ongeveer {after.hi or after.lo} {many.nl}.",
    )
    return TouchCurve(bins, peak, after.label, msg)
