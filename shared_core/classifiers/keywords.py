"""Word lists looked up by set membership instead of one long regex alternation (about ten times faster).

:class:`Keywords` holds whole words, word beginnings and substrings (phrases, and words of scripts
written without spaces or with combining marks: Chinese, Japanese, Hindi). :func:`words_of` splits a
text once; every list of a rule is then checked against the same words.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["Keywords", "words_of"]

_WORD_RE = re.compile(r"[^\W_\u3040-\u30ff\u3400-\u9fff]+")
"""Words of letters and digits, Chinese and Japanese characters left out ("csvファイル" gives "csv"): those
scripts are looked up as substrings; an apostrophe splits ("l'erreur" gives "l" and "erreur")."""


def words_of(text: str) -> tuple[str, frozenset[str]]:
    """``(the text in lower case, its words)``: the input of :meth:`Keywords.found`."""
    low = text.lower()
    return low, frozenset(_WORD_RE.findall(low))


class Keywords(NamedTuple):
    """A word list: ``words`` match whole words, ``starts`` word beginnings, ``subs`` substrings (all
    lower case)."""

    words: frozenset[str]
    starts: tuple[str, ...] = ()
    subs: tuple[str, ...] = ()

    @classmethod
    def of(cls, words: str, starts: str = "", subs: tuple[str, ...] = ()) -> Keywords:
        """From space-separated ``words`` and ``starts``, and ``subs`` as given."""
        return cls(frozenset(words.split()), tuple(starts.split()), tuple(subs))

    def found(self, low: str, words: frozenset[str]) -> bool:
        """Whether any of the list is in the text of :func:`words_of`."""
        if not self.words.isdisjoint(words):
            return True
        if self.starts and any(w.startswith(self.starts) for w in words):
            return True
        return any(s in low for s in self.subs)
