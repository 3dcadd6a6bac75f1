"""Price order of a difficulty ladder, checked when the Router is built."""

from __future__ import annotations

import pytest

from shared_core import ConfigError, Router


def _cfg(*tiers: dict, **extra) -> dict:
    return {"tiers": list(tiers), **extra}


def test_known_prices_falling_along_the_ladder_are_an_error():
    with pytest.raises(ConfigError, match=r"not in price order: 'strong' \(gpt-4o.*'cheap' \(gpt-4o-mini") as info:
        Router(_cfg({"name": "strong", "model": "gpt-4o"}, {"name": "cheap", "model": "gpt-4o-mini"}))
    assert info.value.field == "tiers"


def test_allow_unordered_in_the_config_accepts_them():
    r = Router(
        _cfg({"name": "strong", "model": "gpt-4o"}, {"name": "cheap", "model": "gpt-4o-mini"}, allow_unordered=True)
    )
    assert r.config.tier_names == ["strong", "cheap"]


def test_unknown_prices_are_not_compared_and_tier_prices_count():
    Router(_cfg({"name": "a", "model": "gpt-4o"}, {"name": "b", "model": "my-own-model"}))
    with pytest.raises(ConfigError, match="not in price order"):
        Router(
            _cfg(
                {"name": "a", "model": "gpt-4o"},
                {"name": "b", "model": "my-own-model"},
                {"name": "c", "model": "my-cheap-model", "input_price": 0.1, "output_price": 0.2},
            )
        )


def test_task_configs_have_no_price_order():
    Router(
        _cfg(
            {"name": "coding", "model": "gpt-4o"},
            {"name": "chat", "model": "gpt-4o-mini"},
            mode="task",
            classifier={"type": "task"},
        )
    )


def test_the_bundled_ladder_is_in_price_order():
    """``Router()`` skips the check (no price lookups at construction): it must hold."""
    from shared_core.pricing import PriceTable
    from shared_core.tier_defaults import bundled_ladder, check_price_order

    check_price_order(bundled_ladder(), PriceTable())
    prices = [PriceTable().price(t.model) for t in bundled_ladder().tiers]
    blended = [(p.input + 3 * p.output) / 4 for p in prices]
    assert blended == sorted(blended)
