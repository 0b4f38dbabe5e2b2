"""The pages, declared once: each is a data function, a template and a path.

`page_router` turns every `Page` into two routes from that one declaration: the HTML page at
its path and its JSON twin under /api, both rendering the same data function's answer, both
behind the viewer's scope (the data function receives a `View`). The data function's text
parameters get their limits from their names (`TEXT_LIMITS`: a period's pattern, an id's
length), so that every page declares, and enforces, the same ones. A new page (the quadrant, the
drivers, the plan, the forecast) is one data function in `salesperf.server.pages.data` (or its own
module), one template, and one `Page(...)` line in `PAGES`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, get_type_hints

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from salesperf.server.deps import JudgedView, ViewDep
from salesperf.server.limits import (
    AMOUNT_TEXT,
    ID_LENGTH,
    NO_NUL,
    PERIOD_LENGTH,
    PERIOD_TEXT,
)
from salesperf.server.pages import analysis as analysis_pages
from salesperf.server.pages import data, export_counts
from salesperf.server.pages import funnel_deals as funnel_pages
from salesperf.server.pages import plan as plan_pages
from salesperf.server.pages import report as report_pages
from salesperf.server.pages.periods import on_page
from salesperf.server.render import render


@dataclass(frozen=True)
class Page:
    """A page: where it lives, what data it shows and the template that shows it."""

    name: str
    path: str  # e.g. /teams/{team_id}; its JSON twin is /api + path
    data: Callable[..., dict[str, Any]]  # data(view, **path and query parameters)
    template: str
    api: bool = True  # whether it has a JSON twin
    # whether it judges "now" (a current or last full period, a pace): its view is judged as
    # of the day of `salesperf.analysis.asof` (`?as_of=`), which it shows and its twin gives
    judges: bool = True

    @property
    def api_path(self) -> str:
        """The path of its JSON twin."""
        return "/api" + (self.path if self.path != "/" else "/overview")


PAGES: tuple[Page, ...] = (
    Page("overview", "/", data.overview, "overview.html"),
    Page("teams", "/teams", data.teams, "teams.html"),
    Page("team", "/teams/{team_id}", plan_pages.team_page, "team.html"),
    Page("rep", "/reps/{rep_id}", plan_pages.rep_page, "rep.html"),
    Page("quadrant", "/quadrant", analysis_pages.quadrant, "quadrant.html"),
    Page("funnel", "/funnel", analysis_pages.funnel, "funnel.html"),
    Page("funnel_deals", "/funnel/deals", funnel_pages.funnel_deals, "funnel_deals.html"),
    Page("drivers", "/drivers", analysis_pages.drivers_page, "drivers.html"),
    Page("plan", "/plan", plan_pages.plan_page, "plan.html"),
    Page("forecast", "/forecast", plan_pages.forecast_page, "forecast.html"),
    Page("report", "/report", report_pages.report_page, "report.html"),
    Page("import", "/import", data.import_form, "import.html", api=False, judges=False),
    Page("log", "/activities/new", data.log_form, "log.html", api=False, judges=False),
    Page("exports", "/exports", export_counts.exports_page, "exports.html", judges=False),
)


@dataclass(frozen=True)
class TextLimit:
    """What a text parameter may hold, and an example of it (from the demo organisation)."""

    length: int = ID_LENGTH
    pattern: str = NO_NUL
    example: str | None = None


#: The limits of the pages' text parameters, by name; any other is an id or a name.
TEXT_LIMITS: dict[str, TextLimit] = {
    "period": TextLimit(PERIOD_LENGTH, PERIOD_TEXT, "2026-Q3"),
    "window": TextLimit(PERIOD_LENGTH, PERIOD_TEXT, "last-quarter"),
    "plan_period": TextLimit(PERIOD_LENGTH, PERIOD_TEXT, "2026-Q4"),
    "target": TextLimit(PERIOD_LENGTH, AMOUNT_TEXT, "250000"),
    "rep_id": TextLimit(example="R002"),
    "rep": TextLimit(example="R002"),
    "team_id": TextLimit(example="T02"),
    "team": TextLimit(example="T02"),
}


def _limited(p: inspect.Parameter, in_path: bool) -> inspect.Parameter:
    """A text parameter with its limits declared (see `TEXT_LIMITS`); others as they are."""
    if p.annotation not in (str, str | None):
        return p
    limit = TEXT_LIMITS.get(p.name, TextLimit())
    where = Path if in_path else Query
    declared = where(
        max_length=limit.length,
        pattern=limit.pattern,
        examples=[limit.example] if limit.example else None,
    )
    return p.replace(annotation=Annotated[p.annotation, declared])


def _parameters(fn: Callable[..., Any], path: str) -> list[inspect.Parameter]:
    """The data function's own parameters (after the view), with their real types and limits."""
    hints = get_type_hints(fn)
    params = list(inspect.signature(fn).parameters.values())[1:]
    return [
        _limited(
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints[p.name]),
            in_path=f"{{{p.name}}}" in path,
        )
        for p in params
    ]


def _with_signature(
    endpoint: Callable[..., Any], page: Page, first: list[inspect.Parameter]
) -> Callable[..., Any]:
    """Give the endpoint the data function's parameters, so FastAPI reads and documents them."""
    params = [*first, *_parameters(page.data, page.path)]
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return endpoint


def _view_param(page: Page) -> inspect.Parameter:
    kind = JudgedView if page.judges else ViewDep
    return inspect.Parameter("view", inspect.Parameter.KEYWORD_ONLY, annotation=kind)


def _with_as_of(view: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """The page's data with the day it was judged as of (`as_of`), when it judges "now"."""
    return payload if view.as_of is None else {**payload, "as_of": view.as_of.to_json()}


def _request_param() -> inspect.Parameter:
    return inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)


def add_page(router: APIRouter, page: Page) -> None:
    """Add the page and its JSON twin to the router."""

    async def html(request: Request, view: Any, **params: Any) -> HTMLResponse:
        # the period box's picker, and a refused period shown next to the box (`periods`)
        compute = functools.partial(page.data, view)
        found, extra = on_page(request, view.today, view.lang, compute, params)
        payload = _with_as_of(view, found)
        return render(request, view, page.template, page=page, data=payload, **extra)

    router.add_api_route(
        page.path,
        _with_signature(html, page, [_request_param(), _view_param(page)]),
        methods=["GET"],
        response_class=HTMLResponse,
        include_in_schema=False,
        name=f"page_{page.name}",
    )
    if page.api:

        async def as_json(view: Any, **params: Any) -> JSONResponse:
            return JSONResponse(_with_as_of(view, page.data(view, **params)))

        router.add_api_route(
            page.api_path,
            _with_signature(as_json, page, [_view_param(page)]),
            methods=["GET"],
            name=f"api_{page.name}",
            summary=(page.data.__doc__ or page.name).split("\n")[0],
            description=inspect.cleandoc(page.data.__doc__ or ""),
            tags=["pages"],
        )


def page_router(pages: tuple[Page, ...] = PAGES) -> APIRouter:
    """The routes of every page and its JSON twin."""
    router = APIRouter()
    for page in pages:
        add_page(router, page)
    return router
