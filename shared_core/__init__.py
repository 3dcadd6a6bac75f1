"""tier-router core: classify each request, route it to the cheapest tier that will do.

Framework-free (numpy + pydantic + PyYAML). Heavy parts load lazily, so
``import shared_core`` stays cheap and imports no LangChain or LlamaIndex module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .classifiers.base import Classification
from .config import RouterConfig
from .decision import RouteDecision
from .errors import (
    AllTiersFailedError,
    BadResponseError,
    BudgetExceededError,
    ConfigError,
    DataFormatError,
    InputError,
    NoEligibleTierError,
    NotPicklableError,
    RouterError,
    ToolsUnsupportedError,
    UnknownCallError,
    UnknownModelError,
    UnsafeFormatError,
)
from .router import Router
from .tier import Tier
from .tier_defaults import TierDefaultsWarning

if TYPE_CHECKING:
    from .ledger import CallRecord, CostLedger, InMemoryLedger, SQLiteLedger
    from .pricing import PriceTable, Usage

_LAZY = {
    "PriceTable": ".pricing",
    "Usage": ".pricing",
    "CostLedger": ".ledger",
    "InMemoryLedger": ".ledger",
    "SQLiteLedger": ".ledger",
    "CallRecord": ".ledger",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'shared_core' has no attribute {name!r}")


__all__ = [
    "AllTiersFailedError",
    "BadResponseError",
    "BudgetExceededError",
    "CallRecord",
    "Classification",
    "ConfigError",
    "CostLedger",
    "DataFormatError",
    "InMemoryLedger",
    "InputError",
    "NoEligibleTierError",
    "NotPicklableError",
    "PriceTable",
    "RouteDecision",
    "Router",
    "RouterConfig",
    "RouterError",
    "SQLiteLedger",
    "Tier",
    "TierDefaultsWarning",
    "ToolsUnsupportedError",
    "UnknownCallError",
    "UnknownModelError",
    "UnsafeFormatError",
    "Usage",
    "__version__",
]
