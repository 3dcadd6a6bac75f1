"""LangChain's standard unit suite (``ChatModelUnitTests``) against ``RoutedChatModel``.

No test is overridden or marked xfail; only the suite's configuration properties are set.
"""

from __future__ import annotations

from typing import Any

from langchain_openai import ChatOpenAI
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_router import RoutedChatModel


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
    def model_override_value(self) -> str:
        return "gpt-4o"
