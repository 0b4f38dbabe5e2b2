"""Signing in and out, the language switch, and the public assets (chart library, health, API
documentation). The API tokens' routes and page (`salesperf.server.api.tokens`) come with this router.

Failed sign-ins slow further attempts down (`salesperf.server.throttle`); no account is locked.
Signing in never waits for an import: the password check and the session's one short write use
locks of their own (`Services.password_checks`, `Services.accounts`).
"""

from __future__ import annotations

import math
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from salesperf.auth.access import public_route
from salesperf.auth.sessions import end_session, session_user, start_session
from salesperf.auth.users import SignInFailed, set_lang, verify_password
from salesperf.errors import InputError
from salesperf.i18n.messages import lang_of, t
from salesperf.server.api import tokens
from salesperf.server.deps import (
    LANG_COOKIE,
    PRE_COOKIE,
    SESSION_COOKIE,
    ClientAddress,
    ServicesDep,
    StoreDep,
    Writer,
    csrf_token,
    request_lang,
    viewer_scope,
)
from salesperf.server.render import render
from salesperf.server.services import Services
from salesperf.server.throttle import Throttled

router = APIRouter()
router.include_router(tokens.router)
Public = [Depends(public_route)]
SignedIn = [Depends(viewer_scope)]  # routes for signed-in users that show no data
YEAR = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything else becomes the overview."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _secure(request: Request, svc: Services) -> bool:
    setting = svc.settings.secure_cookies
    return request.url.scheme == "https" if setting is None else setting


def _cookie(
    response: Response, request: Request, svc: Services, name: str, value: str, max_age: int
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax",
        secure=_secure(request, svc), path="/",
    )  # fmt: skip


def _login_page(
    request: Request,
    svc: Services,
    pre: str,
    *,
    next_path: str,
    message: str | None = None,
    username: str | None = None,
    status: int = 200,
) -> Response:
    response = render(
        request, None, "login.html", status=status, message=message, next=next_path,
        username=username, login_csrf=csrf_token(svc.settings.secret_key, f"login:{pre}"),
    )  # fmt: skip
    if request.cookies.get(PRE_COOKIE) != pre:
        _cookie(response, request, svc, PRE_COOKIE, pre, YEAR)
    return response


@router.get("/login", dependencies=Public, response_class=HTMLResponse, include_in_schema=False)
def login_page(
    request: Request,
    svc: ServicesDep,
    store: StoreDep,
    next: str | None = None,
    lang: str | None = None,
) -> Response:
    """The sign-in page (a signed-in visitor goes straight on)."""
    secret = request.cookies.get(SESSION_COOKIE)
    target = safe_next(next)
    if secret and session_user(store, secret, now=svc.settings.clock()) is not None:
        return RedirectResponse(target, status_code=303)
    chosen = lang_of(lang)
    if chosen is not None:  # the language links of the sign-in page
        response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        _cookie(response, request, svc, LANG_COOKIE, chosen.value, YEAR)
        return response
    pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    return _login_page(request, svc, pre, next_path=target)


@router.post("/login", dependencies=Public, include_in_schema=False)
def login(
    request: Request,
    svc: ServicesDep,
    store: StoreDep,
    address: ClientAddress,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token_: Annotated[str, Form(alias="csrf_token")] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password (throttled) and start a session."""
    lang = request_lang(request)
    target = safe_next(next)
    pre = request.cookies.get(PRE_COOKIE)
    if not pre or not secrets.compare_digest(
        csrf_token_, csrf_token(svc.settings.secret_key, f"login:{pre}")
    ):
        pre = pre or secrets.token_urlsafe(24)
        return _login_page(
            request, svc, pre, next_path=target, message=t("signin.expired", lang),
            username=username, status=403,
        )  # fmt: skip
    try:
        attempt = svc.throttle.attempt(username, address)  # counted as failed until it is not
    except Throttled as exc:
        message = t("signin.throttled", lang, seconds=math.ceil(exc.seconds))
        response = _login_page(
            request, svc, pre, next_path=target, message=message, username=username, status=429
        )
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    try:
        with svc.password_checks:
            user = verify_password(
                store, username, password, hasher=svc.hasher, writes=svc.accounts
            )
    except SignInFailed:
        return _login_page(
            request, svc, pre, next_path=target, message=t("signin.failed", lang),
            username=username, status=401,
        )  # fmt: skip
    svc.throttle.succeeded(attempt)
    with svc.accounts:
        secret = start_session(
            store, user.username, lifetime=svc.settings.session_lifetime, now=svc.settings.clock()
        )
    response = RedirectResponse(target, status_code=303)
    max_age = int(svc.settings.session_lifetime.total_seconds())
    _cookie(response, request, svc, SESSION_COOKIE, secret, max_age)
    return response


@router.post("/logout", dependencies=SignedIn, include_in_schema=False)
def logout(request: Request, viewer: Writer, svc: ServicesDep, store: StoreDep) -> Response:
    """End the session."""
    if viewer.session is not None:
        with svc.accounts:
            end_session(store, viewer.session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang", dependencies=SignedIn, include_in_schema=False)
def switch_language(
    request: Request,
    viewer: Writer,
    svc: ServicesDep,
    store: StoreDep,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the interface language; it is remembered for the user."""
    chosen = lang_of(lang)
    if chosen is None:
        raise InputError(f"{lang!r} is not a language of salesperf; choose en or nl")
    with svc.accounts:
        set_lang(store, viewer.user.username, chosen.value)
    response = RedirectResponse(safe_next(next), status_code=303)
    _cookie(response, request, svc, LANG_COOKIE, chosen.value, YEAR)
    return response


@router.get("/assets/vega.js", dependencies=Public, include_in_schema=False)
def vega_bundle(request: Request, svc: ServicesDep) -> Response:
    """The chart library (Vega, Vega-Lite, vega-embed), built locally and cached."""
    body = svc.vega_bundle()
    return Response(
        body,
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/healthz", dependencies=Public, tags=["server"])
async def health() -> JSONResponse:
    """The server is up."""
    return JSONResponse({"ok": True})


@router.get("/docs", dependencies=Public, response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> Response:
    """The API reference, from the OpenAPI description (served locally, no external script)."""
    spec = request.app.openapi()
    return render(request, None, "docs.html", spec=spec)
