"""The four public data sets, imported through their example mappings as a user would.

Every expected figure is computed here straight from the raw files with the csv module, never
from the product, and compared with what the import stored.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

from salesperf.ingest.importer import ImportResult, import_file
from salesperf.metrics.periods import date_only
from salesperf.store import Store

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
EXAMPLES = ROOT / "examples"

pytestmark = pytest.mark.realdata


def data_file(folder: str, name: str) -> Path:
    """A file of the public data sets, or a skip that says what is missing."""
    if not DATA.is_dir():
        pytest.skip(f"the public data sets are not at {DATA}")
    path = DATA / folder / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {DATA / folder}")
    return path


def read_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    """A raw file's rows as text, as the csv module reads them."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def import_steps(
    store: Store, tmp_path: Path, example: str, steps: list[tuple[str, str, Path]]
) -> dict[str, ImportResult]:
    """Run `salesperf import TABLE FILE --mapping examples/EXAMPLE/STEP.toml` for each step."""
    results = {}
    for step, table, path in steps:
        results[step] = import_file(
            store,
            table,
            path,
            mapping_file=EXAMPLES / example / f"{step}.toml",
            rejects_path=tmp_path / f"{step}.rejects.csv",
        )
    return results


def counts(result: ImportResult) -> tuple[int, int, int]:
    """(rows read, rows accepted, rows rejected)."""
    return result.rows_read, result.accepted, result.rejected


def table(store: Store, name: str) -> pd.DataFrame:
    return store.table(name).execute()


@pytest.mark.slow
def test_maven_crm(tmp_path: Path) -> None:
    folder = "maven_crm_sales_opportunities"
    teams_csv = data_file(folder, "sales_teams.csv")
    accounts_csv = data_file(folder, "accounts.csv")
    pipeline_csv = data_file(folder, "sales_pipeline.csv")
    agents = read_rows(teams_csv)
    accounts = read_rows(accounts_csv)
    pipeline = read_rows(pipeline_csv)
    assert (len(agents), len(accounts), len(pipeline)) == (35, 85, 8800)

    store = Store.open(tmp_path / "s.duckdb")
    r = import_steps(
        store,
        tmp_path,
        "maven_crm",
        [
            ("1-teams-org", "teams", teams_csv),
            ("2-teams-offices", "teams", teams_csv),
            ("3-teams-managers", "teams", teams_csv),
            ("4-reps-managers", "reps", teams_csv),
            ("5-reps-agents", "reps", teams_csv),
            ("6-accounts", "accounts", accounts_csv),
            ("7-deals", "deals", pipeline_csv),
            ("8-deal_stages-engaging", "deal_stages", pipeline_csv),
            ("9-deal_stages-closing", "deal_stages", pipeline_csv),
        ],
    )

    # the team tree: org > regional offices > managers' teams; agents in their manager's team
    offices = {a["regional_office"] for a in agents}
    office_of_manager = {a["manager"]: a["regional_office"] for a in agents}
    teams = table(store, "teams").set_index("team_id")
    assert len(teams) == 1 + len(offices) + len(office_of_manager) == 10
    assert pd.isna(teams.loc["maventech", "parent_team_id"])
    assert {o: teams.loc[o, "parent_team_id"] for o in offices} == dict.fromkeys(
        offices, "maventech"
    )
    assert {m: teams.loc[m, "parent_team_id"] for m in office_of_manager} == office_of_manager
    assert {m: teams.loc[m, "manager_rep_id"] for m in office_of_manager} == {
        m: m for m in office_of_manager
    }
    reps = table(store, "reps").set_index("rep_id")
    assert counts(r["5-reps-agents"]) == (35, 35, 0)
    assert len(reps) == len(agents) + len(office_of_manager) == 41
    assert reps["team_id"].to_dict() == {
        **{a["sales_agent"]: a["manager"] for a in agents},
        **{m: m for m in office_of_manager},
    }
    assert Counter(reps["role"]) == {"rep": 35, "manager": 6}

    # accounts, with the sector typo read as "technology"
    assert counts(r["6-accounts"]) == (85, 85, 0)
    segments = table(store, "accounts").set_index("account_id")["segment"].to_dict()
    assert segments == {
        a["account"]: a["sector"].replace("technolgy", "technology") for a in accounts
    }

    # deals: the Prospecting rows have no engage date, hence no created_at, and are rejected
    no_engage = {line for line, row in enumerate(pipeline, start=2) if not row["engage_date"]}
    assert {pipeline[line - 2]["deal_stage"] for line in no_engage} == {"Prospecting"}
    assert (
        counts(r["7-deals"])
        == (8800, 8800 - len(no_engage), len(no_engage))
        == (
            8800,
            8300,
            500,
        )
    )
    assert {(p.line, p.column, p.rule) for p in r["7-deals"].problems} == {
        (line, "created_at", "required") for line in no_engage
    }
    deals = table(store, "deals").set_index("deal_id")
    raw = {row["opportunity_id"]: row for row in pipeline if row["engage_date"]}
    assert set(deals.index) == set(raw)
    status = {"Won": "won", "Lost": "lost", "Engaging": "open"}
    assert deals["status"].to_dict() == {k: status[v["deal_stage"]] for k, v in raw.items()}
    assert deals["stage"].to_dict() == {k: v["deal_stage"] for k, v in raw.items()}
    assert deals["rep_id"].to_dict() == {k: v["sales_agent"] for k, v in raw.items()}
    assert deals["created_at"].to_dict() == {
        k: date_only(pd.Timestamp(v["engage_date"]).date()) for k, v in raw.items()
    }
    closed = {k: v for k, v in raw.items() if v["close_date"]}
    assert deals["closed_at"].dropna().to_dict() == {
        k: date_only(pd.Timestamp(v["close_date"]).date()) for k, v in closed.items()
    }
    assert deals["amount"].dropna().to_dict() == {
        k: float(v["close_value"]) for k, v in closed.items()
    }
    assert (deals.loc[deals["status"] == "lost", "amount"] == 0).all()
    assert deals["account_id"].dropna().to_dict() == {
        k: v["account"] for k, v in raw.items() if v["account"]
    }

    # won deals and their value per regional office, through the team tree
    office_of_agent = {a["sales_agent"]: a["regional_office"] for a in agents}
    expected: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for row in pipeline:
        if row["deal_stage"] == "Won":
            expected[office_of_agent[row["sales_agent"]]][0] += 1
            expected[office_of_agent[row["sales_agent"]]][1] += int(row["close_value"])
    won = (
        deals[deals["status"] == "won"]
        .join(reps["team_id"], on="rep_id")
        .join(teams["parent_team_id"].rename("office"), on="team_id")
    )
    by_office = won.groupby("office")["amount"].agg(["size", "sum"])
    assert {o: [int(n), float(s)] for o, (n, s) in by_office.iterrows()} == expected
    assert sum(n for n, _ in expected.values()) == 4238

    # stage history: Engaging for every deal with an engage date, Won/Lost for closed deals
    assert counts(r["8-deal_stages-engaging"]) == (8800, 8300, 500)
    assert counts(r["9-deal_stages-closing"]) == (8800, len(closed), 8800 - len(closed))
    assert {p.rule for p in r["9-deal_stages-closing"].problems} == {"required"}
    stages = table(store, "deal_stages")
    assert Counter(stages["stage"]) == {
        "Engaging": 8300,
        **Counter(v["deal_stage"] for v in closed.values()),
    }

    # importing the same file again changes nothing
    again = import_steps(store, tmp_path, "maven_crm", [("7-deals", "deals", pipeline_csv)])
    assert (again["7-deals"].inserted, again["7-deals"].updated) == (0, 0)
    assert again["7-deals"].unchanged == 8300
    store.close()


@pytest.mark.slow
def test_olist_funnel(tmp_path: Path) -> None:
    folder = "olist_marketing_funnel"
    closed_csv = data_file(folder, "olist_closed_deals_dataset.csv")
    mql_csv = data_file(folder, "olist_marketing_qualified_leads_dataset.csv")
    closed = read_rows(closed_csv)
    mqls = read_rows(mql_csv)
    assert (len(closed), len(mqls)) == (842, 8000)

    store = Store.open(tmp_path / "s.duckdb")
    r = import_steps(
        store,
        tmp_path,
        "olist_funnel",
        [
            ("1-teams", "teams", closed_csv),
            ("2-reps-sdr", "reps", closed_csv),
            ("3-reps-sr", "reps", closed_csv),
            ("4-accounts", "accounts", closed_csv),
            ("5-leads", "leads", mql_csv),
            ("6-deals", "deals", closed_csv),
        ],
    )
    assert all(result.rejected == 0 for result in r.values())

    # reps: SDRs and closers, 13 of whom are both
    sdrs = {row["sdr_id"] for row in closed}
    closers = {row["sr_id"] for row in closed}
    assert (len(sdrs), len(closers), len(sdrs & closers)) == (32, 22, 13)
    assert r["2-reps-sdr"].inserted == len(sdrs)
    assert (r["3-reps-sr"].inserted, r["3-reps-sr"].unchanged) == (
        len(closers - sdrs),
        len(sdrs & closers),
    )
    assert set(table(store, "reps")["rep_id"]) == sdrs | closers
    assert table(store, "teams")["team_id"].tolist() == ["olist"]

    # leads: one per MQL, created and qualified on the first contact date
    assert counts(r["5-leads"]) == (8000, 8000, 0)
    leads = table(store, "leads").set_index("lead_id")
    assert leads["created_at"].to_dict() == {
        row["mql_id"]: date_only(pd.Timestamp(row["first_contact_date"]).date()) for row in mqls
    }
    assert (leads["qualified_at"] == leads["created_at"]).all()
    origins = Counter(row["origin"] for row in mqls)
    sources = Counter(leads["source"].fillna(""))
    assert sources["social"] == origins["social"]
    assert sources["referral"] == origins["referral"]
    assert sources["other"] == origins["unknown"] + origins["other"]
    assert sources[""] == origins[""] == 60

    # deals: every closed deal is won, owned by its closer, worth the declared monthly revenue
    assert counts(r["6-deals"]) == (842, 842, 0)
    deals = table(store, "deals").set_index("deal_id")
    assert set(deals["status"]) == {"won"}
    assert deals["amount"].sum() == pytest.approx(
        sum(float(row["declared_monthly_revenue"]) for row in closed)
    )
    assert Counter(deals["rep_id"]) == Counter(row["sr_id"] for row in closed)
    assert deals["closed_at"].to_dict() == {
        row["mql_id"]: pd.Timestamp(row["won_date"]) for row in closed
    }
    assert (deals["created_at"] == deals["closed_at"]).all()
    assert deals["account_id"].to_dict() == {row["mql_id"]: row["seller_id"] for row in closed}
    # a deal's id is its lead's id: lead-to-win times join on it
    assert set(deals.index) <= set(leads.index)
    accounts = table(store, "accounts").set_index("account_id")
    assert len(accounts) == 842
    assert accounts["segment"].dropna().to_dict() == {
        row["seller_id"]: row["business_segment"] for row in closed if row["business_segment"]
    }
    store.close()


@pytest.mark.slow
def test_uci_bank_marketing(tmp_path: Path) -> None:
    bank_csv = data_file("uci_bank_marketing", "bank-full.csv")
    clients_csv = bank_csv
    raw = read_rows(bank_csv, delimiter=";")
    assert len(raw) == 45211

    store = Store.open(tmp_path / "s.duckdb")
    r = import_steps(
        store,
        tmp_path,
        "uci_bank_marketing",
        [
            ("1-teams", "teams", clients_csv),
            ("2-reps", "reps", clients_csv),
            ("3-leads", "leads", clients_csv),
            ("4-deals", "deals", clients_csv),
            ("5-activities", "activities", clients_csv),
        ],
    )
    assert counts(r["1-teams"]) == (1, 1, 0)
    assert counts(r["2-reps"]) == (1, 1, 0)
    for step in ("3-leads", "4-deals", "5-activities"):
        assert counts(r[step]) == (45211, 45211, 0), step

    # one lead per client; each client's subscription is a won deal, a refusal a lost one
    assert store.count("leads") == len(raw)
    deals = table(store, "deals").set_index("deal_id")
    expected = {str(n): "won" if row["y"] == "yes" else "lost" for n, row in enumerate(raw, 1)}
    assert deals["status"].to_dict() == expected
    assert Counter(deals["status"]) == {"won": 5289, "lost": 39922}
    assert deals["amount"].isna().all()

    # the last call of the campaign to each client, linked to its lead and deal
    calls = table(store, "activities")
    assert set(calls["type"]) == {"call"}
    assert (calls["activity_id"] == calls["lead_id"]).all()
    assert (calls["activity_id"] == calls["deal_id"]).all()
    assert calls["duration_min"].isna().all()
    assert set(calls["rep_id"]) == {"call-centre"}
    assert set(calls["occurred_at"]) == {date_only(pd.Timestamp("2008-05-01").date())}
    store.close()


@pytest.mark.slow
def test_xeducation_leads(tmp_path: Path) -> None:
    leads_csv = data_file("xeducation_leads", "Leads.csv")
    raw = read_rows(leads_csv)
    assert len(raw) == 9240

    store = Store.open(tmp_path / "s.duckdb")
    r = import_steps(
        store,
        tmp_path,
        "xeducation_leads",
        [
            ("1-teams", "teams", leads_csv),
            ("2-reps", "reps", leads_csv),
            ("3-leads", "leads", leads_csv),
            ("4-deals", "deals", leads_csv),
        ],
    )
    assert counts(r["3-leads"]) == (9240, 9240, 0)
    assert counts(r["4-deals"]) == (9240, 9240, 0)

    leads = table(store, "leads").set_index("lead_id")
    assert set(leads.index) == {row["Prospect ID"] for row in raw}
    assert (leads["deal_id"] == leads.index).all()
    given = Counter(row["Lead Source"] for row in raw)
    sources = Counter(leads["source"].fillna(""))
    assert sources["referral"] == given["Reference"] + given["Referral Sites"]
    assert sources["social"] == given["Facebook"] + given["Social Media"] + given["youtubechannel"]
    assert sources[""] == given[""] == 36

    # conversions: Converted = 1 is a won deal
    deals = table(store, "deals").set_index("deal_id")
    assert deals["status"].to_dict() == {
        row["Prospect ID"]: "won" if row["Converted"] == "1" else "lost" for row in raw
    }
    converted = sum(row["Converted"] == "1" for row in raw)
    assert Counter(deals["status"]) == {"won": converted, "lost": len(raw) - converted}
    assert converted == 3561
    store.close()
