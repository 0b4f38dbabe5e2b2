"""Every page in a real browser (Debian's Chromium) against a live server on the 12-rep web
store, as a manager, a rep and an administrator, in English and in Dutch, on a laptop
(1366x900) and a phone (390x844): the page does not scroll sideways, no table is cut off (each
fits its container or sits in a wrapper that scrolls sideways), and a Dutch page shows no
English text of the catalogue and no internal code of the vocabulary or the metrics (text
marked as another language, `lang="en"`, excepted). One test per page, role, language and
size, so that a failure names them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browsertools import (
    CHROMIUM,
    LANGS,
    ROLES,
    english_on,
    english_only,
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
SIZES = {"laptop": (1366, 900), "phone": (390, 844)}

#: The page's width against the window's, and each table that is cut off: neither inside its
#: container's content box nor inside an element that scrolls sideways.
_LAYOUT = """() => {
  const clipped = [];
  for (const table of document.querySelectorAll('table')) {
    if (!table.getClientRects().length) continue;
    let scrolls = false;
    for (let a = table; a && a !== document.body; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === 'auto' || x === 'scroll') { scrolls = true; break; }
    }
    if (scrolls) continue;
    const box = table.getBoundingClientRect();
    const parent = table.parentElement;
    const p = parent.getBoundingClientRect();
    const s = getComputedStyle(parent);
    const left = p.left + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft);
    const right = p.right - parseFloat(s.borderRightWidth) - parseFloat(s.paddingRight);
    if (box.left < left - 1 || box.right > right + 1 || box.right > window.innerWidth + 1) {
      const head = table.querySelector('th');
      clipped.push(`table.${table.className || '(no class)'} (${head ? head.innerText : ''}):`
        + ` ${Math.round(box.width)} px wide in ${Math.round(right - left)} px`);
    }
  }
  return {width: document.documentElement.scrollWidth, window: window.innerWidth, clipped};
}"""

#: The page's visible text, less the text of elements marked as another language than the
#: page's.
_TEXT = """() => {
  let text = document.body.innerText;
  const lang = document.documentElement.lang;
  for (const el of document.body.querySelectorAll('[lang]')) {
    if (!el.lang.startsWith(lang)) text = text.split(el.innerText).join('\\n');
  }
  return text;
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = build_web_store(tmp_path_factory.mktemp("matrix") / "store.duckdb")
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


def _check(page: Any, url: str, size: str, lang: str) -> list[str]:
    """What is wrong with the page at `url` at `size` in `lang`, one line each."""
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, url)
    assert page.evaluate("document.documentElement.lang") == lang
    layout = page.evaluate(_LAYOUT)
    wrong = [f"cut off: {c}" for c in layout["clipped"]]
    if layout["width"] > layout["window"]:
        wrong.append(f"scrolls sideways: {layout['width']} px in a {layout['window']} px window")
    if lang == "nl":
        wrong += [
            f"English or a code on a Dutch page: {en!r}" for en in english_on(page.evaluate(_TEXT))
        ]
    return wrong


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("name", list(PATHS))
def test_page(
    pages: dict[tuple[str | None, str], Any], browser: Any, live: str, name: str, role: str,
    lang: str, size: str,
) -> None:  # fmt: skip
    if (role, lang) not in pages:
        pages[(role, lang)] = new_page(browser, live, lang, ROLES[role])
    wrong = _check(pages[(role, lang)], live + PATHS[name], size, lang)
    assert wrong == [], f"{PATHS[name]} as {role} in {lang} at {size}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGS)
def test_the_sign_in_page(
    pages: dict[tuple[str | None, str], Any], browser: Any, live: str, lang: str, size: str
) -> None:
    if (None, lang) not in pages:
        pages[(None, lang)] = new_page(browser, live, lang, None)
    wrong = _check(pages[(None, lang)], f"{live}/login", size, lang)
    assert wrong == [], f"/login in {lang} at {size}:\n" + "\n".join(wrong)


def test_the_dutch_check_knows_the_english_words_and_the_codes() -> None:
    """The words the Dutch check looks for hold the catalogue's English-only texts and the
    internal codes, and leave out English that is also Dutch."""
    words = english_only()
    assert {"Sign out", "Revenue won", "meeting", "follow_up", "new_business"} <= words.keys()
    assert "revenue_won" in words
    assert not {"Teams", "manager", "Deals", "Demo"} & words.keys()
    assert english_on("Afmelden · Sign out") == ["Sign out"]
    assert english_on("Activiteiten: Afspraak 3, follow_up 2") == ["follow_up"]
    assert english_on("Opvolging (follow-up)") == []
