"""The sync's HTTP client and credentials: dlt's retries of 429 (honouring Retry-After) and 5xx
answers, failed answers turned into errors that say what to do, credentials read from the
environment or a settings file and never shown; and the command's refusals."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from salesperf.cli.app import app
from salesperf.store import Store
from salesperf.sync.http import Retries, SyncFailed, rest_client
from salesperf.sync.model import SyncRefused, refused
from salesperf.sync.vendors import Credential, Vendor, credentials
from salesperf.text import Lang

QUICK = Retries(attempts=4, backoff=0.01, max_wait=3)


def answers(*replies: tuple[int, dict[str, str], str]) -> tuple[list[float], object]:
    """A handler giving `replies` in turn (the last one again after), and the times it was asked."""
    asked: list[float] = []

    def handler(request: Request) -> Response:
        asked.append(time.monotonic())
        status, headers, body = replies[min(len(asked), len(replies)) - 1]
        return Response(body, status=status, headers=headers, content_type="application/json")

    return asked, handler


def test_a_429_is_retried_after_the_time_retry_after_asks(httpserver: HTTPServer) -> None:
    asked, handler = answers((429, {"Retry-After": "1"}, "{}"), (200, {}, '{"results": [1, 2]}'))
    httpserver.expect_request("/things").respond_with_handler(handler)
    client = rest_client(httpserver.url_for(""), "Acme CRM", retries=QUICK)
    assert client.get("/things").json() == {"results": [1, 2]}
    assert len(asked) == 2
    assert asked[1] - asked[0] >= 0.9  # the wait Retry-After asked for, not the 0.01 s backoff


def test_a_server_error_is_retried_and_one_that_stays_fails_clearly(httpserver: HTTPServer) -> None:
    asked, handler = answers((500, {}, "oops"), (503, {}, "busy"), (200, {}, '{"ok": true}'))
    httpserver.expect_request("/flaky").respond_with_handler(handler)
    client = rest_client(httpserver.url_for(""), "Acme CRM", retries=QUICK)
    assert client.get("/flaky").json() == {"ok": True}
    assert len(asked) == 3
    down, handler = answers((502, {}, "bad gateway"))
    httpserver.expect_request("/down").respond_with_handler(handler)
    with pytest.raises(SyncFailed) as failed:
        client.get("/down")
    assert len(down) == QUICK.attempts
    assert "Acme CRM kept answering HTTP 502 after every retry" in str(failed.value)
    assert "bleef HTTP 502 antwoorden" in failed.value.text.nl


def test_a_refused_token_is_not_retried_and_says_what_to_do(httpserver: HTTPServer) -> None:
    asked, handler = answers((401, {}, '{"message": "expired"}'))
    httpserver.expect_request("/me").respond_with_handler(handler)
    client = rest_client(httpserver.url_for(""), "Acme CRM", retries=QUICK)
    with pytest.raises(SyncRefused) as refusal:
        client.get("/me")
    assert len(asked) == 1
    assert "the token is wrong, expired or revoked" in str(refusal.value)

    def explain(response: object) -> SyncRefused:
        return refused("grant crm.read", "geef crm.read")

    client = rest_client(httpserver.url_for(""), "Acme CRM", retries=QUICK, explain=explain)
    with pytest.raises(SyncRefused, match=r"grant crm\.read"):
        client.get("/me")


VENDOR = Vendor(
    name="hubspot",
    title="HubSpot",
    credentials=(
        Credential("token", "ACME_TOKEN", True, True, "a private app token", "een token"),
        Credential("region", "ACME_REGION", False, False, "the region", "de regio"),
    ),
    connect=lambda creds, base, retries: None,  # type: ignore[arg-type,return-value]
)


def test_credentials_come_from_the_page_the_environment_or_the_file(tmp_path: Path) -> None:
    settings = tmp_path / "sync.toml"
    settings.write_text('[hubspot]\ntoken = "from-file"\nregion = "eu1"\n')
    assert credentials(VENDOR, environ={}, settings_file=settings) == {
        "token": "from-file", "region": "eu1"
    }  # fmt: skip
    env = {"ACME_TOKEN": " from-env "}
    assert credentials(VENDOR, environ=env, settings_file=settings)["token"] == "from-env"
    given = {"token": "from-page"}
    assert credentials(VENDOR, environ=env, given=given) == {"token": "from-page"}


def test_a_missing_credential_is_named_and_no_value_is_ever_shown(tmp_path: Path) -> None:
    settings = tmp_path / "sync.toml"
    settings.write_text('[hubspot]\nregion = "secret-region-value"\n')
    with pytest.raises(SyncRefused) as refusal:
        credentials(VENDOR, environ={}, settings_file=settings)
    assert "HubSpot needs ACME_TOKEN (a private app token)" in str(refusal.value)
    assert "heeft ACME_TOKEN (een token) nodig" in refusal.value.text.get(Lang.NL)
    assert "secret-region-value" not in str(refusal.value)
    settings.write_text("[hubspot\ntoken = 'x'")
    with pytest.raises(SyncRefused, match="cannot read the sync settings file"):
        credentials(VENDOR, environ={}, settings_file=settings)


def test_the_command_refuses_bad_arguments_with_exit_code_2(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "s.duckdb")
    result = runner.invoke(app, ["sync", "hubspot", "--since", "2026-13-01", "--store", store])
    assert result.exit_code == 2
    assert "--since takes a date as YYYY-MM-DD, not '2026-13-01'" in result.output
    result = runner.invoke(app, ["sync", "hubspot", "--full", "--since", "2026-01-01"])
    assert result.exit_code == 2 and "leave out --since" in result.output
    result = runner.invoke(app, ["sync", "status", "zoho", "--store", store])
    assert result.exit_code == 2 and "not 'zoho'" in result.output
    result = runner.invoke(app, ["sync", "status", "--store", store])
    assert result.exit_code == 2 and "no store at" in result.output
    Store.open(store, create=True).close()
    result = runner.invoke(app, ["sync", "status", "--store", store, "--lang", "nl"])
    assert result.exit_code == 0 and "Er is nog niet gesynchroniseerd." in result.output


def test_an_answer_the_vendor_calls_final_is_not_retried(httpserver: HTTPServer) -> None:
    """A 429 for a daily limit spent is not retried (no wait within the sync fixes it); a 429
    for a short window is."""
    asked, handler = answers((429, {"Retry-After": "0"}, '{"policy": "DAILY"}'))
    httpserver.expect_request("/daily").respond_with_handler(handler)

    def explain(response: object) -> SyncRefused | None:
        daily = "DAILY" in getattr(response, "text", "")
        return refused("the day's limit is spent", "de daglimiet is op") if daily else None

    client = rest_client(httpserver.url_for(""), "Acme CRM", retries=QUICK, explain=explain)
    with pytest.raises(SyncRefused, match="the day's limit is spent"):
        client.get("/daily")
    assert len(asked) == 1
    burst, handler = answers((429, {}, '{"policy": "SECONDLY"}'), (200, {}, '{"ok": 1}'))
    httpserver.expect_request("/burst").respond_with_handler(handler)
    assert client.get("/burst").json() == {"ok": 1}
    assert len(burst) == 2
