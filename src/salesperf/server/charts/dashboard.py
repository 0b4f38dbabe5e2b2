"""Charts: Vega-Lite specifications (built with Altair) from the pages' scorecard data.

The specs carry their data inline and no `$schema` URL, and are drawn in the page by the
locally served Vega bundle, so a page refers to nothing outside the server. Numbers and months
follow the viewer's language through the locale that `salesperf.i18n.messages.chart_locale` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altair as alt

from salesperf.i18n.messages import t
from salesperf.i18n.words import word
from salesperf.server.charts.spec import FORMATS, spec
from salesperf.text import Lang

if TYPE_CHECKING:
    from salesperf.server.charts.analysis import AnalysisCharts


#: The sparkline's drawing box (the SVG's viewBox): width and height.
SPARK_BOX = (100, 24)


def sparkline(values: list[float | None]) -> str:
    """The points of a sparkline polyline in `SPARK_BOX` (the first value at the left, the
    largest at the top; weeks without a value left out); empty with fewer than two values."""
    width, height = SPARK_BOX
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(values) < 2 or len(known) < 2:
        return ""
    low = min(v for _, v in known)
    span = max(v for _, v in known) - low
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 1 - ((v - low) / span * (height - 2) if span else (height - 2) / 2):.1f}"
        for i, v in known
    )


def _meta(card: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(m for m in card["metrics"] if m["name"] == metric)


@dataclass(frozen=True)
class Charts:
    """Chart builders in one viewer's language."""

    lang: Lang

    @property
    def analysis(self) -> AnalysisCharts:
        """The analysis pages' charts (the quadrant, funnel, drivers, plan and forecast)."""
        from salesperf.server.charts.analysis import AnalysisCharts

        return AnalysisCharts(self.lang)

    def label(self, meta: dict[str, Any]) -> str:
        """A metric's label in the viewer's language."""
        return str(meta["label_nl"] if self.lang is Lang.NL else meta["label_en"])

    def trend(self, card: dict[str, Any], metric: str) -> dict[str, Any] | None:
        """One metric month by month (one line per row of the card), with its target."""
        if not card["rows"]:
            return None
        meta = _meta(card, metric)
        label = self.label(meta)
        several = len({r["key"] for r in card["rows"]}) > 1
        target = t("target", self.lang)
        records = []
        for r in card["rows"]:
            cell = r["values"][metric]
            series = r["name"] if several else label
            records.append({"month": r["period_start"], "series": series, "value": cell["value"]})
            if cell.get("target") is not None:
                records.append(
                    {
                        "month": r["period_start"],
                        "series": f"{target} {r['name']}" if several else target,
                        "value": cell["target"],
                    }
                )
        fmt = FORMATS.get(meta["unit"], ",.1f")
        chart = (
            alt.Chart(alt.Data(values=records))  # type: ignore[no-untyped-call]
            .mark_line(point=True)
            .encode(
                x=alt.X("month:T", timeUnit="yearmonth", title=None, axis=alt.Axis(format="%b %Y")),
                y=alt.Y("value:Q", title=label, axis=alt.Axis(format=fmt)),
                # colours in the order the series come (the figure, then its target), not by
                # name: by name, the target took the figure's colour in another language
                color=alt.Color(
                    "series:N",
                    title=None,
                    legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(domain=list(dict.fromkeys(r["series"] for r in records))),
                ),
                strokeDash=alt.condition(
                    alt.datum.series == target, alt.value([4, 3]), alt.value([1, 0])
                ),
                tooltip=[
                    alt.Tooltip("month:T", timeUnit="yearmonth", title=t("month", self.lang)),
                    alt.Tooltip("series:N", title=" "),
                    alt.Tooltip("value:Q", title=label, format=fmt),
                ],
            )
            .properties(width="container", height=220, title=label)
        )
        return spec(chart)

    def mix(self, card: dict[str, Any], metric: str) -> dict[str, Any] | None:
        """One metric per split value (activity type), as bars."""
        rows = [r for r in card["rows"] if r["values"][metric]["value"]]
        if not rows:
            return None
        meta = _meta(card, metric)
        label = self.label(meta)
        records = [
            {"part": word(r["split"] or "other", self.lang), "value": r["values"][metric]["value"]}
            for r in rows
        ]
        fmt = FORMATS.get(meta["unit"], ",.1f")
        chart = (
            alt.Chart(alt.Data(values=records))  # type: ignore[no-untyped-call]
            .mark_bar()
            .encode(
                x=alt.X("value:Q", title=label, axis=alt.Axis(format=fmt)),
                y=alt.Y("part:N", title=None, sort="-x"),
                tooltip=[
                    alt.Tooltip("part:N", title=" "),
                    alt.Tooltip("value:Q", title=label, format=fmt),
                ],
            )
            .properties(width="container", height=max(120, 24 * len(records)), title=label)
        )
        return spec(chart)
