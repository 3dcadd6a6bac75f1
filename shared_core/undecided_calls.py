"""The calls that end before their :class:`~shared_core.decision.RouteDecision` is made.

A caller may stop a call while it is being decided (a task cancelled while an LLM judge or
the ledger answers, Ctrl-C in a judge's blocking call), or a hard budget may refuse it
before any classifier is paid (``RunnableRouter``). No plan exists yet, so such a call is
recorded here, on the tier the router falls back to: nothing silently lost.
:class:`UndecidedCalls` is a mixin of :class:`~shared_core.tier_choice.TierChoice` (and so
of :class:`~shared_core.router.Router`), whose config and steps it uses.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Any

from .classifiers.base import Classification
from .classifiers.llm_calls import asking

if TYPE_CHECKING:
    from .config import RouterConfig
    from .config_sections import ClassifierConfig
    from .decision import RouteDecision
    from .ledger.base import Framework
    from .request import Request

_logger = logging.getLogger("tier_router")

__all__ = ["UndecidedCalls"]


class UndecidedCalls:
    """Recording a call stopped or refused before it was decided (a mixin of the router)."""

    if TYPE_CHECKING:
        config: RouterConfig
        _classifier: Any

        def _eligible(self, request: Request, *, cooled: bool = True) -> tuple[list[bool], list[str]]: ...
        def _decision(
            self, request: Request, idx: int, cls: Classification, reasons: list[str], t0: int,
            *, unsure: bool, forced: bool, eligible: list[bool],
        ) -> RouteDecision: ...
        def plan(self, decision: RouteDecision, request: Request, **kw: Any) -> Any: ...

    @property
    def asks_a_model(self) -> bool:
        """Whether this router's classifier calls an LLM (a judge, alone or in a cascade)."""
        return _asks_a_model(self.config.classifier)

    def record_stopped(
        self, request: Request, exc: BaseException, record_as: Framework, *,
        cls: Classification | None = None, variant: str | None = None,
        llm_in_flight: bool | None = None, paid: tuple[Any, ...] = (),
    ) -> None:
        """Record a call its caller stopped while it was being decided (a task cancelled
        while an LLM judge or the ledger answers, Ctrl-C in a judge's blocking call): no plan
        exists yet, so it is recorded here, ``abandoned`` at attempt 0 on the tier the router
        falls back to (a thread's sticky floor untouched). Its cost is the judge's when the
        classification ``cls`` had come back with it; while an LLM judge's call was in flight,
        what was sent (the judge prompt's estimated tokens on the judge's model, see
        :func:`~shared_core.classifiers.llm_calls.asking`), or unknown (``None``) when the
        judge names no model; an offline classifier costs 0 (``llm_in_flight`` overrides that
        guess from the config: a shadow's judge). ``paid``: priced LLM calls a shadow variant
        already made for this request, added to that cost. Never raises: the interruption goes on."""
        try:
            in_flight = cls is None and (self.asks_a_model if llm_in_flight is None else llm_in_flight)
            sent = asking()  # the judge call in flight, if its model is known
            why = f"caller stopped the call ({type(exc).__name__}) while it was being decided"
            if in_flight:
                why += (
                    "; an LLM judge's call was in flight: its cost is estimated from the prompt sent"
                    if sent else "; an LLM judge's call was in flight: its cost is unknown"
                )
            if paid:
                why += "; the shadow variant's judge calls, already answered, are paid"
            if cls is None:
                name = getattr(self._classifier, "name", "classifier")
                cls = Classification(
                    scores={}, confidence=0.0, classifier=f"{name}(interrupted)",
                    extra={"llm_calls": sent} if in_flight and sent else {},
                )
            plan = self._undecided_plan(request, cls, why, record_as, variant=variant, paid=paid)
            plan.stopped_deciding(exc, why, unpriced=in_flight and not sent)
        except Exception:  # the ledger is down too: say so, and let the interruption through
            _logger.exception("could not record a call stopped while deciding")

    def record_refused(
        self, request: Request, exc: BaseException, record_as: Framework, *, variant: str | None = None
    ) -> None:
        """Record a call refused before it was decided (a hard budget checked first, so that
        no classifier is paid for a call that cannot run: ``RunnableRouter``): ``refused`` at
        attempt 0, cost 0, on the fallback tier, classifier not asked, in A/B ``variant``.
        Never raises: the refusal goes on to the caller."""
        try:
            name = getattr(self._classifier, "name", "classifier")
            cls = Classification(scores={}, confidence=0.0, classifier=f"{name}(not asked)")
            why = f"refused before deciding ({type(exc).__name__})"
            self._undecided_plan(request, cls, why, record_as, variant=variant).refused_before_deciding(exc)
        except Exception:
            _logger.exception("could not record a call refused before deciding")

    def _undecided_plan(
        self, request: Request, cls: Classification, why: str, record_as: Framework, *,
        variant: str | None = None, paid: tuple[Any, ...] = (),
    ) -> Any:
        """The plan of a call that ends before its decision: on the tier the router falls
        back to (a thread's sticky floor untouched)."""
        cfg = self.config
        t0 = time.perf_counter_ns()
        eligible, reasons = self._eligible(request)
        fb = cfg.policy.fallback_tier
        idx = cfg.index(fb) if fb else max(i for i in range(len(eligible)) if eligible[i])
        decision = self._decision(
            request, idx, cls, [*reasons, why], t0, unsure=True, forced=False, eligible=eligible
        )
        if variant is not None or paid:
            decision = dataclasses.replace(
                decision, variant=variant, classifier_calls=(*decision.classifier_calls, *paid)
            )
        return self.plan(decision, request, framework=record_as)


def _asks_a_model(cfg: ClassifierConfig) -> bool:
    """Whether a classifier config calls an LLM (a judge, alone or as a cascade stage)."""
    return cfg.type == "judge" or any(_asks_a_model(st) for st in cfg.stages)
