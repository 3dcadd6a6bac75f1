"""Small builders shared by the core unit tests."""

from __future__ import annotations

from typing import Any

from shared_core import Router, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier

PRICES = {
    "cheap": (0.1, 0.4),
    "mid": (1.0, 4.0),
    "big": (10.0, 40.0),
}


def three_tiers(**overrides: Any) -> RouterConfig:
    tiers = [
        {"name": "cheap", "model": "cheap-model", "system_prompt": "Be brief.", "max_tokens": 100,
         "input_price": 0.1, "output_price": 0.4, "supports_tools": False},
        {"name": "mid", "model": "mid-model", "system_prompt": "Be careful.", "max_tokens": 400,
         "input_price": 1.0, "output_price": 4.0, "supports_vision": True, "context_window": 8000},
        {"name": "big", "model": "big-model", "system_prompt": "Think hard.", "max_tokens": 1000,
         "input_price": 10.0, "output_price": 40.0, "cached_input_price": 5.0,
         "supports_vision": True},
    ]
    data: dict[str, Any] = {"tiers": tiers, "classifier": {"type": "fake"}}
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return RouterConfig.build(data)


def router_with(rules: Any = None, *, default: str = "cheap", config: RouterConfig | None = None,
                confidence: float = 1.0, **kw: Any) -> Router:
    cfg = config or three_tiers()
    labels = [lab for t in cfg.tiers for lab in t.labels]
    clf = FakeClassifier(rules, default=default, labels=labels, confidence=confidence,
                         ordered=cfg.mode == "difficulty")
    return Router(cfg, classifier=clf, ledger=kw.pop("ledger", InMemoryLedger()), **kw)
