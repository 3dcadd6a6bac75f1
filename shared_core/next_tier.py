"""Which tier a call tries next: the escalation and fallback targets of a
:class:`~shared_core.dispatch.CallPlan` (a mixin: the state it reads is the plan's own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .decision import RouteDecision
    from .dispatch import Attempt
    from .router import Router
    from .tier import Tier


class NextTier:
    """The escalation and fallback order of :class:`~shared_core.dispatch.CallPlan`."""

    if TYPE_CHECKING:
        router: Router
        decision: RouteDecision
        _tried: set[int]

        def _max_tokens(self, tier: Tier) -> int | None: ...

    def _larger_budget(self, attempt: Attempt, up: int) -> bool:
        """Whether tier ``up`` may write more than ``attempt`` could (a caller's ``max_tokens``
        caps every tier alike; no cap is no limit)."""
        mine, theirs = attempt.max_tokens, self._max_tokens(self.router.config.tiers[up])
        return mine is not None and (theirs is None or theirs > mine)

    def _eligible(self, idx: int) -> bool:
        name = self.router.config.tiers[idx].name
        return name in self.decision.eligible or not self.decision.eligible

    def _escalation_target(self, idx: int) -> int | None:
        n = len(self.router.config.tiers)
        for j in range(idx + 1, n):
            if j not in self._tried and self._eligible(j) and self.router.cooldown.available(
                self.router.config.tiers[j].name
            ):
                return j
        return None

    def _fallback_target(self, idx: int, above: int = -1, wider: int | None = None) -> int | None:
        """The next tier to try after tier ``idx`` failed; ``wider``: the prompt was too long
        for a window of that size, so only tiers whose window is larger, then unknown ones."""
        cfg = self.router.config
        n = len(cfg.tiers)
        if cfg.fallback.chain:
            order = [cfg.index(name) for name in cfg.fallback.chain]
        else:
            order = list(range(idx + 1, n)) + list(range(idx - 1, -1, -1))
        cool = self.router.cooldown
        usable = [j for j in order if j > above and j not in self._tried and self._eligible(j)]
        if wider is not None:  # known bigger windows first, then unknown ones
            windows = [cfg.tiers[j].context_window for j in usable]
            usable = [j for j, w in zip(usable, windows) if w is not None and w > wider] + [
                j for j, w in zip(usable, windows) if w is None
            ]
        for j in usable:
            if cool.available(cfg.tiers[j].name):
                return j
        return usable[0] if usable else None  # all cooling down: probe anyway

