"""The analysis pages' charts: the quadrant, the funnel, the drivers' effects and touch curve,
the plan against the current pace, and the forecast's fan. Vega-Lite specifications built with
Altair, like `salesperf.server.charts.dashboard` (whose `Charts.analysis` gives them to the templates), in
the viewer's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt

from salesperf.analysis.quadrant.model import QUADRANTS
from salesperf.i18n.messages import t
from salesperf.i18n.words import word
from salesperf.server.charts.spec import FORMATS, spec
from salesperf.text import Lang

#: The quadrant's colours, by label.
QUADRANT_COLOURS = {
    "star": "#2e7d32",
    "busy_not_effective": "#e09b00",
    "efficient": "#1c6e8c",
    "at_risk": "#b3261e",
    "inconclusive": "#9aa5b1",
}


@dataclass(frozen=True)
class AnalysisCharts:
    """The analysis pages' chart builders in one viewer's language."""

    lang: Lang

    def quadrant(self, reps: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Activity index (x) against performance index (y), each with its interval, reference
        lines at 1, coloured by label; each point links to the rep's page."""
        lang = self.lang.value
        records = [
            {
                "rep_id": r["rep_id"],
                "name": r["name"],
                "label": r["label_text"][lang],
                "href": f"/reps/{r['rep_id']}",
                "x": a["value"],
                "x_lo": a["low"],
                "x_hi": a["high"],
                "y": p["value"],
                "y_lo": p["low"],
                "y_hi": p["high"],
            }
            for r in reps
            for a, p in [(r["activity"]["index"], r["performance"]["index"])]
            if a["value"] is not None and p["value"] is not None
        ]
        if not records:
            return None
        ax, ay = t("quadrant.activity", self.lang), t("quadrant.performance", self.lang)
        names = [q.name.get(self.lang) for q in QUADRANTS.values()]
        colours = [QUADRANT_COLOURS[q.label.value] for q in QUADRANTS.values()]
        colour = alt.Color(
            "label:N",
            title=t("quadrant.label", self.lang),
            legend=alt.Legend(orient="bottom"),
            scale=alt.Scale(domain=names, range=colours),
        )

        def at(field: str, title: str) -> dict[str, Any]:
            return {"field": field, "type": "quantitative", "title": title}

        x, y = at("x", ax), at("y", ay)
        x["scale"] = y["scale"] = {"zero": False, "nice": True}
        low, high = t("low", self.lang), t("high", self.lang)
        tips = [
            alt.Tooltip("name:N", title=t("rep", self.lang)),
            alt.Tooltip("label:N", title=t("quadrant.label", self.lang)),
            alt.Tooltip("x:Q", title=ax, format=".2f"),
            alt.Tooltip("x_lo:Q", title=f"{ax}: {low}", format=".2f"),
            alt.Tooltip("x_hi:Q", title=f"{ax}: {high}", format=".2f"),
            alt.Tooltip("y:Q", title=ay, format=".2f"),
            alt.Tooltip("y_lo:Q", title=f"{ay}: {low}", format=".2f"),
            alt.Tooltip("y_hi:Q", title=f"{ay}: {high}", format=".2f"),
        ]
        base = alt.Chart()  # type: ignore[no-untyped-call]
        one = alt.Chart(alt.Data(values=[{"one": 1}]))  # type: ignore[no-untyped-call]
        layers = [
            one.mark_rule(color="#65717e", strokeDash=[4, 3]).encode(x=at("one", ax)),
            one.mark_rule(color="#65717e", strokeDash=[4, 3]).encode(y=at("one", ay)),
            base.transform_filter("datum.x_lo != null")
            .mark_rule(opacity=0.6)
            .encode(x=at("x_lo", ax), x2="x_hi:Q", y=y, color=colour),
            base.transform_filter("datum.y_lo != null")
            .mark_rule(opacity=0.6)
            .encode(y=at("y_lo", ay), y2="y_hi:Q", x=x, color=colour),
            base.mark_point(filled=True, size=150, opacity=1, cursor="pointer").encode(
                x=x, y=y, color=colour, href="href:N", tooltip=tips
            ),
            base.mark_text(
                align="left", dx=8, dy=-8, fontSize=11, color="#1f2933", cursor="pointer"
            ).encode(x=x, y=y, text="name:N", href="href:N"),
        ]
        chart = alt.layer(*layers, data=alt.Data(values=records)).properties(  # type: ignore[no-untyped-call]
            width="container", height=420, title=t("quadrant.chart", self.lang)
        )
        return spec(chart)

    def funnel(self, row: dict[str, Any]) -> dict[str, Any] | None:
        """One row's pipeline steps: deals entering each stage and how many reached the next,
        with the conversion."""
        records = [
            {
                "order": i,
                "step": f"{word(s['from'], self.lang)} → {word(s['to'], self.lang)}",
                "entered": s["entered"],
                "converted": s["converted"],
                "rate": s["rate"],
            }
            for i, s in enumerate(row["steps"])
        ]
        if not any(r["entered"] for r in records):
            return None
        entered, converted = t("funnel.entered", self.lang), t("funnel.converted", self.lang)
        rate = t("funnel.conversion", self.lang)
        # long stage names are cut on the axis (the tooltip has them whole)
        y = alt.Y(
            "step:N", title=None, sort=alt.EncodingSortField("order"), axis=alt.Axis(labelLimit=150)
        )
        tips = [
            alt.Tooltip("step:N", title=t("funnel.step", self.lang)),
            alt.Tooltip("entered:Q", title=entered, format=",.0f"),
            alt.Tooltip("converted:Q", title=converted, format=",.0f"),
            alt.Tooltip("rate:Q", title=rate, format=".0%"),
        ]
        base = alt.Chart()  # type: ignore[no-untyped-call]
        layers = [
            base.mark_bar(color="#b9d3de").encode(
                x=alt.X("entered:Q", title=entered, axis=alt.Axis(format=",.0f")), y=y, tooltip=tips
            ),
            base.mark_bar(color="#1c6e8c", height={"band": 0.5}).encode(
                x="converted:Q", y=y, tooltip=tips
            ),
            base.mark_text(align="left", dx=4).encode(
                x="entered:Q", y=y, text=alt.Text("rate:Q", format=".0%")
            ),
        ]
        chart = alt.layer(*layers, data=alt.Data(values=records)).properties(  # type: ignore[no-untyped-call]
            width="container",
            height=40 * len(records) + 40,
            # one line each: a title does not wrap, and a phone's screen is narrow
            title=alt.TitleParams([f"{row['name']}:", entered, f"· {converted}"]),
        )
        return spec(chart)

    def effects(self, effects: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Each activity type's effect on deals won at its strongest lag: a dot with its 95%
        interval (a rate ratio per +1 SD of the weekly count, log scale), a line at 1."""
        records = [
            {
                "type": word(e["type"], self.lang),
                "rr": e["rate_ratio"],
                "low": e["low"],
                "high": e["high"],
                "lag": e["lag"],
                "p": e["p_value"],
                "sig": t(
                    "drivers.significant" if e["significant"] else "drivers.not_significant",
                    self.lang,
                ),
            }
            for e in effects
            if e["rate_ratio"] is not None and e["low"] is not None and e["high"] is not None
        ]
        if not records:
            return None
        ratio, lag = t("drivers.rate_ratio", self.lang), t("drivers.lag", self.lang)
        x = alt.X("rr:Q", title=ratio, scale=alt.Scale(type="log"))
        y = alt.Y("type:N", title=None, sort=alt.EncodingSortField("rr", order="descending"))
        sig = [t(k, self.lang) for k in ("drivers.significant", "drivers.not_significant")]
        colour = alt.Color(
            "sig:N",
            title=None,
            legend=alt.Legend(orient="bottom"),
            scale=alt.Scale(domain=sig, range=["#1c6e8c", "#9aa5b1"]),
        )
        tips = [
            alt.Tooltip("type:N", title=t("drivers.type", self.lang)),
            alt.Tooltip("rr:Q", title=ratio, format=".2f"),
            alt.Tooltip("low:Q", title=t("low", self.lang), format=".2f"),
            alt.Tooltip("high:Q", title=t("high", self.lang), format=".2f"),
            alt.Tooltip("lag:Q", title=lag),
            alt.Tooltip("p:Q", title="p (Holm)", format=".3f"),
        ]
        base = alt.Chart()  # type: ignore[no-untyped-call]
        one = alt.Chart(alt.Data(values=[{"one": 1}]))  # type: ignore[no-untyped-call]
        layers = [
            one.mark_rule(color="#65717e", strokeDash=[4, 3]).encode(x=alt.X("one:Q")),
            base.mark_rule().encode(x=alt.X("low:Q", title=ratio), x2="high:Q", y=y, color=colour),
            base.mark_point(filled=True, size=90).encode(x=x, y=y, color=colour, tooltip=tips),
            base.mark_text(align="left", dx=8, dy=-8, fontSize=10).encode(
                x="rr:Q", y=y, text=alt.Text("lag:Q", format="d")
            ),
        ]
        chart = alt.layer(*layers, data=alt.Data(values=records)).properties(  # type: ignore[no-untyped-call]
            width="container",
            height=34 * len(records) + 60,
            title=t("drivers.effects_chart", self.lang),
        )
        return spec(chart)

    def touches(self, bins: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Win rate by number of touches, bin by bin, with each bin's 95% interval."""
        records = [
            {
                "bin": b["label"],
                "order": i,
                "rate": b["rate"],
                "low": b["low"],
                "high": b["high"],
                "items": b["items"],
            }
            for i, b in enumerate(bins)
            if b["rate"] is not None
        ]
        if not records:
            return None
        rate, touches = t("drivers.win_rate", self.lang), t("drivers.touches_axis", self.lang)
        x = alt.X("bin:O", title=touches, sort=alt.EncodingSortField("order"))
        tips = [
            alt.Tooltip("bin:O", title=touches),
            alt.Tooltip("rate:Q", title=rate, format=".1%"),
            alt.Tooltip("low:Q", title=t("low", self.lang), format=".1%"),
            alt.Tooltip("high:Q", title=t("high", self.lang), format=".1%"),
            alt.Tooltip("items:Q", title=t("drivers.closed", self.lang), format=",.0f"),
        ]
        base = alt.Chart()  # type: ignore[no-untyped-call]
        layers = [
            base.mark_rule(color="#9aa5b1").encode(x=x, y="low:Q", y2="high:Q"),
            base.mark_line(point=True, color="#1c6e8c").encode(
                x=x, y=alt.Y("rate:Q", title=rate, axis=alt.Axis(format=".0%")), tooltip=tips
            ),
        ]
        chart = alt.layer(*layers, data=alt.Data(values=records)).properties(  # type: ignore[no-untyped-call]
            width="container", height=260, title=t("drivers.touches", self.lang)
        )
        return spec(chart)

    def plan_pace(self, plan: dict[str, Any]) -> dict[str, Any] | None:
        """What the plan asks per week of each activity type, next to the current pace."""
        asked, pace = t("plan.per_week", self.lang), t("plan.pace", self.lang)
        records = [
            rec
            for a in plan["activities"]
            for rec in (
                {"type": word(a["type"], self.lang), "what": asked, "value": a["per_week"]},
                {"type": word(a["type"], self.lang), "what": pace, "value": a["pace_per_week"]},
            )
        ]
        if not records:
            return None
        chart = (
            alt.Chart(alt.Data(values=records))  # type: ignore[no-untyped-call]
            .mark_bar()
            .encode(
                x=alt.X(
                    "value:Q",
                    title=t("plan.activities_week", self.lang),
                    axis=alt.Axis(format=",.0f"),
                ),
                y=alt.Y("type:N", title=None, sort=None),
                yOffset=alt.YOffset("what:N", sort=[asked, pace]),
                color=alt.Color(
                    "what:N",
                    title=None,
                    sort=[asked, pace],
                    legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(range=["#1c6e8c", "#f28e2b"]),
                ),
                tooltip=[
                    alt.Tooltip("type:N", title=" "),
                    alt.Tooltip("what:N", title=" "),
                    alt.Tooltip(
                        "value:Q", title=t("plan.activities_week", self.lang), format=",.1f"
                    ),
                ],
            )
            .properties(
                width="container",
                height=36 * len(plan["activities"]) + 50,
                title=t("plan.activities", self.lang),
            )
        )
        return spec(chart)

    def fan(self, fc: dict[str, Any]) -> dict[str, Any] | None:
        """The forecast's weekly path: revenue won so far, the simulated P10–P90 band and
        median to the period's end, and the target as a line."""
        actual, median = t("forecast.actual", self.lang), t("forecast.median", self.lang)
        band, target = t("forecast.band", self.lang), t("target", self.lang)
        records: list[dict[str, Any]] = []
        for p in fc["path"]:
            if p["actual"] is not None:
                records.append({"day": p["day"], "series": actual, "value": p["actual"]})
            if p["p50"] is not None:
                records.append({"day": p["day"], "series": median, "value": p["p50"]})
                records.append({"day": p["day"], "series": band, "lo": p["p10"], "hi": p["p90"]})
        if not records:
            return None
        if fc["target"] is not None:
            records.append({"series": target, "value": fc["target"]})
        money, title = FORMATS["money"], t("forecast.chart", self.lang)
        x = alt.X("day:T", timeUnit="utcyearmonthdate", title=None,
                  axis=alt.Axis(format="%d %b", labelAngle=0))  # fmt: skip
        y = {"field": "value", "type": "quantitative", "title": title,
             "axis": {"format": money}}  # fmt: skip
        colour = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"),
                           scale=alt.Scale(domain=[actual, median, band, target],
                                           range=["#1c6e8c", "#1c6e8c", "#9ecae1", "#b3261e"]))  # fmt: skip
        day = alt.Tooltip("day:T", timeUnit="utcyearmonthdate", title=t("forecast.day", self.lang))
        base = alt.Chart()  # type: ignore[no-untyped-call]
        layers = [
            base.transform_filter(alt.datum.series == band)
            .mark_area(opacity=0.45)
            .encode(x=x, y={**y, "field": "lo"}, y2="hi:Q", color=colour,
                    tooltip=[day, alt.Tooltip("lo:Q", title="P10", format=money),
                             alt.Tooltip("hi:Q", title="P90", format=money)]),
            base.transform_filter(alt.datum.series == median)
            .mark_line(strokeDash=[5, 3], point=True)
            .encode(x=x, y=y, color=colour,
                    tooltip=[day, alt.Tooltip("value:Q", title=median, format=money)]),
            base.transform_filter(alt.datum.series == actual)
            .mark_line(strokeWidth=3, point=True)
            .encode(x=x, y=y, color=colour,
                    tooltip=[day, alt.Tooltip("value:Q", title=actual, format=money)]),
        ]  # fmt: skip
        if fc["target"] is not None:  # an empty layer is an unlabelled graphic to a screen reader
            layers.append(
                base.transform_filter(alt.datum.series == target)
                .mark_rule(strokeWidth=2, strokeDash=[2, 2])
                .encode(y=y, color=colour,
                        tooltip=[alt.Tooltip("value:Q", title=target, format=money)])
            )  # fmt: skip
        chart = alt.layer(*layers, data=alt.Data(values=records)).properties(  # type: ignore[no-untyped-call]
            width="container", height=360, title=title
        )
        return spec(chart)
