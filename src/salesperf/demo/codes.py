"""How the simulation stores things: numpy arrays of small integer codes, and the words each
code stands for in the canonical tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from salesperf.schema import ActivityOutcome, ActivityType, LeadSource

Ints = npt.NDArray[np.signedinteger[Any]]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

STAGES = ("qualification", "discovery", "demo", "proposal", "negotiation")
DEMO_STAGE = STAGES.index("demo")
WON_STAGE, LOST_STAGE = "closed_won", "closed_lost"
SEGMENTS = ("smb", "mid", "enterprise")
KINDS = ("new_business", "upsell", "renewal")
TYPES = ActivityType.words()
OUTCOMES = ActivityOutcome.words()
SOURCES = LeadSource.words()
T_ = {word: i for i, word in enumerate(TYPES)}
O_ = {word: i for i, word in enumerate(OUTCOMES)}
LOST_REASONS = (
    "no_budget",
    "no_decision",
    "timing",
    "went_dark",
    "product_fit",
    "competitor",
    "price",
)
SCOPES = ("rep", "team", "org")
