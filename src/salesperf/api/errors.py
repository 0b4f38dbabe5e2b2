"""How mistakes are answered: clear JSON for the API, a page for the browser, never a 500 for
bad input.

Bad input (ValueError and the import's refusals) is a 422, a request outside the viewer's scope
a 403, something that does not exist a 404, a missing sign-in a 401 (API) or a redirect to the
sign-in page. Work beyond the embedded engine's memory budget is a 503 saying how to raise it.
A bug is not caught here: it gives a 500 and a traceback in the server's log.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import duckdb
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from salesperf.access import AccessDenied, NotFound
from salesperf.api.deps import CsrfFailed, NotSignedIn, request_lang
from salesperf.engines.base import out_of_memory
from salesperf.i18n import t
from salesperf.ingest.mapping import MappingError
from salesperf.ingest.readers import FileRefused


class BadRequest(ValueError):
    """Bad input with details (such as the rows of a batch that break a rule)."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


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
        summary=t(f"error.{status}", lang) if status in (403, 404, 422) else "",
        back=t("error.back", lang),
    )
    return Response(html, status_code=status, media_type="text/html")


def error_response(request: Request, status: int, message: str, **details: Any) -> Response:
    """The answer to a mistake, as JSON or as a page."""
    if wants_json(request):
        return JSONResponse({"error": message, **details}, status_code=status)
    return _page(request, status, message)


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
        return error_response(request, 403, str(exc))

    async def csrf(request: Request, exc: Exception) -> Response:
        return error_response(request, 403, t("error.csrf", request_lang(request)))

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(request, 404, str(exc).strip("'\""))

    async def bad_input(request: Request, exc: Exception) -> Response:
        details = exc.details if isinstance(exc, BadRequest) else {}
        return error_response(request, 422, str(exc), **details)

    async def out_of_budget(request: Request, exc: Exception) -> Response:
        message = out_of_memory(exc)
        if message is None:  # another engine error: a bug, answered with a 500 as any other
            raise exc
        return error_response(request, 503, message)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            {
                "where": ".".join(str(p) for p in e.get("loc", ())),
                "message": str(e.get("msg", "")),
            }
            for e in exc.errors()
        ]
        text = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
        return error_response(request, 422, f"the request is not valid: {text}", problems=problems)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = str(exc.detail) if exc.detail else "error"
        if exc.status_code == 404:
            message = f"there is no page {request.url.path}"
        return error_response(request, exc.status_code, message)

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(AccessDenied, denied)
    app.add_exception_handler(CsrfFailed, csrf)
    app.add_exception_handler(NotFound, not_found)
    for exc in (ValueError, FileRefused, MappingError):
        app.add_exception_handler(exc, bad_input)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(duckdb.OutOfMemoryException, out_of_budget)
    app.add_exception_handler(StarletteHTTPException, http_error)
