"""Accessibility in a real browser (Debian's Chromium) against a live server on the 12-rep web
store: axe-core finds no serious or critical violation on any page (every page of the registry
with example parameters, the tokens page, the API reference, a page that does not exist and the
sign-in page), as a manager, a rep and an administrator, in English and in Dutch; and the
keyboard reaches every link of the navigation and every field of a form, in order, with a
visible focus."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browsertools import (
    CHROMIUM,
    LANGS,
    ROLES,
    axe_violations,
    new_page,
    open_page,
    page_paths,
    serve,
)
from webtools import app_for, build_web_store

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.slow,
]

PATHS = page_paths()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = build_web_store(tmp_path_factory.mktemp("a11y") / "store.duckdb")
    with serve(app_for(path)) as url:
        yield url


@pytest.fixture(scope="module")
def pages(browser: Any, live: str) -> Iterator[dict[tuple[str | None, str], Any]]:
    """One signed-in page per (role, language), opened when first asked for (role None: signed
    out)."""
    opened: dict[tuple[str | None, str], Any] = {}
    yield opened
    for page in opened.values():
        page.context.close()


def _page(pages: dict[tuple[str | None, str], Any], browser: Any, live: str, role: str | None,
          lang: str) -> Any:  # fmt: skip
    if (role, lang) not in pages:
        pages[(role, lang)] = new_page(browser, live, lang, ROLES[role] if role else None)
    return pages[(role, lang)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("name", list(PATHS))
def test_no_serious_violations(
    pages: dict[tuple[str | None, str], Any], browser: Any, live: str, name: str, role: str,
    lang: str,
) -> None:  # fmt: skip
    page = _page(pages, browser, live, role, lang)
    open_page(page, live + PATHS[name])
    assert page.evaluate("document.documentElement.lang") == lang
    found = axe_violations(page)
    assert found == [], f"{PATHS[name]} as {role} in {lang}:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", LANGS)
def test_the_sign_in_page_has_no_serious_violations(
    pages: dict[tuple[str | None, str], Any], browser: Any, live: str, lang: str
) -> None:
    page = _page(pages, browser, live, None, lang)
    open_page(page, f"{live}/login")
    assert page.evaluate("document.documentElement.lang") == lang
    found = axe_violations(page)
    assert found == [], f"/login in {lang}:\n" + "\n".join(found)


# -- the keyboard -------------------------------------------------------------------------------

#: Marks, in document order, the elements of `root` that Tab should reach: visible links with an
#: address, buttons, fields and selects that are not disabled (of a group of radios, the checked
#: one); returns how many.
_MARK = """root => {
  const all = [...document.querySelectorAll(root)].flatMap(r => [...r.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')]);
  const seen = new Set();
  let n = 0;
  for (const el of all) {
    if (seen.has(el) || el.disabled || el.tabIndex < 0 || !el.getClientRects().length) continue;
    if (el.type === 'radio' && el.name) {
      const group = [...document.querySelectorAll(`input[type=radio][name="${el.name}"]`)];
      if (el !== (group.find(r => r.checked) || group[0])) continue;
    }
    seen.add(el);
    el.setAttribute('data-tab', String(n++));
  }
  return n;
}"""

#: The focused element's mark, and whether its focus shows: an outline or a shadow around it,
#: and a box of some size.
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
    || s.boxShadow !== 'none';
  return {tab: el.getAttribute('data-tab'), shows: ring && box.width > 0 && box.height > 0,
          what: el.outerHTML.slice(0, 120)};
}"""


def _tab_through(page: Any, root: str) -> None:
    """Press Tab from the start of the page and check that focus reaches each element `root`
    holds (`_MARK`) in order, each with a visible focus."""
    count = page.evaluate(_MARK, root)
    assert count >= 2, f"too few focusable elements in {root}"
    # Tab from the start of the page (not from a field with autofocus)
    page.evaluate(
        "() => { const s = document.createElement('span'); s.tabIndex = -1; s.id = 'tab-start';"
        " document.body.prepend(s); s.focus(); }"
    )
    reached: list[str | None] = []
    hidden: list[str] = []
    for _ in range(count + 40):  # the elements before `root` come first
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None or focused["tab"] is None:
            continue  # before `root`, or between its parts
        if reached and reached[-1] == focused["tab"]:
            continue  # within one field (the parts of a date)
        reached.append(focused["tab"])
        if not focused["shows"]:
            hidden.append(focused["what"])
        if len(reached) == count:
            break
    assert reached == [str(i) for i in range(count)], f"Tab reached {reached} of {count} in {root}"
    assert hidden == [], f"focus not visible on {hidden}"


@pytest.mark.parametrize("role", list(ROLES))
def test_the_keyboard_reaches_the_navigation_in_order(
    pages: dict[tuple[str | None, str], Any], browser: Any, live: str, role: str
) -> None:
    page = _page(pages, browser, live, role, "en")
    open_page(page, f"{live}/exports")
    assert page.locator("header nav a").count() >= 6
    _tab_through(page, "header.top")


def test_the_keyboard_walks_the_log_form_in_order(
    pages: dict[tuple[str | None, str], Any], browser: Any, live: str
) -> None:
    page = _page(pages, browser, live, "manager", "nl")
    open_page(page, f"{live}/activities/new")
    assert page.locator("form[action='/activities/new'] select").count() == 3
    _tab_through(page, "header.top, form[action='/activities/new']")


def test_the_keyboard_walks_the_sign_in_form_in_order(
    pages: dict[tuple[str | None, str], Any], browser: Any, live: str
) -> None:
    page = _page(pages, browser, live, None, "en")
    open_page(page, f"{live}/login")
    _tab_through(page, "main")
