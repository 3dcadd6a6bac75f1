"""A short ask about a long pasted document: find the ask, and say whether reading it alone is safe.

"What was the churn rate?" after a pasted status report is a look-up: the cheapest tier
answers it. Read as a whole, the message looks like long-form work, and the ladder model
(trained on requests, not on documents) places it two levels too high. So, for a long
message, :func:`ask_to_read` looks for a short ask as its first or last paragraph and
returns it when the ladder may read it alone, else ``None`` (read the whole message).

The ask alone is *not* safe, and the whole message is read, when:

* the material is code, logs or a stack trace: "Is this correct?" over a function or
  "What's going on here?" over a traceback is debugging, whatever the ask's own words;
* the ask names no task of its own ("Thoughts?", "What should I do?", "Fix it", "Prove
  it."): the long part is the task, not something to look things up in.

Pure functions of the text; no model, no state. The rules are measured by
``benchmarks/pasted_asks.py`` on four sets written for this project (look-ups, summaries,
analyses and designs over pasted documents; counterexamples where the long part is the
task), next to the everyday sets the ladder is held to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import NamedTuple

__all__ = [
    "ASK_MAX", "MIN_TEXT", "Ask", "ask_to_read", "find_ask", "is_code_or_log", "looks_up_a_value", "names_a_task",
]

MIN_TEXT = 480
"""Shorter messages are read whole (the ladder's own edge reading covers them)."""
ASK_MAX = 300
"""Longest ask, in characters; it must also be under a third of the message."""

class Ask(NamedTuple):
    """A short ask found at one end of a long message, and the rest of it."""

    text: str
    material: str
    over_all: bool
    """The ask is carried out over the whole material, so the ladder places it at least at
    ``medium`` (summarise, extract, list): it opens the message and introduces the rest with
    a colon, not as a question ("Summarise this in two sentences:"), or it asks for every
    item of a kind ("What are the action items?", "List the dates"). A look-up asks for one
    fact."""
    over_code: bool = False
    """The material is code, a config or logs and the ask looks up one value in it ("which port
    does the api listen on?"): the ladder's reading of the ask is taken two levels down (the
    technical words of the ask alone read as work, the look-up is not)."""


_PARAS_RE = re.compile(r"\n[ \t\r]*\n")  # also \r\n line ends
_RULE_RE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|={3,}|_{3,})[ \t\r]*$", re.M)
"""Separator lines (``---``, ``***``, ``===``): read as blank lines."""
_QUESTION_RE = re.compile("[?？¿]")
_LABEL_RE = re.compile(
    r"^\s*(?:question|q|ask|task|request|pregunta|tarea|frage|aufgabe|pergunta|tarefa|"
    r"问题|問題|质问|質問|प्रश्न|सवाल)\s*[:：]\s*",
    re.I,
)
_OPENERS = (
    # English
    "what what's whats who whose whom when where which how why is are was were did does do can "
    "could would will should list summarise summarize sum pull extract draft write turn read tell "
    "give find translate explain using based from taking analyse analyze design build make create "
    "compare rewrite reply respond answer convert check identify name count classify "
    # Spanish, Portuguese
    "qué que cuál cual cuáles cuándo cuando dónde donde quién quien cómo como cuánto cuántos "
    "cuántas resume resumir haz hazme extrae escribe redacta dime enumera lista traduce analiza "
    "crea compara qual quais quando onde quem quanto quantos quantas resuma faça faca escreva "
    "liste extraia traduza analise crie diga "
    # French
    "quel quelle quels quelles quand où qui comment pourquoi combien résume résumez fais faites "
    "rédige rédigez extrais extrayez liste listez donne donnez traduis traduisez analyse analysez "
    "est-ce "
    # German
    "was wer wann wo wie warum welche welcher welches wieviel wie viele fass fasse fasst schreib "
    "schreibe liste gib nenne übersetze analysiere erstelle vergleiche "
    # Hindi
    "क्या कब कहाँ कहां कौन कैसे क्यों कितना कितने कितनी"
).split()
_OPENER_SET = frozenset(_OPENERS)
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff]")
_CJK_ASK_RE = re.compile("(?:吗|嗎|什么|什麼|哪|几|幾|多少|请|請|ください|下さい|ですか|ますか|何|いつ|どこ|誰|どれ)")


_HI_ASK_RE = re.compile(r"(?:दीजिए|दीजिये|दें|बताइए|बताइये|बताओ|बताएं|समझाइए|समझाओ|करें|करो|लिखिए|लिखो)\s*[।.!]?\s*$")
_DEIXIS_RE = re.compile(
    r"\b(?:this|these|that|below|following|here|esto|este|esta|estos|estas|siguiente|aquí|"
    r"ceci|cette|ces|suivant|suivante|ci-dessous|voici|dies|diese|dieser|diesen|dieses|folgende|"
    r"folgenden|unten|hier|isto|isso|seguinte|abaixo|aqui)\b|这|這|以下|下面|下記|この|次の|यह|इस|नीचे",
    re.I,
)


_STATEMENT_RE = re.compile(
    r"[;{}]\s*$|^\s*(?:CREATE|SELECT|INSERT|UPDATE|DELETE|ALTER|DROP|WITH)\s+[A-Z(]"
    r"|^\s*(?:def|class|import|return|func|fn|const|var|let|public|private)\s+[\w.(]+\s*[=(:{<]"
)


def _is_ask(para: str, *, lead_in: bool) -> bool:
    """A question or an instruction: a ``?``, a question or imperative opening word, a
    ``Question:`` label, or (``lead_in``: the first paragraph) a line that introduces what
    follows with a colon and points at it ("TL;DR this for me:"; "Evidence table I compiled:"
    is a heading)."""
    p = para.strip()
    if not p or _STATEMENT_RE.search(p):
        return False  # a line of the pasted code ("CREATE INDEX ...;"), not an ask
    if "?" in p or "？" in p or "¿" in p or _LABEL_RE.match(p):
        return True
    if lead_in and p[-1] in ":：" and _DEIXIS_RE.search(p):  # "TL;DR this for me:", not a heading
        return True
    words = _WORD_RE.findall(p[:40].lower())
    if words and words[0] in _OPENER_SET:
        return True
    if _HI_ASK_RE.search(p):  # Hindi: a polite imperative at the end ("... समझा दीजिए")
        return True
    # a request in Chinese or Japanese: one line (a notice's "※ご遠慮ください" lines are not asks)
    return "\n" not in p and bool(_CJK_RE.search(p) and _CJK_ASK_RE.search(p))


_MANY_RE = re.compile(
    r"\b(?:(?:what|which|who) (?:are|were)|which \w+[^s\W]s|all|every|each|list|"  # English
    r"cuáles|cuales|todas|todos|cada|lista|enumera|"  # Spanish
    r"quels|quelles|tous|toutes|chaque|liste|"  # French
    r"welche|alle|jede|jeden|jeder|"  # German
    r"quais|listar)\b"  # Portuguese
    r"|すべて|全部|全て|一覧|所有|哪些|列出|सभी|सारे|सूची",
    re.I,
)


def _glued(paras: Iterable[str]) -> list[str]:
    """Paragraphs, with a question or lead-in line typed straight onto pasted code or logs
    ("is gzip enabled in this server block?" and the next line ``server {``) made its own."""
    out = list(paras)
    if out:
        head, _, body = out[0].strip().partition("\n")
        if body and head.rstrip().endswith(("?", "？", ":", "：")) and is_code_or_log(body):
            out[:1] = [head, body]
        body, _, tail = out[-1].strip().rpartition("\n")
        if body and tail.rstrip().endswith(("?", "？")) and is_code_or_log(body):
            out[-1:] = [body, tail]
    return out


def find_ask(text: str) -> Ask | None:
    """The short ask a long ``text`` opens or closes with, else ``None``.

    The ask is a paragraph (blank lines and ``---`` lines separate paragraphs) of at most :data:`ASK_MAX`
    characters and under a third of the text; a ``Question:`` label is taken off it. A first
    paragraph that introduces the rest with a colon is preferred to a question at the end
    (the end may be the pasted email's own question), unless that question names no task
    ("Is this a good plan?" after "Here is my plan:"); otherwise the last paragraph, then the
    first, is tried.
    """
    if len(text) < MIN_TEXT:
        return None
    paras = _glued(p for p in _PARAS_RE.split(_RULE_RE.sub("", text).strip()) if p.strip())
    if len(paras) < 2:
        return None
    limit = min(ASK_MAX, len(text) / 3)
    first, last = paras[0].strip(), paras[-1].strip()
    order = [(last, -1), (first, 0)]
    vague_end = len(last) <= limit and _is_ask(last, lead_in=False) and not names_a_task(last)
    if first.endswith((":", "：")) and not vague_end:  # "Is this a good plan?" is the ask
        order.reverse()
    for cand, pos in order:
        if len(cand) <= limit and _is_ask(cand, lead_in=pos == 0):
            rest = "\n\n".join(paras[:-1] if pos == -1 else paras[1:])
            ask = _LABEL_RE.sub("", cand, count=1).strip() or cand
            lead_in = pos == 0 and cand[-1] in ":：" and not _QUESTION_RE.search(cand)
            return Ask(ask, rest, lead_in or bool(_MANY_RE.search(ask)))
    return None


# -- material: code or logs? -------------------------------------------------------------
_LOG_LINE_RE = re.compile(r"^[ \t]+at [\w.$<>]+\(|^[EWF]\d{4} |^\$ \S|^panic: ", re.M)  # anchored: fast
_FILE_LINE_RE = re.compile(r'File "[^"\n]+", line \d+')
_LOG_MARKS = (
    "Traceback (most recent call last)", "Error:", "Exception:", "segmentation fault", "core dumped",
    "ERROR", "WARN", "FATAL", "CRITICAL", "DEBUG", "TRACE", "PANIC",
)


def _log_marks(head: str) -> int:
    """Log marks in ``head``: substring counts (C speed), then one line-anchored expression and,
    where a Python frame can be, one more."""
    n = sum(map(head.count, _LOG_MARKS))
    if 'File "' in head:
        n += len(_FILE_LINE_RE.findall(head))
    return n + len(_LOG_LINE_RE.findall(head))


_CODE_START_RE = re.compile(  # a line that opens like code: anchored, so other positions fail fast
    r"^[ \t]*(?:def|class|import|from \S+ import|return|if|elif|else|for|while|func|fn|let|const|var|"
    r"public|private|protected|static|package|#include|SELECT|FROM|WHERE|JOIN|INSERT|UPDATE|CREATE|try|"
    r"catch|except|async|await|impl|struct|enum|interface|type|module|resource|apiVersion|kind|RUN|COPY|"
    r"ENV|CMD|@@|diff --git|[-+]{3} [ab]/)\b"
    r"|^[ \t]{2,}[^\s:]+:[ \t]*\S*$"  # an indented YAML key
    r"|^[ \t]*\[[\w .:-]+\][ \t]*$|^[ \t]*[A-Za-z_][\w.-]*[ \t]*=[ \t]*\S",  # INI, systemd units, .env
    re.M,
)
_CODE_MARK_RE = re.compile(r"[;{}][ \t]*$|=>|->|::|==|!=|\+=|:=|\)[ \t]*:[ \t]*$", re.M)


def is_code_or_log(material: str) -> bool:
    """Does ``material`` hold code, a config, a diff, logs or a stack trace (work to debug or
    review) rather than prose or data to look things up in?

    Logs: two or more log marks (a traceback, stack frames, ``ERROR``/``WARN`` levels, an
    ``...Error:``). Code: at least three lines, and 30% of the non-blank lines, that look like
    code (a statement end, a keyword opening the line, an operator, a YAML or INI key).
    Reads the first 2,000 characters."""
    if "```" in material:
        return True
    head = material[:2000]
    if _log_marks(head) >= 2:
        return True
    stripped = material.strip()
    if stripped[:1] in "{[" and len(stripped) <= 200_000:  # the whole record: a cut one never parses
        try:
            json.loads(stripped)
        except ValueError:
            pass
        else:
            return False  # a JSON record is data to look things up in
    starts = {head.rfind("\n", 0, m.start()) for m in _CODE_START_RE.finditer(head)}
    code = len(starts.union(head.rfind("\n", 0, m.start()) for m in _CODE_MARK_RE.finditer(head)))
    if code < 3:
        return False
    lines = len(head.splitlines()) - sum(1 for ln in head.splitlines() if not ln.strip())
    return code >= 0.3 * lines


# -- the ask: does it name a task of its own? ---------------------------------------------
_GENERIC = frozenset(
    (
        # English
        "a an the this that these those it its it's here there what what's whats is are was were "
        "be do does did you your i i'm me my we our us should can could would will please think "
        "thoughts thought any ideas idea help correct right wrong ok okay good bad fine plan going "
        "on happening why how fix solve prove true false work works working fail fails failing "
        "slow bug bugs broken review check start where about with of to in for and or so now then "
        "next step steps suggest suggestions advice opinion feedback look see explain mean means "
        "issue issues problem problems error errors hey hi hello thanks anything something "
        "wrong? sense make makes get got happen happens happened ideas? doing done go tell let "
        "know sure better best way approach improve improvements"
        # Spanish / Portuguese
        " qué que esto eso es está esta este hay algo alguna algún idea ideas opinas piensas "
        "debo hago hacer puedes ayuda ayudar ayúdame correcto bien mal funciona arreglar arréglalo "
        "por porqué pasa o isso isto está certo errado acha acham devo fazer ajuda ajudar "
        "alguma ideia funciona consertar resolver me mi"
        # French
        " des idée idées qu'en en penses pensez tu vous je dois faire est ce ça cela correct "
        "juste aide aider pourquoi marche fonctionne corrige corriger quoi le la les un une"
        # German
        " was meint meinst ihr du soll ich tun ideen hilfe ist das richtig korrekt warum "
        "funktioniert nicht hier los mir helfen kannst gut falsch"
        # Hindi
        " क्या करूँ करूं करें मदद सही है यह क्यों विचार आप सोचते हैं मुझे"
    ).split()
)


def names_a_task(ask: str) -> bool:
    """Does ``ask`` say what to do with the material ("What was the churn rate?", "Summarise
    this in three bullets") rather than only pointing at it ("Thoughts?", "Is this correct?",
    "Fix it", "你怎么看？")?"""
    words = [w.strip("'’-") for w in _WORD_RE.findall(_CJK_RE.sub(" ", ask.lower()))]
    if any(w and w not in _GENERIC for w in words):
        return True
    return len(_CJK_RE.findall(ask)) > 8  # a CJK ask long enough to name its own task


# -- a look-up of one value in code, a config or logs ---------------------------------------
_LOOKUP_RE = re.compile(
    r"^(?:[^\W\d][\w /'-]{0,24}[:,!]\s+)?"  # "quick q:", "Kurze Frage:", "yes/no:"
    r"(?:(?:in|on|at|from|for|en|dans|à|em|no|na|an|auf|bei|von|mit|de)\s+)?"
    r"(?:what(?:'s| is| are| was)|which|where|when|how (?:many|much|long|often)|is|are|was|were|did|who|"
    r"qué|que|cuál|cuáles|dónde|cuándo|cuántos|cuántas|cuánto|quel|quelle|quels|quelles|où|quand|"
    r"combien|est-ce que|welche[rsn]?|wo|wann|wie viele|wie lange|wie viel|qual|quais|onde|quando|"
    r"quantos|quantas|quanto|कौन|कब|कहाँ|कहां|कितन[ाेी])\b",
    re.I,
)
_NOT_LOOKUP_RE = re.compile(
    r"\b(?:why|wrong|fail\w*|error\w*|bug\w*|fix\w*|correct\w*|slow\w*|explain\w*|mean\w*|work(?:s|ing|ed)?|"
    r"happen\w*|review\w*|improv\w*|rewrit\w*|refactor\w*|optimi\w*|secur\w*|safe\w*|better|should|"
    r"problem\w*|issue\w*|crash\w*|leak\w*|cause\w*|purpose|going on|return\w*|do\s*\??\s*$|"
    r"what (?:does|do|did) (?:this|it|that|these)|"
    r"por ?qu[ée]|errou?r?\w*|falla\w*|fallo|arregl\w*|corrig\w*|corrij\w*|mal|lent[oa]?|pourquoi|"
    r"erreur|faux|fausse|warum|fehler\w*|falsch|langsam|kaputt|beheb\w*|repar\w*|errad[oa]|falha\w*|"
    r"funciona|fonctionne|funktioniert|हो रहा|क्यों|गलत)\b"
    r"|为什么|為什麼|なぜ|どうして|错误|錯誤|エラー|バグ|修正|问题|問題|失败|失敗|遅い|慢"
    r"|解释|解釋|説明|说明|意味|含义|作用|どういう|関係|关系",
    re.I,
)
_CJK_LOOKUP_RE = re.compile("几|幾|多少|哪|什么|什麼|いくつ|どの|どこ|いつ|何|[はが][？?]\\s*$")


def looks_up_a_value(ask: str) -> bool:
    """Is ``ask`` a question after one stated value ("which port does it listen on?", "how many
    replicas?", "当前用的是哪个版本？") rather than a request to explain, debug or review?"""
    a = ask.strip().lstrip("¿¡")
    if len(a) > 150 or _NOT_LOOKUP_RE.search(a):
        return False
    if _LOOKUP_RE.match(a):
        return True
    if a.endswith(("?", "？")) and len(_WORD_RE.findall(a)) <= 3 and not _CJK_RE.search(a):
        return True  # "db host?"
    return bool(_CJK_RE.search(a) and _CJK_LOOKUP_RE.search(a))


def ask_to_read(text: str) -> Ask | None:
    """The ask the ladder should read alone, or ``None`` to read the whole ``text``."""
    found = find_ask(text)
    if found is None or not names_a_task(found.text):
        return None
    if is_code_or_log(found.material):
        return found._replace(over_code=True) if looks_up_a_value(found.text) else None
    return found
