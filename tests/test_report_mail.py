"""Sending the weekly report: each manager's mail, received by a local SMTP server (aiosmtpd)
and read back with the `email` package, holds the HTML report, its plain-text alternative and
the PDF (read back with pypdf), of their own teams only; the mail settings; users' e-mail
addresses and the migration that gives them one."""

from __future__ import annotations

import email
import email.policy
import io
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from salesperf.analysis.alerts.core import alerts_for_user
from salesperf.analysis.alerts.rules import Rule, RuleSetting
from salesperf.analysis.alerts.switches import save_rule_settings
from salesperf.auth.users import add_user, get_user, password_hasher, set_email
from salesperf.cli.app import app
from salesperf.errors import InputError
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import parse_period
from salesperf.scorecard import scorecard
from salesperf.server.report.mail import MailSettings, Tls, send_reports
from salesperf.store import Store
from salesperf.store.migrations import LATEST_VERSION
from salesperf.store.system_tables import USERS
from webtools import build_web_store

WEEK = "2026-W39"
SENDER = "reports@example.com"
runner = CliRunner()


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.content, policy=email.policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server on a free port, and what it received."""
    handler, port = Inbox(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The 12-rep demo organisation; its managers: jan.novak (the whole tree, T00) and
    vera.schmidt (DACH, T02), who reads Dutch and has her own address; a manager without one."""
    path = build_web_store(tmp_path_factory.mktemp("mail") / "store.duckdb")
    with Store.open(path) as s:
        set_email(s, "vera.schmidt", "Vera@DACH.example")
        s.update_rows(USERS, {"lang": "nl"}, {"username": "vera.schmidt"})
        add_user(s, "no.address", "password1", "manager", team_id="T04",
                 hasher=password_hasher(cheap=True))  # fmt: skip
    store = Store.open(path)
    yield store
    store.close()


def _parts(msg: EmailMessage) -> tuple[str, str, bytes]:
    html = msg.get_body(preferencelist=("html",))
    text = msg.get_body(preferencelist=("plain",))
    assert html is not None and text is not None
    pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    return html.get_content(), text.get_content(), pdfs[0].get_content()


def _pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.mark.slow
def test_each_manager_gets_their_own_teams_report(web: Store, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    settings = MailSettings(host="127.0.0.1", port=port, tls=Tls.NONE, sender=SENDER)
    mails = send_reports(web, parse_period(WEEK), settings)
    skipped = {m.username: m.skipped for m in mails if m.message is None}
    assert skipped == {"no.address": "no e-mail address"}
    got = {str(m["To"]): m for m in handler.messages()}
    assert set(got) == {"Vera@dach.example", "jan.novak@nimbus-analytics.example"}
    assert [e.rcpt_tos for e in handler.envelopes if "dach" in e.rcpt_tos[0]] == [
        ["Vera@dach.example"]
    ]

    vera = got["Vera@dach.example"]
    assert vera["Subject"] == "Weekrapport DACH, week 39 2026"
    assert vera["From"] == SENDER
    html, text, pdf = _parts(vera)
    # DACH's revenue in the week, from the scorecard, as the Dutch report writes it
    card = scorecard(web, by="team", period=WEEK, teams=frozenset({"T02"}),
                     metrics=("revenue_won",))  # fmt: skip
    revenue = fmt.money(card.rows[0].cells["revenue_won"].value, "nl", "EUR")
    assert revenue == "€\xa05.900"
    assert "<h1>Weekrapport: DACH, week 39 2026</h1>" in html and revenue in html
    assert text.startswith("Je weekrapport staat hieronder") and revenue in text
    in_pdf = _pdf_text(pdf)
    assert "Weekrapport: DACH" in in_pdf and "5.900" in in_pdf
    # nothing of Benelux (T01, T03) in any part of Vera's mail
    reps = web.table("reps").select("rep_id", "name", "team_id").to_pandas()
    outside = reps[~reps.team_id.isin(["T02", "T04"])]
    for part in (html, text, in_pdf):
        assert "Benelux" not in part
        for name in outside.name:
            assert name not in part, name

    jan = got["jan.novak@nimbus-analytics.example"]
    assert jan["Subject"] == "Weekly report Nimbus Analytics, Week 39 2026"
    assert "Benelux" in _parts(jan)[0]  # his tree holds both regions


@pytest.mark.slow
def test_send_dry_run_sends_nothing(web: Store, inbox: tuple[Inbox, int],
                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    handler, port = inbox
    monkeypatch.setenv("SALESPERF_MAIL_FROM", SENDER)
    monkeypatch.setenv("SALESPERF_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SALESPERF_SMTP_PORT", str(port))
    monkeypatch.setenv("SALESPERF_SMTP_TLS", "none")
    monkeypatch.setenv("SALESPERF_SMTP_PASSWORD", "s3cret-never-shown")
    args = ["report", "send", "--store", web.url, "--week", WEEK]
    result = runner.invoke(app, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "vera.schmidt <Vera@dach.example>: Weekrapport DACH, week 39 2026 (would send)" in (
        result.output
    )
    assert "no.address: skipped (no e-mail address)" in result.output
    assert handler.envelopes == []
    assert "s3cret" not in result.output


def test_settings_from_the_environment() -> None:
    env = {"SALESPERF_SMTP_HOST": "mail.example.com", "SALESPERF_MAIL_FROM": SENDER,
           "SALESPERF_SMTP_USER": "u", "SALESPERF_SMTP_PASSWORD": "s3cret"}  # fmt: skip
    s = MailSettings.from_env(env)
    assert (s.host, s.port, s.tls, s.user, s.password) == (
        "mail.example.com",
        587,
        Tls.STARTTLS,
        "u",
        "s3cret",
    )
    assert "s3cret" not in repr(s)
    assert MailSettings.from_env({**env, "SALESPERF_SMTP_TLS": "SSL"}).port == 465
    assert MailSettings.from_env({**env, "SALESPERF_SMTP_PORT": "2525"}).port == 2525


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"SALESPERF_SMTP_HOST": ""}, "SALESPERF_SMTP_HOST"),
        ({"SALESPERF_MAIL_FROM": ""}, "SALESPERF_MAIL_FROM"),
        ({"SALESPERF_MAIL_FROM": "not an address"}, "not an e-mail address"),
        ({"SALESPERF_SMTP_TLS": "tls1.3"}, "none, starttls or ssl"),
        ({"SALESPERF_SMTP_PORT": "99999"}, "port number"),
    ],
)
def test_bad_settings(change: dict[str, str], said: str) -> None:
    env = {"SALESPERF_SMTP_HOST": "mail.example.com", "SALESPERF_MAIL_FROM": SENDER}
    with pytest.raises(InputError, match=said):
        MailSettings.from_env({**env, **change})


@pytest.mark.slow  # one manager's report is made (its PDF) before the server is tried
def test_an_unreachable_mail_server_is_a_clear_error(web: Store) -> None:
    settings = MailSettings(host="127.0.0.1", port=_free_port(), tls=Tls.NONE, sender=SENDER)
    vera = get_user(web, "vera.schmidt")
    assert vera is not None
    with pytest.raises(InputError, match="could not send the reports"):
        send_reports(web, parse_period(WEEK), settings, send=_refuse, users=[vera])


def _refuse(settings: MailSettings, messages: list[EmailMessage]) -> None:
    raise ConnectionRefusedError(111, "Connection refused")


# -- users' addresses ---------------------------------------------------------------------
def test_a_store_of_version_7_gets_the_address_column(tmp_path: Path) -> None:
    path = tmp_path / "v7.duckdb"
    with Store.open(path, target_version=7) as s:
        s._exec(f"ALTER TABLE {USERS} DROP COLUMN IF EXISTS email")  # as version 7 made it
        s._exec(
            f"INSERT INTO {USERS} (username, password_hash, role, created_at, disabled) "
            "VALUES ('old', 'x', 'admin', TIMESTAMP '2026-01-01 00:00:00', false)"
        )
    with Store.open(path) as s:
        assert s.schema_version == LATEST_VERSION
        user = get_user(s, "old")
        assert user is not None and user.email is None
        assert set_email(s, "old", " old@Example.COM ").email == "old@example.com"
        assert get_user(s, "old").email == "old@example.com"  # type: ignore[union-attr]
        assert set_email(s, "old", "").email is None


@pytest.mark.parametrize("address", ["no-at-sign", "two@@example.com", "a b@example.com",
                                     "x@localhost", "x@example.com, y@example.com"])  # fmt: skip
def test_a_bad_address_is_refused(empty_store: Store, address: str) -> None:
    add_user(empty_store, "ann", "password1", "admin", hasher=password_hasher(cheap=True))
    with pytest.raises(InputError, match="not an e-mail address"):
        set_email(empty_store, "ann", address)


def test_users_set_email_command(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store.open(path) as s:
        add_user(s, "ann", "password1", "admin", hasher=password_hasher(cheap=True))
    result = runner.invoke(
        app, ["users", "set-email", "ann", "ann@example.com", "--store", str(path)]
    )
    assert result.exit_code == 0 and "now ann@example.com" in result.output
    listed = runner.invoke(app, ["users", "list", "--store", str(path)])
    assert "ann@example.com" in listed.output
    bad = runner.invoke(app, ["users", "set-email", "ann", "nope", "--store", str(path)])
    assert bad.exit_code == 2 and "not an e-mail address" in bad.output


@pytest.mark.slow
def test_a_managers_mail_carries_her_own_alerts(web: Store, inbox: tuple[Inbox, int]) -> None:
    """Vera switched on the rule for reps newly busy but not effective: her report carries those
    alerts (the rule's own tests check whom it finds), in Dutch, only reps of her own teams; Jan,
    with no rule on, gets no alerts section."""
    handler, port = inbox
    week = parse_period(WEEK)
    save_rule_settings(web, "vera.schmidt", [RuleSetting(Rule.NEWLY_BUSY, True)])
    try:
        vera = get_user(web, "vera.schmidt")
        assert vera is not None
        found = alerts_for_user(web, vera, week.end).alerts
        settings = MailSettings(host="127.0.0.1", port=port, tls=Tls.NONE, sender=SENDER)
        send_reports(web, week, settings)
    finally:
        save_rule_settings(web, "vera.schmidt", [RuleSetting(Rule.NEWLY_BUSY, False)])
    got = {str(m["To"]): m for m in handler.messages()}
    vera_html, vera_text, _ = _parts(got["Vera@dach.example"])
    jan_html, jan_text, _ = _parts(got["jan.novak@nimbus-analytics.example"])

    reps = web.table("reps").select("rep_id", "team_id").to_pandas()
    dach = set(reps[reps.team_id.isin(["T02", "T04"])].rep_id)
    assert found and {a.rule for a in found} == {Rule.NEWLY_BUSY}
    assert {a.rep_id for a in found} <= dach  # her scope only
    assert "Signalen" in vera_html and "Signalen" in vera_text
    for a in found:
        assert a.text.nl in vera_text, a.text.nl
    assert "Alerts" not in jan_html and "Alerts" not in jan_text
