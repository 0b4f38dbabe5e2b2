"""People who sign in: users and their roles, passwords, sessions and API tokens.

Passwords are hashed with Argon2id; sessions and API tokens are random secrets of which only a
SHA-256 hash is kept, so a copy of the store gives no way in. Repeated failed sign-ins are
slowed down by the server (`salesperf.api.throttle`), never by locking an account. What a user
may *see* is decided in `salesperf.access`, from the role and the rep or team the user is
linked to.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from salesperf.errors import Denied, InputError
from salesperf.migrations import SESSIONS, TOKENS, USERS
from salesperf.store import Store

MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
TOKEN_PREFIX = "spt_"


class Role(StrEnum):
    """What a user is in the organisation; `salesperf.access` turns it into what they see."""

    ADMIN = "admin"  # everything, and imports
    MANAGER = "manager"  # the subtree of the teams they manage
    REP = "rep"  # themself


class TokenScope(StrEnum):
    """What an API token may do: read, or read and write (batch posts, imports)."""

    READ = "read"
    WRITE = "write"


class SignInFailed(Denied):
    """The username or the password is wrong (which one is not said)."""


@dataclass(frozen=True)
class User:
    """A person who signs in, with the rep and/or team they are linked to."""

    username: str
    role: Role
    rep_id: str | None = None
    team_id: str | None = None
    lang: str | None = None
    created_at: datetime | None = None
    disabled: bool = False

    def to_json(self) -> dict[str, Any]:
        """The user as the API shows it (never the password hash)."""
        return {
            "username": self.username,
            "role": self.role.value,
            "rep_id": self.rep_id,
            "team_id": self.team_id,
            "lang": self.lang,
        }


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


@dataclass(frozen=True)
class DemoUsers:
    """The users made for the demo organisation and their shared password."""

    password: str
    users: tuple[User, ...]


def utcnow() -> datetime:
    """Now, as the naive UTC timestamp the store keeps."""
    return datetime.now(UTC).replace(tzinfo=None)


def password_hasher(cheap: bool = False) -> PasswordHasher:
    """Argon2id with the library's recommended parameters; `cheap` ones only for tests."""
    if cheap:
        return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    return PasswordHasher()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _row_user(row: Sequence[Any]) -> User:
    username, role, rep_id, team_id, lang, created_at, disabled = row
    return User(username, Role(role), rep_id, team_id, lang, created_at, bool(disabled))


_USER_COLS = "username, role, rep_id, team_id, lang, created_at, disabled"


def normalise_username(username: str) -> str:
    """The stored form of a username (lower case, trimmed), or an InputError saying why not."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InputError(
            f"{username!r} is not a usable username: use 1-100 letters, digits or . _ @ + -, "
            "starting with a letter or digit"
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")


def _check_links(store: Store, role: Role, rep_id: str | None, team_id: str | None) -> None:
    if rep_id is not None and not store._exec("SELECT 1 FROM reps WHERE rep_id = ?", [rep_id]):
        raise InputError(f"there is no rep {rep_id!r}")
    if team_id is not None and not store._exec("SELECT 1 FROM teams WHERE team_id = ?", [team_id]):
        raise InputError(f"there is no team {team_id!r}")
    if role is Role.REP and rep_id is None:
        raise InputError("a user with role rep must be linked to a rep (--rep REP_ID)")
    if role is Role.MANAGER and rep_id is None and team_id is None:
        raise InputError(
            "a manager must be linked to their rep id (the teams whose manager_rep_id it is) "
            "or to a team (--rep or --team)"
        )


def get_user(store: Store, username: str) -> User | None:
    """The user, or None."""
    rows = store._exec(
        f"SELECT {_USER_COLS} FROM {USERS} WHERE username = ?", [username.strip().lower()]
    )
    return _row_user(rows[0]) if rows else None


def list_users(store: Store) -> list[User]:
    """Every user, by username."""
    return [
        _row_user(r) for r in store._exec(f"SELECT {_USER_COLS} FROM {USERS} ORDER BY username")
    ]


def add_user(
    store: Store,
    username: str,
    password: str,
    role: Role | str,
    *,
    rep_id: str | None = None,
    team_id: str | None = None,
    lang: str | None = None,
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> User:
    """Add a user (the password is kept only as an Argon2 hash)."""
    name = normalise_username(username)
    role = Role(role)
    _check_password(password)
    _check_links(store, role, rep_id, team_id)
    if get_user(store, name) is not None:
        raise InputError(f"there is already a user {name!r}")
    digest = (hasher or password_hasher()).hash(password)
    user = User(name, role, rep_id, team_id, lang, now or utcnow(), False)
    store._exec(
        f"INSERT INTO {USERS} (username, password_hash, role, rep_id, team_id, lang, "
        "created_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [name, digest, role.value, rep_id, team_id, lang, user.created_at, False],
    )
    return user


def _require(store: Store, username: str) -> User:
    user = get_user(store, username)
    if user is None:
        raise InputError(f"there is no user {username!r}")
    return user


def set_role(
    store: Store,
    username: str,
    role: Role | str,
    *,
    rep_id: str | None = None,
    team_id: str | None = None,
) -> User:
    """Change a user's role and links (links not given stay as they were)."""
    user = _require(store, username)
    role = Role(role)
    rep_id = rep_id if rep_id is not None else user.rep_id
    team_id = team_id if team_id is not None else user.team_id
    _check_links(store, role, rep_id, team_id)
    store._exec(
        f"UPDATE {USERS} SET role = ?, rep_id = ?, team_id = ? WHERE username = ?",
        [role.value, rep_id, team_id, user.username],
    )
    return replace(user, role=role, rep_id=rep_id, team_id=team_id)


def set_password(
    store: Store, username: str, password: str, *, hasher: PasswordHasher | None = None
) -> None:
    """Change a user's password; their open sessions end."""
    user = _require(store, username)
    _check_password(password)
    digest = (hasher or password_hasher()).hash(password)
    store._exec(f"UPDATE {USERS} SET password_hash = ? WHERE username = ?", [digest, user.username])
    store._exec(f"DELETE FROM {SESSIONS} WHERE username = ?", [user.username])


def set_lang(store: Store, username: str, lang: str) -> None:
    """Remember the user's interface language."""
    store._exec(f"UPDATE {USERS} SET lang = ? WHERE username = ?", [lang, username])


# -- signing in ---------------------------------------------------------------------------
def verify_password(
    store: Store,
    username: str,
    password: str,
    *,
    hasher: PasswordHasher | None = None,
    writes: contextlib.AbstractContextManager[object] | None = None,
) -> User:
    """The user whose password this is, or SignInFailed (without saying whether the user
    exists). A hash made with older parameters is renewed, holding `writes`. Throttling
    repeated failures is the caller's (the server's `salesperf.api.throttle`)."""
    hasher = hasher or password_hasher()
    name = username.strip().lower()
    rows = store._exec(f"SELECT password_hash, disabled FROM {USERS} WHERE username = ?", [name])
    ok = False
    if rows:
        digest, disabled = rows[0]
        try:
            ok = hasher.verify(digest, password) and not disabled
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if ok and hasher.check_needs_rehash(digest):
            with writes or contextlib.nullcontext():
                store._exec(
                    f"UPDATE {USERS} SET password_hash = ? WHERE username = ?",
                    [hasher.hash(password), name],
                )
    else:  # the same work as for a real user, so that timing does not tell who exists
        hasher.hash(password)
    if not ok:
        raise SignInFailed("the username or password is wrong")
    user = get_user(store, name)
    assert user is not None
    return user


def start_session(
    store: Store, username: str, *, lifetime: timedelta, now: datetime | None = None
) -> str:
    """A new session for the user; returns its secret (the cookie value), keeping its hash."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    store._exec(f"DELETE FROM {SESSIONS} WHERE expires_at <= ?", [now])
    store._exec(
        f"INSERT INTO {SESSIONS} (session_hash, username, created_at, expires_at) "
        "VALUES (?, ?, ?, ?)",
        [_sha256(secret), username, now, now + lifetime],
    )
    return secret


def session_user(store: Store, secret: str, *, now: datetime | None = None) -> User | None:
    """The user of an unexpired session, or None."""
    rows = store._exec(
        f"SELECT u.username FROM {SESSIONS} s JOIN {USERS} u ON u.username = s.username "
        "WHERE s.session_hash = ? AND s.expires_at > ? AND NOT u.disabled",
        [_sha256(secret), now or utcnow()],
    )
    return get_user(store, rows[0][0]) if rows else None


def end_session(store: Store, secret: str) -> None:
    """Sign out: the session is removed."""
    store._exec(f"DELETE FROM {SESSIONS} WHERE session_hash = ?", [_sha256(secret)])


def session_key(secret: str) -> str:
    """A stable, non-secret identifier of a session (the hash that is stored)."""
    return _sha256(secret)


# -- API tokens -----------------------------------------------------------------------------
_TOKEN_COLS = "token_id, username, name, scope, created_at, last_used_at, revoked_at"


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
    user = _require(store, username)
    scope = TokenScope(scope)
    token_id = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    token = ApiToken(token_id, user.username, name, scope, now or utcnow())
    store._exec(
        f"INSERT INTO {TOKENS} (token_id, token_hash, username, name, scope, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [token_id, _sha256(secret), user.username, name, scope.value, token.created_at],
    )
    return token, secret


def token_user(store: Store, secret: str) -> tuple[User, ApiToken] | None:
    """The user and token record of an active token secret, or None (reads only: the server
    notes the token's use in memory, `salesperf.api.token_use`)."""
    m = re.fullmatch(rf"{TOKEN_PREFIX}([0-9a-f]{{12}})_[A-Za-z0-9_-]+", secret.strip())
    if not m:
        return None
    rows = store._exec(
        f"SELECT token_hash, {_TOKEN_COLS} FROM {TOKENS} WHERE token_id = ?", [m.group(1)]
    )
    if not rows or not hmac.compare_digest(rows[0][0], _sha256(secret.strip())):
        return None
    token = _row_token(rows[0][1:])
    user = get_user(store, token.username)
    if not token.active or user is None or user.disabled:
        return None
    return user, token


def record_token_use(store: Store, token_id: str, when: datetime) -> None:
    """Note when a token was last used (never moving it back)."""
    store._exec(
        f"UPDATE {TOKENS} SET last_used_at = ? WHERE token_id = ? "
        "AND (last_used_at IS NULL OR last_used_at < ?)",
        [when, token_id, when],
    )


def get_token(store: Store, token_id: str) -> ApiToken | None:
    """The token's record, or None."""
    rows = store._exec(f"SELECT {_TOKEN_COLS} FROM {TOKENS} WHERE token_id = ?", [token_id])
    return _row_token(rows[0]) if rows else None


def revoke_token(store: Store, token_id: str, *, now: datetime | None = None) -> ApiToken:
    """Revoke a token; it stops working at once."""
    if get_token(store, token_id) is None:
        raise InputError(f"there is no token {token_id!r}")
    store._exec(
        f"UPDATE {TOKENS} SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
        [now or utcnow(), token_id],
    )
    token = get_token(store, token_id)
    assert token is not None
    return token


def list_tokens(store: Store, username: str | None = None) -> list[ApiToken]:
    """Tokens (of one user, or everyone's), oldest first."""
    where, params = ("WHERE username = ?", [username.lower()]) if username else ("", [])
    rows = store._exec(
        f"SELECT {_TOKEN_COLS} FROM {TOKENS} {where} ORDER BY created_at, token_id", params
    )
    return [_row_token(r) for r in rows]


# -- the demo organisation's users ---------------------------------------------------------
def demo_password() -> str:
    """A fresh, readable demo password."""
    return "demo-" + secrets.token_urlsafe(6).replace("_", "x").replace("-", "y").lower()


def add_demo_users(
    store: Store, password: str | None = None, *, hasher: PasswordHasher | None = None
) -> DemoUsers:
    """Users for the demo organisation, replacing earlier ones of the same names: `admin`, a
    manager for each team's manager rep, and a rep user for every other rep, all with one
    shared demo password (printed by the command that makes them)."""
    password = password or demo_password()
    _check_password(password)
    # one shared, published password: one hash serves every demo user
    digest = (hasher or password_hasher()).hash(password)
    managers = {
        r[0] for r in store._exec("SELECT DISTINCT manager_rep_id FROM teams") if r[0] is not None
    }
    reps = store._exec("SELECT rep_id, email FROM reps ORDER BY rep_id")
    wanted: list[User] = [User("admin", Role.ADMIN)]
    taken = {"admin"}
    for rep_id, email in reps:
        local = str(email).split("@")[0].lower() if email else str(rep_id).lower()
        name = normalise_username(local if local not in taken else f"{local}.{rep_id}")
        taken.add(name)
        role = Role.MANAGER if rep_id in managers else Role.REP
        wanted.append(User(name, role, rep_id))
    now = utcnow()
    users = []
    with store.transaction():
        for u in wanted:
            store._exec(f"DELETE FROM {SESSIONS} WHERE username = ?", [u.username])
            store._exec(f"DELETE FROM {USERS} WHERE username = ?", [u.username])
            store._exec(
                f"INSERT INTO {USERS} (username, password_hash, role, rep_id, team_id, lang, "
                "created_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [u.username, digest, u.role.value, u.rep_id, None, None, now, False],
            )
            users.append(replace(u, created_at=now))
    return DemoUsers(password, tuple(users))


_USER_ROW = "username, password_hash, role, rep_id, team_id, lang, created_at, disabled"


def copy_users(source: Store, target: Store) -> int:
    """Copy every user, with their password hash, from one store to another (any engines),
    replacing users of the same names: people sign in to the copy with their own passwords.
    Sessions and API tokens are not copied (people sign in again; tokens are issued anew)."""
    rows = source._exec(f"SELECT {_USER_ROW} FROM {USERS} ORDER BY username")
    with target.transaction():
        for row in rows:
            target._exec(f"DELETE FROM {USERS} WHERE username = ?", [row[0]])
            target._exec(
                f"INSERT INTO {USERS} ({_USER_ROW}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(row)
            )
    return len(rows)
