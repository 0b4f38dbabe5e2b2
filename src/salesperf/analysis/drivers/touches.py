"""Conversion by number of touches: the win rate (or any conversion) of items by how many touches
they had, in bins, with the gain per extra touch and where the returns flatten. Works on any
(touches, converted) counts: deals and their linked activities, a phone campaign's leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from salesperf.analysis.drivers import text
from salesperf.analysis.stats.shrinkage import jeffreys_interval
from salesperf.text import Text


class Returns(StrEnum):
    """How conversion changes with more touches: the reason behind the curve's statement."""

    TOO_FEW = "too_few"  # too few closed items to tell
    FLAT = "flat"  # highest at the first bin: more touches did not raise it
    RISING = "rising"  # still rising at the last bin: the returns do not flatten in the data
    FLATTENS = "flattens"  # rising up to a bin, flat beyond it


#: A touch and touches, as the statement names them by default.
TOUCH_NOUNS: tuple[Text, Text] = text.touch_nouns()
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


def touch_curve(
    touches: Sequence[int] | pd.Series,
    items: Sequence[int] | pd.Series,
    converted: Sequence[int] | pd.Series,
    bins: Sequence[tuple[int, int | None]] = TOUCH_BINS,
    noun: tuple[Text, Text] = TOUCH_NOUNS,
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
    noun: tuple[Text, Text] = TOUCH_NOUNS,
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
    if not solid or not gains:
        return TouchCurve(bins, None, None, text.touch_statement(Returns.TOO_FEW, noun))
    peak = max(g for _, g in gains)
    last = solid[-1]
    if peak < FLAT_GAIN:
        top = solid[0]
        msg = text.touch_statement(Returns.FLAT, noun, top=top, last=last)
        return TouchCurve(bins, peak, top.label, msg)
    threshold = max(FLAT_SHARE * peak, FLAT_GAIN)
    at_peak = next(i for i, g in gains if g == peak)
    after = None
    for j, (i, _) in enumerate(gains):
        if i > at_peak and all(g < threshold for _, g in gains[j:]):
            after = solid[i - 1]
            break
    if after is None:
        msg = text.touch_statement(Returns.RISING, noun, last=last, threshold=threshold)
        return TouchCurve(bins, peak, None, msg)
    later = max(g for i, g in gains if solid[i - 1].lo >= after.lo)
    msg = text.touch_statement(Returns.FLATTENS, noun, after=after, peak=peak, later=later)
    return TouchCurve(bins, peak, after.label, msg)
