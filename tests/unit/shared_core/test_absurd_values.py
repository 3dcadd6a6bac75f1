"""Issue 14 item 4: values that passed validation and then crashed after the provider answered.

Each is now refused when the config is built (a :class:`ConfigError` naming the field) or,
for numbers a provider sends, treated as missing with a WARNING while the record is still
written.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any

import pytest

from shared_core import RouterConfig
from shared_core.errors import ConfigError
from shared_core.pricing import Price, PriceTable, Usage, provider_usage
from shared_core.tier import Tier


def _data(**tier: Any) -> dict[str, Any]:
    return {
        "tiers": [
            {"name": "a", "model": "gpt-4o-mini", **tier},
            {"name": "b", "model": "gpt-4o"},
        ]
    }


def _refused(data: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        RouterConfig.build(data)
    return info.value


@pytest.mark.parametrize("field", ["input_price", "output_price", "cached_input_price"])
@pytest.mark.parametrize(
    "value",
    [math.inf, -math.inf, math.nan, 1e300, 10**400, -0.01, True],
    ids=["inf", "-inf", "nan", "1e300", "10**400", "-0.01", "True"],
)
def test_non_finite_negative_absurd_or_bool_prices_are_refused(field: str, value: Any) -> None:
    err = _refused(_data(**{field: value}))
    assert err.field == f"tiers.0.{field}"
    assert f"tiers.0.{field}" in str(err)


def test_the_most_expensive_real_prices_still_load() -> None:
    cfg = RouterConfig.build(_data(input_price=150.0, output_price=600.0, cached_input_price=0))
    assert cfg.tiers[0].output_price == 600.0


@pytest.mark.parametrize(
    "value", [math.inf, math.nan, 1e12, 10**400, True], ids=["inf", "nan", "1e12", "10**400", "True"]
)
@pytest.mark.parametrize("where", ["fallback.attempt_timeout_s", "fallback.deadline_s",
                                   "fallback.cooldown_s", "tiers.0.timeout_s"])
def test_non_finite_or_absurd_timeouts_are_refused(where: str, value: Any) -> None:
    data = _data()
    section, key = where.rsplit(".", 1)
    if section == "fallback":
        data["fallback"] = {key: value}
    else:
        data["tiers"][0][key] = value
    err = _refused(data)
    assert err.field == where
    assert where in str(err)


def test_a_day_long_timeout_is_still_allowed() -> None:
    cfg = RouterConfig.build({**_data(timeout_s=86_400.0), "fallback": {"attempt_timeout_s": 600}})
    assert cfg.tiers[0].timeout_s == 86_400.0
    assert cfg.fallback.attempt_timeout_s == 600


@pytest.mark.parametrize(
    "where",
    ["tiers.0.max_tokens", "tiers.0.context_window", "escalation.max_escalations",
     "escalation.min_length", "extraction.history_turns", "fallback.cooldown_failures"],
)
def test_a_bool_is_not_read_as_a_count(where: str) -> None:
    """``max_tokens: true`` was read as 1 (YAML ``yes``/``on`` too)."""
    data = _data()
    section, key = where.rsplit(".", 1)
    if section.startswith("tiers"):
        data["tiers"][0][key] = True
    else:
        data[section] = {key: True}
    err = _refused(data)
    assert err.field == where
    assert "bool" in str(err)


def test_a_yaml_yes_for_max_tokens_is_refused_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("tiers:\n  - {name: a, model: gpt-4o-mini, max_tokens: yes}\n")
    with pytest.raises(ConfigError) as info:
        RouterConfig.from_file(path)
    assert info.value.field == "tiers.0.max_tokens"


def test_whole_number_floats_still_count() -> None:
    """TOML and JSON writers may give ``256.0``; that is still 256 tokens."""
    assert Tier(name="a", model="m", max_tokens=256.0).max_tokens == 256  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [math.inf, math.nan, 1e300, True])
def test_price_objects_refuse_non_finite_values(value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        Price(1.0, value)
    assert info.value.field == "price.output"


def test_register_of_a_non_finite_price_is_refused_before_any_call() -> None:
    with pytest.raises(ConfigError):
        PriceTable().register("mine", Price(math.inf, 1.0))


# -- YAML alias bomb -----------------------------------------------------------------------

_BOMB = """\
tiers:
  - {name: a, model: gpt-4o-mini}
classifier:
  type: rules
  options:
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_a_yaml_alias_bomb_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_BOMB)
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        RouterConfig.from_file(path)
    assert time.perf_counter() - t0 < 2.0
    assert "alias" in str(info.value)
    assert info.value.field == "(file)"


def test_ordinary_yaml_anchors_still_load(tmp_path: Path) -> None:
    path = tmp_path / "anchors.yaml"
    path.write_text(
        "tiers:\n"
        "  - &base {name: a, model: gpt-4o-mini, max_tokens: 64}\n"
        "  - {<<: *base, name: b, model: gpt-4o}\n"
    )
    cfg = RouterConfig.from_file(path)
    assert [t.max_tokens for t in cfg.tiers] == [64, 64]


# -- provider usage ----------------------------------------------------------------------


def test_believable_provider_usage_is_kept_exactly() -> None:
    assert provider_usage(120, 30, 20, source="test") == Usage(120, 30, 20)


@pytest.mark.parametrize(
    "inp, out, cached",
    [(10**400, 5, 0), (5, 10**400, 0), (-5, 3, 0), (5, -3, 0), (5, 3, -1), (5, 3, 10**400),
     (True, 3, 0), (5.5, 3, 0), ("12", 3, 0)],
    ids=["huge-in", "huge-out", "neg-in", "neg-out", "neg-cached", "huge-cached", "bool",
         "float", "str"],
)
def test_absurd_provider_usage_is_treated_as_missing_with_a_warning(
    inp: Any, out: Any, cached: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert provider_usage(inp, out, cached, source="gpt-x") is None
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "gpt-x" in caplog.records[0].getMessage()
    assert "treated as missing" in caplog.records[0].getMessage()


def test_cached_tokens_above_the_input_are_clamped_to_the_input() -> None:
    assert provider_usage(10, 3, 25, source="m") == Usage(10, 3, 10)


def test_a_usage_too_large_to_price_is_recorded_with_an_unknown_cost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hand-built ``Usage`` (a custom adapter) whose cost overflows: the record is written."""
    from shared_core.dispatch import AttemptResult, execute

    from .helpers import router_with

    router = router_with(default="cheap")
    plan = router.plan(router.decide("hi"), router.request("hi"))
    with caplog.at_level(logging.WARNING):
        result = execute(plan, lambda a: AttemptResult("x" * 20, usage=Usage(10**400, 3)))
    assert result.value == "x" * 20
    [rec] = router.ledger.records()
    assert (rec.tier, rec.status, rec.cost_usd, rec.baseline_cost_usd) == ("cheap", "ok", None, None)
    assert "too large to price" in caplog.text
