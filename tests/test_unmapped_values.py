"""Status, type and outcome values that no rule maps stop an import before anything is written,
listed with their counts and suggestions; `--accept-suggested` takes the suggestions and the
figures are then those of an independent computation."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from salesperf.cli.app import app
from salesperf.ingest.importer import import_file
from salesperf.ingest.vocab import UnmappedValues, suggest
from salesperf.metrics.compiler import run
from salesperf.metrics.query import By, Grain, Query
from salesperf.store import Store
from webtools import ADMIN, app_for, build_web_store, client_for

Writer = Callable[..., Path]

# a consultancy's HubSpot pipeline, its closing stages renamed
DEALS = (
    "Record ID,Deal owner,Deal Stage,Amount,Create Date,Close Date\n"
    "1,R1,Closed: won,1000,2025-01-06,2025-02-03\n"
    "2,R1,Closed: won,500,2025-01-07,2025-02-10\n"
    "3,R2,Closed: won,250,2025-01-08,2025-03-03\n"
    "4,R1,Closed: lost,900,2025-01-08,2025-02-20\n"
    "5,R2,Closed: abandoned,300,2025-01-09,2025-03-10\n"
    "6,R2,On hold / future opportunity,800,2025-01-10,2025-06-30\n"
    "7,R1,Awaiting procurement,650,2025-01-10,2025-04-30\n"
    "8,R1,Awaiting procurement,150,2025-01-12,2025-04-30\n"
)
MAPS = (
    "Record ID=deal_id", "Deal owner=rep_id", "Deal Stage=status", "Deal Stage=stage",
    "Amount=amount", "Create Date=created_at", "Close Date=closed_at",
)  # fmt: skip


def expected(text: str) -> dict[str, float]:
    """Revenue won, deals won and lost and the win rate by the rules written out in pandas."""
    df = pd.read_csv(pd.io.common.StringIO(text))
    won = df["Deal Stage"].str.lower().str.contains("won")
    lost = df["Deal Stage"].str.lower().str.contains("lost|abandoned")
    return {
        "revenue_won": float(df.loc[won, "Amount"].sum()),
        "deals_won": float(won.sum()),
        "deals_lost": float(lost.sum()),
        "win_rate": float(won.sum() / (won.sum() + lost.sum())),
    }


def figures(store: Store) -> dict[str, float]:
    q = Query(
        metrics=("revenue_won", "deals_won", "deals_lost", "win_rate"),
        start=pd.Timestamp("2025-01-01").date(),
        end=pd.Timestamp("2026-01-01").date(),
        grain=Grain.ALL,
        by=By.ORG,
    )
    df = run(store.con, q, store.settings.timezone)
    assert len(df) == 1, df
    row = df.iloc[0]
    return {k: float(row[k]) for k in ("revenue_won", "deals_won", "deals_lost", "win_rate")}


def test_unmapped_closing_stages_stop_the_import_with_counts_and_suggestions(
    store: Store, write: Writer
) -> None:
    path = write("hubspot.csv", DEALS)
    with pytest.raises(UnmappedValues) as caught:
        import_file(store, "deals", path, maps=MAPS)
    found = {(u.value, u.rows, u.suggestion) for u in caught.value.found}
    assert found == {
        ("Closed: won", 3, "won"),
        ("Closed: lost", 1, "lost"),
        ("Closed: abandoned", 1, "lost"),
        ("On hold / future opportunity", 1, "open"),
        ("Awaiting procurement", 2, "open"),
    }
    text = str(caught.value)
    assert "'Deal Stage' has 5 values that no rule maps to a status" in text
    assert "'Awaiting procurement': 2 rows (suggested: open)" in text
    assert "--accept-suggested" in text
    assert '[values.status]\n  "Closed: won" = "won"' in text
    assert store.count("deals") == 0  # nothing written


@pytest.mark.slow
def test_accepting_the_suggestions_gives_the_independent_figures(
    store: Store, write: Writer
) -> None:
    result = import_file(store, "deals", write("hubspot.csv", DEALS), maps=MAPS,
                         accept_suggested=True)  # fmt: skip
    assert (result.inserted, result.rejected) == (8, 0)
    assert ("status", "Closed: abandoned", "lost", 1) in result.suggested
    assert figures(store) == pytest.approx(expected(DEALS))
    stored = store.table("deals").execute().set_index("deal_id")
    assert stored.loc["6", "status"] == "open" and stored.loc["6", "stage"] == (
        "On hold / future opportunity"
    )


@pytest.mark.slow
def test_the_printed_lines_accept_it_as_a_mapping_file(
    store: Store, write: Writer, tmp_path: Path
) -> None:
    """The TOML the message prints, put in a file, imports the same figures."""
    path = write("hubspot.csv", DEALS)
    with pytest.raises(UnmappedValues) as caught:
        import_file(store, "deals", path, maps=MAPS)
    lines = re.findall(r"^  (\[values\.status\]|\".*\" = \".*\")$", str(caught.value), re.M)
    mapping = write("m.toml", 'table = "deals"\n' + "\n".join(lines) + "\n")
    result = import_file(store, "deals", path, maps=MAPS, mapping_file=mapping)
    assert result.inserted == 8
    assert figures(store) == pytest.approx(expected(DEALS))


@pytest.mark.slow
def test_a_mapping_that_says_what_to_do_with_the_rest_is_obeyed(
    store: Store, write: Writer
) -> None:
    mapping = write(
        "m.toml",
        'table = "deals"\n[values.status]\n"Closed: won" = "won"\n"Closed: lost" = "lost"\n'
        '"Closed: abandoned" = "lost"\n"*" = "open"\n',
    )
    result = import_file(store, "deals", write("d.csv", DEALS), maps=MAPS, mapping_file=mapping)
    assert result.inserted == 8 and result.suggested == ()
    assert figures(store) == pytest.approx(expected(DEALS))


def test_a_type_map_without_a_default_stops_on_the_rest(store: Store, write: Writer) -> None:
    mapping = write("m.toml", 'table = "activities"\n[values.type]\n"Phone" = "call"\n')
    acts = write(
        "a.csv",
        "activity_id,rep_id,type,occurred_at\nA1,R1,Phone,2025-01-06 10:00\n"
        "A2,R1,Bezoek klant,2025-01-06 11:00\nA3,R1,Bezoek klant,2025-01-07 11:00\n",
    )
    with pytest.raises(UnmappedValues) as caught:
        import_file(store, "activities", acts, mapping_file=mapping)
    assert [(u.column, u.value, u.rows, u.suggestion) for u in caught.value.found] == [
        ("type", "Bezoek klant", 2, "meeting")
    ]
    result = import_file(store, "activities", acts, mapping_file=mapping, accept_suggested=True)
    assert result.inserted == 3
    types = store.table("activities").execute().set_index("activity_id")["type"].to_dict()
    assert types == {"A1": "call", "A2": "meeting", "A3": "meeting"}


@pytest.mark.parametrize(
    ("column", "value", "word"),
    [
        ("status", "Closed Won", "won"),
        ("status", "Gewonnen", "won"),
        ("status", "Verloren", "lost"),
        ("status", "Closed-Lost to Competition", "lost"),
        ("status", "Contract Sent", "open"),
        ("type", "Outbound call", "call"),
        ("type", "E-mail", "email"),
        ("outcome", "Geen gehoor", "no_answer"),
        ("source", "Website form", "inbound"),
    ],
)
def test_suggestions(column: str, value: str, word: str) -> None:
    assert suggest(column, value) == word


@pytest.mark.slow
def test_the_command_line_stops_then_accepts(store: Store, write: Writer) -> None:
    path = write("hubspot.csv", DEALS)
    args = ["import", "deals", str(path), "--store", str(store.path)]
    for m in MAPS:
        args += ["--map", m]
    store.close()
    runner = CliRunner()
    stopped = runner.invoke(app, args)
    assert stopped.exit_code == 2
    assert "no rule maps to a status" in stopped.output
    assert "'Closed: abandoned': 1 row (suggested: lost)" in stopped.output
    done = runner.invoke(app, [*args, "--accept-suggested"])
    assert done.exit_code == 0, done.output
    assert "status: 'Closed: abandoned' → lost (1)" in done.output
    with Store.open(store.path) as s:
        assert figures(s) == pytest.approx(expected(DEALS))


@pytest.mark.slow
def test_the_api_lists_the_values_and_imports_when_told_to_accept(tmp_path: Path) -> None:
    path = build_web_store(tmp_path / "store.duckdb")
    client, csrf = client_for(app_for(path), ADMIN)
    with Store.open(path) as s:
        reps = s.table("reps").execute().rep_id.tolist()[:2]
    text = DEALS.replace(",R1,", f",{reps[0]},").replace(",R2,", f",{reps[1]},")
    text = "\n".join(
        line.replace(line.split(",")[0], f"U{line.split(',')[0]}", 1) if i else line
        for i, line in enumerate(text.splitlines())
    )
    form: dict[str, Any] = {"map": list(MAPS)}
    files = {"file": ("hubspot.csv", text.encode(), "text/csv")}
    headers = {"x-csrf-token": csrf or ""}
    r = client.post("/api/import/deals", files=files, data=form, headers=headers)
    assert r.status_code == 422, r.text
    unmapped = {(u["value"], u["rows"], u["suggestion"]) for u in r.json()["unmapped"]}
    assert ("Closed: abandoned", 1, "lost") in unmapped and len(unmapped) == 5
    r = client.post(
        "/api/import/deals", files=files, data={**form, "accept_suggested": "true"},
        headers=headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["inserted"], got["rejected"]) == (8, 0)
    assert ["status", "Awaiting procurement", "open", 2] in got["suggested"]
    with Store.open(path) as s:
        d = s.table("deals").execute()
        mine = d[d.deal_id.str.startswith("U")]
        assert sorted(mine.status) == sorted(["won"] * 3 + ["lost"] * 2 + ["open"] * 3)


@pytest.mark.slow
def test_the_web_preview_lists_the_values_and_the_result_what_it_took(tmp_path: Path) -> None:
    """The import page's preview lists the values no rule maps with a check box; run with it,
    the result page says what was taken, and lists owners that are no known rep once each."""
    path = build_web_store(tmp_path / "store.duckdb")
    client, csrf = client_for(app_for(path), ADMIN)
    with Store.open(path) as s:
        rep = s.table("reps").execute().rep_id.tolist()[0]
    text = DEALS.replace(",R1,", f",{rep},").replace(",R2,", ",Ghost Owner,")
    text = "\n".join(
        line.replace(line.split(",")[0], f"W{line.split(',')[0]}", 1) if i else line
        for i, line in enumerate(text.splitlines())
    )
    form = {"csrf_token": csrf or "", "table": "deals", "preset": "generic",
            "maps": "\n".join(MAPS)}  # fmt: skip
    shown = client.post("/import/preview", data=form,
                        files={"file": ("h.csv", text.encode(), "text/csv")})  # fmt: skip
    assert shown.status_code == 200, shown.text[:400]
    assert 'id="unmapped"' in shown.text and "Closed: abandoned" in shown.text
    assert 'name="accept_suggested"' in shown.text
    token = re.search(r'name="upload" value="([^"]+)"', shown.text)
    assert token
    done = client.post(
        "/import/run", data={**form, "upload": token.group(1), "accept_suggested": "true"}
    )
    assert done.status_code == 200, done.text[:400]
    assert 'id="suggested"' in done.text and "Closed: abandoned → lost" in done.text
    assert 'id="unknown-owners"' in done.text and "Ghost Owner" in done.text
    assert "data-line=" not in done.text  # the ghost's rows are not listed again one by one
    assert 'data-count="rejected">3<' in done.text  # the ghost's three deals, kept
