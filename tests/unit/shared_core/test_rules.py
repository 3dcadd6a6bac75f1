"""Rules classifier and the difficulty ladder helper."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.classifiers import RulesClassifier, difficulty_to_tier_scores
from shared_core.classifiers.ladder import ordinal_scores
from shared_core.errors import ConfigError
from shared_core.policy import select
from shared_core.request import Request

TIERS = ["simple", "medium", "complex", "frontier"]


def chosen(text: str, labels: list[str] = TIERS, knob: float = 0.5) -> str:
    c = RulesClassifier(labels).classify(text)
    return labels[select([c.scores[lab] for lab in labels], knob)]


# -- ladder ------------------------------------------------------------------------------
@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(1, 12), st.floats(0, 1))
def test_point_estimate_scores_are_a_valid_ladder(d: float, n: int, spread: float) -> None:
    s = difficulty_to_tier_scores(d, n, spread=spread)
    assert len(s) == n
    assert all(0.0 <= v <= 1.0 for v in s)
    assert all(a <= b for a, b in itertools.pairwise(s))
    assert s[-1] == 1.0


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=10), st.integers(1, 12))
def test_level_probabilities_scores_are_a_valid_ladder(probs: list[float], n: int) -> None:
    s = difficulty_to_tier_scores(probs, n)
    assert len(s) == n and s[-1] == 1.0
    assert all(0.0 <= v <= 1.0 for v in s)
    assert all(a <= b for a, b in itertools.pairwise(s))


def test_levels_matching_the_tiers_give_the_cumulative_distribution() -> None:
    s = difficulty_to_tier_scores([0.1, 0.2, 0.3, 0.4], 4)
    assert s == pytest.approx([0.1, 0.3, 0.6, 1.0])
    # two levels onto four tiers: each level spreads uniformly over two tiers
    assert difficulty_to_tier_scores([0.5, 0.5], 4) == pytest.approx([0.25, 0.5, 0.75, 1.0])


@settings(max_examples=300)
@given(st.lists(st.floats(0, 10), min_size=1, max_size=8), st.integers(1, 12))
def test_level_scores_are_the_banded_uniform_cdf(probs: list[float], n: int) -> None:
    """Tier ``i`` of ``n`` scores P(D <= (i+1)/n) when level ``j`` of ``L`` is uniform on
    ``(j/L, (j+1)/L]``: checked against that distribution integrated independently."""
    total = sum(probs)
    s = difficulty_to_tier_scores(probs, n)
    if total <= 0:
        assert s == [0.0] * (n - 1) + [1.0]
        return
    L = len(probs)
    for i, v in enumerate(s[:-1]):
        x = (i + 1) / n
        want = sum(p / total * min(1.0, max(0.0, x * L - j)) for j, p in enumerate(probs))
        assert v == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize(
    ("d", "n", "tier"),
    [(0.1, 4, 0), (0.3, 4, 1), (0.6, 4, 2), (0.9, 4, 3), (0.4, 2, 0), (0.6, 2, 1)],
)
def test_median_difficulty_picks_the_tier_whose_band_holds_it(d: float, n: int, tier: int) -> None:
    for spread in (0.0, 0.05, 0.12):
        assert select(difficulty_to_tier_scores(d, n, spread=spread), 0.5) == tier


def test_ordinal_scores_are_cumulative() -> None:
    assert ordinal_scores([0.2, 0.5, 0.3]) == pytest.approx([0.2, 0.7, 1.0])
    assert ordinal_scores([0, 0, 0]) == [0.0, 0.0, 1.0]


# -- difficulty signals --------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "hi there!",
        "Thanks so much!",
        "What is the capital of France?",
        "Is the sun a star?",
        "Convert this list to uppercase: apples, pears, plums",
        "good morning",
    ],
)
def test_easy_requests_go_to_the_cheapest_tier_with_confidence(text: str) -> None:
    c = RulesClassifier(TIERS).classify(text)
    assert chosen(text) == "simple"
    assert c.confidence >= 0.7, c.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Prove that there are infinitely many prime numbers.",
        "Design a scalable, fault-tolerant distributed job scheduler for a global platform.",
        'Traceback (most recent call last):\n  File "app.py", line 12, in <module>\n    main()\n'
        "KeyError: 'user_id'\nWhy does this happen and how do I fix it?",
        "Compute the integral of x^2 e^x dx and then the derivative of the result, step by step.",
        "```python\ndef f(x):\n    return x * 2\n```\nRefactor this into a class with unit tests.",
    ],
)
def test_hard_requests_go_up_the_ladder_with_confidence(text: str) -> None:
    c = RulesClassifier(TIERS).classify(text)
    assert TIERS.index(chosen(text)) >= 2, c.reasons
    assert c.confidence >= 0.65


def test_long_multi_constraint_instructions_are_hard() -> None:
    text = (
        "Write the onboarding email sequence.\n"
        "1. Each email must be under 120 words.\n2. You must not mention pricing.\n"
        "3. Always use the customer's first name.\n4. Never use exclamation marks.\n"
        "5. Make sure every email ends with a question.\n6. Do not repeat a subject line.\n"
    )
    c = RulesClassifier(TIERS).classify(text)
    assert any("constraints" in r for r in c.reasons)
    assert TIERS.index(chosen(text)) >= 2


def test_very_long_inputs_count_even_after_truncation() -> None:
    req = Request(text="lorem ipsum dolor sit amet " * 100, input_tokens=50_000)
    c = RulesClassifier(TIERS).classify(req)
    assert any("very long input" in r for r in c.reasons)
    assert c.scores["complex"] < 0.5  # frontier territory


def test_no_strong_signal_means_low_confidence() -> None:
    for text in [
        "Tell me something about otters and rivers.",
        "Give me three ideas for a team lunch",
        "Explain the water cycle to a curious adult.",
    ]:
        c = RulesClassifier(TIERS).classify(text)
        assert c.confidence <= 0.3, (text, c.reasons)


def test_conflicting_signals_lower_the_confidence() -> None:
    both = RulesClassifier(TIERS).classify(
        "Is it possible to prove that the halting problem is undecidable?"
    )
    alone = RulesClassifier(TIERS).classify(
        "Prove that the halting problem is undecidable, with full rigour."
    )
    assert both.confidence < alone.confidence


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_any_number_of_tiers(n: int) -> None:
    labels = [f"t{i}" for i in range(n)]
    easy = RulesClassifier(labels).classify("hello")
    hard = RulesClassifier(labels).classify("Prove the theorem rigorously by induction.")
    assert list(easy.scores) == labels
    assert select([easy.scores[x] for x in labels], 0.5) <= select(
        [hard.scores[x] for x in labels], 0.5
    )
    if n > 1:
        assert select([easy.scores[x] for x in labels], 0.5) == 0
        assert select([hard.scores[x] for x in labels], 0.5) >= n - 1 - (n >= 5)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=600), st.integers(0, 100_000))
def test_any_text_gives_a_valid_deterministic_ladder(text: str, tokens: int) -> None:
    clf = RulesClassifier(TIERS)
    req = Request(text=text, input_tokens=tokens)
    a, b = clf.classify(req), clf.classify(req)
    assert a == b
    vals = [a.scores[t] for t in TIERS]
    assert all(0.0 <= v <= 1.0 for v in vals) and vals[-1] == 1.0
    assert all(x <= y for x, y in itertools.pairwise(vals))
    assert 0.0 <= a.confidence <= 1.0


def test_bind_labels_rebinds_to_tier_names() -> None:
    clf = RulesClassifier().bind_labels(["cheap", "pricey"])
    assert list(clf.classify("hi").scores) == ["cheap", "pricey"]
    with pytest.raises(ConfigError):
        RulesClassifier([])


# -- task mode ---------------------------------------------------------------------------------
def test_task_keywords_pick_the_label() -> None:
    clf = RulesClassifier(keywords={"coding": [r"\bpython\b", r"```"], "creative": [r"\bpoem\b"]})
    assert clf.labels == ["coding", "creative"]
    c = clf.classify("Write a poem about autumn")
    assert c.best == "creative" and c.confidence > 0.3
    none = clf.classify("What time is it in Lima?")
    assert none.confidence == 0.0
    assert set(none.scores.values()) == {0.5}


def test_task_labels_without_keywords_use_builtin_patterns() -> None:
    clf = RulesClassifier(["coding", "creative", "factual", "reasoning"], mode="task")
    assert clf.classify("Fix this Python function, it raises a KeyError").best == "coding"
    assert clf.classify("Write a haiku about the sea").best == "creative"


def test_task_mode_errors_name_the_field() -> None:
    with pytest.raises(ConfigError) as e:
        RulesClassifier(keywords={"coding": ["(unclosed"]})
    assert e.value.field == "classifier.options.keywords.coding"
    with pytest.raises(ConfigError, match="keywords"):
        RulesClassifier(["alpha", "beta"], mode="task")
    with pytest.raises(ConfigError, match="mode"):
        RulesClassifier(mode="vibes")
