"""`RouterConfig`: the whole routing setup, read from and written to YAML or TOML.

Validation errors are :class:`~shared_core.errors.ConfigError` and name the field,
the bad value and what is allowed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .bounds import MAX_SECONDS, refuse_bool_number
from .errors import ConfigError
from .tier import Tier

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ClassifierType = Literal["embedded", "rules", "embedding", "judge", "cascade", "trained", "task", "fake"]
RoutingRule = Literal["threshold", "margin", "utility"]
ErrorKind = Literal[
    "rate_limit", "timeout", "connection", "server", "content_filter", "bad_response", "other"
]


CONFIG_ENV = "TIER_ROUTER_CONFIG"
"""Environment variable naming a config file, read where no config is given: the
``tier-router`` commands and a ``RoutedChatModel`` built with neither ``tiers`` nor ``config``."""

DEFAULT_FALLBACK_ON: tuple[ErrorKind, ...] = (
    "rate_limit", "timeout", "connection", "server", "content_filter", "bad_response"
)


MAX_YAML_NODES = 1_000_000
"""A YAML config may not expand (aliases followed) to more values than this."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        return refuse_bool_number(cls, info.field_name, v)


class ClassifierConfig(_Strict):
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


class PolicyConfig(_Strict):
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


class ExtractionConfig(_Strict):
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


class EscalationConfig(_Strict):
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


class FallbackConfig(_Strict):
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


class BudgetLimit(_Strict):
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


class BudgetConfig(_Strict):
    limits: list[BudgetLimit] = Field(default_factory=list)
    per_request_cap_usd: float | None = Field(default=None, gt=0)
    reservation_ttl_s: float = Field(default=600.0, gt=0)
    """A call's reservation expires after this long, so a crashed worker cannot hold
    budget for ever; each escalation or fallback renews it."""
    on_ledger_error: Literal["open", "closed"] = "open"
    """When the ledger cannot be reached to reserve: ``open`` lets the call through
    unreserved (a WARNING is logged; spend may pass the limit while it lasts), ``closed``
    refuses it with ``BudgetUnavailableError``."""


class LedgerConfig(_Strict):
    store_prompts: bool = False
    """Store prompt text (off: only a salted hash)."""
    url: str | None = None
    """Where records go when no ledger is passed: a SQLite file path, or a
    ``postgresql://`` URL (needs the ``postgres`` extra). ``None``: in memory."""


class TelemetryConfig(_Strict):
    """OpenTelemetry output (the ``otel`` extra). Fallback and escalation WARNINGs on the
    ``tier_router`` logger are always on."""

    opentelemetry: bool = False
    """A span per routed call and the router's metrics, through the global tracer and meter
    providers (``Router(telemetry=OpenTelemetry(...))`` names others)."""


class FeedbackConfig(_Strict):
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


class RouterConfig(_Strict):
    """Everything the router needs. Tiers are ordered cheapest to strongest."""

    mode: Literal["difficulty", "task"] = "difficulty"
    tiers: list[Tier]
    classifier: ClassifierConfig = Field(default_factory=ClassifierConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    extraction: ExtractionConfig = Field(default_factory=ExtractionConfig)
    escalation: EscalationConfig = Field(default_factory=EscalationConfig)
    fallback: FallbackConfig = Field(default_factory=FallbackConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    ledger: LedgerConfig = Field(default_factory=LedgerConfig)
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)
    feedback: FeedbackConfig = Field(default_factory=FeedbackConfig)
    baseline_model: str | None = None
    """Savings are measured against this model (default: the strongest tier's model)."""
    sticky: bool = False
    """Within one thread/session, never drop to a cheaper tier than earlier turns used."""
    allow_unordered: bool = False
    """Difficulty configs: accept tiers whose known prices fall along the ladder (by default
    that is an error at construction: tiers go cheapest first)."""
    source_path: str | None = Field(default=None, exclude=True)

    @field_validator("tiers")
    @classmethod
    def _tiers_ok(cls, tiers: list[Tier]) -> list[Tier]:
        if not tiers:
            raise ValueError("needs at least one tier")
        seen: set[str] = set()
        for t in tiers:
            if t.name in seen:
                raise ValueError(f"duplicate tier name {t.name!r}: tier names must be unique")
            seen.add(t.name)
        return tiers

    @model_validator(mode="after")
    def _references_exist(self) -> RouterConfig:
        names = [t.name for t in self.tiers]
        if self.policy.fallback_tier is not None and self.policy.fallback_tier not in names:
            raise ValueError(
                f"policy.fallback_tier {self.policy.fallback_tier!r} is not a tier; known: {names}"
            )
        lo, hi = self.feedback.bounds
        if self.feedback.auto_adjust and not lo <= self.policy.threshold <= hi:
            raise ValueError(
                f"policy.threshold {self.policy.threshold} is outside feedback.bounds {list(self.feedback.bounds)}: "
                "start the knob inside its floor and ceiling"
            )
        for n in self.fallback.chain or []:
            if n not in names:
                raise ValueError(f"fallback.chain names unknown tier {n!r}; known: {names}")
        return self

    # -- access -----------------------------------------------------------------
    @property
    def tier_names(self) -> list[str]:
        return [t.name for t in self.tiers]

    def tier(self, name: str) -> Tier:
        for t in self.tiers:
            if t.name == name:
                return t
        from .errors import UnknownModelError

        raise UnknownModelError(name, self.tier_names)

    def index(self, name: str) -> int:
        return self.tier_names.index(self.tier(name).name)

    # -- construction -------------------------------------------------------------
    @classmethod
    def build(cls, data: dict[str, Any], *, source: str | None = None) -> RouterConfig:
        """Validate a plain dict; errors become :class:`ConfigError` naming the field."""
        if not isinstance(data, dict):
            raise ConfigError(
                f"{source or 'config'}: top level must be a mapping, got {type(data).__name__}",
                field="(top level)",
                value=data,
            )
        try:
            cfg = cls.model_validate(data)
        except ValidationError as exc:
            raise _config_error(exc, source) from None
        if source:
            cfg.source_path = source
        return cfg

    @classmethod
    def from_file(cls, path: str | Path) -> RouterConfig:
        """Read YAML (``.yaml``/``.yml``) or TOML (``.toml``); JSON works too."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {p}", field="path", value=str(p)) from None
        except UnicodeDecodeError:
            raise ConfigError(
                f"{p}: not a UTF-8 text config (binary files such as pickles are never loaded)",
                field="path", value=str(p),
            ) from None
        suffix = p.suffix.lower()
        try:
            if suffix in (".yaml", ".yml"):
                data = yaml.safe_load(text)
                _check_expansion(data, p)
            elif suffix == ".toml":
                data = tomllib.loads(text)
            elif suffix == ".json":
                data = json.loads(text)
            else:
                raise ConfigError(
                    f"{p}: unknown config format {suffix!r}; allowed: .yaml, .yml, .toml, .json",
                    field="path",
                    value=str(p),
                )
        except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{p}: cannot parse: {exc}", field="(file)", value=str(p)) from None
        except RecursionError:
            raise ConfigError(
                f"{p}: cannot parse: nested too deeply", field="(file)", value=str(p)
            ) from None
        return cls.build(data, source=str(p))

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True, exclude={"source_path"})

    def to_file(self, path: str | Path) -> Path:
        """Write YAML or TOML by suffix; reading it back gives an equal config."""
        import tomli_w

        p = Path(path)
        data = self.to_dict()
        suffix = p.suffix.lower()
        if suffix in (".yaml", ".yml"):
            p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        elif suffix == ".toml":
            p.write_text(tomli_w.dumps(data), encoding="utf-8")
        elif suffix == ".json":
            p.write_text(json.dumps(data, indent=2), encoding="utf-8")
        else:
            raise ConfigError(
                f"unknown config format {suffix!r}; allowed: .yaml, .yml, .toml, .json",
                field="path",
                value=str(p),
            )
        return p

    def resolve_path(self, path: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(path)
        if not p.is_absolute() and self.source_path:
            p = Path(self.source_path).parent / p
        return p


def _check_expansion(data: Any, path: Path) -> None:
    """Refuse YAML whose aliases expand to more than :data:`MAX_YAML_NODES` values (an
    "alias bomb": a few lines that any later copy or walk would blow up) or refer to
    themselves. Shared values are sized once, so this takes time in the file's size."""
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()

    def size(obj: Any) -> int:
        key = id(obj)
        if key in sizes:
            return sizes[key]
        if isinstance(obj, dict):
            children: Any = list(obj.keys()) + list(obj.values())
        elif isinstance(obj, (list, tuple, set)):
            children = obj
        else:
            return 1
        if key in open_ids:
            raise ConfigError(
                f"{path}: a YAML alias refers to a value that contains it (a recursive config)",
                field="(file)", value=str(path),
            )
        open_ids.add(key)
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_YAML_NODES:
                raise ConfigError(
                    f"{path}: YAML aliases expand this config to more than {MAX_YAML_NODES:,} "
                    "values (an alias bomb?); write the values out or use fewer aliases",
                    field="(file)", value=str(path),
                )
        open_ids.discard(key)
        sizes[key] = total
        return total

    size(data)


def _config_error(exc: ValidationError, source: str | None) -> ConfigError:
    parts = []
    first_field = None
    first_value = None
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
        if first_field is None:
            first_field, first_value = loc, err.get("input")
        value = err.get("input")
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        allowed = ""
        ctx = err.get("ctx") or {}
        if "expected" in ctx:
            allowed = f" (allowed: {ctx['expected']})"
        elif err["type"] == "extra_forbidden":
            allowed = " (unknown field; check the spelling)"
        parts.append(f"{loc}: {err['msg']}; got {shown}{allowed}")
    prefix = f"{source}: " if source else ""
    return ConfigError(
        prefix + "invalid router config:\n  " + "\n  ".join(parts), field=first_field, value=first_value
    )
