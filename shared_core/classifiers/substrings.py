"""One precompiled test for "does this text hold any of these words?": the rules' cheap first look.

The ladder's rules (:mod:`.competition`, :mod:`.short_forms`, :mod:`.system_design`,
:mod:`.error_meaning`, :mod:`.one_liner`) each first ask whether the lower-cased request holds one of
a few dozen substrings, so that most requests never reach their expressions. Written as
``any(k in low for k in keys)`` that look is a Python loop of 20-40 ``in`` tests, ~1-2 µs per rule
per request, and it ran on every request (``Router().decide`` on the short everyday prompts:
~5 µs of the ~8 µs the rules cost). :func:`substrings_re` gives the same answer from one
``re.search``: the keys as a trie (shared beginnings written once), so the engine looks at each
character of the text once against the set of first letters. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["substrings_re"]


def substrings_re(keys: Iterable[str]) -> re.Pattern[str]:
    """An expression whose ``search(text)`` finds a match exactly when ``any(k in text for k in keys)``
    (case-sensitive, as ``in`` is: pass lower-case keys and search a lower-cased text)."""
    trie: dict[str, dict] = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}  # a key ends here
    return re.compile(_branch(trie) if trie else "(?!)")  # (no keys: nothing is found)


def _branch(node: dict[str, dict]) -> str:
    if "" in node:  # a key ends here: whatever follows, the text holds it
        return ""
    alts = [re.escape(ch) + _branch(sub) for ch, sub in sorted(node.items())]
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
