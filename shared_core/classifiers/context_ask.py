"""A short ask whose object is the technical work in the EARLIER turns: debugging, not a look-up.

The ladder model reads the last user message alone (``reads: ask``), so that "thanks! what's 15%
of 80?" after a Kubernetes incident stays at ``simple``. The price: "what's going on and what
should we change?" after an agent ran the metrics and logs of a slow service, or "vale, encuentra
por qué fallan y arréglalo" after it ran the failing tests, is read as a short chat line and goes
to ``simple``. The pasted-document rule (:mod:`.pasted`) knows, for one message, that a short ask
over code or logs is debugging unless it looks up one value; :func:`debugs_earlier_work` makes the
same judgement across turns, and only when all of these hold:

* the earlier turns (the retrieved context, the system prompt and the earlier user and assistant
  turns the request carries before the last user message) are technical work: code, a config,
  logs or a stack trace (:func:`~.pasted_material.is_code_or_log`), an agent's tool calls
  (``run_tests(path='tests/test_iva.py')``, ``kubectl('describe pod …')``), or a fault of a system
  reported in words, the fault in the same clause as the system ("the export job fails since
  Monday") and no essay or poem in the turns ("standardised tests fail to show …" is prose);
* the last message is short (:data:`ASK_MAX` characters; a Chinese or Japanese character counts
  three times) and brings no material of its own (code, logs, a tool call, a quoted paragraph or
  one after a colon: then it is read as it is);
* it asks to find a cause, fix or debug, or reports a fault ("fix both failures", "what's going
  on and what should we change?", "finde die Ursache", "还是报错", "原因を特定して", "कारण बताओ",
  "it still crashes"), in the eight languages the model reads; a "why" alone is not enough ("why
  is it called Kubernetes?");
* it points back at the earlier turns: a pointing word ("it", "these", "still", "还是", "まだ",
  "यह") or a content word (its first four letters) or CJK character pair they share; an ask that
  names an object of its own the earlier turns do not ("MY CAR won't start, what's wrong with it?",
  "mi lavadora", "我的自行车") needs a shared word or a report that the fault persists, a pronoun
  is not enough; an ask that only names a fault needs to say it persists ("it STILL crashes",
  "fails AGAIN", "both"): "is it wrong to use tabs?" and "I've been stuck inside all weekend" are
  no reports of one; a bare "causes" is none either ("what causes the tides?"; "root cause",
  "what's causing it", "find the cause" are);
* it is none of: a thank-you for a fix that worked ("great, switching to httpx fixed it"), a
  change of subject ("by the way", "顺便"), another task about the fault (an email, a summary, a
  translation), the meaning of a word ("what does exit code 137 mean?"), an edit of the wording
  ("fix the typo in it", "fix my essay's grammar": tier 1 or 2) or a look-up of one value
  (:func:`~.pasted_words.looks_up_a_value`).

A light follow-up names no such work ("thanks! what's 15% of 80?", "can you make that
shorter?") and keeps the ask's own reading; ``benchmarks/everyday_routing.py --after-heavy``
measures that. The words are deliberately few; pure functions of the text.
"""

from __future__ import annotations

import re

from .pasted_material import is_code_or_log
from .pasted_words import CJK_RE, cjk_count, looks_up_a_value

__all__ = ["ASK_MAX", "debugs_earlier_work", "earlier_is_work", "is_debug_ask", "refers_back"]

ASK_MAX = 400
"""Longest last message, in characters, that the rule reads as a follow-up (CJK counted thrice)."""
CONTEXT_TAIL = 4000
"""How much of the earlier turns is read (their end: the turns just before the ask)."""

_CALL_RE = re.compile(  # a tool call as agents write it: name(args) with a quoted or keyword argument
    r"\b[A-Za-z_][\w.]*\(\s*(?:['\"]|[A-Za-z_]\w*\s*=)"
)
_TRACE_RE = re.compile(
    r"Traceback \(most recent call last\)|\bat [\w.$]+\([\w.]+:\d+\)|^\s*File \"[^\"]+\", line \d+|"
    r"\b(?:OOMKilled|CrashLoopBackOff|segmentation fault|NullPointerException|panic:|AssertionError|"
    r"FAILED \S+::|exit code \d+)",
    re.M,
)

_DEBUG_WORDS_RE = re.compile(  # an ask to find a cause, fix or debug: enough on its own
    # English
    # (a cause named as one to find: "root cause", "what's causing it", "find the cause"; a bare "causes"
    # is a question of science or everyday life: "what causes the lack of weather on the Moon?")
    r"\b(?:fix(?:es)?|repair\w*|patch (?:it|this|that)|debug|root[- ]cause|causing|(?:the|a|real|actual) cause|what(?:'s| is| was)? going on|what(?:'s| is) wrong|what went wrong|"
    r"(?:should|do|can|must) (?:we|i) change|what to change|"
    # (not "figure out how much to pay", "a diagnostic test", "an investigation": word problems, science)
    r"figure (?:it )?out(?! how (?:much|many|long|far|often))|track down|diagnos(?:e|es|ed|ing|is)|investigat(?:e|es|ing)|"
    # Spanish, Portuguese
    r"arr[eé]gl\w*|soluci[oó]n\w*|corr[ií]g\w*|corrij\w*|la causa|causa ra[ií]z|causando|(?<!\w)a causa(?! de\b)|dep[uú]r\w*|qu[eé] (?:pasa|est[aá] pasando)|"
    r"consert\w*|o que est[aá] acontecendo|"
    # French
    r"corrige\w*|répar\w*|la cause|débogu\w*|qu'est-ce qui se passe|"
    # German
    r"beheb\w*|ursache\w*|repari\w*|was ist (?:da )?los|"
    # Hindi in Latin letters
    r"theek kar\w*|wajah)\b"
    # Chinese, Japanese, Hindi
    r"|修复|修復|修一下|修好|原因|排查|定位|怎么回事|怎麼回事|直して|直す|修正|対策|特定して|कारण|वजह|ठीक कर|सुधार",
    re.I,
)
_FAULT_RE = re.compile(  # a fault: with a pointer back, a report of it asks for debugging
    r"\b(?:fail\w*|crash\w*|deadlock\w*|race conditions?|leak\w*|broken|bugs?|errors?|exceptions?|hang(?:s|ing)?|"
    r"stuck|slow(?:er|s)?|wrong|"
    r"falla\w*|fallo|errore?s?|se cuelga|lent[oa]s?|rot[oa]|falh\w*|erros?|trav(?:a|am|ou|ad[oa]s?|ando)|quebr\w*|"
    # (French "plante", "cassé": not English "plant", "Cassandra")
    r"plant(?:e|es|ent|é|ée|age)|erreurs?|bloqu\w*|lente?s?|cass(?:e|é|ée|és|ées)|"
    r"fehler\w*|abstürz\w*|stürzt|hängt|langsam|kaputt)\b"
    r"|报错|錯誤|错误|失败|失敗|崩溃|崩潰|卡住|卡死|挂了|出错|重启|エラー|落ち|遅い|止ま|固ま|गलत|धीमा|अटक",
    re.I,
)
_SUCCESS_RE = re.compile(  # "great, switching to httpx fixed it": a thank-you, nothing to debug
    r"\b(?:fixed|worked|works now|solved|resolved|that did it|funcion[óo]|ya funciona|resuelto|ça marche|"
    r"c'est bon|résolu|geklappt|funktioniert jetzt|gelöst|funcionou|resolvido)\b"
    r"|好了|解决了|解決しました|直った|直りました|動いた|ठीक हो गया|चल गया",
    re.I,
)
_LIGHT_RE = re.compile(  # the ask changes the subject to something light of its own
    r"\b(?:unrelated|different question|off[- ]topic|by the way|btw|quick question|anyway|anyhow|otra pregunta|"
    r"en fin|por cierto|autre question|bref|au fait|andere frage|übrigens|egal|outra pergunta|enfim|aliás)\b"
    r"|顺便|总之|ところで|別件|ともかく|वैसे",
    re.I,
)


_BACK_RE = re.compile(  # words that point back at what came before
    r"\b(?:this|these|that|those|it|its|them|they|both|here|still|again|going on|happening|happened|"
    r"esto|eso|este|esta|estos|estas|ese|esa|esos|esas|ambos|ambas|aquí|todavía|sigue|"
    r"ceci|cela|ça|ces|cette|les deux|encore|toujours|"
    r"das|dies|diese|dieser|diesen|dieses|beide|beiden|immer noch|noch|hier|"
    r"isso|isto|esse|essa|esses|essas|ainda|aqui|"
    # where the earlier turns are ("the code above") and what they hold ("fix the code", "den Code")
    r"above|earlier|previous|ci-dessus|plus haut|pr[ée]c[ée]dent\w*|arriba|anterior\w*|acima|oben|vorhin|vorherige\w*|"
    r"code|script|c[oó]digo|skript|"
    # a pronoun on the verb: "arréglalo", "corrígelo", "corrige-le", "conserta-o"
    r"\w+(?:[aeáé]l[oa]s?)|\w+-(?:le|la|les|lo|la|o|a|os|as))\b"
    r"|这|這|那|它|仍然|依然|还是|還是|又|これ|それ|この|その|あれ|まだ|また|यह|ये|इस|इन|वो|वह|अभी भी|फिर से|"
    r"上面|上述|上记|上記|上の|さっき|先ほど|代码|代碼|コード|ऊपर|कोड",
    re.I,
)
_STILL_RE = re.compile(  # what a report of a fault that persists says ("it STILL crashes", "fails AGAIN")
    r"\b(?:these|those|both|still|again|same|anymore|any more|todavía|sigue|siguen|otra vez|de nuevo|ambos|"
    r"encore|toujours|les deux|à nouveau|immer noch|noch immer|wieder|beide|ainda|de novo|continua\w*)\b"
    r"|仍然|依然|还是|還是|又|まだ|また|अभी भी|फिर से",
    re.I,
)
_OWN_MATERIAL_RE = re.compile(
    r"[:：]\s*\S.{40,}|[\"“«「『][^\"”»」』]{30,}[\"”»」』]|(?:^|\s)'[^'\n]{30,}'(?!\w)", re.S
)
"""A colon or a quote opening material of its own ("Fix the grammar in this paragraph: '…'")."""
_OTHER_TASK_RE = re.compile(
    # a piece of writing about the fault, or the answer reworded: the debugging words are its subject
    r"\b(?:e-?mails?|letters?|messages?|memo|tweets?|posts?|slack|changelog|reply|summar\w*|tl;?dr|rewrite|"
    r"rephrase|translate|bullet points?|correo|carta|mensaje|resum\w*|courriel|lettre|mail|nachricht|"
    r"zusammenfass\w*|übersetz\w*|mensagem|tradu\w*|"
    # or the meaning of a word in it: a look-up ("what does exit code 137 mean again?")
    r"mean|means|meaning|stand for|stands for|significa\w*|veut dire|signifie|bedeute\w*|quer dizer)\b"
    r"|邮件|郵件|总结|總結|翻译|翻譯|什么意思|什麼意思|メール|手紙|要約|まとめ|翻訳|意味|ईमेल|मैसेज|पत्र|सारांश|मतलब|अर्थ",
    re.I,
)
_EDIT_RE = re.compile(  # a small edit of the wording, not debugging ("fix the typo in it", "fix my essay's grammar")
    r"\b(?:typos?|grammar|grammatical|spelling|punctuation|wording|phrasing|capitali[sz]\w*|"
    r"gram[aá]tica\w*|ortograf\w*|puntuaci[oó]n|errata|faute de frappe|fautes? d'orthographe|orthographe|"
    r"grammaire|ponctuation|tippfehler|rechtschreib\w*|grammatik|zeichensetzung|erros? de digita[cç][aã]o|"
    r"pontua[cç][aã]o)\b"
    r"|错别字|錯別字|语法|語法|拼写|拼寫|标点|標點|誤字|脱字|文法|スペル|句読点|टाइपो|वर्तनी|व्याकरण",
    re.I,
)
_OWN_OBJECT_RE = re.compile(  # the ask names an object of its own: "my car", "mi coche", "mein Auto", "我的猫"
    r"(?:\b(?:my|mi|mis|mon|ma|mes|mein|meine|meinen|meinem|meiner|meu|minha|meus|minhas)\s+"
    r"|我的|我家的?|私の|うちの|僕の|मेरा\s+|मेरी\s+|मेरे\s+)"
    r"([^\W\d_][^\s\d,.!?;:'’，。！？、「」]+)",  # (a run: Devanagari vowel signs are no \w)
    re.I,
)
_WORDS_RE = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset(
    "the and for with what what's whats how why who when where which this that these those there their them they "
    "you your yours our ours have has had was were are can could would should will shall please thanks thank "
    "not but all any some just also then than from into out about over only very more most much many "
    "does did done doing make made get got let now still again here fix find change going happening "
    "que qué por porque para con una uno los las del esto eso este esta pero como cómo más muy hay "
    "les des une pour avec dans est sont pas plus mais cette ces quoi pourquoi "
    "der die das und mit für ist sind nicht auch noch wie was warum eine einen dem den des "
    "com uma um para por que porque isso isto mais muito não como".split()
)
_CJK_RUN_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff]{2,}")


def _keys(text: str) -> set[str]:
    """Content words (their first four letters) and CJK character pairs of ``text``."""
    low = text.lower()
    keys = {w[:4] for w in _WORDS_RE.findall(low) if w not in _STOP}
    for run in _CJK_RUN_RE.findall(text):
        keys.update(run[i : i + 2] for i in range(len(run) - 1))
    return keys


_PROGRAM_RE = re.compile(  # more names of a program or a piece of one (with _SYSTEM_RE's)
    r"\b(?:program\w*|loops?|regexp?|class(?:es)?|methods?|components?|branch\w*|commits?|pr|bots?|"
    r"modules?|programa\w*|programme|m[ée]todos?|m[ée]thodes?|klassen?|methoden?)\b|程序|程式|プログラム|प्रोग्राम",
    re.I,
)


def _names_own_object(ask: str, context: str) -> bool:
    """Does ``ask`` name an object of its own ("my car", "mi coche", "我的猫") that the earlier turns
    do not mention (its first four letters, or first two CJK characters)?"""
    low = context[-CONTEXT_TAIL:].lower()
    for m in _OWN_OBJECT_RE.finditer(ask):
        word = m.group(1).lower()
        if word in _STOP or _SYSTEM_RE.match(word) or _PROGRAM_RE.match(word):
            continue  # "why does MY CODE hang? fix it": the program of the earlier turns, by another name
        if (word[:2] if CJK_RE.match(word) else word[:4]) not in low:
            return True
    return False


def refers_back(ask: str, context: str) -> bool:
    """Does ``ask`` point back at the earlier turns: a word that points ("it", "these", "还是", "यह",
    "what's going on"), or a content word (its first four letters) or CJK pair they share? An ask
    that names an object of its own the earlier turns do not ("my car won't start, what's wrong with
    it?") points back only by a shared word or a report that the fault persists ("still", "again")."""
    shared = not _keys(ask).isdisjoint(_keys(context[-CONTEXT_TAIL:]))
    if _names_own_object(ask, context):
        return shared or _STILL_RE.search(ask) is not None
    return shared or _BACK_RE.search(ask) is not None


_GATE = (  # (lower case) one of these is in every ask the two expressions above take
    "fix", "repair", "patch", "debug", "cause", "going on", "wrong", "change", "figure out", "track down", "diagnos", "investigat",
    "arregl", "arrégl", "solucion", "solución", "corrig", "corríg", "corrij", "causa", "depur", "depúr", "pasa", "consert", "acontecendo", "répar",
    "débogu", "passe", "beheb", "ursache", "repari", "los", "theek", "wajah", "fail", "crash", "deadlock",
    "race", "leak", "broken", "bug", "error", "exception", "hang", "stuck", "slow", "falla", "fallo", "cuelga",
    "lent", "rot", "falh", "erro", "trav", "quebr", "plant", "erreur", "bloqu", "cass", "fehler", "abstürz",
    "stürzt", "hängt", "langsam", "kaputt",
)
_GATE_OTHER = (  # the same for the words in other scripts
    "修", "原因", "排查", "定位", "怎么回事", "怎麼回事", "直", "対策", "特定", "कारण", "वजह", "ठीक", "सुधार",
    "报错", "錯誤", "错误", "失败", "失敗", "崩", "卡", "挂了", "出错", "重启", "エラー", "落ち", "遅い",
    "止ま", "固ま", "गलत", "धीमा", "अटक",
)


def _may_debug(ask: str) -> bool:
    """A cheap first look: does ``ask`` hold one of the words the debugging expressions take?"""
    low = ask.lower()
    if any(k in low for k in _GATE):
        return True
    return not ask.isascii() and any(k in ask for k in _GATE_OTHER)


def _size(text: str) -> int:
    return len(text) + 2 * cjk_count(text[:ASK_MAX])


_SYSTEM_RE = re.compile(  # the things whose faults are debugged (loanwords in most of the languages)
    r"\b(?:tests?|builds?|deploy\w*|pipelines?|ci|services?|servers?|pods?|containers?|clusters?|nodes?|"
    r"endpoints?|api|apis|jobs?|queues?|workers?|database|db|queries|query|scripts?|functions?|code|app|"
    r"backend|frontend|cron|migrations?|kafka|redis|postgres|mysql|kubernetes|k8s|docker|lambda|"
    r"servi[cç]o|servicio|servidor|serveur|base de (?:datos|données|dados)|datenbank|dienst|"
    r"fonction|función|função|funktion|código|tâche|aufgabe)\b"
    r"|服务|服務|接口|测试|測試|数据库|數據庫|部署|脚本|腳本|代码|代碼|サーバ|テスト|デプロイ|ジョブ|"
    r"キュー|スクリプト|コード|サービス|सर्वर|टेस्ट|कोड",
    re.I,
)


_WRITING_RE = re.compile(  # the earlier turns write or discuss a piece of prose: its faults are no program's
    r"\b(?:essays?|poems?|op-?ed|blog posts?|cover letter|"
    r"ensayos?|redacci[oó]n|cuentos?|dissertations?|r[ée]dactions?|po[eè]mes?|aufsatz|aufs[äa]tze|"
    r"erörterung|gedicht\w*|reda[cç][aã]o|ensaios?|poemas?|cr[oô]nicas?)\b"
    # a piece asked for: "write an article about why standardised tests fail", "draft a review of Luigi's"
    r"|\b(?:write|draft|compose|escribe|redacta|écris|rédige|schreib\w*|escreva|escreve)\b[^.\n]{0,40}?"
    r"\b(?:articles?|reviews?|stor(?:y|ies)|speech|blog|letters?|art[ií]culos?|rese[ñn]as?|cartas?|discursos?|"
    r"artigos?|critiques?|lettres?|discours|artikel|rezension|brief|rede)\b"
    r"|作文|论文|論文|散文|エッセイ|小論文|निबंध|कविता",
    re.I,
)
_CLAUSE_END_RE = re.compile(r"[.!?;\n。！？；।]")
NEAR = 60
"""How far (characters, within one clause) a fault may stand from the system it is reported of."""


def _clause_around(text: str, start: int, end: int) -> str:
    """The clause of ``text`` around ``text[start:end]``, at most :data:`NEAR` characters either side."""
    lo, hi = max(0, start - NEAR), min(len(text), end + NEAR)
    before = [m.end() for m in _CLAUSE_END_RE.finditer(text, lo, start)]
    after = _CLAUSE_END_RE.search(text, end, hi)
    return text[before[-1] if before else lo : after.start() if after else hi]


def earlier_is_work(context: str) -> bool:
    """Do the earlier turns hold technical work: code, a config, logs, a stack trace, an agent's tool
    calls, or a fault of a program or system reported in words ("the shipping tests fail, run them":
    what an agent's conversation keeps of its turns, the tool results being left out of the text)?"""
    tail = context[-CONTEXT_TAIL:]
    if not tail.strip():
        return False
    if _CALL_RE.search(tail) or _TRACE_RE.search(tail):
        return True
    if is_code_or_log(tail):
        return True
    if _WRITING_RE.search(tail):
        return False  # an essay on standardised tests or restaurant service: its "tests fail" is prose
    # "the export job fails since Monday", "the checkout service returns 502, investigate": the fault or
    # the ask to debug in the same clause as the system, not anywhere in the turns
    return any(
        _FAULT_RE.search(clause) or _DEBUG_WORDS_RE.search(clause)
        for m in _SYSTEM_RE.finditer(tail)
        for clause in (_clause_around(tail, m.start(), m.end()),)
    )


def is_debug_ask(ask: str) -> bool:
    """Does ``ask`` ask to find a cause, fix, debug or change something (and no look-up of one
    value, no change of subject)?"""
    a = ask.strip()
    if not a or (3 * len(a) > ASK_MAX and _size(a) > ASK_MAX) or not _may_debug(a):
        return False
    if not (_DEBUG_WORDS_RE.search(a) or _FAULT_RE.search(a)):
        return False  # "why is it called Kubernetes?": a "why" alone asks for no debugging
    return not (_LIGHT_RE.search(a) or _SUCCESS_RE.search(a) or looks_up_a_value(a))


def debugs_earlier_work(text: str, ask_start: int) -> bool:
    """Is the last user message of ``text`` (from ``ask_start``) a short debugging ask whose
    object is the technical work of the earlier turns?"""
    if ask_start <= 0:
        return False
    ask = text[ask_start:]
    if not is_debug_ask(ask) or _OWN_MATERIAL_RE.search(ask) or _OTHER_TASK_RE.search(ask):
        return False  # its own material (a paragraph), or another task: a letter, a summary, a meaning
    if _EDIT_RE.search(ask):
        return False  # "fix the typo in it", "fix my essay's grammar": an edit of the wording
    if is_code_or_log(ask) or _CALL_RE.search(ask):
        return False  # its own code or logs: the message is read whole
    if not _DEBUG_WORDS_RE.search(ask) and not _STILL_RE.search(ask):
        return False  # a fault named with no report that it persists ("is it wrong to use tabs?")
    context = text[:ask_start]
    return earlier_is_work(context) and refers_back(ask, context)
