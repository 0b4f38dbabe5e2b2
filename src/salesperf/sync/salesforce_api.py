"""Salesforce's answers in its own terms: the access token of the client-credentials flow, the
errors a retry cannot fix (an expired session, the daily request limit, a missing permission)
and the API usage the `Sforce-Limit-Info` header reports."""

from __future__ import annotations

import logging
import re
from typing import Any

from requests import Response

from salesperf.sync.http import Retries, rest_client
from salesperf.sync.model import SyncRefused, refused

log = logging.getLogger(__name__)

#: Above this share of the org's daily API requests, a sync warns.
LIMIT_WARNING = 0.9

_PERMISSION = (
    'give the integration (run-as) user a permission set with "API Enabled", and Read and '
    "View All on Account and Opportunity (tasks and events follow the records they belong to)"
)
_PERMISSION_NL = (
    'geef de integratiegebruiker (run-as) een permission set met "API Enabled", en Read en '
    "View All op Account en Opportunity (taken en afspraken volgen de records waar ze bij horen)"
)


def error(response: Response) -> tuple[str, str]:
    """The error code and message of a failed answer: `[{"errorCode", "message"}]` from the
    REST API, `{"error", "error_description"}` from the OAuth endpoint."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", response.text[:300].strip()
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("errorCode") or ""), str(body[0].get("message") or "")
    if isinstance(body, dict):
        return str(body.get("error") or ""), str(body.get("error_description") or "")
    return "", ""


def explain(response: Response) -> SyncRefused | None:
    """What a refusal from Salesforce means and what to do about it (None: not known)."""
    code, message = error(response)
    said = f" ({code}: {message})" if code else ""
    busy = response.status_code == 429 or response.status_code >= 500
    if code == "REQUEST_LIMIT_EXCEEDED" and not busy:  # the day's requests (403); a 429 is
        return refused(  # a burst, which waiting fixes: retried
            f"Salesforce refused the request: the org has used all its API requests for the "
            f"last 24 hours{said}. Nothing past the last committed page was written; sync again "
            "tomorrow, or ask Salesforce for a higher limit",
            f"Salesforce weigert het verzoek: de org heeft al zijn API-verzoeken van de "
            f"afgelopen 24 uur gebruikt{said}. Niets na de laatst vastgelegde pagina is "
            "geschreven; synchroniseer morgen opnieuw, of vraag Salesforce een hogere limiet",
        )
    if code in ("invalid_client", "invalid_client_id", "invalid_grant", "unsupported_grant_type"):
        return refused(
            f"Salesforce refused the client credentials{said}: check "
            "SALESPERF_SALESFORCE_CLIENT_ID and SALESPERF_SALESFORCE_CLIENT_SECRET (the connected "
            'app\'s consumer key and secret), that the app has "Enable Client Credentials Flow" '
            "with a run-as user, and that SALESPERF_SALESFORCE_INSTANCE_URL is your My Domain URL",
            f"Salesforce weigert de client credentials{said}: controleer "
            "SALESPERF_SALESFORCE_CLIENT_ID en SALESPERF_SALESFORCE_CLIENT_SECRET (de consumer key "
            'en het secret van de connected app), of de app "Enable Client Credentials Flow" '
            "met een run-as-gebruiker heeft, en of SALESPERF_SALESFORCE_INSTANCE_URL je My "
            "Domain-URL is",
        )
    if response.status_code == 401 or code == "INVALID_SESSION_ID":
        return refused(
            f"Salesforce refused the session{said}: the access token has expired or was "
            "revoked. Set a new SALESPERF_SALESFORCE_ACCESS_TOKEN, or set the connected app's "
            "SALESPERF_SALESFORCE_CLIENT_ID and SALESPERF_SALESFORCE_CLIENT_SECRET so that each "
            "sync gets a fresh token",
            f"Salesforce weigert de sessie{said}: het access token is verlopen of ingetrokken. "
            "Zet een nieuw SALESPERF_SALESFORCE_ACCESS_TOKEN, of zet "
            "SALESPERF_SALESFORCE_CLIENT_ID en SALESPERF_SALESFORCE_CLIENT_SECRET van de "
            "connected app, zodat elke synchronisatie een nieuw token haalt",
        )
    if code in ("API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED", "INSUFFICIENT_ACCESS",
                "INSUFFICIENT_ACCESS_OR_READONLY", "INVALID_TYPE", "INVALID_FIELD",
                "FUNCTIONALITY_NOT_ENABLED") or response.status_code == 403:  # fmt: skip
        return refused(
            f"Salesforce refused access{said}: {_PERMISSION}",
            f"Salesforce weigert de toegang{said}: {_PERMISSION_NL}",
        )
    return None


def usage(response: Response) -> tuple[int, int] | None:
    """The API requests used and allowed in the last 24 hours (`Sforce-Limit-Info:
    api-usage=18/15000`), or None when the answer does not say."""
    found = re.search(r"api-usage=(\d+)/(\d+)", response.headers.get("Sforce-Limit-Info", ""))
    return (int(found[1]), int(found[2])) if found else None


def over_limit(response: Response) -> tuple[int, int] | None:
    """The usage when it is above `LIMIT_WARNING` of the limit (and says so in the log)."""
    used = usage(response)
    if used is None or used[1] <= 0 or used[0] / used[1] <= LIMIT_WARNING:
        return None
    log.warning(
        "Salesforce: the org has used %d of its %d API requests of the last 24 hours; "
        "the sync stops with a refusal when none are left",
        *used,
    )
    return used


def access_token(
    url: str, client_id: str, client_secret: str, retries: Retries
) -> tuple[str, str | None]:
    """An access token from the client-credentials flow, and the instance URL it is for."""
    client = rest_client(url, "Salesforce", retries=retries, explain=explain)
    response = client.post(
        "/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    body = response.json()
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise refused(
            "Salesforce answered the token request without an access token",
            "Salesforce beantwoordde de tokenaanvraag zonder access token",
        )
    instance = body.get("instance_url")
    return str(token), str(instance) if instance else None
