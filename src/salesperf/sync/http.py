"""The HTTP side of a sync: dlt's REST client (its paginators; retries of 429 and 5xx answers
and dropped connections with exponential backoff that honours `Retry-After`), with the answers a
retry cannot fix turned into errors that say what to do.

dlt (https://dlthub.com) is used as a library here, not as a pipeline: its `RESTClient` pages
through the vendors' APIs, and the sync keeps its own cursors in the store, committed with the
rows they cover (a dlt pipeline keeps its state in its own destination, apart from our rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from requests import Response

from salesperf.errors import SalesperfError, StoreError
from salesperf.sync.model import SyncRefused, refused
from salesperf.text import Text

#: Explains an answer no retry fixes (401, 403, 404, ...) in the vendor's terms, or None.
Explain = Callable[[Response], SyncRefused | None]


class SyncFailed(StoreError):
    """The CRM kept failing (a server error after every retry): like a store that cannot be
    reached, a source of the store's data is unavailable (503 from the server). Nothing past
    the last committed page was written, and the next sync goes on from there."""


@dataclass(frozen=True)
class Retries:
    """How hard to retry: attempts per request, the backoff's first wait (seconds, doubling),
    and the longest wait (also the longest `Retry-After` honoured)."""

    attempts: int = 6
    backoff: float = 1.0
    max_wait: float = 120.0


def vendor_error(response: Response, crm: str) -> SalesperfError:
    """What a failed answer means when the vendor's own explanation has none."""
    status = response.status_code
    snippet = response.text[:300].strip()
    if status == 401:
        return refused(
            f"{crm} refused the credentials (HTTP 401): the token is wrong, expired or revoked; "
            "create a new one and set it again",
            f"{crm} weigert de inloggegevens (HTTP 401): het token klopt niet, is verlopen of "
            "ingetrokken; maak een nieuw token aan en stel het opnieuw in",
        )
    if status == 403:
        return refused(
            f"{crm} refused access (HTTP 403): the token lacks a permission: {snippet}",
            f"{crm} weigert de toegang (HTTP 403): het token mist een recht: {snippet}",
        )
    if status == 404:
        return refused(
            f"{crm} has no {response.url} (HTTP 404): check the domain or instance URL",
            f"{crm} kent {response.url} niet (HTTP 404): controleer het domein of de instance-URL",
        )
    return SyncFailed(
        text=Text(
            f"{crm} kept answering HTTP {status} after every retry ({snippet}); nothing past "
            "the last committed page was written: sync again later",
            f"{crm} bleef HTTP {status} antwoorden na elke nieuwe poging ({snippet}); niets na "
            "de laatst vastgelegde pagina is geschreven: synchroniseer later opnieuw",
        )
    )


def rest_client(
    base_url: str,
    crm: str,
    *,
    headers: dict[str, str] | None = None,
    auth: Any = None,
    retries: Retries = Retries(),
    explain: Explain | None = None,
) -> Any:
    """A dlt `RESTClient` for `base_url` whose failed answers (after the retries) raise a
    `SyncRefused` (what the user fixes) or `SyncFailed` (what time fixes), never a bare HTTP
    error. Every request goes through its `paginate`, `get` or `post`."""
    from dlt.sources.helpers.requests.retry import Client
    from dlt.sources.helpers.rest_client.client import RESTClient

    def retryable(response: Response | None, _exc: BaseException | None) -> bool:
        # 429 and 5xx are retried, unless the vendor says no wait fixes them (a daily limit
        # spent): then the sync stops at once with the vendor's explanation
        if response is None or not (response.status_code == 429 or response.status_code >= 500):
            return False
        return explain is None or explain(response) is None

    session = Client(
        request_timeout=60,
        raise_for_status=False,
        status_codes=(),
        retry_condition=retryable,
        request_max_attempts=retries.attempts,
        request_backoff_factor=retries.backoff,
        request_max_retry_delay=retries.max_wait,
        respect_retry_after_header=True,
    ).session
    client = RESTClient(base_url=base_url, headers=headers, auth=auth, session=session)
    retried: Any = session.send  # dlt's retries wrap `send`: what comes out of it is final

    def send(request: Any, **kwargs: Any) -> Response:
        response: Response = retried(request, **kwargs)
        if response.status_code >= 400:
            found = explain(response) if explain else None
            raise found or vendor_error(response, crm)
        return response

    session.send = send  # type: ignore[method-assign]
    # the client's own check (a bare HTTPError) would run inside the retries, on each attempt
    client._create_response_handler = lambda: lambda *_a, **_k: None  # type: ignore[method-assign]
    return client
