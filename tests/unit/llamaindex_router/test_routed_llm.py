"""RoutedLLM over scripted inner LLMs: routing, budgets, metadata, fallback, escalation, events."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events.llm import (
    LLMChatStartEvent,
    LLMCompletionStartEvent,
)
from llama_index.core.llms import MockLLM

from llamaindex_router import RoutedLLM, route_context
from shared_core import AllTiersFailedError, ConfigError, InputError
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeRateLimitError, FakeServerError

from .support import BUDGET, SYSTEM, ScriptedLLM, assert_ledger_costs, classifier, make_config


def _llm(cheap: list | None = None, strong: list | None = None, **cfg: object) -> RoutedLLM:
    return RoutedLLM(
        {
            "cheap": ScriptedLLM(name="cheap", replies=cheap or []),
            "strong": ScriptedLLM(name="strong", replies=strong or []),
        },
        make_config(**cfg),
        classifier=classifier(),
    )


def _user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=text)]


def test_routes_by_classifier_and_applies_tier_prompt_and_budget() -> None:
    llm = _llm()
    r = llm.chat(_user("hello"))
    meta = r.additional_kwargs["router"]
    assert meta["tier"] == "cheap" and meta["model"] == "gpt-4o-mini"
    cheap = llm.tiers["cheap"]
    # the budget goes to a copy of the inner LLM; the prompt carries the tier text once
    sent = llm._inners["cheap"].with_budget(BUDGET["cheap"]).calls[-1]
    assert sent["max_tokens"] == BUDGET["cheap"]
    assert sent["prompt"].count(SYSTEM["cheap"]) == 1
    assert cheap.max_tokens is None  # the user's inner LLM is not modified
    assert llm.chat(_user("a hard proof")).additional_kwargs["router"]["tier"] == "strong"
    assert_ledger_costs(llm.router.ledger.records())


def test_caller_max_tokens_wins_over_tier_budget() -> None:
    llm = _llm()
    llm.chat(_user("hello"), max_tokens=7)
    assert llm._inners["cheap"].with_budget(7).calls[-1]["max_tokens"] == 7


def test_metadata_is_the_minimum_over_tiers() -> None:
    llm = _llm()
    md = llm.metadata
    assert md.num_output == min(BUDGET.values())
    assert md.context_window == 8000
    assert md.is_chat_model
    assert not md.is_function_calling_model  # CustomLLM tiers cannot call tools


def test_config_and_tier_names_must_match() -> None:
    with pytest.raises(ConfigError, match="do not match"):
        RoutedLLM({"cheap": MockLLM(), "other": MockLLM()}, make_config())
    with pytest.raises(ConfigError, match="non-empty"):
        RoutedLLM({}, make_config())
    with pytest.raises(ConfigError, match="LlamaIndex LLM"):
        RoutedLLM({"cheap": MockLLM(), "strong": object()}, make_config())  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("typo", "meant"), [("confg", "config"), ("ledgr", "ledger"), ("clasifier", "classifier"), ("routr", "router")]
)
def test_a_misspelt_argument_is_a_config_error_not_ignored(typo: str, meant: str) -> None:
    """``RoutedLLM(tiers, confg=...)`` used to route on the defaults with an in-memory ledger
    whose records vanish at exit; LangChain's adapter refuses the same typo."""
    tiers = {"cheap": MockLLM(), "strong": MockLLM()}
    with pytest.raises(ConfigError, match=f"RoutedLLM got an unknown argument '{typo}'; did you mean '{meant}'"):
        RoutedLLM(tiers, **{typo: InMemoryLedger()})


def test_the_typo_check_knows_every_constructor_argument() -> None:
    import inspect

    from llamaindex_router.llm import _OWN_ARGS

    params = inspect.signature(RoutedLLM.__init__).parameters
    assert set(_OWN_ARGS) == {n for n, p in params.items() if n != "self" and p.kind != p.VAR_KEYWORD}


def test_llamaindex_own_arguments_still_pass_through() -> None:
    llm = RoutedLLM({"cheap": MockLLM(), "strong": MockLLM()}, system_prompt="Be kind.")
    assert llm.system_prompt == "Be kind."


def test_routing_options_are_validated() -> None:
    llm = _llm()
    with pytest.raises(InputError, match="unknown key"):
        llm.chat(_user("hi"), routing={"thread": "x"})


def test_force_and_tags_through_context() -> None:
    llm = _llm()
    with route_context(force="strong", tags=["faq"], user="u1"):
        r = llm.chat(_user("hello"))
    assert r.additional_kwargs["router"]["tier"] == "strong"
    rec = llm.router.ledger.records()[-1]
    assert rec.tags == ("faq",) and rec.user == "u1"


def test_stickiness_per_thread() -> None:
    llm = _llm(sticky=True, cheap=["I'm sorry, I can't help with that.", "fine answer here"])
    with route_context(thread_id="t1"):
        first = llm.chat(_user("hello"))  # refused on cheap -> escalated to strong
        assert first.additional_kwargs["router"]["escalated"] is True
        second = llm.chat(_user("hello again"))
    assert second.additional_kwargs["router"]["tier"] == "strong"
    other = llm.chat(_user("hello again"), routing={"thread_id": "t2"})
    assert other.additional_kwargs["router"]["tier"] == "cheap"


def test_fallback_on_rate_limit_records_both_attempts() -> None:
    llm = _llm(cheap=[FakeRateLimitError("429 slow down")])
    r = llm.chat(_user("hello"))
    meta = r.additional_kwargs["router"]
    assert meta["tier"] == "strong" and meta["fallbacks_tried"] == ["cheap"]
    statuses = [(rec.tier, rec.status) for rec in llm.router.ledger.records()]
    assert statuses == [("cheap", "failed"), ("strong", "ok")]


def test_escalation_on_refusal() -> None:
    llm = _llm(cheap=["I'm sorry, I can't help with that."])
    r = llm.chat(_user("hello"))
    assert r.message.content == "answer from strong"
    assert r.additional_kwargs["router"]["escalated"] is True


def test_all_tiers_failed() -> None:
    llm = _llm(cheap=[FakeServerError("500 boom")], strong=[FakeServerError("500 down")])
    with pytest.raises(AllTiersFailedError) as info:
        llm.chat(_user("hello"))
    assert "cheap" in str(info.value) and "strong" in str(info.value)


async def test_async_and_streaming_twins_route_the_same() -> None:
    llm = _llm()
    r = await llm.achat(_user("a hard one"))
    assert r.additional_kwargs["router"]["tier"] == "strong"
    chunks = list(llm.stream_chat(_user("hello there friend")))
    assert chunks[-1].message.content == "answer from cheap"
    assert chunks[-1].additional_kwargs["router"]["cost_usd"] > 0
    assert llm.last_route == chunks[-1].additional_kwargs["router"]
    achunks = [c async for c in await llm.astream_chat(_user("hello"))]
    assert achunks[-1].additional_kwargs["router"]["tier"] == "cheap"
    c = await llm.acomplete("hard")
    assert c.text == "answer from strong"
    sc = list(llm.stream_complete("hello"))
    assert sc[-1].text == "answer from cheap"
    asc = [x async for x in await llm.astream_complete("hello")]
    assert asc[-1].additional_kwargs["router"]["tier"] == "cheap"
    assert_ledger_costs(llm.router.ledger.records())
    assert all(r.streamed for r in llm.router.ledger.records()[1:3])


def test_stream_falls_back_before_first_chunk() -> None:
    llm = _llm(cheap=[FakeServerError("500 boom")])
    chunks = list(llm.stream_chat(_user("hello")))
    assert chunks[-1].additional_kwargs["router"]["tier"] == "strong"


def test_one_event_and_one_token_count_per_routed_call() -> None:
    events: list[object] = []

    class Collect(BaseEventHandler):
        def handle(self, event: object, **kwargs: object) -> None:
            if isinstance(event, (LLMChatStartEvent, LLMCompletionStartEvent)):
                events.append(event)

    root = get_dispatcher()
    handler = Collect()
    root.add_event_handler(handler)
    try:
        counter = TokenCountingHandler()
        llm = RoutedLLM(
            {"cheap": ScriptedLLM(name="cheap"), "strong": ScriptedLLM(name="strong")},
            make_config(),
            classifier=classifier(),
            callback_manager=CallbackManager([counter]),
        )
        llm.chat(_user("hello"))
        list(llm.stream_chat(_user("hello")))
        llm.complete("hello")
    finally:
        root.event_handlers.remove(handler)
    assert len(events) == 3
    assert len(counter.llm_token_counts) == 3
    rec = llm.router.ledger.records()
    assert counter.prompt_llm_token_count == sum(r.input_tokens for r in rec)
    assert counter.completion_llm_token_count == sum(r.output_tokens for r in rec)


def test_shared_router_and_ledger() -> None:
    ledger = InMemoryLedger()
    a = RoutedLLM(
        {"cheap": ScriptedLLM(), "strong": ScriptedLLM()},
        make_config(),
        ledger,
        classifier=classifier(),
    )
    b = RoutedLLM({"cheap": ScriptedLLM(), "strong": ScriptedLLM()}, router=a.router)
    a.chat(_user("hi"))
    b.chat(_user("hi"))
    assert len(ledger.records()) == 2
    with pytest.raises(ConfigError):
        RoutedLLM({"x": ScriptedLLM()}, router=a.router)


def test_templated_prompt_classifies_the_question() -> None:
    from llama_index.core.prompts.default_prompts import DEFAULT_TEXT_QA_PROMPT

    llm = _llm()
    long_context = "Paris is the capital of France. " * 200
    answer = llm.predict(
        DEFAULT_TEXT_QA_PROMPT, context_str=long_context, query_str="What is the capital of France?"
    )
    assert answer == "answer from cheap"
    # the same prompt sent straight to chat is recognised by its "Query: ... Answer:" tail
    text = DEFAULT_TEXT_QA_PROMPT.format(context_str=long_context, query_str="capital of France?")
    assert llm.chat(_user(text)).additional_kwargs["router"]["tier"] == "cheap"
    # without a template, the same long text is classified as it is
    assert llm.chat(_user(long_context)).additional_kwargs["router"]["tier"] == "strong"


def test_stream_error_after_the_caller_saw_text_is_raised_not_retried() -> None:
    cheap = ScriptedLLM(name="cheap", replies=["one two three four five"], stream_error_after=3)
    strong = ScriptedLLM(name="strong")
    llm = RoutedLLM({"cheap": cheap, "strong": strong}, make_config(), classifier=classifier())
    seen: list[str] = []
    with pytest.raises(FakeServerError):
        for chunk in llm.stream_chat(_user("hello")):
            seen.append(chunk.delta or "")
    assert seen == ["one", " two"]  # the third chunk was held back when the stream broke
    assert strong.calls == []
    [rec] = llm.router.ledger.records()
    assert (rec.tier, rec.status) == ("cheap", "failed")
    # generated before the cut, so billed: tokens estimated, a cost that spend and budgets count
    assert rec.input_tokens > 0 and rec.output_tokens > 0
    assert rec.cost_usd is not None and rec.cost_usd > 0
    assert "estimated" in (rec.error or "")


@pytest.mark.parametrize("buffered", [False, True])
def test_a_stream_cut_before_the_caller_saw_text_is_billed_and_falls_back(buffered: bool) -> None:
    """One chunk is always held back (and all of them with ``buffer_streams``): a stream cut
    then falls back, and its attempt was recorded with 0 tokens and no cost although the
    provider had generated, and billed, what it streamed."""
    cheap = ScriptedLLM(name="cheap", replies=["one two three four five six"], stream_error_after=1 if not buffered else 4)
    strong = ScriptedLLM(name="strong")
    cfg = {"escalation": {"buffer_streams": True}} if buffered else {}
    llm = RoutedLLM({"cheap": cheap, "strong": strong}, make_config(**cfg), classifier=classifier())
    text = "".join(c.delta or "" for c in llm.stream_chat(_user("hello")))
    assert text == "answer from strong"
    cut, answered = llm.router.ledger.records()
    assert (cut.tier, cut.status, answered.tier, answered.status) == ("cheap", "failed", "strong", "ok")
    assert cut.input_tokens > 0 and cut.output_tokens > 0
    assert cut.cost_usd is not None and cut.cost_usd > 0 and "estimated" in (cut.error or "")


async def test_concurrent_async_calls_keep_their_own_decisions() -> None:
    import asyncio

    llm = _llm()
    prompts = ["hello", "a hard one", "hi", "hard again"] * 5
    out = await asyncio.gather(*(llm.achat(_user(p)) for p in prompts))
    tiers = [r.additional_kwargs["router"]["tier"] for r in out]
    assert tiers == ["strong" if "hard" in p else "cheap" for p in prompts]
    assert len({r.additional_kwargs["router"]["call_id"] for r in out}) == len(prompts)


def test_metadata_context_window_and_tool_support_follow_the_tiers() -> None:
    from llama_index.llms.openai import OpenAI

    def tiers() -> dict:
        return {
            n: OpenAI(model=m, api_key="sk-test")
            for n, m in (("cheap", "gpt-4o-mini"), ("strong", "gpt-4o"))
        }

    cfg = make_config()
    llm = RoutedLLM(tiers(), cfg)
    assert llm.metadata.is_function_calling_model
    assert llm.metadata.context_window == 128000
    small = cfg.model_copy(
        update={"tiers": [cfg.tiers[0].model_copy(update={"context_window": 16000}), cfg.tiers[1]]}
    )
    assert RoutedLLM(tiers(), small).metadata.context_window == 16000
    no_tools = cfg.model_copy(
        update={"tiers": [t.model_copy(update={"supports_tools": False}) for t in cfg.tiers]}
    )
    assert not RoutedLLM(tiers(), no_tools).metadata.is_function_calling_model
    llm.max_tokens = 9
    assert llm.metadata.num_output == 9


def test_abandoned_stream_is_still_recorded() -> None:
    llm = _llm(cheap=["one two three four"])
    gen = llm.stream_chat(_user("hello"))
    next(gen)
    gen.close()
    assert [(r.tier, r.status, r.streamed) for r in llm.router.ledger.records()] == [
        ("cheap", "abandoned", True)
    ]


def _add_tool() -> object:
    from llama_index.core.tools import FunctionTool

    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    return FunctionTool.from_defaults(add)


def test_tools_with_no_function_calling_tier_fail_before_routing() -> None:
    from shared_core import ToolsUnsupportedError

    asked: list[str] = []
    clf = classifier(lambda text: asked.append(text) or "cheap")
    llm = RoutedLLM(
        {"cheap": ScriptedLLM(name="cheap"), "strong": ScriptedLLM(name="strong")},
        make_config(),
        classifier=clf,
    )
    with pytest.raises(ToolsUnsupportedError) as err:
        llm.chat_with_tools([_add_tool()], user_msg="add 2 and 3")
    assert isinstance(err.value, NotImplementedError)
    assert "'cheap' (ScriptedLLM)" in str(err.value) and "'strong' (ScriptedLLM)" in str(err.value)
    assert "FunctionCallingLLM" in str(err.value)
    assert err.value.tiers == {"cheap": "ScriptedLLM", "strong": "ScriptedLLM"}
    assert asked == []  # not even classified: nothing spent
    assert llm.router.ledger.records() == []


def test_shared_router_sending_tools_to_a_non_function_calling_tier_fails_before_routing() -> None:
    from llama_index.llms.openai import OpenAI

    from shared_core import Router, ToolsUnsupportedError

    tiers = {"cheap": ScriptedLLM(name="cheap"), "strong": OpenAI(model="gpt-4o", api_key="sk-test")}
    llm = RoutedLLM(tiers, router=Router(make_config(), classifier=classifier()))
    with pytest.raises(ToolsUnsupportedError) as err:
        llm.chat_with_tools([_add_tool()], user_msg="hard: add 2 and 3")
    assert "tier 'cheap' (ScriptedLLM)" in str(err.value)
    assert "supports_tools: false" in str(err.value)
    assert err.value.tiers == {"cheap": "ScriptedLLM"}


def test_overrides_from_the_mixins_open_llamaindex_spans_like_the_class_own() -> None:
    """``predict`` and the tool-preparing step live in mixins (``llm_templates.py``,
    ``llm_tools.py``); LlamaIndex still opens a span for each, as for an override written in
    ``RoutedLLM`` itself: ``predict`` nests LlamaIndex's own ``predict`` span in ours."""
    from llama_index.core.instrumentation.span_handlers import SimpleSpanHandler
    from llama_index.core.prompts import PromptTemplate

    from shared_core import ToolsUnsupportedError

    opened: list[tuple[str, str | None]] = []

    class Record(SimpleSpanHandler):
        def new_span(self, id_: str, bound_args: object, instance: object = None,
                     parent_span_id: str | None = None, tags: object = None,
                     **kwargs: object) -> object:
            opened.append((id_, parent_span_id))
            return super().new_span(id_, bound_args, instance, parent_span_id, tags, **kwargs)

    root = get_dispatcher()
    handler = Record()
    root.add_span_handler(handler)
    try:
        llm = _llm()
        assert llm.predict(PromptTemplate("{query_str}"), query_str="hello") == "answer from cheap"
        with pytest.raises(ToolsUnsupportedError):
            llm.chat_with_tools([_add_tool()], user_msg="add 2 and 3")
    finally:
        root.span_handlers.remove(handler)
    names = [id_.split("-")[0] for id_, _ in opened]
    predict = [(id_, parent) for id_, parent in opened if id_.startswith("RoutedLLM.predict-")]
    assert len(predict) == 2
    assert predict[1][1] == predict[0][0]  # LlamaIndex's predict runs inside ours
    assert names.count("RoutedLLM._prepare_chat_with_tools") == 1


def test_metadata_context_window_a_config_value_wins_over_the_placeholder_window() -> None:
    """A tier LLM reporting LlamaIndex's placeholder window (3900, DEFAULT_CONTEXT_WINDOW: unknown)
    does not cap RoutedLLM when the config sets that tier's window (the config always wins)."""
    from llama_index.core.base.llms.types import LLMMetadata

    class Local(ScriptedLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name="local")  # context_window: the 3900 placeholder

    cfg = make_config()
    windows = [t.model_copy(update={"context_window": w}) for t, w in zip(cfg.tiers, (32000, 64000))]
    tiers = {"cheap": Local(name="cheap"), "strong": ScriptedLLM(name="strong")}
    llm = RoutedLLM(tiers, cfg.model_copy(update={"tiers": windows}), classifier=classifier())
    assert llm.metadata.context_window == 32000  # the config's, not 3900 nor ScriptedLLM's 8000
    unknown = RoutedLLM(dict(tiers), cfg, classifier=classifier())
    assert unknown.metadata.context_window == 8000  # the placeholder is unknown, not a limit


def test_pickling_or_deep_copying_fails_at_once_with_a_typed_error_saying_how_to_rebuild() -> None:
    """A pickled RoutedLLM came back without its router (its first call raised AttributeError);
    a copy would also split the ledger and the budgets. ``pickle.dumps`` and ``deepcopy`` now
    refuse with a :class:`NotPicklableError` (a ``TypeError``, as for RoutedChatModel)."""
    import copy
    import pickle

    from shared_core import NotPicklableError

    llm = _llm()
    for attempt in (lambda: pickle.dumps(llm), lambda: copy.deepcopy(llm)):
        with pytest.raises(NotPicklableError, match="from_config") as err:
            attempt()
        assert isinstance(err.value, TypeError)
    shallow = copy.copy(llm)  # shares the router: still works, same ledger
    shallow.chat(_user("hi"))
    assert shallow.router is llm.router and len(llm.router.ledger.records()) == 1


def test_an_invalid_output_budget_says_what_to_do() -> None:
    """As in LangChain: leave it out or pass None; a hard limit is named only when set."""
    with pytest.raises(InputError, match="leave it out or pass None") as free:
        _llm().chat(_user("hello"), max_tokens=-1)
    assert "hard" not in str(free.value)
    limited = _llm(budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 1.0}]})
    with pytest.raises(InputError, match="hard budget limit"):
        limited.chat(_user("hello"), max_tokens=-1)
