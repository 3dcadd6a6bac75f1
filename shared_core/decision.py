"""`RouteDecision`: what the router chose for one request, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

KNOB_VERSION = "router_knob_version"
"""The metadata key of a call's first record that keeps :attr:`RouteDecision.knob_version`."""


@dataclass(frozen=True)
class RouteDecision:
    """The chosen tier with everything an adapter needs to call it."""

    tier: str
    model: str
    system_prompt: str | None
    max_tokens: int | None
    confidence: float
    scores: Mapping[str, float]
    classifier: str
    reasons: tuple[str, ...]
    latency_us: float
    index: int = 0
    """Position of the tier in the config (0 = cheapest)."""
    unsure: bool = False
    call_id: str = ""
    """Identifier of the call this decision starts; ``record_feedback`` takes it."""
    forced: bool = False
    eligible: tuple[str, ...] = field(default_factory=tuple)
    """Tiers that could serve this request, cheapest first."""
    variant: str | None = None
    """The A/B variant that made this decision (:mod:`shared_core.variants`), else ``None``."""
    shadow: Mapping[str, Any] | None = None
    """In shadow mode, the candidate's decision (variant, tier, model, scores); the call's
    records keep it as ``metadata["shadow"]``."""
    classifier_calls: tuple[Mapping[str, Any], ...] = ()
    """The LLM calls the classifier made to decide (the judge's): ``model``, tokens and
    ``cost_usd`` each (:mod:`shared_core.classifiers.llm_calls`); the call's first ledger
    record pays for them. In shadow mode the candidate's are here too (``"shadow": True``)."""
    cooled_from: str | None = None
    """The tier the classifier chose, had it not been cooling down: the call was moved from
    it to :attr:`tier` (fallback on; the reasons say so, and the call logs a WARNING)."""
    knob_version: int | None = None
    """Under the feedback loop, the version of the shared knob this decision routed with
    (a worker may route with a cached one for up to ``refresh_s`` after a change); the call's
    first record keeps it as ``metadata["router_knob_version"]``, and the loop counts a call
    as evidence about the knob in force only if it was routed with that knob. Else ``None``."""

    @property
    def classifier_cost_usd(self) -> float:
        """What deciding cost (the known cost of :attr:`classifier_calls`); 0.0 for none."""
        if not self.classifier_calls:
            return 0.0
        from .classifiers.llm_calls import known_cost

        return known_cost(self.classifier_calls)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["scores"] = dict(self.scores)
        d["reasons"] = list(self.reasons)
        d["eligible"] = list(self.eligible)
        d["shadow"] = None if self.shadow is None else dict(self.shadow)
        d["classifier_calls"] = [dict(c) for c in self.classifier_calls]
        return d

    def __str__(self) -> str:
        return (
            f"RouteDecision(tier={self.tier!r}, model={self.model!r}, confidence={self.confidence:.2f}, "
            f"classifier={self.classifier!r}, latency={self.latency_us:.0f}µs)"
        )
