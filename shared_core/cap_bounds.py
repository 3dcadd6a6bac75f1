"""Can ``budget.per_request_cap_usd`` bound every attempt a router plans?

The cap refuses an attempt whose worst case (input plus the output budget, at the tier's
prices) would take the request past it. A tier with no ``max_tokens`` (an unbounded output)
or no known price has no worst case, so the cap could not bound it: :func:`check_cap_bounds`
makes that a :class:`~shared_core.errors.ConfigError` when the router is built, naming each
such tier and what it lacks. An adapter that sends every call with an output budget of its
own (``RoutedChatModel(max_tokens=...)``) needs no tier's; should a worst case still be unknown
when a call is planned, :func:`cap_refusal` refuses the attempt before it is sent, as it refuses
one whose worst case would pass the cap.

Two configs build but do not do what they seem to ask, so each is one WARNING on the
``tier_router`` logger when the router is built (skipped when the adapter bounds every call):
hard limits over tiers with no ``max_tokens`` (:func:`warn_unheld_limits`: such a call holds
nothing, so one long answer may pass a limit alone), and a cap below a tier's output worst
case alone (:func:`warn_cap_below_tiers`: every request routed there is refused).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .errors import ConfigError, RequestCostCapError

if TYPE_CHECKING:
    from .config import RouterConfig
    from .pricing import PriceTable
    from .tier import Tier

logger = logging.getLogger("tier_router")

_FIX = {
    "max_tokens": "set max_tokens on the tier, or on the RoutedChatModel / RoutedLLM to bound "
    "every call",
    "price": "set input_price and output_price (USD per 1M tokens) on the tier, or register the "
    "model with PriceTable.register()",
}


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


def check_cap_bounds(config: RouterConfig, prices: PriceTable, *, max_tokens: bool = True) -> None:
    """:class:`ConfigError` naming every tier whose worst case the per-request cap could not
    bound (see :func:`missing_bounds`); nothing when no cap is set."""
    cap = config.budget.per_request_cap_usd
    if cap is None:
        return
    missing = missing_bounds(config, prices, max_tokens=max_tokens)
    if not missing:
        return
    parts = [
        f"tier {t.name!r} ({t.model}) has "
        + " and ".join("no max_tokens" if x == "max_tokens" else "no known price" for x in lacks)
        for t, lacks in missing
    ]
    fixes = [x for x in _FIX if any(x in lacks for _, lacks in missing)]
    first, lacks = missing[0]
    raise ConfigError(
        f"budget.per_request_cap_usd is ${cap:.6f}, but {'; '.join(parts)}: the worst case of an "
        f"attempt on such a tier is unknown, so the cap could not bound it ({'; '.join(_FIX[x] for x in fixes)})",
        field=f"tiers.{first.name}.{'max_tokens' if lacks[0] == 'max_tokens' else 'input_price'}",
        value=[t.name for t, _ in missing],
    )


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
