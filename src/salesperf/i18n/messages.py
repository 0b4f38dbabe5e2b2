"""The one catalogue of what the product says, looked up by key (`t`), and the language a
viewer asks for. The strings live by subject in `salesperf.i18n.catalogue`; numbers, dates and
periods come from the one formatter, `salesperf.i18n.format`; words of the vocabulary from
`salesperf.i18n.words`; metric labels from the metric registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from salesperf.i18n.catalogue import analyses, cli, forecast, frame, log, quadrant, web
from salesperf.text import Lang, Text


def _joined(*parts: dict[str, Text]) -> dict[str, Text]:
    out: dict[str, Text] = {}
    for part in parts:
        clash = out.keys() & part.keys()
        if clash:
            raise RuntimeError(f"catalogue keys declared twice: {sorted(clash)}")
        out.update(part)
    return out


#: Every string of the catalogue, by key.
MESSAGES: dict[str, Text] = _joined(
    web.MESSAGES,
    log.MESSAGES,
    cli.MESSAGES,
    analyses.MESSAGES,
    forecast.MESSAGES,
    quadrant.MESSAGES,
    frame.MESSAGES,
)


def lang_of(value: str | None) -> Lang | None:
    """The product language a code names ('nl', 'nl-BE', 'en_US'), or None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return Lang(code) if code in Lang.__members__.values() else None


def negotiate(accept_language: str | None, default: Lang = Lang.EN) -> Lang:
    """The best product language for an Accept-Language header."""
    choices: list[tuple[float, int, Lang]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        code, _, params = part.strip().partition(";")
        q = 1.0
        m = re.search(r"q=([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        lang = lang_of(code)
        if lang is not None and q > 0:
            choices.append((-q, i, lang))
    return min(choices)[2] if choices else default


def t(key: str, lang: Lang | str, **values: Any) -> str:
    """The interface string `key` in `lang`, with `{name}` placeholders filled."""
    text = MESSAGES[key].get(lang)
    return text.format(**values) if values else text


def both(key: str, values: Callable[[Lang], dict[str, Any]] | None = None) -> Text:
    """The string `key` in English and in Dutch, each filled with `values(lang)`: how an
    analysis's text module makes the sentence a result carries in both languages."""
    en, nl = (t(key, lang, **(values(lang) if values else {})) for lang in (Lang.EN, Lang.NL))
    return Text(en, nl)
