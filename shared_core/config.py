"""`RouterConfig`: the whole routing setup, read from and written to YAML or TOML.

Validation errors are :class:`~shared_core.errors.ConfigError` and name the field,
the bad value and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from .config_files import MAX_YAML_NODES, config_error, read_config_file, write_config_file
from .config_sections import (
    DEFAULT_FALLBACK_ON,
    BudgetConfig,
    BudgetLimit,
    ClassifierConfig,
    ClassifierType,
    ErrorKind,
    EscalationConfig,
    ExtractionConfig,
    FallbackConfig,
    FeedbackConfig,
    LedgerConfig,
    PolicyConfig,
    RoutingRule,
    StrictModel,
    TelemetryConfig,
)
from .errors import ConfigError
from .tier import Tier

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_FALLBACK_ON",
    "MAX_YAML_NODES",
    "BudgetConfig",
    "BudgetLimit",
    "ClassifierConfig",
    "ClassifierType",
    "ErrorKind",
    "EscalationConfig",
    "ExtractionConfig",
    "FallbackConfig",
    "FeedbackConfig",
    "LedgerConfig",
    "PolicyConfig",
    "RouterConfig",
    "RoutingRule",
    "TelemetryConfig",
]

CONFIG_ENV = "TIER_ROUTER_CONFIG"
"""Environment variable naming a config file, read where no config is given: the
``tier-router`` commands and a ``RoutedChatModel`` built with neither ``tiers`` nor ``config``."""


class RouterConfig(StrictModel):
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
            raise config_error(exc, source, cls) from None
        if source:
            cfg.source_path = source
        return cfg

    @classmethod
    def from_file(cls, path: str | Path) -> RouterConfig:
        """Read YAML (``.yaml``/``.yml``) or TOML (``.toml``); JSON works too."""
        return cls.build(read_config_file(path), source=str(Path(path)))

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True, exclude={"source_path"})

    def to_file(self, path: str | Path) -> Path:
        """Write YAML, TOML or JSON by suffix; reading it back gives an equal config with the
        same fields given (defaults are left out, so an adapter still fills a tier's
        capabilities from its model where the config did not set them)."""
        return write_config_file(self.given_dict(), path)

    def given_dict(self) -> dict[str, Any]:
        """The fields given (in the file or dict it was built from, or set since, also inside a
        section that was not given), as plain data: what :meth:`to_file` writes.
        :meth:`to_dict` has every field."""
        return _given(self)

    def resolve_path(self, path: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(path)
        if not p.is_absolute() and self.source_path:
            p = Path(self.source_path).parent / p
        return p


def _given(model: BaseModel) -> dict[str, Any]:
    """``model``'s given fields as JSON data: those set on it, and every section (a nested
    model, or a list of them) holding a given field, however deep."""
    out: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if field.exclude or value is None:
            continue
        if isinstance(value, BaseModel):
            inner = _given(value)
            if inner or name in model.model_fields_set:
                out[name] = inner
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            if name in model.model_fields_set or any(_given(v) for v in value):
                out[name] = [_given(v) for v in value]
        elif name in model.model_fields_set:
            out[name] = model.model_dump(mode="json", include={name})[name]
    return out
