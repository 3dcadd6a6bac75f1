"""The words of a short ask about pasted material, in eight languages: is a paragraph an ask,
does it name a task, does it ask for advice, for every item of a kind, or for one value?

Part of :mod:`.pasted`. Word lists are deliberately short and checked by
``benchmarks/pasted_asks.py`` on sets written apart; pure functions of the text.
"""

from __future__ import annotations

import re

from .pasted_letters import first_person, looks_like_letter  # re-exported (in __all__)

__all__ = [
    "first_person",
    "is_ask",
    "is_presentation",
    "is_sign_off",
    "looks_like_letter",
    "looks_up_a_value",
    "names_a_task",
    "over_all",
    "strip_label",
]

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
    "compare rewrite reply respond answer convert check identify name count classify please pls remind "
    "shorten simplify proofread edit paraphrase condense outline tl tldr walk add document describe "
    "erklär erkläre erklären explique explícame explica "
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
CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff]")
"""Chinese and Japanese characters (scripts written without spaces)."""
_CJK_RUN_RE = re.compile(CJK_RE.pattern + "+")


def cjk_count(text: str) -> int:
    """``len(CJK_RE.findall(text))``, counted by runs: a string per run of CJK characters, not one per
    character (~3x faster on a Chinese line: the per-request size tests of the ladder's rules)."""
    return sum(map(len, _CJK_RUN_RE.findall(text)))
_CJK_ASK_RE = re.compile(
    "(?:吗|嗎|什么|什麼|哪|几|幾|多少|请|請|ください|下さい|ですか|ますか|何|いつ|どこ|誰|どれ|"
    "解释|解釋|説明|说明|总结|總結|翻译|翻訳|まとめ|要約|帮我|幫我)"
)


_HI_ASK_RE = re.compile(r"(?:दीजिए|दीजिये|दें|बताइए|बताइये|बताओ|बताएं|समझाइए|समझाओ|करें|करो|लिखिए|लिखो)\s*[।.!]?\s*$")
DEIXIS_RE = re.compile(  # words that point at the material
    r"\b(?:this|these|that|below|following|here|esto|este|esta|estos|estas|siguiente|aquí|"
    r"ceci|cette|ces|suivant|suivante|ci-dessous|voici|dies|diese|dieser|diesen|dieses|folgende|"
    r"folgenden|unten|hier|isto|isso|seguinte|abaixo|aqui)\b|这|這|以下|下面|下記|この|次の|यह|इस|नीचे",
    re.I,
)


_STATEMENT_RE = re.compile(
    r"[;{}]\s*$|^\s*(?:CREATE|SELECT|INSERT|UPDATE|DELETE|ALTER|DROP|WITH)\s+[A-Z(]"
    r"|^\s*(?:def|class|import|return|func|fn|const|var|let|public|private)\s+[\w.(]+\s*[=(:{<]"
)


def is_ask(para: str, *, lead_in: bool) -> bool:
    """A question or an instruction: a ``?``, a question or imperative opening word, a
    ``Question:`` label, or (``lead_in``: the first paragraph) a line that introduces what
    follows with a colon and points at it ("TL;DR this for me:"; "Evidence table I compiled:"
    is a heading)."""
    p = para.strip()
    if not p or _STATEMENT_RE.search(p) or is_presentation(p):
        return False  # a line of the pasted code ("CREATE INDEX ...;"), "Here is the report:"
    if "?" in p or "？" in p or "¿" in p or _LABEL_RE.match(p):
        return True
    if lead_in and p[-1] in ":：" and DEIXIS_RE.search(p):  # "TL;DR this for me:", not a heading
        return True
    words = _WORD_RE.findall(_GREETING_RE.sub("", p[:50], count=1).lower())
    if words and words[0] in _OPENER_SET:
        return True
    if _REQUEST_RE.match(_GREETING_RE.sub("", p, count=1)):  # "tu peux me résumer ce courrier", "kannst du …"
        return True
    if _HI_ASK_RE.search(p):  # Hindi: a polite imperative at the end ("... समझा दीजिए")
        return True
    # a request in Chinese or Japanese: one line (a notice's "※ご遠慮ください" lines are not asks)
    return "\n" not in p and bool(CJK_RE.search(p) and _CJK_ASK_RE.search(p))


_MANY_RE = re.compile(
    r"\b(?:(?:what|which|who) (?:are|were)|which \w+[^s\W]s|all|every|each|list|"  # English
    r"cuáles|cuales|todas|todos|cada|lista|enumera|"  # Spanish
    r"quels|quelles|tous|toutes|chaque|liste|"  # French
    r"welche|alle|jede|jeden|jeder|"  # German
    r"quais|listar)\b"  # Portuguese
    r"|すべて|全部|全て|一覧|所有|哪些|列出|सभी|सारे|सूची",
    re.I,
)


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


_ADVICE_RE = re.compile(
    r"\b(?:recommend\w*|suggest\w*|advi[cs]e\w*|should (?:i|we)|would you|which (?:option|one|approach|"
    r"would|is better|should)|am i missing|missing anything|reasonable|sensible|double[- ]check|"
    r"sanity[- ]check|worth it|go with|pick|choose|decide|sign (?:this|it)|pros and cons|good idea|"
    r"recomiend\w*|recomend\w*|aconsej\w*|deber[ií]a\w*|recommand\w*|conseill\w*|devrai[st]|devrions|"
    r"empfiehl\w*|empfehl\w*|sollte\w*|würdest|deveri\w*|harías|ferais|faria|"
    # a judgement on the material: "Is this a good plan? Be honest.", "Does this hold up?"
    r"good plan|honest\w*|holds? up|weak (?:spot|point)s?|holes|risky|naive|realistic|make sense|"
    r"makes sense|rate (?:this|it|my)|tient la route|oubli\w*|réaliste|passt das|sinnvoll|realistisch|"
    r"vale la pena|faz sentido|realista|estoy loco|do you think|you reckon|fair|convincing|weakest|"
    r"leaving out|worry|wirksam|worauf|what should|deve fazer|debe hacer|doit faire|"
    r"was soll)\b"
    r"|建议|建議|推荐|推薦|应该|應該|怎么办|怎麼辦|どうすれば|どうしたら|おすすめ|べき|どちら|सलाह|चाहिए",
    re.I,
)
_CJK_VAGUE_RE = re.compile("怎么看|怎麼看|你觉得|你覺得|意见|意見|どう思い|どうですか|いかが")


_SUBJECT_RE = re.compile(r"\b(?:comply|complian\w*|negotiat\w*)\b", re.I)
"""Subjects of advice ("how do we negotiate this?") that a who/when/where question only names
("Who leads the negotiation?": a look-up of one value)."""
_WHO_WHEN_RE = re.compile(
    r"^\W*(?:who|whom|when|where|qui[eé]n|cu[aá]ndo|d[oó]nde|qui|quand|où|wer|wann|wo|quem|quando|onde)\b"
    r"|^\W*(?:谁|誰|什么时候|何时|いつ|どこ|कौन|कब|कहाँ|कहां)",
    re.I,
)


def asks_advice(ask: str) -> bool:
    """"What would you recommend?", "Does this hold up?", "你怎么看？": advice or a judgement."""
    if _ADVICE_RE.search(ask) or _CJK_VAGUE_RE.search(ask):
        return True
    return bool(_SUBJECT_RE.search(ask)) and not _WHO_WHEN_RE.match(ask)


def names_a_task(ask: str) -> bool:
    """Does ``ask`` say what to do with the material ("What was the churn rate?", "Summarise
    this in three bullets") rather than only point at it ("Thoughts?", "Is this correct?",
    "Fix it", "你怎么看？") or ask for advice on it ("What would you recommend?", "Should we
    sign?": the material is the situation to weigh, so the whole message is the task)?"""
    if asks_advice(ask):
        return False
    words = [w.strip("'’-") for w in _WORD_RE.findall(CJK_RE.sub(" ", ask.lower()))]
    if any(w and w not in _GENERIC for w in words):
        return True
    return cjk_count(ask) >= 4  # a CJK ask of a few characters names its own task


_PRESENT_RE = re.compile(
    r"^(?:here(?:'s| is| are)|below (?:is|are)|this is|these are|attached|i(?:'ve| have) (?:attached|pasted|"
    r"copied)|pasting|voici|voilà|ci-dessous|aquí (?:está|están|tienes|va|van)|abajo|esto es|hier (?:ist|sind|"
    r"kommt)|anbei|segue|aqui (?:está|estão)|abaixo|这是|以下是|下面是|これは|以下は|नीचे)",
    re.I,
)


_RECEIVED_RE = re.compile(  # "I got this from the landlord:", "me ha llegado esto del banco:", "收到这个："
    r"\b(?:got|received|was sent|were sent|sent me|forwarded|pasted|copied|"
    r"llegado|lleg[óo]|recibido|recib[íi]|mandado|mandaron|enviado|enviaron|pego|pegado|"
    r"reçu|re[çc]u|envoy[ée]e?s?|transf[ée]r[ée]|coll[ée]|"
    r"bekommen|erhalten|gekriegt|geschickt|weitergeleitet|kopiert|eingefügt|"
    r"recebi|recebemos|recebido|chegou|mandaram|enviaram|encaminhad[oa]|colei|colado)\b"
    r"|收到|发来|發來|发的|發的|转发|轉發|届いた|来た|きた|送られて|貼り|आया|आई|आए|मिला|मिली|भेजा|भेजी",
    re.I,
)
_HI_THIS_IS_RE = re.compile(r"^(?:यह|ये|ये रहा|यह रहा)\s[^:：]{0,80}(?:है|हैं)\s*[:：]$")
"""Hindi "this is …:" ("यह मेरे टिकट का मैसेज है:"), as "This is the report we got:"."""


def is_presentation(para: str) -> bool:
    """"Here is our Q3 report:", "I got this from the bank:", "me ha llegado esto:", "收到这个：": a
    line that presents the material, not an ask (no question in it, and a colon-ended line that
    says the material was received asks nothing of its own: no ask word opens it)."""
    p = para.strip()
    if _QUESTION_RE.search(p):
        return False
    if _PRESENT_RE.match(p) or _HI_THIS_IS_RE.match(p):
        return True
    if not p.endswith((":", "：")) or len(p) > 120 or not _RECEIVED_RE.search(p):
        return False
    words = _WORD_RE.findall(_GREETING_RE.sub("", p[:50], count=1).lower())
    return not (words and words[0] in _OPENER_SET) and not _CJK_ASK_RE.search(p)


_SIGN_OFF_RE = re.compile(
    r"^(?:(?:many |thanks a lot|thank you|thanks|thx|ty|cheers|best|regards|kind regards|best regards|"
    r"merci|danke|gracias|obrigad[oa]|grazie|saludos|grüße|cordialement|谢谢|ありがとう|धन्यवाद)\b[^\n]{0,30}"
    r"(?:\n[^\n]{1,40})?|(?:--|—|–) ?\S[^\n]{0,40})$",
    re.I,
)


def is_sign_off(para: str) -> bool:
    """"Thanks!", "-- Sam", "Cheers,\nMaria": a closing line after the ask."""
    return bool(_SIGN_OFF_RE.match(para.strip()))


_GREETING_RE = re.compile(r"^(?:hi|hello|hey|hallo|hola|bonjour|salut|olá|oi|ciao|dear \w+)\b[\s,!.]*", re.I)
_REQUEST_RE = re.compile(
    r"^(?:please |pls |(?:can|could|would|will) you (?:please )?|puedes |podrías |me puedes |pourrais-tu |"
    r"pouvez-vous |peux-tu |tu peux |kannst du |könntest du |können sie |pode |poderia |você pode )",
    re.I,
)
_LOOKUP_VERBS = frozenset(
    "tell find give show look check get confirm quote dime dame busca encuentra muestra donne trouve "
    "montre sag gib finde zeig diga encontre mostre".split()
)
_QUESTION_WORDS = frozenset(
    "what what's whats who whose whom when where which how why is are was were did does do has have "
    "qué que cuál cual cuáles cuándo cuando dónde donde quién quien cómo como cuánto cuántos cuántas "
    "qual quais quando onde quem quanto quantos quantas quel quelle quels quelles quand où qui comment "
    "pourquoi combien est-ce was wer wann wo wie warum welche welcher welches wieviel".split()
)
_CJK_REQUEST_RE = re.compile("请|請|ください|下さい|してほしい|帮我|幫我|给我|給我|麻烦|麻煩")
_CJK_OVER_ALL_RE = re.compile("总结|總結|概括|归纳|歸納|まとめ|要約|翻译|翻譯|翻訳|改写|改寫|润色|潤色|書き直|列出|一覧")
"""Summarise, translate, rewrite, list: a task over the whole material (as "Summarise this" is)."""
_QUESTIONS_RE = re.compile("[?？]+")


def over_all(ask: str, *, lead_in: bool) -> bool:
    """Is ``ask`` carried out over the whole material (at least ``medium``): a colon lead-in,
    an ask for every item of a kind ("what are the action items?"), or an instruction rather
    than a question ("Translate to English please.", "Can you write up minutes from this?"),
    except the look-up verbs ("Tell me the total.", "Find the phone number")?"""
    if lead_in or _MANY_RE.search(ask) or len(_QUESTIONS_RE.findall(ask)) >= 2:
        return True  # ... or two questions: "Is the comparison fair? What is it leaving out?" ("??" is one)
    a = _GREETING_RE.sub("", ask.strip().lstrip("¿¡"), count=1)
    body = _REQUEST_RE.sub("", a, count=1)
    if CJK_RE.search(body):
        if _CJK_OVER_ALL_RE.search(body):  # "总结一下", "3行でまとめて": over all of it, asked or not
            return True
        return bool(_CJK_REQUEST_RE.search(body)) and not _QUESTION_RE.search(body)
    words = _WORD_RE.findall(body[:40].lower())
    if not words or words[0] in _LOOKUP_VERBS:
        return False
    if body != a:  # "can you ...": the verb decides, a question mark does not
        return True
    return words[0] not in _QUESTION_WORDS and not _QUESTION_RE.search(body)


def strip_label(ask: str) -> str:
    """The ask without a ``Question:`` label ("" for a bare label)."""
    return _LABEL_RE.sub("", ask, count=1).strip()


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
    r"is there|are there|race conditions?|inject\w*|risk\w*|vulnerab\w*|complexity|o\(|deadlock\w*|"
    r"thread[- ]safe|exposed to|internet|ok|okay|fine|right|good|look at|take a look|change\w*|"
    r"what (?:does|do|did) (?:this|it|that|these)|"
    r"por ?qu[ée]|errou?r?\w*|falla\w*|fallo|arregl\w*|corrig\w*|corrij\w*|mal|lent[oa]?|pourquoi|"
    r"erreur|faux|fausse|warum|fehler\w*|falsch|langsam|kaputt|beheb\w*|repar\w*|errad[oa]|falha\w*|"
    r"funciona|fonctionne|funktioniert|हो रहा|क्यों|गलत)\b"
    r"|为什么|為什麼|なぜ|どうして|错误|錯誤|エラー|バグ|修正|问题|問題|失败|失敗|遅い|慢"
    r"|解释|解釋|説明|说明|意味|含义|作用|どういう|関係|关系",
    re.I,
)
_JUDGE_Q_RE = re.compile(  # "is this idiomatic?", "will it scale?", "any edge cases?", "am I close?"
    r"(?:any|am i|(?:does|do|did|will|would|can|could|should|has|have)\s+(?:this|it|that|these|those|i|we|my|"
    r"our|the (?:code|function|script|query|config|file|setup|approach))\b"
    r"|(?:is|are|was|were)\s+(?:this|it|that|these|those|my|our)\s+[\w-]+\s*[?？]?\s*$)",  # not "is this order paid?"
    re.I,
)
_CJK_LOOKUP_RE = re.compile("几|幾|多少|哪|什么|什麼|いくつ|どの|どこ|いつ|何|[はが][？?]\\s*$")


def looks_up_a_value(ask: str) -> bool:
    """Is ``ask`` a question after one stated value ("which port does it listen on?", "how many
    replicas?", "当前用的是哪个版本？") rather than a request to explain, debug or review?"""
    a = ask.strip().lstrip("¿¡")
    if len(a) > 150 or _NOT_LOOKUP_RE.search(a) or _JUDGE_Q_RE.match(a):
        return False
    if _LOOKUP_RE.match(a):
        return True
    if a.endswith(("?", "？")) and len(_WORD_RE.findall(a)) <= 3 and not CJK_RE.search(a):
        return names_a_task(a)  # "db host?" (not "Thoughts?")
    return bool(CJK_RE.search(a) and _CJK_LOOKUP_RE.search(a))


_EXPLAIN_RE = re.compile(
    r"\b(?:explain\w*|walk (?:me )?through|step by step|in plain|plain (?:english|words|language)|describe\w*|"
    r"summar\w*|convert\w*|translate\w*|port (?:this|it) to|rewrite (?:this|it) (?:in|as)|comment\w*|"
    r"docstrings?|document (?:this|it)|rename\w*|readab\w*|what (?:does|do) (?:this|it|that|these)\b[^?]*\bdo|"
    r"expl[ií]ca\w*|explique\w*|erklär\w*|zusammenfass\w*|fass\w* [^.?]*zusammen|resum\w*|konvertier\w*|"
    r"umwandel\w*|traduz\w*|tradu\w*|kommentar\w*|comenta\w*|commente\w*|o que (?:isso|isto|esse|este) faz|"
    r"qu(?:é|e) hace|ce que fait|was macht)"
    r"|解释|解釋|説明|说明|总结|總結|要約|まとめ|変換|转换|轉換|翻译|翻訳|注释|注釈|コメント|समझा\w*|सारांश",
    re.I,
)
_DEBUG_RE = re.compile(
    r"\b(?:why|wrong|fail\w*|error\w*|bug\w*|fix\w*|correct\w*|slow\w*|review\w*|improv\w*|refactor\w*|"
    r"optimi\w*|secur\w*|safe\w*|better|should|problem\w*|issue\w*|crash\w*|leak\w*|cause\w*|going on|race|"
    r"inject\w*|risk\w*|vulnerab\w*|complexity|deadlock\w*|ok|okay|fine|change|look at|take a look|check\w*|"
    r"any comments?|thoughts|feedback|opinion\w*|"
    r"por ?qu[ée]|falla\w*|fallo|arregl\w*|corrig\w*|corrij\w*|mejor\w*|pourquoi|erreur|faux|warum|fehler\w*|"
    r"falsch|verbesser\w*|errad[oa]|falha\w*|melhor\w*)\b"
    r"|为什么|為什麼|なぜ|どうして|错误|錯誤|エラー|バグ|修正|问题|問題|失败|失敗|改善|优化|क्यों|गलत",
    re.I,
)


def explains_code(ask: str) -> bool:
    """Is ``ask`` a medium-level request over code, a config or logs: explain it, walk through
    it, summarise it, convert it, comment it ("Can you explain what this script does?",
    "convert this to JSON"), with no debugging or review in it ("why", "fix", "is this ok?")?"""
    a = ask.strip()
    return len(a) <= 150 and not _DEBUG_RE.search(a) and bool(_EXPLAIN_RE.search(a))
