"""A/B and shadow: measure a candidate router or config before trusting it.

``VariantRouter(control, candidate, share=0.1)`` routes about ``share`` of the requests
with ``candidate`` (an A/B split) and the rest with ``control``; every decision carries
its variant (``RouteDecision.variant``) and so does every ledger record of the call. The
split is by ``user`` (else ``thread_id``) when the request has one, so one user stays on
one variant; otherwise by a seeded draw.

``mode="shadow"``: ``control`` answers every request; ``candidate`` decides on every
request too, nothing is called on its behalf, and its decision is kept in the call's
records (``metadata["shadow"]``: variant, tier, model, scores). Compare with
``tier-router stats LEDGER --by variant`` (A/B) or read the shadow decisions from the
records.

Both routers should share one ledger (pass the same ``ledger=`` to both).
"""

from __future__ import annotations

import dataclasses
import random
import threading
import zlib
from typing import TYPE_CHECKING, Any, Literal

from .errors import ConfigError

if TYPE_CHECKING:
    from .decision import RouteDecision
    from .request import Request
    from .router import Router

__all__ = ["VariantRouter"]


class VariantRouter:
    """Two routers behind one ``decide``: an A/B split or a shadow candidate."""

    def __init__(
        self,
        control: Router,
        candidate: Router,
        *,
        share: float = 0.1,
        mode: Literal["ab", "shadow"] = "ab",
        names: tuple[str, str] = ("control", "candidate"),
        seed: int = 0,
    ) -> None:
        if mode not in ("ab", "shadow"):
            raise ConfigError(f"mode must be 'ab' or 'shadow', got {mode!r}", field="mode", value=mode)
        if not 0.0 <= share <= 1.0:
            raise ConfigError(f"share must be in [0, 1], got {share!r}", field="share", value=share)
        if names[0] == names[1]:
            raise ConfigError("the two variants need different names", field="names", value=names)
        self.control, self.candidate = control, candidate
        self.share = float(share)
        self.mode = mode
        self.names = names
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def ledger(self) -> Any:
        return self.control.ledger

    def _pick_candidate(self, key: str | None) -> bool:
        if key:
            return (zlib.crc32(key.encode("utf-8")) % 10_000) / 10_000.0 < self.share
        with self._lock:
            return self._rng.random() < self.share

    def decide(self, messages: Any, **kw: Any) -> RouteDecision:
        """The decision of the variant this request belongs to (its ``variant`` set)."""
        if self.mode == "shadow":
            shadow = self.candidate.decide(messages, **kw)
            meta = dict(kw.get("metadata") or {})
            meta["shadow"] = {
                "variant": self.names[1],
                "tier": shadow.tier,
                "model": shadow.model,
                "scores": {k: round(float(v), 6) for k, v in shadow.scores.items()},
            }
            d = self.control.decide(messages, **{**kw, "metadata": meta})
            return dataclasses.replace(d, variant=self.names[0])
        key = kw.get("user") or kw.get("thread_id")
        use = self._pick_candidate(key)
        router = self.candidate if use else self.control
        d = router.decide(messages, **kw)
        return dataclasses.replace(d, variant=self.names[1] if use else self.names[0])

    def router_for(self, decision: RouteDecision) -> Router:
        """The router whose config runs this decision's call (its plan, tiers, checks)."""
        return self.candidate if decision.variant == self.names[1] and self.mode == "ab" else self.control

    def plan(self, decision: RouteDecision, request: Request, **kw: Any) -> Any:
        """The per-call engine of the router that made ``decision``."""
        return self.router_for(decision).plan(decision, request, **kw)

    def record_feedback(self, call_id: str, score: float, *, source: str = "user") -> None:
        self.control.record_feedback(call_id, score, source=source)
