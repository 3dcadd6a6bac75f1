"""What a call's run metadata and tags give its request (thread, user, kept metadata).

``CallSteps._begin`` skips the metadata reads when the run metadata holds only LangChain's
own keys (most calls): the request must be what reading every key gives, whatever the
metadata holds."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import HumanMessage

from langchain_router import RoutedChatModel
from langchain_router.context import USER_KWARG, kept_meta, scalar, thread_id_of
from shared_core.storable import storable_meta
from shared_core.testing import FakeClassifier

from .conftest import EchoChat

_KEYS = [
    # what LangChain puts on every chat model run
    "ls_provider", "ls_model_name", "ls_model_type", "ls_integration", "ls_max_tokens",
    "ls_temperature", "ls_stop", "lc_versions",
    # the caller's: thread, user, their own keys, and keys that are dropped
    "thread_id", "session_id", "conversation_id", "user_id", "user", "feature", "ls_other",
    "__private", "checkpoint_ns",
]
_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=4),
    st.just({"langchain-core": "1.0"}), st.just(["a"]),
)
_TAGS = st.lists(st.sampled_from(["thread:t1", "session:s1", "thread:", "x", "user:u"]), max_size=3)


def _model() -> RoutedChatModel:
    return RoutedChatModel(
        tiers={"simple": EchoChat(), "frontier": EchoChat()},
        classifier=FakeClassifier(lambda text: "simple", labels=["simple", "frontier"]),
    )


_ROUTED = _model()


@settings(max_examples=400, deadline=None)
@given(
    md=st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=6),
    tags=_TAGS,
    thread=st.sampled_from([None, "", "k-thread"]),
    user=st.sampled_from([None, "k-user"]),
)
def test_the_request_reads_thread_user_and_metadata_from_any_run_metadata(
    md: dict[str, Any], tags: list[str], thread: str | None, user: str | None
) -> None:
    kwargs: dict[str, Any] = {}
    if thread is not None:
        kwargs["router_thread_id"] = thread
    if user is not None:
        kwargs[USER_KWARG] = user
    run = SimpleNamespace(tags=tags, metadata=md, handlers=[], run_id=None)
    _, request, _ = _ROUTED._begin([HumanMessage("hi")], None, run, kwargs)
    # every key read, as the general path reads them
    assert request.thread_id == (thread or thread_id_of(md, tags))
    assert request.user == (scalar(md.get("user_id") or md.get("user")) or user)
    kept = kept_meta(md)  # as the request stores it (an infinite float as text)
    assert dict(request.metadata) == (dict(storable_meta(kept)) if kept else {})
    assert request.tags == tuple(tags)


def test_a_langchain_key_with_a_plain_value_of_the_caller_s_is_kept() -> None:
    """``lc_versions`` is LangChain's (a dict); a caller's own plain value under that name is
    kept, as every other plain value is."""
    run = SimpleNamespace(tags=[], metadata={"ls_provider": "x", "lc_versions": "mine"}, handlers=[], run_id=None)
    _, request, _ = _ROUTED._begin([HumanMessage("hi")], None, run, {})
    assert dict(request.metadata) == {"lc_versions": "mine"}


def test_a_call_s_thread_user_and_metadata_reach_the_ledger() -> None:
    routed = _model()
    routed.invoke("hi", config={"metadata": {"session_id": "s9", "user": "ann", "feature": "faq"}})
    routed.invoke("hi", config={"tags": ["thread:t7"], "configurable": {"user_id": "bob"}})
    routed.invoke("hi")
    a, b, c = routed.router.ledger.records()
    assert (a.thread_id, a.user, a.metadata.get("feature")) == ("s9", "ann", "faq")
    assert "ls_provider" not in a.metadata and "lc_versions" not in a.metadata
    assert (b.thread_id, b.user, b.tags) == ("t7", "bob", ("thread:t7",))
    assert (c.thread_id, c.user, c.tags) == (None, None, ())
    assert set(c.metadata) <= {"router_scores"}
