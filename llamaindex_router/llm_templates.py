"""Templated prompts on :class:`~llamaindex_router.RoutedLLM`: classify the question, not the
template around it (the ``query_str`` of a QA, refine or summarise template; see :mod:`.context`),
and tell the call of a ``structured_predict``-style method its output class (each answer is read
as LlamaIndex's program will, see :mod:`.structured`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_index.core.llms import LLM

from . import context

if TYPE_CHECKING:
    _Base = LLM
else:
    _Base = object


class TemplatedPrompts(_Base):
    """``predict`` / ``stream`` / ``structured_predict`` (and async twins) with the template's
    question handed to the router as a hint (a mixin; its overrides get
    LlamaIndex's spans where ``RoutedLLM`` is defined, as if written there)."""

    def predict(self, prompt: Any, **prompt_args: Any) -> str:
        with context.hint(prompt_args):
            return super().predict(prompt, **prompt_args)

    async def apredict(self, prompt: Any, **prompt_args: Any) -> str:
        with context.hint(prompt_args):
            return await super().apredict(prompt, **prompt_args)

    def stream(self, prompt: Any, **prompt_args: Any) -> Any:
        with context.hint(prompt_args):
            return super().stream(prompt, **prompt_args)

    async def astream(self, prompt: Any, **prompt_args: Any) -> Any:
        with context.hint(prompt_args):
            return await super().astream(prompt, **prompt_args)

    def structured_predict(
        self, output_cls: Any, prompt: Any, llm_kwargs: Any = None, **prompt_args: Any
    ) -> Any:
        with context.hint(prompt_args, output_cls=output_cls):
            return super().structured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )

    async def astructured_predict(
        self, output_cls: Any, prompt: Any, llm_kwargs: Any = None, **prompt_args: Any
    ) -> Any:
        with context.hint(prompt_args, output_cls=output_cls):
            return await super().astructured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )

    def stream_structured_predict(
        self, output_cls: Any, prompt: Any, llm_kwargs: Any = None, **prompt_args: Any
    ) -> Any:
        # LlamaIndex's generator calls the LLM lazily: the hint holds while each step runs
        gen = super().stream_structured_predict(
            output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
        )
        return context.hinted(gen, prompt_args, output_cls)

    async def astream_structured_predict(
        self, output_cls: Any, prompt: Any, llm_kwargs: Any = None, **prompt_args: Any
    ) -> Any:
        gen = await super().astream_structured_predict(
            output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
        )
        return context.ahinted(gen, prompt_args, output_cls)
