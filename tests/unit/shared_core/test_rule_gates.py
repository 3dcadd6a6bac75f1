"""The ladder rules' cheap first looks (:mod:`shared_core.classifiers.substrings`): one compiled search
that answers exactly as ``any(k in text for k in keys)``, and that never changes what a rule takes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.classifiers import (
    competition,
    error_meaning,
    one_liner,
    pasted,
    short_forms,
    system_design,
)
from shared_core.classifiers.pasted_words import CJK_RE, cjk_count
from shared_core.classifiers.substrings import substrings_re

_KEYSETS = {
    "competition": competition._GATE,
    "short_forms": short_forms._GATE,
    "system_design": system_design._GATE,
    "error_meaning": error_meaning._HINTS,
    "one_liner": one_liner._HINTS,
}


@pytest.mark.parametrize(
    ("keys", "text", "found"),
    [
        ((), "anything", False),
        (("",), "", True),
        (("ab", "a"), "xa", True),
        (("abc", "abd"), "xab", False),
        (("a.b",), "axb", False),  # (a key is a literal, not an expression)
        (("a.b",), "a.b", True),
        (("俳句", "haik"), "一首俳句", True),
    ],
)
def test_the_search_finds_a_key_exactly_where_in_does(keys: tuple[str, ...], text: str, found: bool) -> None:
    assert (substrings_re(keys).search(text) is not None) is found is any(k in text for k in keys)


@pytest.mark.parametrize("name", sorted(_KEYSETS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_each_rules_first_look_answers_as_the_loop_did(name: str, data: st.DataObject) -> None:
    keys = _KEYSETS[name]
    gate = substrings_re(keys)
    # texts made of pieces of the keys (their beginnings and ends: the near misses) and any letters
    pieces = st.sampled_from([k[:i] for k in keys for i in range(len(k) + 1)] + [k[i:] for k in keys for i in range(len(k))])
    text = data.draw(st.lists(st.one_of(pieces, st.text(max_size=3)), max_size=8).map("".join))
    assert (gate.search(text) is not None) == any(k in text for k in keys)


def _asks() -> list[str]:
    """The own training and held-out asks, and the everyday benchmark prompts."""
    from shared_core.request import extract
    from shared_core.training.ladder_data import all_rows
    from shared_core.training.ladder_metrics import request_of

    out = []
    for row in all_rows():
        r = extract(request_of(row))
        out.append(r.text[r.ask_start :])
    for path in sorted((Path(__file__).resolve().parents[3] / "benchmarks" / "data").glob("everyday_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(str(json.loads(line).get("prompt") or ""))
    return out


_ASKS_TAKEN = [  # one each rule takes (so that the comparison below compares something)
    "What are the last two digits of 3^400?", "How many positive integers below 10,000 have digits summing to 10?",
    "Write a haiku about autumn.", "How would you design a distributed cache?",
    "what does `KeyError: 'id'` mean and where do I look first?", "cron expression for every weekday at 7:30am",
]
_RULES = [
    competition.is_competition_problem, short_forms.is_short_form, system_design.designs_a_system,
    error_meaning.asks_what_an_error_means, one_liner.asks_for_a_one_liner,
]


class _Loop:
    """The first look as it was written before: ``any(k in low for k in keys)``, with ``search``'s face."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys

    def search(self, low: str) -> bool | None:
        return True if any(k in low for k in self.keys) else None


def test_the_compiled_first_looks_take_what_the_loops_took(monkeypatch: pytest.MonkeyPatch) -> None:
    asks = _asks() + _ASKS_TAKEN
    compiled = [[rule(a) for rule in _RULES] for a in asks]
    assert all(any(g) for g in compiled[-len(_ASKS_TAKEN) :])
    for module, name, keys in [
        (competition, "_GATE_RE", competition._GATE), (short_forms, "_GATE_RE", short_forms._GATE),
        (system_design, "_GATE_RE", system_design._GATE), (error_meaning, "_HINTS_RE", error_meaning._HINTS),
        (one_liner, "_HINTS_RE", one_liner._HINTS),
    ]:
        monkeypatch.setattr(module, name, _Loop(keys))
    monkeypatch.setattr(competition, "_COUNT_GATE_RE", re.compile(""))  # (a look added with them: always found)
    # (and the digit test as it was: str.isdigit over every character, ASCII or not)
    monkeypatch.setattr(competition, "_ASCII_DIGIT_RE", _Digits())
    assert [[rule(a) for rule in _RULES] for a in asks] == compiled


class _Digits:
    def search(self, text: str) -> bool | None:
        return True if any(map(str.isdigit, text)) else None


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=30))
def test_an_ascii_text_holds_a_digit_for_the_expression_as_for_isdigit(text: str) -> None:
    assert (competition._ASCII_DIGIT_RE.search(text) is not None) == any(map(str.isdigit, text))


@given(st.text(alphabet=st.sampled_from("ab 1\n。、あア漢字한é\u3040\u30ff\u3400\u9fff\u303f\ua000"), max_size=40))
def test_cjk_characters_are_counted_by_runs_as_one_by_one(text: str) -> None:
    assert cjk_count(text) == len(CJK_RE.findall(text))


def test_the_pasted_size_takes_no_count_where_there_is_nothing_to_count() -> None:
    for text in ["a" * 90, "é" * 90, "漢" * 90, "ab漢" * 30, "x" * 500, "漢" * 10]:
        n = len(text)
        full = n if n >= pasted.MIN_TEXT or n * 3 < pasted.MIN_LETTER else n + 2 * len(CJK_RE.findall(text))
        assert pasted._size(text) == full
