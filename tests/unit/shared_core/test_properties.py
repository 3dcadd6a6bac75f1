"""Property-based tests: extraction, the policy and Router.decide on arbitrary input.

No input makes them raise anything but the documented errors, and every decision is
a pure function of its input.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared_core import Router, RouterConfig
from shared_core.config import ExtractionConfig
from shared_core.errors import InputError, RouterError
from shared_core.policy import select, select_batch
from shared_core.request import extract
from shared_core.router import default_config_path

RULES = ("threshold", "margin", "utility")
INVISIBLE = set("\x00\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff")

# -- strategies -------------------------------------------------------------------------------
texts = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=300
) | st.sampled_from(["", " ", "\x00", "\ud800", "\u200b", "hello", "a" * 5000])
roles = st.sampled_from(
    ["user", "assistant", "system", "developer", "tool", "function", "human", "ai", "USER"]
) | st.one_of(st.none(), st.integers(), st.text(max_size=10))
blocks = st.recursive(
    texts
    | st.builds(lambda t: {"type": "text", "text": t}, texts)
    | st.sampled_from(
        [
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            {"type": "input_audio", "input_audio": {"data": "AA", "format": "wav"}},
            {"type": "file", "file": {"file_id": "f"}},
            {"type": "weird"},
            {},
            None,
            3,
            b"bytes",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.builds(lambda c: {"type": "text", "content": c}, children)
    ),
    max_leaves=12,
)
contents = st.one_of(st.none(), texts, blocks)
messages = st.fixed_dictionaries(
    {}, optional={"role": roles, "content": contents, "name": st.text(max_size=5)}
)
message_lists = st.lists(messages | texts, max_size=8) | texts | messages


def _ok_error(exc: BaseException) -> bool:
    return isinstance(exc, InputError)


# -- extraction -------------------------------------------------------------------------------
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(msgs=message_lists, max_chars=st.integers(64, 2000))
def test_extract_only_input_errors_and_bounded_clean_text(msgs: Any, max_chars: int) -> None:
    cfg = ExtractionConfig(max_chars=max_chars)
    try:
        req = extract(msgs, cfg)
    except Exception as exc:
        assert _ok_error(exc), repr(exc)
        return
    req.text.encode("utf-8")
    assert not set(req.text) & INVISIBLE
    assert len(req.text) <= max_chars + 8
    assert req.input_tokens >= 0 and req.n_messages >= 1
    assert extract(msgs, cfg) == req


@given(text=texts)
def test_extract_of_a_string_equals_a_single_user_message(text: str) -> None:
    assert extract(text).text == extract([{"role": "user", "content": text}]).text


# -- the policy -------------------------------------------------------------------------------
@st.composite
def policy_cases(draw: Any) -> tuple[list[float], list[bool], list[float]]:
    n = draw(st.integers(1, 6))
    scores = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    eligible = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    assume(any(eligible))
    raw = draw(st.lists(st.floats(0.01, 100), min_size=n, max_size=n, unique=True))
    return scores, eligible, sorted(raw)  # tiers are ordered cheapest first


@settings(max_examples=400)
@given(
    case=policy_cases(),
    k1=st.floats(0, 1),
    k2=st.floats(0, 1),
    rule=st.sampled_from(RULES),
)
def test_select_eligible_monotone_deterministic(
    case: tuple[list[float], list[bool], list[float]], k1: float, k2: float, rule: str
) -> None:
    scores, eligible, costs = case
    lo, hi = min(k1, k2), max(k1, k2)
    kw = {"rule": rule, "eligible": eligible, "relative_costs": costs}
    a = select(scores, lo, **kw)
    b = select(scores, hi, **kw)
    assert eligible[a] and eligible[b], "the chosen tier is always eligible"
    assert b >= a, f"knob {hi} picked a cheaper tier ({b}) than knob {lo} ({a})"
    assert select(scores, lo, **kw) == a


@settings(max_examples=200)
@given(
    rows=st.integers(1, 5).flatmap(
        lambda k: st.lists(
            st.lists(st.floats(0, 1), min_size=k, max_size=k), min_size=1, max_size=6
        )
    ),
    knob=st.floats(0, 1),
    rule=st.sampled_from(RULES),
)
def test_select_batch_agrees_with_select(rows: list[list[float]], knob: float, rule: str) -> None:
    k = len(rows[0])
    costs = [float(i + 1) for i in range(k)]
    got = select_batch(np.array(rows), knob, rule=rule, relative_costs=costs)
    want = [select(r, knob, rule=rule, relative_costs=costs) for r in rows]
    assert list(got) == want


@given(knob=st.one_of(st.floats(allow_nan=True), st.floats(-10, -1e-9), st.floats(1.0001, 10)))
def test_select_rejects_knobs_outside_0_1(knob: float) -> None:
    assume(not 0.0 <= knob <= 1.0)
    with pytest.raises(RouterError, match="knob"):
        select([0.5, 0.9], knob)


# -- the router -------------------------------------------------------------------------------
def _rules_router() -> Router:
    data = RouterConfig.from_file(default_config_path()).to_dict()
    data["classifier"] = {"type": "rules"}
    return Router(RouterConfig.build(data))


ROUTERS = {"rules": _rules_router(), "default": Router()}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(msgs=message_lists, which=st.sampled_from(sorted(ROUTERS)), tools=st.booleans())
def test_decide_only_documented_errors_and_deterministic(
    msgs: Any, which: str, tools: bool
) -> None:
    router = ROUTERS[which]
    try:
        d1 = router.decide(msgs, tools=tools)
    except Exception as exc:
        assert _ok_error(exc), repr(exc)
        return
    d2 = router.decide(msgs, tools=tools)
    assert d1.tier in router.config.tier_names and d1.tier in d1.eligible
    assert (d1.tier, d1.model, dict(d1.scores), d1.confidence) == (
        d2.tier,
        d2.model,
        dict(d2.scores),
        d2.confidence,
    )
    assert d1.call_id != d2.call_id


@settings(max_examples=50, deadline=None)
@given(text=texts)
async def test_adecide_matches_decide(text: str) -> None:
    router = ROUTERS["rules"]
    assert (await router.adecide(text)).tier == router.decide(text).tier


# -- every offline classifier family ----------------------------------------------------------
def _router_with(classifier: dict[str, Any], **kw: Any) -> Router:
    data = RouterConfig.from_file(default_config_path()).to_dict()
    data["classifier"] = classifier
    return Router(RouterConfig.build(data), **kw)


EXAMPLES = {
    "simple": ["hi", "thanks!", "what is the capital of France?"],
    "medium": ["explain how a hash map works", "summarise this paragraph"],
    "complex": ["prove that there are infinitely many primes", "design a database schema"],
    "frontier": ["derive a new bound for this open research problem in number theory"],
}
CLASSIFIER_ROUTERS = {
    "rules": _router_with({"type": "rules"}),
    "embedded": _router_with({"type": "embedded"}),
    "embedding": _router_with({"type": "embedding", "options": {"examples": EXAMPLES}}),
    "cascade": _router_with(
        {
            "type": "cascade",
            "stages": [
                {"type": "rules", "accept_confidence": 0.9},
                {"type": "embedding", "options": {"examples": EXAMPLES}},
            ],
        }
    ),
}


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(msgs=message_lists, which=st.sampled_from(sorted(CLASSIFIER_ROUTERS)))
def test_classifiers_score_every_tier_in_range_deterministically(msgs: Any, which: str) -> None:
    router = CLASSIFIER_ROUTERS[which]
    try:
        request = router.request(msgs)
    except InputError:
        return
    c1 = router.classifier.classify(request)
    c2 = router.classifier.classify(request)
    assert c1.scores == c2.scores and c1.confidence == c2.confidence
    assert 0.0 <= c1.confidence <= 1.0
    for label, score in c1.scores.items():
        assert label in router.config.tier_names
        assert 0.0 <= score <= 1.0 and score == score  # no NaN


judge_outputs = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            "FRONTIER",
            "simple",
            '{"label": "COMPLEX"}',
            '{"label": "FRONT',
            '{"score": 11}',
            '{"score": -3}',
            '{"score": "NaN"}',
            '```json\n{"label": "MEDIUM"}\n```',
            "SIMPLE or FRONTIER",
            "null",
            "[1, 2, 3]",
        ]
    ),
    st.builds(
        json.dumps,
        st.recursive(
            st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=10),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
            max_leaves=6,
        ),
    ),
)


@settings(max_examples=150, deadline=None)
@given(output=judge_outputs, text=texts)
def test_judge_parses_any_model_output_defensively(output: str, text: str) -> None:
    router = _router_with({"type": "judge"}, judge_complete=lambda prompt: output)
    d1 = router.decide(text)
    d2 = router.decide(text)
    assert d1.tier in router.config.tier_names
    assert (d1.tier, dict(d1.scores)) == (d2.tier, dict(d2.scores))


@settings(max_examples=30, deadline=None)
@given(exc=st.sampled_from([TimeoutError("slow"), ValueError("bad"), RuntimeError("down")]))
def test_a_failing_judge_still_routes(exc: Exception) -> None:
    def complete(prompt: str) -> str:
        raise exc

    router = _router_with({"type": "judge"}, judge_complete=complete)
    assert router.decide("hello there").tier in router.config.tier_names


def _utility_oracle(scores: list[float], knob: float, costs: list[float] | None) -> int:
    """The utility rule as the README states it: highest score - lam * relative cost, where
    relative costs are the given ones over their maximum (or evenly spaced 0..1), ties and
    knob 0 going to the cheapest."""
    n = len(scores)
    rel = (
        [i / max(1, n - 1) for i in range(n)] if costs is None else [c / max(costs) for c in costs]
    )
    if knob == 0:
        return min(range(n), key=lambda i: (rel[i], i))
    lam = (1 - knob) / knob
    u = [s - lam * c for s, c in zip(scores, rel)]
    return next(i for i in range(n) if u[i] >= max(u) - 1e-9)


@settings(max_examples=300)
@given(
    rows=st.integers(1, 5).flatmap(
        lambda k: st.lists(
            st.lists(st.floats(0, 1).map(lambda x: round(x, 3)), min_size=k, max_size=k),
            min_size=1,
            max_size=4,
        )
    ),
    knob=st.sampled_from([0.0, 0.1, 0.25, 0.4, 0.5, 0.7, 0.9, 1.0]),
    scale=st.sampled_from([None, 1.0, 4.0, 0.25]),
)
def test_the_utility_rule_trades_score_against_relative_cost(
    rows: list[list[float]], knob: float, scale: float | None
) -> None:
    k = len(rows[0])
    costs = None if scale is None else [scale * (i + 1) for i in range(k)]
    want = [_utility_oracle(r, knob, costs) for r in rows]
    assert [select(r, knob, rule="utility", relative_costs=costs) for r in rows] == want
    assert list(select_batch(np.array(rows), knob, rule="utility", relative_costs=costs)) == want


def test_utility_examples_with_default_costs() -> None:
    # 3 tiers, costs 0, 0.5, 1; knob 0.5 -> lam 1
    assert select([0.2, 0.9, 1.0], 0.5, rule="utility") == 1
    assert select([0.2, 0.5, 0.9], 0.5, rule="utility") == 0
    # 2 tiers, costs 0, 1
    assert select([0.3, 0.9], 0.5, rule="utility") == 0
    assert select([0.3, 1.0], 0.8, rule="utility") == 1  # lam 0.25: 0.3 against 0.75
    # equal utility: the cheaper tier
    assert select([0.5, 0.5], 0.5, rule="utility", relative_costs=[0.0, 0.0]) == 0
    # knob 0: the cheapest by cost, not by position
    assert select([0.1, 0.9], 0.0, rule="utility", relative_costs=[1.0, 0.2]) == 1
    assert list(
        select_batch(np.array([[0.1, 0.9]]), 0.0, rule="utility", relative_costs=[1.0, 0.2])
    ) == [1]


def test_select_batch_finds_each_row_s_own_best() -> None:
    rows = np.array([[0.9, 0.95], [0.1, 0.2]])
    assert list(select_batch(rows, 0.5, rule="utility", relative_costs=[0.0, 0.0])) == [1, 1]


def _levels_scores_reference(probs: list[float], n_tiers: int) -> list[float]:
    """The per-request computation the ladder bands are precomputed from (kept as written)."""
    import math

    clean = [p if (p == p and p > 0 and p != math.inf) else 0.0 for p in probs]
    total = sum(clean)
    n_levels = len(clean)
    if n_levels == 0 or total <= 0:
        return [0.0] * (n_tiers - 1) + [1.0]
    p = [c / total for c in clean]
    below = [0.0]
    for q in p:
        below.append(below[-1] + q)
    out: list[float] = []
    prev = 0.0
    for i in range(n_tiers - 1):
        pos = (i + 1) / n_tiers * n_levels
        full = math.floor(pos + 1e-9)
        acc = below[min(full, n_levels)]
        if full < n_levels:
            acc += p[full] * max(0.0, pos - full)
        v = min(1.0, max(prev, acc))
        out.append(v)
        prev = v
    out.append(1.0)
    return out


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(0.0)), max_size=7),
    st.integers(min_value=1, max_value=9),
)
def test_level_scores_equal_the_per_request_computation(probs: list[float], n_tiers: int) -> None:
    from shared_core.classifiers.ladder import _levels_scores

    assert _levels_scores(probs, n_tiers) == _levels_scores_reference(probs, n_tiers)
