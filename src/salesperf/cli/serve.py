"""`salesperf serve`: the web dashboard and JSON API for one store; `--demo` serves the demo
organisation with ready sign-ins."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from salesperf.analysis.windows import data_end
from salesperf.auth.users import DemoUsers, Role, add_demo_users
from salesperf.cli.common import StoreOpt, err, errors, open_store, out
from salesperf.store import Store, resolve_url

HostOpt = Annotated[str, typer.Option(help="The address to listen on.")]
PortOpt = Annotated[int, typer.Option(help="The port to listen on.")]


def run_server(
    store_url: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    today: date | None = None,
    secure_cookies: bool | None = None,
) -> None:
    """Serve the app for the store until stopped (Ctrl+C)."""
    import uvicorn

    from salesperf.server.app import create_app
    from salesperf.server.settings import AppSettings

    app = create_app(AppSettings(store=store_url, today=today, secure_cookies=secure_cookies))
    # the app reads X-Forwarded-For itself, and only from the proxies the operator names
    # (SALESPERF_TRUSTED_PROXIES); uvicorn's own rewriting would believe any local client
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


def print_demo_signins(users: DemoUsers, url: str) -> None:
    """The address and the demo's sign-ins, one per role."""
    admin = next(u for u in users.users if u.role is Role.ADMIN)
    manager = next((u for u in users.users if u.role is Role.MANAGER), None)
    rep = next((u for u in users.users if u.role is Role.REP), None)
    out.print(f"\n[bold]The demo dashboard:[/] {url}", highlight=False)
    out.print(f"Sign in as [bold]{admin.username}[/] (administrator)", highlight=False)
    if manager:
        out.print(f"        or [bold]{manager.username}[/] (manager, rep {manager.rep_id})",
                  highlight=False)  # fmt: skip
    if rep:
        out.print(f"        or [bold]{rep.username}[/] (rep {rep.rep_id})", highlight=False)
    out.print(
        f"Password for every demo user: [bold]{users.password}[/]  "
        "(`salesperf users list` shows them all)",
        highlight=False,
    )


def serve_demo(
    store: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    password: str | None = None,
) -> None:
    """Serve the demo organisation: build it first if the store is empty, make its users
    (admin, a manager per team's manager, a user per rep), print the address and sign-ins."""
    url = resolve_url(store)
    with open_store(store, create=True) as s:
        if s.count("reps") == 0:
            from salesperf.demo import DemoConfig, build_demo

            with err.status("Building the demo organisation…"):
                build_demo(s, DemoConfig())
        users = add_demo_users(s, password)
        today = data_end(s)
    print_demo_signins(users, f"http://{host}:{port}/")
    run_server(url, host, port, today=today)


def serve_cmd(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Serve the demo organisation (built if the store is empty) with demo sign-ins.",
        ),
    ] = False,
    secure_cookies: Annotated[
        bool | None,
        typer.Option(
            "--secure-cookies/--no-secure-cookies",
            help="Mark cookies Secure (default: when the request came over https).",
            show_default=False,
        ),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the web dashboard and the JSON API (API reference at /docs)."""
    with errors():
        if demo:
            serve_demo(store, host, port)
            return
        with open_store(store) as s:  # checks the store before listening
            count = s.count("reps")
        if count == 0:
            err.print(
                "The store has no reps yet: import your data, or try `salesperf serve --demo`."
            )
        out.print(f"Serving {resolve_url(store)} at http://{host}:{port}/", highlight=False)
        run_server(resolve_url(store), host, port, secure_cookies=secure_cookies)


def finish_demo(
    store_url: str,
    users: DemoUsers,
    *,
    serve: bool = False,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """After `salesperf demo`: print the demo's sign-ins, and serve the dashboard if asked."""
    url = f"http://{host}:{port}/"
    if not serve:
        print_demo_signins(users, f"{url} (after `salesperf serve`)")
        return
    with Store.open(store_url) as s:
        today = data_end(s)
    print_demo_signins(users, url)
    run_server(store_url, host, port, today=today)
