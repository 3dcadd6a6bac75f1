"""``thread_kwargs`` reads the thread and the user from ``configurable`` in one go, and copies
the call's kwargs only when it adds something."""

from __future__ import annotations

from langchain_router.context import THREAD_KWARG, USER_KWARG, thread_kwargs, user_of


def test_nothing_to_add_returns_the_call_s_own_kwargs() -> None:
    kw: dict[str, object] = {"temperature": 0}
    assert thread_kwargs(None, kw) is kw
    assert thread_kwargs({"configurable": {"other": 1}}, kw) is kw
    assert thread_kwargs({"configurable": {"user_id": {"not": "scalar"}, "user": None}}, kw) is kw


def test_thread_and_user_from_configurable() -> None:
    kw: dict[str, object] = {"temperature": 0}
    got = thread_kwargs({"configurable": {"thread_id": 7, "user_id": "alice"}}, kw)
    assert got == {"temperature": 0, THREAD_KWARG: "7", USER_KWARG: "alice"} and kw == {"temperature": 0}
    assert thread_kwargs({"configurable": {"user": 42}}, {}) == {USER_KWARG: "42"}
    assert thread_kwargs({"configurable": {"user_id": True}}, {}) == {}  # not a user id
    # user_id before user, as in the metadata
    assert thread_kwargs({"configurable": {"user": "b", "user_id": "a"}}, {}) == {USER_KWARG: "a"}


def test_the_caller_s_own_kwargs_win() -> None:
    kw = {THREAD_KWARG: "mine", USER_KWARG: "me"}
    assert thread_kwargs({"configurable": {"thread_id": "t", "user_id": "u"}}, kw) is kw


def test_the_metadata_s_user_wins() -> None:
    assert user_of({"user": "m"}, {USER_KWARG: "c"}) == "m"
    assert user_of({"user_id": "m", "user": "n"}, {USER_KWARG: "c"}) == "m"
    assert user_of({}, {USER_KWARG: "c"}) == "c"
    assert user_of({}, {}) is None
