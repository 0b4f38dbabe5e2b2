"""The activity–performance quadrant as a chart that reads at a glance: the four quadrants
shaded and named (the spec's labels, in the viewer's language), each rep a point with its
intervals, and names written only where they fit.

The plot has a fixed size, so the server knows where each point lands and places the names
itself (`place_labels`): greedily, most isolated point first, a name goes to the first of a few
spots around its point (right, left, above, below) that stays inside the plot and clear of every
point, every name already written and the quadrants' names; a point within `MIN_GAP` pixels of
one already named stays unnamed. Every name is in the tooltip and in the page's table.
The axes cover the reference lines at 1 and every point with some room (`bounds`), so a rep who
sees only their own point sees it against the lines, not zoomed onto it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import altair as alt

from salesperf.analysis.quadrant.model import QUADRANTS
from salesperf.analysis.vocab import Label
from salesperf.i18n.messages import t
from salesperf.server.charts.spec import spec
from salesperf.text import Lang

#: The quadrant's colours, by label.
QUADRANT_COLOURS = {
    "star": "#2e7d32",
    "busy_not_effective": "#e09b00",
    "efficient": "#1c6e8c",
    "at_risk": "#b3261e",
    "inconclusive": "#9aa5b1",
}
WIDTH, HEIGHT = 640, 440  # the plot's size in pixels (the names are placed for it)
FONT = 11  # the names' font size
CHAR = 6.6  # a generous average width of a character at that size, in pixels
LINE = 14  # a name's height, in pixels
OFFSET = 9  # from a point's centre to its name
RADIUS = 7  # a point's radius (size 150)
MIN_GAP = 16  # two named points are at least this far apart, in pixels
#: Around the reference line at 1, the least each axis shows, either side: a team's view, and
#: a rep's own view (one point, which must not fill the plot).
HALF_SPAN, OWN_HALF_SPAN = 0.25, 0.5
PAD = 0.08  # room beyond the furthest point or line, as a share of the span
Align = Literal["left", "center", "right"]
Baseline = Literal["top", "middle", "bottom"]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels (y downwards)
#: Where a name may go around its point: (spot, dx, dy, align, baseline) for the text mark.
SPOTS: tuple[tuple[str, int, int, Align, Baseline], ...] = (
    ("r", OFFSET, 0, "left", "middle"),
    ("l", -OFFSET, 0, "right", "middle"),
    ("t", 0, -OFFSET, "center", "bottom"),
    ("b", 0, OFFSET, "center", "top"),
)


def bounds(values: Sequence[float], half: float = HALF_SPAN) -> tuple[float, float]:
    """An axis's domain: the reference line at 1 with at least `half` either side, every value,
    and `PAD` of the span beyond; never below 0 (an index is not negative)."""
    lo, hi = min([1 - half, *values]), max([1 + half, *values])
    pad = PAD * (hi - lo)
    return round(max(0.0, lo - pad), 3), round(hi + pad, 3)


@dataclass(frozen=True)
class Frame:
    """The plot's domains and size: where a value lands, in pixels."""

    x: tuple[float, float]
    y: tuple[float, float]
    width: float = WIDTH
    height: float = HEIGHT

    def px(self, x: float, y: float) -> tuple[float, float]:
        """The pixel position of (x, y), from the plot's top left corner."""
        (x0, x1), (y0, y1) = self.x, self.y
        return (x - x0) / (x1 - x0) * self.width, (1 - (y - y0) / (y1 - y0)) * self.height


def name_box(spot: str, px: float, py: float, name: str) -> Box:
    """The box a name takes at a spot around its point."""
    w, h = CHAR * len(name), LINE
    if spot == "r":
        return px + OFFSET, py - h / 2, px + OFFSET + w, py + h / 2
    if spot == "l":
        return px - OFFSET - w, py - h / 2, px - OFFSET, py + h / 2
    if spot == "t":
        return px - w / 2, py - OFFSET - h, px + w / 2, py - OFFSET
    return px - w / 2, py + OFFSET, px + w / 2, py + OFFSET + h


def overlaps(a: Box, b: Box) -> bool:
    """Do two boxes overlap?"""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    points: Sequence[tuple[float, float, str]], frame: Frame, taken: Sequence[Box] = ()
) -> list[str | None]:
    """For each point (x, y, name), the spot of its name (see `SPOTS`), or None where it does
    not fit. `taken`: boxes no name may cover (the quadrants' names)."""
    pos = [frame.px(x, y) for x, y, _ in points]
    dots: list[Box] = [(a - RADIUS, b - RADIUS, a + RADIUS, b + RADIUS) for a, b in pos]

    def crowd(i: int) -> int:
        return sum(1 for j, q in enumerate(pos) if j != i and _dist(pos[i], q) < 80)

    placed: list[Box] = list(taken)
    named: list[tuple[float, float]] = []
    out: list[str | None] = [None] * len(points)
    for i in sorted(range(len(points)), key=lambda i: (crowd(i), i)):
        if any(_dist(pos[i], q) < MIN_GAP for q in named):
            continue
        for spot, *_ in SPOTS:
            box = name_box(spot, *pos[i], points[i][2])
            inside = (
                box[0] >= 0 and box[1] >= 0 and box[2] <= frame.width and box[3] <= frame.height
            )
            if not inside or any(overlaps(box, b) for b in placed):
                continue
            if any(overlaps(box, d) for j, d in enumerate(dots) if j != i):
                continue
            out[i] = spot
            placed.append(box)
            named.append(pos[i])
            break
    return out


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


#: The quadrants, each with its corner of the plot, where its name goes (far from the
#: reference lines, around which the points gather): (label, right?, upper?).
CORNERS: tuple[tuple[Label, bool, bool], ...] = (
    (Label.STAR, True, True),
    (Label.BUSY, True, False),
    (Label.EFFICIENT, False, True),
    (Label.AT_RISK, False, False),
)
NAME_MARGIN = 6  # between a quadrant's name and the plot's edge, in pixels


def regions(frame: Frame, lang: Lang) -> list[dict[str, Any]]:
    """The four quadrants as rectangles in data units, each with its name (in `lang`) at its
    outer corner (`tx`, `ty`)."""
    (x0, x1), (y0, y1) = frame.x, frame.y
    return [
        {
            "region": label.value,
            "label": QUADRANTS[label].name.get(lang),
            "x0": 1 if right else x0,
            "x1": x1 if right else 1,
            "y0": 1 if upper else y0,
            "y1": y1 if upper else 1,
            "tx": x1 if right else x0,
            "ty": y1 if upper else y0,
        }
        for label, right, upper in CORNERS
    ]


def region_boxes(frame: Frame, rs: Sequence[dict[str, Any]]) -> list[Box]:
    """The boxes the quadrants' names take, in pixels (with their margin)."""
    out = []
    for r, (_, right, upper) in zip(rs, CORNERS, strict=True):
        cx, cy = frame.px(r["tx"], r["ty"])
        w, h = CHAR * len(r["label"]) + 2 * NAME_MARGIN, LINE + 2 * NAME_MARGIN
        x = cx - w if right else cx
        y = cy if upper else cy - h
        out.append((x, y, x + w, y + h))
    return out


def quadrant_chart(
    reps: list[dict[str, Any]],
    lang: Lang,
    link: Callable[[str], str],
    own: bool = False,
    selected: str | None = None,
) -> dict[str, Any] | None:
    """Activity index (x) against performance index (y), each with its interval, the
    quadrants shaded and named, reference lines at 1, coloured by label; each point links to
    `link(rep_id)` (the rep's diagnosis), the `selected` rep's ringed. `own`: a rep's view of
    their own point."""
    records = [
        _record(r, lang, link)
        for r in reps
        if r["activity"]["index"]["value"] is not None
        and r["performance"]["index"]["value"] is not None
    ]
    if not records:
        return None
    half = OWN_HALF_SPAN if own else HALF_SPAN
    frame = Frame(bounds([r["x"] for r in records], half), bounds([r["y"] for r in records], half))
    rs = regions(frame, lang)
    spots = place_labels(
        [(r["x"], r["y"], r["name"]) for r in records], frame, region_boxes(frame, rs)
    )
    for r, spot in zip(records, spots, strict=True):
        r["px"], r["py"] = (round(v, 1) for v in frame.px(r["x"], r["y"]))
        r["spot"] = spot
        r["selected"] = r["rep_id"] == selected
    return spec(_layers(records, rs, frame, lang))


def _record(r: dict[str, Any], lang: Lang, link: Callable[[str], str]) -> dict[str, Any]:
    a, p = r["activity"]["index"], r["performance"]["index"]
    return {
        "rep_id": r["rep_id"], "name": r["name"], "label": r["label_text"][lang.value],
        "href": link(r["rep_id"]), "x": a["value"], "x_lo": a["low"], "x_hi": a["high"],
        "y": p["value"], "y_lo": p["low"], "y_hi": p["high"],
    }  # fmt: skip


def _layers(
    records: list[dict[str, Any]], rs: list[dict[str, Any]], frame: Frame, lang: Lang
) -> alt.TopLevelMixin:
    ax, ay = t("quadrant.activity", lang), t("quadrant.performance", lang)
    colour = alt.Color(
        "label:N",
        title=t("quadrant.label", lang),
        legend=alt.Legend(orient="bottom", symbolOpacity=1),
        scale=alt.Scale(
            domain=[q.name.get(lang) for q in QUADRANTS.values()],
            range=[QUADRANT_COLOURS[q.label.value] for q in QUADRANTS.values()],
        ),
    )

    def at(field: str, title: str, domain: tuple[float, float]) -> dict[str, Any]:
        return {"field": field, "type": "quantitative", "title": title,
                "scale": {"domain": list(domain), "nice": False, "zero": False}}  # fmt: skip

    x, y = at("x", ax, frame.x), at("y", ay, frame.y)
    low, high = t("low", lang), t("high", lang)
    tips = [
        alt.Tooltip("name:N", title=t("rep", lang)),
        alt.Tooltip("label:N", title=t("quadrant.label", lang)),
        alt.Tooltip("x:Q", title=ax, format=".2f"),
        alt.Tooltip("x_lo:Q", title=f"{ax}: {low}", format=".2f"),
        alt.Tooltip("x_hi:Q", title=f"{ax}: {high}", format=".2f"),
        alt.Tooltip("y:Q", title=ay, format=".2f"),
        alt.Tooltip("y_lo:Q", title=f"{ay}: {low}", format=".2f"),
        alt.Tooltip("y_hi:Q", title=f"{ay}: {high}", format=".2f"),
    ]
    base = alt.Chart()  # type: ignore[no-untyped-call]
    area = alt.Chart(alt.Data(values=rs))  # type: ignore[no-untyped-call]
    one = alt.Chart(alt.Data(values=[{"one": 1}]))  # type: ignore[no-untyped-call]
    layers: list[Any] = [
        area.mark_rect(opacity=0.09, aria=False).encode(
            x=at("x0", ax, frame.x), x2="x1:Q", y=at("y0", ay, frame.y), y2="y1:Q", color=colour
        ),
        *(
            area.transform_filter(f"datum.region == '{label.value}'")
            .mark_text(
                aria=False,
                fontWeight="bold",
                fontSize=13,
                opacity=0.85,
                align="right" if right else "left",
                baseline="top" if upper else "bottom",
                dx=-NAME_MARGIN if right else NAME_MARGIN,
                dy=NAME_MARGIN if upper else -NAME_MARGIN,
            )
            .encode(x=at("tx", ax, frame.x), y=at("ty", ay, frame.y), text="label:N", color=colour)
            for label, right, upper in CORNERS
        ),
        one.mark_rule(color="#65717e", strokeDash=[4, 3], aria=False).encode(
            x=at("one", ax, frame.x)
        ),
        one.mark_rule(color="#65717e", strokeDash=[4, 3], aria=False).encode(
            y=at("one", ay, frame.y)
        ),
        base.transform_filter("datum.x_lo != null")
        .mark_rule(opacity=0.6, clip=True, aria=False)
        .encode(x=at("x_lo", ax, frame.x), x2="x_hi:Q", y=y, color=colour),
        base.transform_filter("datum.y_lo != null")
        .mark_rule(opacity=0.6, clip=True, aria=False)
        .encode(y=at("y_lo", ay, frame.y), y2="y_hi:Q", x=x, color=colour),
        base.transform_filter("datum.selected")
        .mark_point(size=420, strokeWidth=2.5, color="#1f2933", opacity=1, aria=False)
        .encode(x=x, y=y),
        base.mark_point(filled=True, size=150, opacity=1, cursor="pointer").encode(
            x=x, y=y, color=colour, href="href:N", tooltip=tips
        ),
        *(
            base.transform_filter(f"datum.spot == '{spot}'")
            .mark_text(
                align=align,
                baseline=bl,
                dx=dx,
                dy=dy,
                fontSize=FONT,
                color="#1f2933",
                cursor="pointer",
            )
            .encode(x=x, y=y, text="name:N", href="href:N", tooltip=tips)
            for spot, dx, dy, align, bl in SPOTS
        ),
    ]
    return alt.layer(*layers, data=alt.Data(values=records)).properties(  # type: ignore[no-untyped-call]
        width=frame.width, height=frame.height, title=t("quadrant.chart", lang)
    )
