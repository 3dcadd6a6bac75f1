"""`Router`: request in, `RouteDecision` out. Classifiers score; the policy decides."""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import RouterConfig
from .decision import RouteDecision
from .errors import ConfigError, RouterError
from .request import Request, extract
from .router_parts import RouterParts, _telemetry
from .tier_choice import TierChoice, new_call_id

if TYPE_CHECKING:
    from .budget import BudgetGuard
    from .cooldown import Cooldown
    from .dispatch import CallPlan
    from .feedback_loop import KnobController
    from .ledger import CostLedger
    from .ledger.base import Framework
    from .otel import OpenTelemetry
    from .pricing import PriceTable
    from .quality import AnswerCheck

__all__ = ["Router", "budget_scopes", "default_config_path", "new_call_id"]

_MAX_THREADS = 10_000
_REQUEST_KEYWORDS = frozenset(
    {"tools", "has_tools", "tool_choice_required", "structured_output", "thread_id", "user",
     "tags", "metadata"}
)


def default_config_path() -> Path:
    """The bundled 4-tier difficulty config (simple / medium / complex / frontier)."""
    return Path(str(resources.files("shared_core") / "data" / "default_config.yaml"))


class Router(RouterParts, TierChoice):
    """Routes requests to tiers. ``Router()`` uses the bundled 4-tier config.

    Args:
        config: a :class:`RouterConfig`, a path to a YAML/TOML file, or ``None``.
        classifier: overrides the classifier built from ``config.classifier``.
        ledger: a :class:`CostLedger`, a SQLite path, a ``postgresql://`` URL, or ``None``
            for ``config.ledger.url`` (in memory when that is unset too).
        prices: a :class:`PriceTable` (default: genai-prices + tier overrides).
        judge_complete: what the ``judge`` classifier calls to label a request.
        encoder: what the ``embedding`` classifier calls to embed a request.
        checks: extra answer checks (``text -> bool``) for escalation.
        telemetry: OpenTelemetry spans and metrics: an :class:`~shared_core.otel.OpenTelemetry`
            (its own tracer / meter providers), ``True`` (the global providers), ``False``
            (off), or ``None`` (``config.telemetry.opentelemetry`` decides; off by default).
    """

    def __init__(
        self,
        config: RouterConfig | str | Path | Mapping[str, Any] | None = None,
        *,
        classifier: Any = None,
        ledger: CostLedger | str | Path | None = None,
        prices: PriceTable | None = None,
        judge_complete: Any = None,
        encoder: Any = None,
        checks: Sequence[AnswerCheck] = (),
        telemetry: OpenTelemetry | bool | None = None,
        _calls_bounded: bool = False,
        _decide_only: bool = False,
    ) -> None:
        # _calls_bounded: an adapter sends every call with an output budget of its own (its
        # max_tokens), or admits its routes' calls itself (RunnableRouter), or no call is made
        # (the CLI's decide-only commands), so under a per-request cap no WARNING about tiers
        # with no max_tokens (a price is still needed). _decide_only: no call is made nor
        # recorded (the CLI's route, simulate, demo, calibrate), so no WARNING that a tier's
        # calls will be recorded at an unknown cost (a cost the command projects warns itself)
        self.config = _as_config(config)
        self._classifier = classifier
        self._judge_complete = judge_complete
        self._encoder = encoder
        self._ledger_arg = ledger
        self._ledger: CostLedger | None = None
        if isinstance(ledger, (str, Path)) or (ledger is None and self.config.ledger.url):
            # opened (and checked writable) now: a bad path or URL fails here, not after a
            # paid call; a postgresql:// URL opens a PostgresLedger, anything else SQLite
            self._ledger = self._build_ledger()
        self._prices = prices
        self.checks: list[AnswerCheck] = list(checks)
        self._threads: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._init_lock = threading.RLock()
        self._cooldown: Cooldown | None = None
        self._budget: BudgetGuard | None = None
        self._feedback_loop: KnobController | None = None
        self._relative_costs: list[float] | None = None
        self._label_to_tier = {
            label: i for i, t in enumerate(self.config.tiers) for label in t.labels
        }
        self._task_labels = list(self._label_to_tier)
        self._all_names = tuple(self.config.tier_names)
        self._max_budget = max((t.max_tokens or 0) for t in self.config.tiers)
        self._min_window = min(
            (t.context_window for t in self.config.tiers if t.context_window is not None),
            default=1 << 62,
        )
        self._baseline_tier = next(
            (t for t in self.config.tiers if t.model == self.baseline_model), None
        )
        if config is not None:  # (the bundled ladder is priced and in order: Router() skips this)
            from .pricing import default_price_table
            from .tier_models import check_tier_prices

            check_tier_prices(self.config, prices or default_price_table(), warn=not _decide_only)
        self.telemetry: OpenTelemetry | None = _telemetry(telemetry, self.config)
        """The router's OpenTelemetry output, ``None`` when off."""
        # every option is checked now, not at the first (possibly paid) call
        if classifier is None:
            from .classifiers import check_classifier_config

            check_classifier_config(
                self.config.classifier, self.config, judge_complete=judge_complete
            )
        from .cap_bounds import check_budget_config

        check_budget_config(self.config, self.prices, calls_bounded=_calls_bounded or _decide_only)
        if self.config.feedback.auto_adjust and self.config.mode == "task":
            raise ConfigError(
                "feedback.auto_adjust moves policy.threshold, which only mode: difficulty reads "
                "(task routes send each request to its best-scoring route); turn the loop off or "
                "use mode: difficulty",
                field="feedback.auto_adjust",
                value=True,
            )

    @property
    def baseline_model(self) -> str:
        return self.config.baseline_model or self.config.tiers[-1].model

    def relative_costs(self) -> list[float]:
        """Blended price of each tier relative to the strongest (for the utility rule)."""
        if self._relative_costs is None:
            from .tier_models import tier_relative_costs

            self._relative_costs = tier_relative_costs(self.config, self.prices)
        return self._relative_costs

    # -- deciding -----------------------------------------------------------------
    def request(self, messages: Any, **kw: Any) -> Request:
        """The :class:`Request` the classifier sees for these messages.

        Takes the same keywords as :meth:`decide` (``tools`` or ``has_tools``, ...).
        """
        return self._request(messages, kw)

    def decide(
        self, messages: Any, *, force: str | None = None, record_as: Framework | None = None,
        **kw: Any,
    ) -> RouteDecision:
        """Choose a tier for ``messages`` (a string or a list of ``{role, content}`` dicts).

        Keyword arguments: ``tools``, ``tool_choice_required``, ``structured_output``,
        ``thread_id``, ``user``, ``tags``, ``metadata``; ``force`` picks a tier or model;
        ``record_as="core"`` when a :meth:`plan` will follow (see :meth:`decide_request`).
        """
        t0 = time.perf_counter_ns()
        request = self._request(messages, kw)
        return self.decide_request(request, force=force, record_as=record_as, _t0=t0)

    async def adecide(
        self, messages: Any, *, force: str | None = None, record_as: Framework | None = None,
        **kw: Any,
    ) -> RouteDecision:
        """Async twin of :meth:`decide` (awaits classifiers that do I/O)."""
        t0 = time.perf_counter_ns()
        request = self._request(messages, kw)
        return await self.adecide_request(request, force=force, record_as=record_as, _t0=t0)

    def decide_request(
        self, request: Request, *, force: str | None = None, record_as: Framework | None = None,
        variant: str | None = None, _t0: int | None = None, _paid: tuple[Any, ...] = (),
    ) -> RouteDecision:
        """:meth:`decide` for a built :class:`Request`.

        ``record_as``: a call will follow this decision (its plan records it), so a caller
        that stops it while it is still being decided (a task cancelled while an LLM judge
        or the ledger answers, Ctrl-C) gets an ``abandoned`` record under this framework
        (the adapters pass theirs); ``None`` (decide-only use, ``RunnableRouter``) records
        nothing. ``variant``: the A/B variant that record belongs to (``_paid``: LLM calls a
        shadow variant already made for this request, which that record pays)."""
        t0 = _t0 or time.perf_counter_ns()
        eligible, reasons = self._eligible(request)
        if force is not None:
            return self._forced(request, force, eligible, reasons, t0)
        if not request.text.strip():
            return self._no_text(request, eligible, reasons, t0)
        cls = None
        try:
            try:
                cls = self.classifier.classify(request)
            except RouterError:
                raise
            except Exception as exc:
                cls = self._classifier_failed(exc)
            return self._finish(request, cls, eligible, reasons, t0)
        except BaseException as exc:  # Ctrl-C in a judge's blocking call: still recorded
            if record_as is not None and not isinstance(exc, Exception):
                self.record_stopped(request, exc, record_as, cls=cls, variant=variant, paid=_paid)
            raise

    async def adecide_request(
        self, request: Request, *, force: str | None = None, record_as: Framework | None = None,
        variant: str | None = None, _t0: int | None = None, _paid: tuple[Any, ...] = (),
    ) -> RouteDecision:
        """Async twin of :meth:`decide_request`."""
        t0 = _t0 or time.perf_counter_ns()
        eligible, reasons = self._eligible(request)
        if force is not None:
            return self._forced(request, force, eligible, reasons, t0)
        if not request.text.strip():
            return self._no_text(request, eligible, reasons, t0)
        cls = None
        try:
            try:
                cls = await self.classifier.aclassify(request)
            except RouterError:
                raise
            except Exception as exc:
                cls = self._classifier_failed(exc)
            guard = self.budget
            pressure = 0.0
            if guard is not None and self.config.mode != "task":
                pressure = await guard.apressure(budget_scopes(request))
            setting = await self._aloop_knob()
            return self._finish(request, cls, eligible, reasons, t0, pressure=pressure, setting=setting)
        except BaseException as exc:  # a task cancelled while the judge or the ledger answers
            if record_as is not None and not isinstance(exc, Exception):
                self.record_stopped(request, exc, record_as, cls=cls, variant=variant, paid=_paid)
            raise

    def plan(self, decision: RouteDecision, request: Request, **kw: Any) -> CallPlan:
        """The per-call engine (attempts, fallback, escalation, ledger) for a decision.

        The call's budget reservation is taken by its first ``next_attempt()`` (or
        ``await anext_attempt()``, which does not block the event loop): a hard limit it
        does not fit raises :class:`BudgetExceededError` before any provider is called.
        """
        return _call_plan_class()(self, decision, request, **kw)

    async def aplan(self, decision: RouteDecision, request: Request, **kw: Any) -> CallPlan:
        """Async twin of :meth:`plan`: the reservation awaits the ledger."""
        plan = _call_plan_class()(self, decision, request, **kw)
        await plan.aopen()
        return plan

    def on_budget_alert(self, callback: Any) -> Any:
        """Register ``callback(BudgetAlert)`` for the limits' ``alert_at`` crossings (also a
        decorator). Needs at least one budget limit."""
        guard = self.budget
        if guard is None:
            raise ConfigError(
                "on_budget_alert needs a budget limit with alert_at in the config",
                field="budget.limits", value=[],
            )
        return guard.on_alert(callback)

    def record_feedback(self, call_id: str, score: float, *, source: str = "user") -> None:
        """Record a quality score in [0, 1] for a finished call (calibration, the feedback loop).

        Raises :class:`InputError` for a score that is not a number in [0, 1] (a bool, a
        string, NaN), as the ledger does, and :class:`UnknownCallError` (an ``InputError``)
        for a ``call_id`` the ledger holds no record of (after a short wait for a record still
        being written); nothing is stored then. The check reads the ledger, so a call another
        worker wrote to a shared ledger is known (:mod:`shared_core.call_feedback`).
        """
        from .call_feedback import check_call
        from .ledger.base import validate_feedback

        validate_feedback(call_id, score, source)
        check_call(self.ledger, call_id)
        self.ledger.record_feedback(call_id, float(score), source=source)
        loop = self.feedback_loop
        if loop is not None:
            loop.note()

    async def arecord_feedback(self, call_id: str, score: float, *, source: str = "user") -> None:
        """Async twin of :meth:`record_feedback`: the ledger write (and the feedback loop's
        check, when it is due) runs in a worker thread, so the event loop never waits on it."""
        import asyncio

        await asyncio.to_thread(self.record_feedback, call_id, score, source=source)

    @property
    def feedback_loop(self) -> KnobController | None:
        """The closed loop moving the knob (``feedback.auto_adjust``), else ``None``."""
        if not self.config.feedback.auto_adjust:
            return None
        loop = self._feedback_loop
        if loop is not None:
            return loop

        def build() -> KnobController:
            from .feedback_loop import KnobController

            return KnobController(self.config, self.ledger)

        return self._once("_feedback_loop", build)  # type: ignore[no-any-return]

    def knob(self) -> float:
        """The knob decisions use now: the shared one under the feedback loop, else the config's."""
        loop = self.feedback_loop
        return self.config.policy.threshold if loop is None else loop.knob()

    # -- stickiness ---------------------------------------------------------------
    def thread_floor(self, thread_id: str | None) -> int:
        if not (self.config.sticky and thread_id):
            return 0
        with self._lock:
            return self._threads.get(thread_id, 0)

    def note_thread(self, thread_id: str | None, index: int) -> None:
        """Raise a thread's floor to ``index`` (sticky configs only)."""
        if not (self.config.sticky and thread_id):
            return
        with self._lock:
            if index > self._threads.get(thread_id, -1):
                self._threads[thread_id] = index
            self._threads.move_to_end(thread_id)
            while len(self._threads) > _MAX_THREADS:
                self._threads.popitem(last=False)

    # -- internals ----------------------------------------------------------------
    def _request(self, messages: Any, kw: dict[str, Any]) -> Request:
        if not _REQUEST_KEYWORDS.issuperset(kw):
            unknown = set(kw) - _REQUEST_KEYWORDS
            raise TypeError(
                f"unknown keyword(s) for decide: {sorted(unknown)}; allowed: {sorted(_REQUEST_KEYWORDS)}"
            )
        if "tools" in kw:
            kw["has_tools"] = bool(kw.pop("tools"))
        return extract(messages, self.config.extraction, **kw)

    def _budget_pressure(self, request: Request) -> float:
        guard = self.budget
        if guard is None:
            return 0.0
        return guard.pressure(budget_scopes(request))

    def __repr__(self) -> str:
        names = ", ".join(self.config.tier_names)
        return f"Router(mode={self.config.mode!r}, tiers=[{names}], classifier={self.config.classifier.type!r})"


@functools.cache
def _call_plan_class() -> type[CallPlan]:
    """:class:`CallPlan`, imported on first use (its module loads the ledger package); a
    function-level import would cost ~0.5 µs on every call."""
    from .dispatch import CallPlan

    return CallPlan


def budget_scopes(request: Request) -> list[str]:
    """The budget scopes a request counts against: global, each tag, its user."""
    from .budget import request_scopes

    return request_scopes(request.tags, request.user)


def _as_config(config: RouterConfig | str | Path | Mapping[str, Any] | None) -> RouterConfig:
    if config is None:
        return RouterConfig.from_file(default_config_path())
    if isinstance(config, RouterConfig):
        return config
    if isinstance(config, (str, Path)):
        return RouterConfig.from_file(config)
    if isinstance(config, Mapping):
        return RouterConfig.build(dict(config))
    raise ConfigError(
        f"config must be a RouterConfig, a file path or a dict, got {type(config).__name__}",
        field="config", value=type(config).__name__,
    )


