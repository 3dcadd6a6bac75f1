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


def test_a_model_that_answers_streaming_through_getattr_is_still_streamed() -> None:
    """Review of the per-call work: a wrapper class whose ``__getattr__`` supplies
    ``streaming`` (a proxy) was called through ``_generate`` once the router stopped looking
    ``streaming`` up on classes that cannot have it."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    from langchain_router.inner import inner_generate

    class Proxy(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "proxy"

        def _generate(self, messages, stop=None, run_manager=None, **kw):
            return ChatResult(generations=[ChatGeneration(message=AIMessage("whole"))])

        def _stream(self, messages, stop=None, run_manager=None, **kw):
            for part in ("str", "eamed"):
                yield ChatGenerationChunk(message=AIMessageChunk(part))

        def _should_stream(self, **kw) -> bool:  # as with a streaming handler attached
            return True

        def __getattr__(self, name):
            if name == "streaming":
                return True
            return super().__getattr__(name)

    result = inner_generate(Proxy(), [HumanMessage("hi")], None, None, {})
    assert result.generations[0].message.content == "streamed"
