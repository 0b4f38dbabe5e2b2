"""salesperf: sales activity and sales performance side by side, and the link between them."""

from __future__ import annotations

__version__ = "0.1.0"
