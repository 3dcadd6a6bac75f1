"""Are the tiers' models priced, and does each inner model send the model its tier says?

:func:`check_tier_prices` (when a :class:`~shared_core.Router` is built from a config): a
ladder's prices go cheapest first; an explicit ``baseline_model`` with no known price is a
:class:`~shared_core.errors.ConfigError` (every saving would read against $0); tiers whose
model has no known price are named in one WARNING (their costs are recorded as unknown).

:func:`pricing_tier`: the tier whose prices price a call recorded from outside the router
(``CostCallbackHandler(router=...)``), as the router's own records are priced by their tier;
:func:`route_pricing`: the tier to hold such a call at, so the hold covers its record.

:func:`check_tier_models` (when an adapter is built):

A config names each tier's ``model`` (what the ledger records and prices); an adapter's
``tiers=`` gives the framework model that is actually called. When the two disagree, every
call is priced as one model while another answers. :func:`check_tier_models`:

* names equal up to a ``provider:`` prefix or a dated snapshot (``gpt-4o-mini`` and
  ``gpt-4o-mini-2024-07-18``): fine;
* both priced by the table, at different prices, and the tier sets no prices of its own:
  :class:`~shared_core.errors.ConfigError` (the ledger's costs would be wrong);
* otherwise different (an Azure deployment name, a tier priced by hand): one WARNING naming
  both, as the ledger records the config's model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .pricing import split_provider

if TYPE_CHECKING:
    from .config import RouterConfig
    from .pricing import PriceTable
    from .tier import Tier

logger = logging.getLogger("tier_router")

_SNAPSHOT = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{4}|\d{8}|latest|v\d+(?:\.\d+)*)$")


def same_model(a: str, b: str) -> bool:
    """Whether two model ids name one model (a provider prefix or a dated snapshot aside)."""
    x, y = _bare(a), _bare(b)
    return x == y or _SNAPSHOT.sub("", x) == _SNAPSHOT.sub("", y)


def _bare(model: str) -> str:
    """The id without a ``provider:`` prefix (a colon inside an id is none: ``split_provider``)."""
    return split_provider(model)[1].lower()


def check_tier_prices(config: RouterConfig, prices: PriceTable, *, warn: bool = True) -> None:
    """Price order (:func:`~shared_core.tier_defaults.check_price_order`), a priced baseline
    and a WARNING naming unpriced tiers (``warn`` false: none, for a router that makes and
    records no call); see the module."""
    from .tier_defaults import check_price_order

    check_price_order(config, prices)
    baseline = config.baseline_model
    if baseline is not None:
        tier = next((t for t in config.tiers if t.model == baseline), None)
        if prices.price(baseline, tier=tier) is None:
            raise ConfigError(
                f"baseline_model {baseline!r} has no known price, so every saving would read "
                "against $0: name a priced model, give a tier of that model input_price and "
                "output_price, or register its price (PriceTable.register)",
                field="baseline_model",
                value=baseline,
            )
    # a tier whose model is its own name stands for a route with no model id (RunnableRouter
    # routes, a fake chat model): nothing to price, and nothing to warn about at build time
    unpriced = [t for t in config.tiers if t.model != t.name and prices.price(t.model, tier=t) is None]
    if unpriced and warn:
        logger.warning(
            "no known price for tier(s) %s: their calls are recorded with cost unknown (None), and "
            "budgets cannot count them; set input_price/output_price on the tier",
            ", ".join(f"{t.name!r} ({t.model})" for t in unpriced),
        )
        prices.warned([t.model for t in unpriced])


def check_tier_models(ids: Mapping[str, str | None], config: RouterConfig, prices: PriceTable) -> None:
    """Check ``{tier name: inner model id}`` against ``config``'s tiers (see the module)."""
    for tier in config.tiers:
        inner = ids.get(tier.name)
        if not inner or inner == tier.name or same_model(inner, tier.model):
            continue
        priced_by_hand = tier.input_price is not None and tier.output_price is not None
        ours, theirs = prices.price(tier.model, tier=tier), prices.price(inner)
        if not priced_by_hand and ours is not None and theirs is not None and ours != theirs:
            raise ConfigError(
                f"tier {tier.name!r}: the config's model is {tier.model!r}, but its inner model "
                f"sends {inner!r}, which is priced differently: every call would be recorded at "
                f"{tier.model!r}'s prices. Make them the same model (the config's `model` or the "
                "inner model's), or set input_price/output_price on the tier",
                field=f"tiers.{tier.name}.model",
                value=inner,
            )
        logger.warning(
            "tier %r: the inner model sends %r while the config's model is %r; the ledger records "
            "and prices the call as %r",
            tier.name, inner, tier.model, tier.model,
        )


def pricing_tier(tiers: Sequence[Tier], *models: str | None, route: str | None = None) -> Tier | None:
    """The tier whose prices price a call to one of ``models`` (the model asked for, the
    model that answered) made outside the router, as a cost handler records it: the route's
    tier ``route`` when the call is that tier's model (a route may be a chain of several
    models), else the first tier of the call's model; ``None``: no tier (the price table's
    price alone). A router's own records are priced by the tier they call (``PriceTable.cost``
    with ``tier=``); this finds that tier for a call the router only saw from outside."""
    named = [m for m in models if m]
    if route is not None:
        tier = next((t for t in tiers if t.name == route), None)
        if tier is not None and any(same_model(m, tier.model) for m in named):
            return tier
    return next((t for t in tiers if any(same_model(m, t.model) for m in named)), None)


def route_pricing(tiers: Sequence[Tier], tier: Tier, model: str | None) -> Tier:
    """The tier to estimate a call of ``model`` made for route ``tier`` at, so that what is
    held covers what :func:`pricing_tier` will price its record at: that tier's prices (the
    route's when it is the route tier's model, else the config tier of ``model``), else the
    price table's price of ``model`` (the route tier's own prices dropped); ``tier`` itself
    when the route names no model. Its ``model`` is ``model``, and its ``max_tokens`` and
    system prompt are the route tier's."""
    if not model:
        return tier
    found = pricing_tier(tiers, model, route=tier.name)
    if found is None:
        unpriced = {"input_price": None, "output_price": None, "cached_input_price": None}
        return tier.model_copy(update={"model": model, **unpriced})
    if found is tier:
        return tier if model == tier.model else tier.model_copy(update={"model": model})
    return found.model_copy(update={
        "name": tier.name, "model": model, "max_tokens": tier.max_tokens,
        "system_prompt": tier.system_prompt, "system_prompt_mode": tier.system_prompt_mode,
    })


def tier_relative_costs(config: RouterConfig, prices: PriceTable) -> list[float]:
    """Each tier's blended price ``(input + 3 * output) / 4`` relative to the dearest, as the
    ``utility`` rule weighs them (a tier with no price: its position, 1, 2, ...)."""
    blended = []
    for i, t in enumerate(config.tiers):
        p = prices.price(t.model, tier=t)
        blended.append(p.blended if p is not None else float(i + 1))
    top = max(blended) or 1.0
    return [b / top for b in blended]


def check_router_models(ids: Mapping[str, str | None], router: Any) -> None:
    """:func:`check_tier_models` for an adapter's router: a :class:`~shared_core.Router`, or
    each variant's of a :class:`~shared_core.variants.VariantRouter`."""
    for each in getattr(router, "routers", (router,)):
        check_tier_models(ids, each.config, each.prices)
