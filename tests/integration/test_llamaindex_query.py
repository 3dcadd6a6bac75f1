"""A VectorStoreIndex query engine over RoutedLLM: the question is classified, not the context."""

from __future__ import annotations

import pytest
from llama_index.core import Document, VectorStoreIndex

from llamaindex_router import HashingEmbedding
from tests.unit.llamaindex_router.support import assert_ledger_costs, assert_sent, routed_openai

pytestmark = pytest.mark.integration

# long enough that classifying the templated prompt (context + question) would pick "strong"
_DOCS = [
    Document(text=("Paris is the capital of France. It lies on the Seine. " * 40) + f" Fact {i}.")
    for i in range(3)
]


@pytest.fixture(scope="module")
def index() -> VectorStoreIndex:
    return VectorStoreIndex.from_documents(_DOCS, embed_model=HashingEmbedding(dim=64))


def test_simple_question_over_long_context_goes_to_cheap_tier(openai_server, index) -> None:
    llm = routed_openai(openai_server)
    engine = index.as_query_engine(llm=llm, similarity_top_k=2)
    response = engine.query("What is the capital of France?")
    assert "gpt-4o-mini" in str(response)
    req = openai_server.last
    assert_sent(req, "cheap")
    user = req.messages[-1]["content"]
    assert "Paris is the capital of France" in user and len(user) > 1000  # the context was sent
    rec = llm.router.ledger.records()[-1]
    assert rec.tier == "cheap" and rec.input_tokens > 250
    assert_ledger_costs(llm.router.ledger.records())
    # the classifier saw the question only
    assert llm.router.classifier.calls[-1] == "What is the capital of France?"


def test_hard_question_over_the_same_context_goes_to_strong_tier(openai_server, index) -> None:
    llm = routed_openai(openai_server)
    response = index.as_query_engine(llm=llm).query("A hard question: compare Paris with Lyon.")
    assert "gpt-4o:" in str(response)
    assert_sent(openai_server.last, "strong")


def test_streaming_query_engine(openai_server, index) -> None:
    llm = routed_openai(openai_server)
    engine = index.as_query_engine(llm=llm, streaming=True)
    response = engine.query("What is the capital of France?")
    text = "".join(response.response_gen)
    assert text.startswith("Reply from gpt-4o-mini")
    req = openai_server.last
    assert req.stream and req.body.get("stream_options") == {"include_usage": True}
    assert_sent(req, "cheap")
    rec = llm.router.ledger.records()[-1]
    assert rec.streamed and rec.tier == "cheap"
    assert_ledger_costs([rec])


async def test_async_query_engine(openai_server, index) -> None:
    llm = routed_openai(openai_server)
    response = await index.as_query_engine(llm=llm).aquery("What is the capital of France?")
    assert "gpt-4o-mini" in str(response)
    assert_sent(openai_server.last, "cheap")
