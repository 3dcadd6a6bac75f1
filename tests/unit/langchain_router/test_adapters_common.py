"""config_from_tiers: the config an adapter runs on, and clear errors when names disagree."""

from __future__ import annotations

import pytest

from shared_core import ConfigError, RouterConfig
from shared_core.adapters_common import config_from_tiers, model_id


class _M:
    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def test_model_id_reads_the_usual_attributes() -> None:
    assert model_id(_M(model_name="gpt-4o")) == "gpt-4o"
    assert model_id(_M(model="m")) == "m"
    assert model_id(_M(model_name="", model="m2")) == "m2"
    assert model_id(_M(), "fallback") == "fallback"


def test_no_config_builds_embedded_default_in_given_order() -> None:
    cfg = config_from_tiers({"small": "gpt-4o-mini", "mid": None, "big": "gpt-4o"})
    assert cfg.tier_names == ["small", "mid", "big"]
    assert [t.model for t in cfg.tiers] == ["gpt-4o-mini", "mid", "gpt-4o"]
    assert cfg.classifier.type == "embedded"


def test_config_names_must_match() -> None:
    cfg = RouterConfig.build({"tiers": [{"name": "a", "model": "x"}, {"name": "b", "model": "y"}]})
    assert config_from_tiers({"b": "y", "a": "x"}, cfg) is cfg
    assert config_from_tiers({"a": "x", "b": "y"}, cfg.to_dict()).tier_names == ["a", "b"]
    with pytest.raises(ConfigError, match=r"\['b'\] with no inner model") as err:
        config_from_tiers({"a": "x"}, cfg)
    assert err.value.field == "tiers"
    with pytest.raises(ConfigError, match=r"\['c'\] that the config does not define"):
        config_from_tiers({"a": "x", "b": "y", "c": "z"}, cfg)
    with pytest.raises(ConfigError, match="tiers is empty"):
        config_from_tiers({})
    with pytest.raises(ConfigError, match="config must be"):
        config_from_tiers({"a": "x"}, 42)  # type: ignore[arg-type]


def test_config_from_path(tmp_path: object) -> None:
    from pathlib import Path

    p = Path(str(tmp_path)) / "c.yaml"
    RouterConfig.build({"tiers": [{"name": "a", "model": "x"}]}).to_file(p)
    assert config_from_tiers({"a": "x"}, p).tier_names == ["a"]


def _two_tier(cheap: str = "gpt-4o-mini", **cheap_extra: object) -> dict:
    return {"tiers": [{"name": "cheap", "model": cheap, **cheap_extra}, {"name": "strong", "model": "gpt-4o"}]}


def test_an_inner_model_priced_unlike_its_tier_is_refused_when_built() -> None:
    """``tiers={"cheap": ChatOpenAI(model="gpt-4o")}`` on a config whose cheap tier says
    gpt-4o-mini: the provider was sent gpt-4o, and the ledger priced every call at mini rates
    (16x too little) with no word of it."""
    from langchain_openai import ChatOpenAI

    from langchain_router import RoutedChatModel

    with pytest.raises(ConfigError, match=r"cheap.*gpt-4o-mini.*gpt-4o"):
        RoutedChatModel(
            tiers={"cheap": ChatOpenAI(model="gpt-4o", api_key="sk-x"),
                   "strong": ChatOpenAI(model="gpt-4o", api_key="sk-x")},
            config=_two_tier(),
        )


def test_names_that_differ_only_by_a_date_or_a_provider_pass(caplog: pytest.LogCaptureFixture) -> None:
    from langchain_openai import ChatOpenAI

    from langchain_router import RoutedChatModel

    caplog.set_level("WARNING", logger="tier_router")
    RoutedChatModel(
        tiers={"cheap": ChatOpenAI(model="gpt-4o-mini-2024-07-18", api_key="sk-x"),
               "strong": ChatOpenAI(model="gpt-4o", api_key="sk-x")},
        config=_two_tier("openai:gpt-4o-mini"),
    )
    assert not [r for r in caplog.records if "sends" in r.getMessage()]


def test_an_unpriced_or_repriced_mismatch_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """An Azure deployment name, or a tier with its own prices: the config's model names the
    tier in the ledger, and the WARNING says which model the inner one sends."""
    from langchain_openai import ChatOpenAI

    from langchain_router import RoutedChatModel

    caplog.set_level("WARNING", logger="tier_router")
    for inner, extra in (("prod-mini-deployment", {}), ("gpt-4o", {"input_price": 2.5, "output_price": 10.0})):
        caplog.clear()
        RoutedChatModel(
            tiers={"cheap": ChatOpenAI(model=inner, api_key="sk-x"), "strong": ChatOpenAI(model="gpt-4o", api_key="sk-x")},
            config=_two_tier(**extra),
        )
        warned = [r.getMessage() for r in caplog.records if "sends" in r.getMessage()]
        assert len(warned) == 1 and inner in warned[0] and "gpt-4o-mini" in warned[0]


def test_model_ids_with_a_colon_inside_are_not_read_as_a_provider_prefix() -> None:
    from shared_core.tier_models import same_model

    assert same_model("openai:gpt-4o-mini", "gpt-4o-mini-2024-07-18")
    assert not same_model("llama3.1:8b", "qwen2:8b")  # Ollama tags: the part before ':' is the model
    assert not same_model("anthropic.claude-3-5-sonnet-20240620-v1:0", "meta.llama3-8b-instruct-v1:0")
    assert same_model("ollama:llama3.1:8b", "llama3.1:8b")
