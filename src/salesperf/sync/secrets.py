"""The CRM connections made on the settings page: each CRM's credentials, encrypted with a
Fernet key from the environment ($SALESPERF_SECRET_KEY), what may be shown of them, and how
often to sync.

A credential's value is never shown back, logged or put in an error: the page shows `shown`
only (the non-secret values, such as a domain, or the last four characters of a token), and
`Connection`'s representation leaves the values out. A connection stored under another key (the
key was rotated) is refused with what to do, never decrypted into garbage.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken

from salesperf.errors import InputError
from salesperf.store import Store
from salesperf.store.system_tables import SYNC_CONNECTIONS
from salesperf.sync.model import CRMS
from salesperf.sync.state import now
from salesperf.text import Text

KEY_ENV = "SALESPERF_SECRET_KEY"
#: The command that makes a key.
MAKE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
#: The longest schedule: a week, in minutes.
MAX_MINUTES = 7 * 24 * 60
_COLUMNS = ["crm", "secret", "shown", "every_minutes", "updated_at", "updated_by"]


class SecretRefused(InputError):
    """The credentials cannot be stored or read: no key, a key that is not one, or a key
    other than the one they were stored under."""


def key_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The key in $SALESPERF_SECRET_KEY (None: unset or blank)."""
    value = (os.environ if environ is None else environ).get(KEY_ENV, "").strip()
    return value or None


def cipher(key: str | None) -> Fernet:
    """The cipher of `key`; a refusal saying how to make one when it is missing or malformed."""
    if not key:
        raise SecretRefused(
            text=Text(
                f"salesperf stores CRM credentials encrypted and needs a key for it: set "
                f"{KEY_ENV} to a key made with {MAKE_KEY} and restart the server",
                f"salesperf bewaart CRM-gegevens versleuteld en heeft daarvoor een sleutel nodig: "
                f"zet {KEY_ENV} op een sleutel gemaakt met {MAKE_KEY} en start de server opnieuw",
            )
        )
    try:
        return Fernet(key.encode())
    except ValueError:
        raise SecretRefused(
            text=Text(
                f"{KEY_ENV} is not a Fernet key (32 bytes in URL-safe base64); make one with "
                f"{MAKE_KEY}",
                f"{KEY_ENV} is geen Fernet-sleutel (32 bytes in URL-veilige base64); maak er "
                f"een met {MAKE_KEY}",
            )
        ) from None


@dataclass(frozen=True)
class ConnectionInfo:
    """What may be shown of a connection: never a credential's value."""

    crm: str
    shown: str
    every_minutes: int | None
    updated_at: datetime | None
    updated_by: str | None


@dataclass(frozen=True)
class Connection:
    """A connection with its credentials decrypted (left out of its representation)."""

    info: ConnectionInfo
    values: Mapping[str, str] = field(repr=False)

    @property
    def crm(self) -> str:
        return self.info.crm


def shown_of(values: Mapping[str, str], secret_keys: Sequence[str]) -> str:
    """What the page may show of credentials: the values that are not secret (a domain, an
    instance), else the last four characters of the first secret of twelve or more."""
    plain = [f"{k}: {v}" for k, v in values.items() if k not in secret_keys and v]
    if plain:
        return ", ".join(plain)[:200]
    for k in secret_keys:
        if len(values.get(k) or "") >= 12:
            return "…" + values[k][-4:]
    return "…"


def redact(text: str, values: Mapping[str, str]) -> str:
    """The text with every credential value of four characters or more replaced by "…"."""
    for value in sorted(values.values(), key=len, reverse=True):
        if len(value) >= 4:
            text = text.replace(value, "…")
    return text


def check_minutes(every_minutes: int | None) -> int | None:
    """A schedule of 5 minutes to a week, or None (off); a refusal otherwise."""
    if every_minutes is None:
        return None
    if not 5 <= every_minutes <= MAX_MINUTES:
        raise InputError(
            text=Text(
                f"sync every 5 to {MAX_MINUTES} minutes, or leave the schedule off",
                f"synchroniseer elke 5 tot {MAX_MINUTES} minuten, of zet het schema uit",
            )
        )
    return every_minutes


def _check_crm(crm: str) -> None:
    if crm not in CRMS:
        raise InputError(f"salesperf syncs with {', '.join(CRMS)}, not {crm!r}")


def save_connection(
    store: Store,
    crm: str,
    values: Mapping[str, str],
    key: str | None,
    *,
    secret_keys: Sequence[str],
    every_minutes: int | None = None,
    by: str | None = None,
) -> ConnectionInfo:
    """Store the CRM's credentials encrypted (replacing any), with what may be shown of them."""
    _check_crm(crm)
    token = cipher(key).encrypt(json.dumps(dict(values), sort_keys=True).encode()).decode()
    info = ConnectionInfo(
        crm, shown_of(values, secret_keys), check_minutes(every_minutes), now(), by
    )
    row = {
        "crm": crm, "secret": token, "shown": info.shown, "every_minutes": info.every_minutes,
        "updated_at": info.updated_at, "updated_by": by,
    }  # fmt: skip
    with store.transaction():
        store.delete_rows(SYNC_CONNECTIONS, {"crm": crm})
        store.insert_row(SYNC_CONNECTIONS, row)
    return info


def connections(store: Store) -> dict[str, ConnectionInfo]:
    """The connections stored, by CRM, without decrypting anything."""
    rows = store.select_rows(SYNC_CONNECTIONS, _COLUMNS, order_by=["crm"])
    out = {}
    for crm, _secret, shown, every, at, by in rows:
        out[crm] = ConnectionInfo(crm, shown or "", None if every is None else int(every), at, by)
    return out


def load_connection(store: Store, crm: str, key: str | None) -> Connection | None:
    """The CRM's connection decrypted (None: not connected); a refusal saying what to do when
    it was stored under another key."""
    rows = store.select_rows(SYNC_CONNECTIONS, _COLUMNS, {"crm": crm})
    if not rows:
        return None
    _crm, secret, shown, every, at, by = rows[0]
    try:
        plain = cipher(key).decrypt(str(secret).encode())
    except InvalidToken:
        raise SecretRefused(
            text=Text(
                f"the credentials of {crm} were stored under another {KEY_ENV}: set it back to "
                "that key, or connect the CRM again on the settings page",
                f"de gegevens van {crm} zijn bewaard onder een andere {KEY_ENV}: zet die "
                "sleutel terug, of verbind het CRM opnieuw op de instellingenpagina",
            )
        ) from None
    values = {str(k): str(v) for k, v in json.loads(plain).items()}
    info = ConnectionInfo(crm, shown or "", None if every is None else int(every), at, by)
    return Connection(info, values)


def set_schedule(store: Store, crm: str, every_minutes: int | None, by: str | None) -> None:
    """Change how often a connected CRM is synced (None: off)."""
    _check_crm(crm)
    store.update_rows(
        SYNC_CONNECTIONS,
        {"every_minutes": check_minutes(every_minutes), "updated_at": now(), "updated_by": by},
        {"crm": crm},
    )


def delete_connection(store: Store, crm: str) -> bool:
    """Forget the CRM's credentials; whether there were any."""
    _check_crm(crm)
    found = bool(store.select_rows(SYNC_CONNECTIONS, ["crm"], {"crm": crm}))
    if found:
        store.delete_rows(SYNC_CONNECTIONS, {"crm": crm})
    return found
