"""How the pages of `salesperf.server.pages.registry` are served: in the server's worker threads, with their
data and their JSON answers remembered until a write to what they read.

The page endpoints are coroutines that never wait (they compute, then answer); `run_to_end`
turns them into plain functions, which FastAPI runs in its thread pool, so that a page that
takes a while does not hold up the other requests. A page's data is the same for one viewer,
language, reference day and set of parameters until the data change, so it is kept in the
app's `ResultCache` (`remembered`); a JSON twin's answer is kept as the bytes sent
(`kept_answers`), since writing a large page as JSON takes longer than looking it up.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response

if TYPE_CHECKING:
    from salesperf.server.deps import View
    from salesperf.server.pages.registry import Page


def run_to_end(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A coroutine endpoint that never waits as a plain function (others are left as they are)."""
    if not inspect.iscoroutinefunction(endpoint):
        return endpoint

    def call(**values: Any) -> Any:
        coro = endpoint(**values)
        try:
            coro.send(None)
        except StopIteration as done:
            return done.value
        coro.close()
        raise RuntimeError(f"{endpoint.__name__} waits on something; it cannot run in a thread")

    return _like(call, endpoint)


def _like(call: Callable[..., Any], endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`call` with the endpoint's signature (which FastAPI reads), name and documentation.

    Not `functools.wraps`: FastAPI would follow `__wrapped__` to a coroutine and run the
    endpoint on the event loop after all."""
    call.__signature__ = inspect.signature(endpoint)  # type: ignore[attr-defined]
    call.__name__ = endpoint.__name__
    call.__doc__ = endpoint.__doc__
    return call


def _asked(params: dict[str, Any]) -> tuple[tuple[str, Hashable], ...]:
    """A request's parameters as part of a cache key."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def _key(kind: str, name: str, view: View, params: dict[str, Any]) -> tuple[Hashable, ...]:
    return (kind, name, view.user, view.lang, view.today, view.as_of, _asked(params))


def remembered(page: Page) -> Callable[..., dict[str, Any]]:
    """The page's data function, its answers kept until a write to what they read."""
    compute = page.data

    @functools.wraps(compute)
    def data(view: View, **params: Any) -> dict[str, Any]:
        key = _key("page", page.name, view, params)
        return dict(view.cache.get(key, lambda: compute(view, **params)))

    return data


def kept_answers(endpoint: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A JSON endpoint (taking the request's `view`) whose answers are kept, as the bytes
    sent, until a write to what they read."""

    def call(**values: Any) -> Any:
        view: View = values["view"]
        params = {k: v for k, v in values.items() if k != "view"}

        def answer() -> tuple[int, bytes, str | None]:
            r = endpoint(**values)
            return r.status_code, bytes(r.body), r.media_type

        status, body, media = view.cache.get(_key("answer", name, view, params), answer)
        return Response(body, status_code=status, media_type=media)

    return _like(call, endpoint)


class ThreadedRouter(APIRouter):
    """A router whose endpoints run in the server's worker threads (see `run_to_end`); the
    answers of the routes at `keep` (JSON twins) are kept (see `kept_answers`)."""

    def __init__(self, keep: frozenset[str] = frozenset(), **options: Any) -> None:
        super().__init__(**options)
        self.keep = keep

    def add_api_route(  # type: ignore[override]
        self, path: str, endpoint: Callable[..., Any], **options: Any
    ) -> None:
        """Add the route with its endpoint as a plain function."""
        endpoint = run_to_end(endpoint)
        if path in self.keep:
            endpoint = kept_answers(endpoint, path)
        super().add_api_route(path, endpoint, **options)


def threaded_pages() -> APIRouter:
    """The routes of every page and its JSON twin, answered in worker threads. The data of the
    pages with a JSON twin, and the twins' answers, are kept until a write to what they read;
    forms without one (logging an activity, which shows the time now) are computed anew each time."""
    from salesperf.server.pages.registry import PAGES, add_page

    router = ThreadedRouter(keep=frozenset(p.api_path for p in PAGES if p.api))
    for page in PAGES:
        add_page(router, replace(page, data=remembered(page)) if page.api else page)
    return router
