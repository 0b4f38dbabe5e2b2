"""Who is asking, and what they may see: the typed dependencies every route declares.

A request is signed in by a session cookie (pages, forms) or an API token
(`Authorization: Bearer spt_...`). `CurrentViewer` resolves it; `viewer_scope` asks
`salesperf.auth.access` what the viewer may see, and every route that shows organisation data
depends on it (a test enforces this). `Writer` guards every write: a form or browser call must
carry the session's CSRF token, an API token must have the write scope.

Requests run side by side in the server's worker threads. Each borrows a store of its own for
its whole length (`request_store`, the `store` of its `View`), so no engine connection is ever
used by two threads at once; routes and dependencies that use the store are plain functions
(FastAPI runs them in its thread pool), and `async` is kept for those that await the request
body. Writes of organisation data take turns (`Services.writes`); signing in reads the store
only, and notes a token's use in memory (`Services.token_use`), so no request waits for an
import to know who is asking.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from salesperf.analysis.asof import AsOf, last_data_day, parse_as_of
from salesperf.analysis.asof import as_of as asof_rule
from salesperf.auth.access import AccessDenied, Scope, require_admin, scope_for
from salesperf.auth.sessions import session_key, session_user
from salesperf.auth.tokens import ApiToken, TokenScope, record_token_use, token_user
from salesperf.auth.users import User
from salesperf.errors import Denied
from salesperf.i18n.messages import lang_of, negotiate
from salesperf.server.addresses import client_address
from salesperf.server.limits import DAY_TEXT, PERIOD_LENGTH
from salesperf.server.services import ResultCache, Services
from salesperf.server.settings import AppSettings
from salesperf.store import Store
from salesperf.text import Lang

SESSION_COOKIE = "salesperf_session"
PRE_COOKIE = "salesperf_pre"  # an anonymous visitor's key, for the sign-in form's CSRF token
LANG_COOKIE = "salesperf_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class NotSignedIn(Denied):
    """No valid session or token came with the request."""


class CsrfFailed(Denied):
    """A write came without the session's CSRF token."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a request, and how they signed in."""

    user: User
    session: str | None = None  # the session secret (cookie), for sessions
    token: ApiToken | None = None  # the API token, for machine clients

    @property
    def via_token(self) -> bool:
        """Signed in with an API token."""
        return self.token is not None


def services(request: Request) -> Services:
    """The app's services (store, settings, templates)."""
    svc: Services = request.app.state.services
    return svc


ServicesDep = Annotated[Services, Depends(services)]


async def request_store(svc: ServicesDep) -> AsyncIterator[Store]:
    """The store this request uses, lent to it alone until it has been answered."""
    store = await svc.borrow_store()
    try:
        yield store
    finally:
        svc.stores.give(store)


StoreDep = Annotated[Store, Depends(request_store)]


def request_address(request: Request, svc: ServicesDep) -> str:
    """The client's address: the socket's peer, or the address a trusted proxy forwarded for
    (`AppSettings.trusted_proxies`)."""
    peer = request.client.host if request.client else "unknown"
    return client_address(peer, request.headers.getlist("x-forwarded-for"), svc.trusted_proxies)


ClientAddress = Annotated[str, Depends(request_address)]


def current_viewer(request: Request, svc: ServicesDep, store: StoreDep) -> Viewer:
    """The signed-in viewer, from an API token or the session cookie; NotSignedIn otherwise."""
    now = svc.settings.clock()
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        found = token_user(store, auth[7:].strip())  # revoked tokens are refused at once
        if found is None:
            raise NotSignedIn("the API token is unknown, revoked or malformed")
        svc.token_use.note(
            found[1].token_id, now, lambda t, when: record_token_use(store, t, when), svc.accounts
        )
        return Viewer(found[0], token=found[1])
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        user = session_user(store, secret, now=now)
        if user is not None:
            return Viewer(user, session=secret)
    raise NotSignedIn("sign in, or send an API token (Authorization: Bearer ...)")


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def viewer_scope(viewer: CurrentViewer, svc: ServicesDep, store: StoreDep) -> Scope:
    """What the viewer may see (decided in `salesperf.auth.access`; remembered until a write)."""
    return svc.cache.get(("scope", viewer.user), lambda: scope_for(store, viewer.user))


ViewerScope = Annotated[Scope, Depends(viewer_scope)]


def request_lang(request: Request, user: User | None = None) -> Lang:
    """The interface language: the user's choice, else the cookie, else Accept-Language."""
    return (
        lang_of(user.lang if user else None)
        or lang_of(request.cookies.get(LANG_COOKIE))
        or negotiate(request.headers.get("accept-language"))
    )


@dataclass(frozen=True)
class View:
    """Everything a page's data function needs: the store, the viewer and their scope."""

    store: Store
    viewer: Viewer
    scope: Scope
    lang: Lang
    today: date
    settings: AppSettings
    work_dir: Path  # where uploads and rejected rows are kept
    cache: ResultCache  # recent results, each dropped by a write to what it read
    # held while writing, so that the server's writes take turns
    writes: contextlib.AbstractContextManager[Any] = field(default_factory=threading.RLock)
    # the day analyses judge as of, and why (see `judged_view`); None: the server's today
    as_of: AsOf | None = None

    @property
    def user(self) -> User:
        """The signed-in user."""
        return self.viewer.user

    @property
    def currency(self) -> str:
        """The organisation's currency."""
        return self.store.settings.currency


def view_context(
    request: Request, viewer: CurrentViewer, scope: ViewerScope, svc: ServicesDep, store: StoreDep
) -> View:
    """The view of the signed-in viewer, for data functions."""
    return View(
        store=store,
        viewer=viewer,
        scope=scope,
        lang=request_lang(request, viewer.user),
        today=svc.settings.reference_day(),
        settings=svc.settings,
        work_dir=svc.work_dir,
        cache=svc.cache,
        writes=svc.writes,
    )


ViewDep = Annotated[View, Depends(view_context)]

AS_OF_SAYS = (
    "judge as of this day, YYYY-MM-DD (default: today, or the day after the data end when "
    "they end before today)"
)


def judged_view(
    view: ViewDep,
    svc: ServicesDep,
    as_of: Annotated[
        str | None,
        Query(
            description=AS_OF_SAYS,
            max_length=PERIOD_LENGTH,
            pattern=DAY_TEXT,
            examples=["2026-08-15"],
        ),
    ] = None,
) -> View:
    """The view of a page or route that judges "now" (a current or last full period, a pace):
    its `today` is the day of `salesperf.analysis.asof`'s rule, `as_of` says which and why."""
    asked = parse_as_of(as_of)
    last = svc.cache.get(("data_last_day",), lambda: last_data_day(view.store))
    rule = asof_rule(last, svc.settings.reference_day(), asked)
    return replace(view, today=rule.day, as_of=rule)


JudgedView = Annotated[View, Depends(judged_view)]


def csrf_token(secret_key: str, key: str) -> str:
    """The CSRF token for a session (or an anonymous visitor's key)."""
    return hmac.new(secret_key.encode(), f"csrf:{key}".encode(), hashlib.sha256).hexdigest()


def session_csrf(settings: AppSettings, session_secret: str) -> str:
    """The CSRF token that forms of this session carry."""
    return csrf_token(settings.secret_key, session_key(session_secret))


async def check_csrf(request: Request, expected: str) -> None:
    """CsrfFailed unless the request carries `expected` as a header or form field."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, expected):
        raise CsrfFailed("the form's security token is missing or out of date")


async def writer(request: Request, viewer: CurrentViewer, svc: ServicesDep) -> Viewer:
    """The viewer, allowed to write: an API token with the write scope, or a session whose
    request carries its CSRF token."""
    if viewer.token is not None:
        if viewer.token.scope is not TokenScope.WRITE:
            raise AccessDenied("this API token may only read; create one with --scope write")
        return viewer
    assert viewer.session is not None
    await check_csrf(request, session_csrf(svc.settings, viewer.session))
    return viewer


Writer = Annotated[Viewer, Depends(writer)]


async def admin(viewer: Writer) -> Viewer:
    """A writer who is an administrator."""
    require_admin(viewer.user)
    return viewer


Admin = Annotated[Viewer, Depends(admin)]


async def admin_reader(viewer: CurrentViewer) -> Viewer:
    """A viewer who is an administrator (for pages that only show admin tools)."""
    require_admin(viewer.user)
    return viewer


AdminReader = Annotated[Viewer, Depends(admin_reader)]
