"""Defaults that keep the headline promise, with real provider clients on the loopback server.

* Tiers named like the bundled ladder get its system prompts and ``max_tokens`` with no config;
  other names get one warning saying what to configure.
* Tiers listed expensive-first are an error at construction unless ``allow_unordered``.
* Capabilities come from the inner models (LangChain ``profile``, LlamaIndex ``metadata``):
  an image sent to gpt-4o-mini / gpt-4o tiers finds a vision tier without relaxing anything.
"""

from __future__ import annotations

import base64
import warnings

import pytest
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import ConfigError, Router
from shared_core.tier_defaults import TierDefaultsWarning

LADDER = Router().config
SIMPLE = LADDER.tier("simple")
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _lc(server, model: str) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0)


def _li(server, model: str) -> OpenAI:
    return OpenAI(model=model, api_base=server.base_url, api_key="sk-test", max_retries=0)


# -- 2. the bundled ladder's prompts and budgets -------------------------------------------


def test_langchain_first_call_carries_the_ladder_tiers_prompt_and_budget(openai_server):
    llm = RoutedChatModel(
        tiers={"simple": _lc(openai_server, "gpt-4o-mini"), "complex": _lc(openai_server, "gpt-4o")}
    )
    llm.invoke("What is the capital of France?")
    [req] = openai_server.chat_requests
    assert req.model == "gpt-4o-mini"
    assert req.system_prompt == SIMPLE.system_prompt
    assert (req.max_tokens or req.max_completion_tokens) == SIMPLE.max_tokens == 1024


def test_llamaindex_first_call_carries_the_ladder_tiers_prompt_and_budget(openai_server):
    llm = RoutedLLM(
        tiers={"simple": _li(openai_server, "gpt-4o-mini"), "complex": _li(openai_server, "gpt-4o")}
    )
    llm.chat([ChatMessage(role="user", content="What is the capital of France?")])
    [req] = openai_server.chat_requests
    assert req.model == "gpt-4o-mini"
    assert req.system_prompt == SIMPLE.system_prompt
    assert (req.max_tokens or req.max_completion_tokens) == 1024


def test_names_outside_the_ladder_get_one_warning_saying_what_to_configure(openai_server):
    with pytest.warns(TierDefaultsWarning) as caught:
        RoutedChatModel(
            tiers={"cheap": _lc(openai_server, "gpt-4o-mini"), "complex": _lc(openai_server, "gpt-4o")}
        )
    [w] = caught
    assert w.filename == __file__  # it points at the line that built the model
    text = str(w.message)
    assert "\n" not in text
    assert "'cheap'" in text and "'complex'" not in text
    assert "system_prompt" in text and "max_tokens" in text and "config=" in text


def test_the_llamaindex_warning_points_at_the_callers_line(openai_server):
    with pytest.warns(TierDefaultsWarning) as caught:
        RoutedLLM(tiers={"cheap": _li(openai_server, "gpt-4o-mini"), "strong": _li(openai_server, "gpt-4o")})
    assert [w.filename for w in caught] == [__file__]


def test_ladder_names_and_a_config_warn_about_nothing(openai_server):
    with warnings.catch_warnings():
        warnings.simplefilter("error", TierDefaultsWarning)
        RoutedChatModel(
            tiers={"simple": _lc(openai_server, "gpt-4o-mini"), "complex": _lc(openai_server, "gpt-4o")}
        )
        RoutedLLM(
            tiers={"cheap": _li(openai_server, "gpt-4o-mini"), "strong": _li(openai_server, "gpt-4o")},
            config={"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]},
        )


# -- 3. price order ----------------------------------------------------------------------------


def test_expensive_first_tiers_are_an_error_at_construction(openai_server):
    with pytest.raises(ConfigError, match=r"not in price order.*'big'.*gpt-4o.*'small'.*allow_unordered"):
        RoutedChatModel(
            tiers={"big": _lc(openai_server, "gpt-4o"), "small": _lc(openai_server, "gpt-4o-mini")}
        )
    with pytest.raises(ConfigError, match="not in price order"):
        RoutedLLM(tiers={"big": _li(openai_server, "gpt-4o"), "small": _li(openai_server, "gpt-4o-mini")})


def test_allow_unordered_accepts_them(openai_server):
    lc = RoutedChatModel(
        tiers={"big": _lc(openai_server, "gpt-4o"), "small": _lc(openai_server, "gpt-4o-mini")},
        allow_unordered=True,
    )
    li = RoutedLLM(
        tiers={"big": _li(openai_server, "gpt-4o"), "small": _li(openai_server, "gpt-4o-mini")},
        allow_unordered=True,
    )
    assert lc.router.config.tier_names == li.router.config.tier_names == ["big", "small"]
    assert lc.router.config.allow_unordered is True


# -- 5. capabilities from the ecosystem ----------------------------------------------------------

_IMAGE_Q = "What is in this picture?"


def _lc_image() -> HumanMessage:
    return HumanMessage(
        content=[
            {"type": "text", "text": _IMAGE_Q},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        ]
    )


def _li_image() -> ChatMessage:
    return ChatMessage(role="user", blocks=[TextBlock(text=_IMAGE_Q), ImageBlock(image=base64.b64decode(PNG), image_mimetype="image/png")])


def test_langchain_image_to_vision_tiers_relaxes_nothing(openai_server):
    llm = RoutedChatModel(
        tiers={"cheap": _lc(openai_server, "gpt-4o-mini"), "strong": _lc(openai_server, "gpt-4o")},
        config={"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]},
    )
    meta = llm.invoke([_lc_image()]).response_metadata["router"]
    assert not [r for r in meta["reasons"] if "relaxed" in r]
    assert [t.supports_vision for t in llm.router.config.tiers] == [True, True]
    assert [t.context_window for t in llm.router.config.tiers] == [128000, 128000]


def test_llamaindex_image_to_vision_tiers_relaxes_nothing(openai_server):
    llm = RoutedLLM(
        tiers={"cheap": _li(openai_server, "gpt-4o-mini"), "strong": _li(openai_server, "gpt-4o")},
        config={"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]},
    )
    resp = llm.chat([_li_image()])
    assert not [r for r in resp.additional_kwargs["router"]["reasons"] if "relaxed" in r]
    assert [t.supports_vision for t in llm.router.config.tiers] == [True, True]


def test_a_profile_without_images_makes_its_tier_ineligible_for_one(openai_server):
    llm = RoutedChatModel(
        tiers={"cheap": _lc(openai_server, "gpt-3.5-turbo"), "strong": _lc(openai_server, "gpt-4o")},
        config={"tiers": [{"name": "cheap", "model": "gpt-3.5-turbo"}, {"name": "strong", "model": "gpt-4o"}]},
    )
    meta = llm.invoke([_lc_image()]).response_metadata["router"]
    assert meta["tier"] == "strong"
    assert "ineligible (image input): cheap" in meta["reasons"]


def test_tier_fields_in_the_config_win_over_the_profile(openai_server):
    llm = RoutedChatModel(
        tiers={"cheap": _lc(openai_server, "gpt-4o-mini"), "strong": _lc(openai_server, "gpt-4o")},
        config={
            "tiers": [
                {"name": "cheap", "model": "gpt-4o-mini", "supports_vision": False, "context_window": 8000},
                {"name": "strong", "model": "gpt-4o"},
            ]
        },
    )
    cheap, strong = llm.router.config.tiers
    assert (cheap.supports_vision, cheap.context_window) == (False, 8000)
    assert (strong.supports_vision, strong.context_window) == (True, 128000)
