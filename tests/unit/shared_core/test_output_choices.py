"""The answers-per-request count every adapter reads (:mod:`shared_core.output_budget`), and
the plan's worst case of a request for n answers: its input once, n x its output budget."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from shared_core import Router
from shared_core.errors import InputError
from shared_core.output_budget import CHOICE_KEYS, model_choices, read_choices, tier_choices


@pytest.mark.parametrize("key", CHOICE_KEYS)
def test_every_spelling_is_read(key: str) -> None:
    assert read_choices({key: 3, "temperature": 0}) == 3


def test_the_largest_count_is_the_worst_case() -> None:
    # best_of answers are generated (and billed), n of them returned
    assert read_choices({"n": 2, "best_of": 5}) == 5
    assert read_choices({"generation_config": {"candidate_count": 4}, "n": 1}) == 4
    assert read_choices({"temperature": 0}) is None
    assert read_choices({"n": None}) is None


@pytest.mark.parametrize("value", [0, -2, True, 1.5, "3", [2]])
def test_an_unreadable_count_is_an_input_error(value: Any) -> None:
    with pytest.raises(InputError, match="leave it out or pass None"):
        read_choices({"n": value})


def test_a_models_own_count_is_read_from_its_fields_and_extra_keywords() -> None:
    class Model:
        model_fields: ClassVar[dict[str, Any]] = {"n": None}

        def __init__(self, n: Any = None, **extra: Any) -> None:
            self.n = n
            self.model_kwargs = extra

    assert model_choices(Model(n=4)) == 4
    assert model_choices(Model(best_of=3)) == 3
    assert model_choices(Model()) is None
    assert model_choices(object()) is None
    assert tier_choices({"a": Model(), "b": Model(n=2)}) == {"b": 2}
    with pytest.raises(InputError, match="tier 'b': n=0"):
        tier_choices({"b": Model(n=0)})


CONFIG = {
    "tiers": [{"name": "cheap", "model": "m", "max_tokens": 100, "input_price": 1.0, "output_price": 10.0}],
    "classifier": {"type": "rules"},
}


@pytest.mark.parametrize(
    ("choices", "tier_n", "answers"), [(None, None, 1), (4, None, 4), (None, {"cheap": 3}, 3), (2, {"cheap": 3}, 3)]
)
def test_the_plans_estimate_counts_every_answer(choices: Any, tier_n: Any, answers: int) -> None:
    router = Router(CONFIG)
    decision = router.decide("hello")
    request = router.request("hello")
    plan = router.plan(decision, request, choices=choices, tier_choices=tier_n)
    tier = router.config.tiers[0]
    want = (request.input_tokens * 1.0 + answers * 100 * 10.0) / 1e6
    assert plan._estimate(tier) == pytest.approx(want)
