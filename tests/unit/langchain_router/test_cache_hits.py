"""A LangChain cache hit calls no model: it reports and records cost 0, not the first call's."""

from __future__ import annotations

from langchain_core.caches import InMemoryCache

from langchain_router import RoutedChatModel
from shared_core.testing import FakeClassifier
from tests.unit.langchain_router.conftest import EchoChat


def _model() -> RoutedChatModel:
    return RoutedChatModel(
        tiers={
            "simple": EchoChat(model_name="gpt-4o-mini", reply="Paris."),
            "complex": EchoChat(model_name="gpt-4o", reply="Paris."),
        },
        config={"tiers": [{"name": "simple", "model": "gpt-4o-mini"}, {"name": "complex", "model": "gpt-4o"}]},
        classifier=FakeClassifier(default="simple"),
        cache=InMemoryCache(),
    )


def test_a_cache_hit_costs_nothing_in_metadata_and_ledger():
    llm = _model()
    first = llm.invoke("Capital of France?").response_metadata["router"]
    hit = llm.invoke("Capital of France?").response_metadata["router"]
    assert first["cost_usd"] == 0.15 * 10 / 1e6 + 0.6 * 5 / 1e6  # gpt-4o-mini, 10 in / 5 out
    assert (hit["cost_usd"], hit["total_cost_usd"], hit["baseline_cost_usd"]) == (0.0, 0.0, 0.0)
    assert hit["cache_hit"] is True
    assert hit["cached_call_id"] == first["call_id"] != hit["call_id"]
    assert (hit["tier"], hit["model"]) == ("simple", "gpt-4o-mini")
    records = llm.router.ledger.records()
    assert [(r.call_id, r.cost_usd) for r in records] == [
        (first["call_id"], first["cost_usd"]),
        (hit["call_id"], 0.0),
    ]
    assert records[1].metadata == {"cache_hit": True, "cached_call_id": first["call_id"]}
    assert llm.router.ledger.summary().cost_usd == first["cost_usd"]
    assert len(llm.tiers["simple"].seen) == 1  # the model was called once


def test_the_cached_answer_keeps_its_own_cost_for_the_next_hit():
    llm = _model()
    first = llm.invoke("Capital of France?")
    llm.invoke("Capital of France?")
    again = llm.invoke("Capital of France?").response_metadata["router"]
    assert again["cost_usd"] == 0.0 and again["cached_call_id"] == first.response_metadata["router"]["call_id"]
    assert first.response_metadata["router"]["cost_usd"] > 0  # nothing written back into it


async def test_an_async_cache_hit_costs_nothing_too():
    llm = _model()
    await llm.ainvoke("Capital of France?")
    hit = (await llm.ainvoke("Capital of France?")).response_metadata["router"]
    assert hit["cost_usd"] == 0.0 and hit["cache_hit"] is True
    assert [r.cost_usd for r in llm.router.ledger.records()][1] == 0.0


def test_the_same_prompt_in_another_conversation_hits_the_cache():
    """The router's conversation id went into LangChain's cache key, so every LangGraph thread
    paid the provider again for a prompt a plain model answered from the cache (a probe found
    it). The thread is still recorded on each call."""
    llm = _model()
    a = llm.invoke("Capital of France?", config={"configurable": {"thread_id": "A"}})
    b = llm.invoke("Capital of France?", config={"configurable": {"thread_id": "B"}})
    assert a.response_metadata["router"].get("cache_hit") is None
    assert b.response_metadata["router"]["cache_hit"] is True
    assert len(llm.tiers["simple"].seen) == 1
    assert [r.thread_id for r in llm.router.ledger.records()] == ["A", "B"]


def test_routed_models_over_other_tiers_or_configs_never_share_cache_entries() -> None:
    """With ``checks=`` (or a ``classifier=``, ``prices=``, ``router=`` object) the model is not
    serialisable, and LangChain's cache key fell back to the class name alone: a router over
    gpt-4.1 tiers, with its own system prompts, got the answer another router's gpt-4o-mini
    gave, and its ledger recorded a hit on a model it does not have."""
    from langchain_core.globals import get_llm_cache, set_llm_cache

    def routed(models: tuple[str, str], prompt: str, reply: str) -> RoutedChatModel:
        return RoutedChatModel(
            tiers={"simple": EchoChat(model_name=models[0], reply=reply),
                   "complex": EchoChat(model_name=models[1], reply=reply)},
            config={"tiers": [{"name": "simple", "model": models[0], "system_prompt": prompt},
                              {"name": "complex", "model": models[1], "system_prompt": prompt}]},
            classifier=FakeClassifier(default="simple"),
            checks=[lambda text: True],
        )

    before = get_llm_cache()
    set_llm_cache(InMemoryCache())
    try:
        fr = routed(("gpt-4o-mini", "gpt-4o"), "Answer in French.", "Rome (fr)")
        en = routed(("gpt-4.1-mini", "gpt-4.1"), "Answer in English.", "Rome (en)")
        same_tiers = routed(("gpt-4o-mini", "gpt-4o"), "Answer in English.", "Rome (en2)")
        assert fr.invoke("What is the capital of Italy?").content == "Rome (fr)"
        assert en.invoke("What is the capital of Italy?").content == "Rome (en)"
        assert same_tiers.invoke("What is the capital of Italy?").content == "Rome (en2)"
        assert [r.model for r in en.router.ledger.records()] == ["gpt-4.1-mini"]
        again = routed(("gpt-4o-mini", "gpt-4o"), "Answer in French.", "never called")
        assert again.invoke("What is the capital of Italy?").content == "Rome (fr)"  # a true hit
    finally:
        set_llm_cache(before)


def test_the_cache_key_follows_the_inner_models_parameters() -> None:
    """Two routers over the same model ids at different temperatures do not share answers."""
    from langchain_openai import ChatOpenAI

    config = {"tiers": [{"name": "simple", "model": "gpt-4o-mini"}, {"name": "complex", "model": "gpt-4o"}]}

    def routed(temperature: float) -> RoutedChatModel:
        return RoutedChatModel(
            tiers={"simple": ChatOpenAI(model="gpt-4o-mini", api_key="sk-x", temperature=temperature),
                   "complex": ChatOpenAI(model="gpt-4o", api_key="sk-x", temperature=temperature)},
            config=config, checks=[lambda text: True],
        )

    assert routed(0.0)._get_llm_string() != routed(1.0)._get_llm_string()
    assert routed(0.0)._get_llm_string() == routed(0.0)._get_llm_string()
