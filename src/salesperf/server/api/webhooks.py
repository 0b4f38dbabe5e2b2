"""The CRMs' webhooks: `POST /api/webhooks/hubspot` and `/api/webhooks/pipedrive`.

No session or API token: a webhook is trusted by its signature (HubSpot) or its HTTP Basic
credentials (Pipedrive) only, checked by `salesperf.sync.webhooks` against the secrets stored
with the CRM's connection or set in the environment. A trusted webhook starts an incremental
sync of its CRM (or one more after the sync running), which its cursor makes pick up the change:
202. Anything else is refused with nothing done: 401 without a valid signature, 400 for a body
that is not the CRM's.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from salesperf.auth.access import public_route
from salesperf.server.deps import ServicesDep, StoreDep
from salesperf.server.services import Services
from salesperf.store import Store
from salesperf.sync.secrets import SecretRefused, load_connection
from salesperf.sync.webhooks import (
    WebhookMalformed,
    WebhookRefused,
    hubspot_events,
    pipedrive_event,
    verify_hubspot,
    verify_pipedrive,
    webhook_secrets,
)

router = APIRouter(tags=["webhooks"], dependencies=[Depends(public_route)])


def _secrets(svc: Services, store: Store, crm: str) -> dict[str, str]:
    """The CRM's webhook secrets (a connection stored under another key counts as none)."""
    try:
        conn = load_connection(store, crm, svc.settings.sync_key)
    except SecretRefused:
        conn = None
    return webhook_secrets(crm, conn.values if conn is not None else None)


def _uris(request: Request) -> list[str]:
    """The URIs the CRM may have signed: the request's, and its https twin (behind a proxy that
    ends TLS, the server sees http)."""
    uri = str(request.url)
    return [uri, "https://" + uri.removeprefix("http://")] if uri.startswith("http://") else [uri]


def _refused(exc: WebhookRefused | WebhookMalformed) -> JSONResponse:
    status = 401 if isinstance(exc, WebhookRefused) else 400
    return JSONResponse({"error": str(exc)}, status_code=status)


def _started(svc: Services, crm: str, about: Any) -> JSONResponse:
    job = svc.sync_jobs.start(crm, "webhook", again_if_busy=True)
    return JSONResponse(
        {"crm": crm, "sync": "queued" if job.again else "started", "about": about},
        status_code=202,
    )


@router.post("/api/webhooks/hubspot", status_code=202)
async def hubspot_webhook(request: Request, svc: ServicesDep, store: StoreDep) -> JSONResponse:
    """HubSpot's webhook (signature v3, or v2): starts an incremental sync of HubSpot."""
    body = await request.body()
    secret = (await run_in_threadpool(_secrets, svc, store, "hubspot")).get("webhook_secret")
    now_ms = int(svc.settings.clock().replace(tzinfo=UTC).timestamp() * 1000)
    try:
        verify_hubspot(
            secret=secret, method=request.method, uris=_uris(request), body=body,
            headers=request.headers, now_ms=now_ms,
        )  # fmt: skip
        kinds = hubspot_events(body)
    except (WebhookRefused, WebhookMalformed) as exc:
        return _refused(exc)
    return _started(svc, "hubspot", sorted(set(kinds)))


@router.post("/api/webhooks/pipedrive", status_code=202)
async def pipedrive_webhook(request: Request, svc: ServicesDep, store: StoreDep) -> JSONResponse:
    """Pipedrive's webhook (HTTP Basic credentials): starts an incremental sync of Pipedrive."""
    body = await request.body()
    found = await run_in_threadpool(_secrets, svc, store, "pipedrive")
    try:
        verify_pipedrive(
            user=found.get("webhook_user"), password=found.get("webhook_password"),
            authorization=request.headers.get("authorization"),
        )  # fmt: skip
        entity = pipedrive_event(body)
    except (WebhookRefused, WebhookMalformed) as exc:
        return _refused(exc)
    return _started(svc, "pipedrive", [entity])
