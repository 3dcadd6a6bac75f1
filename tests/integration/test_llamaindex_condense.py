"""Chat engines' condense (rewrite) step is classified by the follow-up question alone.

``condense_question`` calls ``predict(template, question=..., chat_history=...)`` and
``condense_plus_context`` renders its template itself and calls ``complete``. Either way the
whole chat history is in the prompt; the router classifies the template's question variable,
as it would the question alone ("heavy earlier turns do not lift a light request").
"""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.prompts import PromptTemplate

from llamaindex_router import HashingEmbedding
from tests.unit.llamaindex_router.support import MODELS, routed_openai

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

HARD = "A hard design question: " + "consensus, clocks and failure modes. " * 20
LIGHT = "thanks, what time does the office open?"


def _memory() -> ChatMemoryBuffer:
    return ChatMemoryBuffer.from_defaults(
        chat_history=[
            ChatMessage(role="user", content=HARD),
            ChatMessage(role="assistant", content="Here is a long design ... " * 20),
        ]
    )


@pytest.fixture
def index() -> VectorStoreIndex:
    return VectorStoreIndex.from_documents(
        [Document(text="Our office opens at 9am.")], embed_model=HashingEmbedding()
    )


@pytest.mark.parametrize("mode", ["condense_plus_context", "condense_question"])
@pytest.mark.parametrize("use_async", [False, True])
def test_the_condense_step_is_classified_by_the_follow_up_question(
    openai_server, index, mode: str, use_async: bool
) -> None:
    llm = routed_openai(openai_server)
    assert llm.router.decide(LIGHT).tier == "cheap"
    engine = index.as_chat_engine(chat_mode=mode, llm=llm, memory=_memory())
    if use_async:
        asyncio.run(engine.achat(LIGHT))
    else:
        engine.chat(LIGHT)
    condense = openai_server.chat_requests[0]
    assert "Follow Up" in condense.last_user_text  # the rendered condense template
    assert condense.model == MODELS["cheap"]
    first = llm.router.ledger.records()[0]
    assert first.tier == "cheap"


def test_a_hard_follow_up_still_goes_up(openai_server, index) -> None:
    llm = routed_openai(openai_server)
    engine = index.as_chat_engine(chat_mode="condense_question", llm=llm, memory=_memory())
    engine.chat("and now the hard part: prove it")
    assert openai_server.chat_requests[0].model == MODELS["strong"]


def test_a_custom_template_s_question_variable_is_what_is_classified(openai_server) -> None:
    """Any template: ``question`` (like ``query_str``) names the user's question."""
    llm = routed_openai(openai_server)
    tmpl = PromptTemplate("History:\n{chat_history}\nRewrite this one: {question}")
    llm.predict(tmpl, chat_history=HARD, question=LIGHT)
    assert openai_server.last.model == MODELS["cheap"]
