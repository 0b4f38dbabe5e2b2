"""The CRMs salesperf syncs with, the credentials each needs, and where those are read.

Each CRM's module (`salesperf.sync.hubspot`, `.pipedrive`, `.salesforce`) declares a `VENDOR`:
its credentials (an environment variable each, or a key of the `[<crm>]` table of a settings
file) and how to make its connector. Credentials are never printed: errors name the variable or
the key that is missing, never a value.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from salesperf.sync.http import Retries
from salesperf.sync.model import CRMS, Connector, refused

#: A settings file with a table per CRM (`[hubspot] token = "..."`), when set.
SETTINGS_ENV = "SALESPERF_SYNC_SETTINGS"


@dataclass(frozen=True)
class Credential:
    """One thing a CRM needs to be read: its key, its environment variable, whether it is a
    secret (stored encrypted, never shown), whether it may be left out, and what it is."""

    key: str
    env: str
    secret: bool
    required: bool
    help_en: str
    help_nl: str


#: Makes a connector from the credentials, a base URL standing in for the vendor's (tests, a
#: sandbox; None: the vendor's own) and how hard to retry.
Connect = Callable[[Mapping[str, str], str | None, Retries], Connector]


@dataclass(frozen=True)
class Vendor:
    """A CRM: its name, its credentials and how to connect."""

    name: str
    title: str
    credentials: tuple[Credential, ...]
    connect: Connect
    #: What the CRM's token must be allowed to read (shown on the settings page and in docs).
    scopes: tuple[str, ...] = ()


def vendor(name: str) -> Vendor:
    """The CRM named `name`, or a refusal listing those there are."""
    if name not in CRMS:
        raise refused(
            f"salesperf cannot sync with {name!r}; it syncs with {', '.join(CRMS)}",
            f"salesperf kan niet synchroniseren met {name!r}; wel met {', '.join(CRMS)}",
        )
    found: Vendor = importlib.import_module(f"salesperf.sync.{name}").VENDOR
    return found


def credentials(
    v: Vendor,
    *,
    environ: Mapping[str, str] | None = None,
    settings_file: str | Path | None = None,
    given: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The CRM's credentials: those `given` (the settings page's, decrypted), else from the
    environment, else from the settings file; a refusal naming what is missing."""
    env = os.environ if environ is None else environ
    path = settings_file or env.get(SETTINGS_ENV)
    from_file: Mapping[str, object] = {}
    if path:
        try:
            with open(path, "rb") as f:
                from_file = tomllib.load(f).get(v.name, {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise refused(
                f"cannot read the sync settings file {path}: {exc}",
                f"kan het instellingenbestand voor synchronisatie {path} niet lezen: {exc}",
            ) from None
    found: dict[str, str] = {}
    missing: list[Credential] = []
    for c in v.credentials:
        value = (given or {}).get(c.key) or env.get(c.env) or from_file.get(c.key)
        if value:
            found[c.key] = str(value).strip()
        elif c.required:
            missing.append(c)
    if missing:
        names = ", ".join(f"{c.env} ({c.help_en})" for c in missing)
        names_nl = ", ".join(f"{c.env} ({c.help_nl})" for c in missing)
        raise refused(
            f"{v.title} needs {names}: set the environment variable, or the key in the "
            f"[{v.name}] table of the file that {SETTINGS_ENV} names",
            f"{v.title} heeft {names_nl} nodig: zet de omgevingsvariabele, of de sleutel in de "
            f"tabel [{v.name}] van het bestand dat {SETTINGS_ENV} noemt",
        )
    return found
