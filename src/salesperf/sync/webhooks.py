"""CRM webhooks, verified: a HubSpot request signed with the app's client secret (signature v3,
or v2), a Pipedrive request carrying the HTTP Basic credentials set on the webhook.

A webhook only says that something changed: the server answers it by starting an incremental
sync of that CRM, whose cursor picks up the change, so a payload repeated (by the CRM or by
anyone who recorded it) writes nothing new. These functions are pure: they take the request's
parts and the secrets, and raise `WebhookRefused` (401) or `WebhookMalformed` (400).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from salesperf.errors import Denied, InputError
from salesperf.sync.vendors import Credential

#: How old (or how far ahead) a HubSpot request's timestamp may be, in milliseconds.
MAX_AGE_MS = 5 * 60 * 1000

#: What each CRM's webhooks are checked with: stored with the connection (encrypted), or read
#: from these environment variables.
WEBHOOK_CREDENTIALS: dict[str, tuple[Credential, ...]] = {
    "hubspot": (
        Credential(
            "webhook_secret", "SALESPERF_HUBSPOT_WEBHOOK_SECRET", True, False,
            "the app's client secret, which signs its webhooks",
            "het client secret van de app, dat de webhooks ondertekent",
        ),
    ),
    "pipedrive": (
        Credential(
            "webhook_user", "SALESPERF_PIPEDRIVE_WEBHOOK_USER", False, False,
            "the HTTP Basic user name set on the webhook",
            "de HTTP Basic-gebruikersnaam die bij de webhook is ingesteld",
        ),
        Credential(
            "webhook_password", "SALESPERF_PIPEDRIVE_WEBHOOK_PASSWORD", True, False,
            "the HTTP Basic password set on the webhook",
            "het HTTP Basic-wachtwoord dat bij de webhook is ingesteld",
        ),
    ),
}  # fmt: skip

# HubSpot decodes these in the URI it signs (v3)
_DECODED = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$", "%27": "'",
    "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}  # fmt: skip


class WebhookRefused(Denied):
    """A webhook without a valid signature or credentials: nothing is done."""


class WebhookMalformed(InputError):
    """A webhook whose body is not what the CRM sends."""


def webhook_secrets(
    crm: str, stored: Mapping[str, str] | None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The CRM's webhook secrets: those stored with its connection, else the environment's."""
    env = os.environ if environ is None else environ
    found = {}
    for c in WEBHOOK_CREDENTIALS.get(crm, ()):
        value = (stored or {}).get(c.key) or env.get(c.env, "").strip()
        if value:
            found[c.key] = value
    return found


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def hubspot_uri(uri: str) -> str:
    """The URI as HubSpot signs it (v3): a few percent-encoded characters decoded."""
    for code, char in _DECODED.items():
        uri = uri.replace(code, char).replace(code.lower(), char)
    return uri


def verify_hubspot(
    *,
    secret: str | None,
    method: str,
    uris: Sequence[str],
    body: bytes,
    headers: Mapping[str, str],
    now_ms: int,
) -> None:
    """A HubSpot request's signature checked against the client secret, for one of the URIs the
    request may have been sent to (behind a proxy, the public one). Signature v3 (with its
    timestamp no more than five minutes away) or, without it, v2."""
    if not secret:
        raise WebhookRefused("no webhook secret is set for HubSpot")
    v3 = headers.get("x-hubspot-signature-v3")
    if v3:
        stamp = headers.get("x-hubspot-request-timestamp", "")
        if not stamp.isdigit():
            raise WebhookRefused("the request has no timestamp")
        if abs(now_ms - int(stamp)) > MAX_AGE_MS:
            raise WebhookRefused("the request's timestamp is more than five minutes away")
        text = body.decode("utf-8", "replace")
        for uri in uris:
            message = f"{method.upper()}{hubspot_uri(uri)}{text}{stamp}".encode()
            digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
            if _same(v3, base64.b64encode(digest).decode()):
                return
        raise WebhookRefused("the signature does not match")
    v2 = headers.get("x-hubspot-signature")
    if v2 and headers.get("x-hubspot-signature-version", "v2").lower() == "v2":
        text = body.decode("utf-8", "replace")
        for uri in uris:
            expected = hashlib.sha256(f"{secret}{method.upper()}{uri}{text}".encode()).hexdigest()
            if _same(v2.lower(), expected):
                return
        raise WebhookRefused("the signature does not match")
    raise WebhookRefused("the request is not signed")


def verify_pipedrive(*, user: str | None, password: str | None, authorization: str | None) -> None:
    """A Pipedrive request's HTTP Basic credentials checked (in constant time) against those set
    on the webhook."""
    if not user or not password:
        raise WebhookRefused("no webhook user and password are set for Pipedrive")
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not value:
        raise WebhookRefused("the request carries no credentials")
    try:
        given = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise WebhookRefused("the request's credentials cannot be read") from None
    given_user, _, given_password = given.partition(":")
    # both compared, whatever the first gives, so that the time taken tells nothing
    same_user = _same(given_user, user)
    same_password = _same(given_password, password)
    if not (same_user and same_password):
        raise WebhookRefused("the credentials do not match")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WebhookMalformed("the body is not JSON") from None


def hubspot_events(body: bytes) -> list[str]:
    """What the HubSpot webhook's events are about (their subscription types, such as
    deal.propertyChange): a list of events, each an object with a subscription type."""
    found = _json(body)
    if not isinstance(found, list) or not found:
        raise WebhookMalformed("a HubSpot webhook sends a list of events")
    kinds = []
    for event in found:
        if not isinstance(event, dict) or not isinstance(event.get("subscriptionType"), str):
            raise WebhookMalformed("each HubSpot event has a subscriptionType")
        kinds.append(event["subscriptionType"])
    return kinds


def pipedrive_event(body: bytes) -> str:
    """What the Pipedrive webhook is about (`deal`, `activity`, ...): an object with its `meta`
    naming the entity (webhooks v2) or the object (v1)."""
    found = _json(body)
    meta = found.get("meta") if isinstance(found, dict) else None
    if not isinstance(meta, dict):
        raise WebhookMalformed("a Pipedrive webhook sends an object with its meta")
    entity = meta.get("entity") or meta.get("object")
    if not isinstance(entity, str) or not entity:
        raise WebhookMalformed("a Pipedrive webhook's meta names its entity")
    return entity
