"""Issue 14, item 6: the smaller holes an outside red team found, each closed.

Real ``ChatOpenAI`` / llama-index ``OpenAI`` clients against the loopback server where the
client is what failed (surrogates, deep nesting); the core where the router is.
"""

from __future__ import annotations

import logging

import pytest
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import ConfigError, InputError, Router, RouterConfig
from shared_core.errors import UnsafeFormatError

pytestmark = pytest.mark.integration

CFG = {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}], "classifier": {"type": "rules"}}
SURROGATE = "please translate \ud800 this"


def _langchain(server, config=CFG):
    inner = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedChatModel(tiers={"cheap": inner}, config=config)


def _llamaindex(server, config=CFG):
    inner = OpenAI(model="gpt-4o-mini", api_base=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedLLM(tiers={"cheap": inner}, config=config)


# -- a model with no known price is still limited by budgets -----------------------------------


def test_budget_with_an_unpriced_model_is_refused_at_build(openai_server):
    cfg = {
        "tiers": [{"name": "local", "model": "my-local-llm-7b"}],
        "classifier": {"type": "rules"},
        "budget": {"limits": [{"scope": "global", "limit_usd": 0.01}]},
    }
    for build in (lambda: Router(cfg), lambda: _langchain(openai_server, {**cfg, "tiers": [
            {"name": "cheap", "model": "my-local-llm-7b"}]})):
        with pytest.raises(ConfigError) as err:
            build()
        assert "no known price" in str(err.value) and "input_price" in str(err.value)
    priced = {**cfg, "tiers": [{"name": "local", "model": "my-local-llm-7b", "input_price": 1.0,
                                "output_price": 2.0}]}
    assert Router(priced).config.tiers[0].input_price == 1.0  # with a price it builds
    cap_only = {**cfg, "budget": {"per_request_cap_usd": 0.5}}
    with pytest.raises(ConfigError):
        Router(cap_only)
    assert openai_server.chat_requests == []


# -- input a provider client cannot send: a typed error before any call --------------------------


def test_lone_surrogate_is_a_typed_error_not_a_client_crash(openai_server):
    with pytest.raises(InputError) as err:
        _langchain(openai_server).invoke([HumanMessage(content=SURROGATE)])
    assert "lone surrogate '\\ud800' at character 17" in str(err.value)
    with pytest.raises(InputError):
        _llamaindex(openai_server).chat([ChatMessage(role="user", content=SURROGATE)])
    assert openai_server.chat_requests == []


def test_content_nested_5000_deep_is_a_typed_error_not_recursion(openai_server):
    deep: object = {"type": "text", "text": "hi"}
    for _ in range(5000):
        deep = {"type": "group", "content": [deep]}
    with pytest.raises(InputError) as err:
        _langchain(openai_server).invoke([HumanMessage(content=[deep])])
    assert "nested more than 64 levels" in str(err.value)
    assert openai_server.chat_requests == []
    # 50 levels (unusual, but sendable) still goes through
    shallow: object = {"type": "text", "text": "hi"}
    for _ in range(50):
        shallow = {"type": "group", "content": [shallow]}
    assert Router(CFG).decide([{"role": "user", "content": [shallow]}]).tier == "cheap"


# -- no text to classify: a documented, logged choice ------------------------------------------


@pytest.mark.parametrize("content", ["", "   \n\t ", [{"type": "image_url", "image_url": {"url": "http://x/a.png"}}]],
                         ids=["empty", "whitespace", "image-only"])
def test_no_text_is_not_classified_and_the_choice_is_logged(content, caplog):
    cfg = {
        "tiers": [
            {"name": "small", "model": "gpt-4o-mini", "supports_vision": False},
            {"name": "mid", "model": "gpt-4o", "supports_vision": True},
            {"name": "big", "model": "o1", "supports_vision": True},
        ],
        "classifier": {"type": "embedded"},
    }
    caplog.set_level(logging.WARNING, logger="tier_router")
    d = Router(cfg).decide([{"role": "user", "content": content}])
    expected = "mid" if isinstance(content, list) else "small"  # images need a vision tier
    assert d.tier == expected
    assert d.classifier == "none"
    what = "attachments only" if isinstance(content, list) else "empty or whitespace-only text"
    assert f"no text to classify ({what}): routed to {expected!r} (cheapest eligible tier)" in d.reasons
    assert f"no text to classify ({what})" in caplog.text
    with_fallback = {**cfg, "policy": {"fallback_tier": "big"}}
    assert Router(with_fallback).decide([{"role": "user", "content": content}]).tier == "big"


# -- every option checked when the model is built ----------------------------------------------


def test_bad_options_fail_when_the_model_is_built(openai_server, tmp_path):
    def cfg(classifier):
        return {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}], "classifier": classifier}

    with pytest.raises(ConfigError) as err:
        _langchain(openai_server, cfg({"type": "embedded", "options": {"temprature": 2}}))
    assert "temprature" in str(err.value)
    with pytest.raises(ConfigError):
        Router(cfg({"type": "task", "options": {"nonsense": 1}}))
    pkl = tmp_path / "router.pkl"
    pkl.write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(UnsafeFormatError) as err2:
        Router(cfg({"type": "trained", "path": str(pkl)}))
    assert "refusing '.pkl' files" in str(err2.value)
    with pytest.raises(ConfigError) as err3:
        Router(cfg({"type": "judge"}))  # a judge with no model to ask
    assert "judge_complete" in str(err3.value)
    with pytest.raises(ConfigError) as err4:
        RouterConfig.build({**cfg({"type": "rules"}),
                            "budget": {"limits": [{"scope": "team:x", "limit_usd": 1}]}})
    assert "'team:x'" in str(err4.value)
    assert openai_server.chat_requests == []


def test_option_lists_match_the_constructors():
    """The build-time check knows each shipped classifier's options without importing it."""
    import inspect

    from shared_core.classifiers import _OPTIONS, EmbeddedClassifier
    from shared_core.classifiers.task import EmbeddedTaskClassifier

    for kind, cls in (("embedded", EmbeddedClassifier), ("task", EmbeddedTaskClassifier)):
        assert _OPTIONS[kind] == set(inspect.signature(cls.__init__).parameters) - {"self", "labels"}
