"""LangChain's standard unit suite (``ChatModelUnitTests``) against ``RoutedChatModel``.

No test is overridden or marked xfail; only the suite's configuration properties are set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_openai import ChatOpenAI
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_router import RoutedChatModel, allow_in_load_all

# the suite's serdes test loads with allowed_objects="all", which admits only classes in
# LangChain's own mapping; this adds RoutedChatModel to it (see langchain_router.serde)
allow_in_load_all()

ENV_CONFIG = str(Path(__file__).parent / "data" / "openai_tiers.yaml")


class TestRoutedChatModelStandardUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[RoutedChatModel]:
        return RoutedChatModel

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "tiers": {
                "cheap": ChatOpenAI(model="gpt-4o-mini", api_key="sk-test", max_retries=0),
                "strong": ChatOpenAI(model="gpt-4o", api_key="sk-test", max_retries=0),
            }
        }

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        # no tiers=: the config named by $TIER_ROUTER_CONFIG builds them ("openai:..." ids),
        # and those read their key from $OPENAI_API_KEY, as ChatOpenAI() does
        return (
            {"TIER_ROUTER_CONFIG": ENV_CONFIG, "OPENAI_API_KEY": "sk-from-env"},
            {},
            {"config": ENV_CONFIG},
        )

    @property
    def model_override_value(self) -> str:
        return "gpt-4o"
