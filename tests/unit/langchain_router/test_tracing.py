"""Traces show the model that answered (``ls_model_name`` / ``ls_provider``), not the router."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import MagicMock

import pytest
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGenerationChunk
from langchain_core.tracers.langchain import LangChainTracer
from langchain_core.tracers.run_collector import RunCollectorCallbackHandler

from langchain_router import RoutedChatModel
from langchain_router.tracing import TRACE_KEY, trace_info
from shared_core.testing import FakeRateLimitError

from .conftest import StreamingEchoChat, tier_config


def make(tiers: dict[str, Any], clf: Any) -> RoutedChatModel:
    return RoutedChatModel(tiers=tiers, config=tier_config(), classifier=clf)


def _all_runs(runs: list[Any]) -> list[Any]:
    return [r for run in runs for r in (run, *_all_runs(run.child_runs))]


def traced_model(handler: RunCollectorCallbackHandler) -> tuple[str, str]:
    """The ``ls_provider`` / ``ls_model_name`` of the one traced chat-model run."""
    (run,) = [r for r in _all_runs(handler.traced_runs) if r.run_type in ("llm", "chat_model")]
    md = run.extra["metadata"]
    return md["ls_provider"], md["ls_model_name"]


def stream_in_graph(model: RoutedChatModel, prompt: str, config: Any) -> None:
    """A LangGraph node calling the model, streamed in "messages" mode (how agents stream)."""
    from langgraph.graph import END, START, MessagesState, StateGraph

    graph = StateGraph(MessagesState)
    graph.add_node("llm", lambda state: {"messages": [model.invoke(state["messages"])]})
    graph.add_edge(START, "llm")
    graph.add_edge("llm", END)
    tokens = list(
        graph.compile().stream({"messages": [("user", prompt)]}, config, stream_mode="messages")
    )
    assert len(tokens) > 1  # it did stream, token by token


async def call(model: RoutedChatModel, mode: str, prompt: str, config: Any) -> Any:
    """The answer's last message (or chunk) through one entry point."""
    if mode == "invoke":
        return model.invoke(prompt, config=config)
    if mode == "ainvoke":
        return await model.ainvoke(prompt, config=config)
    if mode == "batch":
        return model.batch([prompt], config=config)[0]
    if mode == "stream":
        return list(model.stream(prompt, config=config))[-1]
    if mode == "astream":
        return [c async for c in model.astream(prompt, config=config)][-1]
    stream_in_graph(model, prompt, config)
    return None


MODES = ["invoke", "ainvoke", "batch", "stream", "astream", "graph-stream"]


@pytest.mark.parametrize("mode", MODES)
async def test_trace_names_the_routed_model(two_tiers: Any, fake_classifier: Any, mode: str) -> None:
    model = make(two_tiers, fake_classifier)
    for prompt, tier in (("hello", "cheap"), ("a hard one", "strong")):
        own = two_tiers[tier]._get_ls_params()  # what tracing the inner model directly shows
        assert own["ls_model_name"] == two_tiers[tier].model_name
        collector = RunCollectorCallbackHandler()
        msg = await call(model, mode, prompt, {"callbacks": [collector]})
        assert traced_model(collector) == (own["ls_provider"], own["ls_model_name"])
        if msg is not None:  # tracing-only: LangChain keeps the key off the message
            assert TRACE_KEY not in msg.response_metadata
            assert msg.response_metadata["model_name"] == two_tiers[tier].model_name


@pytest.mark.parametrize("mode", ["ainvoke", "astream"])
async def test_trace_after_escalation(two_tiers: Any, fake_classifier: Any, mode: str) -> None:
    two_tiers["cheap"].reply = "I'm sorry, but I can't help with that."
    model = RoutedChatModel(
        tiers=two_tiers,
        config=tier_config(escalation={"buffer_streams": True}),
        classifier=fake_classifier,
    )
    collector = RunCollectorCallbackHandler()
    msg = await call(model, mode, "hello", {"callbacks": [collector]})
    assert msg.response_metadata["router"]["escalated"]
    assert traced_model(collector)[1] == "gpt-4o"  # the model that answered, not the first pick


@pytest.mark.parametrize("mode", ["invoke", "stream"])
async def test_trace_after_fallback(two_tiers: Any, fake_classifier: Any, mode: str) -> None:
    two_tiers["cheap"].errors = [FakeRateLimitError("429 from the cheap provider")]
    model = make(two_tiers, fake_classifier)
    collector = RunCollectorCallbackHandler()
    msg = await call(model, mode, "hello", {"callbacks": [collector]})
    assert msg.response_metadata["router"]["fallbacks_tried"]
    assert traced_model(collector)[1] == "gpt-4o"


def test_langsmith_tracer_sends_the_routed_model(two_tiers: Any, fake_classifier: Any) -> None:
    """LangSmith's own tracer, with a mocked client: the run's end sends the answering model."""
    client = MagicMock()
    tracer = LangChainTracer(client=client, project_name="p")
    make(two_tiers, fake_classifier).invoke("a hard one", config={"callbacks": [tracer]})
    tracer.wait_for_futures()
    (created,) = [c.kwargs for c in client.create_run.call_args_list]
    assert created["extra"]["metadata"]["ls_model_name"] == "tier-router:cheap|strong"  # at start
    (ended,) = [c.kwargs for c in client.update_run.call_args_list]
    md = ended["extra"]["metadata"]
    assert (md["ls_provider"], md["ls_model_name"]) == ("streamingecho", "gpt-4o")
    assert md["ls_gateway_info"] == {"model": "gpt-4o", "provider": "streamingecho", "tier": "strong"}


class GatewayChat(StreamingEchoChat):
    """An inner model behind a gateway: it reports the resolved model itself, per chunk."""

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(messages, stop, run_manager, **kwargs):
            if chunk.message.usage_metadata:  # the last chunk, as ChatOpenAI does
                chunk.generation_info = {TRACE_KEY: {"model": "gpt-4o-2024-08-06"}}
            yield chunk


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_an_inner_gateway_report_wins(fake_classifier: Any, mode: str) -> None:
    """The gateway knows the resolved model better; adding ours would also garble the merge
    (chunk merging concatenates strings)."""
    tiers = {
        "cheap": GatewayChat(name_="cheap", model_name="gpt-4o-mini"),
        "strong": GatewayChat(name_="strong", model_name="gpt-4o"),
    }
    collector = RunCollectorCallbackHandler()
    await call(make(tiers, fake_classifier), mode, "a hard one", {"callbacks": [collector]})
    assert traced_model(collector)[1] == "gpt-4o-2024-08-06"


def test_trace_info_never_fails_the_call(two_tiers: Any, fake_classifier: Any) -> None:
    class Broken(StreamingEchoChat):
        def _get_ls_params(self, stop: Any = None, **kwargs: Any) -> Any:
            raise RuntimeError("broken tracing hook")

    assert trace_info(Broken(), "cheap") is None
    model = make({"cheap": Broken(name_="cheap"), "strong": two_tiers["strong"]}, fake_classifier)
    collector = RunCollectorCallbackHandler()
    assert model.invoke("hello", config={"callbacks": [collector]}).content == "cheap: hello"
    assert traced_model(collector)[1] == "tier-router:cheap|strong"  # nothing better to say


def test_untraced_call_and_parent_metadata_untouched(two_tiers: Any, fake_classifier: Any) -> None:
    model = make(two_tiers, fake_classifier)
    shared = {"team": "a"}
    collector = RunCollectorCallbackHandler()
    model.invoke("hello", config={"callbacks": [collector], "metadata": shared})
    assert shared == {"team": "a"}  # the caller's dict is not written into
    msg = model.invoke("hello")
    assert msg.content == "cheap: hello" and TRACE_KEY not in msg.response_metadata


def test_chunk_without_usage_stays_plain() -> None:
    """Sanity for the fake above: only the chunk with usage carries the gateway report."""
    chunks = list(GatewayChat(name_="g")._stream([AIMessageChunk("x")]))
    assert [TRACE_KEY in (c.generation_info or {}) for c in chunks] == [False, True]


def test_an_inner_model_without_a_provider(two_tiers: Any, fake_classifier: Any) -> None:
    """The trace never pairs the router's provider with the inner model's name."""

    class NoProvider(StreamingEchoChat):
        def _get_ls_params(self, stop: Any = None, **kwargs: Any) -> Any:
            return {"ls_model_name": self.model_name, "ls_model_type": "chat"}

    tiers = {"cheap": NoProvider(name_="cheap", model_name="x-model"), "strong": two_tiers["strong"]}
    collector = RunCollectorCallbackHandler()
    make(tiers, fake_classifier).invoke("hello", config={"callbacks": [collector]})
    assert traced_model(collector) == ("echo", "x-model")  # the inner's _llm_type


def test_without_the_gateway_hook_nothing_is_added(
    two_tiers: Any, fake_classifier: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older langchain-core copies generation_info into response_metadata: with no hook
    to read it, the router adds nothing there."""
    import langchain_router.tracing as tracing

    monkeypatch.setattr(tracing, "TRACE_KEY", None)
    model = make(two_tiers, fake_classifier)
    result = model._generate([HumanMessage("hello")])
    assert not (result.generations[0].generation_info or {})
    chunks = list(model._stream([HumanMessage("hello")]))
    assert all(not (c.generation_info or {}) for c in chunks)
