

def test_an_inner_llm_priced_unlike_its_tier_is_refused_when_built() -> None:
    """As for LangChain: ``OpenAI(model="gpt-4o")`` under a tier whose config says gpt-4o-mini
    would be recorded at mini prices."""
    import pytest
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM
    from shared_core import ConfigError

    config = {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]}
    with pytest.raises(ConfigError, match=r"cheap.*gpt-4o-mini.*gpt-4o"):
        RoutedLLM(tiers={"cheap": OpenAI(model="gpt-4o", api_key="sk-x"), "strong": OpenAI(model="gpt-4o", api_key="sk-x")},
                  config=config)
    RoutedLLM(tiers={"cheap": OpenAI(model="gpt-4o-mini", api_key="sk-x"), "strong": OpenAI(model="gpt-4o", api_key="sk-x")},
              config=config)


def test_two_tool_calls_that_openai_trims_to_one_are_not_a_schema_failure() -> None:
    """LlamaIndex's OpenAI LLM keeps only the first tool call of a structured answer (its
    ``_validate_chat_with_tools_response``) and the program accepts it; the router's check ran
    before that trimming and escalated an answer the program takes (a second paid call)."""
    from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ToolCallBlock
    from llama_index.core.program.function_program import get_function_tool
    from llama_index.llms.openai import OpenAI
    from pydantic import BaseModel

    from llamaindex_router.structured import with_schema_check
    from llamaindex_router.tools import PreparedTools
    from shared_core.quality import Answer

    class City(BaseModel):
        name: str

    tool = get_function_tool(City)
    response = ChatResponse(message=ChatMessage(role="assistant", blocks=[
        ToolCallBlock(tool_call_id="c1", tool_name=tool.metadata.name, tool_kwargs='{"name": "Rome"}'),
        ToolCallBlock(tool_call_id="c2", tool_name=tool.metadata.name, tool_kwargs='{"name": "Paris"}'),
    ]))
    prepared = PreparedTools(request=None, tools=[tool], user_msg=None, chat_history=None,
                             options={"allow_parallel_tool_calls": False})
    checked = with_schema_check(Answer("", tool_calls=2), response, City, prepared, OpenAI(model="gpt-4o-mini", api_key="x"))
    assert checked.schema_error is None
    assert len(response.message.blocks) == 2  # the caller's response is left as it was
