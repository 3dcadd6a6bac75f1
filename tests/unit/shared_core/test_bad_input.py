"""The bad-input catalogue (issue 6): every hostile or odd input has a defined outcome.

Either it is routed normally (a :class:`RouteDecision` on a configured tier, with a
reason when something was noticed) or it raises :class:`InputError` whose message
says what is wrong. Nothing else escapes: no ``TypeError``, ``RecursionError`` or
``UnicodeEncodeError`` from deep inside the router.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from shared_core import Router, RouterConfig
from shared_core.errors import InputError
from shared_core.request import extract
from shared_core.router import default_config_path

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
RTL = "\u202e\u202b\u2067"


def _rules_config(**changes: Any) -> RouterConfig:
    data = RouterConfig.from_file(default_config_path()).to_dict()
    data["classifier"] = {"type": "rules"}
    data.update(changes)
    return RouterConfig.build(data)


@pytest.fixture(scope="module")
def router() -> Router:
    """The bundled 4-tier ladder on the rules classifier (deterministic, no data needed)."""
    return Router(_rules_config())


@pytest.fixture(scope="module")
def default_router() -> Router:
    return Router()


def _nested(depth: int, leaf: Any = "deep text") -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def _user(content: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": content}]


# (name, messages, expected note substring or None)
ROUTED: list[tuple[str, Any, str | None]] = [
    ("empty string", "", None),
    ("whitespace only", " \n\t ", None),
    ("only a system message", [{"role": "system", "content": "You are terse."}], "no user message"),
    ("None content", _user(None), None),
    ("missing content key", [{"role": "user"}], None),
    ("non-text content (int)", _user(12345), None),
    (
        "image only",
        _user([{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]),
        "attachments: image",
    ),
    (
        "audio only",
        _user([{"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]),
        "attachments: audio",
    ),
    ("file only", _user([{"type": "file", "file": {"file_id": "file-1"}}]), "attachments: file"),
    ("unknown role", [{"role": "wizard", "content": "hello"}], "unknown role 'wizard'"),
    ("role of wrong type", [{"role": 7, "content": "hello"}], "unknown role '7'"),
    ("role None", [{"role": None, "content": "hello"}], None),
    (
        "tool message without a preceding call",
        [{"role": "tool", "tool_call_id": "call_1", "content": "42"}],
        "no user message",
    ),
    (
        "orphan tool result after a user turn",
        [{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "x", "content": "1"}],
        None,
    ),
    ("lone surrogates", "hello \ud800 wor\udfffld", None),
    ("null bytes", "hel\x00lo\x00 there", None),
    ("right-to-left and zero-width", f"{RTL}hello{ZERO_WIDTH} world", None),
    ("only invisible characters", ZERO_WIDTH * 10, None),
    ("deeply nested content lists", _user(_nested(50)), None),
    ("pathologically nested content", _user(_nested(100_000)), None),
    ("one dict instead of a list", {"role": "user", "content": "hi"}, None),
    ("list of strings", ["hi", "how are you"], None),
]


@pytest.mark.parametrize(("name", "messages", "note"), ROUTED, ids=[c[0] for c in ROUTED])
def test_routed_normally(router: Router, name: str, messages: Any, note: str | None) -> None:
    decision = router.decide(messages)
    assert decision.tier in router.config.tier_names
    assert decision.model == router.config.tier(decision.tier).model
    assert 0.0 <= decision.confidence <= 1.0
    if note is not None:
        assert any(note in r for r in decision.reasons), decision.reasons
    again = router.decide(messages)
    assert (again.tier, dict(again.scores)) == (decision.tier, dict(decision.scores))


@pytest.mark.parametrize(("name", "messages", "note"), ROUTED, ids=[c[0] for c in ROUTED])
def test_routed_normally_by_the_default_router(
    default_router: Router, name: str, messages: Any, note: str | None
) -> None:
    decision = default_router.decide(messages)
    assert decision.tier in default_router.config.tier_names


INVALID: list[tuple[str, Any, str]] = [
    ("empty message list", [], "empty message list"),
    ("None", None, "no messages"),
    ("an int", 42, "got int"),
    ("bytes", b"hello", "got bytes"),
    ("a list of ints", [1, 2], "message 0"),
    ("a message that is not a dict", [{"role": "user", "content": "a"}, 5], "message 1"),
]


@pytest.mark.parametrize(("name", "messages", "fragment"), INVALID, ids=[c[0] for c in INVALID])
def test_typed_error_that_says_what_is_wrong(
    router: Router, name: str, messages: Any, fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment):
        router.decide(messages)
    with pytest.raises(InputError, match=fragment):
        extract(messages)


async def test_async_twin_has_the_same_outcomes(router: Router) -> None:
    for _, messages, _ in ROUTED[:6]:
        assert (await router.adecide(messages)).tier == router.decide(messages).tier
    with pytest.raises(InputError):
        await router.adecide([])


def test_invisible_and_control_characters_do_not_change_the_decision(router: Router) -> None:
    plain = "Explain how a hash map works"
    noisy = f"{RTL}Ex\u200bplain how\x00 a hash{ZERO_WIDTH} map works"
    assert extract(noisy).text == extract(plain).text
    assert router.decide(noisy).tier == router.decide(plain).tier


def test_cleaned_text_is_valid_utf8_without_controls() -> None:
    req = extract(f"a\ud800b\x00c{ZERO_WIDTH}{RTL}d")
    req.text.encode("utf-8")  # lone surrogates would raise here
    assert not set(req.text) & set(f"\x00{ZERO_WIDTH}{RTL}")
    assert "a" in req.text and "d" in req.text


def test_attachments_only_routes_to_a_vision_tier() -> None:
    data = _rules_config().to_dict()
    data["tiers"][0]["supports_vision"] = False
    router = Router(RouterConfig.build(data))
    image = _user([{"type": "image_url", "image_url": {"url": "https://example.com/x.png"}}])
    decision = router.decide(image)
    assert decision.tier != data["tiers"][0]["name"]
    assert data["tiers"][0]["name"] not in decision.eligible


def test_deep_nesting_keeps_shallow_text_and_ignores_what_is_too_deep() -> None:
    assert "deep text" in extract(_user(_nested(5))).text
    assert "deep text" not in extract(_user(_nested(100))).text


def _best_of(n: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.parametrize("as_blocks", [False, True], ids=["string", "content-blocks"])
def test_5mb_prompt_costs_about_the_same_as_4kb(router: Router, as_blocks: bool) -> None:
    def msgs(n_chars: int) -> Any:
        text = ("lorem ipsum dolor sit amet " * (n_chars // 27 + 1))[:n_chars]
        return _user([{"type": "text", "text": text}]) if as_blocks else text

    small, big = msgs(4_000), msgs(5_000_000)
    router.decide(small)
    t_small = _best_of(3, lambda: router.decide(small))
    t_big = _best_of(3, lambda: router.decide(big))
    decision = router.decide(big)
    assert decision.tier in router.config.tier_names
    assert len(router.request(big).text) <= router.config.extraction.max_chars + 8
    # generous: linear work over 5 MB took ~50 ms here; bounded work takes < 1 ms
    assert t_big < max(20 * t_small, 0.015), (t_small, t_big)


def test_10000_short_messages(router: Router) -> None:
    msgs = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i}"}
        for i in range(10_000)
    ]
    t0 = time.perf_counter()
    decision = router.decide(msgs)
    elapsed = time.perf_counter() - t0
    assert decision.tier in router.config.tier_names
    req = router.request(msgs)
    assert req.n_messages == 10_000
    assert "message 9998" in req.text  # the last user turn is what is classified
    assert len(req.text) <= router.config.extraction.max_chars + 8
    assert elapsed < 2.0


def test_request_size_counts_the_whole_conversation() -> None:
    one = extract("x" * 4_000)
    many = extract([{"role": "user", "content": "x" * 4_000}] * 50)
    assert many.input_tokens >= 50 * one.input_tokens * 0.9


def test_unknown_decide_keyword_is_a_clear_type_error(router: Router) -> None:
    with pytest.raises(TypeError, match="tool_choice_required"):
        router.decide("hi", toolz=True)


def test_classifiers_given_a_raw_5mb_string_do_bounded_work(router: Router) -> None:
    big = "lorem ipsum\u200b dolor " * 250_000  # ~5 MB with invisible characters inside
    clf = router.classifier
    clf.classify("warm up")
    t_small = _best_of(3, lambda: clf.classify(big[:4000]))
    t_big = _best_of(3, lambda: clf.classify(big))
    assert t_big < max(20 * t_small, 0.015), (t_small, t_big)


@pytest.mark.parametrize("score", [True, False, 1.5, -0.1, float("nan"), "0.9", None])
def test_router_feedback_refuses_what_the_ledger_refuses(score):
    """``router.record_feedback`` and ``ledger.record_feedback`` agree: a bool, a string or a
    number outside [0, 1] is an ``InputError`` (True was stored as 1.0, 1.5 was a ConfigError)."""
    router = Router({"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}]})
    with pytest.raises(InputError, match="score must be a number in"):
        router.ledger.record_feedback("call-1", score)
    with pytest.raises(InputError, match="score must be a number in"):
        router.record_feedback("call-1", score)
    assert router.ledger.feedback() == []
