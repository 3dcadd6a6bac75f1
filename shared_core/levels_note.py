"""Which of a router's tiers the bundled ladder's levels map to, as one reason.

The embedded classifier reasons in the bundled ladder's levels ("levels simple 1.00 medium
0.00 complex 0.00 frontier 0.00") and spreads them over however many tiers there are: tier
``i`` of ``N`` takes the part ``(i/N, (i+1)/N]`` of the ladder. On tiers named otherwise
(``cheap`` / ``strong``) nothing said which tier a level meant; :func:`levels_note` says it
("ladder levels on tiers: simple, medium -> cheap; complex, frontier -> strong"). It is built
once per tuple of tier names (cached) and added to a decision's reasons as it is: a
decision pays a cache lookup, no formatting.
"""

from __future__ import annotations

import functools

LEVELS_REASON_PREFIX = "levels simple "
"""How the embedded classifier's reason starts (the one this note explains)."""
NOTE_PREFIX = "ladder levels on tiers: "


@functools.lru_cache(maxsize=64)
def levels_note(tier_names: tuple[str, ...]) -> str | None:
    """The note for these tiers (cheapest first); ``None`` when they are the ladder's own
    four levels, in order (each level is its tier)."""
    from .classifiers.ladder_model import LEVELS

    if tier_names == tuple(LEVELS) or not tier_names:
        return None
    n, size = len(tier_names), len(LEVELS)
    groups: list[tuple[str, list[str]]] = []
    for j, level in enumerate(LEVELS):
        # tier i spans (i*size/n, (i+1)*size/n] of the ladder; level j spans (j, j+1)
        tiers = "/".join(t for i, t in enumerate(tier_names) if i * size < (j + 1) * n and (i + 1) * size > j * n)
        if groups and groups[-1][0] == tiers:
            groups[-1][1].append(level)
        else:
            groups.append((tiers, [level]))
    return NOTE_PREFIX + "; ".join(f"{', '.join(levels)} -> {tiers}" for tiers, levels in groups)
