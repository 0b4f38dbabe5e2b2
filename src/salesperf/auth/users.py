"""People who sign in: users, their roles and passwords (sessions are in `salesperf.auth.sessions`,
API tokens in `salesperf.auth.tokens`).

Passwords are hashed with Argon2id; sessions and API tokens are random secrets of which only a
SHA-256 hash is kept, so a copy of the store gives no way in. Repeated failed sign-ins are
slowed down by the server (`salesperf.server.throttle`), never by locking an account. What a user
may *see* is decided in `salesperf.auth.access`, from the role and the rep or team the user is
linked to.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from salesperf.errors import Denied, InputError
from salesperf.store import Store
from salesperf.store.system_tables import SESSIONS, USERS

MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
#: An address mail can be sent to: one @, no spaces, a dot in the domain, at most 320 characters.
_EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]+\.[^@\s<>,;\".]{2,}$")


class Role(StrEnum):
    """What a user is in the organisation; `salesperf.auth.access` turns it into what they see."""

    ADMIN = "admin"  # everything, and imports
    MANAGER = "manager"  # the subtree of the teams they manage
    REP = "rep"  # themself


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
    email: str | None = None  # where the weekly report is sent

    def to_json(self) -> dict[str, Any]:
        """The user as the API shows it (never the password hash)."""
        return {
            "username": self.username,
            "role": self.role.value,
            "rep_id": self.rep_id,
            "team_id": self.team_id,
            "lang": self.lang,
            "email": self.email,
        }


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


def sha256(text: str) -> str:
    """The SHA-256 hash, in hex, that the store keeps of a secret."""
    return hashlib.sha256(text.encode()).hexdigest()


def _row_user(row: Sequence[Any]) -> User:
    username, role, rep_id, team_id, lang, created_at, disabled, email = row
    return User(username, Role(role), rep_id, team_id, lang, created_at, bool(disabled), email)


_USER_COLS = ("username", "role", "rep_id", "team_id", "lang", "created_at", "disabled", "email")
#: A user's whole row, as `copy_users` copies it.
_USER_ROW = ("username", "password_hash", *_USER_COLS[1:])


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
    if rep_id is not None and not store.select_rows("reps", ["rep_id"], {"rep_id": rep_id}):
        raise InputError(f"there is no rep {rep_id!r}")
    if team_id is not None and not store.select_rows("teams", ["team_id"], {"team_id": team_id}):
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
    rows = store.select_rows(USERS, _USER_COLS, {"username": username.strip().lower()})
    return _row_user(rows[0]) if rows else None


def list_users(store: Store) -> list[User]:
    """Every user, by username."""
    return [_row_user(r) for r in store.select_rows(USERS, _USER_COLS, order_by=["username"])]


def add_user(
    store: Store,
    username: str,
    password: str,
    role: Role | str,
    *,
    rep_id: str | None = None,
    team_id: str | None = None,
    lang: str | None = None,
    email: str | None = None,
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> User:
    """Add a user (the password is kept only as an Argon2 hash)."""
    name = normalise_username(username)
    email = normalise_email(email) if email is not None else None
    role = Role(role)
    _check_password(password)
    _check_links(store, role, rep_id, team_id)
    if get_user(store, name) is not None:
        raise InputError(f"there is already a user {name!r}")
    digest = (hasher or password_hasher()).hash(password)
    user = User(name, role, rep_id, team_id, lang, now or utcnow(), False, email)
    store.insert_row(USERS, _user_row(user, digest))
    return user


def _user_row(user: User, digest: str) -> dict[str, Any]:
    """The stored row of a user with this password hash."""
    return {
        "username": user.username,
        "password_hash": digest,
        "role": user.role.value,
        "rep_id": user.rep_id,
        "team_id": user.team_id,
        "lang": user.lang,
        "created_at": user.created_at,
        "disabled": user.disabled,
        "email": user.email,
    }


def require_user(store: Store, username: str) -> User:
    """The user, or an InputError saying there is none."""
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
    user = require_user(store, username)
    role = Role(role)
    rep_id = rep_id if rep_id is not None else user.rep_id
    team_id = team_id if team_id is not None else user.team_id
    _check_links(store, role, rep_id, team_id)
    store.update_rows(
        USERS,
        {"role": role.value, "rep_id": rep_id, "team_id": team_id},
        {"username": user.username},
    )
    return replace(user, role=role, rep_id=rep_id, team_id=team_id)


def set_password(
    store: Store, username: str, password: str, *, hasher: PasswordHasher | None = None
) -> None:
    """Change a user's password; their open sessions end."""
    user = require_user(store, username)
    _check_password(password)
    digest = (hasher or password_hasher()).hash(password)
    store.update_rows(USERS, {"password_hash": digest}, {"username": user.username})
    store.delete_rows(SESSIONS, {"username": user.username})  # their sessions end


def normalise_email(address: str) -> str:
    """The stored form of an e-mail address (trimmed, the domain in lower case), or an
    InputError saying why it is not one."""
    text = address.strip()
    if len(text) > 320 or not _EMAIL.match(text):
        raise InputError(f"{address!r} is not an e-mail address (name@example.com)")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def set_email(store: Store, username: str, address: str | None) -> User:
    """Set a user's e-mail address (None or blank: remove it)."""
    user = require_user(store, username)
    email = normalise_email(address) if address and address.strip() else None
    store.update_rows(USERS, {"email": email}, {"username": user.username})
    return replace(user, email=email)


def set_lang(store: Store, username: str, lang: str) -> None:
    """Remember the user's interface language."""
    store.update_rows(USERS, {"lang": lang}, {"username": username})


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
    repeated failures is the caller's (the server's `salesperf.server.throttle`)."""
    hasher = hasher or password_hasher()
    name = username.strip().lower()
    rows = store.select_rows(USERS, ["password_hash", "disabled"], {"username": name})
    ok = False
    if rows:
        digest, disabled = rows[0]
        try:
            ok = hasher.verify(digest, password) and not disabled
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if ok and hasher.check_needs_rehash(digest):
            with writes or contextlib.nullcontext():
                store.update_rows(
                    USERS, {"password_hash": hasher.hash(password)}, {"username": name}
                )
    else:  # the same work as for a real user, so that timing does not tell who exists
        hasher.hash(password)
    if not ok:
        raise SignInFailed("the username or password is wrong")
    user = get_user(store, name)
    assert user is not None
    return user


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
        r[0]
        for r in store.select_rows("teams", ["manager_rep_id"], distinct=True)
        if r[0] is not None
    }
    reps = store.select_rows("reps", ["rep_id", "email"], order_by=["rep_id"])
    wanted: list[User] = [User("admin", Role.ADMIN)]
    taken = {"admin"}
    for rep_id, email in reps:
        local = str(email).split("@")[0].lower() if email else str(rep_id).lower()
        name = normalise_username(local if local not in taken else f"{local}.{rep_id}")
        taken.add(name)
        role = Role.MANAGER if rep_id in managers else Role.REP
        wanted.append(User(name, role, rep_id, email=_email_or_none(email)))
    now = utcnow()
    users = []
    with store.transaction():
        for u in wanted:
            made = replace(u, created_at=now)
            store.delete_rows(SESSIONS, {"username": u.username})
            store.delete_rows(USERS, {"username": u.username})
            store.insert_row(USERS, _user_row(made, digest))
            users.append(made)
    return DemoUsers(password, tuple(users))


def _email_or_none(address: object) -> str | None:
    """A rep's address as a user's, when it is one."""
    try:
        return normalise_email(address) if isinstance(address, str) else None
    except InputError:
        return None


def copy_users(source: Store, target: Store) -> int:
    """Copy every user, with their password hash, from one store to another (any engines),
    replacing users of the same names: people sign in to the copy with their own passwords.
    Sessions and API tokens are not copied (people sign in again; tokens are issued anew)."""
    rows = source.select_rows(USERS, _USER_ROW, order_by=["username"])
    with target.transaction():
        for row in rows:
            target.delete_rows(USERS, {"username": row[0]})
            target.insert_row(USERS, dict(zip(_USER_ROW, row, strict=True)))
    return len(rows)
