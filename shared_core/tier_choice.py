"""How a :class:`~shared_core.router.Router` chooses the tier of a request.

:class:`TierChoice` holds the steps of :meth:`Router.decide` after the request is extracted:
eligibility (context window, tools, vision, cooldown), then the choice itself from the
classifier's scores (policy, threshold and budget pressure, unsure handling, sticky
threads), a forced tier, or a request with no text; and the :class:`RouteDecision` built
from it, with a new call id.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import time
import uuid
from typing import TYPE_CHECKING, Any

from . import policy
from ._construct import construct
from .classifiers.base import Classification
from .classifiers.llm_calls import priced
from .cooldown import fallback_off
from .decision import RouteDecision
from .errors import UnknownModelError, redact
from .levels_note import LEVELS_REASON_PREFIX, levels_note
from .undecided_calls import UndecidedCalls

if TYPE_CHECKING:
    from .budget import BudgetGuard
    from .config import RouterConfig
    from .cooldown import Cooldown
    from .feedback_loop import KnobController
    from .pricing import PriceTable
    from .request import Request

_logger = logging.getLogger("tier_router")

_CALL_PREFIX = uuid.uuid4().hex[:16]
_call_counter = itertools.count()


def new_call_id() -> str:
    """A unique call id (32 hex chars): a random per-process prefix plus a counter."""
    return f"{_CALL_PREFIX}{next(_call_counter):016x}"


def _new_prefix() -> None:
    """A forked worker (gunicorn ``--preload``, Celery prefork) gets a prefix of its own: with
    its parent's, every worker would hand out the same ids, and ledgers keyed by
    ``(call_id, attempt)`` would drop one worker's records as another's."""
    global _CALL_PREFIX, _call_counter
    _CALL_PREFIX = uuid.uuid4().hex[:16]
    _call_counter = itertools.count()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_prefix)


class TierChoice(UndecidedCalls):
    """The choosing half of :class:`~shared_core.router.Router` (a mixin: the config and
    state it reads are the router's own); the calls that end before a decision is made are
    :class:`~shared_core.undecided_calls.UndecidedCalls`'."""

    if TYPE_CHECKING:
        config: RouterConfig
        _classifier: Any
        _cooldown: Cooldown | None
        _label_to_tier: dict[str, int]
        _all_names: tuple[str, ...]
        _max_budget: int
        _min_window: int

        @property
        def feedback_loop(self) -> KnobController | None: ...
        @property
        def prices(self) -> PriceTable: ...
        def relative_costs(self) -> list[float]: ...
        def thread_floor(self, thread_id: str | None) -> int: ...
        def note_thread(self, thread_id: str | None, index: int) -> None: ...
        def _budget_pressure(self, request: Request) -> float: ...
        @property
        def budget(self) -> BudgetGuard | None: ...
        def plan(self, decision: RouteDecision, request: Request, **kw: Any) -> Any: ...

    def _eligible(self, request: Request, *, cooled: bool = True) -> tuple[list[bool], list[str]]:
        """Which tiers can serve ``request``, and why the others cannot. ``cooled``: skip tiers
        cooling down, unless fallback is off (:func:`~shared_core.cooldown.fallback_off`)."""
        tiers = self.config.tiers
        reasons: list[str] = list(request.notes)
        ok = [True] * len(tiers)
        cool = self._cooldown
        if (
            not request.has_tools
            and not (request.attachments and request.needs_vision)  # most have no attachment
            and request.input_tokens + self._max_budget <= self._min_window
            and (cool is None or cool.idle or all(cool.available(t.name) for t in tiers))
        ):
            return ok, reasons  # hot path: every tier can serve this request

        def apply(mask: list[bool], why: str) -> None:
            nonlocal ok
            new = [a and b for a, b in zip(ok, mask)]
            if any(new):
                dropped = [t.name for t, a, b in zip(tiers, ok, new) if a and not b]
                if dropped:
                    reasons.append(f"ineligible ({why}): {', '.join(dropped)}")
                ok = new
            else:
                reasons.append(f"no tier satisfies {why}; constraint relaxed")

        if request.has_tools:
            apply([t.supports_tools for t in tiers], "tool calling")
        if request.needs_vision:
            apply([t.supports_vision for t in tiers], "image input")
        need = request.input_tokens
        apply(
            [t.context_window is None or need + (t.max_tokens or 0) <= t.context_window for t in tiers],
            f"context window >= {need} tokens",
        )
        if cool is not None and cooled:
            mask = [cool.available(t.name) for t in tiers]
            if all(mask) or not fallback_off(self.config.fallback):
                apply(mask, "cooling down after failures or the provider's Retry-After")
            else:
                names = ", ".join(
                    f"{t.name} ({cool.remaining(t.name):.0f} s left)" for t, a in zip(tiers, mask) if not a
                )
                reasons.append(f"cooling down, not skipped as fallback is off (a call on it is refused): {names}")
        return ok, reasons

    def _forced(self, request: Request, force: str, eligible: list[bool], reasons: list[str], t0: int) -> RouteDecision:
        idx = None
        for i, t in enumerate(self.config.tiers):
            if force in (t.name, t.model, t.bare_model):
                idx = i
                break
        if idx is None:
            names = self.config.tier_names + [t.model for t in self.config.tiers]
            raise UnknownModelError(force, names, what="tier or model")
        cls = Classification(scores={}, confidence=1.0, classifier="forced")
        return self._decision(request, idx, cls, [*reasons, f"forced to {force!r}"], t0, unsure=False, forced=True, eligible=eligible)

    def _no_text(
        self, request: Request, eligible: list[bool], reasons: list[str], t0: int
    ) -> RouteDecision:
        """A request with no text to classify (empty, whitespace, or attachments only) is not
        classified: it goes to ``policy.fallback_tier`` when set, else the cheapest eligible
        tier (for attachments, the cheapest that can read them); the reason is logged."""
        cfg = self.config
        fb = cfg.policy.fallback_tier
        idx = cfg.index(fb) if fb is not None and eligible[cfg.index(fb)] else eligible.index(True)
        what = "attachments only" if request.attachments else "empty or whitespace-only text"
        why = (
            f"no text to classify ({what}): routed to {cfg.tiers[idx].name!r} "
            f"({'policy.fallback_tier' if fb is not None and cfg.tiers[idx].name == fb else 'cheapest eligible tier'})"
        )
        _logger.warning("%s", why)
        cls = Classification(scores={}, confidence=0.0, classifier="none")
        return self._decision(
            request, idx, cls, [*reasons, why], t0, unsure=True, forced=False, eligible=eligible
        )

    def _classifier_failed(self, exc: Exception) -> Classification:
        return Classification(
            scores={},
            confidence=0.0,
            classifier=f"{getattr(self._classifier, 'name', 'classifier')}(failed)",
            reasons=(f"classifier failed: {type(exc).__name__}: {redact(str(exc))[:200]}",),
        )

    async def _aloop_knob(self) -> tuple[float, int] | None:
        """The feedback loop's knob and its version for an async decision, read in a worker
        thread when that means a ledger read (the loop's reads are sync); ``None`` without the
        loop, or when the cached knob will do (then :meth:`_finish` reads it)."""
        loop = self.feedback_loop
        if loop is None or not loop.io_due():
            return None
        import asyncio

        return await asyncio.to_thread(loop.decision_setting)

    def _finish(
        self, request: Request, cls: Classification, eligible: list[bool], reasons: list[str],
        t0: int, *, pressure: float | None = None, setting: tuple[float, int] | None = None,
    ) -> RouteDecision:
        cfg = self.config
        if cls.reasons:
            reasons = [*reasons, *cls.reasons]
            # the embedded classifier's ladder levels: which of these tiers each one means
            if cls.reasons[0].startswith(LEVELS_REASON_PREFIX) and (note := levels_note(self._all_names)):
                reasons.append(note)
        knob, version = (None, None) if setting is None else setting
        if cls.scores and cfg.mode != "task":
            if knob is None:  # the async path reads the loop's knob off the event loop
                loop = self.feedback_loop
                knob, version = (cfg.policy.threshold, None) if loop is None else loop.decision_setting()
            if pressure is None:  # (_budget_pressure is 0.0 without a budget guard)
                pressure = 0.0 if self.budget is None else self._budget_pressure(request)
        idx, unsure = self._select(request, cls, eligible, reasons, pressure or 0.0, knob or 0.0)
        moved = self._cooled_from(request, cls, eligible, reasons, idx, pressure or 0.0, knob or 0.0)
        if cfg.sticky and request.thread_id:  # (note_thread does nothing otherwise)
            self.note_thread(request.thread_id, idx)
        decision = self._decision(request, idx, cls, reasons, t0, unsure=unsure, forced=False, eligible=eligible)
        if moved is None and version is None:
            return decision
        return dataclasses.replace(
            decision, cooled_from=None if moved is None else cfg.tiers[moved].name, knob_version=version
        )

    def _cooled_from(
        self, request: Request, cls: Classification, eligible: list[bool], reasons: list[str], idx: int,
        pressure: float, knob: float,
    ) -> int | None:
        """The tier the choice would have been, had the cooling tiers not been skipped, when a
        cool-down moved the request from it to ``idx`` (``reasons`` say so); else ``None``."""
        cool = self._cooldown
        if cool is None or cool.idle or all(eligible):
            return None
        uncooled, _ = self._eligible(request, cooled=False)
        natural = self._select(request, cls, uncooled, [], pressure, knob)[0] if uncooled != eligible else idx
        name, to = self.config.tiers[natural].name, self.config.tiers[idx].name
        if natural == idx or cool.available(name):
            return None
        reasons.append(
            f"moved from {name!r} to {to!r}: {name!r} is cooling down ({cool.remaining(name):.0f} s left, "
            "after failures or the provider's Retry-After)"
        )
        return natural

    def _select(
        self, request: Request, cls: Classification, eligible: list[bool], reasons: list[str],
        pressure: float, knob: float,
    ) -> tuple[int, bool]:
        """The tier the scores choose among the ``eligible`` ones, and whether the choice is
        unsure; why goes to ``reasons``."""
        cfg = self.config
        pol = cfg.policy
        n = len(cfg.tiers)
        unsure = cls.confidence < pol.min_confidence
        if not cls.scores:
            # classifier failed or gave nothing: the fallback tier, else the strongest eligible
            idx = cfg.index(pol.fallback_tier) if pol.fallback_tier else max(i for i in range(n) if eligible[i])
            unsure = True
        elif cfg.mode == "task":
            # labels that share a tier pool their scores: a split between two routes of
            # the same tier is not "unsure"
            tier_scores = [0.0] * n
            for label, score in cls.scores.items():
                t = self._label_to_tier.get(label)
                if t is not None:
                    tier_scores[t] += float(score)
            ranked = sorted((i for i in range(n) if eligible[i]), key=lambda i: -tier_scores[i])
            found = ranked[0] if ranked and tier_scores[ranked[0]] > 0 else None
            gap = tier_scores[ranked[0]] - tier_scores[ranked[1]] if len(ranked) > 1 else 1.0
            if gap < pol.min_gap:
                unsure = True
            if (unsure or found is None) and pol.fallback_tier is not None:
                idx = cfg.index(pol.fallback_tier)
                reasons.append(f"unsure (confidence {cls.confidence:.2f}, gap {gap:.2f}): fallback tier")
            elif found is None:
                idx = max(i for i in range(n) if eligible[i])
                reasons.append("no label maps to an eligible tier: strongest eligible tier")
            else:
                idx = found
        else:
            scores = [float(cls.scores.get(t.name, 0.0)) for t in cfg.tiers]
            if pressure > 0:
                knob = knob * (1.0 - pressure)
                reasons.append(f"budget pressure {pressure:.2f}: knob lowered to {knob:.3f}")
            idx = policy.select(
                scores, knob, rule=pol.rule, eligible=eligible,
                relative_costs=self.relative_costs() if pol.rule == "utility" else None,
            )
            if unsure:
                if pol.unsure_go_up:
                    up = [i for i in range(idx + 1, n) if eligible[i]]
                    if up:
                        idx = up[0]
                        reasons.append(f"unsure (confidence {cls.confidence:.2f}): one tier up")
                elif pol.fallback_tier is not None:
                    idx = cfg.index(pol.fallback_tier)
                    reasons.append(f"unsure (confidence {cls.confidence:.2f}): fallback tier")
            floor = self.thread_floor(request.thread_id) if cfg.sticky and request.thread_id else 0
            if floor > idx:
                up = [i for i in range(floor, n) if eligible[i]]
                if up:
                    idx = up[0]
                    reasons.append(f"sticky thread: kept at tier {cfg.tiers[idx].name!r}")
        if not eligible[idx]:
            # a fallback tier that cannot serve this request: nearest eligible above, else below
            cands = [i for i in range(idx, n) if eligible[i]] or [i for i in range(idx, -1, -1) if eligible[i]]
            idx = cands[0]
        return idx, unsure

    def _decision(
        self, request: Request, idx: int, cls: Classification, reasons: list[str], t0: int,
        *, unsure: bool, forced: bool, eligible: list[bool],
    ) -> RouteDecision:
        tier = self.config.tiers[idx]
        extra = cls.extra
        calls = extra.get("llm_calls") if extra else None  # the judge's own calls
        per_tier = extra.get("tier_confidence") if extra else None  # the knob may move the choice
        conf = per_tier[idx] if per_tier is not None and len(per_tier) == len(self.config.tiers) else cls.confidence
        # every value is built here: construct() fills the frozen dataclass in one step
        return construct(RouteDecision, {
            "tier": tier.name,
            "model": tier.model,
            "system_prompt": tier.system_prompt,
            "max_tokens": tier.max_tokens,
            "confidence": float(conf),
            "scores": dict(cls.scores),
            "classifier": cls.classifier,
            "reasons": tuple(reasons),
            "latency_us": (time.perf_counter_ns() - t0) / 1000.0,
            "index": idx,
            "unsure": unsure,
            "call_id": f"{_CALL_PREFIX}{next(_call_counter):016x}",  # new_call_id()
            "forced": forced,
            "eligible": self._all_names if all(eligible)
            else tuple(t.name for t, ok in zip(self.config.tiers, eligible) if ok),
            "variant": None,
            "shadow": None,
            "classifier_calls": priced(calls, self.prices, self.config.tiers) if calls else (),
            "cooled_from": None,
            "knob_version": None,
        })
