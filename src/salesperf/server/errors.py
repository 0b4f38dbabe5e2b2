"""How mistakes are answered: clear JSON for the API, a page for the browser, never a 500 for
bad input.

Only the project's own errors (`salesperf.errors`) are answered as mistakes: bad input
(`InputError`: a value, a period, a file, a mapping) is a 422, a request outside the viewer's
scope (`Denied`) a 403, something that does not exist (`NotFound`) a 404, a missing sign-in a 401
(API) or a redirect to the sign-in page, a body over its limit a 413 (`salesperf.server.limits`), a
method the path does not take a 405 with the methods it does take in `Allow`. Work beyond the
embedded engine's memory budget is a 503 saying how to raise it; so is a store that cannot
answer (`StoreError`: a damaged file, an unreachable database), with what to do.

Anything else is a bug, never shown as the user's mistake (a ValueError from inside pandas is
not bad input): a 500 whose body says only that, with an error id; the same id is written to
the server's log with the traceback.

Every JSON answer to a mistake has the shape of `ErrorBody`, which the API's description
declares for each of these statuses on every route (`ERROR_RESPONSES`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

import duckdb
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from salesperf.errors import Denied, InputError, NotFound, SalesperfError, StoreError, log_bug
from salesperf.i18n.messages import t
from salesperf.ingest.vocab import UnmappedValues
from salesperf.server.deps import CsrfFailed, NotSignedIn, request_lang
from salesperf.server.limits import PATTERN_SAYS
from salesperf.store.engines.base import damaged, out_of_memory

log = logging.getLogger(__name__)


class BadRequest(InputError):
    """Bad input with details (such as the rows of a batch that break a rule)."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


class ErrorBody(BaseModel):
    """The JSON answer to every mistake: a sentence saying what is wrong, and for some
    mistakes more (what is wrong where in a request that is not valid, the rows of a batch
    that break a rule)."""

    model_config = ConfigDict(extra="allow")

    error: str
    problems: list[dict[str, Any]] | None = None


_SAYS = {
    400: "The body cannot be read: JSON that is not UTF-8 text, or a broken form",
    401: "Not signed in: no session, or no valid API token (`Authorization: Bearer ...`)",
    403: "Outside the viewer's scope or role, or a write without its token",
    404: "No such page, rep, team or import",
    413: "The request body is over its limit",
    422: "The request is not valid: a parameter, a period or the body",
    500: "A bug in salesperf (not a mistake in the request): the body gives an error id, which "
    "the server's log holds with the details",
    503: "The store cannot answer now (over the engine's memory budget, damaged or "
    "unreachable); the message says what to do",
}
#: The error answers every route may give, for the API's description.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": says} for status, says in _SAYS.items()
}


def wants_json(request: Request) -> bool:
    """API paths answer in JSON; pages answer with a page."""
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _page(request: Request, status: int, message: str) -> Response:
    svc = request.app.state.services
    lang = request_lang(request)
    html = svc.templates.get_template("error.html").render(
        status=status,
        message=message,
        lang=lang,
        title=t("error.title", lang),
        summary=t(f"error.{status}", lang) if status in (403, 404, 422, 500) else "",
        back=t("error.back", lang),
    )
    return Response(html, status_code=status, media_type="text/html")


def said(request: Request, exc: Exception) -> str:
    """The error's message: in the viewer's language where the code that raised it wrote it in
    both (a period, a day to judge as of, what the viewer may see), else as it was raised."""
    text = exc.text if isinstance(exc, SalesperfError) else None
    return text.get(request_lang(request)) if text is not None else str(exc)


def error_response(request: Request, status: int, message: str, **details: Any) -> Response:
    """The answer to a mistake, as JSON or as a page."""
    if wants_json(request):
        return JSONResponse({"error": message, **details}, status_code=status)
    return _page(request, status, message)


def allowed_methods(request: Request) -> str:
    """The methods the request's path takes, for a 405's `Allow` (Starlette names only those of
    the first route it finds at the path): each method is tried on the app's routes. A mount
    (the static files) takes every method as far as routing knows, so it is not asked."""
    allowed = []
    for method in ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"):
        # a scope of its own for each try: matching may note things in the scope it is given
        probe = {
            "type": "http",
            "method": method,
            "path": request.scope["path"],
            "root_path": request.scope.get("app_root_path", request.scope.get("root_path", "")),
            "headers": [],
        }
        routes = (r for r in request.app.routes if not isinstance(r, Mount))
        if any(route.matches(probe)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return ", ".join(allowed)


def _problem(error: Mapping[str, Any]) -> dict[str, str]:
    """A validation error as the API says it: where, and what is wrong (for a pattern of
    `salesperf.server.limits`, what it asks for rather than the pattern itself)."""
    where = ".".join(str(p) for p in error.get("loc", ()))
    pattern = (error.get("ctx") or {}).get("pattern")
    if error.get("type") == "string_pattern_mismatch" and pattern in PATTERN_SAYS:
        return {"where": where, "message": PATTERN_SAYS[pattern]}
    return {"where": where, "message": str(error.get("msg", ""))}


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    async def not_signed_in(request: Request, exc: Exception) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"error": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    async def denied(request: Request, exc: Exception) -> Response:
        return error_response(request, 403, said(request, exc))

    async def csrf(request: Request, exc: Exception) -> Response:
        return error_response(request, 403, t("error.csrf", request_lang(request)))

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(request, 404, said(request, exc).strip("'\""))

    async def bad_input(request: Request, exc: Exception) -> Response:
        details = exc.details if isinstance(exc, BadRequest) else {}
        if isinstance(exc, UnmappedValues):  # each value, so that a client can offer choices
            details = {"unmapped": [asdict(u) for u in exc.found]}
        return error_response(request, 422, said(request, exc), **details)

    async def out_of_budget(request: Request, exc: Exception) -> Response:
        message = out_of_memory(exc)
        if message is None:  # another engine error: a bug, answered with a 500 as any other
            raise exc
        return error_response(request, 503, message)

    async def store_failed(request: Request, exc: Exception) -> Response:
        # the store cannot do what was asked (damaged, unreachable, refusing a write): not the
        # request's fault, and not a bug of ours; the message says what to do
        return error_response(request, 503, str(exc))

    async def engine_io(request: Request, exc: Exception) -> Response:
        message = damaged(exc, request.app.state.services.settings.store)
        if message is None:  # another input/output error: a bug or the machine, a 500
            raise exc
        return error_response(request, 503, message)

    async def other(request: Request, exc: Exception) -> Response:
        # one of ours without a status of its own: the request cannot be answered as asked
        return error_response(request, 400, str(exc))

    async def bug(request: Request, exc: Exception) -> Response:
        # not one of ours: a bug; the user gets an id to report, the log the traceback
        error_id = log_bug(exc, f"{request.method} {request.url.path}")
        if wants_json(request):  # the API speaks English, as its other errors do
            message = t("error.internal", "en", id=error_id)
            return JSONResponse({"error": message, "error_id": error_id}, status_code=500)
        return _page(request, 500, t("error.internal", request_lang(request), id=error_id))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [_problem(e) for e in exc.errors()]
        text = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
        return error_response(request, 422, f"the request is not valid: {text}", problems=problems)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = str(exc.detail) if exc.detail else "error"
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            message = t("error.no_page", request_lang(request), path=request.url.path)
        if exc.status_code == 405 and (allowed := allowed_methods(request)):
            headers["Allow"] = allowed
        response = error_response(request, exc.status_code, message)
        response.headers.update(headers)
        return response

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(Denied, denied)
    app.add_exception_handler(CsrfFailed, csrf)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(InputError, bad_input)
    app.add_exception_handler(SalesperfError, other)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(duckdb.OutOfMemoryException, out_of_budget)
    app.add_exception_handler(duckdb.IOException, engine_io)
    app.add_exception_handler(StoreError, store_failed)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, bug)  # last, outside the others: a 500
