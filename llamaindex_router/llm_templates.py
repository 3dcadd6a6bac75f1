"""Templated prompts on :class:`~llamaindex_router.RoutedLLM`: classify the question, not the
template around it (the ``query_str`` of a QA, refine or summarise template; see :mod:`.context`).
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
        with context.hint(prompt_args, structured=True):
            return super().structured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )

    async def astructured_predict(
        self, output_cls: Any, prompt: Any, llm_kwargs: Any = None, **prompt_args: Any
    ) -> Any:
        with context.hint(prompt_args, structured=True):
            return await super().astructured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )
