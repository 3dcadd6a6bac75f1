"""``RoutedLLM`` without ``tiers=`` builds its inner LLMs from the config, as ``RoutedChatModel``
does: a LlamaIndex user with a router YAML got Python's "missing argument 'tiers'" TypeError.

Real llama-index ``OpenAI`` objects, called through the loopback OpenAI-compatible server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.llms import ChatMessage, MockLLM
from llama_index.llms.openai import OpenAI

from llamaindex_router import RoutedLLM
from shared_core.errors import ConfigError
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

YAML = """\
tiers:
  - name: cheap
    model: openai:gpt-4o-mini
    system_prompt: Answer in one or two sentences.
    max_tokens: 256
  - name: strong
    model: {strong}
classifier:
  type: embedded
"""


def _config(tmp_path: Path, strong: str = "openai:gpt-4o") -> Path:
    path = tmp_path / "router.yaml"
    path.write_text(YAML.format(strong=strong))
    return path


def test_config_alone_builds_one_llamaindex_llm_per_tier(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    llm = RoutedLLM(config=_config(tmp_path))
    assert list(llm.tiers) == ["cheap", "strong"]
    assert all(type(inner) is OpenAI for inner in llm.tiers.values())
    assert [inner.model for inner in llm.tiers.values()] == ["gpt-4o-mini", "gpt-4o"]
    assert llm.tiers["strong"].api_key == "sk-env"
    assert llm.tiers["cheap"].max_retries == 0  # the router's fallback is the retry
    assert llm.router.config.tier_names == ["cheap", "strong"]


def test_a_bare_openai_model_id_is_an_openai_llm(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    llm = RoutedLLM(config=_config(tmp_path, strong="gpt-4o"))
    assert type(llm.tiers["strong"]) is OpenAI and llm.tiers["strong"].model == "gpt-4o"


def test_from_config_passes_keywords_to_every_llm_and_routes_a_real_call(
    tmp_path, openai_server: FakeOpenAIServer
):
    llm = RoutedLLM.from_config(
        _config(tmp_path),
        api_base=openai_server.base_url,
        api_key="sk-test",
        classifier=FakeClassifier(default="strong"),
    )
    assert {inner.api_base for inner in llm.tiers.values()} == {openai_server.base_url}
    reply = llm.chat([ChatMessage(role="user", content="hi")])
    assert reply.additional_kwargs["router"]["tier"] == "strong"
    assert openai_server.models == ["gpt-4o"]
    (rec,) = llm.router.ledger.records()
    assert (rec.tier, rec.model, rec.framework) == ("strong", "openai:gpt-4o", "llamaindex")


def test_the_environment_config_is_read_when_neither_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("TIER_ROUTER_CONFIG", str(_config(tmp_path)))
    assert list(RoutedLLM().tiers) == ["cheap", "strong"]
    # given tiers: the embedded default over them, not the environment's config
    explicit = RoutedLLM(tiers={"a": MockLLM()})
    assert explicit.router.config.tier_names == ["a"]


def test_no_tiers_and_no_config_is_a_config_error_that_shows_the_fix(monkeypatch):
    monkeypatch.delenv("TIER_ROUTER_CONFIG", raising=False)
    with pytest.raises(ConfigError, match=r"RoutedLLM needs tiers=\{name: llm, \.\.\.\}") as info:
        RoutedLLM()
    assert "RoutedLLM(config='router.yaml')" in str(info.value)
    assert "TIER_ROUTER_CONFIG" in str(info.value)
    assert info.value.field == "tiers"


def test_a_provider_without_its_llamaindex_package_says_what_to_install(tmp_path):
    with pytest.raises(ConfigError, match=r"pip install llama-index-llms-anthropic") as info:
        RoutedLLM(config=_config(tmp_path, strong="anthropic:claude-3-5-sonnet-latest"))
    assert info.value.field == "tiers.strong.model"


def test_an_unknown_provider_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"tier 'strong'.*'nowhere'.*openai") as info:
        RoutedLLM(config=_config(tmp_path, strong="nowhere:model-x"))
    assert info.value.field == "tiers.strong.model"
