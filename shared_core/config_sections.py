"""The sections of a router config (classifier, policy, extraction, escalation, fallback,
budget, ledger, telemetry, feedback): one pydantic model each, strict about unknown keys.

:class:`~shared_core.config.RouterConfig` holds one of each; every name here is importable
from :mod:`shared_core.config` too.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .bounds import MAX_SECONDS, refuse_bool_number

ClassifierType = Literal["embedded", "rules", "embedding", "judge", "cascade", "trained", "task", "fake"]
RoutingRule = Literal["threshold", "margin", "utility"]
ErrorKind = Literal[
    "rate_limit", "timeout", "connection", "server", "content_filter", "bad_response",
    "context_length", "other",
]


DEFAULT_FALLBACK_ON: tuple[ErrorKind, ...] = (
    "rate_limit", "timeout", "connection", "server", "content_filter", "bad_response",
    "context_length",
)


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        return refuse_bool_number(cls, info.field_name, v)


class ClassifierConfig(StrictModel):
    """Which classifier scores requests. ``cascade`` runs ``stages`` in order."""

    type: ClassifierType = "embedded"
    path: str | None = None
    """A trained router file (``trained``), relative to the config file when relative."""
    accept_confidence: float | None = Field(default=None, ge=0, le=1)
    """In a cascade: accept this stage when its confidence is at least this."""
    stages: list[ClassifierConfig] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)
    """Free-form options for the classifier's constructor (e.g. examples, labels)."""

    @model_validator(mode="after")
    def _cascade_has_stages(self) -> ClassifierConfig:
        if self.type == "cascade" and not self.stages:
            raise ValueError("classifier.type 'cascade' needs at least one entry in 'stages'")
        if self.type == "trained" and not self.path:
            raise ValueError("classifier.type 'trained' needs 'path' to a router file")
        return self


class PolicyConfig(StrictModel):
    """How scores become a tier."""

    rule: RoutingRule = "threshold"
    """threshold: cheapest tier whose score >= threshold; margin: cheapest tier within
    ``1 - threshold`` of the best score; utility: best score minus a cost weight that
    falls as threshold rises. Task configs always pick the best label."""
    threshold: float = Field(default=0.5, ge=0, le=1)
    """The knob, 0 = cheapest ... 1 = strongest. Higher never picks a cheaper tier."""
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    """Below this classifier confidence the decision is 'unsure'."""
    min_gap: float = Field(default=0.0, ge=0, le=1)
    """Task configs: a best-vs-second score gap below this is 'unsure'."""
    fallback_tier: str | None = None
    """Tier used when unsure (task configs) or when the classifier fails."""
    unsure_go_up: bool = True
    """Difficulty configs: when unsure, go one tier up instead of to ``fallback_tier``."""


class ExtractionConfig(StrictModel):
    """Which text of a request is classified."""

    history_turns: int = Field(default=2, ge=0)
    """Earlier user/assistant turns included before the last user turn."""
    history_chars: int = Field(default=1000, ge=0)
    """At most this many characters of earlier turns."""
    max_chars: int = Field(default=4000, ge=64)
    """Longer text is cut to head + tail of this total size."""
    head_fraction: float = Field(default=0.75, gt=0, lt=1)
    include_system: bool = False
    """Classify the caller's system message too (off: templates are not the request)."""


class EscalationConfig(StrictModel):
    """Quality checks on an answer; a failed check retries one tier up."""

    enabled: bool = True
    max_escalations: int = Field(default=1, ge=0)
    min_length: int = Field(default=0, ge=0)
    """Answers shorter than this (characters, text only) fail, unless they call a tool."""
    refusal_check: bool = True
    """Refusal / uncertainty phrases ("I can't help", "I'm not sure") fail."""
    refusal_phrases: list[str] = Field(default_factory=list)
    """Extra phrases (case-insensitive) that count as refusals."""
    require_json: bool = False
    """The answer must parse as JSON."""
    require_tool_call_when_forced: bool = True
    """When ``tool_choice`` demands a tool, an answer without a tool call fails."""
    buffer_streams: bool = False
    """Buffer streamed answers so whole-answer checks apply (otherwise they do not)."""
    truncated_check: bool = False
    """An answer the provider cut at the token budget (finish reason ``length`` /
    ``max_tokens``) fails, so a tier with a larger budget answers; off: a cut answer may be
    what a tier's ``max_tokens`` is for."""


class FallbackConfig(StrictModel):
    """What happens when a provider fails."""

    @model_validator(mode="before")
    @classmethod
    def _yaml_on_key(cls, data: Any) -> Any:
        # YAML 1.1 reads a bare `on:` key as the boolean True; take it as "on"
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data

    enabled: bool = True
    chain: list[str] | None = None
    """Order of tiers to try after the chosen one fails; default: the tiers above it,
    then the ones below it."""
    on: list[ErrorKind] = Field(default_factory=lambda: list(DEFAULT_FALLBACK_ON))
    """Error kinds that fall back to the next tier (``bad_response``: a malformed body is a
    provider failure too); ``other`` only when listed."""
    attempt_timeout_s: float | None = Field(default=None, gt=0, le=MAX_SECONDS)
    """Time one attempt may take (a stream: until its first chunk) before it counts as a
    ``timeout`` and falls back; a tier's ``timeout_s`` wins. The bundled config, and an
    adapter given tiers but no config, use 60 s; ``None``: no bound but the inner client's."""
    deadline_s: float | None = Field(default=None, gt=0, le=MAX_SECONDS)
    """Overall time for one request across all attempts."""
    cooldown_failures: int = Field(default=3, ge=1)
    """Consecutive failures after which a tier is skipped for ``cooldown_s``."""
    cooldown_s: float = Field(default=30.0, ge=0, le=MAX_SECONDS)


class BudgetLimit(StrictModel):
    scope: str = "global"
    """``global``, ``tag:<name>``, ``user:<id>``."""
    period: Literal["day", "month", "total"] = "day"
    limit_usd: float = Field(gt=0)
    soft_fraction: float = Field(default=0.8, gt=0, le=1)
    """From this share of the limit on, routing shifts toward cheaper tiers."""
    curve: float = Field(default=1.0, gt=0, le=10)
    """Shape of that shift: pressure = ((share - soft) / (1 - soft)) ** curve."""
    alert_at: list[float] = Field(default_factory=list)
    """Fractions of the limit (e.g. ``[0.5, 0.8, 1.0]``) whose crossing fires the alert
    callbacks and a WARNING on the ``tier_router`` logger, once per period across every
    worker sharing the ledger."""

    @field_validator("alert_at")
    @classmethod
    def _fractions_ok(cls, v: list[float]) -> list[float]:
        for f in v:
            if not 0.0 < f <= 1.0:
                raise ValueError(f"alert_at fractions must be in (0, 1], got {f!r}")
        return sorted(set(v))

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, v: str) -> str:
        kind, sep, value = v.partition(":")
        if v != "global" and not (sep and kind in ("tag", "user") and value):
            raise ValueError(
                f"budget scope must be 'global', 'tag:<name>' or 'user:<id>', got {v!r}"
            )
        return v


class BudgetConfig(StrictModel):
    limits: list[BudgetLimit] = Field(default_factory=list)
    per_request_cap_usd: float | None = Field(default=None, gt=0)
    """USD one request may spend across its attempts, its judge's call included: an attempt
    whose worst case (input plus output budget, at the tier's prices) would pass it is not
    sent. Every tier then needs a ``max_tokens`` and a known price (a ``ConfigError`` when the
    router is built), unless the adapter bounds every call itself (its own ``max_tokens``)."""
    reservation_ttl_s: float = Field(default=600.0, gt=0)
    """A call's reservation expires after this long, so a crashed worker cannot hold
    budget for ever; each escalation or fallback renews it."""
    on_ledger_error: Literal["open", "closed"] = "open"
    """When the ledger cannot be reached to reserve: ``open`` lets the call through
    unreserved (a WARNING is logged; spend may pass the limit while it lasts), ``closed``
    refuses it with ``BudgetUnavailableError``."""


class LedgerConfig(StrictModel):
    store_prompts: bool = False
    """Store prompt text (off: only a salted hash)."""
    url: str | None = None
    """Where records go when no ledger is passed: a SQLite file path, or a
    ``postgresql://`` URL (needs the ``postgres`` extra). ``None``: in memory."""


class TelemetryConfig(StrictModel):
    """OpenTelemetry output (the ``otel`` extra). Fallback and escalation WARNINGs on the
    ``tier_router`` logger are always on."""

    opentelemetry: bool = False
    """A span per routed call and the router's metrics, through the global tracer and meter
    providers (``Router(telemetry=OpenTelemetry(...))`` names others)."""


class FeedbackConfig(StrictModel):
    """The closed loop: move the knob from logged outcomes (feedback scores, escalations).

    Opt-in. Outcomes of calls answered below the strongest tier are read from the ledger
    over a sliding ``window``; a success rate under ``low`` moves ``policy.threshold`` up
    one ``step``, one at or above ``high`` lets it come down one step, never outside
    ``bounds``. After a change only calls routed with the new knob count, so one piece of
    evidence never moves it twice. The knob lives in the ledger: workers sharing a ledger
    share it. See :mod:`shared_core.feedback_loop`.
    """

    auto_adjust: bool = False
    window: int = Field(default=200, ge=10)
    """Outcomes (calls with feedback or an escalation) per decision."""
    bounds: tuple[float, float] = (0.0, 1.0)
    """Floor and ceiling of the knob."""
    step: float = Field(default=0.05, gt=0, le=0.5)
    low: float = Field(default=0.8, ge=0, le=1)
    """Success rate below which the cheaper tiers under-serve: knob up."""
    high: float = Field(default=0.97, ge=0, le=1)
    """Success rate at or above which they over-serve: knob down."""
    key: str = "default"
    """Name of the shared knob in the ledger (routers with different configs: different keys)."""

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackConfig:
        lo, hi = self.bounds
        if not 0.0 <= lo <= hi <= 1.0:
            raise ValueError(f"feedback.bounds must satisfy 0 <= floor <= ceiling <= 1, got {self.bounds}")
        if self.low >= self.high:
            raise ValueError(
                f"feedback.low ({self.low}) must be below feedback.high ({self.high}): the band "
                "between them is where the knob holds still"
            )
        return self
