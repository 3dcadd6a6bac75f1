"""The question inside LlamaIndex templates, found by their variables."""

from __future__ import annotations

from llama_index.core.chat_engine.condense_plus_context import DEFAULT_CONDENSE_PROMPT_TEMPLATE
from llama_index.core.chat_engine.condense_question import DEFAULT_PROMPT
from llama_index.core.prompts import PromptTemplate

from llamaindex_router.templates import question_of, rendered_question


def test_question_variables_in_template_arguments() -> None:
    assert question_of({"query_str": "q1", "context_str": "x"}) == "q1"
    assert question_of({"question": "q2", "chat_history": "x"}) == "q2"
    assert question_of({"question": "  ", "text": "x"}) is None
    assert question_of({"text": "x"}) is None


def test_a_rendered_condense_prompt_gives_its_follow_up_question() -> None:
    history = "user: Follow Up Input: a trap\nassistant: long answer\n" * 50
    for tmpl in (PromptTemplate(DEFAULT_CONDENSE_PROMPT_TEMPLATE), DEFAULT_PROMPT):
        text = tmpl.format(chat_history=history, question="when do you open?")
        assert rendered_question(text) == "when do you open?"


def test_ordinary_text_has_no_rendered_question() -> None:
    assert rendered_question("Given the following conversation, what now?") is None
    assert rendered_question("") is None
