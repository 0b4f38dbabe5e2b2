"""API tokens while the server runs: list them and revoke them, through the API and on the
tokens page.

The command line cannot open a DuckDB file the server holds, so a leaked token must be
revocable here. A user sees and revokes their own tokens, an administrator everyone's; someone
else's token is answered as if it did not exist. A revoked token is refused on its very next
request (every request reads its token's record). Revoking takes the accounts' write lock
only, so it does not wait for an import.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from salesperf.auth.access import AccessDenied, NotFound
from salesperf.auth.tokens import ApiToken, get_token, list_tokens, revoke_token
from salesperf.auth.users import Role, User
from salesperf.server.deps import ServicesDep, ViewDep, Writer
from salesperf.server.render import render
from salesperf.server.services import Services
from salesperf.store import Store
from salesperf.text import Text

router = APIRouter()

#: The tokens page's words. They belong in `salesperf.i18n.messages.MESSAGES` under the same keys; until
#: then the page reads them from here.
PAGE_WORDS: dict[str, Text] = {
    "tokens.title": Text("API tokens", "API-tokens"),
    "tokens.intro": Text(
        "Tokens let scripts and BI tools use the API as you. Revoke a token you no longer use "
        "or that may have leaked: it stops working at once.",
        "Met tokens gebruiken scripts en BI-tools de API namens u. Trek een token in dat u niet "
        "meer gebruikt of dat mogelijk is uitgelekt: het werkt direct niet meer.",
    ),
    "tokens.none": Text("There are no API tokens.", "Er zijn geen API-tokens."),
    "tokens.id": Text("Token", "Token"),
    "tokens.user": Text("User", "Gebruiker"),
    "tokens.name": Text("Name", "Naam"),
    "tokens.scope": Text("May", "Mag"),
    "tokens.created": Text("Created", "Aangemaakt"),
    "tokens.last_used": Text("Last used", "Laatst gebruikt"),
    "tokens.status": Text("Status", "Status"),
    "tokens.active": Text("active", "actief"),
    "tokens.revoked": Text("revoked {date}", "ingetrokken {date}"),
    "tokens.revoke": Text("Revoke", "Intrekken"),
    "tokens.read": Text("read", "lezen"),
    "tokens.write": Text("read and write", "lezen en schrijven"),
    "tokens.done": Text("Token {token_id} is revoked.", "Token {token_id} is ingetrokken."),
}


def _with_latest_use(svc: Services, token: ApiToken) -> ApiToken:
    """The token with its latest use, including one noted in memory but not yet written."""
    noted = svc.token_use.latest(token.token_id)
    if noted is None or (token.last_used_at is not None and token.last_used_at >= noted):
        return token
    return ApiToken(
        token.token_id, token.username, token.name, token.scope, token.created_at, noted,
        token.revoked_at,
    )  # fmt: skip


def visible_tokens(
    svc: Services, view_user: User, store: Store, username: str | None
) -> list[ApiToken]:
    """The tokens the user may manage (their own; an administrator everyone's, or one user's)."""
    if view_user.role is not Role.ADMIN:
        if username is not None and username.strip().lower() != view_user.username:
            raise AccessDenied("you may list your own API tokens only")
        username = view_user.username
    return [_with_latest_use(svc, tk) for tk in list_tokens(store, username)]


def revoke(svc: Services, user: User, store: Store, token_id: str) -> ApiToken:
    """Revoke a token of the user's (an administrator: anyone's); NotFound otherwise."""
    token = get_token(store, token_id)
    if token is None or (user.role is not Role.ADMIN and token.username != user.username):
        raise NotFound(f"there is no API token {token_id} of yours")
    with svc.accounts:
        revoked = revoke_token(store, token_id, now=svc.settings.clock())
    return _with_latest_use(svc, revoked)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def token_json(token: ApiToken) -> dict[str, Any]:
    """A token's record as the API shows it (never its secret, which is not kept)."""
    return {
        "token_id": token.token_id,
        "username": token.username,
        "name": token.name,
        "scope": token.scope.value,
        "created_at": _iso(token.created_at),
        "last_used_at": _iso(token.last_used_at),
        "revoked_at": _iso(token.revoked_at),
        "active": token.active,
    }


@router.get("/api/tokens", tags=["account"])
def tokens_route(
    view: ViewDep,
    svc: ServicesDep,
    username: Annotated[
        str | None, Query(description="an administrator: one user's tokens (default: everyone's)")
    ] = None,
) -> JSONResponse:
    """The API tokens you may revoke: your own (an administrator: everyone's), oldest first."""
    tokens = visible_tokens(svc, view.user, view.store, username)
    return JSONResponse({"tokens": [token_json(tk) for tk in tokens]})


@router.delete("/api/tokens/{token_id}", tags=["account"])
def revoke_route(token_id: str, view: ViewDep, writer: Writer, svc: ServicesDep) -> JSONResponse:
    """Revoke an API token of yours (an administrator: anyone's); it is refused from the next
    request on. Revoking a revoked token changes nothing."""
    return JSONResponse(token_json(revoke(svc, view.user, view.store, token_id)))


@router.get("/tokens", response_class=HTMLResponse, include_in_schema=False)
def tokens_page(
    request: Request, view: ViewDep, svc: ServicesDep, revoked: str | None = None
) -> Response:
    """The tokens page: your tokens (an administrator: everyone's), each with a revoke button."""
    words = {key: text.get(view.lang) for key, text in PAGE_WORDS.items()}
    return render(
        request, view, "tokens.html", words=words, revoked=revoked,
        tokens=visible_tokens(svc, view.user, view.store, None),
    )  # fmt: skip


@router.post("/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_form(token_id: str, view: ViewDep, writer: Writer, svc: ServicesDep) -> Response:
    """The tokens page's revoke button."""
    revoke(svc, view.user, view.store, token_id)
    return RedirectResponse(f"/tokens?revoked={token_id}", status_code=303)
