"""Can ``budget.per_request_cap_usd`` bound every attempt a router plans?

The cap refuses an attempt whose worst case (input plus the output budget, at the tier's
prices) would take the request past it. A tier with no known price has no worst case
whoever makes the call, so :func:`check_cap_bounds` makes it a
:class:`~shared_core.errors.ConfigError` when the router is built. A tier with no
``max_tokens`` (an unbounded output) has a worst case only when the call brings an output
budget of its own, which the model that makes the calls knows, not the router: a
``RoutedChatModel`` / ``RoutedLLM`` with its own ``max_tokens`` bounds every call, one without
fails when it is built (:func:`check_calls_bounded`), a ``RunnableRouter`` admits its routes'
calls under the cap one by one, and a decide-only use (the CLI's ``route``, ``simulate``) makes
none. So a :class:`~shared_core.Router` built on such a config only logs a WARNING naming
the tiers (:func:`warn_unbounded`); should a worst case still be unknown when a call is planned,
:func:`cap_refusal` refuses the attempt before it is sent, as it refuses one whose worst case
would pass the cap.

Two configs build but do not do what they seem to ask, so each is one WARNING on the
``tier_router`` logger when the router is built (skipped when the adapter bounds every call):
hard limits over tiers with no ``max_tokens`` (:func:`warn_unheld_limits`: such a call holds
nothing, so one long answer may pass a limit alone), and a cap below a tier's output worst
case alone (:func:`warn_cap_below_tiers`: every request routed there is refused).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, RequestCostCapError

if TYPE_CHECKING:
    from .config import RouterConfig
    from .pricing import PriceTable
    from .tier import Tier

logger = logging.getLogger("tier_router")

_PRICE_FIX = (
    "set input_price and output_price (USD per 1M tokens) on the tier, or register the model "
    "with PriceTable.register()"
)


def missing_bounds(
    config: RouterConfig, prices: PriceTable, *, max_tokens: bool = True
) -> list[tuple[Tier, list[str]]]:
    """Each tier whose worst case is unknown, with what it lacks (``"max_tokens"``,
    ``"price"``). ``max_tokens`` ``False``: every call brings an output budget of its own,
    so only prices count."""
    out = []
    for t in config.tiers:
        lacks = []
        if max_tokens and t.max_tokens is None:
            lacks.append("max_tokens")
        if prices.price(t.model, tier=t) is None:
            lacks.append("price")
        if lacks:
            out.append((t, lacks))
    return out


def check_cap_bounds(config: RouterConfig, prices: PriceTable) -> None:
    """:class:`ConfigError` naming every tier with no known price under a per-request cap (no
    output budget makes a call on it boundable); nothing when no cap is set."""
    cap = config.budget.per_request_cap_usd
    if cap is None:
        return
    unpriced = [t for t, _ in missing_bounds(config, prices, max_tokens=False)]
    if not unpriced:
        return
    raise ConfigError(
        f"budget.per_request_cap_usd is ${cap:.6f}, but {_named(unpriced)} "
        f"{'has' if len(unpriced) == 1 else 'have'} no known price: the worst case of an attempt "
        f"on such a tier is unknown, so the cap could not bound it ({_PRICE_FIX})",
        field=f"tiers.{unpriced[0].name}.input_price",
        value=[t.name for t in unpriced],
    )


def unbounded_tiers(config: RouterConfig) -> list[Tier]:
    """Under a per-request cap, the tiers with no ``max_tokens``: a call on one has a worst
    case only if it brings an output budget of its own (none when no cap is set)."""
    if config.budget.per_request_cap_usd is None:
        return []
    return [t for t in config.tiers if t.max_tokens is None]


def warn_unbounded(config: RouterConfig) -> None:
    """One WARNING (``tier_router`` logger) naming the tiers a Router's own calls would be
    refused on under its cap, unless each call brings an output budget (see the module)."""
    tiers = unbounded_tiers(config)
    if not tiers:
        return
    logger.warning(
        "budget.per_request_cap_usd is $%.6f, but %s %s no max_tokens: a call there has no "
        "known worst case unless it brings an output budget, so this Router's own calls on %s "
        "(Router.plan without caller_max_tokens) are refused before they are sent. Set "
        "max_tokens on the tier, or give the model that makes the calls a max_tokens of its own "
        "(RoutedChatModel / RoutedLLM max_tokens=...; without one they fail when built); a "
        "RunnableRouter admits its routes' calls under the cap one by one",
        config.budget.per_request_cap_usd, _named(tiers), "has" if len(tiers) == 1 else "have",
        "it" if len(tiers) == 1 else "them",
    )


def check_calls_bounded(
    router: Any, adapter: str, max_tokens: int | None, *, own_bound: bool = True
) -> None:
    """:class:`ConfigError` when ``adapter`` (``"RoutedChatModel"`` / ``"RoutedLLM"``), built
    with no ``max_tokens`` of its own, would make calls under a per-request cap on a tier
    with none: the worst case of those calls is unknown. ``router``: the
    :class:`~shared_core.config.RouterConfig` the adapter builds its router on, or the
    :class:`~shared_core.Router` / :class:`~shared_core.variants.VariantRouter` it is given
    (each variant checked). ``own_bound`` ``False``: the caller has no ``max_tokens=`` to
    offer (``tier-router demo --calls``), so the message names only the tiers' own."""
    if max_tokens is not None:
        return
    from .variants import VariantRouter

    if isinstance(router, VariantRouter):
        sources = [(f"router= (the VariantRouter's {n!r} variant): ", r.config)
                   for n, r in zip(router.names, router.routers)]
    else:
        sources = [("", getattr(router, "config", router))]
    for where, config in sources:
        tiers = unbounded_tiers(config)
        if tiers:
            raise ConfigError(
                f"{where}budget.per_request_cap_usd is ${config.budget.per_request_cap_usd:.6f}, "
                f"but {_named(tiers)} {'has' if len(tiers) == 1 else 'have'} no max_tokens and "
                f"this {adapter} sets none: the worst case of its calls there is unknown, so the "
                f"cap could not bound them (set max_tokens on the tier in the config"
                + (f", or {adapter}(max_tokens=...) to bound every call)" if own_bound else ")"),
                field=f"tiers.{tiers[0].name}.max_tokens",
                value=[t.name for t in tiers],
            )


def _named(tiers: list[Tier]) -> str:
    return ", ".join(f"tier {t.name!r} ({t.model})" for t in tiers)


def cap_refusal(
    cap: float, tier: Tier, worst: float | None, spent: float, judge: float = 0.0
) -> RequestCostCapError | None:
    """The error that refuses an attempt on ``tier`` costing at most ``worst`` (``None``:
    unknown) after the request spent ``spent`` (``judge`` of it: its judge's call, paid before
    the first attempt); ``None`` when it fits under ``cap``."""
    if worst is None:  # no output budget or no price: the cap could not bound it
        return unknown_worst_case(cap, tier)
    if spent + worst <= cap:
        return None
    of = f" (the judge's ${judge:.6f} included)" if judge else ""
    return RequestCostCapError(
        f"per-request cap ${cap:.6f}: attempt on {tier.name!r} would cost about ${worst:.6f} "
        f"after ${spent:.6f} already spent{of}"
    )


def unknown_worst_case(cap: float, tier: Tier) -> RequestCostCapError:
    """The refusal of an attempt on ``tier`` whose worst case is unknown at call time (no
    output budget, or no price): the cap could not bound it, so it is not sent."""
    return RequestCostCapError(
        f"per-request cap ${cap:.6f}: tier {tier.name!r} has no max_tokens (and the call set "
        "none) or no known price, so the worst case of an attempt on it is unknown and the cap "
        "could not be kept; it was not sent (set max_tokens, and input_price / output_price for "
        "a model with no known price)"
    )


UNHELD = (
    "hard budget limits are checked before it runs but nothing is reserved, and concurrent "
    "calls may pass a limit"
)
"""What a hard limit does for a call whose worst-case cost is unknown (RunnableRouter's
``UnboundedRouteWarning`` says the same of a route)."""


def warn_unheld_limits(config: RouterConfig, prices: PriceTable) -> None:
    """One WARNING on the ``tier_router`` logger when hard limits are set over tiers with no
    ``max_tokens``: allowed (the limit is checked against what is spent and held), but such a
    call holds nothing, so one long answer may pass a limit alone. The caller skips it when
    the adapter bounds every call itself."""
    if not config.budget.limits:
        return
    loose = [t for t in config.tiers if t.max_tokens is None]
    if not loose:
        return
    names = ", ".join(f"{t.name!r} ({t.model})" for t in loose)
    logger.warning(
        "budget.limits are set, but tier(s) %s have no max_tokens, so the worst-case cost of a "
        "call on them is unknown: %s (one long answer may pass it alone). Set max_tokens "
        "on those tiers (or on the RoutedChatModel / RoutedLLM to bound every call) to have "
        "their calls held.",
        names, UNHELD,
    )


def output_worst(tier: Tier, prices: PriceTable, max_tokens: int | None = None) -> float | None:
    """What ``tier``'s output alone may cost: ``max_tokens`` (default: the tier's) at its
    output price (``None``: no budget or no price)."""
    from .pricing import Usage

    n = tier.max_tokens if max_tokens is None else max_tokens
    if n is None:
        return None
    return prices.cost(tier.model, Usage(0, n), tier=tier)


def warn_unreachable(cap: float, worst: list[tuple[str, float]], *, what: str = "tier") -> None:
    """One WARNING on the ``tier_router`` logger naming each ``(name, output worst case)``
    over ``cap``: every attempt there is refused, so the requests routed there are too."""
    over = [(n, w) for n, w in worst if w > cap]
    if not over:
        return
    names = "; ".join(f"{what} {n!r} may write up to ${w:.6f} of output alone" for n, w in over)
    logger.warning(
        "budget.per_request_cap_usd is $%.6f, but %s: an attempt there is refused before it is "
        "sent, so every request routed there is refused (it does not move to a tier that fits). "
        "Lower that max_tokens, or raise the cap.",
        cap, names,
    )


def warn_cap_below_tiers(config: RouterConfig, prices: PriceTable) -> None:
    """:func:`warn_unreachable` for the tiers whose ``max_tokens`` at their output price
    alone is over ``per_request_cap_usd``."""
    cap = config.budget.per_request_cap_usd
    if cap is None:
        return
    worst = [(t.name, w) for t in config.tiers if (w := output_worst(t, prices)) is not None]
    warn_unreachable(cap, worst)


def warn_budget_gaps(config: RouterConfig, prices: PriceTable) -> None:
    """Both build WARNINGs (:func:`warn_unheld_limits`, :func:`warn_cap_below_tiers`), for a
    router whose calls are sent with their tiers' ``max_tokens``."""
    warn_unheld_limits(config, prices)
    warn_cap_below_tiers(config, prices)


def check_budget_config(config: RouterConfig, prices: PriceTable, *, calls_bounded: bool) -> None:
    """Every budget check a router makes when it is built, in one place: a tier with no price
    under a cap or a hard limit is a :class:`ConfigError` (budgets count known costs only, so it
    would never be limited); a cap over unbounded tiers and the budget configs that do not do
    what they seem to are WARNINGs (skipped when the adapter's own output budget bounds every
    call)."""
    if config.budget.per_request_cap_usd is not None:
        check_cap_bounds(config, prices)  # no price: a ConfigError
        if not calls_bounded:  # no max_tokens: this Router's own calls there are refused
            warn_unbounded(config)
    elif config.budget.limits:
        unpriced = [t.name for t in config.tiers if prices.price(t.model, tier=t) is None]
        if unpriced:
            raise ConfigError(
                f"budget limits are set but tier(s) {unpriced} have no known price, so their calls "
                "could never be counted against a budget; set input_price and output_price (USD per "
                "1M tokens) on those tiers, or register the models with PriceTable.register()",
                field="tiers.input_price",
                value=unpriced,
            )
    if not calls_bounded:  # (an adapter's own output budget replaces the tiers')
        warn_budget_gaps(config, prices)
