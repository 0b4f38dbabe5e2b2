"""The analysis pages' charts: the quadrant, the funnel, the drivers' effects and touch curve,
the plan against the current pace, and the forecast's fan. Vega-Lite specifications built with
Altair, like `salesperf.server.charts.dashboard` (whose `Charts.analysis` gives them to the templates), in
the viewer's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt

from salesperf.i18n import format as fmt
from salesperf.i18n.messages import t
from salesperf.i18n.words import word
from salesperf.server.charts.links import Keep, link
from salesperf.server.charts.quadrant import quadrant_chart
from salesperf.server.charts.spec import FORMATS, spec
from salesperf.text import Lang


@dataclass(frozen=True)
class AnalysisCharts:
    """The analysis pages' chart builders in one viewer's language."""

    lang: Lang

    def quadrant(
        self,
        reps: list[dict[str, Any]],
        keep: Keep = (),
        own: bool = False,
        selected: str | None = None,
    ) -> dict[str, Any] | None:
        """The quadrant (see `salesperf.server.charts.quadrant`); each point opens the rep's
        diagnosis on the page, keeping the page's other parameters (`keep`)."""
        return quadrant_chart(
            reps, self.lang, lambda rep: self.diagnosis_link(keep, rep), own, selected
        )

    def link(self, path: str, keep: Keep, **changes: str | None) -> str:
        """`path` with the page's query `keep`, with `changes` set (None: left out)."""
        return link(path, keep, **changes)

    def change(self, percent: float | None) -> str:
        """A percentage change (12.5 for +12.5%) as the page writes it: +13%, −5%."""
        return fmt.relative(None if percent is None else percent / 100, self.lang)

    def diagnosis_link(self, keep: Keep, rep_id: str) -> str:
        """The quadrant page showing a rep's diagnosis, with the page's other parameters."""
        return link("/quadrant", keep, rep=rep_id) + "#diagnosis"

    def funnel(
        self, row: dict[str, Any], keep: Keep = (), window: str = ""
    ) -> dict[str, Any] | None:
        """One row's pipeline steps: deals entering each stage and how many reached the next,
        with the conversion; counts on an integer axis, the row's weakest step in red and
        named, each step linking to its deals (`step_link`)."""
        weak = (row.get("weakest") or {}).get("metric")
        why = (row.get("weakest") or {}).get("why")
        flag = t("charts.funnel.breaks" if why == "breaks" else "charts.funnel.weakest", self.lang)
        records = []
        for i, s in enumerate(row["steps"]):
            rate = fmt.percent(s["rate"], self.lang, 0) if s["rate"] is not None else ""
            records.append({
                "order": i, "metric": s["metric"],
                "step": f"{word(s['from'], self.lang)} → {word(s['to'], self.lang)}",
                "entered": s["entered"], "converted": s["converted"], "rate": s["rate"],
                "weak": s["metric"] == weak,
                "note": f"{rate} · {flag}" if s["metric"] == weak else rate,
                "href": self.step_link(keep, s, row, window),
            })  # fmt: skip
        if not any(r["entered"] for r in records):
            return None
        entered, converted = t("funnel.entered", self.lang), t("funnel.converted", self.lang)
        rate = t("funnel.conversion", self.lang)
        # long stage names are cut on the axis (the tooltip has them whole)
        # in the pipeline's order (a sort by field is dropped where the layers' sorts meet)
        y = alt.Y(
            "step:N", title=None, sort=[r["step"] for r in records], axis=alt.Axis(labelLimit=150)
        )
        tips = [
            alt.Tooltip("step:N", title=t("funnel.step", self.lang)),
            alt.Tooltip("entered:Q", title=entered, format="d"),
            alt.Tooltip("converted:Q", title=converted, format="d"),
            alt.Tooltip("rate:Q", title=rate, format=".0%"),
        ]
        counts = alt.Axis(format="d", tickMinStep=1)  # whole deals: no 0.5 ticks, no "1 1 1"
        base = alt.Chart()  # type: ignore[no-untyped-call]
        layers = [
            base.mark_bar(cursor="pointer").encode(
                x=alt.X("entered:Q", title=t("charts.funnel.count_axis", self.lang), axis=counts),
                y=y, tooltip=tips, href="href:N",
                color=alt.condition("datum.weak", alt.value("#f4c7c3"), alt.value("#b9d3de")),
            ),
            base.mark_bar(height={"band": 0.5}, cursor="pointer").encode(
                x="converted:Q", y=y, tooltip=tips, href="href:N",
                color=alt.condition("datum.weak", alt.value("#b3261e"), alt.value("#1c6e8c")),
            ),
            base.transform_filter("!datum.weak")
            .mark_text(align="left", dx=4, color="#1f2933")
            .encode(x="entered:Q", y=y, text="note:N"),
            base.transform_filter("datum.weak")
            .mark_text(align="left", dx=4, color="#b3261e", fontWeight="bold")
            .encode(x="entered:Q", y=y, text="note:N"),
        ]  # fmt: skip
        chart = alt.layer(*layers, data=alt.Data(values=records)).properties(  # type: ignore[no-untyped-call]
            width="container",
            height=40 * len(records) + 40,
            # one line each: a title does not wrap, and a phone's screen is narrow
            title=alt.TitleParams([f"{row['name']}:", entered, f"· {converted}"]),
        )
        return spec(chart)

    def step_link(self, keep: Keep, step: dict[str, Any], row: dict[str, Any], window: str) -> str:
        """The deals of one step of a funnel row, for the page's period and team (and the
        row's rep, for a rep's row), keeping the page's other parameters."""
        return link("/funnel/deals", keep, step=f"{step['from']}>{step['to']}",
                    window=window or None, rep=row.get("rep"))  # fmt: skip

    def effects(self, effects: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Each activity type's association with deals won at its strongest lag, on a linear
        scale of percentage change (0: no change), the likely range as a bar and the estimate
        as a dot, blue when clear and grey when it could be chance (`plain` effects from
        `salesperf.server.pages.drivers_words`)."""
        clear, unclear = (
            t(k, self.lang) for k in ("charts.drivers.clear", "charts.drivers.unclear")
        )
        records = [
            {
                "type": word(e["type"], self.lang), "change": e["change"], "low": e["low"],
                "high": e["high"], "sure": clear if e["clear"] else unclear,
                "change_text": self.change(e["change"]),
                "range_text": f"{self.change(e['low'])} – {self.change(e['high'])}",
                "when": e["when"][self.lang.value],
                "more": fmt.number(e["per"], self.lang, 1),
            }
            for e in effects
        ]  # fmt: skip
        if not records:
            return None
        axis = t("charts.drivers.axis", self.lang)
        x = alt.X("change:Q", title=axis, scale=alt.Scale(type="linear", zero=True),
                  axis=alt.Axis(labelExpr="datum.label + '%'", format="+d"))  # fmt: skip
        y = alt.Y("type:N", title=None, sort=alt.EncodingSortField("change", order="descending"))
        colour = alt.Color(
            "sure:N",
            title=t("charts.drivers.sure", self.lang),
            legend=alt.Legend(orient="bottom"),
            scale=alt.Scale(domain=[clear, unclear], range=["#1c6e8c", "#9aa5b1"]),
        )
        tips = [
            alt.Tooltip("type:N", title=t("drivers.type", self.lang)),
            alt.Tooltip("change_text:N", title=t("charts.drivers.change", self.lang)),
            alt.Tooltip("range_text:N", title=t("charts.drivers.range", self.lang)),
            alt.Tooltip("more:N", title=t("charts.drivers.more", self.lang)),
            alt.Tooltip("when:N", title=t("charts.drivers.after", self.lang)),
            alt.Tooltip("sure:N", title=t("charts.drivers.sure", self.lang)),
        ]
        base = alt.Chart()  # type: ignore[no-untyped-call]
        zero = alt.Chart(alt.Data(values=[{"zero": 0}]))  # type: ignore[no-untyped-call]
        layers = [
            zero.mark_rule(color="#65717e", strokeDash=[4, 3]).encode(x=alt.X("zero:Q")),
            base.mark_bar(height={"band": 0.35}, opacity=0.55).encode(
                x=alt.X("low:Q", title=axis), x2="high:Q", y=y, color=colour, tooltip=tips
            ),
            base.mark_point(filled=True, size=90, opacity=1).encode(
                x=x, y=y, color=colour, tooltip=tips
            ),
            base.mark_text(align="left", dx=8, dy=-10, fontSize=10).encode(
                x="change:Q", y=y, text="change_text:N"
            ),
        ]
        chart = alt.layer(*layers, data=alt.Data(values=records)).properties(  # type: ignore[no-untyped-call]
            width="container",
            height=40 * len(records) + 60,
            title=t("charts.drivers.chart", self.lang),
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
