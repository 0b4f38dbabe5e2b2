"""The pages' forms and downloads: logging an activity, and exports of the scorecard and of any
table (CSV and Excel). The import's pages are in `importing`.

Routes that do not wait on the request body are plain functions, which the server runs in its
worker threads: an export of a large table does not hold up everyone else's pages.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

import ibis
import pandas as pd
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from salesperf.analysis.windows import resolve_window
from salesperf.auth.access import scoped_table
from salesperf.cells import XLSX_MEDIA_TYPE, frame_csv, xlsx_bytes
from salesperf.errors import InputError
from salesperf.metrics.periods import Grain, calendar_days, local_time
from salesperf.metrics.query import By, Split
from salesperf.server.deps import JudgedView, ViewDep, Writer
from salesperf.server.pages import data, logform
from salesperf.server.render import render

router = APIRouter(include_in_schema=False)

#: The column that places each table's rows in time, for exports of one period.
TIME_COLUMNS = {
    "activities": "occurred_at",
    "deals": "created_at",
    "leads": "created_at",
    "deal_stages": "entered_at",
    "surveys": "responded_at",
    "absences": "date",
    "targets": "period_start",
    "accounts": "created_at",
}
EXCEL_ROWS = 1_048_575  # a worksheet's rows, less the header


# -- log an activity ---------------------------------------------------------------------
@router.post("/activities/new")
def log_activity(
    request: Request,
    view: ViewDep,
    writer: Writer,
    rep_id: Annotated[str, Form()] = "",
    type: Annotated[str, Form()] = "",
    occurred_at: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    duration_min: Annotated[str, Form()] = "",
    deal_id: Annotated[str, Form()] = "",
    account_id: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Save one activity through the same checks as a batch or an import; an unlikely one
    (`logform`) comes back with its warnings until the viewer confirms it."""
    form = {
        "rep_id": rep_id, "type": type, "occurred_at": occurred_at, "outcome": outcome,
        "duration_min": duration_min, "deal_id": deal_id, "account_id": account_id,
    }  # fmt: skip
    reading = logform.read_form(view, form)
    if reading.ready(confirm):
        saved, reading = logform.save(view, form, reading)
        if saved:
            return RedirectResponse(f"/activities/new?saved={saved}", status_code=303)
    else:
        reading = logform.checked(view, form, reading)
    return render(
        request, view, "log.html", status=422 if reading.errors else 200,
        data=data.log_form(view), form=form, errors=reading.errors, warnings=reading.warnings,
        confirm=reading.confirm,
    )  # fmt: skip


# -- exports -------------------------------------------------------------------------------
def _download(df: pd.DataFrame, name: str, fmt: str) -> Response:
    """The frame as a CSV or Excel download; formula-like text is written as text."""
    if fmt == "csv":
        return Response(
            frame_csv(df).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt != "xlsx":
        raise InputError(f"format {fmt!r} is not offered; choose csv or xlsx")
    if len(df) > EXCEL_ROWS:
        raise InputError(
            f"{len(df):,} rows do not fit in an Excel sheet; export CSV or choose a period"
        )
    return Response(
        xlsx_bytes(df, sheet=name[:31]),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get("/export/scorecard")
def export_scorecard(
    view: JudgedView,
    by: By = By.REP,
    grain: Grain = Grain.ALL,
    period: str | None = None,
    metrics: str | None = None,
    split: Split | None = None,
    filter: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    format: str = "csv",
) -> Response:
    """The scorecard as one flat table (`Scorecard.to_frame`), inside the viewer's scope."""
    card = data.scorecard_card(
        view, by=by, grain=grain, period=period or None, metrics=metrics,
        split=split.value if split else None, filters=tuple(filter),
    )  # fmt: skip
    return _download(card.to_frame(), f"scorecard-{card.period.label}", format)


@router.get("/export/{table}")
def export_table(
    table: str, view: JudgedView, format: str = "csv", period: str | None = None
) -> Response:
    """A canonical table's rows that the viewer may see, optionally of one period."""
    t = scoped_table(view.store, view.scope, table)
    name = table
    if period:
        p = resolve_window(period, view.today)
        col = t[TIME_COLUMNS[table]] if table in TIME_COLUMNS else None
        if col is None:
            raise InputError(f"{table} has no dates to choose a period by")
        lo, hi = datetime.combine(p.start, time()), datetime.combine(p.end, time())
        if col.type().is_date():
            t = t.filter((col >= ibis.date(p.start)) & (col < ibis.date(p.end)))
        else:  # the period's days in local time; a date-only value on its own day
            local = local_time(col, view.store.settings.timezone, p.start, p.end)
            t = t.filter((local >= lo) & (local < hi))
        name = f"{table}-{p.label}".replace("..", "_")
    df: Any = calendar_days(t.to_pandas())
    return _download(df, name, format)
