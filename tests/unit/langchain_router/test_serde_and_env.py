"""Serialising RoutedChatModel (dumpd / load), building it from a config or
``$TIER_ROUTER_CONFIG`` alone, and user escalation checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps, load, loads
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel
from shared_core import ConfigError
from shared_core.ledger.sqlite import SQLiteLedger
from shared_core.testing import FakeClassifier

from .conftest import tier_config

pytestmark = pytest.mark.filterwarnings(
    "ignore::langchain_core._api.beta_decorator.LangChainBetaWarning"
)
ENV_CONFIG = Path(__file__).parent / "data" / "openai_tiers.yaml"
PROMPTS = ["hi", "What is 2+2?", "Prove that there are infinitely many primes, step by step."]


def openai_tiers(key: str = "sk-test") -> dict[str, ChatOpenAI]:
    return {
        "cheap": ChatOpenAI(model="gpt-4o-mini", api_key=key, max_retries=0),
        "strong": ChatOpenAI(model="gpt-4o", api_key=key, max_retries=0),
    }


def reload(data: Any) -> RoutedChatModel:
    """LangChain's documented way for a third-party class: name it (no allow_in_load_all)."""
    return load(
        data,
        valid_namespaces=["langchain_router"],
        allowed_objects=[RoutedChatModel, ChatOpenAI],
        secrets_map={"OPENAI_API_KEY": "sk-loaded"},
    )


def tiers_decided(model: RoutedChatModel) -> list[str]:
    return [model.router.decide(p).tier for p in PROMPTS]


def test_round_trip_keeps_config_ledger_defaults_and_routing(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    original = RoutedChatModel(
        tiers=openai_tiers(),
        config=tier_config(),
        ledger=str(ledger),
        max_tokens=123,
        temperature=0.2,
        timeout=7.0,
    )
    text = dumps(original)
    assert "sk-test" not in text  # keys become references to their environment variables
    loaded = loads(
        text,
        valid_namespaces=["langchain_router"],
        allowed_objects=[RoutedChatModel, ChatOpenAI],
        secrets_map={"OPENAI_API_KEY": "sk-loaded"},
    )
    assert isinstance(loaded, RoutedChatModel)
    assert loaded.router.config.to_dict() == original.router.config.to_dict()
    assert (loaded.max_tokens, loaded.temperature, loaded.timeout) == (123, 0.2, 7.0)
    assert isinstance(loaded.router.ledger, SQLiteLedger)
    assert loaded.router.ledger.path == str(ledger)
    assert loaded.tiers["cheap"].openai_api_key.get_secret_value() == "sk-loaded"
    assert tiers_decided(loaded) == tiers_decided(original)
    assert loaded.dict() == original.dict()


def test_config_path_stays_a_path_and_ledger_object_becomes_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    ledger = SQLiteLedger(tmp_path / "l.sqlite")
    original = RoutedChatModel(config=str(ENV_CONFIG), ledger=ledger)
    data = dumpd(original)
    assert data["kwargs"]["config"] == str(ENV_CONFIG)
    assert data["kwargs"]["ledger"] == ledger.path
    assert "tiers" not in data["kwargs"]  # built from the config's ids: rebuilt the same way
    loaded = reload(data)
    assert {n: m.model_name for n, m in loaded.tiers.items()} == {
        "cheap": "gpt-4o-mini",
        "strong": "gpt-4o",
    }
    assert loaded.router.config.tiers[0].system_prompt == "Answer in one or two sentences."


def test_in_memory_ledger_is_runtime_state_not_serialised() -> None:
    data = dumpd(RoutedChatModel(tiers=openai_tiers()))
    assert "ledger" not in data["kwargs"] and "config" not in data["kwargs"]
    assert reload(data).router.config.classifier.type == "embedded"


@pytest.mark.parametrize(
    "extra",
    [
        {"classifier": FakeClassifier({}, default="cheap", labels=["cheap", "strong"])},
        {"checks": [lambda text: True]},
        {"judge": object()},
    ],
    ids=["classifier", "checks", "judge"],
)
def test_parts_that_cannot_be_kept_make_load_refuse(extra: dict[str, Any]) -> None:
    model = RoutedChatModel(tiers=openai_tiers(), config=tier_config(), **extra)
    data = dumpd(model)
    assert data["type"] == "not_implemented"  # never a router that would route differently
    with pytest.raises(NotImplementedError):
        reload(data)


def test_router_object_is_not_serialised() -> None:
    first = RoutedChatModel(tiers=openai_tiers(), config=tier_config())
    shared = RoutedChatModel(tiers=openai_tiers(), router=first.router)
    assert dumpd(shared)["type"] == "not_implemented"


def test_tiers_from_config_path_without_tiers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    model = RoutedChatModel(config=ENV_CONFIG)
    assert list(model.tiers) == ["cheap", "strong"]
    assert isinstance(model.tiers["strong"], ChatOpenAI)
    assert model.tiers["strong"].openai_api_key.get_secret_value() == "sk-env"


def test_env_config_used_only_without_tiers_and_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("TIER_ROUTER_CONFIG", str(ENV_CONFIG))
    assert RoutedChatModel().config == str(ENV_CONFIG)
    # given tiers: the embedded default over them, not the environment's config
    explicit = RoutedChatModel(tiers={"a": openai_tiers()["cheap"]})
    assert explicit.config is None and explicit.router.config.tier_names == ["a"]


def test_no_tiers_no_config_no_env_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIER_ROUTER_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="TIER_ROUTER_CONFIG"):
        RoutedChatModel()


def test_user_check_escalates(two_tiers: Any, fake_classifier: Any) -> None:
    model = RoutedChatModel(
        tiers=two_tiers,
        config=tier_config(),
        classifier=fake_classifier,
        checks=[lambda text: "strong" in text],
    )
    msg = model.invoke("hello")
    assert msg.content == "strong: hello"
    assert msg.response_metadata["router"]["escalated"]


def test_checks_with_a_router_object_is_a_config_error(two_tiers: Any) -> None:
    first = RoutedChatModel(tiers=two_tiers, config=tier_config())
    with pytest.raises(ConfigError, match="checks"):
        RoutedChatModel(tiers=two_tiers, router=first.router, checks=[lambda t: True])


def test_model_copy_may_change_call_defaults_but_not_what_the_router_was_built_from(
    two_tiers: Any, fake_classifier: Any
) -> None:
    """A copy with other ``tiers`` called the new models but recorded the old ones' names and
    prices (a probe found it): it is a typed error now; per-call defaults still copy."""
    from shared_core.errors import ConfigError

    llm = RoutedChatModel(tiers=two_tiers, config=tier_config(), classifier=fake_classifier)
    with pytest.raises(ConfigError, match="model_copy cannot change tiers"):
        llm.model_copy(update={"tiers": {"cheap": two_tiers["strong"], "strong": two_tiers["strong"]}})
    short = llm.model_copy(update={"max_tokens": 7})
    short.invoke("hi")
    assert two_tiers["cheap"].seen[-1]["max_tokens"] == 7
