"""Rendering pages: the Jinja environment, the words and number formats of the viewer's
language, the navigation their role sees, and the charts' embedding."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from salesperf.analysis.asof import CHOOSE, LATEST_FIGURES
from salesperf.auth.users import Role
from salesperf.i18n import format as fmt
from salesperf.i18n.format import chart_locale
from salesperf.i18n.messages import t
from salesperf.i18n.words import word
from salesperf.metrics.periods import parse_period
from salesperf.server.charts.dashboard import Charts
from salesperf.server.deps import View, request_lang, session_csrf
from salesperf.text import Lang


@dataclass(frozen=True)
class Fmt:
    """Numbers, dates and words in the viewer's language (used by the templates)."""

    lang: Lang
    currency: str = "EUR"

    def metric(self, value: float | int | None, unit: str) -> str:
        """A metric's value."""
        return fmt.metric(value, unit, self.lang, self.currency)

    def change(self, cell: dict[str, Any], unit: str) -> str:
        """A cell's change against the previous period."""
        return fmt.change(cell.get("change"), cell.get("previous"), unit, self.lang)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """A plain number."""
        return fmt.number(value, self.lang, digits)

    def date(self, value: Any) -> str:
        """A date."""
        return fmt.date(value, self.lang)

    def month(self, value: Any) -> str:
        """A month in words."""
        return fmt.month(value, self.lang)

    def period(self, p: dict[str, str]) -> str:
        """A period as JSON gives it (label, start, end)."""
        return fmt.period_of(p["label"], p["start"], p["end"], self.lang)

    def period_label(self, label: str) -> str:
        """A period written as its label (2026-Q4), as the language names it (K4 2026)."""
        return fmt.period(parse_period(label), self.lang)

    def label(self, m: dict[str, Any]) -> str:
        """A metric's label, from the scorecard JSON's metric entry."""
        return str(m["label_nl"] if self.lang is Lang.NL else m["label_en"])

    def word(self, name: str) -> str:
        """A table or vocabulary word."""
        return word(name, self.lang)

    def step(self, step: str) -> str:
        """A step of the pipeline (demo->proposal) or an activity type, in words."""
        return " → ".join(word(s, self.lang) for s in step.split("->"))


def chart_html(spec: dict[str, Any] | None) -> Markup:
    """A chart's place in the page: the Vega-Lite spec as JSON data, drawn by charts.js."""
    if spec is None:
        return Markup("")
    cid = "chart-" + secrets.token_hex(4)
    text = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
    return Markup(
        f'<div class="chart" data-spec="{cid}"></div>'
        f'<script type="application/json" id="{cid}">{text}</script>'
    )


def nav(view: View) -> list[tuple[str, str]]:
    """The navigation the viewer's role sees: (path, label key)."""
    items = [("/", "nav.overview")]
    if view.user.role is not Role.REP:
        items.append(("/teams", "nav.teams"))
    if view.user.rep_id and view.scope.can_see_rep(view.user.rep_id):
        items.append((f"/reps/{view.user.rep_id}", "nav.me"))
    items.append(("/activities/new", "nav.log"))
    items.append(("/alerts", "nav.alerts"))
    if view.user.role is Role.ADMIN:
        items.append(("/import", "nav.import"))  # which links to CRM sync
    items.append(("/exports", "nav.exports"))
    items.append(("/tokens", "nav.tokens"))
    return items


def as_of_banner(request: Request, view: View | None, lang: Lang) -> dict[str, Any] | None:
    """The note of a page that judges "now" when the data end before today (or a day was
    chosen), with a form to choose another day that keeps the page's other parameters."""
    rule = view.as_of if view is not None else None
    note = rule.note() if rule is not None else None
    if rule is None or note is None:
        return None
    keep = [(k, v) for k, v in request.query_params.multi_items() if k != "as_of"]
    back = request.url.path + (f"?{urlencode(keep)}" if keep else "")
    return {
        "text": note.get(lang), "choose": CHOOSE.get(lang), "day": rule.day.isoformat(),
        "moved": rule.moved, "keep": keep, "back": None if rule.moved else back,
        "back_text": LATEST_FIGURES.get(lang),
    }  # fmt: skip


def render(
    request: Request, view: View | None, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the viewer's language, with the frame (navigation, language, sign-out)."""
    svc = request.app.state.services
    lang = view.lang if view else request_lang(request)
    csrf = None
    if view is not None and view.viewer.session is not None:
        csrf = session_csrf(svc.settings, view.viewer.session)
    html = svc.templates.get_template(template).render(
        request=request,
        path=request.url.path,
        view=view,
        user=view.user if view else None,
        lang=lang.value,
        _=lambda key, **kw: t(key, lang, **kw),
        fmt=Fmt(lang, view.currency if view else "EUR"),
        nav=nav(view) if view else [],
        csrf=csrf,
        chart=chart_html,
        chart_locale=json.dumps(chart_locale(lang, view.currency if view else "EUR")),
        charts=Charts(lang),
        as_of=as_of_banner(request, view, lang),
        **context,
    )
    return HTMLResponse(html, status_code=status)
