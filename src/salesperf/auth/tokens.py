"""API tokens: a user's random secrets for scripts, of which only a SHA-256 hash is kept; each
reads, or reads and writes, until it is revoked."""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from salesperf.auth.users import User, get_user, require_user, sha256, utcnow
from salesperf.errors import InputError
from salesperf.store import Compare, Op, Store
from salesperf.store.system_tables import TOKENS

TOKEN_PREFIX = "spt_"


class TokenScope(StrEnum):
    """What an API token may do: read, or read and write (batch posts, imports)."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class ApiToken:
    """An API token's record; the secret itself is shown once, at creation, and never kept."""

    token_id: str
    username: str
    name: str | None
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None


_TOKEN_COLS = (
    "token_id", "username", "name", "scope", "created_at", "last_used_at", "revoked_at"
)  # fmt: skip


def _row_token(row: Sequence[Any]) -> ApiToken:
    token_id, username, name, scope, created, used, revoked = row
    return ApiToken(token_id, username, name, TokenScope(scope), created, used, revoked)


def create_token(
    store: Store,
    username: str,
    scope: TokenScope | str = TokenScope.READ,
    *,
    name: str | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new API token for the user: its record and the secret, which is shown only now."""
    user = require_user(store, username)
    scope = TokenScope(scope)
    token_id = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    token = ApiToken(token_id, user.username, name, scope, now or utcnow())
    store.insert_row(
        TOKENS,
        {
            "token_id": token_id,
            "token_hash": sha256(secret),
            "username": user.username,
            "name": name,
            "scope": scope.value,
            "created_at": token.created_at,
        },
    )
    return token, secret


def token_user(store: Store, secret: str) -> tuple[User, ApiToken] | None:
    """The user and token record of an active token secret, or None (reads only: the server
    notes the token's use in memory, `salesperf.server.token_use`)."""
    m = re.fullmatch(rf"{TOKEN_PREFIX}([0-9a-f]{{12}})_[A-Za-z0-9_-]+", secret.strip())
    if not m:
        return None
    rows = store.select_rows(TOKENS, ["token_hash", *_TOKEN_COLS], {"token_id": m.group(1)})
    if not rows or not hmac.compare_digest(rows[0][0], sha256(secret.strip())):
        return None
    token = _row_token(rows[0][1:])
    user = get_user(store, token.username)
    if not token.active or user is None or user.disabled:
        return None
    return user, token


def record_token_use(store: Store, token_id: str, when: datetime) -> None:
    """Note when a token was last used (never moving it back)."""
    store.update_rows(
        TOKENS,
        {"last_used_at": when},
        {"token_id": token_id, "last_used_at": Compare(Op.LT, when, or_null=True)},
    )


def get_token(store: Store, token_id: str) -> ApiToken | None:
    """The token's record, or None."""
    rows = store.select_rows(TOKENS, _TOKEN_COLS, {"token_id": token_id})
    return _row_token(rows[0]) if rows else None


def revoke_token(store: Store, token_id: str, *, now: datetime | None = None) -> ApiToken:
    """Revoke a token; it stops working at once."""
    if get_token(store, token_id) is None:
        raise InputError(f"there is no token {token_id!r}")
    store.update_rows(
        TOKENS, {"revoked_at": now or utcnow()}, {"token_id": token_id, "revoked_at": None}
    )
    token = get_token(store, token_id)
    assert token is not None
    return token


def list_tokens(store: Store, username: str | None = None) -> list[ApiToken]:
    """Tokens (of one user, or everyone's), oldest first."""
    where = {"username": username.lower()} if username else {}
    rows = store.select_rows(TOKENS, _TOKEN_COLS, where, order_by=["created_at", "token_id"])
    return [_row_token(r) for r in rows]
