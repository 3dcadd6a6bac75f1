"""The embedding and judge adapters, and reading usage from LlamaIndex responses."""

from __future__ import annotations

import numpy as np
import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CompletionResponse
from llama_index.core.embeddings import MockEmbedding

from llamaindex_router import HashingEmbedding, LlamaIndexEncoder, RoutedLLM, llm_judge
from llamaindex_router.responses import answer_of, finish_reason_of, usage_of
from shared_core import ConfigError, Router
from shared_core.pricing import Usage

from .support import ScriptedLLM, make_config


def test_encoder_over_any_base_embedding() -> None:
    enc = LlamaIndexEncoder(MockEmbedding(embed_dim=8))
    assert enc.encode(["a", "b", "c"]).shape == (3, 8)
    with pytest.raises(ConfigError, match="BaseEmbedding"):
        LlamaIndexEncoder(object())  # type: ignore[arg-type]


async def test_hashing_embedding_is_deterministic_and_async() -> None:
    emb = HashingEmbedding(dim=32)
    a = emb.get_text_embedding("what is the capital of France")
    assert a == HashingEmbedding(dim=32).get_text_embedding("what is the capital of France")
    assert len(a) == 32 and a != emb.get_text_embedding("prove Fermat's last theorem")
    enc = LlamaIndexEncoder(emb)
    sync = enc.encode(["hello", "world"])
    assert np.allclose(sync, await enc.aencode(["hello", "world"]))


def test_embedding_classifier_routes_with_a_llamaindex_embedding() -> None:
    cfg = make_config(
        classifier={
            "type": "embedding",
            "options": {
                "examples": {
                    "cheap": ["hi", "hello there", "thanks a lot", "good morning"],
                    "strong": [
                        "prove the theorem rigorously",
                        "derive the complexity bound",
                        "design a distributed consensus protocol",
                        "analyse the proof step by step",
                    ],
                }
            },
        }
    )
    llm = RoutedLLM(
        {"cheap": ScriptedLLM(), "strong": ScriptedLLM()}, cfg, embed_model=HashingEmbedding()
    )
    tier = llm.chat([ChatMessage(role="user", content="hello there!")]).additional_kwargs["router"][
        "tier"
    ]
    assert tier == "cheap"
    hard = llm.chat(
        [ChatMessage(role="user", content="prove the theorem rigorously, step by step")]
    )
    assert hard.additional_kwargs["router"]["tier"] == "strong"


async def test_judge_adapter_over_a_llamaindex_llm() -> None:
    judge = ScriptedLLM(replies=['{"label": "strong"}'])
    router = Router(make_config(classifier={"type": "judge"}), judge_complete=llm_judge(judge))
    assert router.decide("anything at all").tier == "strong"
    assert (await router.adecide("again")).tier == "strong"
    assert "anything at all" in judge.calls[0]["prompt"]
    with pytest.raises(ConfigError):
        llm_judge(object())  # type: ignore[arg-type]


def test_judge_defaults_to_the_cheapest_tier() -> None:
    cheap = ScriptedLLM(name="cheap", replies=['{"label": "strong"}', "final answer"])
    llm = RoutedLLM(
        {"cheap": cheap, "strong": ScriptedLLM(name="strong")},
        make_config(classifier={"type": "judge"}),
    )
    r = llm.chat([ChatMessage(role="user", content="route me")])
    assert r.additional_kwargs["router"]["tier"] == "strong"
    assert r.additional_kwargs["router"]["classifier"].startswith("judge")


def test_the_default_judge_is_asked_on_the_cheapest_tier_only() -> None:
    """The strong tier's default reply names a label too, so only the calls each LLM
    received tell which one judged."""
    cheap = ScriptedLLM(name="cheap", replies=['{"label": "strong"}'])
    strong = ScriptedLLM(name="strong", replies=["the strong answer"])
    llm = RoutedLLM({"cheap": cheap, "strong": strong}, make_config(classifier={"type": "judge"}))
    r = llm.chat([ChatMessage(role="user", content="route me")])
    assert r.message.content == "the strong answer"
    assert len(cheap.calls) == 1
    assert "request classifier" in cheap.calls[0]["prompt"]
    assert "route me" in cheap.calls[0]["prompt"]
    assert len(strong.calls) == 1
    assert "request classifier" not in strong.calls[0]["prompt"]


@pytest.mark.parametrize(
    ("raw", "extra", "expected"),
    [
        ({"usage": {"prompt_tokens": 10, "completion_tokens": 4}}, {}, Usage(10, 4)),
        (
            {
                "usage": {
                    "prompt_tokens": 10,
                    "completion_tokens": 4,
                    "prompt_tokens_details": {"cached_tokens": 6},
                }
            },
            {},
            Usage(10, 4, 6),
        ),
        (
            {"usage": {"input_tokens": 5, "output_tokens": 2, "cache_read_input_tokens": 3}},
            {},
            Usage(8, 2, 3),
        ),
        (  # Anthropic cache reads larger than the uncached input, plus a cache write
            {"usage": {"input_tokens": 2, "output_tokens": 1, "cache_read_input_tokens": 50,
                       "cache_creation_input_tokens": 10}},
            {},
            Usage(62, 1, 50),
        ),
        (None, {"prompt_tokens": 7, "completion_tokens": 1}, Usage(7, 1)),
        (None, {}, None),
        ({"id": "x"}, {}, None),
    ],
)
def test_usage_of(raw: object, extra: dict, expected: Usage | None) -> None:
    resp = CompletionResponse(text="x", raw=raw, additional_kwargs=extra)
    assert usage_of(resp) == expected


def test_answer_counts_tool_calls() -> None:
    msg = ChatMessage(
        role="assistant", content="", additional_kwargs={"tool_calls": [{"id": "1"}, {"id": "2"}]}
    )
    assert answer_of(ChatResponse(message=msg)).tool_calls == 2
    assert answer_of(CompletionResponse(text="hi")).text == "hi"


@pytest.mark.parametrize(
    ("raw", "extra", "expected"),
    [
        ({"choices": [{"finish_reason": "content_filter"}]}, {}, "content_filter"),
        (type("R", (), {"choices": [type("C", (), {"finish_reason": "stop"})()]})(), {}, "stop"),
        ({"choices": [], "usage": {}}, {}, None),  # the usage-only last chunk of a stream
        ({"stop_reason": "refusal"}, {}, "refusal"),  # Anthropic
        (None, {"finish_reason": "SAFETY"}, "SAFETY"),
        ({"stopReason": "max_tokens"}, {}, "max_tokens"),  # Bedrock Converse
        ({"done_reason": "length"}, {}, "length"),  # Ollama
        ({"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}}, {}, "max_output_tokens"),
        (None, {}, None),
    ],
)
def test_finish_reason_of(raw: object, extra: dict, expected: str | None) -> None:
    resp = ChatResponse(message=ChatMessage(role="assistant", content=""), raw=raw)
    resp.additional_kwargs = extra
    assert finish_reason_of(resp) == expected
    assert answer_of(resp).finish_reason == expected
    assert answer_of(resp, "content_filter").finish_reason == "content_filter"
