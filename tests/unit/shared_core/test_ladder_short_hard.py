"""Short hard asks in the seven other languages: a one-line proof is not a look-up.

A new user found "फ़र्मा का लघु प्रमेय सिद्ध कीजिए।" (prove Fermat's little theorem, in Hindi)
sent to ``simple`` with confidence 0.94: the cheapest tier for a tier-4 ask, and sure of it.
Of the own training rows of up to 60 characters in Spanish, French, German, Portuguese and
Hindi, 223 were tier 1 and 19 tier 4, so a short request in these languages leaned to
``simple`` whatever it asked. The phrasings below were written for this test (the Hindi one as
the user reported it) and are not training prompts (checked here).
"""

from __future__ import annotations

import pytest

from shared_core import Router
from shared_core.training.ladder_data import all_rows

FERMAT_HI = "फ़र्मा का लघु प्रमेय सिद्ध कीजिए।"
"""Found by a new user: `simple` at confidence 0.94. Still so with the shipped model (the eighth
round's fix, the rows of ``ladder_seeds_intl7`` with the full stop read as a space, was not
shipped: BENCHMARKS.md); a known defect, marked so that its fix is noticed."""

SHORT_HARD = [
    pytest.param(FERMAT_HI, marks=pytest.mark.xfail(strict=True, reason="known: the shipped model sends it to simple")),
    "कैंटर का विकर्ण तर्क देकर सिद्ध कीजिए कि वास्तविक संख्याएँ गणनीय नहीं हैं।",
    "Demuestra el teorema de Cayley-Hamilton.",
    "Démontre le théorème des valeurs intermédiaires.",
    "Beweise, dass eine stetige Funktion auf einem kompakten Intervall ihr Maximum annimmt.",
    "Demonstre o teorema do valor médio.",
    "证明柯西-施瓦茨不等式。",
    "中間値の定理を証明せよ。",
]


def _words(s: str) -> frozenset[str]:
    # whitespace-separated words without their punctuation: `\w` would cut Devanagari words at
    # their vowel signs
    return frozenset(w.strip("।.,:;!?¿¡()\"'“”") for w in s.lower().split()) - {""}


def test_the_pinned_phrasings_are_not_training_prompts() -> None:
    """Otherwise the test below would check memory, not generalisation."""
    own = [_words(r["prompt"]) for r in all_rows()]
    for p in [FERMAT_HI, *SHORT_HARD[1:]]:
        a = _words(p)
        assert max(len(a & b) / len(a | b) for b in own) < 0.6, p


@pytest.mark.parametrize("prompt", SHORT_HARD)
def test_a_one_line_proof_goes_to_the_upper_half_in_every_language(prompt: str) -> None:
    d = Router().decide(prompt)
    assert d.index >= 2, (d.tier, d.confidence)
