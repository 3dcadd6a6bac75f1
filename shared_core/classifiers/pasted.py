"""A short ask about a long pasted document: find the ask, and say whether reading it alone is safe.

"What was the churn rate?" after a pasted status report is a look-up: the cheapest tier
answers it. Read as a whole, the message looks like long-form work, and the ladder model
(trained on requests, not on documents) places it two levels too high. So, for a long
message, :func:`ask_to_read` looks for a short ask as its first or last paragraph and
returns it when the ladder may read it alone, else ``None`` (read the whole message).

The ask alone is *not* safe, and the whole message is read, when:

* the material is code, logs or a stack trace: "Is this correct?" over a function or
  "What's going on here?" over a traceback is debugging, whatever the ask's own words
  (except a look-up of one value in it: "which port does the api listen on?");
* the ask names no task of its own ("Thoughts?", "What should I do?", "Fix it") or asks for
  advice or a judgement ("What would you recommend?", "Does this hold up?"): the long part is
  the task, not something to look things up in;
* the material is the user's own situation: written in the first person and no letter, email
  or chat ("I'm 34, single, ..." + "Is the math right?").

Pure functions of the text; no model, no state. The words are in :mod:`.pasted_words`, the
code-or-logs test in :mod:`.pasted_material`. The rules are measured by
``benchmarks/pasted_asks.py`` on sets written apart (look-ups, summaries, analyses and
designs over pasted documents, code and logs; counterexamples where the long part is the
task), next to the everyday sets the ladder is held to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from .pasted_material import is_code_or_log
from .pasted_words import (
    DEIXIS_RE,
    asks_advice,
    cjk_count,
    explains_code,
    first_person,
    is_ask,
    is_sign_off,
    looks_like_letter,
    looks_up_a_value,
    names_a_task,
    over_all,
    strip_label,
)

__all__ = [
    "ASK_MAX", "FIRST_PERSON", "MIN_LETTER", "MIN_TEXT", "Ask", "ask_to_read", "find_ask", "is_code_or_log", "looks_up_a_value",
    "names_a_task", "snippet_ask",
]

MIN_TEXT = 480
"""Shorter messages are read whole (the ladder's own edge reading covers them), except a letter, an
email or a chat (:data:`MIN_LETTER`); a Chinese or Japanese character counts three times (the
scripts say in one character what takes three)."""
MIN_LETTER = 240
"""Shortest message read by its ask when the ask looks up one value
(:func:`~.pasted_words.looks_up_a_value`) in a letter, an email or a chat
(:func:`~.pasted_words.looks_like_letter`: someone else's words to look things up in): a
406-character email + "When is the deadline for objections?" is a look-up as much as a long one.
Other messages this short are read whole (a short paragraph of the user's own is the task, and an
email's own closing line, "Questions? Just reply to this email.", is no ask of the user's)."""
ASK_MAX = 300
"""Longest ask, in characters; it must also be under a third of the message."""
FIRST_PERSON = 0.04
"""Share of first-person words ("I", "we", "my", "notre", 我) from which material that is no
letter, email or chat is the user's own situation: then the whole message is the task."""


class Ask(NamedTuple):
    """A short ask found at one end of a long message, and the rest of it."""

    text: str
    material: str
    over_all: bool
    """The ask is carried out over the whole material, so the ladder places it at least at
    ``medium``: a colon lead-in ("Summarise this in two sentences:"), an ask for every item of
    a kind ("What are the action items?"), or an instruction rather than a question
    ("Translate to English please."). A look-up asks a question ("What was the churn
    rate?") or uses a look-up verb ("Tell me the total.")."""
    over_code: str = ""
    """The material is code, a config or logs and the ask is ``"look-up"``, one value in it
    ("which port does the api listen on?": placed at ``simple`` unless the ask alone reads
    ``frontier``, then ``medium``; the technical words of the ask alone read as work, the
    look-up is not), or
    ``"explain"`` ("explain what this script does", "convert this to JSON": ``medium``, unless
    the ask alone reads ``frontier``); ``""`` otherwise."""


_PARAS_RE = re.compile(r"\n[ \t\r]*\n")  # also \r\n line ends
_RULE_RE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|={3,}|_{3,})[ \t\r]*$", re.M)
"""Separator lines (``---``, ``***``, ``===``): read as blank lines."""


def _size(text: str) -> int:
    n = len(text)
    if n >= MIN_TEXT or n * 3 < MIN_LETTER or text.isascii():  # (no CJK in ASCII: nothing to count)
        return n
    return n + 2 * cjk_count(text)


def _glued(paras: Iterable[str]) -> list[str]:
    """Paragraphs, with a question or lead-in line typed straight onto pasted code or logs
    ("is gzip enabled in this server block?" and the next line ``server {``) made its own,
    and sign-offs after the ask ("Thanks!", "-- Sam") left out."""
    out = list(paras)
    while len(out) > 2 and is_sign_off(out[-1]):
        out.pop()
    if out:
        head, _, body = out[0].strip().partition("\n")
        if body and head.rstrip().endswith(("?", "？", ":", "：")) and is_code_or_log(body):
            out[:1] = [head, body]
        body, _, tail = out[-1].strip().rpartition("\n")
        if body and tail.rstrip().endswith(("?", "？")) and is_code_or_log(body):
            out[-1:] = [body, tail]
    return out


_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "‘": "’", "'": "'", "「": "」", "『": "』"}
_LEAD_QUOTE_RE = re.compile(r"[:：][ \t]*([\"“„«‘'「『])")


def _quoted(text: str) -> list[str] | None:
    """A message of one paragraph that quotes its material: a lead-in ending in a colon, the quote,
    and what follows it ("Summarise this: «…»", "Look what the school sent: '…' When do I pick
    him up?"), as the paragraphs ``[lead-in, quote, rest]`` (``rest`` only when there is one); or
    ``None`` (no lead-in within :data:`ASK_MAX` characters, or the quote is not closed)."""
    m = _LEAD_QUOTE_RE.search(text, 0, ASK_MAX + 2)
    if m is None:
        return None
    close = text.rfind(_QUOTES[m.group(1)], m.end())
    if close < 0:
        return None
    lead, quote, rest = text[: m.start() + 1].strip(), text[m.end() : close].strip(), text[close + 1 :].strip()
    if not lead or not quote or any(c in lead for c in "{}[]=;<>"):  # (not a line of code or JSON)
        return None
    return [lead, quote, rest] if rest else [lead, quote]


def find_ask(text: str) -> Ask | None:
    """The short ask a long ``text`` opens or closes with, else ``None``.

    The ask is a paragraph (blank lines and ``---`` lines separate paragraphs, and a message of one
    paragraph that quotes its material after a colon is cut around the quote; a closing
    "Thanks!" is skipped) of at most :data:`ASK_MAX` characters and under a third of the
    text; a ``Question:`` label is taken off it. The last paragraph is tried first, except:
    a first paragraph that introduces the rest with a colon wins over a question at the end
    (the pasted email's own question), unless that question names no task ("Here is my
    plan:" … "Is this a good plan?"); and a question opening the message wins over a last
    paragraph that is no question and does not point at the material (the recipe's last
    step, "When cool, lift the cake out…").
    """
    size = _size(text)
    if size < MIN_LETTER:
        return None
    paras = _glued(p for p in _PARAS_RE.split(_RULE_RE.sub("", text).strip()) if p.strip())
    if len(paras) < 2:
        paras = _quoted(text.strip()) or paras  # one paragraph: "Summarise this: «…»"
    if len(paras) < 2:
        return None
    limit = min(ASK_MAX, len(text) / 3)
    first, last = paras[0].strip(), paras[-1].strip()
    order = [(last, -1), (first, 0)]
    last_ask = len(last) <= limit and is_ask(last, lead_in=False)
    vague_end = last_ask and not names_a_task(last)
    if first.endswith((":", "：")) and not vague_end:  # "Is this a good plan?" is the ask
        order.reverse()
    elif "?" in first and "?" not in last and not DEIXIS_RE.search(last):
        order.reverse()  # "How much butter do I need?" + a recipe ending "When cool, ..."
    elif not vague_end and len(first) <= limit and is_ask(first, lead_in=True) and looks_like_letter(
        "\n\n".join(paras[1:])
    ):
        order.reverse()  # the user's question, then an email that ends with its own question
    for cand, pos in order:
        ask = strip_label(cand)
        if ask and len(cand) <= limit and is_ask(cand, lead_in=pos == 0):
            rest = "\n\n".join(paras[:-1] if pos == -1 else paras[1:])
            lead_in = pos == 0 and cand[-1] in ":：" and "?" not in cand and "？" not in cand
            if size < MIN_TEXT and not (looks_up_a_value(ask) and looks_like_letter(rest)):
                return None  # short, and no look-up in a letter, email or chat: read whole
            return Ask(ask, rest, over_all(ask, lead_in=lead_in))
    return None


def snippet_ask(text: str) -> Ask | None:
    """A message too short for :func:`find_ask` that asks to explain the snippet it carries ("Was macht
    dieser Code?" + a ten-line function, "Walk me through what this SQL returns:" + a query): the ask,
    to be read alone at ``medium`` (``over_code="explain"``), else ``None``.

    The ask is the first or the last paragraph (at most :data:`ASK_MAX` characters) and
    :func:`~.pasted_words.explains_code` (no "why", "fix", "is this ok?"); the rest is code, a config
    or logs (:func:`~.pasted_material.is_code_or_log`)."""
    if "\n" not in text.strip():
        return None  # one line: no snippet under an ask
    paras = _glued(p for p in _PARAS_RE.split(_RULE_RE.sub("", text).strip()) if p.strip())
    if len(paras) < 2:
        return None
    for cand, rest in ((paras[0], paras[1:]), (paras[-1], paras[:-1])):
        ask = strip_label(cand.strip())
        material = "\n\n".join(rest)
        if ask and len(cand) <= ASK_MAX and explains_code(ask) and is_code_or_log(material):
            return Ask(ask, material, True, "explain")
    return None


def ask_to_read(text: str, *, snippets: bool = True) -> Ask | None:
    """The ask the ladder should read alone, or ``None`` to read the whole ``text`` (``snippets``: a
    shorter message may be a short ask to explain a snippet, :func:`snippet_ask`)."""
    found = find_ask(text)  # (under MIN_TEXT, only a look-up of one value in a letter, email or chat)
    if found is None:
        if not snippets or "\n" not in text:
            return None  # (a snippet needs a line break under its ask)
        # (under MIN_TEXT / 3 characters the size is under MIN_TEXT whatever the script)
        return snippet_ask(text) if len(text) * 3 < MIN_TEXT or _size(text) < MIN_TEXT else None
    if asks_advice(found.text):  # "which would you pick?": the whole message decides
        return None
    task = names_a_task(found.text)
    if not task:  # only an explanation or a look-up over code can still be read alone
        mode = _code_mode(found.text)
        return found._replace(over_code=mode) if mode and is_code_or_log(found.material) else None
    if is_code_or_log(found.material):
        mode = _code_mode(found.text)
        return found._replace(over_code=mode) if mode else None
    if first_person(found.material) >= FIRST_PERSON and not looks_like_letter(found.material):
        return None  # "I'm 34 and ..." + "Is the math right?": a judgement on the user's own situation
    return found


def _code_mode(ask: str) -> str:
    return "explain" if explains_code(ask) else "look-up" if looks_up_a_value(ask) else ""
