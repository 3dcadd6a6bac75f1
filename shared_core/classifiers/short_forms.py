"""A short piece of light verse or copy: "Write a haiku about autumn.", "a slogan for my bakery".

The ladder model reads "write … about …" with a literary subject as creative work and placed a
haiku at ``complex`` (0.62). A haiku, a limerick, a two-line poem, a slogan or a tagline is a few
lines any model writes well: tier 1-2. :func:`is_short_form` takes such an ask when it is short
(:data:`MAX_CHARS`; a Chinese or Japanese character counts three times), asks for writing and names
one of these forms, in the eight languages the model reads; the classifier then places it at most
at ``medium``. An ask that adds analysis or a series ("explain the kireji", "a sequence of 20
haiku", "and compare it with …") is left to the model, and so is a proof, a lemma, a theorem or a
protocol ("devise a consensus protocol and prove it", "la demostración del lema de Zorn"): "devise"
and "lema" are a motto only after an article or a possessive ("une devise", "el lema de mi empresa").
Pure functions of the text.
"""

from __future__ import annotations

import re

from .pasted_words import cjk_count
from .substrings import substrings_re

__all__ = ["MAX_CHARS", "is_short_form"]

MAX_CHARS = 160
"""Longer asks are left to the model."""

_FORM_RE = re.compile(
    r"\b(?:haikus?|limericks?|couplets?|(?:short|little|tiny|two-line|four-line|one-line|quick) (?:poem|rhyme|verse)s?|"
    r"slogans?|taglines?|mottos?|catchphrases?|"
    r"haik[uú]s?|poema (?:corto|curto|pequeño|pequeno|breve)|pequeño poema|pequeno poema|rima corta|eslogan|"
    r"(?:un|el|mi|tu|su|nuestro|vuestro|este|ese|otro|um|o|meu|teu|seu|nosso|esse|outro|novo|nuevo) lema|"
    r"petits? po[eè]mes?|po[eè]me court|slogan|"
    r"(?:une|la|ma|ta|sa|notre|votre|leur|cette|nouvelle|autre|petite) devise|"
    r"kurze[sn]? (?:gedicht|reim)\w*|zweizeiler\w*|vierzeiler\w*|werbespruch\w*|"
    r"hai-?kais?|haicais?|quadrinha|trova)\b"
    r"|俳句|短诗|短詩|小诗|打油诗|标语|口号|川柳|短い詩|キャッチコピー|標語|हाइकु|छोटी कविता|नारा|स्लोगन",
    re.I,
)
_WRITE_RE = re.compile(
    r"\b(?:write|compose|give me|make|come up with|craft|pen|need|want|"
    r"escribe|escr[ií]beme|hazme|dame|escreva|escreve|me d[aáê]|faz|fa[cç]a|"
    r"[ée]cris|[ée]crivez|compose|donne|fais|"
    r"schreib\w*|dicht\w*|gib mir|"
    r"likho|likhiye|likh do)\b"
    r"|写|寫|作一首|来一首|來一首|書いて|作って|詠んで|考えて|लिखो|लिखिए|लिखें|लिख दो|बनाओ",
    re.I,
)
_MORE_RE = re.compile(  # analysis or a series: more than a few lines
    r"\b(?:explain\w*|analy[sz]\w*|compare|essay|sequence|series|collection|\d{2,} (?:haiku|poems|slogans)|"
    r"and (?:then )?(?:discuss|explain|translate)|expl[ií]ca\w*|analiz\w*|analys\w*|erkl[äa]r\w*|"
    r"ensayo|ensaio|essai|aufsatz|"
    # a proof, a lemma, a theorem, a protocol: mathematics or engineering, whatever the verb
    r"proofs?|prove\w*|lemmas?|theorems?|protocols?|demostraci[oó]n\w*|demuestr\w*|demostrar\w*|pruebas?|"
    r"teoremas?|protocolos?|demonstra[cç][aã]o|demonstr\w*|provas?|provar|lemmes?|th[ée]or[èe]mes?|"
    r"d[ée]monstration\w*|d[ée]montr\w*|preuves?|protocoles?|beweis\w*|theorem\w*|protokoll\w*)\b"
    r"|解释|解釋|分析|説明|विश्लेषण|证明|證明|引理|定理|协议|協議|証明|補題|プロトコル|प्रमेय|प्रमाण|सिद्ध|प्रोटोकॉल",
    re.I,
)


_GATE = ("haik", "haic", "hai-k", "limerick", "couplet", "poem", "rhyme", "verse", "slogan", "tagline", "motto", "catchphrase",
         "poema", "rima", "eslogan", "lema", "poème", "devise", "gedicht", "reim", "zeiler", "spruch", "quadrinha", "trova",
         "俳句", "诗", "詩", "标语", "口号", "川柳", "コピー", "標語", "हाइकु", "कविता", "नारा", "स्लोगन")
"""Words one of which every form :data:`_FORM_RE` takes holds (lower case): a cheap first look."""
_GATE_RE = substrings_re(_GATE)  # (the same look in one search)


def is_short_form(text: str) -> bool:
    """Is ``text`` a short ask for a haiku, a limerick, a short poem, a slogan or a tagline?"""
    t = text.strip()
    if not t or len(t) > MAX_CHARS:
        return False
    low = t.lower()
    if _GATE_RE.search(low) is None or len(t) + 2 * cjk_count(t) > MAX_CHARS:
        return False
    return bool(_FORM_RE.search(t) and _WRITE_RE.search(t) and not _MORE_RE.search(t))
