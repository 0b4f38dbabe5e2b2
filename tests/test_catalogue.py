"""Words live in the one catalogue, not in the statistics: the quadrant analysis's modules hold no
English or Dutch sentence (its text modules make them from `salesperf.i18n.catalogue.quadrant`),
and every key those text modules use exists in both languages with the same placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import salesperf.analysis.quadrant as quadrant_pkg
from salesperf.analysis.quadrant.breaks import StepKind
from salesperf.analysis.quadrant.evidence import Why
from salesperf.analysis.quadrant.leadmix import LeadFinding
from salesperf.analysis.quadrant.window import WindowWhy
from salesperf.analysis.vocab import Label
from salesperf.i18n.catalogue import quadrant as catalogue
from salesperf.i18n.messages import MESSAGES

PACKAGE = Path(quadrant_pkg.__file__).parent
PREFIXES = ("quadrant.", "breaks.", "leadmix.")
WORD = re.compile(r"[^\W\d_]+")


def _is_text_module(path: Path) -> bool:
    return path.stem == "text" or path.stem.startswith("text_")


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def sentences(source: str) -> list[tuple[int, str]]:
    """The string constants of `source` that read as prose (a space and three or more words):
    docstrings and the messages of raised errors (the error channel) left out."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise):
            skip |= {id(n) for n in ast.walk(node)}
    return [
        (node.lineno, node.value)
        for node in sorted(
            ast.walk(tree), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))
        )
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and " " in node.value
        and len(WORD.findall(node.value)) >= 3
    ]


def _statistics_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("*.py") if not _is_text_module(p))


@pytest.mark.parametrize("path", _statistics_modules(), ids=lambda p: p.name)
def test_no_sentence_in_the_statistics(path: Path) -> None:
    found = sentences(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} holds words; put them in the catalogue: {found}"


def test_the_check_catches_a_planted_sentence() -> None:
    planted = '''
"""A module docstring, which may say anything it likes."""
from salesperf.text import Text

COLUMNS = ("rep_id", "deals_won", "stage_conversion:demo>proposal")


def f(n: int) -> Text:
    """A docstring with many words in it."""
    if n < 0:
        raise ValueError(f"a count is never below zero: {n}")
    key = f"quadrant.reason.{n}"
    return Text(f"{n} deals closed, too few for a label", "te weinig deals")
'''
    found = sentences(planted)
    assert [(line, s) for line, s in found] == [
        (13, " deals closed, too few for a label"),
        (13, "te weinig deals"),
    ]
    assert sentences("x = 'two words'\ny = 'rep_id'\n") == []


def test_the_check_runs_on_the_statistics() -> None:
    names = {p.name for p in _statistics_modules()}
    assert {"model.py", "evidence.py", "breaks.py", "leadmix.py", "window.py"} <= names
    assert "text.py" not in names


# -- the keys ------------------------------------------------------------------------------------
def _used_keys() -> tuple[set[str], set[str]]:
    """The catalogue keys the text modules name: literal keys (or the stem of a family of keys,
    such as quadrant.closed_deals for .one and .other), and the patterns of keys they build (an
    f-string's fixed parts, anything between)."""
    literal, patterns = set(), set()
    for path in PACKAGE.glob("*.py"):
        if not _is_text_module(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in inside:
                    continue
                if node.value.startswith(PREFIXES):
                    literal.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                parts = [
                    re.escape(v.value) if isinstance(v, ast.Constant) else r"[\w.]+"
                    for v in node.values
                ]
                first = node.values[0]
                if isinstance(first, ast.Constant) and str(first.value).startswith(PREFIXES):
                    patterns.add("".join(parts))
    return literal, patterns


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_key_used_exists_in_both_languages_with_the_same_placeholders() -> None:
    literal, patterns = _used_keys()
    assert literal and patterns
    stems = {k for k in literal if k not in MESSAGES}
    assert all(any(key.startswith(f"{s}.") for key in MESSAGES) for s in stems), stems
    for pattern in patterns:
        assert any(re.fullmatch(pattern, k) for k in catalogue.MESSAGES), pattern
    for key, text in catalogue.MESSAGES.items():
        assert key.startswith(PREFIXES), key
        assert text.en.strip() and text.nl.strip(), key
        assert _fields(text.en) == _fields(text.nl), key
    for key in catalogue.MESSAGES:
        used = (
            key in literal
            or any(key.startswith(f"{s}.") for s in stems)
            or any(re.fullmatch(p, key) for p in patterns)
        )
        assert used, f"{key} is in the catalogue but no text module uses it"


@pytest.mark.parametrize(
    ("family", "values"),
    [
        ("quadrant.name.{}", list(Label)),
        ("quadrant.suggests.{}", list(Label)),
        ("quadrant.reason.{}", list(Why)),
        ("quadrant.reason.{}.short", list(Why)),
        ("quadrant.window.{}", list(WindowWhy)),
        ("breaks.where.{}", list(StepKind)),
        ("leadmix.{}", list(LeadFinding)),
    ],
)
def test_every_enum_member_has_its_words(family: str, values: list[object]) -> None:
    """The keys built from an enum's value: one for each member, none missing."""
    missing = [family.format(getattr(v, "value", v)) for v in values]
    missing = [k for k in missing if k not in catalogue.MESSAGES]
    assert not missing
