"""The analysis pages' charts read at a glance: the quadrant's four named regions, names written
only where they fit and links that keep the page's query to a rep's diagnosis; the funnel's
counts on whole numbers, its weakest step marked and its deals one click away (within the
viewer's view); the drivers as percentage changes in plain Dutch or English, the statistics in a
fold. Checked on the specifications the pages embed and on their JSON twins, against the
analyses' and the metric layer's own results and queries written here."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from salesperf.analysis.drivers.core import DriversQuery, drivers
from salesperf.analysis.quadrant.model import DiagnoseQuery, diagnose
from salesperf.i18n.words import word
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query
from salesperf.server.pages.analysis import weakest_step
from salesperf.store import Store
from webtools import ADMIN, MANAGER, REP, REP_ID, TODAY, app_for, build_web_store, client_for

pytestmark = pytest.mark.slow

WINDOW = "2026-Q3"
START, END = date(2026, 7, 1), date(2026, 10, 1)
STEPS = ("qualification", "discovery", "demo", "proposal", "negotiation", "closed_won")
T04 = frozenset({"R007", "R008", "R009", "R010", "R011", "R012"})  # the DACH team and manager
REGIONS = {
    "en": {"Star", "Busy, not effective", "Efficient", "At risk"},
    "nl": {"Topper", "Druk maar niet effectief", "Efficiënt", "Risico"},
}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The 12-rep web store, an app on it and a client per role (and a Dutch administrator)."""
    path = build_web_store(tmp_path_factory.mktemp("charts") / "store.duckdb")
    app = app_for(path)
    clients = {name: client_for(app, name)[0] for name in (ADMIN, MANAGER, REP)}
    dutch = client_for(app, ADMIN)[0]
    dutch.cookies.set("salesperf_lang", "nl")
    with Store.open(path) as store:
        yield {"store": store, "clients": clients, "nl": dutch}


def _specs(html: str) -> list[dict[str, Any]]:
    found = re.findall(
        r'<script type="application/json" id="chart-[^"]+">(.*?)</script>', html, re.S
    )
    return [json.loads(s) for s in found]


def _get(client: TestClient, path: str, **params: Any) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:500]
    return r.json() if path.startswith("/api/") else r.text


def _scale(spec: dict[str, Any], channel: str) -> list[float]:
    """The domain of the quadrant's x or y scale, from its points' layer."""
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    domain: list[float] = points["encoding"][channel]["scale"]["domain"]
    return domain


# -- the quadrant --------------------------------------------------------------------------
def test_the_quadrant_names_its_four_regions_in_the_viewers_language(web: dict[str, Any]) -> None:
    for lang, client in (("en", web["clients"][ADMIN]), ("nl", web["nl"])):
        spec = _specs(_get(client, "/quadrant", window=WINDOW))[0]
        regions = [
            v for layer in spec["layer"] for v in (layer.get("data") or {}).get("values", [])
            if "region" in v
        ]  # fmt: skip
        assert {r["label"] for r in regions} == REGIONS[lang]
        named = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"
                 and layer["encoding"]["text"]["field"] == "label"]  # fmt: skip
        shaded = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rect"]
        assert len(named) == 4 and len(shaded) == 1  # a name in each corner; one shading
        # the star region lies above and right of the reference lines at 1, named in its corner
        star = next(r for r in regions if r["region"] == "star")
        assert star["x0"] == star["y0"] == 1
        corner = (_scale(spec, "x")[1], _scale(spec, "y")[1])
        assert (star["x1"], star["y1"]) == (star["tx"], star["ty"]) == corner


def test_names_are_written_only_where_they_fit(web: dict[str, Any]) -> None:
    spec = _specs(_get(web["clients"][ADMIN], "/quadrant", window=WINDOW, peers="queried_team"))[0]
    (x0, x1), (y0, y1) = _scale(spec, "x"), _scale(spec, "y")
    w, h = spec["width"], spec["height"]

    def at(p: dict[str, Any]) -> tuple[float, float]:
        return (p["x"] - x0) / (x1 - x0) * w, (1 - (p["y"] - y0) / (y1 - y0)) * h

    points = spec["data"]["values"]
    named = [p for p in points if p["spot"] is not None]
    assert len(named) >= 5  # most reps are named; the rest are in the tooltip and the table
    for a, b in itertools.combinations(named, 2):
        assert math.dist(at(a), at(b)) >= 16, (a["name"], b["name"])
    # each name's box (6 px a character, 13 px high, beside its point) overlaps no other
    boxes = []
    for p in named:
        px, py = at(p)
        wd = 6 * len(p["name"])
        x, y = {"r": (px + 9, py - 6.5), "l": (px - 9 - wd, py - 6.5),
                "t": (px - wd / 2, py - 22), "b": (px - wd / 2, py + 9)}[p["spot"]]  # fmt: skip
        assert x >= 0 and x + wd <= w and y >= 0 and y + 13 <= h, p["name"]
        boxes.append((x, y, x + wd, y + 13))
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    # every point has a tooltip with the name, and a text layer per spot draws the names
    texts = [layer for layer in spec["layer"] if layer.get("transform", [{}])[0].get("filter", "")
             .startswith("datum.spot")]  # fmt: skip
    assert len(texts) == 4 and all(t["encoding"]["text"]["field"] == "name" for t in texts)


def test_a_reps_own_quadrant_shows_the_reference_lines_with_room(web: dict[str, Any]) -> None:
    spec = _specs(_get(web["clients"][REP], "/quadrant", window=WINDOW))[0]
    [point] = spec["data"]["values"]
    assert point["spot"] is not None  # their own name fits
    for channel in ("x", "y"):
        lo, hi = _scale(spec, channel)
        assert lo <= 0.5 and hi >= 1.5  # the line at 1 with half an index either side
        assert lo < point[channel] < hi or (lo == 0 == point[channel])


def test_clicking_a_rep_keeps_the_query_and_opens_their_diagnosis(web: dict[str, Any]) -> None:
    admin = web["clients"][ADMIN]
    html = _get(admin, "/quadrant", window=WINDOW, peers="own_team")
    points = _specs(html)[0]["data"]["values"]
    for p in points:
        assert p["href"] == f"/quadrant?window={WINDOW}&peers=own_team&rep={p['rep_id']}#diagnosis"
        assert (
            f'href="/quadrant?window={WINDOW}&amp;peers=own_team&amp;rep={p["rep_id"]}#diagnosis"'
            in html
        )
    assert 'id="diagnosis"' not in html
    lib = diagnose(web["store"], DiagnoseQuery(window=WINDOW, today=TODAY)).rep("R003")
    html = _get(admin, "/quadrant", window=WINDOW, peers="own_team", rep="R003")
    section = re.search(r'<section class="card diagnosis" id="diagnosis".*?</section>', html, re.S)
    assert section is not None and 'data-rep="R003"' in section.group(0)
    assert lib.name in section.group(0) and "Efficient" in section.group(0)
    assert lib.explanation.en.split(":")[1].strip()[:30] in section.group(0)
    data = _get(admin, "/api/quadrant", window=WINDOW, rep="R003")
    assert data["selected"] == "R003"
    rep = web["clients"][REP]
    assert rep.get("/quadrant", params={"window": WINDOW, "rep": "R003"}).status_code == 403
    assert admin.get("/api/quadrant", params={"window": WINDOW, "rep": "R001"}).status_code == 404


# -- the funnel ----------------------------------------------------------------------------
def _stage_rates(store: Store, q: Query) -> dict[str, float]:
    rates = run(store.con, q, store.settings.timezone).iloc[0]
    return {n: float(rates[n]) for n in q.metrics if rates[n] == rates[n]}


def test_the_funnels_counts_are_whole_numbers_and_its_weakest_step_is_marked(
    web: dict[str, Any],
) -> None:
    store = web["store"]
    names = tuple(f"stage_conversion:{a}>{b}" for a, b in itertools.pairwise(STEPS))
    for who, by, reps in ((ADMIN, By.ORG, None), (REP, By.REP, frozenset({REP_ID}))):
        client = web["clients"][who]
        row = _get(client, "/api/funnel", window=WINDOW)["funnel"]["rows"][0]
        rates = _stage_rates(store, Query(names, START, END, grain=Grain.ALL, by=by, reps=reps))
        lowest = min(rates, key=lambda n: (rates[n], names.index(n)))
        assert row["weakest"] == {"metric": lowest, "why": "lowest"}
        html = _get(client, "/funnel", window=WINDOW)
        spec = _specs(html)[0]
        bars = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
        axis = bars[0]["encoding"]["x"]["axis"]
        assert axis["format"] == "d" and axis["tickMinStep"] == 1
        assert [v["metric"] for v in spec["data"]["values"] if v["weak"]] == [lowest]
        assert f'data-weakest="{lowest.replace(">", "&gt;")}" data-why="lowest"' in html
    # the rep's diagnosis finds no pipeline step clearly below their team (their break is
    # an activity type), so their weakest step is their lowest conversion
    lib = diagnose(store, DiagnoseQuery(window=WINDOW, today=TODAY)).rep(REP_ID)
    assert lib.breaks_at is not None and lib.breaks_at.kind.value == "type"


def test_a_break_in_the_pipeline_is_the_weakest_step_before_the_lowest_rate() -> None:
    steps = [
        {"metric": "a", "rate": 0.2},
        {"metric": "b", "rate": 0.6},
        {"metric": "c", "rate": None},
    ]
    assert weakest_step(steps) == {"metric": "a", "why": "lowest"}
    brk = {"kind": "stage", "metric": "b"}
    assert weakest_step(steps, brk) == {"metric": "b", "why": "breaks"}
    assert weakest_step(steps, {"kind": "type", "metric": "type_to_win_rate:call"})["metric"] == "a"  # type: ignore[index]
    assert weakest_step(steps[1:]) is None  # one rate: nothing to compare


def _deals_at(store: Store, a: str, b: str, reps: frozenset[str]) -> dict[str, bool]:
    """Deals whose first entry into stage `a` falls in 2026-Q3 in the organisation's time zone,
    of `reps`, each with whether they entered `b` on or after it."""
    zone = ZoneInfo(store.settings.timezone)
    st = store.table("deal_stages").to_pandas()
    deals = store.table("deals").select("deal_id", "rep_id").to_pyarrow().to_pylist()
    owner = {r["deal_id"]: r["rep_id"] for r in deals}
    out = {}
    for deal, rows in st.groupby("deal_id"):
        first_a = rows[rows.stage == a].entered_at.min()
        if first_a != first_a or owner.get(deal) not in reps:
            continue
        local = first_a.to_pydatetime().replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        if not datetime(2026, 7, 1, tzinfo=zone) <= local < datetime(2026, 10, 1, tzinfo=zone):
            continue
        later_b = rows[rows.stage == b].entered_at.max()
        out[str(deal)] = bool(later_b == later_b and later_b >= first_a)
    return out


def test_a_step_drills_to_exactly_its_deals_in_the_viewers_view(web: dict[str, Any]) -> None:
    store, manager = web["store"], web["clients"][MANAGER]
    funnel = _get(manager, "/api/funnel", window=WINDOW)
    step = next(s for s in funnel["funnel"]["rows"][0]["steps"] if s["to"] == "proposal")
    data = _get(manager, "/api/funnel/deals", window=WINDOW, step="demo>proposal")
    expected = _deals_at(store, "demo", "proposal", T04)
    assert {d["deal_id"]: d["reached"] for d in data["deals"]} == expected
    assert data["entered"] == step["entered"] == len(expected)
    assert data["reached"] == step["converted"] == sum(expected.values())
    # the funnel's chart and table link each step to this page, with the page's query
    html = _get(manager, "/funnel", window=WINDOW, peers="own_team")
    spec = _specs(html)[0]
    link = f"/funnel/deals?window={WINDOW}&peers=own_team&step=demo%3Eproposal"
    assert next(v for v in spec["data"]["values"] if v["metric"] == step["metric"])["href"] == link
    assert f'href="{link.replace("&", "&amp;")}"' in html
    page = manager.get(link).text
    assert page.count("<tr data-deal=") == len(expected)
    # one rep's deals at the step, and a rep sees only their own
    rep_deals = _get(manager, "/api/funnel/deals", window=WINDOW, step="demo>proposal", rep="R010")
    assert {d["deal_id"] for d in rep_deals["deals"]} == set(
        _deals_at(store, "demo", "proposal", frozenset({"R010"}))
    )
    rep = web["clients"][REP]
    own = _get(rep, "/api/funnel/deals", window=WINDOW, step="demo>proposal")
    assert {d["deal_id"] for d in own["deals"]} == set(
        _deals_at(store, "demo", "proposal", frozenset({REP_ID}))
    )
    assert {d["rep_id"] for d in own["deals"]} <= {REP_ID}
    for params in ({"rep": "R003"}, {"team": "T04"}):
        r = rep.get(
            "/api/funnel/deals", params={"window": WINDOW, "step": "demo>proposal", **params}
        )
        assert r.status_code == 403, params
    assert (
        manager.get(
            "/api/funnel/deals", params={"step": "demo>proposal", "rep": "R003"}
        ).status_code
        == 403
    )
    r = manager.get("/api/funnel/deals", params={"window": WINDOW, "step": "demo>lunch"})
    assert r.status_code == 422 and "not a step of the pipeline" in r.json()["error"]


# -- the drivers ---------------------------------------------------------------------------
def test_the_drivers_speak_plainly_with_the_statistics_in_a_fold(web: dict[str, Any]) -> None:
    html = _get(web["nl"], "/drivers", team="T02", max_lag="4")
    fold = re.search(r'<details class="card how" id="how-computed">.*?</details>', html, re.S)
    assert fold is not None and "Hoe dit is berekend" in fold.group(0)
    assert "Holm" in fold.group(0)
    outside = html.replace(fold.group(0), "")
    for term in ("Cameron", "Holm", "SD", "sd)", "p-waarde"):
        assert term not in outside, term
    assert "Wat hier samengaat met gewonnen deals" in outside and "meer per week" in outside
    # the effects on a linear scale of percentage change, (exp(beta) - 1) x 100
    lib = drivers(web["store"], DriversQuery(team="T02", max_lag=4, today=TODAY))
    spec = next(s for s in _specs(html) if "change" in json.dumps(s["data"]))
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert points["encoding"]["x"]["scale"]["type"] == "linear"
    values = {v["type"]: v for v in spec["data"]["values"]}
    seen = set()
    for e in lib.fit.effects:
        beta = math.log(e.rate_ratio)
        shown = values[word(e.type, "nl")]
        assert shown["change"] == pytest.approx((math.exp(beta) - 1) * 100)
        assert shown["low"] == pytest.approx((e.low - 1) * 100)
        assert shown["high"] == pytest.approx((e.high - 1) * 100)
        seen.add(e.type)
        row = re.search(rf'<tr data-type="{e.type}"( data-clear="1")?>.*?</tr>', outside, re.S)
        assert row is not None and (row.group(1) is not None) is e.significant
        assert ("duidelijk" if e.significant else "kan toeval zijn") in row.group(0)
    assert len(seen) == len(values) >= 2
