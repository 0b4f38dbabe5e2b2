"""What a store URL says: whether it names Spark, and how it is shown in messages."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def shown(url: str) -> str:
    """The URL with its password hidden, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def is_spark(url: str) -> bool:
    """Whether the URL names a Spark master."""
    base = url.split("?", 1)[0]
    return base.startswith("spark://") or base == "local" or base.startswith("local[")
