"""Router.decide: policy, eligibility, forcing, task routes, unsure handling, stickiness."""

from __future__ import annotations

import pytest

from shared_core import Classification, Router, UnknownModelError
from shared_core.classifiers.base import BaseClassifier

from .helpers import router_with, three_tiers


def test_decision_carries_the_tier_settings():
    router = router_with({"prove": "big"})
    d = router.decide("Prove that there are infinitely many primes.")
    assert (d.tier, d.model, d.index) == ("big", "big-model", 2)
    assert d.system_prompt == "Think hard." and d.max_tokens == 1000
    assert d.classifier == "fake" and d.confidence == 1.0
    assert d.latency_us > 0 and len(d.call_id) == 32
    assert router.decide("hi").tier == "cheap"
    assert router.decide("hi").call_id != router.decide("hi").call_id


async def test_adecide_matches_decide():
    router = router_with({"code": "mid"})
    for text in ["hello", "write code for me", "prove it"]:
        a, b = router.decide(text), await router.adecide(text)
        assert (a.tier, a.scores, a.confidence) == (b.tier, b.scores, b.confidence)


def test_tools_make_tool_less_tiers_ineligible():
    router = router_with(default="cheap")
    d = router.decide("hi", tools=True)
    assert d.tier == "mid"
    assert "cheap" not in d.eligible
    assert any("tool calling" in r for r in d.reasons)


def test_images_need_a_vision_tier():
    router = router_with(default="cheap")
    msg = [{"role": "user", "content": [{"type": "text", "text": "what is this?"},
                                        {"type": "image_url", "image_url": {"url": "data:..."}}]}]
    d = router.decide(msg)
    assert d.tier == "mid"
    assert any("attachments: image" in r for r in d.reasons)


def test_context_window_excludes_small_tiers():
    router = router_with(default="mid")
    d = router.decide("x " * 40_000)  # ~20k tokens > mid's 8k window
    assert d.tier == "big"


def test_unsatisfiable_constraint_is_relaxed_with_a_reason():
    cfg = three_tiers(tiers=[
        {"name": "a", "model": "a", "supports_tools": False},
        {"name": "b", "model": "b", "supports_tools": False},
    ])
    router = router_with(default="a", config=cfg)
    d = router.decide("hi", tools=True)
    assert d.tier == "a"
    assert any("constraint relaxed" in r for r in d.reasons)


def test_force_by_tier_or_model_and_unknown_is_typed():
    router = router_with(default="cheap")
    assert router.decide("hi", force="big").tier == "big"
    assert router.decide("hi", force="mid-model").tier == "mid"
    with pytest.raises(UnknownModelError) as err:
        router.decide("hi", force="nope")
    assert "nope" in str(err.value) and "cheap" in str(err.value)


def test_unsure_goes_one_tier_up():
    cfg = three_tiers(policy={"min_confidence": 0.6})
    assert router_with(default="cheap", confidence=0.3, config=cfg).decide("hi").tier == "mid"
    assert router_with(default="cheap", confidence=0.9, config=cfg).decide("hi").tier == "cheap"


def test_unsure_can_use_the_fallback_tier_instead():
    cfg = three_tiers(policy={"min_confidence": 0.6, "unsure_go_up": False, "fallback_tier": "big"})
    d = router_with(default="cheap", confidence=0.3, config=cfg).decide("hi")
    assert d.tier == "big" and d.unsure


def test_task_mode_picks_the_best_label_and_falls_back_when_unsure():
    cfg = three_tiers(mode="task", tiers=[
        {"name": "coding", "model": "m1", "system_prompt": "You write code."},
        {"name": "creative", "model": "m2", "system_prompt": "You write stories.", "routes": ["creative", "poetry"]},
        {"name": "factual", "model": "m3"},
    ], policy={"fallback_tier": "factual", "min_confidence": 0.5})
    router = router_with({"python": "coding", "poem": "poetry"}, default="factual", config=cfg)
    assert router.decide("a python function").tier == "coding"
    assert router.decide("a poem about rain").tier == "creative"
    assert router.decide("a poem about rain").system_prompt == "You write stories."
    unsure = router_with({"python": "coding"}, default="factual", config=cfg, confidence=0.2)
    assert unsure.decide("a python function").tier == "factual"


class _Broken(BaseClassifier):
    name = "broken"
    _labels = ["cheap", "mid", "big"]  # noqa: RUF012

    def _classify(self, request):
        raise RuntimeError("model file corrupt, key sk-abcdefghijklmnop")


def test_classifier_failure_routes_to_the_fallback_tier_and_says_why():
    router = Router(three_tiers(policy={"fallback_tier": "mid"}), classifier=_Broken())
    d = router.decide("hi")
    assert d.tier == "mid" and d.unsure
    assert any("classifier failed: RuntimeError" in r for r in d.reasons)
    assert "sk-abcdefghijklmnop" not in repr(d)
    # without a fallback tier: the strongest eligible tier (never silently cheap)
    assert Router(three_tiers(), classifier=_Broken()).decide("hi").tier == "big"


def test_sticky_threads_never_drop_to_a_cheaper_tier():
    router = router_with({"hard": "big"}, default="cheap", config=three_tiers(sticky=True))
    assert router.decide("hard question", thread_id="t1").tier == "big"
    assert router.decide("thanks!", thread_id="t1").tier == "big"
    assert router.decide("thanks!", thread_id="t2").tier == "cheap"
    # without sticky, each turn is independent
    plain = router_with({"hard": "big"}, default="cheap")
    plain.decide("hard question", thread_id="t1")
    assert plain.decide("thanks!", thread_id="t1").tier == "cheap"


class _Scores(BaseClassifier):
    name = "scores"

    def __init__(self, scores):
        self._scores = scores
        self._labels = list(scores)

    def _classify(self, request):
        return Classification(scores=self._scores, confidence=1.0, classifier=self.name)


@pytest.mark.parametrize("rule", ["threshold", "margin", "utility"])
def test_knob_moves_the_choice_monotonically_for_every_rule(rule):
    scores = {"cheap": 0.55, "mid": 0.8, "big": 0.9}
    chosen = []
    for knob in [i / 20 for i in range(21)]:
        cfg = three_tiers(policy={"rule": rule, "threshold": knob})
        chosen.append(Router(cfg, classifier=_Scores(scores)).decide("q").index)
    assert chosen == sorted(chosen)
    assert chosen[0] == 0 and chosen[-1] >= 1


def test_unknown_decide_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unknown keyword"):
        router_with().decide("hi", tool=True)


def test_router_repr_names_tiers():
    assert "cheap, mid, big" in repr(router_with())


def test_task_labels_sharing_a_tier_pool_their_scores():
    cfg = three_tiers(mode="task", tiers=[
        {"name": "general", "model": "m1", "routes": ["chat", "factual"]},
        {"name": "reasoning", "model": "m2", "routes": ["math", "logic"]},
    ], policy={"fallback_tier": "general", "min_gap": 0.2})
    scores = {"chat": 0.05, "factual": 0.05, "math": 0.48, "logic": 0.42}
    d = Router(cfg, classifier=_Scores(scores)).decide("a tricky puzzle")
    assert d.tier == "reasoning" and not d.unsure  # 0.90 vs 0.10, not math-vs-logic 0.06
