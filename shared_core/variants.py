"""A/B and shadow: measure a candidate router or config before trusting it.

``VariantRouter(control, candidate, share=0.1)`` routes about ``share`` of the requests
with ``candidate`` (an A/B split) and the rest with ``control``; every decision carries
its variant (``RouteDecision.variant``) and so does every ledger record of the call. The
split is by ``user`` (else ``thread_id``) when the request has one, so one user stays on
one variant; otherwise by a seeded draw.

``mode="shadow"``: ``control`` answers every request; ``candidate`` decides on every
request too, nothing is called on its behalf, and its decision is kept in the call's
records (``metadata["shadow"]``: variant, tier, model, scores). The live call waits for the
candidate's decision at most ``shadow_timeout_s`` (default 1 s; ``None``: as long as it
takes); one not made by then is recorded as the shadow's failure (``"error": "ShadowTimeout:
no decision within 1 s"``) and the control answers (:mod:`shared_core.shadow_wait`); a sync
candidate keeps running, and a judge it pays then is recorded on the live call, apart
(:mod:`shared_core.late_shadow`). A candidate whose
classifier asks an LLM (a judge) does ask it: the live call's record pays that cost
(``metadata["shadow"]["classifier_cost_usd"]``, see ``RouteDecision.classifier_calls``). Compare with
``tier-router stats LEDGER --by variant`` (A/B) or read the shadow decisions from the
records.

Both routers should share one ledger (pass the same ``ledger=`` to both).

A ``VariantRouter`` is accepted wherever an adapter takes ``router=``
(``RoutedChatModel``, ``RoutedLLM``): it offers the calls they make (``config``,
``request``, ``decide_request`` / ``adecide_request``, ``plan`` / ``aplan``), and the
answer's ``router`` metadata carries ``variant``. When both routers run the feedback loop
(``feedback.auto_adjust``), each counts only its own variant's calls, under its own
``feedback.key``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import threading
import zlib
from typing import TYPE_CHECKING, Any, Literal

from .errors import ConfigError, redact
from .late_shadow import LateShadow
from .shadow_wait import ShadowTimeout, abounded, bounded, check_timeout
from .storable import storable_text

if TYPE_CHECKING:
    from .config import RouterConfig
    from .decision import RouteDecision
    from .dispatch import CallPlan
    from .ledger.base import Framework
    from .request import Request
    from .router import Router

__all__ = ["VariantRouter"]

logger = logging.getLogger("tier_router")


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
        shadow_timeout_s: float | None = 1.0,
    ) -> None:
        if mode not in ("ab", "shadow"):
            raise ConfigError(f"mode must be 'ab' or 'shadow', got {mode!r}", field="mode", value=mode)
        if not 0.0 <= share <= 1.0:
            raise ConfigError(f"share must be in [0, 1], got {share!r}", field="share", value=share)
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise ConfigError(
                f"each variant needs a non-empty name, got {names!r}", field="names", value=names
            )
        if names[0] == names[1]:
            raise ConfigError("the two variants need different names", field="names", value=names)
        if not _same_ledger(control.ledger, candidate.ledger):
            raise ConfigError(
                "the two variants write to different ledgers, so the candidate's calls would be "
                "invisible to stats --by variant and to record_feedback: give both routers the "
                "same ledger (Router(config, ledger=ledger))",
                field="ledger",
                value=(type(control.ledger).__name__, type(candidate.ledger).__name__),
            )
        self.shadow_timeout_s = check_timeout(shadow_timeout_s)
        self.control, self.candidate = control, candidate
        self.share = float(share)
        self.mode = mode
        self.names = names
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._shadow_failed = False  # the first failure is a WARNING, the rest DEBUG
        _separate_feedback_loops(control, candidate, names)

    # -- what an adapter given router= reads: the control's ------------------------------
    @property
    def ledger(self) -> Any:
        return self.control.ledger

    @property
    def config(self) -> RouterConfig:
        """The control's config (an adapter checks both variants' tiers against its own)."""
        return self.control.config

    @property
    def routers(self) -> tuple[Router, Router]:
        """``(control, candidate)``."""
        return self.control, self.candidate

    @property
    def prices(self) -> Any:
        return self.control.prices

    @property
    def baseline_model(self) -> str:
        return self.control.baseline_model

    @property
    def budget(self) -> Any:
        return self.control.budget

    @property
    def telemetry(self) -> Any:
        return self.control.telemetry

    def request(self, messages: Any, **kw: Any) -> Request:
        """The :class:`Request` for ``messages`` (built by the control)."""
        return self.control.request(messages, **kw)

    def _pick_candidate(self, key: str | None) -> bool:
        if key:
            # a lone surrogate (kept in a user id) as its escape text: the split it always had
            return (zlib.crc32(storable_text(key).encode("utf-8")) % 10_000) / 10_000.0 < self.share
        with self._lock:
            return self._rng.random() < self.share

    def decide(
        self, messages: Any, *, force: str | None = None, record_as: Framework | None = None,
        **kw: Any,
    ) -> RouteDecision:
        """The decision of the variant this request belongs to (its ``variant`` set)."""
        return self.decide_request(self.request(messages, **kw), force=force, record_as=record_as)

    async def adecide(
        self, messages: Any, *, force: str | None = None, record_as: Framework | None = None,
        **kw: Any,
    ) -> RouteDecision:
        """Async twin of :meth:`decide`."""
        return await self.adecide_request(self.request(messages, **kw), force=force, record_as=record_as)

    def decide_request(
        self, request: Request, *, force: str | None = None, record_as: Framework | None = None
    ) -> RouteDecision:
        """:meth:`decide` for a built :class:`Request` (what the adapters call). A call
        stopped while it is decided is recorded (``record_as``) with its variant; the shadow
        never records one itself: the live call is the control's."""
        if self.mode == "shadow":
            late = LateShadow(self.control, request, self.names, self.shadow_timeout_s or 0.0, record_as)
            try:
                seen = self._shadow_decision(request, force, late)
            except BaseException as exc:  # stopped while the shadow decides
                self._stopped(request, exc, record_as)
                raise
            try:
                d = self.control.decide_request(
                    request, force=force, record_as=record_as, variant=self.names[0],
                    _paid=self._shadow_calls(seen),
                )
            except BaseException:  # a shadow that decides late records its judge on its own
                late.named(None)
                raise
            late.named(d)  # a shadow that decides late records its judge on this call
            return self._shadowed(d, seen, late=True)
        router, name = self._variant_of(request)
        d = router.decide_request(request, force=force, record_as=record_as, variant=name)
        return dataclasses.replace(d, variant=name)

    async def adecide_request(
        self, request: Request, *, force: str | None = None, record_as: Framework | None = None
    ) -> RouteDecision:
        """Async twin of :meth:`decide_request`."""
        if self.mode == "shadow":
            seen: RouteDecision | BaseException
            try:
                if self.shadow_timeout_s is None:
                    try:
                        seen = await self.candidate.adecide_request(request, force=force)
                    except Exception as exc:  # a shadow never fails the live request
                        seen = exc
                else:  # cancelled at the bound
                    seen = await abounded(
                        self.candidate.adecide_request(request, force=force), self.shadow_timeout_s
                    )
            except BaseException as exc:
                self._stopped(request, exc, record_as)
                raise
            d = await self.control.adecide_request(
                request, force=force, record_as=record_as, variant=self.names[0],
                _paid=self._shadow_calls(seen),
            )
            return self._shadowed(d, seen)
        router, name = self._variant_of(request)
        d = await router.adecide_request(request, force=force, record_as=record_as, variant=name)
        return dataclasses.replace(d, variant=name)

    def _shadow_decision(
        self, request: Request, force: str | None, late: LateShadow
    ) -> RouteDecision | BaseException:
        """The candidate's decision, its error, or :class:`ShadowTimeout` past the bound."""
        if self.shadow_timeout_s is None:
            try:
                return self.candidate.decide_request(request, force=force)
            except Exception as exc:  # a shadow never fails the live request
                return exc
        seen = bounded(
            lambda: self.candidate.decide_request(request, force=force), self.shadow_timeout_s,
            late.decided,
        )
        if isinstance(seen, BaseException) and not isinstance(seen, Exception):
            raise seen  # (SystemExit in the candidate's classifier) as when it decided inline
        return seen  # type: ignore[no-any-return]

    def _stopped(self, request: Request, exc: BaseException, record_as: Framework | None) -> None:
        """The caller stopped the call while the shadow was deciding: recorded as the
        control's (its cost unknown if the shadow's judge was asking)."""
        if record_as is not None:
            self.control.record_stopped(
                request, exc, record_as, variant=self.names[0],
                llm_in_flight=self.candidate.asks_a_model,
            )

    def _variant_of(self, request: Request) -> tuple[Router, str]:
        if self._pick_candidate(request.user or request.thread_id):
            return self.candidate, self.names[1]
        return self.control, self.names[0]

    def variant_for(self, *, user: str | None = None, thread_id: str | None = None) -> str:
        """The variant whose router would decide a request of this user / thread (the split
        :meth:`decide` applies; the control in shadow mode). A LangChain cache hit, which
        no router decides, is recorded in this variant."""
        if self.mode == "shadow":
            return self.names[0]
        return self.names[1] if self._pick_candidate(user or thread_id) else self.names[0]

    def _shadow_calls(self, seen: RouteDecision | BaseException) -> tuple[dict[str, Any], ...]:
        """The candidate's LLM calls for this request, tagged as the shadow's: the live call
        pays them (also when its caller stops it while the control decides)."""
        if isinstance(seen, BaseException):
            return ()
        return tuple({**c, "variant": self.names[1], "shadow": True} for c in seen.classifier_calls)

    def _shadowed(
        self, decision: RouteDecision, seen: RouteDecision | BaseException, *, late: bool = False
    ) -> RouteDecision:
        shadow: dict[str, Any]
        failed = _classifier_failure(seen)
        if failed is not None:
            if isinstance(seen, ShadowTimeout) and self.candidate.asks_a_model:
                failed += ("; its LLM judge's cost is recorded apart when it answers" if late
                           else "; its LLM judge's cost is not recorded")
            shadow = {"variant": self.names[1], "error": failed}
            level = logging.DEBUG if self._shadow_failed else logging.WARNING
            self._shadow_failed = True
            logger.log(level, "shadow variant %r failed to decide (the control answers): %s",
                       self.names[1], shadow["error"])
        else:
            assert not isinstance(seen, BaseException)  # (_classifier_failure took those)
            shadow = {
                "variant": self.names[1],
                "tier": seen.tier,
                "model": seen.model,
                "scores": {k: round(float(v), 6) for k, v in seen.scores.items()},
            }
            if seen.classifier_calls:  # the candidate's judge was asked: the live call pays it
                shadow["classifier_cost_usd"] = seen.classifier_cost_usd
                return dataclasses.replace(
                    decision, variant=self.names[0], shadow=shadow,
                    classifier_calls=(*decision.classifier_calls, *self._shadow_calls(seen)),
                )
        return dataclasses.replace(decision, variant=self.names[0], shadow=shadow)

    def router_for(self, decision: RouteDecision) -> Router:
        """The router whose config runs this decision's call (its plan, tiers, checks)."""
        return self.candidate if decision.variant == self.names[1] and self.mode == "ab" else self.control

    def plan(self, decision: RouteDecision, request: Request, **kw: Any) -> CallPlan:
        """The per-call engine of the router that made ``decision``; in shadow mode the
        candidate's decision goes into the records' ``metadata["shadow"]``."""
        return self.router_for(decision).plan(decision, _with_shadow(decision, request), **kw)

    async def aplan(self, decision: RouteDecision, request: Request, **kw: Any) -> CallPlan:
        """Async twin of :meth:`plan`."""
        router = self.router_for(decision)
        return await router.aplan(decision, _with_shadow(decision, request), **kw)

    def record_refused(self, request: Request, exc: BaseException, record_as: Any) -> None:
        """A call refused before it was decided (``RunnableRouter``'s budget check): the
        control records it, in the variant of its user / thread (:meth:`variant_for`); with
        neither, which variant would have decided it is unknown, and it counts as the
        control's (never as no variant, which ``stats --by variant`` would read as a variant
        named ``control``)."""
        key = request.user or request.thread_id
        name = self.variant_for(user=request.user, thread_id=request.thread_id) if key else self.names[0]
        self.control.record_refused(request, exc, record_as, variant=name)

    def record_feedback(self, call_id: str, score: float, *, source: str = "user") -> None:
        """Store the score once (in the shared ledger) and let both feedback loops count it."""
        self.control.record_feedback(call_id, score, source=source)
        loop = self.candidate.feedback_loop
        if loop is not None:
            loop.note()

    async def arecord_feedback(self, call_id: str, score: float, *, source: str = "user") -> None:
        """Async twin of :meth:`record_feedback` (in a worker thread)."""
        await asyncio.to_thread(self.record_feedback, call_id, score, source=source)


def _classifier_failure(seen: RouteDecision | BaseException) -> str | None:
    """Why the candidate could not decide: its decision raised, or its router caught its
    classifier's error and fell back (a stand-in choice, not the candidate's decision)."""
    if isinstance(seen, BaseException):
        return f"{type(seen).__name__}: {redact(str(seen))}"
    if seen.classifier.endswith("(failed)"):
        why = next((r for r in seen.reasons if r.startswith("classifier failed: ")), "classifier failed")
        return why.removeprefix("classifier failed: ")
    return None


def _with_shadow(decision: RouteDecision, request: Request) -> Request:
    if decision.shadow is None or "shadow" in request.metadata:
        return request
    return dataclasses.replace(request, metadata={**request.metadata, "shadow": dict(decision.shadow)})


def _same_ledger(a: Any, b: Any) -> bool:
    """One ledger object, or two handles on one store (a SQLite file, a PostgreSQL URL)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    for attr in ("path", "url"):
        x, y = getattr(a, attr, None), getattr(b, attr, None)
        if isinstance(x, str) and x == y and x != ":memory:":
            return True
    path_a, path_b = getattr(a, "path", None), getattr(b, "path", None)
    if isinstance(path_a, str) and isinstance(path_b, str) and ":memory:" not in (path_a, path_b):
        from pathlib import Path

        return Path(path_a).resolve() == Path(path_b).resolve()
    return False


def _separate_feedback_loops(control: Router, candidate: Router, names: tuple[str, str]) -> None:
    """Each variant's loop counts its own calls only; two loops may not share one knob."""
    loops = [(r, n) for r, n in zip((control, candidate), names) if r.config.feedback.auto_adjust]
    if len(loops) == 2 and control.config.feedback.key == candidate.config.feedback.key:
        key = control.config.feedback.key
        raise ConfigError(
            f"both variants run the feedback loop on the knob key {key!r}, so one would move "
            "the other's knob; give each config its own feedback.key (e.g. "
            f"{names[0]!r} and {names[1]!r})",
            field="feedback.key",
            value=key,
        )
    for router, name in loops:
        loop = router.feedback_loop
        if loop is not None:
            loop.variant = name
