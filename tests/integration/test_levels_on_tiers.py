"""The embedded classifier's reasons say which of the user's tiers its ladder levels map to.

Its reason reads "levels simple 1.00 medium 0.00 complex 0.00 frontier 0.00": the bundled
ladder's level names. With tiers named otherwise (``cheap`` / ``strong``) nothing said which
tier a level meant; now one more reason does ("ladder levels on tiers: simple, medium ->
cheap; complex, frontier -> strong"), built once per ladder of tiers, not per decision.
"""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import MockLLM

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import Router

Q = "What is the capital of France?"


def _cfg(*names: str) -> dict:
    return {"tiers": [{"name": n, "model": f"m-{n}"} for n in names], "classifier": {"type": "embedded"}}


def _note(reasons) -> str:
    [note] = [r for r in reasons if r.startswith("ladder levels on tiers: ")]
    return note


def test_two_tiers_named_otherwise_say_which_levels_each_takes() -> None:
    d = Router(_cfg("cheap", "strong")).decide(Q)
    assert any(r.startswith("levels simple ") for r in d.reasons)
    assert _note(d.reasons) == "ladder levels on tiers: simple, medium -> cheap; complex, frontier -> strong"


def test_three_tiers_split_the_levels_between_them() -> None:
    d = Router(_cfg("a", "b", "c")).decide(Q)
    assert _note(d.reasons) == "ladder levels on tiers: simple -> a; medium -> a/b; complex -> b/c; frontier -> c"


def test_the_ladders_own_names_need_no_note() -> None:
    d = Router().decide(Q)
    assert any(r.startswith("levels simple ") for r in d.reasons)
    assert not [r for r in d.reasons if r.startswith("ladder levels on tiers")]


def test_a_subset_of_the_ladders_names_gets_the_note() -> None:
    # a "medium" request on tiers simple/complex goes to the tier named "simple": say so
    d = Router(_cfg("simple", "complex")).decide(Q)
    assert _note(d.reasons) == "ladder levels on tiers: simple, medium -> simple; complex, frontier -> complex"


def test_the_adapters_metadata_carries_it() -> None:
    lc = RoutedChatModel(
        tiers={"cheap": GenericFakeChatModel(messages=iter([AIMessage("Paris.")])),
               "strong": GenericFakeChatModel(messages=iter([AIMessage("Paris.")]))},
        config=_cfg("cheap", "strong"),
    )
    meta = lc.invoke(Q).response_metadata["router"]
    assert _note(meta["reasons"]).endswith("-> cheap; complex, frontier -> strong")
    li = RoutedLLM(tiers={"cheap": MockLLM(max_tokens=8), "strong": MockLLM(max_tokens=8)}, config=_cfg("cheap", "strong"))
    meta = li.chat([ChatMessage(role="user", content=Q)]).additional_kwargs["router"]
    assert _note(meta["reasons"]).endswith("-> cheap; complex, frontier -> strong")
