"""Can ``budget.per_request_cap_usd`` bound every attempt a router plans?

The cap refuses an attempt whose worst case (input plus the output budget, at the tier's
prices) would take the request past it. A tier with no ``max_tokens`` (an unbounded output)
or no known price has no worst case, so the cap could not bound it: :func:`check_cap_bounds`
makes that a :class:`~shared_core.errors.ConfigError` when the router is built, naming each
such tier and what it lacks. An adapter that sends every call with an output budget of its
own (``RoutedChatModel(max_tokens=...)``) needs no tier's; should a worst case still be unknown
when a call is planned, :func:`cap_refusal` refuses the attempt before it is sent, as it refuses
one whose worst case would pass the cap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ConfigError, RequestCostCapError

if TYPE_CHECKING:
    from .config import RouterConfig
    from .pricing import PriceTable
    from .tier import Tier

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
