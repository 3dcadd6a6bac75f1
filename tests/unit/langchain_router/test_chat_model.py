"""RoutedChatModel over fake inner models: delegation, budgets, prompts, fallback, streams."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_router import RoutedChatModel
from shared_core import AllTiersFailedError, ConfigError, UnknownModelError
from shared_core.testing import FakeRateLimitError, FakeServerError

from .conftest import EchoChat, tier_config


def make(tiers: dict[str, Any], clf: Any, **cfg: Any) -> RoutedChatModel:
    return RoutedChatModel(tiers=tiers, config=tier_config(**cfg), classifier=clf)


def test_routes_and_applies_tier_prompt_and_budget(two_tiers: Any, fake_classifier: Any) -> None:
    r = make(two_tiers, fake_classifier)
    msg = r.invoke([SystemMessage("caller"), HumanMessage("hello")])
    assert msg.content == "cheap: hello"
    seen = two_tiers["cheap"].seen[-1]
    assert seen["messages"][0].content == "CHEAP\n\ncaller"
    assert seen["max_tokens"] == 50
    assert two_tiers["cheap"].max_tokens is None  # per-call copy, shared model untouched
    assert r.invoke("a hard one").response_metadata["router"]["tier"] == "strong"
    assert two_tiers["strong"].seen[-1]["max_tokens"] == 500


def test_caller_max_tokens_wins(two_tiers: Any, fake_classifier: Any) -> None:
    r = make(two_tiers, fake_classifier)
    r.invoke("hi", max_tokens=9)
    assert two_tiers["cheap"].seen[-1]["max_tokens"] == 9
    r2 = RoutedChatModel(
        tiers=two_tiers, config=tier_config(), classifier=fake_classifier, max_tokens=11
    )
    r2.invoke("hi")
    assert two_tiers["cheap"].seen[-1]["max_tokens"] == 11
    assert "max_tokens" not in two_tiers["cheap"].seen[-1]["kwargs"]


def test_system_prompt_modes_from_config(two_tiers: Any, fake_classifier: Any) -> None:
    cfg = tier_config()
    cfg["tiers"][0]["system_prompt_mode"] = "replace"
    r = RoutedChatModel(tiers=two_tiers, config=cfg, classifier=fake_classifier)
    r.invoke([SystemMessage("caller"), HumanMessage("hi")])
    assert [m.content for m in two_tiers["cheap"].seen[-1]["messages"]] == ["CHEAP", "hi"]


def test_forced_model_and_unknown_force(two_tiers: Any, fake_classifier: Any) -> None:
    r = make(two_tiers, fake_classifier)
    assert r.invoke("hi", model="strong").content == "strong: hi"
    assert r.invoke("hard", model="gpt-4o-mini").content == "cheap: hard"
    assert r._get_ls_params(model="gpt-4o")["ls_model_name"] == "gpt-4o"
    with pytest.raises(UnknownModelError, match="nope"):
        r.invoke("hi", model="nope")


def test_fallback_records_both_attempts(two_tiers: Any, fake_classifier: Any) -> None:
    two_tiers["cheap"].errors.append(FakeRateLimitError("429 slow down"))
    r = make(two_tiers, fake_classifier)
    msg = r.invoke("hi")
    assert msg.content == "strong: hi"
    assert msg.response_metadata["router"]["fallbacks_tried"] == ["cheap"]
    recs = r.router.ledger.records()
    assert [(x.tier, x.status) for x in recs] == [("cheap", "failed"), ("strong", "ok")]


def test_non_retryable_error_is_raised_as_is(two_tiers: Any, fake_classifier: Any) -> None:
    two_tiers["cheap"].errors.append(ValueError("bad request"))
    with pytest.raises(ValueError, match="bad request"):
        make(two_tiers, fake_classifier).invoke("hi")


async def test_all_failing_async(two_tiers: Any, fake_classifier: Any) -> None:
    two_tiers["cheap"].errors.append(FakeServerError("500"))
    two_tiers["strong"].errors.append(FakeServerError("500 again"))
    with pytest.raises(AllTiersFailedError) as err:
        await make(two_tiers, fake_classifier).ainvoke("hi")
    assert [e.tier for e in err.value.errors] == ["cheap", "strong"]


def test_escalation_on_refusal_and_kept_answer(two_tiers: Any, fake_classifier: Any) -> None:
    two_tiers["cheap"].reply = "I'm sorry, but I can't help with that."
    r = make(two_tiers, fake_classifier)
    msg = r.invoke("hi")
    assert msg.content == "strong: hi" and msg.response_metadata["router"]["escalated"]
    # escalation fails with a provider error: the earlier (rejected) answer is returned
    two_tiers["strong"].errors.append(FakeServerError("500"))
    msg = r.invoke("hi")
    assert msg.content.startswith("I'm sorry")


def test_stream_fallback_before_first_token_and_metadata_once(
    two_tiers: Any, fake_classifier: Any
) -> None:
    two_tiers["cheap"].errors.append(FakeServerError("503"))
    r = make(two_tiers, fake_classifier)
    chunks = list(r.stream("hello there"))
    assert "".join(c.text for c in chunks) == "strong: hello there"
    named = [c for c in chunks if "model_name" in c.response_metadata]
    assert len(named) == 1 and named[0] is chunks[-1] and chunks[-1].chunk_position == "last"
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.response_metadata["model_name"] == "gpt-4o"
    assert full.usage_metadata["output_tokens"] == 5
    assert r.router.ledger.records()[-1].output_tokens == 5


async def test_astream_buffered_escalation(two_tiers: Any, fake_classifier: Any) -> None:
    two_tiers["cheap"].reply = "I don't know."
    r = make(two_tiers, fake_classifier, escalation={"buffer_streams": True})
    text = "".join([c.text async for c in r.astream("hi")])
    assert text == "strong: hi"  # the refused answer never reached the caller
    unbuffered = make(two_tiers, fake_classifier)
    text = "".join([c.text async for c in unbuffered.astream("hi")])
    assert text == "I don't know."  # whole-answer checks do not apply to unbuffered streams


def test_inner_model_without_streaming_gives_one_chunk(fake_classifier: Any) -> None:
    tiers = {
        "cheap": EchoChat(name_="cheap", errors=[], seen=[]),
        "strong": EchoChat(name_="strong", errors=[], seen=[]),
    }
    r = make(tiers, fake_classifier)
    chunks = list(r.stream("hi there"))
    assert [c.text for c in chunks] == ["cheap: hi there", ""]
    assert chunks[0].usage_metadata["input_tokens"] == 10


def test_tool_loop_does_not_bounce(two_tiers: Any) -> None:
    from shared_core.testing import FakeClassifier

    clf = FakeClassifier(lambda text: "cheap", labels=["cheap", "strong"])
    r = make(two_tiers, clf)
    ai = AIMessage(
        "",
        tool_calls=[{"name": "f", "args": {}, "id": "1"}],
        response_metadata={"router": {"tier": "strong"}},
    )
    msg = r.invoke([HumanMessage("q"), ai, ToolMessage("result", tool_call_id="1")])
    assert msg.response_metadata["router"]["tier"] == "strong"
    assert r.invoke([HumanMessage("next question")]).response_metadata["router"]["tier"] == "cheap"


def test_callbacks_see_one_run_and_tokens_once(two_tiers: Any, fake_classifier: Any) -> None:
    class Count(BaseCallbackHandler):
        def __init__(self) -> None:
            self.starts = 0
            self.tokens: list[str] = []

        def on_chat_model_start(self, *a: Any, **k: Any) -> None:
            self.starts += 1

        def on_llm_new_token(self, token: str, **k: Any) -> None:
            self.tokens.append(token)

    h = Count()
    r = make(two_tiers, fake_classifier)
    r.invoke("hi", config={"callbacks": [h]})
    assert h.starts == 1
    list(r.stream("a b c", config={"callbacks": [h]}))
    assert h.starts == 2 and "".join(h.tokens) == "cheap: a b c"


def test_bad_construction_errors(two_tiers: Any) -> None:
    with pytest.raises(ConfigError, match=r"tiers\['x'\] must be a LangChain chat model"):
        RoutedChatModel(tiers={"x": object()})  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match="do not match"):
        RoutedChatModel(tiers={"cheap": two_tiers["cheap"]}, config=tier_config())


def test_shared_router_and_judge_wiring(two_tiers: Any) -> None:
    cfg = tier_config(classifier={"type": "judge"})
    two_tiers["cheap"].reply = "STRONG"  # the judge (cheapest tier by default) says: strong
    r = RoutedChatModel(tiers=two_tiers, config=cfg)
    msg = r.invoke("what is the meaning of life")
    assert msg.response_metadata["router"]["tier"] == "strong"
    assert msg.response_metadata["router"]["classifier"] == "judge"
    judge_prompt = two_tiers["cheap"].seen[-1]["messages"][-1].text
    assert "meaning of life" in judge_prompt and "STRONG" in judge_prompt
    assert two_tiers["cheap"].seen[-1]["kwargs"]["max_tokens"] == 16  # short judge answers
    other = RoutedChatModel(tiers=two_tiers, router=r.router)
    assert other.router is r.router


def test_inner_model_changed_after_its_first_call(two_tiers: Any, fake_classifier: Any) -> None:
    """Per-call budget copies are cached; an inner model whose own budget changes later still
    gets the tier's budget (and the shared model is still not written into)."""
    r = RoutedChatModel(tiers=two_tiers, config=tier_config(), classifier=fake_classifier)
    cheap = two_tiers["cheap"]
    cheap.max_tokens = 50  # already the tier's budget: no copy needed on the first call
    r.invoke("hi")
    cheap.max_tokens = 4000
    r.invoke("hi")
    assert [s["max_tokens"] for s in cheap.seen] == [50, 50]
    assert cheap.max_tokens == 4000


def test_a_routed_model_as_a_tier_streams(two_tiers: Any, fake_classifier: Any) -> None:
    """A tier that is itself a RoutedChatModel: its own router metadata does not clash with
    ours when the chunks merge."""
    nested = RoutedChatModel(tiers=two_tiers, config=tier_config(), classifier=fake_classifier)
    outer = RoutedChatModel(
        tiers={"cheap": nested, "strong": two_tiers["strong"]},
        config=tier_config(),
        classifier=fake_classifier,
    )
    chunks = list(outer.stream("hello"))
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.content == "cheap: hello"
    assert full.response_metadata["router"]["tier"] == "cheap"
    assert outer.invoke("hello").response_metadata["router"]["tier"] == "cheap"


def test_the_kept_signatures_are_what_inspect_reads_from_the_code(two_tiers: Any, fake_classifier: Any) -> None:
    """``_generate`` / ``_agenerate`` carry their signature (LangChain asks on every call whether
    they take a ``run_manager``): the one ``inspect`` builds from the functions themselves, the
    bound method's without ``self``; a subclass's own override is read as before."""
    import inspect
    import types

    for fn in (RoutedChatModel._generate, RoutedChatModel._agenerate):
        fresh = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
        fresh.__kwdefaults__, fresh.__annotations__ = fn.__kwdefaults__, fn.__annotations__
        assert inspect.signature(fn) == inspect.signature(fresh)
    r = make(two_tiers, fake_classifier)
    assert list(inspect.signature(r._generate).parameters) == ["messages", "stop", "run_manager", "kwargs"]

    class Own(RoutedChatModel):
        def _generate(self, messages: Any, stop: Any = None, **kwargs: Any) -> Any:  # no run_manager
            return super()._generate(messages, stop, **kwargs)

    assert "run_manager" not in inspect.signature(Own._generate).parameters
