"""Whose words a pasted text is: someone else's letter, email or chat to look things up in
(:func:`looks_like_letter`), or the user's own situation told in the first person
(:func:`first_person`). Read by :mod:`.pasted` to decide whether a short ask may be read alone."""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["first_person", "looks_like_letter"]

_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")  # (as in :mod:`.pasted_words`)


_FIRST_PERSON = frozenset(
    "i i'm i've i'd i'll me my mine we we're we've we'd our ours us ich mir mich mein meine meinen meinem "
    "wir uns unser unsere unseren je j'ai moi mon ma mes nous notre nos yo mi mis nosotros nosotras "
    "nuestro nuestra nuestros nuestras eu meu minha meus minhas nós nosso nossa nossos nossas".split()
)
_CJK_FIRST_PERSON_RE = re.compile("我们|我們|我|私|僕|弊社|मैं|मेरा|मेरी|मेरे|हम|हमारा|हमारी|हमारे")


def first_person(material: str) -> float:
    """Share of first-person words in ``material`` ("I", "we", "our", "mein", "notre", 我): the
    user's own situation, or a letter or email, rather than a report (first 2,000 characters)."""
    head = material[:2000]
    words = _WORD_RE.findall(head.lower())
    cjk = _CJK_FIRST_PERSON_RE.findall(head)
    return (sum(w in _FIRST_PERSON for w in words) + len(cjk)) / max(1, len(words) + len(cjk))


_GREETING_LINE_RE = re.compile(  # on one of the first lines (a letterhead may come first)
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hola|buen[oa]s|querid[oa]s?|estimad[oa]s?|"
    r"bonjour|bonsoir|cher|chère|chers|liebe[rs]?|hallo|sehr geehrte[rs]?|guten (?:tag|morgen)|olá|oi|caro|cara|"
    r"prezad[oa]s?)\b|^\s*(?:您好|你好|親愛|拝啓|こんにちは|お疲れ様|प्रिय|नमस्ते)",
    re.I | re.M,
)
_HEADER_RE = re.compile(r"^(?:subject|from|to|date|betreff|von|asunto|de|para|objet|assunto|件名|主题)\s*[:：]", re.I | re.M)
_SPEAKER_RE = re.compile(r"^([A-Z][\w.'-]{1,20}(?: [A-Z][\w.'-]{1,20})?): \S", re.M)  # "Dana: Anything else?"


def _speakers(text: str) -> bool:
    """A transcript: speakers who come back ("Dana:" … "Tom:" … "Dana:"), not section heads
    ("Methods:", "Results:")."""
    if text.count(": ") < 4:
        return False
    names = Counter(_SPEAKER_RE.findall(text))
    return sum(n for n in names.values() if n >= 2) >= 4
_CLOSING_RE = re.compile(  # on one of the last three lines, a short line of its own
    r"(?:\b(?:regards|cheers|best|thanks|thank you|sincerely|love|yours|grüße|grüßen|cordialement|bises|"
    r"saludos|abrazo|atentamente|abraços|atenciosamente|beijos|cumprimentos|cordialmente)\b|谢谢|敬具|よろしく|आशीर्वाद|धन्यवाद|^\s*(?:--|—) ?[^\W\d])",
    re.I,
)
_CHAT_LINE_RE = re.compile(r"^\[?[^\]\n]{0,20}\d{1,2}:\d\d\]?\s*[^:：\n]{1,30}[:：]", re.M)


def looks_like_letter(material: str) -> bool:
    """A letter, an email or a chat log (someone's first person, to look things up in), rather
    than the user's own account of their situation: a greeting line, mail headers, a closing
    near the end, or three time-stamped speaker lines."""
    m = material.strip()
    return bool(
        _GREETING_LINE_RE.search("\n".join(m.splitlines()[:6]))
        or _HEADER_RE.search(m[:300])
        or any(len(line.strip()) <= 40 and _CLOSING_RE.search(line) for line in m.splitlines()[-5:])
        or _speakers(m[:2000])
        or len(_CHAT_LINE_RE.findall(m[:2000])) >= 3
    )
