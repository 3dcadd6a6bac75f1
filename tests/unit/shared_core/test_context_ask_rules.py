"""The rules behind the ninth round (:mod:`shared_core.classifiers.context_ask`,
:mod:`shared_core.classifiers.competition`): what each one must and must not take."""

from __future__ import annotations

import re

import pytest

from shared_core import Router
from shared_core.classifiers.competition import is_competition_problem
from shared_core.classifiers.context_ask import debugs_earlier_work, earlier_is_work, refers_back
from shared_core.classifiers.embedded import EmbeddedClassifier
from shared_core.errors import ConfigError

_CODE = (
    "```python\ndef total(items):\n    s = 0\n    for i in items:\n        s += i.price * i.qty\n"
    "    return round(s, 2)\n```"
)
_TOOLS = "run_tests(path='tests/test_cart.py')"


def _text(context: str, ask: str) -> tuple[str, int]:
    text = context + "\n" + ask
    return text, len(context) + 1


@pytest.mark.parametrize("context", [_CODE, _TOOLS, "Traceback (most recent call last):\n  File \"a.py\", line 3\nKeyError: 'id'"])
def test_the_earlier_turns_are_work_when_they_hold_code_logs_or_tool_calls(context: str) -> None:
    assert earlier_is_work(context)


def test_a_fault_of_a_program_reported_in_words_is_earlier_work() -> None:
    """What an agent's conversation keeps: the user's report, not the tool results."""
    assert earlier_is_work("the nightly export job fails since Monday, check it")
    assert earlier_is_work("测试一直失败，帮我看看")
    assert not earlier_is_work("my sourdough keeps failing to rise, any idea?")  # a fault, but of no program


@pytest.mark.parametrize("context", ["", "hi there\nHi! How can I help?", "Here is a recipe for pancakes: flour, eggs, milk."])
def test_prose_is_no_earlier_work(context: str) -> None:
    assert not earlier_is_work(context)


@pytest.mark.parametrize(
    "ask",
    [
        "the totals are still off by a cent, why? fix it",
        "finde die Ursache, es rechnet immer noch falsch",
        "还是算错了，帮我修复",
        "आखिरी item पर अब भी गलत total आ रहा है, इसे ठीक करो",
    ],
)
def test_a_short_debugging_ask_after_work_is_taken(ask: str) -> None:
    assert debugs_earlier_work(*_text(_CODE, ask))


@pytest.mark.parametrize(
    ("context", "ask"),
    [
        (_CODE, "thanks, that fixed it!"),  # a thank-you
        (_CODE, "why is it called a for loop?"),  # a "why" alone asks for no debugging
        (_CODE, "write a short email to the team saying the rounding bug is fixed"),  # another task
        (_CODE, "what does the error 'KeyError' mean again?"),  # a meaning: a look-up
        (_CODE, "fix the grammar in this sentence: 'me and him goes to the store every days'"),  # own material
        (_CODE, "by the way, why do cats purr when they are broken-hearted?"),  # a change of subject
        (_CODE, "so I've been stuck inside all week with the flu, just wanted to chat about the total eclipse"),
        ("hi there\nHi! How can I help?", "it crashes on start, why? fix it"),  # nothing earlier to debug
    ],
)
def test_other_followups_are_left_to_the_model(context: str, ask: str) -> None:
    assert not debugs_earlier_work(*_text(context, ask))


def test_a_single_message_is_never_taken() -> None:
    """No earlier turns (``ask_start`` 0): the pasted-document rule reads one message."""
    assert not debugs_earlier_work("why does this fail? fix it\n" + _CODE, 0)


def test_a_followup_refers_back_by_a_pointer_or_a_shared_word() -> None:
    assert refers_back("why does it fail?", _CODE)
    assert refers_back("the totals are wrong", _CODE)  # "total" is in the code
    assert refers_back("改完还是报错", "下面是报错信息")
    assert not refers_back("the kettle is broken", _CODE)


@pytest.mark.parametrize(
    "text",
    [
        "What are the last two digits of 3^400?",
        "How many integers between 1 and 5000 are multiples of 3 but not of 9?",
        "Find the number of ordered pairs of positive integers (x, y) with x + 2y = 60.",
        "Find all integer solutions of x^2 - 2y^2 = 1 with x < 100.",
        "Combien de nombres entre 1 et 999 ont des chiffres tous distincts ?",
        "7^100 除以 13 的余数是多少？",
        "How many divisors does 12! have?",
        "In how many ways can 8 rooks be placed on a chessboard so that no two attack each other?",
    ],
)
def test_competition_problems_are_recognised(text: str) -> None:
    assert is_competition_problem(text)


@pytest.mark.parametrize(
    "text",
    [
        "what is 19*27?",
        "What's the remainder of 29 divided by 4?",
        "how many days are there between March 3 and June 9?",
        "how many people live in Lisbon?",
        "how many numbers are in a UK postcode?",
        "What's 2^10?",
        "100を7で割った余りは？",
        "How many prime ministers has Canada had?",
        "How many numbers between 1 and 100 are even?",  # school counts: a small range, nothing combinatorial
        "how many prime numbers are below 50?",
        "how many digits does the number 1,000,000 have?",
        "how many solutions does 2x + 3 = 7 have?",
        "¿cuántos números primos hay entre 1 y 20?",
        "wie viele Primzahlen gibt es unter 100?",
        "combien de nombres pairs entre 1 et 10 ?",  # ("pairs": even, not pairs of)
        "1から10までの整数のうち、偶数はいくつ？",
        "how many ways are there to say hello in 5 languages?",
        "x" * 700 + " how many integers below 1000 are prime?",
    ],
)
def test_everyday_counts_and_sums_are_not_competition_problems(text: str) -> None:
    assert not is_competition_problem(text)


def test_context_asks_can_be_turned_off() -> None:
    """``options: {context_asks: false}``: the last message is read as before the round."""
    msgs = [
        {"role": "user", "content": "cart totals are off:\n" + _CODE},
        {"role": "assistant", "content": "round() on floats rounds half to even; use Decimal ..."},
        {"role": "user", "content": "still off by one cent on some carts, find out why and fix it"},
    ]
    on = Router().decide(msgs)
    off = Router({"tiers": [{"name": n, "model": "gpt-4o-mini"} for n in ("simple", "medium", "complex", "frontier")],
                  "classifier": {"type": "embedded", "options": {"context_asks": False}}}).decide(msgs)
    assert on.index >= 2
    assert off.index == Router().decide(msgs[-1]["content"]).index


def test_context_asks_must_be_a_bool() -> None:
    with pytest.raises(ConfigError, match="context_asks"):
        EmbeddedClassifier(context_asks="yes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="context_asks"):
        Router({"tiers": [{"name": "a", "model": "gpt-4o-mini"}],
                "classifier": {"type": "embedded", "options": {"context_asks": "no"}}})


def _texts() -> list[tuple[str, int]]:
    """(text, ask_start) of every own training and held-out request, as the router extracts it."""
    from shared_core.request import extract
    from shared_core.training.ladder_data import all_rows
    from shared_core.training.ladder_metrics import request_of

    out = []
    for row in all_rows():
        r = extract(request_of(row))
        out.append((r.text, r.ask_start))
    return out


def test_the_cheap_first_looks_never_change_a_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both rules first look for a few words with ``in`` (the expressions cost ~10× more per request);
    with the first look always passing, no request of the own data is taken differently."""
    from shared_core.classifiers import competition, context_ask

    texts = _texts()
    extra = [
        "¿Cuáles son los últimos dos dígitos de 7^2024?", "Calcula el residuo de 3^500 entre 11.",
        "改完还是卡死，帮我查原因", "stürzt immer noch ab, warum? bitte beheben", "qu'est-ce qui se passe ? ça plante",
    ]
    gated = [(competition.is_competition_problem(t[a:]), context_ask.debugs_earlier_work(t, a)) for t, a in texts]
    gated_extra = [(competition.is_competition_problem(t), context_ask.is_debug_ask(t)) for t in extra]
    monkeypatch.setattr(competition, "_GATE_RE", re.compile(""))  # (the first looks, compiled: always found)
    monkeypatch.setattr(competition, "_COUNT_GATE_RE", re.compile(""))
    monkeypatch.setattr(context_ask, "_GATE", ("",))
    assert gated == [(competition.is_competition_problem(t[a:]), context_ask.debugs_earlier_work(t, a)) for t, a in texts]
    assert gated_extra == [(competition.is_competition_problem(t), context_ask.is_debug_ask(t)) for t in extra]
    assert all(any(g) for g in gated_extra)


def test_the_reasons_say_why_a_request_was_lifted() -> None:
    msgs = [
        {"role": "user", "content": "cart totals are off:\n" + _CODE},
        {"role": "assistant", "content": "round() on floats rounds half to even; use Decimal ..."},
        {"role": "user", "content": "sigue fallando con algunos carritos, ¿por qué? arréglalo"},
    ]
    router = Router()
    assert any("earlier turns: at least complex" in r for r in router.decide(msgs).reasons)
    assert any("competition problem" in r for r in router.decide("What are the last two digits of 3^400?").reasons)
    assert not any("at least complex" in r for r in router.decide("what is 19*27?").reasons)
