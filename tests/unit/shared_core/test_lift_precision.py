"""What the ninth round's two rules must NOT lift (a review of main found them lifting everyday asks
to ``complex``, ~16x the price of ``simple`` with the default tiers).

1. :mod:`shared_core.classifiers.context_ask`: after a Go bug exchange, "my car won't start this
   morning, what's wrong with it?" was read as debugging the Go code (a pointing word, "it", was
   enough); after an essay on standardised tests, "can you fix the grammar in it?" was too (the
   essay's "tests fail" counted as a program's fault); "What causes the lack of weather on the
   Moon?" held a debugging word ("causes").
2. :mod:`shared_core.classifiers.competition`: "How many pairs of socks should I pack …", "how many
   ways can I split a $1000 bill …", "how many numbers are there between 1 and 1000?" and "what is
   2^10 mod 7?" were read as competition problems.

Each phrasing below was lifted on main (checked by running this file against main's two modules).
"""

from __future__ import annotations

import pytest

from shared_core import Router
from shared_core.classifiers.competition import is_competition_problem
from shared_core.classifiers.context_ask import debugs_earlier_work, earlier_is_work, is_debug_ask
from shared_core.classifiers.embedded import EmbeddedClassifier
from shared_core.errors import ConfigError

from ...ladder_twins import assert_no_near_twins
from .test_ladder_followups import EARLIER

_ESSAY_ON_TESTS = [
    {"role": "user", "content": "Write a short essay arguing that standardised tests fail to show what pupils "
                                "really learn, and that teachers' coursework marks say more."},
    {"role": "assistant", "content": "Standardised tests promise fairness: every pupil sits the same paper on the "
                                     "same morning. Yet tests fail to show curiosity, persistence or the slow growth "
                                     "of understanding that a year of coursework records ..."},
]
_ESSAY_ON_SERVICE = [
    {"role": "user", "content": "Here is my essay on restaurants after the pandemic: Service in restaurants is "
                                "slow now and staff are stretched thin. Waiters cover twice as many tables, and "
                                "kitchens short of cooks send plates out late and cold."},
    {"role": "assistant", "content": "A clear argument. You could add one concrete example and end on what diners "
                                     "can do about it."},
]
EARLIER_TOO = {**EARLIER, "essay-tests": _ESSAY_ON_TESTS, "essay-service": _ESSAY_ON_SERVICE}

NOT_DEBUGGING = [  # (language, earlier turns, last message): a new subject of its own, or an edit of wording
    ("en", "go", "my car won't start this morning, what's wrong with it?"),
    ("en", "go", "what's wrong with my sourdough starter? it smells sour"),
    ("en", "go", "why does my cat keep scratching the sofa, how do I fix that?"),
    ("en", "go", "fix the typo in it"),
    ("en", "go", "What causes the lack of weather on the Moon?"),
    ("en", "essay-tests", "fix my essay's grammar"),
    ("en", "essay-tests", "can you fix the grammar in it?"),
    ("en", "essay-service", "can you fix this?"),
    ("es", "go", "mi lavadora hace un ruido raro, ¿por qué pasa esto y cómo lo arreglo?"),
    ("fr", "traceback", "ma bouilloire fait sauter les plombs, pourquoi ça arrive ? comment la réparer ?"),
    ("de", "go", "meine Spülmaschine pumpt nicht mehr ab, was ist da los und wie behebe ich das?"),
    ("pt", "agent", "minha geladeira faz um barulho estranho à noite, o que está acontecendo? como conserto isso?"),
    ("zh", "go", "我的自行车链条老掉，怎么回事？怎么修好它？"),
    ("ja", "traceback", "うちの洗濯機が途中で止まります。その原因は何でしょう？直し方は？"),
    ("hi", "agent", "मेरी स्कूटी सुबह स्टार्ट नहीं होती, इसकी वजह क्या है और इसे ठीक कैसे करूँ?"),
    ("es", "essay-tests", "¿puedes arreglar la ortografía de esto?"),
]


def _conversation(earlier: str, ask: str) -> list[dict[str, str]]:
    return [*EARLIER_TOO[earlier], {"role": "user", "content": ask}]


@pytest.mark.parametrize(("lang", "earlier", "ask"), NOT_DEBUGGING, ids=[f"{x[0]}-{x[1]}-{i}" for i, x in enumerate(NOT_DEBUGGING)])
def test_an_everyday_ask_after_code_or_an_essay_keeps_its_own_reading(lang: str, earlier: str, ask: str) -> None:
    router = Router()
    d = router.decide(_conversation(earlier, ask))
    assert not any("earlier turns" in r for r in d.reasons), (lang, ask, d.tier)
    assert d.index == router.decide(ask).index, (lang, ask, d.tier)


@pytest.mark.parametrize(
    "ask", ["fix the typo in it", "peux-tu corriger cette faute de frappe ?", "修一下这里的错别字", "kannst du diesen Tippfehler beheben?"]
)
def test_an_edit_of_the_wording_after_code_is_no_debugging(ask: str) -> None:
    code = EARLIER["go"][0]["content"]
    assert not debugs_earlier_work(code + "\n" + ask, len(code) + 1)


STILL_DEBUGGING = [  # naming an object of its own, but one the earlier turns hold, or a fault that persists
    ("en", "go", "my refresher still hangs whenever one key loads slowly, fix it"),
    ("en", "go", "why does my Refresh hold the lock during every load? fix it"),
    ("es", "go", "mi refresco de caché sigue bloqueando a los lectores, ¿por qué? arréglalo"),
    ("de", "traceback", "mein Export stürzt immer noch ab, finde die Ursache"),
    ("ja", "go", "私のキャッシュはまだ更新されません。原因を特定して直してください"),
    # "my code", "mein Code", "मेरा कोड": the program of the earlier turns by another name, not a new subject
    ("en", "go", "why does my code hang? fix it"),
    ("de", "go", "warum hängt mein Code? behebe das"),
    ("hi", "go", "मेरा कोड क्यों अटकता है? इसे ठीक करो"),
]


@pytest.mark.parametrize(("lang", "earlier", "ask"), STILL_DEBUGGING, ids=[f"{x[0]}-{i}" for i, x in enumerate(STILL_DEBUGGING)])
def test_a_debugging_ask_about_the_earlier_work_is_still_lifted(lang: str, earlier: str, ask: str) -> None:
    d = Router().decide(_conversation(earlier, ask))
    assert d.index >= 2, (lang, ask, d.tier)


@pytest.mark.parametrize(
    "ask",
    [
        "What causes the lack of weather on the Moon?",
        "¿Qué causa las mareas?",
        "Jessica wants to figure out how much to pay on her loans each month, help her",
        "Which diagnostic test would a doctor order first?",
        "If you're going on vacation on a deserted island, what would you take?",
    ],
)
def test_a_cause_in_science_or_a_word_problem_asks_for_no_debugging(ask: str) -> None:
    assert not is_debug_ask(ask)


@pytest.mark.parametrize("ask", ["so what's causing it? fix it", "find the root cause", "trouve la cause et corrige-le",
                                 "descobre a causa e conserta"])
def test_a_cause_to_find_still_asks_for_debugging(ask: str) -> None:
    assert is_debug_ask(ask)


@pytest.mark.parametrize(
    "context",
    [
        "\n".join(m["content"] for m in _ESSAY_ON_TESTS),
        "\n".join(m["content"] for m in _ESSAY_ON_SERVICE),
        "Two trains leave at the same time, both traveling 80 miles. Cassandra needs 3 tests to plant the trees.",
        "The service at Luigi's was slow and the waiter got our order wrong. Write a review for me.\nHere it is: ...",
        "Write an article on why standardised tests fail poor students.\nStandardised tests fail them because ...",
    ],
)
def test_prose_about_tests_or_service_is_no_earlier_work(context: str) -> None:
    assert not earlier_is_work(context)


def test_a_fault_reported_in_the_same_clause_as_the_system_is_still_earlier_work() -> None:
    assert earlier_is_work("the nightly export job fails since Monday, check it")
    assert earlier_is_work("测试一直失败，帮我看看")
    assert not earlier_is_work("the job interview went fine. Then my bike broke on the way home, such a slow ride")


EVERYDAY_SUMS = [
    ("en", "How many pairs of socks should I pack for 7 days without laundry?"),
    ("en", "how many ways can I split a $1000 bill between 4 friends?"),
    ("en", "how many numbers are there between 1 and 1000?"),
    ("en", "what is 2^10 mod 7?"),
    ("en", "what is 3^12 mod 10?"),
    ("en", "how many pairs of jeans should I buy for a 2-week trip with no laundry?"),
    ("es", "¿de cuántas maneras puedo repartir 1200 € entre 3 hermanos?"),
    ("fr", "combien de façons de partager une addition de 1000 € entre 4 amis ?"),
    ("de", "wie viele Zahlen gibt es zwischen 1 und 1000?"),
    ("pt", "quantos números existem entre 1 e 1000?"),
    ("zh", "2^10 除以 7 的余数是多少？"),
    ("ja", "2^12を5で割った余りは？"),
    ("hi", "2^10 को 7 से भाग देने पर शेषफल क्या है?"),
]


@pytest.mark.parametrize(("lang", "prompt"), EVERYDAY_SUMS, ids=[f"{x[0]}-{i}" for i, x in enumerate(EVERYDAY_SUMS)])
def test_an_everyday_count_or_a_small_power_is_no_competition_problem(lang: str, prompt: str) -> None:
    assert not is_competition_problem(prompt), (lang, prompt)
    d = Router().decide(prompt)
    assert not any("competition problem" in r for r in d.reasons), (lang, prompt, d.tier)


@pytest.mark.parametrize(
    "prompt",
    [
        "What is the remainder when 2^100 is divided by 7?",
        "How many ordered pairs of positive integers (a, b) satisfy a + b = 50?",
        "In how many ways can 5 books be arranged on a shelf so that 2 given books are never adjacent?",
        "In how many ways can the 11 letters of MISSISSIPPI be rearranged so that no two S are adjacent?",
        "¿Cuántos pares ordenados de enteros (x, y) cumplen x + y = 10 con x > 0?",
        "Combien de couples ordonnés d'entiers (a, b) vérifient a + b = 20 ?",
        "How many integers between 1 and 5000 are multiples of 7?",
    ],
)
def test_competition_problems_are_still_recognised(prompt: str) -> None:
    assert is_competition_problem(prompt)


_TIERS = [{"name": n, "model": "gpt-4o-mini"} for n in ("simple", "medium", "complex", "frontier")]


def test_short_problems_can_be_turned_off_in_the_config() -> None:
    """``options: {short_problems: false}``: a short competition problem is read as the model reads it."""
    problem = "What are the last three digits of 7^2024? Show how you get them."
    on = Router().decide(problem)
    off = Router({"tiers": _TIERS, "classifier": {"type": "embedded", "options": {"short_problems": False}}})
    assert any("competition problem" in r for r in on.reasons)
    assert not any("competition problem" in r for r in off.decide(problem).reasons)
    assert off.decide(problem).index < on.index


def test_short_problems_must_be_a_bool() -> None:
    with pytest.raises(ConfigError, match="short_problems"):
        EmbeddedClassifier(short_problems="no")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="short_problems"):
        Router({"tiers": _TIERS, "classifier": {"type": "embedded", "options": {"short_problems": "off"}}})


def test_the_phrasings_are_neither_training_prompts_nor_evaluation_requests() -> None:
    """Otherwise the tests above would check memory, not generalisation: no phrasing shares more
    than half its words with a training prompt or a request of any evaluation set."""
    from .test_ladder_followups import HELD_BACK

    assert_no_near_twins([a for _, _, a in NOT_DEBUGGING + STILL_DEBUGGING] + [p for _, p in EVERYDAY_SUMS], held_back=HELD_BACK)
