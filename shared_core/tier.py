"""A tier: one model with its own system prompt, output budget, prices and abilities."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from .bounds import MAX_PRICE_PER_MTOK, MAX_SECONDS, refuse_bool_number

SystemPromptMode = Literal["merge", "prepend", "replace", "off"]


class Tier(BaseModel):
    """One rung of the ladder (difficulty configs) or one route (task configs)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(min_length=1)
    """Tier name, unique in a config (``simple``, ``coding``...)."""
    model: str = Field(min_length=1)
    """Model id sent to the provider, e.g. ``gpt-4o-mini``; may carry a ``provider:`` prefix."""
    system_prompt: str | None = None
    """This tier's own system prompt; ``None`` leaves the caller's messages alone."""
    system_prompt_mode: SystemPromptMode = "merge"
    """merge: tier text first, then the caller's system message; prepend: a separate system
    message before the caller's; replace: drop the caller's; off: never add it."""
    max_tokens: int | None = Field(default=None, gt=0)
    """Output budget applied unless the caller set one."""
    input_price: float | None = Field(default=None, ge=0, le=MAX_PRICE_PER_MTOK)
    """USD per 1M input tokens; from the price table when omitted."""
    output_price: float | None = Field(default=None, ge=0, le=MAX_PRICE_PER_MTOK)
    """USD per 1M output tokens; from the price table when omitted."""
    cached_input_price: float | None = Field(default=None, ge=0, le=MAX_PRICE_PER_MTOK)
    """USD per 1M cached input tokens; defaults to the input price when unknown."""
    context_window: int | None = Field(default=None, gt=0)
    """Largest prompt + output in tokens: a request whose input tokens plus this tier's
    ``max_tokens`` do not fit skips the tier; ``None`` = unknown (never excluded for size)."""
    supports_tools: bool = True
    """The model can call tools: a request with tools bound skips tiers where this is false."""
    supports_vision: bool = False
    """The model takes images: a request with an image skips tiers where this is not true."""
    routes: list[str] = Field(default_factory=list)
    """Task configs: the classifier labels this tier serves (default: its own name)."""
    timeout_s: float | None = Field(default=None, gt=0, le=MAX_SECONDS)
    """Per-attempt timeout for this tier (falls back to the config's)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        return refuse_bool_number(cls, info.field_name, v)

    @field_validator("name")
    @classmethod
    def _name_is_simple(cls, v: str) -> str:
        if v != v.strip() or any(c in v for c in "\n\r\t"):
            raise ValueError("must not have surrounding whitespace or control characters")
        return v

    @property
    def labels(self) -> list[str]:
        """The classifier labels that select this tier in a task config."""
        return self.routes or [self.name]

    @property
    def bare_model(self) -> str:
        """The model id without a ``provider:`` prefix."""
        from .pricing import split_provider

        return split_provider(self.model)[1]
