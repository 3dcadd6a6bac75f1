"""What a new user's first trial of ``tier-router route --reasons`` found the ladder getting wrong.

1. A short system-design question ("How would you design a distributed cache?") went to ``simple`` at
   0.9 and more, in every language; it is tier 4 work (at least 3). A logo, a poster or a birthday card,
   "what is system design?" and "explain what a cache is" are no such work.
2. A short fix request over the earlier turns' code that points back by place or by naming the code
   ("please fix the code above", "arréglalo por favor", "Kannst du den Code reparieren?") stayed at
   ``simple``; a light follow-up after the same code must keep its own reading.
3. A short pasted email (under 480 characters) + a one-value look-up cost more than summarising it:
   the whole message was read (``medium`` or ``complex``; the ask alone is a look-up, ``simple``).
4. A split reading (simple 0.48 / frontier 0.45) chose ``medium`` at confidence 0.00 with no word why.
5. A haiku went to ``complex``.

Every phrasing here was written for this test, in the eight languages the model reads, and is checked
to be no near-twin of a training prompt or an evaluation request. With main's code (before this change)
the system designs, the fix requests, the email look-ups, the split reading and the short French poem
fail; the guards pass both before and after.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_core import Router
from shared_core.classifiers.embedded import EmbeddedClassifier
from shared_core.classifiers.short_forms import is_short_form
from shared_core.classifiers.split import split_at
from shared_core.classifiers.system_design import designs_a_system

from ...ladder_twins import assert_no_near_twins

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "benchmarks" / "data"
DEV = ROOT.parent / "shared" / "data" / "everyday_dev.jsonl"

SYSTEM_DESIGNS = [
    ("en", "How would you design a notification service for a food delivery app?"),
    ("en", "how should we design a distributed job scheduler?"),
    ("en", "Could you design a leaderboard backend for a mobile game?"),
    ("en", "design a rate limiter for our public API"),
    ("es", "¿Cómo diseñarías un sistema de reservas para una cadena de hoteles?"),
    ("fr", "Comment concevrais-tu un moteur de recherche pour une bibliothèque en ligne ?"),
    ("de", "Wie würdest du ein Zahlungssystem für einen Onlineshop entwerfen?"),
    ("pt", "Como você projetaria um sistema de mensagens como o Telegram?"),
    ("zh", "怎么设计一个高可用的消息队列？"),
    ("ja", "チャットアプリのバックエンドをどう設計しますか？決済も含めて"),
    ("hi", "Instagram जैसा feed system कैसे डिज़ाइन करोगे?"),
]
NOT_SYSTEM_DESIGNS = [
    "How would you design a logo for a yoga studio?",
    "how would you design a poster for the school play?",
    "Can you design a birthday card for my grandma?",
    "what does system design mean in a job interview?",
    "explain what a load balancer does",
    "¿Cómo diseñarías un logotipo para una panadería?",
    "Comment concevrais-tu une affiche pour un concert de jazz ?",
    "How would you design a small vegetable garden?",
]

_CODE = (
    "the invoice import crashes on some rows:\n```python\ndef load(row):\n    qty, price = row[3], row[4]\n"
    "    return int(qty) * Decimal(price)\n```\n```\nTraceback (most recent call last):\n"
    '  File "imp.py", line 12, in load\n    return int(qty) * Decimal(price)\n'
    "ValueError: invalid literal for int() with base 10: ''\n```"
)
EARLIER = [
    {"role": "user", "content": _CODE},
    {"role": "assistant", "content": "Row 3 is empty on some lines and int('') raises; treat an empty quantity as 0 ..."},
]
FIX_REQUESTS = [
    ("en", "please repair the function above"),
    ("es", "corrige el código de arriba, porfa"),
    ("es", "corrígelo, por favor"),
    ("fr", "répare le code ci-dessus stp"),
    ("pt", "conserta o código acima, por favor"),
    ("zh", "把上面的代码修好"),
    ("ja", "上のコードを直してください"),
    ("hi", "ऊपर वाला कोड ठीक करो"),
]
LIGHT_AFTER_CODE = [
    "cheers, that sorted it. how tall is Kilimanjaro roughly?",
    "great, can you recommend a good code editor?",
    "gracias. ¿qué hora es ahora en Lima?",
    "merci ! il fera beau à Nice demain ?",
]

_EMAIL_EN = (
    "Hello everyone,\n\nA reminder from the allotment committee: the spring seed swap moves to the church hall on "
    "Elm Road this year. Tables open at 10am on Saturday 12 April. Bring seeds in labelled envelopes; Marta Novak "
    "is collecting the spare trays and will keep the sign-up sheet. Plot fees for the season are due by 30 April.\n\n"
    "Warm regards,\nDennis"
)
_EMAIL_ES = (
    "Hola a todos:\n\nOs escribo de parte de la junta de la comunidad. La revisión del ascensor será el martes 8 de "
    "octubre entre las 9 y las 13 h, así que ese día no funcionará. El técnico de la empresa Elevalia se llama "
    "Tomás Gil y dejará el parte firmado en el buzón del portal. La derrama acordada se cobra en noviembre.\n\n"
    "Un saludo,\nInés"
)
_EMAIL_DE = (
    "Liebe Eltern,\n\nder Ausflug der Klasse 3b in den Wildpark findet am Donnerstag, den 15. Mai statt. Treffpunkt "
    "ist um 7:45 Uhr am Busparkplatz hinter der Turnhalle. Bitte gebt den Kindern Regenjacke und ein Lunchpaket mit. "
    "Die Kosten von 12 Euro sammelt Frau Albers bis Freitag ein.\n\nViele Grüße\nJana Roth"
)
EMAIL_LOOKUPS = [
    ("en", _EMAIL_EN, "Where is the seed swap this year?"),
    ("en", _EMAIL_EN, "who keeps the sign-up sheet?"),
    ("es", _EMAIL_ES, "¿Qué día revisan el ascensor?"),
    ("de", _EMAIL_DE, "Wann ist der Treffpunkt am Busparkplatz?"),
]
OWN_SHORT_TEXT = (  # the user's own paragraph under 480 characters: the task is the text, read whole
    "My elevator pitch for the networking night: I help small bakeries cut food waste by forecasting how many "
    "loaves to bake each morning from their sales, the weather and local events. Three shops in Leeds use it and "
    "throw away about a third less bread. I'm looking for two more pilot shops this autumn.\n\n"
    "Is this convincing enough?"
)

SHORT_FORMS = [
    ("en", "Make up a slogan for our street's annual yard sale."),
    ("es", "Escribe un haiku sobre el mar en invierno."),
    ("fr", "Écris un petit poème sur la pluie d'automne."),
    ("de", "Schreib ein kurzes Gedicht über den Frühling."),
    ("pt", "Escreva um haicai sobre o café da manhã."),
    ("zh", "写一首关于秋天的俳句"),
    ("ja", "紅葉についての俳句を詠んでください"),
    ("hi", "बारिश पर एक हाइकु लिखो"),
]
LONGER_WRITING = "Write an essay analysing the structure of Basho's haiku and compare it with modern English haiku."


@pytest.mark.parametrize(("lang", "prompt"), SYSTEM_DESIGNS, ids=[f"{x[0]}{i}" for i, x in enumerate(SYSTEM_DESIGNS)])
def test_a_short_system_design_question_goes_to_the_upper_half(lang: str, prompt: str) -> None:
    d = Router().decide(prompt)
    assert d.index >= 2, (lang, prompt, d.tier, d.confidence, d.reasons)
    assert designs_a_system(prompt)


def test_most_short_system_designs_reach_the_top_tier() -> None:
    """Tier 4 on the ladder's own definition ("large system design"); the model's complex reading may stand."""
    top = sum(Router().decide(p).index == 3 for _, p in SYSTEM_DESIGNS)
    assert top >= len(SYSTEM_DESIGNS) - 2, top


@pytest.mark.parametrize("prompt", NOT_SYSTEM_DESIGNS)
def test_designing_a_logo_or_asking_what_design_is_is_not_lifted(prompt: str) -> None:
    d = Router().decide(prompt)
    assert not designs_a_system(prompt), prompt
    assert not any("design a large software system" in r for r in d.reasons), (prompt, d.reasons)


@pytest.mark.parametrize(("lang", "ask"), FIX_REQUESTS, ids=[f"{x[0]}{i}" for i, x in enumerate(FIX_REQUESTS)])
def test_a_fix_request_pointing_at_the_code_above_goes_to_the_upper_half(lang: str, ask: str) -> None:
    d = Router().decide([*EARLIER, {"role": "user", "content": ask}])
    assert d.index >= 2, (lang, ask, d.tier, d.confidence, d.reasons)
    assert any("earlier turns" in r for r in d.reasons), d.reasons


@pytest.mark.parametrize("ask", LIGHT_AFTER_CODE)
def test_a_light_followup_after_code_keeps_its_own_reading(ask: str) -> None:
    router = Router()
    d = router.decide([*EARLIER, {"role": "user", "content": ask}])
    assert d.index == router.decide(ask).index <= 1, (ask, d.tier)


@pytest.mark.parametrize(("lang", "email", "ask"), EMAIL_LOOKUPS, ids=[f"{x[0]}{i}" for i, x in enumerate(EMAIL_LOOKUPS)])
def test_a_look_up_in_a_short_pasted_email_is_read_by_its_ask(lang: str, email: str, ask: str) -> None:
    text = f"{email}\n\n{ask}"
    assert len(text) < 480  # under the long-document rule's length: the case that failed
    d = Router().decide(text)
    assert d.index == 0, (lang, ask, d.tier, d.confidence, d.reasons)
    assert any("the ask read alone" in r for r in d.reasons), d.reasons


def test_a_short_text_of_the_users_own_is_still_read_whole() -> None:
    d = Router().decide(OWN_SHORT_TEXT)
    assert not any("the ask read alone" in r for r in d.reasons), d.reasons


def test_a_split_reading_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's reading (simple 0.48 / medium 0.03 / complex 0.04 / frontier 0.45): still ``medium`` (a step
    up was tried and not kept: BENCHMARKS "A new user's requests"), but no longer with no word why: the split is
    in the reasons, and the confidence says the choice is unsure."""
    clf = EmbeddedClassifier().bind_labels(["simple", "medium", "complex", "frontier"])
    model = clf.ladder
    real = model.proba_words

    def split_reading(text: str) -> tuple[list[float], list[str] | None, list[str] | None]:
        _, toks, read = real(text)
        return [0.48, 0.03, 0.04, 0.45], toks, read

    monkeypatch.setattr(model, "proba_words", split_reading)
    c = clf.classify("a request the model reads as either trivial or frontier work")
    chosen = next(k for k, v in c.scores.items() if v >= 0.5)
    assert chosen == "medium", c.scores
    assert "levels split" in c.reasons[0] and "middle kept" in c.reasons[0], c.reasons
    assert c.confidence < 0.5, c.confidence


def test_a_split_reading_whose_middle_is_less_unlikely_keeps_its_choice_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clf = EmbeddedClassifier().bind_labels(["simple", "medium", "complex", "frontier"])
    model = clf.ladder
    real = model.proba_words

    def split_reading(text: str) -> tuple[list[float], list[str] | None, list[str] | None]:
        _, toks, read = real(text)
        return [0.40, 0.15, 0.05, 0.40], toks, read

    monkeypatch.setattr(model, "proba_words", split_reading)
    c = clf.classify("a request the model reads as either trivial or frontier work")
    assert next(k for k, v in c.scores.items() if v >= 0.5) == "medium", c.scores
    assert "levels split" in c.reasons[0] and "middle kept" in c.reasons[0], c.reasons


def test_a_split_is_only_a_reading_with_little_mass_at_the_median() -> None:
    assert split_at([0.48, 0.03, 0.04, 0.45]) == 1
    assert split_at([0.30, 0.40, 0.10, 0.20]) == -1  # the median level is likely itself
    assert split_at([0.60, 0.05, 0.30, 0.05]) == -1  # the median at the likeliest level
    assert split_at([0.05, 0.05, 0.05, 0.85]) == -1


@pytest.mark.parametrize(("lang", "prompt"), SHORT_FORMS, ids=[x[0] for x in SHORT_FORMS])
def test_a_haiku_or_a_slogan_stays_in_the_lower_half(lang: str, prompt: str) -> None:
    d = Router().decide(prompt)
    assert d.index <= 1, (lang, prompt, d.tier, d.confidence, d.reasons)
    assert is_short_form(prompt)


def test_an_essay_about_haiku_is_no_short_form() -> None:
    assert not is_short_form(LONGER_WRITING)



def _phrasings() -> list[str]:
    return ([p for _, p in SYSTEM_DESIGNS + FIX_REQUESTS + SHORT_FORMS] + NOT_SYSTEM_DESIGNS + LIGHT_AFTER_CODE
            + [f"{e}\n\n{a}" for _, e, a in EMAIL_LOOKUPS] + [a for _, _, a in EMAIL_LOOKUPS]
            + [OWN_SHORT_TEXT, LONGER_WRITING])


def test_the_phrasings_are_neither_training_prompts_nor_evaluation_requests() -> None:
    """Otherwise the tests above would check memory, not generalisation: no phrasing shares more
    than half its words with a training prompt or a request of any evaluation set."""
    assert_no_near_twins(_phrasings())
