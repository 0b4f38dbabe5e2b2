"""Browser test helpers shared by the page-wide checks (accessibility, the page matrix): the
live server in a thread, Chromium's launch arguments, signing in per role and language, every
page with example parameters, axe-core's check and the words a Dutch page must not show."""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from salesperf.i18n.messages import MESSAGES
from salesperf.i18n.words import CRM_STAGES, WORDS
from salesperf.metrics.registry import METRICS
from salesperf.server.pages.registry import PAGES, TEXT_LIMITS
from webtools import ADMIN, MANAGER, PASSWORD, REP

CHROMIUM = Path("/usr/bin/chromium")
#: The longest any wait lasts (the server's start, a page, its charts): a deadline that fails a
#: hung run on a busy machine, never a condition of success.
DEADLINE = 120.0
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
#: The signed-in roles, by the name a test id shows.
ROLES = {"manager": MANAGER, "rep": REP, "admin": ADMIN}
LANGS = ("en", "nl")
LANG_COOKIE = "salesperf_lang"


def _example(name: str) -> str:
    example = TEXT_LIMITS[name].example
    assert example is not None, name
    return example


def page_paths() -> dict[str, str]:
    """Every page a signed-in viewer may ask for, by name: the registry's pages with their
    example parameters (team T02, rep R002), the tokens page, the API reference and a page that
    does not exist."""
    paths = {
        page.name: re.sub(r"\{(\w+)\}", lambda m: _example(m.group(1)), page.path) for page in PAGES
    }
    return {**paths, "tokens": "/tokens", "docs": "/docs", "missing": "/no-such-page"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free port, in a thread; yields its base URL."""
    port = _free_port()
    up = threading.Event()  # the server started, or gave up

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            up.set()

    server = Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))

    def run() -> None:
        try:
            server.run()
        finally:
            up.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert up.wait(DEADLINE) and server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(DEADLINE)
    assert not thread.is_alive(), "the server did not stop"


def new_page(browser: Any, live: str, lang: str, username: str | None) -> Any:
    """A page of a new browser context in `lang` (the language cookie, so the user's stored
    choice stays unset), signed in as `username` unless None; every request to anywhere but the
    live server is aborted."""
    context = browser.new_context(locale="nl-NL" if lang == "nl" else "en-GB")
    context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": live}])
    context.set_default_timeout(DEADLINE * 1000)
    context.set_default_navigation_timeout(DEADLINE * 1000)
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith(live + "/") else r.abort()
    )
    page = context.new_page()
    if username is not None:
        page.goto(f"{live}/login?next=/exports")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button")
        page.wait_for_url(f"{live}/exports")
    return page


def open_page(page: Any, url: str) -> int:
    """Go to `url` and wait until its charts are drawn (or failed); returns the status."""
    response = page.goto(url)
    page.wait_for_function(
        "[...document.querySelectorAll('.chart[data-spec]')]"
        ".every(e => e.hasAttribute('data-drawn') || e.hasAttribute('data-error'))"
    )
    return int(response.status) if response is not None else 0


@functools.cache
def _axe_script() -> str:
    return (
        importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    )


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of the page at the given impacts, one line per element: the rule,
    its impact, the element's selector and what to fix."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())  # as a script of the page's own, the page's CSP refuses it
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}) at {' '.join(map(str, node['target']))}: {v['help']}"
        for v in result["violations"]
        if v["impact"] in impacts
        for node in v["nodes"]
    ]


# -- the words a Dutch page must not show -------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _dutch_texts() -> list[str]:
    texts = [m.nl for m in MESSAGES.values()]
    texts += [w.nl for w in (*WORDS.values(), *CRM_STAGES.values())]
    texts += [t for m in METRICS.values() for t in (m.label_nl, m.description_nl)]
    return texts


def _as_words(text: str) -> str:
    """A regular expression finding `text` as whole words (a placeholder stands for any text)."""
    parts = [re.escape(p) for p in _PLACEHOLDER.split(text)]
    body = ".+?".join(parts)
    # not part of a longer word, a file name, an address or a code
    start = r"(?<![\w./@-])" if re.match(r"\w", text) else ""
    end = r"(?![\w/@-]|\.\w)" if re.search(r"\w$", text) else ""
    return start + body + end


@functools.cache
def english_only() -> dict[str, re.Pattern[str]]:
    """The catalogue's, the vocabulary's and the metric labels' English texts that differ from
    their Dutch and appear in no Dutch text (as words, in any case), by text; and the internal
    codes of the vocabulary and the metrics: those with an underscore or a digit (follow_up,
    revenue_won, nps10) always, the others (meeting, call) unless a Dutch text has them. None
    of these may be seen on a Dutch page."""
    dutch = "\n".join(_dutch_texts())
    pairs = [(m.en, m.nl) for m in MESSAGES.values()]
    pairs += [(w.en, w.nl) for w in (*WORDS.values(), *CRM_STAGES.values())]
    pairs += [(m.label_en, m.label_nl) for m in METRICS.values()]
    english = {en.strip() for en, nl in pairs if en.strip() != nl.strip()}
    codes = {*WORDS, *METRICS}
    found: dict[str, re.Pattern[str]] = {}
    for text in sorted(english | codes):
        literal = "".join(_PLACEHOLDER.split(text))
        if len(re.sub(r"\W", "", literal)) < 3:  # too little fixed text to tell a language
            continue
        internal = text in codes and re.search(r"[_\d]", text) is not None
        if not internal and re.search(_as_words(text), dutch, re.IGNORECASE):
            continue
        found[text] = re.compile(_as_words(text))
    return found


def english_on(text: str) -> list[str]:
    """The English-only texts and internal codes (`english_only`) found in a page's text."""
    return [en for en, pattern in english_only().items() if pattern.search(text)]
