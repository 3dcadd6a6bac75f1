"""RoutedChatModel with real LangChain objects over real ChatOpenAI inner models (loopback server).

Each test checks which tier answered, what system prompt and token budget reached the
server, and that the ledger's costs are the server's reported usage times the prices.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from langchain_router import RoutedChatModel
from shared_core import AllTiersFailedError, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import REFUSAL, FakeOpenAIServer
from tests.fake_responses import prompt_tokens

pytestmark = pytest.mark.integration

PRICES = {"gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00)}
CHEAP_SYSTEM = "You are the cheap tier. Answer briefly."
STRONG_SYSTEM = "You are the strong tier. Think carefully."


def make_config(**extra: Any) -> RouterConfig:
    return RouterConfig.build(
        {
            "tiers": [
                {
                    "name": "cheap",
                    "model": "gpt-4o-mini",
                    "system_prompt": CHEAP_SYSTEM,
                    "max_tokens": 64,
                    "input_price": 0.15,
                    "output_price": 0.60,
                },
                {
                    "name": "strong",
                    "model": "gpt-4o",
                    "system_prompt": STRONG_SYSTEM,
                    "max_tokens": 256,
                    "input_price": 2.50,
                    "output_price": 10.00,
                },
            ],
            **extra,
        }
    )


def inner(server: FakeOpenAIServer, model: str, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(
        model=model,
        base_url=server.base_url,
        api_key="sk-test",
        max_retries=0,
        http_async_client=httpx.AsyncClient(),
        **kw,
    )


def hard_is_strong() -> FakeClassifier:
    return FakeClassifier({"hard": "strong"}, default="cheap", labels=["cheap", "strong"])


@pytest.fixture
def routed(openai_server: FakeOpenAIServer) -> Iterator[RoutedChatModel]:
    yield RoutedChatModel(
        tiers={
            "cheap": inner(openai_server, "gpt-4o-mini"),
            "strong": inner(openai_server, "gpt-4o"),
        },
        config=make_config(),
        classifier=hard_is_strong(),
        ledger=InMemoryLedger(),
    )


def assert_costs_match_server(routed: RoutedChatModel, server: FakeOpenAIServer) -> None:
    """Each answered attempt in the ledger (ok, or rejected by a check) is one response of the
    server: the same model, input and output tokens as the usage the server reported. Its
    cost is those tokens times the tier's prices; an answer's baseline, times gpt-4o's."""
    ok = [r for r in routed.router.ledger.records() if r.status in ("ok", "rejected")]
    reported = [
        (req.model, req.usage["prompt_tokens"], req.usage["completion_tokens"])
        for req in server.chat_requests
        if req.usage is not None
    ]
    assert ok, "nothing answered"
    assert sorted((r.model, r.input_tokens, r.output_tokens) for r in ok) == sorted(reported)
    for req in server.chat_requests:  # the server's usage is its documented rule
        if req.usage is not None:
            assert req.usage["prompt_tokens"] == prompt_tokens(req.body)
    for rec in ok:
        pin, pout = PRICES[rec.model]
        expected = (rec.input_tokens * pin + rec.output_tokens * pout) / 1e6
        assert rec.cost_usd == pytest.approx(expected, rel=1e-9)
        if rec.status == "ok":
            bin_, bout = PRICES["gpt-4o"]
            assert rec.baseline_cost_usd == pytest.approx(
                (rec.input_tokens * bin_ + rec.output_tokens * bout) / 1e6, rel=1e-9
            )


# -- LCEL chain ---------------------------------------------------------------------------

PROMPT = ChatPromptTemplate.from_messages(
    [("system", "You help with {topic}."), ("human", "{question}")]
)


def test_lcel_chain_invoke_batch_stream(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    chain = PROMPT | routed | StrOutputParser()
    out = chain.invoke({"topic": "maths", "question": "what is 2+2?"})
    assert out.startswith("Reply from gpt-4o-mini")
    req = openai_server.last
    assert req.model == "gpt-4o-mini"
    assert req.system_prompt == f"{CHEAP_SYSTEM}\n\nYou help with maths."  # merge: tier text first
    assert req.token_limit == 64

    outs = chain.batch(
        [{"topic": "a", "question": "easy"}, {"topic": "b", "question": "a hard proof"}]
    )
    assert outs[0].startswith("Reply from gpt-4o-mini") and outs[1].startswith("Reply from gpt-4o:")
    # batch runs its two calls concurrently: they reach the server in either order
    batch_reqs = openai_server.chat_requests[1:3]
    assert sorted(r.model or "" for r in batch_reqs) == ["gpt-4o", "gpt-4o-mini"]
    by_model = {r.model: r for r in batch_reqs}
    assert by_model["gpt-4o-mini"].system_prompt == f"{CHEAP_SYSTEM}\n\nYou help with a."
    assert by_model["gpt-4o"].system_prompt == f"{STRONG_SYSTEM}\n\nYou help with b."
    assert by_model["gpt-4o-mini"].token_limit == 64 and by_model["gpt-4o"].token_limit == 256

    pieces = list(chain.stream({"topic": "c", "question": "hard streaming"}))
    assert len(pieces) > 2 and "".join(pieces).startswith("Reply from gpt-4o:")
    req = openai_server.last
    assert req.stream and req.body["stream_options"] == {"include_usage": True}
    assert req.system_prompt == f"{STRONG_SYSTEM}\n\nYou help with c." and req.token_limit == 256

    records = routed.router.ledger.records()
    tiers = [r.tier for r in records]
    # batch runs its two calls in parallel: their records may land in either order
    assert (
        tiers[0] == "cheap" and sorted(tiers[1:3]) == ["cheap", "strong"] and tiers[3] == "strong"
    )
    assert records[-1].streamed and records[-1].output_tokens > 0  # streamed calls are not free
    assert_costs_match_server(routed, openai_server)


async def test_lcel_chain_async(routed: RoutedChatModel, openai_server: FakeOpenAIServer) -> None:
    chain = PROMPT | routed | StrOutputParser()
    out = await chain.ainvoke({"topic": "x", "question": "a hard one"})
    assert out.startswith("Reply from gpt-4o:")
    req = openai_server.last
    assert req.model == "gpt-4o" and req.token_limit == 256
    assert req.system_prompt == f"{STRONG_SYSTEM}\n\nYou help with x."

    outs = await chain.abatch(
        [{"topic": "x", "question": "hi"}, {"topic": "y", "question": "hard"}]
    )
    assert [o.split(":")[0] for o in outs] == ["Reply from gpt-4o-mini", "Reply from gpt-4o"]
    by_model = {r.model: r for r in openai_server.chat_requests[1:3]}  # in either order
    assert by_model["gpt-4o-mini"].system_prompt == f"{CHEAP_SYSTEM}\n\nYou help with x."
    assert by_model["gpt-4o"].system_prompt == f"{STRONG_SYSTEM}\n\nYou help with y."
    assert by_model["gpt-4o-mini"].token_limit == 64 and by_model["gpt-4o"].token_limit == 256

    pieces = [p async for p in chain.astream({"topic": "z", "question": "hello"})]
    assert "".join(pieces).startswith("Reply from gpt-4o-mini")
    req = openai_server.last
    assert req.stream and req.token_limit == 64
    assert req.system_prompt == f"{CHEAP_SYSTEM}\n\nYou help with z."

    tiers = [r.tier for r in routed.router.ledger.records()]
    assert tiers[0] == "strong" and sorted(tiers[1:3]) == ["cheap", "strong"]
    assert tiers[3] == "cheap" and len(tiers) == 4
    assert_costs_match_server(routed, openai_server)


def test_metadata_on_message_and_stream(routed: RoutedChatModel) -> None:
    msg = routed.invoke("hello")
    info = msg.response_metadata["router"]
    assert info["tier"] == "cheap" and info["model"] == "gpt-4o-mini"
    assert (
        info["classifier"] == "fake"
        and info["escalated"] is False
        and info["fallbacks_tried"] == []
    )
    assert info["cost_usd"] > 0 and info["baseline_cost_usd"] > info["cost_usd"]
    assert msg.response_metadata["model_name"] == "gpt-4o-mini"
    assert msg.usage_metadata and msg.usage_metadata["input_tokens"] > 0

    chunks = list(routed.stream("hard question"))
    with_name = [c for c in chunks if "model_name" in c.response_metadata]
    assert len(with_name) == 1 and with_name[0] is chunks[-1]  # once, on the final chunk
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.response_metadata["model_name"] == "gpt-4o"
    assert full.response_metadata["router"]["tier"] == "strong"
    assert full.usage_metadata and full.usage_metadata["output_tokens"] > 0


def test_caller_max_tokens_and_forced_model(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    routed.invoke("hello", max_tokens=7)
    assert openai_server.last.token_limit == 7
    msg = routed.invoke("hello", model="strong")
    assert (
        openai_server.last.model == "gpt-4o" and msg.response_metadata["router"]["tier"] == "strong"
    )
    routed.invoke("hard", model="gpt-4o-mini")
    assert openai_server.last.model == "gpt-4o-mini"
    # the inner models themselves were not changed by the per-call budget
    assert routed.tiers["cheap"].max_tokens is None


def test_thread_stickiness(openai_server: FakeOpenAIServer) -> None:
    routed = RoutedChatModel(
        tiers={
            "cheap": inner(openai_server, "gpt-4o-mini"),
            "strong": inner(openai_server, "gpt-4o"),
        },
        config=make_config(sticky=True),
        classifier=hard_is_strong(),
    )
    cfg = {"configurable": {"thread_id": "t-1"}}
    routed.invoke("a hard question", config=cfg)
    routed.invoke("thanks!", config=cfg)  # easy, but the thread stays on strong
    routed.invoke("thanks!", config={"configurable": {"thread_id": "t-2"}})
    assert openai_server.models == ["gpt-4o", "gpt-4o", "gpt-4o-mini"]
    assert [r.thread_id for r in routed.router.ledger.records()] == ["t-1", "t-1", "t-2"]


def test_ledger_gets_tags_and_metadata(routed: RoutedChatModel) -> None:
    routed.invoke(
        "hi", config={"tags": ["feature:search"], "metadata": {"user_id": "u7", "team": "a"}}
    )
    rec = routed.router.ledger.records()[-1]
    assert "feature:search" in rec.tags and rec.user == "u7" and rec.metadata.get("team") == "a"
    assert rec.framework == "langchain"


# -- tools, structured output, agents, graphs ----------------------------------------------


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"It is sunny in {city}."


def test_bind_tools_binds_originals_per_tier(openai_server: FakeOpenAIServer) -> None:
    cfg = make_config()
    cfg = RouterConfig.build(
        {
            **cfg.to_dict(),
            "tiers": [
                {**cfg.tiers[0].model_dump(exclude_none=True), "supports_tools": False},
                cfg.tiers[1].model_dump(exclude_none=True),
            ],
        }
    )
    routed = RoutedChatModel(
        tiers={
            "cheap": inner(openai_server, "gpt-4o-mini"),
            "strong": inner(openai_server, "gpt-4o"),
        },
        config=cfg,
        classifier=hard_is_strong(),
    )
    msg = routed.bind_tools([get_weather], tool_choice="get_weather", strict=True).invoke(
        "weather in Paris?"
    )
    assert msg.tool_calls and msg.tool_calls[0]["name"] == "get_weather"
    req = openai_server.last
    assert req.model == "gpt-4o"  # the cheap tier cannot call tools
    assert req.tools[0]["function"]["strict"] is True  # original tool bound by the inner model
    assert req.tool_choice == {"type": "function", "function": {"name": "get_weather"}}
    assert "tool calling" in " ".join(msg.response_metadata["router"]["reasons"])


class Person(BaseModel):
    name: str
    age: int


def test_structured_output_native_mode(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    out = routed.with_structured_output(Person).invoke("Extract: Ann is 31")
    assert isinstance(out, Person)
    req = openai_server.last
    assert req.model == "gpt-4o-mini" and routed.router.ledger.records()[-1].tier == "cheap"
    assert req.response_format["type"] == "json_schema"  # ChatOpenAI's native mode
    assert req.response_format["json_schema"]["name"] == "Person"
    assert req.system_prompt == CHEAP_SYSTEM and req.token_limit == 64  # no caller system message
    raw = routed.with_structured_output(Person, method="function_calling", include_raw=True).invoke(
        "hard: Ann"
    )
    assert isinstance(raw["parsed"], Person) and raw["parsing_error"] is None
    assert raw["raw"].response_metadata["router"]["tier"] == "strong"
    req = openai_server.last
    assert req.tools[0]["function"]["name"] == "Person"
    assert req.system_prompt == STRONG_SYSTEM and req.token_limit == 256
    assert_costs_match_server(routed, openai_server)


def test_create_agent_tool_loop_stays_on_one_tier(openai_server: FakeOpenAIServer) -> None:
    from langchain.agents import create_agent

    # the classifier would say strong first, then cheap on every later step: the loop must not bounce
    picks = itertools.chain(["strong"], itertools.repeat("cheap"))
    clf = FakeClassifier(lambda text: next(picks), labels=["cheap", "strong"])
    routed = RoutedChatModel(
        tiers={
            "cheap": inner(openai_server, "gpt-4o-mini"),
            "strong": inner(openai_server, "gpt-4o"),
        },
        config=make_config(),
        classifier=clf,
        ledger=InMemoryLedger(),
    )
    # two tool rounds, then a text answer
    openai_server.script(
        tool_calls=True,
        match=lambda r: bool(r.tools) and sum(m["role"] == "tool" for m in r.messages) < 2,
    )
    agent = create_agent(routed, tools=[get_weather], system_prompt="Use tools.")
    result = agent.invoke({"messages": [HumanMessage("Weather in Paris, then in Rome?")]})
    msgs = result["messages"]
    assert [m.type for m in msgs] == ["human", "ai", "tool", "ai", "tool", "ai"]
    assert openai_server.models == ["gpt-4o"] * 3
    assert {m.response_metadata["router"]["tier"] for m in msgs if m.type == "ai"} == {"strong"}
    for req in openai_server.chat_requests:
        assert req.system_prompt == f"{STRONG_SYSTEM}\n\nUse tools." and req.token_limit == 256
    assert_costs_match_server(routed, openai_server)


def test_routed_model_in_langgraph_node(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    from langgraph.graph import END, START, MessagesState, StateGraph

    def call_model(state: MessagesState) -> dict[str, Any]:
        return {"messages": [routed.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("model", call_model)
    graph.add_edge(START, "model")
    graph.add_edge("model", END)
    app = graph.compile()
    out = app.invoke({"messages": [("human", "a hard question")]}, config={"tags": ["graph-run"]})
    last = out["messages"][-1]
    assert last.response_metadata["router"]["tier"] == "strong"
    assert (
        openai_server.last.system_prompt == STRONG_SYSTEM and openai_server.last.token_limit == 256
    )
    assert "graph-run" in routed.router.ledger.records()[-1].tags
    # streamed through the graph ("messages" mode): the routed model streams natively,
    # every token once, one final chunk with the metadata, and usage is recorded
    chunks = [
        c for c, _meta in app.stream({"messages": [("human", "easy")]}, stream_mode="messages")
    ]
    text = "".join(c.text for c in chunks)
    assert text.startswith("Reply from gpt-4o-mini") and len(chunks) > 2
    req = openai_server.last
    assert req.stream and req.token_limit == 64 and req.system_prompt == CHEAP_SYSTEM
    assert sum("router" in c.response_metadata for c in chunks) == 1
    assert chunks[-1].response_metadata["router"]["tier"] == "cheap"
    assert routed.router.ledger.records()[-1].output_tokens > 0
    assert_costs_match_server(routed, openai_server)


# -- fallback and escalation ----------------------------------------------------------------


def test_rate_limit_on_cheap_falls_back(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    openai_server.fail(model="gpt-4o-mini", status=429)
    msg = routed.invoke("hello")
    assert msg.response_metadata["router"]["tier"] == "strong"
    assert msg.response_metadata["router"]["fallbacks_tried"] == ["cheap"]
    recs = routed.router.ledger.records()
    assert [(r.tier, r.status, r.error_kind) for r in recs] == [
        ("cheap", "failed", "rate_limit"),
        ("strong", "ok", None),
    ]
    assert recs[1].fallback and len({r.call_id for r in recs}) == 1
    assert openai_server.last.system_prompt == STRONG_SYSTEM  # the fallback tier's own prompt


def test_refusal_escalates(routed: RoutedChatModel, openai_server: FakeOpenAIServer) -> None:
    openai_server.script(model="gpt-4o-mini", reply=REFUSAL)
    msg = routed.invoke("hello")
    assert msg.content.startswith("Reply from gpt-4o:")
    info = msg.response_metadata["router"]
    assert (
        info["escalated"] is True
        and info["tier"] == "strong"
        and "refusal" in info["escalation_reason"]
    )
    recs = routed.router.ledger.records()
    assert [(r.tier, r.status) for r in recs] == [("cheap", "rejected"), ("strong", "ok")]
    assert recs[1].escalated
    assert_costs_match_server(routed, openai_server)


async def test_all_tiers_failing_raises(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    openai_server.fail(status=500, times=None)
    with pytest.raises(AllTiersFailedError) as err:
        await routed.ainvoke("hello")
    assert [e.tier for e in err.value.errors] == ["cheap", "strong"]
    assert "server" in str(err.value)
    assert [r.status for r in routed.router.ledger.records()] == ["failed", "failed"]


def test_stream_failing_before_first_token_falls_back(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    openai_server.fail(model="gpt-4o-mini", status=503)
    text = "".join(c.text for c in routed.stream("hello"))
    assert text.startswith("Reply from gpt-4o:")
    assert [(r.tier, r.status) for r in routed.router.ledger.records()] == [
        ("cheap", "failed"),
        ("strong", "ok"),
    ]


async def test_stream_cut_after_first_token_raises(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    openai_server.fail(model="gpt-4o-mini", kind="cut_stream")
    got = []
    with pytest.raises(httpx.RemoteProtocolError):  # the provider's own error, unwrapped
        async for c in routed.astream("hello"):
            got.append(c)
    assert openai_server.models == ["gpt-4o-mini"]  # no second tier after output was sent
    assert routed.router.ledger.records()[-1].status == "failed"


def test_from_config_builds_inner_models(tmp_path: Any, openai_server: FakeOpenAIServer) -> None:
    path = tmp_path / "router.yaml"
    cfg = make_config()
    cfg = RouterConfig.build(
        {
            **cfg.to_dict(),
            "tiers": [
                {**t.model_dump(exclude_none=True), "model": f"openai:{t.model}"} for t in cfg.tiers
            ],
        }
    )
    cfg.to_file(path)
    routed = RoutedChatModel.from_config(
        path,
        base_url=openai_server.base_url,
        api_key="sk-test",
        max_retries=0,
        classifier=hard_is_strong(),
    )
    assert isinstance(routed.tiers["cheap"], ChatOpenAI)
    assert routed.invoke("hard").response_metadata["router"]["tier"] == "strong"
    assert openai_server.last.model == "gpt-4o" and openai_server.last.token_limit == 256


def test_cost_handler_on_plain_chat_openai(
    routed: RoutedChatModel, openai_server: FakeOpenAIServer
) -> None:
    from langchain_router import CostCallbackHandler

    handler = CostCallbackHandler(router=routed.router)  # same ledger, prices, baseline
    plain = inner(openai_server, "gpt-4o-mini")
    msg = plain.invoke("hello", config={"callbacks": [handler], "tags": ["plain"]})
    routed.invoke("hello", config={"callbacks": [handler]})  # recorded once, by the router
    recs = routed.router.ledger.records()
    assert len(recs) == 2 and recs[0].tags == ("plain",)
    usage = msg.usage_metadata
    assert (recs[0].input_tokens, recs[0].output_tokens) == (
        usage["input_tokens"],
        usage["output_tokens"],
    )
    assert recs[0].input_tokens == prompt_tokens(openai_server.chat_requests[0].body)
    # no tier prices for a plain model: the price table's own gpt-4o-mini / gpt-4o prices
    table = routed.router.prices
    from shared_core.pricing import Usage

    u = Usage(recs[0].input_tokens, recs[0].output_tokens)
    assert recs[0].cost_usd == pytest.approx(table.cost("gpt-4o-mini", u))
    assert recs[0].baseline_cost_usd == pytest.approx(table.cost("gpt-4o", u))
    # the plain call it recorded and the routed one (at its router's totals, recorded by the router)
    assert handler.calls == 2 and handler.savings_usd > 0


def test_judge_classifier_over_a_real_chat_model(openai_server: FakeOpenAIServer) -> None:
    from langchain_router import chat_model_judge

    judge_model = inner(openai_server, "judge-mini")
    openai_server.script(model="judge-mini", reply="STRONG")
    routed = RoutedChatModel(
        tiers={
            "cheap": inner(openai_server, "gpt-4o-mini"),
            "strong": inner(openai_server, "gpt-4o"),
        },
        config=make_config(classifier={"type": "judge"}),
        judge=judge_model,
    )
    msg = routed.invoke("What is 2+2?")
    assert msg.response_metadata["router"]["tier"] == "strong"
    assert openai_server.models == ["judge-mini", "gpt-4o"]
    assert "What is 2+2?" in openai_server.chat_requests[0].last_user_text
    complete, _ = chat_model_judge(judge_model)
    assert complete("anything") == "STRONG"


def _texts(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)


def test_langchain_embeddings_as_the_encoder(openai_server: FakeOpenAIServer) -> None:
    """Any LangChain ``Embeddings`` passed as ``encoder=`` drives an embedding classifier:
    here a real ``OpenAIEmbeddings`` on the loopback server's ``/v1/embeddings``."""
    from langchain_openai import OpenAIEmbeddings

    embeddings = OpenAIEmbeddings(
        model="text-embedding-3-small",
        base_url=openai_server.base_url,
        api_key="sk-test",
        max_retries=0,
        check_embedding_ctx_length=False,  # plain strings: tiktoken would fetch its tables
    )
    examples = {"cheap": ["hi", "thanks a lot"], "strong": ["prove the theorem", "design it"]}
    routed = RoutedChatModel(
        tiers={
            "cheap": inner(openai_server, "gpt-4o-mini"),
            "strong": inner(openai_server, "gpt-4o"),
        },
        config=make_config(classifier={"type": "embedding", "options": {"examples": examples}}),
        encoder=embeddings,
        ledger=InMemoryLedger(),
    )
    # the server's embedding is a function of the text: an example's own text lands on its label
    hard = routed.invoke("prove the theorem")
    assert hard.response_metadata["router"]["tier"] == "strong"
    assert hard.response_metadata["router"]["classifier"] == "centroid"  # the embedding head
    assert routed.invoke("hi").response_metadata["router"]["tier"] == "cheap"
    embedded = [r for r in openai_server.requests if r.path.endswith("/embeddings")]
    sent = [t for r in embedded for t in _texts(r.body["input"])]
    assert "prove the theorem" in sent and "hi" in sent
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o", "gpt-4o-mini"]
    assert_costs_match_server(routed, openai_server)


async def test_an_inner_chatopenai_built_with_streaming_true_answers_invoke(
    openai_server: FakeOpenAIServer,
) -> None:
    """``ChatOpenAI(streaming=True)`` answers ``invoke`` on its own (LangChain streams for it);
    through the router its ``_generate`` got a stream back and failed, after the provider was
    paid (a probe found it). The router now streams for it too, with the usage recorded."""
    routed = RoutedChatModel(
        tiers={
            "cheap": inner(openai_server, "gpt-4o-mini", streaming=True),
            "strong": inner(openai_server, "gpt-4o", streaming=True),
        },
        config=make_config(),
        classifier=hard_is_strong(),
        ledger=InMemoryLedger(),
    )
    sync = routed.invoke("hello")
    async_ = await routed.ainvoke("hello again")
    assert sync.content and async_.content
    assert all(req.stream for req in openai_server.chat_requests)
    assert [r.status for r in routed.router.ledger.records()] == ["ok", "ok"]
    assert_costs_match_server(routed, openai_server)


def test_structured_output_that_fails_its_schema_falls_back_to_the_next_tier(
    openai_server: FakeOpenAIServer,
) -> None:
    """``with_structured_output`` in ``json_schema`` mode (``ChatOpenAI``'s default): the cheap
    tier's invalid JSON made ``ChatOpenAI`` raise a pydantic ``ValidationError`` after the
    provider answered; the router recorded 0 tokens and gave up (a probe found it). It was a
    ``bad_response`` with an estimated input next; now the router sends the class's JSON
    schema and validates the answer itself: a rejected answer with the provider's usage,
    and the next tier answers."""

    class Capital(BaseModel):
        country: str
        city: str

    openai_server.script(model="gpt-4o-mini", reply="{not json")
    routed = RoutedChatModel(
        tiers={"cheap": inner(openai_server, "gpt-4o-mini"), "strong": inner(openai_server, "gpt-4o")},
        config=make_config(),
        classifier=hard_is_strong(),
        ledger=InMemoryLedger(),
    )
    out = routed.with_structured_output(Capital).invoke("What is the capital of France?")
    assert isinstance(out, Capital)
    rejected, ok = routed.router.ledger.records()
    assert (rejected.tier, rejected.status, rejected.error_kind) == ("cheap", "rejected", "quality")
    assert (ok.tier, ok.status, ok.escalated) == ("strong", "ok", True)
    assert_costs_match_server(routed, openai_server)


class _Capital(BaseModel):
    country: str
    city: str


def _structured_router(openai_server: FakeOpenAIServer, **config: Any) -> RoutedChatModel:
    return RoutedChatModel(
        tiers={"cheap": inner(openai_server, "gpt-4o-mini"), "strong": inner(openai_server, "gpt-4o")},
        config=make_config(**config),
        classifier=hard_is_strong(),
        ledger=InMemoryLedger(),
    )


@pytest.mark.parametrize("use_async", [False, True])
def test_a_tool_call_that_fails_the_structured_schema_escalates(
    openai_server: FakeOpenAIServer, use_async: bool
) -> None:
    """``with_structured_output(method="function_calling")``: the cheap tier called the schema's
    tool with an argument missing. The router recorded the answer ``ok`` and returned it, and
    LangChain's parser raised in the caller's hands although a stronger tier was there. The
    router reads the answer as the parser will: a tool call that does not fit the schema fails
    its checks, and the call escalates (the cheap answer's real usage recorded)."""
    openai_server.script(model="gpt-4o-mini", tool_calls=[{"name": "_Capital", "arguments": {"country": "France"}}])
    routed = _structured_router(openai_server)
    chain = routed.with_structured_output(_Capital, method="function_calling")
    if use_async:
        import asyncio

        out = asyncio.run(chain.ainvoke("What is the capital of France?"))
    else:
        out = chain.invoke("What is the capital of France?")
    assert isinstance(out, _Capital)
    rejected, ok = routed.router.ledger.records()
    assert (rejected.tier, rejected.status, rejected.error_kind) == ("cheap", "rejected", "quality")
    assert "schema" in (rejected.error or "")
    assert rejected.output_tokens > 0 and rejected.cost_usd is not None and rejected.cost_usd > 0
    assert (ok.tier, ok.status, ok.escalated) == ("strong", "ok", True)


def test_json_mode_text_that_fails_the_schema_escalates(openai_server: FakeOpenAIServer) -> None:
    """The same in ``json_mode``: valid JSON that misses a field is no answer to the call."""
    openai_server.script(model="gpt-4o-mini", reply='{"country": "France"}')
    openai_server.script(model="gpt-4o", reply='{"country": "France", "city": "Paris"}')
    routed = _structured_router(openai_server)
    out = routed.with_structured_output(_Capital, method="json_mode").invoke("Capital of France? JSON.")
    assert out == _Capital(country="France", city="Paris")
    assert [(r.tier, r.status) for r in routed.router.ledger.records()] == [("cheap", "rejected"), ("strong", "ok")]


def test_the_top_tier_s_unfit_structured_answer_still_reaches_include_raw(
    openai_server: FakeOpenAIServer,
) -> None:
    """Nowhere to escalate: the answer stands, so ``include_raw=True`` still gets the raw
    message and LangChain's parsing error, as with a plain model (no router error)."""
    openai_server.script(model=None, tool_calls=[{"name": "_Capital", "arguments": {"country": "France"}}])
    routed = _structured_router(openai_server)
    out = routed.with_structured_output(_Capital, method="function_calling", include_raw=True).invoke(
        "What is the capital of France?"
    )
    assert out["parsed"] is None and out["parsing_error"] is not None
    assert out["raw"].tool_calls[0]["args"] == {"country": "France"}
    assert [(r.tier, r.status) for r in routed.router.ledger.records()] == [
        ("cheap", "rejected"), ("strong", "ok")
    ]


def test_a_buffered_structured_stream_that_fails_its_schema_escalates(
    openai_server: FakeOpenAIServer,
) -> None:
    """``buffer_streams: true`` holds a stream until the whole-answer checks pass: the schema
    check is one of them (an unbuffered stream has already reached the caller)."""
    openai_server.script(model="gpt-4o-mini", tool_calls=[{"name": "_Capital", "arguments": {"country": "France"}}])
    routed = _structured_router(openai_server, escalation={"buffer_streams": True})
    chain = routed.with_structured_output(_Capital, method="function_calling")
    parts = list(chain.stream("What is the capital of France?"))
    assert isinstance(parts[-1], _Capital)
    assert [(r.tier, r.status, r.streamed) for r in routed.router.ledger.records()] == [
        ("cheap", "rejected", True), ("strong", "ok", True)
    ]


def test_tools_bound_with_a_response_format_reach_the_inner_model_s_bind_tools(
    openai_server: FakeOpenAIServer,
) -> None:
    """``bind_tools(tools, response_format=...)`` (what ``create_agent(response_format=
    ProviderStrategy(S))`` does): ``ChatOpenAI.bind_tools`` makes the tools strict when it sees
    a response format; the router passed the format to ``_generate`` only, and ChatOpenAI
    refused the non-strict tool ("Only strict function tools can be auto-parsed")."""

    @tool
    def get_weather(city: str) -> str:
        """Current weather for a city."""
        return f"Sunny in {city}"

    class Weather(BaseModel):
        city: str
        summary: str

    rf = {"type": "json_schema", "json_schema": {"name": "Weather", "schema": Weather.model_json_schema(), "strict": True}}
    routed = _structured_router(openai_server)
    msg = routed.bind_tools([get_weather], response_format=rf).invoke("What's the weather in Paris?")
    assert [tc["name"] for tc in msg.tool_calls] == ["get_weather"]
    assert openai_server.chat_requests[-1].body["tools"][0]["function"].get("strict") is True


def test_a_response_format_without_tools_reaches_the_inner_call(openai_server: FakeOpenAIServer) -> None:
    routed = _structured_router(openai_server)
    routed.bind(response_format={"type": "json_object"}).invoke("Give me JSON about Paris.")
    assert openai_server.chat_requests[-1].body["response_format"] == {"type": "json_object"}
