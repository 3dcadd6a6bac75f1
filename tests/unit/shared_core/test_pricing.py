"""Prices: genai-prices for known models, tier overrides, unknown -> None + one warning."""

from __future__ import annotations

import logging
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_core.errors import ConfigError
from shared_core.pricing import (
    Price,
    PriceTable,
    Usage,
    default_price_table,
    estimate_tokens,
    provider_usage,
    split_provider,
)
from shared_core.tier import Tier


@pytest.fixture
def table() -> PriceTable:
    return PriceTable()


def test_known_model_priced_from_genai_prices(table: PriceTable) -> None:
    p = table.price("gpt-4o-mini")
    assert p is not None
    assert p.input == pytest.approx(0.15)
    assert p.output == pytest.approx(0.60)
    # 1M input + 1M output tokens
    assert table.cost("gpt-4o-mini", Usage(1_000_000, 1_000_000)) == pytest.approx(0.75)


def test_provider_prefix_is_understood(table: PriceTable) -> None:
    assert table.price("openai:gpt-4o") == table.price("gpt-4o")
    assert table.price("anthropic:claude-sonnet-4-5") is not None
    assert split_provider("openai:gpt-4o") == ("openai", "gpt-4o")
    assert split_provider("gpt-4o") == (None, "gpt-4o")


def test_cached_tokens_use_cached_price(table: PriceTable) -> None:
    # gpt-4o: input 2.5, cached 1.25, output 10 per 1M
    full = table.cost("gpt-4o", Usage(1_000_000, 0))
    half_cached = table.cost("gpt-4o", Usage(1_000_000, 0, cached_input_tokens=500_000))
    assert full == pytest.approx(2.5)
    assert half_cached == pytest.approx(0.5 * 2.5 + 0.5 * 1.25)


def test_tier_override_wins_field_by_field(table: PriceTable) -> None:
    tier = Tier(name="t", model="gpt-4o-mini", output_price=9.0)
    p = table.price("gpt-4o-mini", tier=tier)
    assert p is not None and p.output == 9.0 and p.input == pytest.approx(0.15)
    full = Tier(name="t", model="my-local-llama", input_price=1.0, output_price=2.0)
    assert table.cost("my-local-llama", Usage(1_000_000, 1_000_000), tier=full) == pytest.approx(
        3.0
    )
    # cached price defaults to the (overridden) input price
    assert table.cost("my-local-llama", Usage(10, 0, 10), tier=full) == pytest.approx(1e-5)
    cached = Tier(name="t", model="x", input_price=1.0, output_price=2.0, cached_input_price=0.1)
    assert table.cost("x", Usage(1_000_000, 0, 1_000_000), tier=cached) == pytest.approx(0.1)


def test_a_tier_repricing_input_of_a_known_model_drops_the_tables_cached_price(
    table: PriceTable,
) -> None:
    """gpt-4o's table price caches input at 1.25; a tier that re-prices input at 1.0 has not
    said what cached input costs, so cached tokens cost that 1.0, never the table's 1.25."""
    assert table.price("gpt-4o") == Price(2.5, 10.0, 1.25)
    tier = Tier(name="t", model="gpt-4o", input_price=1.0)
    assert table.price("gpt-4o", tier=tier) == Price(1.0, 10.0, None)
    usage = Usage(1_000_000, 1_000_000, cached_input_tokens=400_000)
    assert (
        table.cost("gpt-4o", usage, tier=tier) == (600_000 * 1.0 + 400_000 * 1.0 + 1e6 * 10.0) / 1e6
    )
    # a tier that re-prices only the output keeps the table's input and cached prices
    out_only = Tier(name="t", model="gpt-4o", output_price=8.0)
    assert table.price("gpt-4o", tier=out_only) == Price(2.5, 8.0, 1.25)


def test_a_registration_after_a_lookup_replaces_the_cached_price() -> None:
    table = PriceTable()
    assert table.price("gpt-4o-mini") == Price(0.15, 0.6, 0.075)  # now cached
    table.register("gpt-4o-mini", Price(0.1, 0.2))
    assert table.price("gpt-4o-mini") == Price(0.1, 0.2)
    assert table.cost("gpt-4o-mini", Usage(1_000_000, 1_000_000)) == 0.3


def test_unknown_model_is_none_with_one_warning(
    table: PriceTable, caplog: pytest.LogCaptureFixture
) -> None:
    # a fresh name: the warning is once per process, and a runner may run this test twice in one
    name = f"totally-unknown-model-{uuid.uuid4().hex}"
    with caplog.at_level(logging.WARNING, logger="shared_core.pricing"):
        assert table.cost(name, Usage(100, 100)) is None
        assert table.cost(name, Usage(5, 5)) is None
        assert PriceTable().cost(name, Usage(1, 1)) is None
    msgs = [r.getMessage() for r in caplog.records if name in r.getMessage()]
    assert len(msgs) == 1
    assert "None" in msgs[0] and "register" in msgs[0]
    # partially overridden tier on an unknown model is still unknown, not zero
    assert table.cost(name, Usage(1, 1), tier=Tier(name="t", model=name, input_price=1)) is None


def test_register_custom_model(table: PriceTable) -> None:
    table.register("acme:tiny", Price(0.5, 1.5))
    assert table.cost("acme:tiny", Usage(2_000_000, 0)) == pytest.approx(1.0)
    table.register("gpt-4o", Price(1.0, 1.0))  # re-price a known model
    assert table.price("gpt-4o") == Price(1.0, 1.0)
    with pytest.raises(ConfigError):
        table.register("bad", {"input": 1})  # type: ignore[arg-type]


def test_negative_price_rejected_with_field_name() -> None:
    with pytest.raises(ConfigError, match="input"):
        Price(-1.0, 1.0)


def test_usage_adds_and_validates() -> None:
    u = Usage(10, 5, 2) + Usage(3, 1, 1)
    assert u == Usage(13, 6, 3) and u.total == 19
    assert sum([Usage(1, 1), Usage(2, 2)]) == Usage(3, 3)
    with pytest.raises(ValueError, match="cached_input_tokens"):
        Usage(1, 0, 2)
    with pytest.raises(ValueError, match="input_tokens"):
        Usage(-1, 0)


def test_estimate_tokens() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens("x" * 4000) == 1000


@given(
    st.integers(0, 10**7),
    st.integers(0, 10**7),
    st.floats(0, 100),
    st.floats(0, 100),
    st.floats(0, 100),
)
def test_cost_is_monotone_and_cached_never_costs_more(
    n_in: int, n_out: int, pin: float, pout: float, pcache: float
) -> None:
    p = Price(pin, pout, min(pcache, pin))
    base = p.cost(Usage(n_in, n_out))
    assert base >= 0
    assert p.cost(Usage(n_in, n_out, n_in)) <= base + 1e-9
    assert p.cost(Usage(n_in + 1, n_out)) >= base


def test_lookup_is_cached_and_fast(table: PriceTable) -> None:
    import time

    table.cost("gpt-4o", Usage(1, 1))
    t0 = time.perf_counter()
    for _ in range(2000):
        table.cost("gpt-4o", Usage(100, 100, 10))
    per_call_us = (time.perf_counter() - t0) / 2000 * 1e6
    assert per_call_us < 50


# -- edges a user's bill depends on (found by mutation testing, issue 14) ------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((-1, 0, 0), "input_tokens"),
        ((0, -1, 0), "output_tokens"),
        ((0, 0, -1), "cached_input_tokens"),
        ((True, 0, 0), "input_tokens"),
        ((0, 1.5, 0), "output_tokens"),
        ((0, 0, "3"), "cached_input_tokens"),
    ],
)
def test_usage_refuses_counts_that_are_not_non_negative_ints(args: tuple, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^Usage\.{field} must be an int >= 0, got "):
        Usage(*args)


def test_usage_refuses_more_cached_than_input_tokens() -> None:
    with pytest.raises(
        ValueError, match=r"^Usage.cached_input_tokens \(6\) cannot exceed input_tokens \(5\)"
    ):
        Usage(5, 1, 6)
    assert Usage(5, 0, 5) == Usage(input_tokens=5, output_tokens=0, cached_input_tokens=5)


def test_provider_usage_without_cached_count_has_none_cached() -> None:
    assert provider_usage(10, 5, source="m") == Usage(10, 5, 0)
    assert provider_usage(10, 5, 99, source="m") == Usage(10, 5, 10)  # clamped to the input


def test_unbelievable_provider_usage_logs_every_count_as_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="shared_core.pricing"):
        assert provider_usage(-1, "x", 2.5, source="gpt-4o") is None
    assert [r.getMessage() for r in caplog.records] == [
        "provider usage for 'gpt-4o' is not believable (input_tokens=-1, output_tokens='x', "
        "cached_input_tokens=2.5): treated as missing, the call's tokens are estimated from its text"
    ]


def test_split_provider_splits_at_the_first_colon_only() -> None:
    assert split_provider("openai:ft:gpt-4o:my-org") == ("openai", "ft:gpt-4o:my-org")
    assert split_provider(" :gpt-4o ") == (None, "gpt-4o")


def test_prices_given_to_the_table_are_registered() -> None:
    table = PriceTable({"house-model": Price(1.0, 2.0)}, use_genai_prices=False)
    assert table.price("house-model") == Price(1.0, 2.0)
    assert table.price("acme:house-model") == Price(
        1.0, 2.0
    )  # a registered bare name, any provider


def test_a_tier_that_sets_only_the_cached_price_keeps_the_table_s_list_prices() -> None:
    tier = Tier(name="t", model="gpt-4o", cached_input_price=0.1)
    assert PriceTable().price("gpt-4o", tier=tier) == Price(2.5, 10.0, 0.1)


def test_a_tier_that_sets_only_the_output_price_of_an_unknown_model_is_unpriced() -> None:
    tier = Tier(name="t", model="house-model-unknown", output_price=3.0)
    assert PriceTable(use_genai_prices=False).price("house-model-unknown", tier=tier) is None


def test_the_provider_prefix_picks_the_provider_s_price() -> None:
    table = PriceTable()
    assert table.price("groq:llama-3.1-8b-instant") == Price(0.05, 0.08)  # listed under groq only
    assert table.price("llama-3.1-8b-instant") is None
    # an unknown provider falls back to the model's price under any provider
    assert table.price("nosuch-provider:gpt-4o") == table.price("gpt-4o") == Price(2.5, 10.0, 1.25)


def test_a_model_priced_for_input_only_is_unknown() -> None:
    # embedding models have an input price and no output price
    assert PriceTable().price("text-embedding-3-small") is None


def test_the_unknown_model_warning_says_what_to_do(caplog: pytest.LogCaptureFixture) -> None:
    name = f"unknown-{uuid.uuid4().hex}"
    with caplog.at_level(logging.WARNING, logger="shared_core.pricing"):
        PriceTable().cost(name, Usage(1, 1))
    assert [r.getMessage() for r in caplog.records] == [
        f"no price known for model {name!r}: its cost is recorded as None (unknown), not 0; "
        "set input_price/output_price on its tier or call PriceTable.register()"
    ]


def test_the_default_table_is_one_shared_table() -> None:
    first = default_price_table()
    assert isinstance(first, PriceTable) and default_price_table() is first


def test_a_price_that_changed_on_a_date_is_today_s() -> None:
    from datetime import date, datetime, timezone

    from genai_prices import data_snapshot

    snap = data_snapshot.get_snapshot()
    dated = next(
        (p.id, m.id, m)
        for p in snap.providers
        for m in p.models
        if isinstance(m.prices, list)
        and any(getattr(c.constraint, "start_date", date.max) <= date.today() for c in m.prices)
    )
    provider, model, info = dated
    today = info.get_prices(datetime.now(timezone.utc))
    got = PriceTable().price(f"{provider}:{model}")
    assert got is not None
    assert (got.input, got.output) == (float(today.input_mtok), float(today.output_mtok))


def test_a_colon_inside_a_model_id_is_not_a_provider_prefix() -> None:
    """Ollama's ``llama3.1:8b`` and Bedrock's ``...-v1:0`` were split at the colon: spans and
    metrics said model ``8b`` / ``0``, LangChain's ``model_name`` too, and prices were looked
    up for ``8b``."""
    from shared_core.pricing import split_provider
    from shared_core.tier import Tier

    assert split_provider("openai:gpt-4o") == ("openai", "gpt-4o")
    assert split_provider("azure_openai:gpt-4o") == ("azure_openai", "gpt-4o")
    assert split_provider("ollama:llama3.1:8b") == ("ollama", "llama3.1:8b")
    assert split_provider("llama3.1:8b") == (None, "llama3.1:8b")
    assert split_provider("anthropic.claude-3-haiku-20240307-v1:0") == (None, "anthropic.claude-3-haiku-20240307-v1:0")
    assert Tier(name="t", model="llama3.1:8b").bare_model == "llama3.1:8b"
    assert Tier(name="t", model="ollama:llama3.1:8b").bare_model == "llama3.1:8b"


# -- pricing_tier: the config tier whose prices price a call made outside the router ---------
def _tiers() -> list:
    from shared_core import RouterConfig

    return list(RouterConfig.build({"tiers": [
        {"name": "cheap", "model": "acme-chat", "input_price": 1.0, "output_price": 2.0},
        {"name": "strong", "model": "openai:gpt-4o", "input_price": 3.0, "output_price": 4.0},
    ]}).tiers)


def test_pricing_tier_takes_the_routes_tier_for_its_own_model() -> None:
    from shared_core.tier_models import pricing_tier

    cheap, strong = _tiers()
    assert pricing_tier([cheap, strong], "gpt-4o-2024-08-06", route="strong") is strong
    assert pricing_tier([cheap, strong], "x", "gpt-4o", route="strong") is strong  # the model asked for


def test_pricing_tier_takes_the_tier_of_the_calls_model_otherwise() -> None:
    from shared_core.tier_models import pricing_tier

    cheap, strong = _tiers()
    assert pricing_tier([cheap, strong], "acme-chat", route="strong") is cheap  # a chain's other call
    assert pricing_tier([cheap, strong], "acme-chat") is cheap
    assert pricing_tier([cheap, strong], "gpt-4o-mini") is None  # no tier of it: the price table
    assert pricing_tier([cheap, strong], "gpt-4o-mini", route="nope") is None


def test_route_pricing_holds_a_route_at_the_price_its_record_gets() -> None:
    from shared_core.pricing import PriceTable, Usage
    from shared_core.tier_models import route_pricing

    cheap, strong = _tiers()
    tiers = [cheap, strong]
    assert route_pricing(tiers, cheap, None) is cheap and route_pricing(tiers, cheap, "acme-chat") is cheap
    other = route_pricing(tiers, cheap, "gpt-4o")  # the strong tier's model: its prices
    assert (other.name, other.model, other.input_price, other.output_price) == ("cheap", "gpt-4o", 3.0, 4.0)
    listed = route_pricing(tiers, cheap, "gpt-4o-mini")  # no tier of it: the list price
    assert (listed.model, listed.input_price, listed.output_price) == ("gpt-4o-mini", None, None)
    prices = PriceTable()
    assert prices.cost(listed.model, Usage(1_000_000, 0), tier=listed) == prices.cost(
        "gpt-4o-mini", Usage(1_000_000, 0)
    )
