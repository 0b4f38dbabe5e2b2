"""Signed-in sessions: the cookie's secret is shown to the browser once; only its SHA-256 hash
is kept, with the user and when the session expires."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from salesperf.auth.users import User, get_user, sha256, utcnow
from salesperf.store import Compare, Op, Store
from salesperf.store.system_tables import SESSIONS


def start_session(
    store: Store, username: str, *, lifetime: timedelta, now: datetime | None = None
) -> str:
    """A new session for the user; returns its secret (the cookie value), keeping its hash."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    store.delete_rows(SESSIONS, {"expires_at": Compare(Op.LE, now)})
    store.insert_row(
        SESSIONS,
        {
            "session_hash": sha256(secret),
            "username": username,
            "created_at": now,
            "expires_at": now + lifetime,
        },
    )
    return secret


def session_user(store: Store, secret: str, *, now: datetime | None = None) -> User | None:
    """The user of an unexpired session, or None (also when the user is disabled)."""
    rows = store.select_rows(
        SESSIONS,
        ["username"],
        {"session_hash": sha256(secret), "expires_at": Compare(Op.GT, now or utcnow())},
    )
    user = get_user(store, rows[0][0]) if rows else None
    return None if user is None or user.disabled else user


def end_session(store: Store, secret: str) -> None:
    """Sign out: the session is removed."""
    store.delete_rows(SESSIONS, {"session_hash": sha256(secret)})


def session_key(secret: str) -> str:
    """A stable, non-secret identifier of a session (the hash that is stored)."""
    return sha256(secret)
