"""The ninth round's two leads, as a user meets them through ``Router()`` (BENCHMARKS.md, "Ninth round").

1. A short ask whose object is the code, logs or tool calls of the EARLIER turns ("it still crashes
   on the last row, why? fix it") was read alone (the model reads the last user message only) and
   went to ``simple`` or ``medium``; it is debugging, tier 3. A light follow-up after the same
   heavy turns ("thanks! what's 15% of 80?") must keep its own, lower reading.
2. A short competition problem with small numbers ("the remainder of 3^2024 divided by 7, with the
   reasoning") read as arithmetic and went to ``simple``; plain arithmetic must stay there.

Every phrasing here was written for this test, in the eight languages the model reads, and is
checked to be neither a training prompt nor a near-twin of an evaluation request. With main's
model and code (before the round) the debugging asks and the competition problems fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_core import Router

from ...ladder_twins import assert_no_near_twins

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "benchmarks" / "data"
DEV = ROOT.parent / "shared" / "data" / "everyday_dev.jsonl"
HELD_BACK = ("everyday_blind_k.jsonl", "everyday_multilingual_l.jsonl", "everyday_blind_m.jsonl",
             "everyday_multilingual_n.jsonl")
"""Sets K, L, M and N were written blind while these phrasings were or after (no writer saw the other's):
they judge the rules these tests pin, and two phrasings here happen to share 57-58% of their words with one
of theirs (a light follow-up; "rechne 144 geteilt durch 12")."""

_TRACEBACK = (
    "the nightly export job died with this:\n```\nTraceback (most recent call last):\n"
    '  File "export.py", line 88, in write_batch\n    writer.writerow(row.as_tuple())\n'
    '  File "models.py", line 31, in as_tuple\n    return (self.id, self.amount.quantize(CENTS), self.tags[0])\n'
    "IndexError: tuple index out of range\n```"
)
_TRACEBACK_ANSWER = (
    "as_tuple takes self.tags[0], and a row without tags has an empty tuple there. Guard it with "
    "`self.tags[0] if self.tags else ''` or skip untagged rows before the export ..."
)
_GO = (
    "the cache refresher stops refreshing after a while:\n```go\nfunc (c *Cache) Refresh(ctx context.Context) {\n"
    "    c.mu.Lock()\n    defer c.mu.Unlock()\n    for k := range c.items {\n        v, err := c.load(ctx, k)\n"
    "        if err != nil {\n            return\n        }\n        c.items[k] = v\n    }\n}\n```"
)
_GO_ANSWER = "Refresh returns on the first load error and holds the lock for every load; one slow key blocks readers ..."
_AGENT = [
    {"role": "user", "content": "the invoice PDF job is stuck again, look at it"},
    {"role": "assistant", "content": "Calling queue_stats(queue='pdf-render') and tail_logs('pdf-worker', lines=200)."},
]
EARLIER = {
    "traceback": [{"role": "user", "content": _TRACEBACK}, {"role": "assistant", "content": _TRACEBACK_ANSWER}],
    "go": [{"role": "user", "content": _GO}, {"role": "assistant", "content": _GO_ANSWER}],
    "agent": _AGENT,
}

DEBUG_FOLLOWUPS = [
    ("en", "traceback", "same job blew up again on another row after that change, track down the real cause and fix it"),
    ("en", "agent", "so what's going on with the workers and what do we change so it doesn't pile up again?"),
    ("es", "go", "sigue sin refrescar algunas claves, ¿por qué? arréglalo sin bloquear a los lectores"),
    ("fr", "traceback", "ça plante toujours sur les lignes sans étiquette, corrige-le proprement stp"),
    ("de", "go", "es hängt immer noch, sobald ein Schlüssel langsam lädt. Finde die Ursache und behebe das"),
    ("pt", "agent", "os PDFs continuam travados na fila, descobre a causa e conserta"),
    ("zh", "traceback", "改完以后导出还是报错，为什么？帮我彻底修复一下"),
    ("ja", "go", "まだ一部のキーが更新されません。原因を特定して直してください"),
    ("hi", "agent", "PDF queue फिर से अटक गई है, इसकी वजह ढूँढो और fix करो"),
    ("en", "go", "the refresher still hangs whenever a single key loads slowly"),  # a fault that persists
]
LIGHT_FOLLOWUPS = [
    ("en", "traceback", "thanks, that did it! unrelated: how many grams in 3 ounces?"),
    ("en", "go", "great, works now. which river flows through Vienna?"),
    ("en", "agent", "ok, write a two-line slack message saying the pdf queue is flowing again"),
    ("es", "traceback", "¡gracias, ya funciona! oye, ¿cómo se dice 'almohada' en inglés?"),
    ("fr", "go", "merci, c'est réglé ! petite question : combien de jours compte février en 2028 ?"),
    ("de", "traceback", "danke, hat geklappt. Was bedeutet eigentlich IndexError genau?"),
    ("pt", "go", "valeu, resolveu! como se diz 'cache' em português?"),
    ("zh", "agent", "好了，谢谢！顺便问一下，一公里等于多少英里？"),
    ("ja", "traceback", "直りました、ありがとうございます！ところで「例外」の読み方は？"),
    ("hi", "go", "धन्यवाद, अब चल गया! वैसे आज कौन सा दिन है, मंगलवार या बुधवार?"),
    # a new subject in debugging words: nothing of the earlier turns is pointed at
    ("en", "go", "how do I fix a squeaky door hinge?"),
    ("en", "agent", "my bike chain keeps falling off, why?"),
    ("es", "traceback", "¿cómo arreglo una cremallera rota?"),
    ("de", "agent", "wie behebe ich Kalk im Wasserkocher?"),
    # a fault word with no report that the earlier fault persists
    ("en", "go", "is it wrong to use tabs instead of spaces?"),
    ("en", "traceback", "it's so slow today, is the internet down everywhere?"),
    ("en", "agent", "lol my laptop is broken again, anyway what's a good pizza place in Rome?"),
]
COMPETITION = [
    ("en", "What are the last three digits of 7^2024? Show how you get them."),
    ("en", "How many positive integers up to 2000 are divisible by neither 6 nor 15?"),
    ("es", "¿Cuántos números de cuatro cifras tienen la suma de sus dígitos igual a 9? Razónalo."),
    ("fr", "Quel est le reste de la division de 5^999 par 13 ? Justifie."),
    ("de", "Wie viele geordnete Paare (a, b) positiver ganzer Zahlen erfüllen a·b = 720?"),
    ("pt", "Ache o resto quando 11^2030 é dividido por 9, justificando cada passo."),
    ("zh", "求 3^2024 除以 7 的余数，写出过程。"),
    ("ja", "1から3000までの整数のうち、4でも6でも割り切れないものはいくつありますか？"),
    ("hi", "1 से 2000 के बीच कितने पूर्णांक न तो 4 से और न ही 6 से विभाज्य हैं? पूरा हल लिखिए।"),
]
ARITHMETIC = [
    "what is 19*27?",
    "35% of 60",
    "What's the remainder of 29 divided by 4?",
    "add 1,250 and 3,875",
    "¿13 por 7?",
    "combien font 250 divisé par 5 ?",
    "rechne 144 geteilt durch 12",
    "2 的 12 次方是多少？",
]


def _conversation(earlier: str, ask: str) -> list[dict[str, str]]:
    return [*EARLIER[earlier], {"role": "user", "content": ask}]


@pytest.mark.parametrize(("lang", "earlier", "ask"), DEBUG_FOLLOWUPS, ids=[f"{x[0]}-{x[1]}" for x in DEBUG_FOLLOWUPS])
def test_a_short_debugging_ask_about_earlier_code_or_logs_goes_to_the_upper_half(lang: str, earlier: str, ask: str) -> None:
    d = Router().decide(_conversation(earlier, ask))
    assert d.index >= 2, (lang, ask, d.tier, d.confidence)


AGENT_TURNS = [  # as an agent framework sends them: the tool call and its result are no text the router keeps
    ("en", "the checkout service returns 502 on every third request, investigate", "so what's causing it? fix it"),
    ("es", "el job de facturación falla desde el deploy de ayer, revisa los logs", "vale, ¿por qué falla? arréglalo"),
    ("fr", "le worker de la file d'attente plante toutes les nuits, regarde", "trouve la cause et corrige-le"),
    ("ja", "テストが3件失敗しています。実行して確認して", "原因を特定して直してください"),
]


@pytest.mark.parametrize(("lang", "report", "ask"), AGENT_TURNS, ids=[x[0] for x in AGENT_TURNS])
def test_a_debugging_ask_after_an_agents_tool_call_goes_to_the_upper_half(lang: str, report: str, ask: str) -> None:
    msgs = [
        {"role": "system", "content": "You are a coding agent with shell access."},
        {"role": "user", "content": report},
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "shell", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "ERROR 2 failed, 41 passed"},
        {"role": "user", "content": ask},
    ]
    d = Router().decide(msgs)
    assert d.index >= 2, (lang, ask, d.tier, d.confidence)


@pytest.mark.parametrize(("lang", "earlier", "ask"), LIGHT_FOLLOWUPS, ids=[f"{x[0]}-{x[1]}" for x in LIGHT_FOLLOWUPS])
def test_a_light_followup_after_heavy_turns_keeps_its_own_reading(lang: str, earlier: str, ask: str) -> None:
    router = Router()
    alone = router.decide(ask)
    d = router.decide(_conversation(earlier, ask))
    assert d.index <= 1, (lang, ask, d.tier, d.confidence)
    assert d.index == alone.index, (lang, ask, alone.tier, d.tier)


@pytest.mark.parametrize(("lang", "prompt"), COMPETITION, ids=[x[0] + str(i) for i, x in enumerate(COMPETITION)])
def test_a_short_competition_problem_goes_to_the_upper_half(lang: str, prompt: str) -> None:
    d = Router().decide(prompt)
    assert d.index >= 2, (lang, prompt, d.tier, d.confidence)


@pytest.mark.parametrize("prompt", ARITHMETIC)
def test_plain_arithmetic_stays_at_the_cheapest_tier(prompt: str) -> None:
    d = Router().decide(prompt)
    assert d.index == 0, (prompt, d.tier, d.confidence)



def _phrasings() -> list[str]:
    return ([a for _, _, a in DEBUG_FOLLOWUPS + LIGHT_FOLLOWUPS + AGENT_TURNS] + [r for _, r, _ in AGENT_TURNS]
            + [p for _, p in COMPETITION] + ARITHMETIC)


def test_the_phrasings_are_neither_training_prompts_nor_evaluation_requests() -> None:
    """Otherwise the tests above would check memory, not generalisation: no phrasing shares more
    than half its words with a training prompt or a request of any evaluation set."""
    assert_no_near_twins(_phrasings(), held_back=HELD_BACK)
