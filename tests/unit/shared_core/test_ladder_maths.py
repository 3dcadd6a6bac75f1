"""Maths on the ladder: school word problems stay cheap, competition problems go to the top.

"Find" used to mean olympiad to the ladder model (its only "find" rows were competition
problems), so a two-line school problem went to ``frontier``. The phrasings below were
written for this test and are not training templates (checked here).
"""

from __future__ import annotations

import re

import pytest

from shared_core import Router
from shared_core.training.ladder_data import all_rows

SCHOOL = [
    # found by a new user: sent to `frontier` with confidence 0.86 before
    "A rectangle has a perimeter of 46 cm and one side is 8 cm. Find its area.",
    "Work out how much I pay for a $250 TV with 20% off.",
    "Find the volume of a box that is 30 cm long, 20 cm wide and 10 cm high.",
    "A bus ticket costs $2.75. How much do 8 tickets cost, and how much change do I get from $25?",
    "Calculate the average speed of a cyclist who rides 45 km in 1.5 hours.",
    "Trouve le prix d'une veste à 60 € après une remise de 25 %.",
    "Halla el 15 % de 340 euros.",
    # written on 2026-12-04 before the model with the multilingual batches was trained and not
    # changed after (the veste phrasing above had failed with an earlier version of it)
    "Calcule combien coûtent 3 cahiers à 2,40 € pièce.",
    "Berechne, wie viel 4 Kinokarten zu je 9,50 € zusammen kosten.",
    "Quanto é 18% de 250 reais?",
]
COMPETITION = [
    "Find all real numbers a for which the equation x^4 - 2ax^2 + x + a^2 - a = 0 has four distinct "
    "real roots, and prove your answer.",
    "Compute the number of subsets of {1, 2, ..., 15} that contain no two consecutive integers, and "
    "prove the recurrence you use.",
]


def _words(s: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", s.lower()))


def test_the_pinned_phrasings_are_not_training_prompts() -> None:
    """Otherwise the tests below would check memory, not generalisation."""
    own = [_words(r["prompt"]) for r in all_rows()]
    for p in SCHOOL + COMPETITION:
        a = _words(p)
        assert max(len(a & b) / len(a | b) for b in own) < 0.6, p


@pytest.mark.parametrize("prompt", SCHOOL)
def test_school_maths_word_problems_stay_in_the_lower_half(prompt: str) -> None:
    d = Router().decide(prompt)
    assert d.index < 2, (d.tier, d.confidence)


@pytest.mark.parametrize("prompt", COMPETITION)
def test_competition_maths_goes_to_the_top(prompt: str) -> None:
    assert Router().decide(prompt).tier == "frontier"
