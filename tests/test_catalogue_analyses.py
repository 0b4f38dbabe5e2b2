"""The analyses and the command line hold no sentences: their words come from the one catalogue
(`salesperf.i18n.catalogue.cli` and `.analyses`), in English and Dutch with the same blanks.

The rule the source check applies, per module (the analyses' text modules included: they make
their sentences from the catalogue too):

1. No language pair written in place, anywhere: no string literal (or the literal part of an
   f-string) with a word of two letters or more in it given to `Text(...)`, and none as a branch
   of a conditional expression that tests the language (`"vs" if lang is Lang.EN else
   "tegen"`). A catalogue key (`plan.organisation`) is not a word.
2. In the analyses (the statistics modules), no sentence at all: no string literal of three or
   more words with a space in it. Excepted are docstrings, `help=` texts of options, and what a
   `raise` raises (errors are English and shown by the edge as they are).

The command line's own English-only messages (progress, errors) are not language pairs and are
left to rule 1 only.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

import salesperf
from salesperf.analysis.drivers.model import SkipReason
from salesperf.analysis.drivers.touches import Returns
from salesperf.i18n.catalogue import alerts, analyses, cli, forecast
from salesperf.i18n.messages import MESSAGES
from salesperf.text import Lang

SRC = Path(salesperf.__file__).parent
#: The modules whose words are in the catalogue (rule 1 everywhere, rule 2 for `ANALYSES`).
ANALYSES = sorted(
    p
    for p in [
        *(SRC / "analysis" / "drivers").glob("*.py"),
        *(SRC / "analysis" / "plan").glob("*.py"),
        *(SRC / "analysis" / "forecast").glob("*.py"),
        *(SRC / "analysis" / "alerts").glob("*.py"),
        SRC / "analysis" / "health.py",
        SRC / "analysis" / "health_text.py",
        SRC / "analysis" / "asof.py",
    ]
    if p.name != "__init__.py"
)
COMMANDS = sorted((SRC / "cli").glob("*.py"))
_WORD = re.compile(r"[^\W\d_]{2,}")
_KEY = re.compile(r"[a-z_]+(\.[a-z_]+)+")


def _exempt(tree: ast.AST) -> set[int]:
    """Ids of the nodes rule 2 lets pass: docstrings, `help=` texts and what is raised."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
        if isinstance(node, ast.keyword) and node.arg == "help":
            out |= {id(n) for n in ast.walk(node.value)}
        if isinstance(node, ast.Raise) and node.exc is not None:
            out |= {id(n) for n in ast.walk(node.exc)}
    return out


def _literals(node: ast.AST) -> Iterator[ast.Constant]:
    """The string constants in `node`, the literal parts of f-strings included."""
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield n


def _tests_language(test: ast.AST) -> bool:
    names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    return bool(names & {"Lang", "lang"})


def sentences(source: str, *, statistics: bool) -> list[tuple[int, str]]:
    """The (line, text) of every literal `source` may not hold by the module docstring's rule
    (rule 2 only when `statistics`)."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        pairs: list[ast.AST] = []
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Text":
            pairs = [*node.args, *(k.value for k in node.keywords)]
        elif isinstance(node, ast.IfExp) and _tests_language(node.test):
            pairs = [node.body, node.orelse]
        for part in pairs:
            found += [
                (c.lineno, c.value)
                for c in _literals(part)
                if _WORD.search(c.value) and not _KEY.fullmatch(c.value)
            ]
    if statistics:
        exempt = _exempt(tree)
        for c in _literals(tree):
            if id(c) not in exempt and " " in c.value and len(_WORD.findall(c.value)) >= 3:
                found.append((c.lineno, c.value))
    return sorted(set(found))


@pytest.mark.parametrize("path", ANALYSES, ids=lambda p: str(p.relative_to(SRC)))
def test_the_analyses_hold_no_sentences(path: Path) -> None:
    assert sentences(path.read_text(encoding="utf-8"), statistics=True) == []


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: str(p.relative_to(SRC)))
def test_the_commands_write_no_language_pairs(path: Path) -> None:
    assert sentences(path.read_text(encoding="utf-8"), statistics=False) == []


PLANTED = '''
"""A docstring of many words is fine."""
import typer

def f(lang, n):
    """So is this one, in a function."""
    opt = typer.Option("--x", help="A help text of several words is fine too.")
    if n < 0:
        raise ValueError("an error of several words is shown as it is")
    a = Text("Deals won", "Gewonnen deals")
    b = Text(f"{n} deals won", f"{n} gewonnen deals")
    c = "vs" if lang is Lang.EN else "tegen"
    d = f"The window holds {n} weeks"
    e = f"{n:.1f}" if lang is Lang.EN else t("plan.organisation", lang)
    return opt, a, b, c, d, e, Text(a.en, a.nl), "rep_id", "a-b c"
'''


def test_the_check_catches_planted_sentences() -> None:
    """Each kind of sentence is caught; docstrings, help, raised errors, plain names are not."""
    got = sentences(PLANTED, statistics=True)
    assert got == [
        (10, "Deals won"), (10, "Gewonnen deals"), (11, " deals won"), (11, " gewonnen deals"),
        (12, "tegen"), (12, "vs"), (13, "The window holds "),
    ]  # fmt: skip
    # a command module may say things in English; a language pair it may not write
    assert sentences(PLANTED, statistics=False) == [
        (10, "Deals won"), (10, "Gewonnen deals"), (11, " deals won"), (11, " gewonnen deals"),
        (12, "tegen"), (12, "vs"),
    ]  # fmt: skip


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize(
    "part", [cli, analyses, forecast, alerts], ids=["cli", "analyses", "forecast", "alerts"]
)
def test_every_key_has_the_same_blanks_in_both_languages(part: object) -> None:
    messages = part.MESSAGES  # type: ignore[attr-defined]
    assert messages, "an empty catalogue part"
    differ = {k: (_blanks(v.en), _blanks(v.nl)) for k, v in messages.items()
              if _blanks(v.en) != _blanks(v.nl)}  # fmt: skip
    assert differ == {}


def test_the_catalogue_parts_are_joined_under_one_lookup() -> None:
    for part in (cli, analyses, forecast, alerts):
        assert part.MESSAGES.items() <= MESSAGES.items()
    assert all(k.startswith("cli.") for k in cli.MESSAGES)
    prefixes = ("drivers.", "plan.", "health.", "asof.", "quality.")
    assert all(k.startswith(prefixes) for k in analyses.MESSAGES)
    assert forecast.MESSAGES and all(k.startswith("forecast.") for k in forecast.MESSAGES)
    assert all(k.startswith(("alerts.", "nav.alerts")) for k in alerts.MESSAGES)


def test_every_reason_has_its_words() -> None:
    """The reasons the statistics return as enums each have a string, in both languages."""
    keys = [f"drivers.skip.{r.value}" for r in SkipReason]
    keys += [f"drivers.returns.{r.value}" for r in Returns]
    for key in keys:
        assert MESSAGES[key].get(Lang.EN) and MESSAGES[key].get(Lang.NL), key


def test_every_key_the_code_names_exists() -> None:
    """A key written out in the command line or the analyses' text modules is in the catalogue."""
    named = re.compile(
        r"""\b(?:t|both)\(\s*f?["']((?:cli|drivers|health|plan|forecast|asof|quality|alerts)\.[.\w]*)["']"""
    )
    command = re.compile(r"""\bheadings\(\s*["'](\w+)["']""")
    files = [*COMMANDS, SRC / "analysis" / "health_text.py", SRC / "analysis" / "asof.py"]
    files += [
        SRC / "analysis" / sub / "text.py" for sub in ("drivers", "plan", "forecast", "alerts")
    ]
    texts = [path.read_text(encoding="utf-8") for path in files]
    keys = {key for text in texts for key in named.findall(text)}
    commands = {name for text in texts for name in command.findall(text)}
    assert len(keys) > 20
    assert commands == {"diagnose", "drivers", "forecast", "health", "plan", "quality", "scorecard"}
    assert {k for k in keys if k not in MESSAGES} == set()
    assert {c for c in commands if not any(k.startswith(f"cli.{c}.") for k in MESSAGES)} == set()
