"""Fixtures for the LangChain adapter's unit tests: fake inner chat models, no network."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from shared_core.testing import FakeClassifier


class EchoChat(BaseChatModel):
    """A fake chat model that records what it got and answers ``"<name>: <last text>"``.

    ``fail_first`` raises that many errors first; ``reply`` overrides the text; streaming
    yields word by word with usage on the last chunk. ``max_tokens`` is a field so the
    router's per-call budget can be observed.
    """

    name_: str = "echo"
    model_name: str = "echo-model"
    reply: str | None = None
    max_tokens: int | None = None
    errors: list[Any] = Field(default_factory=list)
    seen: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "echo"

    def _answer(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> str:
        self.seen.append({"messages": messages, "kwargs": kwargs, "max_tokens": self.max_tokens})
        if self.errors:
            raise self.errors.pop(0)
        return self.reply if self.reply is not None else f"{self.name_}: {messages[-1].text}"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        text = self._answer(messages, kwargs)
        msg = AIMessage(
            text,
            usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
            response_metadata={"model_name": self.model_name},
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])


class StreamingEchoChat(EchoChat):
    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        text = self._answer(messages, kwargs)
        words = text.split(" ")
        for i, w in enumerate(words):
            last = i == len(words) - 1
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content=w + ("" if last else " "),
                    usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
                    if last
                    else None,
                    response_metadata={"model_name": self.model_name} if last else {},
                )
            )


@pytest.fixture
def two_tiers() -> dict[str, EchoChat]:
    return {
        "cheap": StreamingEchoChat(name_="cheap", model_name="gpt-4o-mini", errors=[], seen=[]),
        "strong": StreamingEchoChat(name_="strong", model_name="gpt-4o", errors=[], seen=[]),
    }


@pytest.fixture
def fake_classifier() -> FakeClassifier:
    return FakeClassifier({"hard": "strong"}, default="cheap", labels=["cheap", "strong"])


def tier_config(**extra: Any) -> dict[str, Any]:
    return {
        "tiers": [
            {"name": "cheap", "model": "gpt-4o-mini", "system_prompt": "CHEAP", "max_tokens": 50},
            {"name": "strong", "model": "gpt-4o", "system_prompt": "STRONG", "max_tokens": 500},
        ],
        **extra,
    }
