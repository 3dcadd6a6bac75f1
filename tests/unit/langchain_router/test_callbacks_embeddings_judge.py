"""CostCallbackHandler on a plain model, the embeddings adapter and the judge adapter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from langchain_router import (
    CostCallbackHandler,
    LangChainEncoder,
    RoutedChatModel,
    chat_model_judge,
)
from shared_core import InputError, Router, RouterConfig
from shared_core.ledger import InMemoryLedger

from .conftest import EchoChat, tier_config


def _usage_msg(text: str, model: str = "gpt-4o-mini") -> AIMessage:
    return AIMessage(
        text,
        usage_metadata={"input_tokens": 1000, "output_tokens": 500, "total_tokens": 1500},
        response_metadata={"model_name": model},
    )


def test_cost_handler_prices_any_model() -> None:
    model = GenericFakeChatModel(messages=iter([_usage_msg("hi")]))
    ledger = InMemoryLedger()
    h = CostCallbackHandler(ledger, baseline_model="gpt-4o")
    model.invoke("x", config={"callbacks": [h], "tags": ["t1"], "metadata": {"team": "a"}})
    (rec,) = ledger.records()
    assert (rec.model, rec.input_tokens, rec.output_tokens, rec.status) == (
        "gpt-4o-mini",
        1000,
        500,
        "ok",
    )
    from shared_core.pricing import PriceTable, Usage

    table = PriceTable()
    assert rec.cost_usd == pytest.approx(table.cost("gpt-4o-mini", Usage(1000, 500)))
    assert rec.baseline_cost_usd == pytest.approx(table.cost("gpt-4o", Usage(1000, 500)))
    assert (
        h.savings_usd == pytest.approx(rec.baseline_cost_usd - rec.cost_usd) and h.savings_usd > 0
    )
    assert rec.tags == ("t1",) and rec.metadata["team"] == "a"


def test_cost_handler_skips_routed_answers(fake_classifier: Any) -> None:
    tiers = {
        "cheap": EchoChat(name_="cheap", errors=[], seen=[]),
        "strong": EchoChat(name_="strong", errors=[], seen=[]),
    }
    routed = RoutedChatModel(tiers=tiers, config=tier_config(), classifier=fake_classifier)
    h = CostCallbackHandler(router=routed.router)
    routed.invoke("hi", config={"callbacks": [h]})
    assert h.ledger is routed.router.ledger
    assert len(routed.router.ledger.records()) == 1  # recorded once, by the router
    # counted in the handler's totals at the router's (test_handler_routed_totals), not recorded
    assert h.calls == 1


def test_cost_handler_records_errors() -> None:
    class Boom(EchoChat):
        def _generate(self, *a: Any, **k: Any) -> Any:
            raise RuntimeError("down")

    h = CostCallbackHandler()
    with pytest.raises(RuntimeError):
        Boom(errors=[], seen=[]).invoke("x", config={"callbacks": [h]})
    (rec,) = h.ledger.records()
    # the router's fault kind, as RoutedChatModel records it; the class in the note
    assert rec.status == "failed" and rec.error_kind == "other"
    assert rec.error == "RuntimeError: down" and rec.cost_usd == 0.0  # not billed: a known zero


async def test_encoder_adapter() -> None:
    enc = LangChainEncoder(DeterministicFakeEmbedding(size=8))
    a = enc.encode(["hello", "world"])
    assert a.shape == (2, 8) and a.dtype == np.float32
    b = await enc.aencode(["hello", "world"])
    assert np.allclose(a, b)
    with pytest.raises(InputError):
        LangChainEncoder(object())  # type: ignore[arg-type]


def test_encoder_plugs_into_embedding_classifier() -> None:
    cfg = RouterConfig.build(
        tier_config(
            classifier={
                "type": "embedding",
                "options": {
                    "examples": {
                        "cheap": ["hi", "hello there", "thanks"],
                        "strong": ["prove the theorem", "design a system"],
                    }
                },
            }
        )
    )
    calls: list[list[str]] = []

    class Counting(DeterministicFakeEmbedding):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            calls.append(list(texts))
            return super().embed_documents(texts)

    r = Router(cfg, encoder=LangChainEncoder(Counting(size=16)))
    # the fake embedding is a hash of the text: an example's own text lands on its label
    assert r.decide("hi").tier == "cheap"
    assert r.decide("prove the theorem").tier == "strong"
    assert any("prove the theorem" in c for c in calls)


async def test_judge_adapter() -> None:
    model = EchoChat(reply="MEDIUM", errors=[], seen=[])
    complete, acomplete = chat_model_judge(model)
    assert complete("rate this") == "MEDIUM"
    assert await acomplete("rate this") == "MEDIUM"
    assert model.seen[-1]["kwargs"]["max_tokens"] == 16  # short answers: bound per call
    assert model.max_tokens is None


def test_cost_handler_estimates_tokens_when_the_answer_reports_no_usage() -> None:
    """``ChatOpenAI`` streaming at a custom ``base_url`` sends no usage: the handler recorded
    0/0 tokens and cost None, status ok, and summaries read $0 with no unknown-cost flag (the
    RoutedChatModel estimates characters / 4 in that case, as the docs say both do)."""
    model = GenericFakeChatModel(messages=iter([AIMessage("Paris is the capital of France." * 4,
                                                          response_metadata={"model_name": "gpt-4o-mini"})]))
    h = CostCallbackHandler(baseline_model="gpt-4o")
    model.invoke("What is the capital of France? " * 10, config={"callbacks": [h]})
    (rec,) = h.ledger.records()
    assert rec.input_tokens > 50 and rec.output_tokens > 20
    assert rec.cost_usd is not None and rec.cost_usd > 0 and "estimated" in (rec.error or "")


def test_cost_handler_records_the_user_so_user_budgets_count_it() -> None:
    """``RunnableRouter``'s docs put a CostCallbackHandler on the routes; its records carried no
    user, so a ``user:alice`` limit never saw alice's spend (4 calls of 4 went through)."""
    model = GenericFakeChatModel(messages=iter([_usage_msg("hi")]))
    h = CostCallbackHandler()
    model.invoke("x", config={"callbacks": [h], "metadata": {"user_id": "alice"}})
    (rec,) = h.ledger.records()
    assert rec.user == "alice"
    assert h.ledger.spend("user:alice", 0.0) == pytest.approx(rec.cost_usd)
