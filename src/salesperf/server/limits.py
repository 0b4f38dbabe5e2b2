"""What a request may hold: the size of its body, counted as it arrives, and the text of its
parameters.

A route that takes files (an import's upload) may receive up to `BodyLimits.file_mb`; every
other request (JSON batches and queries, forms) up to `BodyLimits.body_mb`. The limit is applied
when the route reads the body, once routing has chosen the route: a request that says it is
larger (Content-Length) is refused before a byte is read; one that does not say, or says less,
is counted chunk by chunk and stopped at the first byte over the limit, so a 100 MB body is
never read, nor held, to be refused. Either way the answer is a 413 naming the limit. The
limits are read from the environment (`BODY_ENV`) when the app is made.

No parameter may hold a NUL byte (the engines' SQL ends a string there): `no_nul_bytes` refuses
one in the path or the query of any route with a 422 naming the parameter, and the routes
declare `NO_NUL` (or a narrower pattern) and a length for their text parameters and body
fields, which the API's description shows and a 422 enforces. `PATTERN_SAYS` tells what each
pattern asks for, in the 422's words.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields

from fastapi import Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesperf.errors import InputError

MB = 1024 * 1024

#: Free text (ids, names, metric names, filters): anything but a NUL byte.
NO_NUL = r"^[^\x00]*$"
#: A period or a window as `salesperf.analysis.windows.resolve_window` reads them (also as the
#: pages write them: `K3 2026`, `01-07-2026 – 30-09-2026`, `juli t/m september 2026`).
PERIOD_TEXT = r"^[0-9A-Za-z .,/\u2013\u2014-]*$"
#: A day, YYYY-MM-DD.
DAY_TEXT = r"^[0-9 -]*$"
#: A positive amount (a target), as a number is written.
AMOUNT_TEXT = r"^[0-9 .eE+_]*$"
#: What each pattern asks for, as a 422 says it.
PATTERN_SAYS = {
    NO_NUL: "must not hold a NUL byte",
    PERIOD_TEXT: "must be a period or a window, such as 2026-Q3, Q3 2026, 2026-07, July 2026, "
    "2026-07-01..2026-09-30 or last-quarter",
    DAY_TEXT: "must be a day written YYYY-MM-DD",
    AMOUNT_TEXT: "must be a positive amount, such as 250000",
}
#: The longest text of each kind a parameter may hold.
ID_LENGTH = 200  # an id or a name (a rep, a team, a metric, a filter, an option)
PERIOD_LENGTH = 64  # a period or a window, two ISO days with their ".." and some spaces
LIST_LENGTH = 2000  # a comma-separated list of metric names
ITEMS = 1000  # the most items of a repeated parameter or a list in a body


@dataclass(frozen=True)
class BodyLimits:
    """The most a request body may hold, in MB; each can be changed with its variable in
    `BODY_ENV`."""

    body_mb: int = 10  # JSON and form bodies
    file_mb: int = 200  # the body of a request to a route that takes files

    @classmethod
    def from_env(cls) -> BodyLimits:
        """The limits, from the environment where set."""
        values: dict[str, int] = {}
        for f in fields(cls):
            text = os.environ.get(BODY_ENV[f.name], "").strip()
            if not text:
                continue
            if not text.isdecimal() or int(text) < 1:
                # read when the app is made: the server does not start (`salesperf serve`
                # shows the message)
                raise InputError(
                    f"{BODY_ENV[f.name]} must be a whole number of MB above 0, not {text!r}"
                )
            values[f.name] = int(text)
        return cls(**values)


BODY_ENV = {"body_mb": "SALESPERF_MAX_BODY_MB", "file_mb": "SALESPERF_MAX_FILE_MB"}


class BodyTooLarge(HTTPException):
    """A request body over its limit: answered with a 413 (raised while the body is read, so
    the route's own handling of a broken body does not turn it into a 400)."""

    def __init__(self, limit_mb: int, files: bool) -> None:
        what = "a request that uploads files" if files else "a request body"
        super().__init__(
            413,
            f"{what} may hold at most {limit_mb} MB ({limit_mb * MB} bytes); this one is larger",
            headers={"Connection": "close"},  # the rest of the body is not read
        )


def takes_files(route: object) -> bool:
    """Does the route take uploaded files?"""
    # FastAPI gives the body of a route with any File parameter a File field
    body = route.body_field if isinstance(route, APIRoute) else None
    return body is not None and isinstance(body.field_info, params.File)


def no_nul_bytes(request: Request) -> None:
    """A 422 naming each parameter of the request's path or query that holds a NUL byte (an
    app-wide dependency: every route has it, whatever its own parameters declare)."""
    found = [("path", k, v) for k, v in request.path_params.items() if "\x00" in str(v)]
    found += [("query", k, v) for k, v in request.query_params.multi_items() if "\x00" in k + v]
    if found:
        raise RequestValidationError(
            [
                {"type": "nul_byte", "loc": (where, name), "msg": PATTERN_SAYS[NO_NUL], "input": v}
                for where, name, v in found
            ]
        )


#: How the middleware answers: `salesperf.server.errors.error_response`'s shape.
Responder = Callable[[Request, int, str], Response]


class BodyLimit:
    """ASGI middleware that holds every request body to its limit (see the module's text)."""

    def __init__(self, app: ASGIApp, limits: BodyLimits, respond: Responder) -> None:
        self.app = app
        self.limits = limits
        self.respond = respond  # the app's answer to a mistake, as JSON or as a page

    def limit_for(self, scope: Scope) -> tuple[int, bool]:
        """The limit in MB for this request, and whether it is the one for files. A body is
        read by its route, after routing has named the route in the scope."""
        if takes_files(scope.get("route")):
            return self.limits.file_mb, True
        return self.limits.body_mb, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a request whose body is over its limit with a 413; pass on the others."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        text = Headers(scope=scope).get("content-length", "")
        declared = int(text) if text.isdecimal() else 0
        received = 0

        async def counted() -> Message:
            nonlocal received
            limit_mb, files = self.limit_for(scope)
            if declared > limit_mb * MB:  # refused before a byte is read
                raise BodyTooLarge(limit_mb, files)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit_mb * MB:
                    raise BodyTooLarge(limit_mb, files)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:
            # raised where no handler answers it (outside a route): answered here if still
            # possible
            if started:
                raise
            await self._refuse(scope, receive, send, exc)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, exc: BodyTooLarge) -> None:
        response = self.respond(Request(scope), exc.status_code, exc.detail)
        response.headers.update(exc.headers or {})
        await response(scope, receive, send)
