"""The alerts page and its JSON: the viewer's alert rules (switched on or off, with their
parameter N) and their current alerts, inside their scope (a rep their own, a manager their
teams'), judged as of the day of `salesperf.analysis.asof`.

`viewer_alerts` is the one function the pages use for a viewer's current alerts (this page, the
overview, the weekly report); `templates/_alerts.html` lists them. Alerts are remembered in the
app's cache until the next write of data, under the viewer's scope, the day and the rules
switched on, so that changing one's rules needs no write of data to show at once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from salesperf.analysis.alerts.core import find_alerts
from salesperf.analysis.alerts.model import AlertQuery, Alerts
from salesperf.analysis.alerts.rules import SPECS, Rule, RuleSetting, read_parameter, read_rule
from salesperf.analysis.alerts.switches import rule_settings, save_rule_settings
from salesperf.errors import InputError
from salesperf.server.deps import JudgedView, ServicesDep, View, Writer
from salesperf.server.render import render
from salesperf.server.services import Services
from salesperf.text import Text

router = APIRouter()

#: A form's fields for a rule: its switch and its parameter.
ON, N = "{rule}.on", "{rule}.n"


def viewer_alerts(view: View) -> Alerts:
    """The viewer's current alerts: their switched-on rules, judged as of the view's day (a
    judged view's, `JudgedView`), on the reps, deals and teams of their scope."""
    rules = rule_settings(view.store, view.user.username)
    on = tuple(r for r in rules if r.enabled)
    query = AlertQuery(view.scope, view.today, on)
    found = view.cache.get(("alerts", view.scope, view.today, on),
                           lambda: find_alerts(view.store, query))  # fmt: skip
    return replace(found, rules=rules)


def alerts_data(view: View) -> dict[str, Any]:
    """The page's data: the day, every rule with its setting and range, and the alerts (the
    JSON of `Alerts`, with each rule's limits)."""
    out = viewer_alerts(view).to_json()
    for r in out["rules"]:
        spec = SPECS[Rule(r["rule"])]
        r.update(default=spec.default, low=spec.low, high=spec.high)
    out["any_on"] = any(r["enabled"] for r in out["rules"])
    if view.as_of is not None:
        out["as_of"] = view.as_of.to_json()
    return out


def _page(
    request: Request, view: View, *, status: int = 200, problems: list[Text] | None = None,
    form: dict[str, str] | None = None, saved: bool = False,
) -> HTMLResponse:  # fmt: skip
    return render(
        request, view, "alerts.html", status=status, data=alerts_data(view),
        problems=[p.get(view.lang) for p in problems or []], form=form, saved=saved,
    )  # fmt: skip


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, view: JudgedView, saved: bool = False) -> HTMLResponse:
    """The viewer's alert rules, a form to switch them and set N, and their current alerts."""
    return _page(request, view, saved=saved)


@router.get("/api/alerts", tags=["pages"])
def alerts_json(view: JudgedView) -> JSONResponse:
    """The viewer's alert rules (`rules`: each with `enabled`, `parameter` N, its `default`,
    `low` and `high`) and their current alerts (`alerts`: each with its `rule`, what it
    `concerns` (rep, team or deal) and its `id`, `name`, `rep_id`, `team_id`, the `figures`
    behind it, a `link` to the page with the figure, and `text` in English and Dutch), judged
    as of `day` (see `as_of`), inside the viewer's scope."""
    return JSONResponse(alerts_data(view))


def read_form(form: dict[str, str]) -> tuple[list[RuleSetting], list[Text]]:
    """Every rule's setting from the form's fields, and every problem with them (all at once)."""
    settings, problems = [], []
    for rule in Rule:
        on = form.get(ON.format(rule=rule.value), "") not in ("", "0", "false", "off")
        try:
            n = read_parameter(rule, form.get(N.format(rule=rule.value)))
        except InputError as exc:
            problems.append(exc.text or Text(str(exc), str(exc)))
            continue
        settings.append(RuleSetting(rule, on, n))
    return settings, problems


def _save(svc: Services, view: View, settings: list[RuleSetting]) -> None:
    """Keep the viewer's settings, taking turns with the other writes of users' own tables."""
    with svc.accounts:
        save_rule_settings(view.store, view.user.username, settings)
    svc.cache.clear()  # the overview and the report show the viewer's alerts: not the old ones


@router.post("/alerts", include_in_schema=False)
async def save_alerts(
    request: Request, view: JudgedView, writer: Writer, svc: ServicesDep
) -> Response:
    """Save the viewer's switches from the page's form; with a bad N nothing is saved and the
    form comes back saying what is wrong, in the viewer's language."""
    got = await request.form()
    form = {k: v for k, v in got.items() if isinstance(v, str)}
    settings, problems = read_form(form)
    if problems:
        return await run_in_threadpool(
            _page, request, view, status=422, problems=problems, form=form
        )
    await run_in_threadpool(_save, svc, view, settings)
    keep = f"&as_of={view.as_of.day.isoformat()}" if view.as_of and view.as_of.chosen else ""
    return RedirectResponse(f"/alerts?saved=1{keep}", status_code=303)


@router.put("/api/alerts/rules", tags=["pages"])
def save_alerts_json(
    view: JudgedView,
    writer: Writer,
    svc: ServicesDep,
    rules: Annotated[list[dict[str, Any]], Body(embed=True, max_length=len(Rule))],
) -> JSONResponse:
    """Switch the viewer's rules on or off and set their parameter: `{"rules": [{"rule":
    "idle_deal", "enabled": true, "parameter": 21}, ...]}` (rules left out stay as they were;
    a left-out parameter is the rule's default). A bad rule or parameter is a 422 saying what
    is wrong, in the viewer's language, and nothing is saved. The answer is that of
    `GET /api/alerts`."""
    settings = []
    for item in rules:
        rule = read_rule(str(item.get("rule", "")))
        n = read_parameter(rule, item.get("parameter"))
        settings.append(RuleSetting(rule, item.get("enabled") is True, n))
    _save(svc, view, settings)
    return JSONResponse(alerts_data(view))
