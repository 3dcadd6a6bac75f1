"""Two of tonight's rules took everyday asks (a read-only review of main against c010a3b).

1. The system-design rule sent an ask naming a product or "cache" / "leaderboard" / "distributed X" to
   ``frontier`` at 0.86-0.98: "design an instagram post for my bakery", "design a cache of snacks for a
   road trip" (17 of the review's 18 such asks). A product counts only as the thing designed ("design
   uber", "a twitter clone", "a system like youtube"); a cache, a leaderboard, something distributed or
   scalable needs a technical frame or to be the whole object.
2. The short-form rule capped hard asks at ``medium`` (0.99): "devise" (a French motto, an English verb)
   and "lema" (a Spanish motto, also "lemma") were read as forms. They are forms only after an article
   or a possessive, and a proof, a lemma, a theorem or a protocol is no short form.

With main's code the everyday designs and the hard asks fail (checked); the guards (the new user's
pinned designs and short forms, the product designs, the mottos) pass both before and after.
"""

from __future__ import annotations

import pytest

from shared_core import Router
from shared_core.classifiers.short_forms import is_short_form
from shared_core.classifiers.system_design import designs_a_system
from tests.unit.shared_core.test_ladder_new_user import SHORT_FORMS, SYSTEM_DESIGNS

from ...ladder_twins import assert_no_near_twins

REVIEWED_EVERYDAY_DESIGNS = [  # the review's phrasings: frontier at 0.86-0.98 on main
    "design an instagram post for my bakery",
    "design a youtube thumbnail",
    "design a facebook ad for my yoga class",
    "design a zoom quiz night for my family",
    "design a paypal donation button for my church website",
    "design a distributed practice schedule for learning piano",
    "design a leaderboard for our office step challenge",
    "design a scalable system for my wedding guest list",
    "design a cache of snacks for a road trip",
]
OWN_EVERYDAY_DESIGNS = [
    ("en", "design a spotify playlist for a road trip"),
    ("en", "design a discord server for my gaming group"),
    ("en", "how would you design a facebook group for our book club?"),
    ("es", "diseña una miniatura de YouTube para mi canal de cocina"),
    ("fr", "conçois une publication Instagram pour ma boulangerie"),
    ("de", "Entwirf einen Instagram-Beitrag für unser Café"),
    ("pt", "projete um post do Instagram para minha padaria"),
    ("zh", "帮我设计一个 YouTube 视频封面"),
    ("ja", "家族の Zoom 飲み会の進行を設計して"),
    ("hi", "मेरी बेकरी के लिए Instagram पोस्ट डिज़ाइन करो"),
]
PRODUCT_DESIGNS = [  # a product as the thing designed, and the weak words in a technical frame
    "design uber",
    "design a twitter clone",
    "How would you design Instagram's feed?",
    "design a system like youtube",
    "How would you design a distributed cache?",
    "design a cache for our product API",
    "design a leaderboard for a mobile game with 10 million players",
    "¿Cómo diseñarías algo como Netflix?",
    "design Google Maps' routing",
    "¿cómo diseñarías un WhatsApp para 300 millones de personas?",
    "conçois une appli type Uber pour toute la France",
    "Wie würdest du Netflix für 200 Millionen Nutzer entwerfen?",
]

HARD_ASKS = [  # capped at medium (0.99) on main
    ("en", "I need you to devise a Byzantine fault tolerant consensus protocol and prove its safety."),
    ("es", "Escribe la demostración del lema de Zorn a partir del axioma de elección."),
    ("en", "Make a devise to hedge currency risk for a French exporter."),
    ("es", "Dame una prueba del lema de bombeo para lenguajes regulares."),
    ("pt", "Escreva a prova do lema de Zorn."),
    ("en", "I need you to devise a cache-coherence protocol for a 64-core chip."),
]
UPPER_HALF = [p for _, p in HARD_ASKS[:2]]  # the model reads these at complex or frontier
MOTTOS = [  # a motto after an article or a possessive is still a short form
    ("fr", "Fais une devise pour notre club de rugby."),
    ("es", "Hazme un lema para mi panadería."),
    ("es", "Escribe el lema de mi empresa en cinco palabras."),
    ("pt", "Me dá um lema para a minha loja de bolos."),
]


@pytest.mark.parametrize("prompt", REVIEWED_EVERYDAY_DESIGNS)
def test_an_everyday_design_naming_a_product_or_a_cache_is_no_system(prompt: str) -> None:
    d = Router().decide(prompt)
    assert not designs_a_system(prompt), prompt
    assert not any("design a large software system" in r for r in d.reasons), (prompt, d.reasons)


def test_the_reviewed_everyday_designs_leave_frontier() -> None:
    """On main all nine went to frontier at 0.86-0.98 through the rule; the model alone reads them lower."""
    top = [p for p in REVIEWED_EVERYDAY_DESIGNS if Router().decide(p).index == 3]
    assert top == [], top


@pytest.mark.parametrize(("lang", "prompt"), OWN_EVERYDAY_DESIGNS, ids=[f"{x[0]}{i}" for i, x in enumerate(OWN_EVERYDAY_DESIGNS)])
def test_an_everyday_design_in_any_language_is_no_system(lang: str, prompt: str) -> None:
    assert not designs_a_system(prompt), (lang, prompt)


@pytest.mark.parametrize("prompt", PRODUCT_DESIGNS + [p for _, p in SYSTEM_DESIGNS])
def test_a_product_or_a_technical_cache_is_still_a_system(prompt: str) -> None:
    assert designs_a_system(prompt), prompt


@pytest.mark.parametrize(("lang", "prompt"), HARD_ASKS, ids=[f"{x[0]}{i}" for i, x in enumerate(HARD_ASKS)])
def test_a_proof_or_a_protocol_is_no_short_form(lang: str, prompt: str) -> None:
    d = Router().decide(prompt)
    assert not is_short_form(prompt), (lang, prompt)
    assert not any("at most medium" in r for r in d.reasons), (prompt, d.reasons)


@pytest.mark.parametrize("prompt", UPPER_HALF)
def test_a_proof_goes_to_the_upper_half(prompt: str) -> None:
    d = Router().decide(prompt)
    assert d.index >= 2, (prompt, d.tier, d.confidence, d.reasons)


@pytest.mark.parametrize(("lang", "prompt"), MOTTOS + SHORT_FORMS, ids=[f"{x[0]}{i}" for i, x in enumerate(MOTTOS + SHORT_FORMS)])
def test_a_motto_a_haiku_or_a_slogan_is_still_a_short_form(lang: str, prompt: str) -> None:
    assert is_short_form(prompt), (lang, prompt)



def test_the_phrasings_are_neither_training_prompts_nor_evaluation_requests() -> None:
    """Otherwise the tests above would check memory, not generalisation: no phrasing shares more
    than half its words with a training prompt or a request of any evaluation set."""
    assert_no_near_twins(REVIEWED_EVERYDAY_DESIGNS + PRODUCT_DESIGNS
                         + [p for _, p in OWN_EVERYDAY_DESIGNS + HARD_ASKS + MOTTOS])
