"""`salesperf users`: who may sign in to the web server, with which role, and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from salesperf.auth.tokens import TokenScope, create_token, list_tokens, revoke_token
from salesperf.auth.users import (
    Role,
    add_user,
    list_users,
    set_email,
    set_password,
    set_role,
)
from salesperf.cli.common import StoreOpt, errors, open_store, out

users_app = typer.Typer(
    help="Users of the web server: add them, list them, change their role; API tokens.",
    no_args_is_help=True,
)
token_app = typer.Typer(help="API tokens for scripts and other programs.", no_args_is_help=True)
users_app.add_typer(token_app, name="token")

UserArg = Annotated[str, typer.Argument(help="The username.")]
RepLink = Annotated[
    str | None, typer.Option("--rep", help="The rep this user is (reps; managers: their teams).")
]
TeamLink = Annotated[
    str | None, typer.Option("--team", help="A team this manager sees with its sub-teams.")
]
EmailOpt = Annotated[
    str | None,
    typer.Option("--email", help="Where the weekly report is sent (`salesperf report send`)."),
]
PasswordOpt = Annotated[
    str,
    typer.Option(
        prompt=True, hide_input=True, confirmation_prompt=True,
        help="The password (asked for when not given; at least 8 characters).",
    ),
]  # fmt: skip


@users_app.command("add")
def users_add(
    username: UserArg,
    role: Annotated[Role, typer.Option(help="admin, manager or rep.")],
    password: PasswordOpt,
    rep: RepLink = None,
    team: TeamLink = None,
    email: EmailOpt = None,
    store: StoreOpt = None,
) -> None:
    """Add a user; a rep is linked to their rep id, a manager to theirs (the teams they manage)
    or to a team."""
    # a new server's first administrator may be added before any data is imported
    with errors(), open_store(store, create=True) as s:
        user = add_user(s, username, password, role, rep_id=rep, team_id=team, email=email)
    out.print(f"Added {user.username} ({user.role.value})", highlight=False)


@users_app.command("list")
def users_list(store: StoreOpt = None) -> None:
    """Every user with their role and links."""
    with errors(), open_store(store) as s:
        users = list_users(s)
    t = RichTable()
    t.add_column("username", no_wrap=True)
    for col in ("role", "rep", "team", "language", "e-mail"):
        t.add_column(col)
    for u in users:
        t.add_row(
            u.username, u.role.value, u.rep_id or "", u.team_id or "", u.lang or "",
            u.email or "",
        )  # fmt: skip
    out.print(t)


@users_app.command("set-role")
def users_set_role(
    username: UserArg,
    role: Annotated[Role, typer.Argument(help="admin, manager or rep.")],
    rep: RepLink = None,
    team: TeamLink = None,
    store: StoreOpt = None,
) -> None:
    """Change a user's role (and the rep or team they are linked to)."""
    with errors(), open_store(store) as s:
        user = set_role(s, username, role, rep_id=rep, team_id=team)
    out.print(f"{user.username} is now {user.role.value}", highlight=False)


@users_app.command("set-email")
def users_set_email(
    username: UserArg,
    address: Annotated[
        str, typer.Argument(help="The e-mail address; an empty one ('') removes it.")
    ],
    store: StoreOpt = None,
) -> None:
    """Set the address a user's mail (the weekly report) is sent to."""
    with errors(), open_store(store) as s:
        user = set_email(s, username, address)
    said = f"now {user.email}" if user.email else "removed"
    out.print(f"E-mail address of {user.username} {said}", highlight=False)


@users_app.command("set-password")
def users_set_password(username: UserArg, password: PasswordOpt, store: StoreOpt = None) -> None:
    """Change a user's password (their open sessions end)."""
    with errors(), open_store(store) as s:
        set_password(s, username, password)
    out.print(f"Password of {username} changed", highlight=False)


@token_app.command("create")
def token_create(
    username: UserArg,
    scope: Annotated[
        TokenScope, typer.Option(help="read, or write (batch posts and, for admins, imports).")
    ] = TokenScope.READ,
    name: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
    store: StoreOpt = None,
) -> None:
    """Create an API token; it is shown once, now (send it as Authorization: Bearer TOKEN)."""
    with errors(), open_store(store) as s:
        token, secret = create_token(s, username, scope, name=name)
    out.print(
        f"Token {token.token_id} for {token.username} ({token.scope.value}). Copy it now; it "
        "is not shown again:",
        highlight=False,
    )
    print(secret)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (see `token list`).")],
    store: StoreOpt = None,
) -> None:
    """Revoke a token: it stops working at once."""
    with errors(), open_store(store) as s:
        token = revoke_token(s, token_id)
    out.print(f"Token {token.token_id} of {token.username} revoked", highlight=False)


@token_app.command("list")
def token_list(
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    store: StoreOpt = None,
) -> None:
    """Tokens with their owner, scope and state (never the secrets)."""
    with errors(), open_store(store) as s:
        tokens = list_tokens(s, username)
    t = RichTable()
    t.add_column("id", no_wrap=True, min_width=12)  # ids are copied into `token revoke`
    for col in ("user", "scope", "name", "created", "last used", "state"):
        t.add_column(col)
    for k in tokens:
        t.add_row(
            k.token_id, k.username, k.scope.value, k.name or "",
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "",
            "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d}",
        )  # fmt: skip
    out.print(t)
