"""The JSON API: the scorecard, metric queries, the metric registry, imports and batches.

Every route depends on the viewer's scope (through `ViewDep`), so a viewer gets only what
`salesperf.auth.access` lets them see; writes also need `Writer` (a write token, or a session's
CSRF token) and imports an administrator. Routes are plain functions, run in the server's
worker threads, so that one slow answer does not hold up the others.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Hashable
from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Body, File, Form, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from salesperf.auth.access import check_replace, require_admin
from salesperf.fx import display_currency
from salesperf.ingest.snapshot import SYSTEM_LENGTH, system_name
from salesperf.metrics.compiler import NULL_REASON, run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Compare, Split
from salesperf.metrics.query import Query as MetricQuery
from salesperf.metrics.registry import METRICS, computable, null_cases, reason_json
from salesperf.metrics.targets import basis_json
from salesperf.server.api.batch import write_rows
from salesperf.server.api.uploads import (
    discard_upload,
    mapping_for,
    result_json,
    run_import,
    save_upload,
)
from salesperf.server.deps import JudgedView, View, ViewDep, Writer
from salesperf.server.limits import (
    ID_LENGTH,
    ITEMS,
    LIST_LENGTH,
    NO_NUL,
    PERIOD_LENGTH,
    PERIOD_TEXT,
)
from salesperf.server.pages.data import resolve_period, scorecard_card

router = APIRouter(prefix="/api")

#: An id, a name or an option: free text without a NUL byte, of a bounded length.
Name = Annotated[str, StringConstraints(max_length=ID_LENGTH, pattern=NO_NUL)]
#: A period or a window, as the scorecard and the analyses' routes take it.
PeriodParam = Annotated[
    str | None,
    Query(
        description="2026-Q3, Q3 2026, 2026-07, 2026-07-01..2026-09-30, last-quarter, ... "
        "(default: the last full quarter)",
        max_length=PERIOD_LENGTH,
        pattern=PERIOD_TEXT,
        examples=["2026-Q3"],
    ),
]
FILTERS = 50  # the most filters of one metric query
#: A row of each batch, from the demo organisation, for the API's description.
ACTIVITY = {"activity_id": "A-9001", "rep_id": "R002", "type": "call",
            "occurred_at": "2026-09-30T10:00:00", "outcome": "connected"}  # fmt: skip
DEAL = {"deal_id": "D-9001", "rep_id": "R002", "created_at": "2026-09-01", "status": "open",
        "amount": 12000}  # fmt: skip
#: A form field of an import: a name or an option.
FormName = Annotated[str | None, Form(max_length=ID_LENGTH, pattern=NO_NUL)]


@router.get("/me", tags=["account"])
def me(view: ViewDep) -> JSONResponse:
    """Who is signed in, and what they see."""
    return JSONResponse(
        {
            "user": view.user.to_json(),
            "scope": {
                "kind": view.scope.kind.value,
                "reps": sorted(view.scope.reps) if view.scope.reps is not None else None,
                "teams": sorted(view.scope.teams) if view.scope.teams is not None else None,
                "description": view.scope.describe(),
            },
            "via": "token" if view.viewer.via_token else "session",
        }
    )


_CURRENCY = "show amounts in this currency (ISO 4217, e.g. USD), converted at each deal's date"


@router.get("/scorecard", tags=["metrics"])
def scorecard_route(
    view: JudgedView,
    by: By = By.REP,
    grain: Grain = Grain.ALL,
    period: PeriodParam = None,
    metrics: Annotated[
        str | None,
        Query(
            description="comma-separated metric names (default: the scorecard's)",
            max_length=LIST_LENGTH,
            pattern=NO_NUL,
            examples=["activities,revenue_won,win_rate"],
        ),
    ] = None,
    split: Split | None = None,
    filter: Annotated[
        list[Name],
        Query(
            description="DIMENSION=VALUE, e.g. kind=new_business; repeatable",
            max_length=ITEMS,
            examples=[["kind=new_business"]],
        ),
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    currency: Annotated[
        str | None, Query(description=_CURRENCY, max_length=16, pattern=NO_NUL, examples=["USD"])
    ] = None,
) -> Response:
    """The scorecard, with the command line's options (`salesperf scorecard --format json`):
    the same versioned JSON, inside the viewer's scope, and `as_of`: the day the default
    period is counted from, and whether it was moved back to the data's end."""

    def body() -> dict[str, Any]:
        return scorecard_card(
            view, by=by, grain=grain, period=period, metrics=metrics,
            split=split.value if split else None, filters=tuple(filter), currency=currency,
        ).to_json()  # fmt: skip

    # a large scorecard takes longer to write as JSON than to look up: its text is kept too
    key = ("scorecard_json", by, grain, period, metrics, split, tuple(filter), currency)
    return _with_as_of(view, (*key, view.scope, view.today), body)


def _with_as_of(
    view: View, key: tuple[Hashable, ...], make: Callable[[], dict[str, Any]]
) -> Response:
    """An answer computed as of `view.today` (`make`, a JSON object), remembered as text
    without its `as_of`, which is added as it is sent: `as_of` names the data's last day, which
    the first write of a day moves, and which nothing else in the answer depends on."""

    def text() -> bytes:
        out = make()
        out.pop("as_of", None)
        return bytes(JSONResponse(out).body)

    kept = view.cache.get(key, text)
    tail = bytes(JSONResponse({"as_of": view.as_of.to_json() if view.as_of else None}).body)
    body = kept[:-1] + (b"," if kept != b"{}" else b"") + tail[1:]
    return Response(body, media_type="application/json")


@router.get("/quality", tags=["metrics"])
def quality_route(
    view: JudgedView,
    period: PeriodParam = None,
    team: Annotated[Name | None, Query(description="a team and the teams below it")] = None,
    rep: Annotated[Name | None, Query(description="one rep")] = None,
    min_silent: Annotated[
        int, Query(ge=1, le=366, description="working days without activity that make a flag")
    ] = 3,
    min_rows: Annotated[
        int, Query(ge=1, le=100_000, description="the fewest cases a connect or win rate needs")
    ] = 20,
) -> Response:
    """Data-quality flags per rep (`salesperf quality --format json`), inside the viewer's
    scope: working days without activity, calls and meetings without an outcome, deals without
    an amount or stage history, open deals past their expected close, rates on few cases."""
    from salesperf.analysis.quality import QualityQuery, quality

    if team is not None:
        view.scope.require_team(team)
    if rep is not None:
        view.scope.require_rep(rep)

    def body() -> dict[str, Any]:
        p = resolve_period(view, period)
        query = QualityQuery(p, team=team, rep=rep, as_of=view.today, min_silent=min_silent,
                             min_rows=min_rows, reps=view.scope.reps)  # fmt: skip
        return quality(view.store, query).to_json()

    key = ("quality", period, team, rep, min_silent, min_rows, view.scope, view.today)
    return _with_as_of(view, key, body)


class QueryBody(BaseModel):
    """A metric query (see salesperf.metrics.query.Query)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"metrics": ["activities", "win_rate"], "start": "2026-07-01",
                 "end": "2026-10-01", "grain": "month", "by": "team",
                 "filters": [["kind", "new_business"]]},
            ]
        },
    )  # fmt: skip

    metrics: list[Name] = Field(min_length=1, max_length=ITEMS)
    start: date
    end: date = Field(description="exclusive")
    grain: Grain = Grain.MONTH
    by: By = By.REP
    compare: list[Compare] = Field(default=[], max_length=len(Compare))
    split: Split | None = None
    reps: list[Name] | None = Field(default=None, max_length=ITEMS)
    teams: list[Name] | None = Field(default=None, max_length=ITEMS)
    # every filter must hold (they are joined with AND): a few per dimension at most make sense
    filters: list[tuple[Split, Name]] = Field(default=[], max_length=FILTERS)
    currency: str | None = Field(default=None, description=_CURRENCY, max_length=16, pattern=NO_NUL)


def _json_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, date):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return _json_value(v.item())
    if v is pd.NA:
        return None
    return v


@router.post("/query", tags=["metrics"])
def query(view: ViewDep, body: QueryBody) -> JSONResponse:
    """Run a metric query; rows outside the viewer's scope are left out (a grouping outside it,
    such as by=org for a manager, is refused). A metric that can be null comes with a
    `<metric>_null_reason` column: null, or why the value is null (a code, English, Dutch);
    a target not set for exactly the period, a `<metric>_target_basis` saying how it came about."""
    q = MetricQuery(
        metrics=tuple(body.metrics), start=body.start, end=body.end, grain=body.grain,
        by=body.by, compare=tuple(body.compare), split=body.split,
        reps=frozenset(body.reps) if body.reps is not None else None,
        teams=frozenset(body.teams) if body.teams is not None else None,
        filters=tuple(body.filters),
    )  # fmt: skip
    q = view.scope.narrow(q)
    to = display_currency(view.store, body.currency)
    st = view.store.settings
    df = run(view.store.con, q, st.timezone, st.currency, to, reasons=True)
    why = {f"{m}{NULL_REASON}": m for m in q.metrics if f"{m}{NULL_REASON}" in df.columns}
    rows = [
        {
            k: reason_json(why[k], v) if k in why
            else basis_json(v) if str(k).endswith("_target_basis") else _json_value(v)
            for k, v in rec.items()
        }
        for rec in df.to_dict("records")
    ]  # fmt: skip
    return JSONResponse({"key": q.key, "columns": list(df.columns), "rows": rows})


@router.get("/metrics", tags=["metrics"])
def metrics(view: ViewDep) -> JSONResponse:
    """Every metric of the registry: labels and descriptions in both languages, group, unit,
    direction, whether the scorecard computes it, and why its value can be null."""
    on_card = set(computable())
    return JSONResponse(
        [
            {
                "name": m.name,
                "label_en": m.label_en,
                "label_nl": m.label_nl,
                "description_en": m.description_en,
                "description_nl": m.description_nl,
                "group": m.group.value,
                "type": m.type.value,
                "unit": m.unit.value,
                "higher_is_better": m.higher_is_better,
                "scorecard": m.name in on_card,
                "null_when": [{"code": c.code, "en": c.en, "nl": c.nl} for c in null_cases(m.name)],
            }
            for m in METRICS.values()
        ]
    )


@router.post("/import/{table}", tags=["import"])
async def import_upload(
    table: Annotated[str, PathParam(max_length=ID_LENGTH, pattern=NO_NUL, examples=["activities"])],
    view: ViewDep,
    writer: Writer,
    file: Annotated[UploadFile, File(description="CSV, Excel (.xlsx) or Parquet")],
    preset: FormName = None,
    map: Annotated[
        list[Name], Form(description="SOURCE=CANONICAL; repeatable", max_length=ITEMS)
    ] = [],  # noqa: B006
    delimiter: FormName = None,
    encoding: FormName = None,
    decimal: FormName = None,
    date_format: FormName = None,
    sheet: FormName = None,
    accept_suggested: Annotated[
        bool, Form(description="map values no rule maps to the suggested words")
    ] = False,
    replace: Annotated[
        bool,
        Form(
            description="a snapshot: delete the stored rows (of `system`, when given) whose key "
            "is in no row of the file; rejected rows are kept; `deleted` counts them"
        ),
    ] = False,
    system: Annotated[
        str | None,
        Form(
            max_length=SYSTEM_LENGTH,
            pattern=NO_NUL,
            description="the source system the file comes from, recorded for each row written",
        ),
    ] = None,
) -> JSONResponse:
    """Import a file into a canonical table through the same importer as `salesperf import`:
    every row checked, rejected rows listed (and kept for download), the rest upserted at once.
    With `replace`, stored rows not in the file are deleted (and kept, for `salesperf imports
    restore`). Administrators only."""
    if replace:
        check_replace(view.scope, table)
    require_admin(view.user, "imports")
    system = system_name(system)
    name, mapping = mapping_for(
        table, preset=preset, maps=map,
        options={"delimiter": delimiter, "encoding": encoding, "decimal": decimal,
                 "date_format": date_format, "sheet": sheet},
    )  # fmt: skip
    _, path = await save_upload(view.work_dir, file)
    try:
        result = await run_in_threadpool(
            functools.partial(
                run_import, accept_suggested=accept_suggested, replace=replace, system=system
            ),
            view,
            name,
            path,
            mapping,
        )
    finally:
        discard_upload(path)
    return JSONResponse(result_json(result))


@router.post("/activities", tags=["batches"])
def post_activities(
    view: ViewDep,
    writer: Writer,
    rows: Annotated[
        list[dict[str, Any]],
        Body(description="a JSON list of activity rows", examples=[[ACTIVITY]]),
    ],
) -> JSONResponse:
    """Add or update activities (by activity_id), checked by the import's rules; all or
    nothing. A rep may post their own, a manager their team's."""
    return JSONResponse(write_rows(view, "activities", rows))


@router.post("/deals", tags=["batches"])
def post_deals(
    view: ViewDep,
    writer: Writer,
    rows: Annotated[
        list[dict[str, Any]], Body(description="a JSON list of deal rows", examples=[[DEAL]])
    ],
) -> JSONResponse:
    """Add or update deals (by deal_id), checked by the import's rules; all or nothing."""
    return JSONResponse(write_rows(view, "deals", rows))
