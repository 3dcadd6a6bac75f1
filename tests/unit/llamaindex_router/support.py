"""Shared helpers for the LlamaIndex adapter tests (unit and integration)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.llms.custom import CustomLLM

from shared_core import RouterConfig
from shared_core.ledger import CallRecord
from shared_core.testing import FakeClassifier

PRICES = {"cheap": (1.0, 2.0), "strong": (10.0, 20.0)}
MODELS = {"cheap": "gpt-4o-mini", "strong": "gpt-4o"}
SYSTEM = {
    "cheap": "You are the CHEAP tier. Be brief.",
    "strong": "You are the STRONG tier. Be thorough.",
}
BUDGET = {"cheap": 64, "strong": 256}


def make_config(**overrides: Any) -> RouterConfig:
    """Two tiers (cheap = gpt-4o-mini, strong = gpt-4o) with own prompts, budgets and prices."""
    tiers = [
        {
            "name": n,
            "model": MODELS[n],
            "system_prompt": SYSTEM[n],
            "max_tokens": BUDGET[n],
            "input_price": PRICES[n][0],
            "output_price": PRICES[n][1],
        }
        for n in ("cheap", "strong")
    ]
    data: dict[str, Any] = {"tiers": tiers, "classifier": {"type": "rules"}}
    data.update(overrides)
    return RouterConfig.build(data)


def by_keyword(text: str) -> str:
    """'hard' (or a long text) goes to the strong tier, everything else to the cheap one."""
    return "strong" if "hard" in text.lower() or len(text) > 400 else "cheap"


def classifier(rule: Callable[[str], str] = by_keyword) -> FakeClassifier:
    return FakeClassifier(rule, labels=["cheap", "strong"])


def expected_cost(rec: CallRecord) -> float:
    pin, pout = PRICES[rec.tier]
    return (rec.input_tokens * pin + rec.output_tokens * pout) / 1e6


def assert_ledger_costs(records: Sequence[CallRecord]) -> None:
    """Every answered attempt has real usage and costs usage x prices."""
    answered = [r for r in records if r.status in ("ok", "rejected")]
    assert answered, "no answered call in the ledger"
    for r in answered:
        assert r.input_tokens > 0 and r.output_tokens > 0, r
        assert r.cost_usd is not None
        assert abs(r.cost_usd - expected_cost(r)) < 1e-12, (r.cost_usd, expected_cost(r))
        assert r.framework == "llamaindex"


class ScriptedLLM(CustomLLM):
    """A completion LLM whose replies are scripted; exceptions in the script are raised.

    Usage is reported in ``raw["usage"]`` (OpenAI key names): 10 input tokens, and one
    output token per 4 characters.
    """

    name: str = Field(default="scripted")
    replies: list[Any] = Field(default_factory=list)
    max_tokens: int | None = None
    chat_model: bool = True
    stream_error_after: int | None = None
    """Streams raise a 500-like error after this many chunks."""
    _calls: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    @property
    def calls(self) -> list[dict[str, Any]]:
        return self._calls

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=8000,
            num_output=self.max_tokens or 512,
            model_name=self.name,
            is_chat_model=self.chat_model,
        )

    def _next(self, prompt: str) -> str:
        self._calls.append({"prompt": prompt, "max_tokens": self.max_tokens})
        i = min(len(self._calls) - 1, len(self.replies) - 1)
        reply = self.replies[i] if self.replies else f"answer from {self.name}"
        if isinstance(reply, BaseException):
            raise reply
        return str(reply)

    @staticmethod
    def _raw(text: str) -> dict[str, Any]:
        return {"usage": {"prompt_tokens": 10, "completion_tokens": max(1, len(text) // 4)}}

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = self._next(prompt)
        return CompletionResponse(text=text, raw=self._raw(text))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        text = self._next(prompt)

        def gen() -> CompletionResponseGen:
            words = text.split(" ")
            acc = ""
            for i, w in enumerate(words):
                if self.stream_error_after is not None and i >= self.stream_error_after:
                    from shared_core.testing import FakeServerError

                    raise FakeServerError("500 stream broke")
                delta = w if i == 0 else " " + w
                acc += delta
                last = i == len(words) - 1
                yield CompletionResponse(
                    text=acc, delta=delta, raw=self._raw(text) if last else None
                )

        return gen()


def openai_tiers(server: Any, **kwargs: Any) -> dict[str, Any]:
    """Real LlamaIndex OpenAI LLMs pointed at the loopback fake server."""
    from llama_index.llms.openai import OpenAI

    return {
        n: OpenAI(
            model=MODELS[n], api_base=server.base_url, api_key="sk-test", max_retries=0, **kwargs
        )
        for n in ("cheap", "strong")
    }


def routed_openai(server: Any, config: RouterConfig | None = None, **kwargs: Any) -> Any:
    """A RoutedLLM over :func:`openai_tiers` with :func:`make_config` and the keyword classifier."""
    from llamaindex_router import RoutedLLM

    kwargs.setdefault("classifier", classifier())
    return RoutedLLM(openai_tiers(server), config or make_config(), **kwargs)


def assert_sent(req: Any, tier: str, *, caller_system: str | None = None) -> None:
    """The request reached ``tier``'s model with its system prompt once and its budget."""
    assert req.model == MODELS[tier]
    system = [m for m in req.messages if m.get("role") == "system"]
    assert len(system) == 1, req.messages
    text = (
        system[0]["content"] if isinstance(system[0]["content"], str) else str(system[0]["content"])
    )
    assert text.count(SYSTEM[tier]) == 1
    if caller_system is not None:
        assert caller_system in text
    assert req.token_limit == BUDGET[tier]


def assert_usage_matches(records: Sequence[CallRecord], usage: Any) -> None:
    """The last record's tokens are what the provider reported."""
    rec = records[-1]
    assert (rec.input_tokens, rec.output_tokens) == (usage.prompt_tokens, usage.completion_tokens)
