"""Dutch pages say everything in Dutch: no vocabulary code (`follow_up`, `new_business`,
`inbound`, a stage), no metric name (`revenue_won`) and no English word a reader sees, in the
page text, table cells, select options, headings, or the charts' titles, axes, legends and
tooltips.

What counts as visible (`visible_text`):
- the text of the HTML outside scripts and styles, and the attributes a reader sees or hears:
  `title` (hover), `placeholder`, `aria-label` (read aloud), `alt`, an option's `label`;
- of each chart (the Vega-Lite spec a page embeds for charts.js to draw), what Vega-Lite draws
  as words: the chart's title, axis and legend titles (a channel without a title is titled
  with its field name, unless another layer of the same view gives one, as Vega-Lite merges
  them), the labels of nominal and ordinal axes and legends (their data values and a legend's
  scale domain), text marks' values, and every tooltip line's title (its field name when it has
  none) and nominal value. Numbers, dates and the data's keys are not words a reader sees.
Left out: URLs, ids, `data-*` attributes, JSON keys and option values (the codes stay there),
the import presets' names (`hubspot-calls`, names the command line and the API take too),
the JSON routes (no chart reads one: every spec is embedded in its page), and the API's own
documentation page (/docs, for developers, in English).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest

from salesperf.analysis.health_text import check_text
from salesperf.analysis.quadrant.text import rate_label
from salesperf.analysis.vocab import Label
from salesperf.contexts import CONTEXTS
from salesperf.demo import codes
from salesperf.i18n.words import CRM_STAGES, WORDS, word
from salesperf.metrics.periods import parse_period
from salesperf.metrics.registry import METRICS, metric
from salesperf.schema import TABLES, Vocabulary
from salesperf.server.charts.analysis import AnalysisCharts
from salesperf.server.charts.dashboard import Charts
from salesperf.server.pages.registry import PAGES
from salesperf.text import Lang
from webtools import ADMIN, MANAGER, MANAGER_REP, REP, REP_ID, app_for, build_web_store, client_for

# -- what may not show -----------------------------------------------------------------------
#: The deal kinds the CRM presets map to (the demo's are `codes.KINDS`).
PRESET_KINDS = ("existing_business",)


def _vocabularies() -> set[str]:
    words = {w for c in Vocabulary.__subclasses__() for w in c.words()}
    words |= {*codes.STAGES, codes.WON_STAGE, codes.LOST_STAGE, *codes.KINDS, *PRESET_KINDS}
    words |= {*codes.SEGMENTS, *codes.LOST_REASONS}
    return words | set(CONTEXTS)


def _dutch(code: str) -> str:
    return metric(code).label_nl if code in METRICS else word(code, Lang.NL)


VOCABULARY = _vocabularies()
#: Codes a Dutch reader may not see: every vocabulary word and metric name whose Dutch label is
#: another word (`demo`, `partner` and `open` are Dutch words too), and the quadrant's labels
#: (`star`, `at_risk`: the page names them from `salesperf.analysis.quadrant.model.QUADRANTS`).
CODES = {w for w in VOCABULARY | set(METRICS) if w.lower() != _dutch(w).lower()} | {
    label.value for label in Label
}
#: English words with a Dutch translation, as the English pages write them.
ENGLISH = {
    "activity", "activities", "revenue", "target", "targets", "period", "month", "value",
    "series", "step", "stage", "stages", "rate", "won", "lost", "show", "sign", "language",
    "overview", "funnel", "drivers", "forecast", "low", "high", "main", "converted", "entered",
    "the", "and", "with", "for", "not", "none", "total", "customers", "calls", "meetings",
    "emails", "renewal", "upsell", "star", "risk", "busy", "rep", "reps", "window", "peers",
    "error", "back", "exports", "quarter", "share", "median", "actual", "day", "days",
}  # fmt: skip


def foreign_words(text: str) -> list[str]:
    """The codes and English words in a Dutch text, in order (case does not matter)."""
    bad = CODES | ENGLISH
    return [w for w in re.findall(r"\w+", text) if w.lower() in bad]


# -- what a reader sees ----------------------------------------------------------------------
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "label")
AXES = {"x": ("x", "x2"), "y": ("y", "y2"), "theta": ("theta", "theta2")}
LEGENDS = ("color", "fill", "stroke", "shape", "size", "opacity", "strokeDash", "strokeWidth")


class _Page(HTMLParser):
    """The text of a page a reader sees, and the chart specs it embeds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.specs: list[dict[str, Any]] = []
        self._chart_ids: set[str] = set()
        self._hidden: str | None = None  # the script or style being skipped
        self._spec: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.parts += [a[k] for k in SHOWN_ATTRIBUTES if a.get(k)]
        if tag == "input" and a.get("type") in ("submit", "button", "reset"):
            self.parts.append(a.get("value", ""))
        if "data-spec" in a:
            self._chart_ids.add(a["data-spec"])
        if tag in ("script", "style"):
            self._hidden = tag
            self._spec = [] if a.get("id") in self._chart_ids else None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._hidden:
            if self._spec is not None:
                self.specs.append(json.loads("".join(self._spec)))
            self._hidden, self._spec = None, None

    def handle_data(self, data: str) -> None:
        if self._spec is not None:
            self._spec.append(data)
        elif self._hidden is None:
            self.parts.append(data)


def _titles(title: Any) -> list[str]:
    if isinstance(title, str):
        return [title]
    if isinstance(title, list):
        return [x for x in title if isinstance(x, str)]
    if isinstance(title, dict):
        return _titles(title.get("text")) + _titles(title.get("subtitle"))
    return []


def _strings(rows: Iterable[dict[str, Any]], field: str | None) -> list[str]:
    return [r[field] for r in rows if field and isinstance(r.get(field), str)]


def _views(spec: dict[str, Any], rows: list[dict[str, Any]], datasets: dict[str, Any]) -> Iterator[
    tuple[dict[str, Any], list[dict[str, Any]]]
]:  # fmt: skip
    """The encodings of a view and of its layers (which share their axes and legends), each
    with its data rows."""
    data = spec.get("data")
    if isinstance(data, dict) and "values" in data:
        rows = data["values"]
    elif isinstance(data, dict) and "name" in data:
        rows = datasets.get(data["name"], [])
    yield spec.get("encoding", {}), rows
    for layer in spec.get("layer", []):
        yield from _views(layer, rows, datasets)


def chart_texts(
    spec: dict[str, Any], rows: list[dict[str, Any]] | None = None, datasets: Any = None
) -> list[str]:
    """The words Vega-Lite draws for a spec (see the module's docstring)."""
    datasets = {**(datasets or {}), **spec.get("datasets", {})}
    out = _titles(spec.get("title"))
    views = list(_views(spec, rows or [], datasets))
    guides = [*AXES.items(), *((ch, (ch,)) for ch in LEGENDS)]
    for guide, channels in guides:
        explicit: list[str] = []
        implicit: list[str] = []
        said = False
        for enc, rs in views:
            for ch in channels:
                e = enc.get(ch)
                if not isinstance(e, dict) or "field" not in e:
                    continue
                box = e.get("axis" if guide in AXES else "legend", {})
                if box is None:  # no axis or legend is drawn
                    continue
                if isinstance(box, dict) and "title" in box:
                    said, explicit = True, explicit + _titles(box["title"])
                elif "title" in e:
                    said, explicit = True, explicit + _titles(e["title"])
                else:
                    implicit.append(e["field"])
                if e.get("type") in ("nominal", "ordinal"):
                    out += _strings(rs, e["field"])
                domain = (e.get("scale") or {}).get("domain")
                if guide in LEGENDS and isinstance(domain, list):
                    out += [x for x in domain if isinstance(x, str)]
        out += explicit if said else implicit
    for enc, rs in views:
        tips = enc.get("tooltip", [])
        for tip in tips if isinstance(tips, list) else [tips]:
            if isinstance(tip, dict) and "field" in tip:
                out += _titles(tip.get("title", tip["field"]))
                if tip.get("type") in ("nominal", "ordinal"):
                    out += _strings(rs, tip["field"])
        text = enc.get("text")
        if isinstance(text, dict):
            out += _strings(rs, text.get("field"))
    for key in ("hconcat", "vconcat", "concat"):
        for part in spec.get(key, []):
            out += chart_texts(part, views[0][1], datasets)
    return out


def visible_text(html: str) -> str:
    """What a reader sees of a page: its text and shown attributes, and its charts' words."""
    page = _Page()
    page.feed(html)
    page.close()
    return " ".join([*page.parts, *(w for s in page.specs for w in chart_texts(s))])


# -- the labels --------------------------------------------------------------------------------
def _preset_files() -> list[dict[str, Any]]:
    folder = resources.files("salesperf.ingest") / "presets"
    return [
        tomllib.loads(f.read_text("utf-8")) for f in folder.iterdir() if f.name.endswith(".toml")
    ]


def test_every_vocabulary_word_has_a_dutch_label() -> None:
    missing = sorted(w for w in VOCABULARY if w not in WORDS)
    assert missing == []
    kinds = {k for p in _preset_files() for k in p.get("values", {}).get("kind", {}).values()}
    assert kinds <= set(WORDS), kinds - set(WORDS)
    assert word("new_business", "nl") == "Nieuwe klant" and word("inbound", "nl") == "Inkomend"
    assert word("closed_lost", "nl") == "Verloren" and word("won", "nl") == "Gewonnen"
    # a stage an organisation made up is shown as it is stored
    assert word("Pilot gestart", "nl") == "Pilot gestart"
    assert [CONTEXTS[n].title.nl for n in ("general", "consultancy")] == [
        "Algemeen", "Adviesbureau"
    ]  # fmt: skip
    assert {t for t in TABLES if t not in WORDS} == set()


def test_the_presets_standard_stages_have_dutch_labels() -> None:
    """A preset that reads the stage from the same column as the status keeps the CRM's
    standard stage names as stages: each has a label."""
    stages = {
        s
        for p in _preset_files()
        if ["status", "stage"] in p.get("columns", {}).values()
        for s, status in p.get("values", {}).get("status", {}).items()
        if status in ("open", "won", "lost")
    }
    assert len(stages) > 20
    assert stages <= set(CRM_STAGES), stages - set(CRM_STAGES)
    assert word("Needs Analysis", "nl") == "Behoefteanalyse"
    assert word("closedwon", "nl") == "Gewonnen"


def test_labels_in_sentences_and_metric_names() -> None:
    assert metric("activities:follow_up").label_nl == "Activiteiten (Opvolging)"
    assert metric("activities:follow_up").label_en == "Activities (Follow-up)"
    assert rate_label("stage_conversion:demo>proposal").nl == "Fase-conversie Demo → Offerte"
    q3, q4 = parse_period("2026-Q3"), parse_period("2026-Q4")
    said = check_text("EUR", q4, q3, 1000.0, 100.0, q3, 50.0, 0.5, False, [("follow_up", 26.0)])
    assert "Opvolging (26 per week)" in said.nl and "Follow-up (26 a week)" in said.en
    assert foreign_words(said.nl) == []


# -- the charts and the reader's words ---------------------------------------------------------
def test_visible_text_reads_what_a_reader_sees() -> None:
    spec = {
        "title": "Titel",
        "data": {"values": [{"part": "follow_up", "n": 3, "day": "2026-07-01"}]},
        "layer": [
            {"mark": "bar", "encoding": {"x": {"field": "n", "type": "quantitative"},
                                         "y": {"field": "part", "type": "nominal", "title": None}}},
            {"mark": "text", "encoding": {"x": {"field": "n", "type": "quantitative", "title": "Aantal"},
                                          "tooltip": [{"field": "day", "type": "temporal"}]}},
        ],
    }  # fmt: skip
    html = (
        "<html><head><style>.x{color:red}</style><script>var revenue_won = 1;</script></head>"
        '<body><nav aria-label="main"><a href="/reps/R002" data-x="follow_up">Overzicht</a></nav>'
        '<select><option value="inbound" label="Inkomend">Inkomend</option></select>'
        '<td title="Doel">1</td><div class="chart" data-spec="chart-1"></div>'
        f'<script type="application/json" id="chart-1">{json.dumps(spec)}</script></body></html>'
    )
    text = visible_text(html)
    # the axis title of x comes from the layer that gives one, "n" is not drawn; the tooltip
    # without a title shows its field name
    assert text.split() == ["main", "Overzicht", "Inkomend", "Inkomend", "Doel", "1", "Titel",
                            "Aantal", "follow_up", "day"]  # fmt: skip
    assert foreign_words(text) == ["main", "follow_up", "day"]


def test_the_charts_name_types_in_dutch() -> None:
    """The rep's activity mix and the plan's pace: Dutch type labels, and no tooltip line
    titled with a field name."""
    meta = {"name": "activities", "unit": "count", "label_en": "Activities",
            "label_nl": "Activiteiten"}  # fmt: skip
    card = {"metrics": [meta], "rows": [
        {"key": "R002", "name": "Lucas", "split": s, "values": {"activities": {"value": v}}}
        for s, v in (("follow_up", 4), ("meeting", 2), (None, 1))
    ]}  # fmt: skip
    mix = chart_texts(Charts(Lang.NL).mix(card, "activities") or {})
    assert {"Opvolging", "Afspraak", "Overig", "Activiteiten"} <= set(mix)
    plan = {"activities": [{"type": "follow_up", "per_week": 3.0, "pace_per_week": 2.0}]}
    pace = chart_texts(AnalysisCharts(Lang.NL).plan_pace(plan) or {})
    assert "Opvolging" in pace
    assert foreign_words(" ".join(mix + pace)) == []


# -- every page, as each role sees it ------------------------------------------------------
USERS = {ADMIN: "R002", MANAGER: MANAGER_REP, REP: REP_ID}
#: The pages a role may not open (403).
DENIED = {
    ADMIN: set(),
    MANAGER: {"import"},
    REP: {"teams", "team", "drivers", "import", "report"},
}


#: The import presets' names (`hubspot-calls`): the import page lists them as the command line
#: and the API take them, as names, not words.
PRESETS = sorted(
    (
        f.name.removesuffix(".toml")
        for f in (resources.files("salesperf.ingest") / "presets").iterdir()
    ),
    key=len,
    reverse=True,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return app_for(build_web_store(tmp_path_factory.mktemp("dutch") / "store.duckdb"))


@pytest.mark.slow
@pytest.mark.parametrize("username", list(USERS))
def test_every_page_is_dutch(app: Any, username: str) -> None:
    client, _ = client_for(app, username)
    client.cookies.set("salesperf_lang", "nl")
    params = {"team_id": "T02", "rep_id": USERS[username]}
    found: dict[str, list[str]] = {}
    paths = [(p.name, p.path.format(**params)) for p in PAGES] + [("tokens", "/tokens")]
    for name, path in paths:
        r = client.get(path)
        if name in DENIED[username]:
            assert r.status_code == 403, (name, r.status_code)
            continue
        assert r.status_code == 200, (name, r.text[:300])
        assert '<html lang="nl">' in r.text
        text = visible_text(r.text)
        assert len(text.split()) > 20, name
        for preset in PRESETS:  # names, as the command line and the API take them
            text = text.replace(preset, " ")
        if bad := foreign_words(text):
            found[name] = sorted(set(bad))
    assert found == {}


def test_the_denied_pages_are_the_roles_own() -> None:
    """The pages left out above exist (a renamed page would silently drop out)."""
    names = {p.name for p in PAGES}
    assert set().union(*DENIED.values()) <= names


@pytest.mark.parametrize(
    ("username", "path", "en", "nl"),
    [
        (REP, "/api/drivers", "the drivers are fitted on the weeks of every rep of a team",
         "de drijfveren worden geschat op de weken van alle verkopers van een team"),
        (REP, "/api/report", "the weekly report is for managers",
         "het weekrapport is voor managers"),
        (ADMIN, "/api/reps/R999", "there is no rep R999", "er is geen verkoper R999"),
        (ADMIN, "/api/quadrant?rep=R999", "rep R999 is not in this quadrant",
         "verkoper R999 staat niet in dit kwadrant"),
    ],
)  # fmt: skip
def test_a_refusal_is_said_in_the_viewers_language(
    app: Any, username: str, path: str, en: str, nl: str
) -> None:
    client, _ = client_for(app, username)
    said = {}
    for lang in ("en", "nl"):
        r = client.get(path, headers={"accept-language": lang})
        assert r.status_code in (403, 404), r.text
        said[lang] = r.json()["error"]
    assert said["en"].startswith(en) and said["nl"].startswith(nl), said
