"""The output-budget reading every adapter shares (:mod:`shared_core.output_budget`)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.errors import InputError
from shared_core.output_budget import (
    BUDGET_KEYS,
    NESTED_KEYS,
    has_budget,
    pop_output_budget,
    read_output_budget,
    set_budget,
)

budgets = st.integers(min_value=1, max_value=10**6)
others = st.dictionaries(
    st.sampled_from(["temperature", "stop", "top_p", "seed", "user"]), st.integers(), max_size=3
)
spelled = st.dictionaries(st.sampled_from(BUDGET_KEYS), budgets, max_size=len(BUDGET_KEYS))


@st.composite
def call_kwargs(draw: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {**draw(others), **draw(spelled)}
    for nest in NESTED_KEYS:
        if draw(st.booleans()):
            kw[nest] = {**draw(others), **draw(spelled)}
    return kw


def _all_budgets(kw: dict[str, Any]) -> list[int]:
    found = [v for k, v in kw.items() if k in BUDGET_KEYS]
    for nest in NESTED_KEYS:
        found += [v for k, v in (kw.get(nest) or {}).items() if k in BUDGET_KEYS]
    return found


@settings(max_examples=300, deadline=None)
@given(call_kwargs())
def test_the_budget_read_is_the_largest_of_every_spelling(kw: dict[str, Any]) -> None:
    found = _all_budgets(kw)
    assert read_output_budget(kw) == (max(found) if found else None)
    assert has_budget(kw) == bool(found)


@settings(max_examples=300, deadline=None)
@given(call_kwargs())
def test_popping_leaves_no_top_level_spelling_and_the_rest_alone(kw: dict[str, Any]) -> None:
    before = dict(kw)
    n = read_output_budget(before)
    assert pop_output_budget(kw) == n
    assert not any(k in kw for k in BUDGET_KEYS)
    assert kw == {k: v for k, v in before.items() if k not in BUDGET_KEYS}


@settings(max_examples=300, deadline=None)
@given(call_kwargs(), budgets, st.booleans())
def test_a_rebudgeted_request_carries_one_budget_only(
    kw: dict[str, Any], budget: int, top: bool
) -> None:
    before = {k: dict(v) if isinstance(v, dict) else v for k, v in kw.items()}
    out = set_budget(kw, budget, top=top)
    assert kw == before  # a copy: the caller's mapping is untouched
    assert set(_all_budgets(out)) <= {budget}
    assert read_output_budget(out) in (None, budget)
    # nested mappings keep their spellings (Ollama's options replace the model's own)
    for nest in NESTED_KEYS:
        if isinstance(kw.get(nest), dict):
            assert set(out[nest]) == set(kw[nest])
    assert all((k in out) == top for k in BUDGET_KEYS if k in kw)  # set, or left to the field
    assert {k: v for k, v in out.items() if k not in BUDGET_KEYS and k not in NESTED_KEYS} == {
        k: v for k, v in kw.items() if k not in BUDGET_KEYS and k not in NESTED_KEYS
    }


@pytest.mark.parametrize("value", [0, -1, -2, "lots", "-5", "²", 1.5, float("inf"), True, [], {"n": 1}])
@pytest.mark.parametrize("key", ["max_tokens", "max_completion_tokens", "num_predict"])
def test_an_unbounded_or_unreadable_budget_is_an_input_error(key: str, value: Any) -> None:
    kw = {key: value, "temperature": 0}
    with pytest.raises(InputError, match=key):
        pop_output_budget(kw)
    assert key in kw  # nothing was taken
    with pytest.raises(InputError):
        read_output_budget({"options": {key: value}})


@pytest.mark.parametrize("value,expected", [(100, 100), ("100", 100), (100.0, 100), (None, None)])
def test_whole_numbers_in_any_type_are_read(value: Any, expected: int | None) -> None:
    assert read_output_budget({"max_completion_tokens": value}) == expected


def test_an_integer_type_of_another_library_is_read() -> None:
    class Index:  # numpy's integers, for one
        def __index__(self) -> int:
            return 300

    assert read_output_budget({"num_predict": Index()}) == 300
