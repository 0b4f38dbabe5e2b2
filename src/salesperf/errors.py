"""The project's own errors: what the command line and the server answer as a user's mistake.

Every error salesperf raises on purpose is a `SalesperfError` of one kind; the edges (the
command line, the API and the pages) catch these kinds only. Anything else is a bug: the
server answers it with a 500 and an error id written to its log with the traceback, the
command line with an "internal error" line, the id, and the traceback under `--debug`.

This module is the bottom layer: it imports nothing from salesperf (but names `Text` in a
type).
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesperf.text import Text


class SalesperfError(Exception):
    """A problem salesperf recognises; the message says what it is and what to do.

    `text`: the message in English and Dutch, where the code that raised it wrote both (the
    server's pages answer in the viewer's language)."""

    text: Text | None = None

    def __init__(self, *args: object, text: Text | None = None) -> None:
        super().__init__(*(args or ((text.en,) if text is not None else ())))
        if text is not None:
            self.text = text


class InputError(SalesperfError, ValueError):
    """Bad input the user can fix (a value, a period, a file, a mapping): exit code 2 on the
    command line, 422 from the server.

    It is also a ValueError so that code which caught ValueError before keeps working; the
    edges catch InputError, never ValueError."""


class NotFound(SalesperfError, LookupError):
    """Something asked for by name or id that does not exist: 404 from the server."""


class Denied(SalesperfError):
    """A request the user may not make (outside their scope or role, a failed sign-in or check,
    too many attempts): 403 from the server unless its kind has its own status."""


class StoreError(SalesperfError):
    """The store cannot be opened or used as asked (damaged, unreachable, refusing a write);
    the message says why: 503 from the server, exit code 2 on the command line."""


def log_bug(exc: BaseException, where: str) -> str:
    """Log a bug (an error that is none of these) with its traceback under a new id, and give
    the id, for the user to quote."""
    error_id = uuid.uuid4().hex[:12]
    logging.getLogger("salesperf.server.errors").error(
        "internal error %s on %s", error_id, where, exc_info=exc
    )
    return error_id
