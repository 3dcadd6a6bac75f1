

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
