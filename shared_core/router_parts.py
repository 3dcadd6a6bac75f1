"""The parts a :class:`~shared_core.router.Router` builds on first use.

:class:`RouterParts` holds the classifier, the ledger, the price table, the cooldown and the
budget guard: each is built once, when first asked for, so constructing a router and
importing :mod:`shared_core` stay cheap.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .budget import BudgetGuard
    from .config import RouterConfig
    from .cooldown import Cooldown
    from .ledger import CostLedger
    from .otel import OpenTelemetry
    from .pricing import PriceTable


class RouterParts:
    """The lazily built parts of :class:`~shared_core.router.Router` (a mixin: the slots it
    fills are the router's own, set to ``None`` by its constructor)."""

    if TYPE_CHECKING:
        config: RouterConfig
        _classifier: Any
        _judge_complete: Any
        _encoder: Any
        _ledger_arg: CostLedger | str | Path | None
        _ledger: CostLedger | None
        _prices: PriceTable | None
        _cooldown: Cooldown | None
        _budget: BudgetGuard | None
        _init_lock: threading.RLock

    # -- lazily built parts (keeps construction and import cheap) -----------------
    # Each is built once, under a lock, so threads sharing a fresh Router share one
    # classifier, one ledger (no record lost to an orphaned in-memory ledger), one cooldown.
    def _once(self, attr: str, build: Any) -> Any:
        with self._init_lock:
            value = getattr(self, attr)
            if value is None:
                value = build()
                setattr(self, attr, value)
        return value

    @property
    def classifier(self) -> Any:
        c = self._classifier
        return c if c is not None else self._once("_classifier", self._build_classifier)

    def _build_classifier(self) -> Any:
        from .classifiers import build_classifier

        return build_classifier(
            self.config.classifier,
            self.config,
            judge_complete=self._judge_complete,
            encoder=self._encoder,
        )

    @property
    def ledger(self) -> CostLedger:
        led = self._ledger
        return led if led is not None else self._once("_ledger", self._build_ledger)

    def _build_ledger(self) -> CostLedger:
        from .ledger.factory import open_ledger

        arg = self._ledger_arg
        return open_ledger(arg if arg is not None else self.config.ledger.url)

    @property
    def prices(self) -> PriceTable:
        if self._prices is not None:
            return self._prices

        def build() -> PriceTable:
            from .pricing import PriceTable

            return PriceTable()

        return self._once("_prices", build)

    @property
    def cooldown(self) -> Cooldown:
        if self._cooldown is not None:
            return self._cooldown

        def build() -> Cooldown:
            from .cooldown import Cooldown

            fb = self.config.fallback
            return Cooldown(fb.cooldown_failures, fb.cooldown_s)

        return self._once("_cooldown", build)

    @property
    def budget(self) -> BudgetGuard | None:
        if self._budget is not None or not self.config.budget.limits:
            return self._budget

        def build() -> BudgetGuard:
            from .budget import BudgetGuard

            return BudgetGuard.from_config(self.config.budget, self.ledger)

        return self._once("_budget", build)


def _telemetry(arg: Any, config: RouterConfig) -> OpenTelemetry | None:
    """The router's OpenTelemetry output (imported only when turned on)."""
    if arg is None:
        arg = config.telemetry.opentelemetry
    if arg is False:
        return None
    from .otel import OpenTelemetry

    if arg is True:
        return OpenTelemetry()
    if isinstance(arg, OpenTelemetry):
        return arg
    raise ConfigError(
        f"telemetry must be an OpenTelemetry(...), True, False or None, got {type(arg).__name__}",
        field="telemetry", value=type(arg).__name__,
    )
