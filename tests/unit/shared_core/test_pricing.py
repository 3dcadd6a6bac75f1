"""Prices: genai-prices for known models, tier overrides, unknown -> None + one warning."""

from __future__ import annotations

import logging
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_core.errors import ConfigError
from shared_core.pricing import Price, PriceTable, Usage, estimate_tokens, split_provider
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
    assert table.cost("gpt-4o", usage, tier=tier) == (600_000 * 1.0 + 400_000 * 1.0 + 1e6 * 10.0) / 1e6
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
