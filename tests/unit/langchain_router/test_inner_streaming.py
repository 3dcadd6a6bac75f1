"""A model whose ``streaming`` is on is streamed for ``invoke`` (as LangChain does); the
router asks a model for that attribute only when its class can have one."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from langchain_router.inner import _may_stream, inner_generate


class _Plain(BaseChatModel):
    @property
    def _llm_type(self) -> str:
        return "plain"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage("whole"))])

    def _stream(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                **kwargs: Any) -> Any:
        for part in ("str", "eamed"):
            yield ChatGenerationChunk(message=AIMessageChunk(part))


class _Field(_Plain):
    streaming: bool = False


class _Extras(_Plain):
    model_config = ConfigDict(extra="allow")


def test_only_classes_that_can_have_streaming_are_asked() -> None:
    assert not _may_stream(_Plain)
    assert _may_stream(_Field) and _may_stream(_Extras)


def test_a_streaming_model_is_streamed_whatever_declares_its_flag() -> None:
    msgs = [HumanMessage("hi")]
    for model, text in ((_Plain(), "whole"), (_Field(), "whole"), (_Field(streaming=True), "streamed"),
                        (_Extras(), "whole"), (_Extras(streaming=True), "streamed")):
        out = inner_generate(model, msgs, None, None, {})
        assert out.generations[0].message.content == text, type(model).__name__
