"""What a tier gets that its config does not say: the bundled ladder's prompts and budgets,
capabilities the inner model reports, and the price-order check of a difficulty ladder.

* :func:`ladder_tiers` — the tiers an adapter builds when given no config: a tier named like
  one of the bundled ladder's (``simple`` / ``medium`` / ``complex`` / ``frontier``) gets that
  tier's system prompt, and its ``max_tokens`` unless the inner model has a budget the user
  set (that one is the tier's); other names get a one-line :class:`TierDefaultsWarning`
  saying what to configure.
* :func:`with_model_budgets` — a config's tiers with no ``max_tokens`` take their inner
  model's own budget (what it sends anyway), so holds and caps count it.
* :class:`Capabilities` and :func:`with_capabilities` — tool calling, image input and context
  window as the inner model reports them (LangChain's ``profile``, LlamaIndex's
  ``metadata``), else as the bundled ladder knows them for the same model id; fields a tier
  sets itself always win.
* :func:`check_price_order` — a difficulty ladder whose known prices fall from one tier to a
  later one is a :class:`~shared_core.errors.ConfigError` unless ``allow_unordered``.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .config import RouterConfig
    from .pricing import PriceTable
    from .tier import Tier

logger = logging.getLogger("tier_router")

_LADDER_FIELDS = ("system_prompt", "system_prompt_mode", "max_tokens")


class TierDefaultsWarning(UserWarning):
    """A tier was built with no system prompt or output budget (no config names it)."""


@functools.cache
def bundled_ladder() -> RouterConfig:
    """The bundled 4-tier config (read once)."""
    from .config import RouterConfig
    from .router import default_config_path

    return RouterConfig.from_file(default_config_path())


def ladder_tiers(
    names_to_models: Mapping[str, str | None], model_budgets: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """Tier dicts for an adapter given no config, in the order of ``names_to_models``.

    ``model_budgets``: the output budget each tier's inner model was given by the user
    (:func:`~shared_core.output_budget.tier_budgets`); it is the tier's ``max_tokens``, the
    ladder's only fills the tiers whose model has none (``ChatOpenAI(max_tokens=50)`` on
    ``simple`` sends 50, as on a tier of any other name). Warns once
    (:class:`TierDefaultsWarning`) naming the tiers that match no ladder tier.
    """
    budgets = model_budgets or {}
    ladder = {t.name: t for t in bundled_ladder().tiers}
    out: list[dict[str, Any]] = []
    unknown: list[str] = []
    for name, model in names_to_models.items():
        entry: dict[str, Any] = {"name": name, "model": model or name}
        own = ladder.get(name)
        if own is None:
            unknown.append(name)
        else:
            entry.update({f: getattr(own, f) for f in _LADDER_FIELDS})
        if name in budgets:
            _take_budget(entry, budgets[name], own)
        out.append(entry)
    if unknown:
        lacks = _unknown_names(unknown, [n for n in unknown if n not in budgets], ladder)
        warnings.warn(lacks, TierDefaultsWarning, stacklevel=_caller_level())
    return out


_LOUD = 8
"""A model's own budget this many times the ladder tier's (or more) is logged at INFO."""


def _take_budget(entry: dict[str, Any], budget: int, own: Tier | None) -> None:
    """``entry`` (a tier dict) gets its inner model's ``budget``, unless the tier is a ladder
    tier (``own``) and the budget is one the model's class filled in by itself
    (:class:`~shared_core.output_budget.ModelDefault`: ``ChatAnthropic``'s 64,000): the
    ladder's then stays. One INFO when the two differ by more than :data:`_LOUD` times."""
    from .output_budget import ModelDefault

    ladder = own.max_tokens if own is not None else None
    keep = ladder is None or not isinstance(budget, ModelDefault)
    if keep:
        entry["max_tokens"] = int(budget)
    if ladder is not None and budget > _LOUD * ladder:
        name = entry["name"]
        if keep:
            logger.info(
                "tier-router: tier %r sends its model's own max_tokens=%d (the ladder's is %d): "
                "each call is budgeted and reserved for %d output tokens", name, budget, ladder, budget,
            )
        else:
            logger.info(
                "tier-router: tier %r: its model's max_tokens=%d is its class's default, not "
                "taken; the tier sends the ladder's %d (pass config= with max_tokens for more)",
                name, budget, ladder,
            )


def _unknown_names(unknown: list[str], unbudgeted: list[str], ladder: Collection[str]) -> str:
    """What tiers named outside the ladder lack (a model with its own budget lacks none)."""
    names = ", ".join(map(repr, unknown))
    if unbudgeted == unknown:
        lacks, give = f"{names} get no system prompt and no max_tokens", "system_prompt and max_tokens"
    elif unbudgeted:
        lacks = f"{names} get no system prompt and {', '.join(map(repr, unbudgeted))} no max_tokens"
        give = "system_prompt and max_tokens"
    else:
        lacks, give = f"{names} get no system prompt", "system_prompt"
    return (
        f"tier-router: tier(s) {lacks}: name tiers after the bundled ladder ({', '.join(ladder)}) "
        f"or pass config= with each tier's {give}"
    )


def with_model_budgets(cfg: RouterConfig, budgets: Mapping[str, int]) -> RouterConfig:
    """``cfg`` with each tier that has no ``max_tokens`` given its inner model's own budget
    (``budgets[tier name]``): what the model sends anyway, now what holds and per-request caps
    count as the call's worst case. A tier's own ``max_tokens`` is kept (the config's word)."""
    if not any(t.max_tokens is None and t.name in budgets for t in cfg.tiers):
        return cfg
    new = [
        t.model_copy(update={"max_tokens": budgets[t.name]})
        if t.max_tokens is None and t.name in budgets
        else t
        for t in cfg.tiers
    ]
    out = cfg.model_copy(update={"tiers": new})
    out.source_path = cfg.source_path
    return out


_OWN_PACKAGES = frozenset(
    {"shared_core", "langchain_router", "llamaindex_router", "pydantic", "langchain_core", "llama_index"}
)


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the user's line (the first frame outside
    this package, its adapters and the frameworks' constructors), not at our own code."""
    import sys

    frame = sys._getframe(1)  # the function that warns
    level = 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").split(".")[0] in _OWN_PACKAGES:
        frame = frame.f_back
        level += 1
    return level


@dataclass(frozen=True)
class Capabilities:
    """What an inner model can do; ``None`` = it does not say."""

    supports_tools: bool | None = None
    supports_vision: bool | None = None
    context_window: int | None = None

    def or_else(self, other: Capabilities) -> Capabilities:
        """These values, with ``other``'s where these are unknown."""
        return Capabilities(
            **{
                f.name: getattr(self, f.name)
                if getattr(self, f.name) is not None
                else getattr(other, f.name)
                for f in fields(self)
            }
        )


def known_capabilities(model: str) -> Capabilities:
    """What the bundled ladder states for this model id (unknown models: nothing)."""
    from .pricing import split_provider

    bare = split_provider(model)[1]
    for t in bundled_ladder().tiers:
        if t.bare_model == bare:
            return Capabilities(
                **{f.name: getattr(t, f.name) for f in fields(Capabilities) if f.name in t.model_fields_set}
            )
    return Capabilities()


def with_capabilities(cfg: RouterConfig, caps: Mapping[str, Capabilities]) -> RouterConfig:
    """``cfg`` with each tier's unset capability fields taken from ``caps[tier name]``, then
    from :func:`known_capabilities`; fields the tier sets itself are kept."""
    new: list[Tier] = []
    changed = False
    for t in cfg.tiers:
        found = caps.get(t.name, Capabilities()).or_else(known_capabilities(t.model))
        update = {
            f.name: getattr(found, f.name)
            for f in fields(Capabilities)
            if f.name not in t.model_fields_set
            and getattr(found, f.name) is not None
            and getattr(found, f.name) != getattr(t, f.name)
        }
        if update:
            changed = True
            t = t.model_copy(update=update)
        new.append(t)
    if not changed:
        return cfg
    out = cfg.model_copy(update={"tiers": new})
    out.source_path = cfg.source_path
    return out


def without_tools(cfg: RouterConfig, names: Collection[str]) -> RouterConfig:
    """``cfg`` with ``supports_tools`` off for the tiers in ``names``, whose models cannot call
    tools at all (even when the config says they can: routing them tools could only fail)."""
    if not any(t.supports_tools and t.name in names for t in cfg.tiers):
        return cfg
    new = [
        t.model_copy(update={"supports_tools": False}) if t.name in names else t for t in cfg.tiers
    ]
    out = cfg.model_copy(update={"tiers": new})
    out.source_path = cfg.source_path
    return out


def check_price_order(cfg: RouterConfig, prices: PriceTable) -> None:
    """Raise :class:`ConfigError` when a difficulty ladder's known prices fall along it.

    A tier's price is its blended USD per 1M tokens, ``(input + 3 * output) / 4``; tiers
    whose price is unknown are not compared. Task configs and ``allow_unordered`` skip it.
    """
    if cfg.mode != "difficulty" or cfg.allow_unordered or len(cfg.tiers) < 2:
        return
    dearest: tuple[Tier, float] | None = None
    for t in cfg.tiers:
        p = prices.price(t.model, tier=t)
        if p is None:
            continue
        blended = p.blended
        if dearest is not None and blended < dearest[1]:
            before, price = dearest
            raise ConfigError(
                f"tiers are not in price order: {before.name!r} ({before.model}, "
                f"${price:.4g}/1M tokens blended) comes before {t.name!r} ({t.model}, "
                f"${blended:.4g}/1M), but tiers go cheapest first. Reorder them, or set "
                "allow_unordered: true in the config (allow_unordered=True on "
                "RoutedChatModel / RoutedLLM) if this order is intended",
                field="tiers",
                value=[x.name for x in cfg.tiers],
            )
        if dearest is None or blended >= dearest[1]:
            dearest = (t, blended)
