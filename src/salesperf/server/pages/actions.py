"""The log-an-activity form's route (the import's pages are in `importing`, the exports in
`exports`).

Routes that do not wait on the request body are plain functions, which the server runs in its
worker threads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from salesperf.server.deps import ViewDep, Writer
from salesperf.server.pages import data, logform
from salesperf.server.render import render

router = APIRouter(include_in_schema=False)


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
