"""A short ask to design a large software system: "How would you design a distributed cache?".

The ladder model learnt system design from long, detailed asks ("Design the architecture of a
ride-sharing app for 10M riders: …"); a short question in the interview form reads to it like a
chat line ("how would you …?") and went to ``simple`` at 0.9 and more, in every language. Yet the
short form asks for the same work: the components, the data flow, the trade-offs, the failure modes.
:func:`designs_a_system` takes such an ask when all of these hold, in the eight languages the model
reads:

* it is short (:data:`MAX_CHARS`; a Chinese or Japanese character counts three times): a long ask
  is read well by the model already;
* it asks to design or architect something: "how would you design", "how do I design", "can you
  design", "design a …", "¿cómo diseñarías …?", "comment concevriez-vous …", "wie würdest du … entwerfen",
  "como você projetaria …", "如何设计", "設計して", "डिज़ाइन करो", "architect";
* what it designs is a large system: a distributed, scalable or highly available service, store or
  platform; a kind of system known from such designs (a cache, a rate limiter, a URL shortener, a
  payment system, a news feed, a chat backend, a search engine, a message queue, a booking system);
  or a well-known product's system ("Uber", "Twitter's timeline", "a WhatsApp clone").

A logo, a poster, a birthday card, a kitchen or a garden is no such system; "what is system design?"
and "explain what a cache is" ask for no design; "design a database schema for a library" is a
schema (complex work the model reads well), not a system. Pure functions of the text.
"""

from __future__ import annotations

import re

from .pasted_words import CJK_RE

__all__ = ["MAX_CHARS", "designs_a_system"]

MAX_CHARS = 240
"""Longer asks are left to the model (it reads the long, detailed form of a design well)."""

_VERB_RE = re.compile(
    # English: the interview question, a request, an imperative at the start
    r"\b(?:how (?:would|should|could|do|can|might|will) (?:you|i|we|one) (?:go about )?(?:design|architect|build|scale)|"
    r"how to (?:design|architect)|(?:can|could|would|will) you (?:please )?(?:design|architect)|"
    r"(?:help me|let's|lets|i need to|i want to|we need to) (?:design|architect)|"
    r"walk me through (?:the )?(?:design|architecture) of|(?:system )?design (?:for|of) (?:a|an|the)|"
    r"^\W*(?:please |pls |now |ok,? )?(?:design|architect)|"
    # Spanish, Portuguese
    r"c[oó]mo (?:(?:voc[eê]s?|vc|tu|usted|ustedes) )?(?:dise[nñ]ar[ií]as?|dise[nñ]ar[ií]an|dise[nñ]ar[ií]a|dise[nñ]o|dise[nñ]amos|dise[nñ]ar|"
    r"projetaria|projetar|projeto|desenharia|arquitetaria)|"
    r"(?:puedes|podr[ií]as|pode|poderia|podes) (?:\w+ )?(?:dise[nñ]ar|projetar|desenhar)|"
    r"^\W*(?:dise[nñ]a|dise[nñ]e|projete|projeta)\b|"
    # French
    r"comment (?:concevriez|concevrais|concevoir|conçois|concevez|architectureriez|designeriez)|"
    r"(?:pouvez|peux|pourriez|pourrais)[- ](?:vous|tu) (?:\w+ )?concevoir|^\W*(?:con[cç]ois|concevez)\b|"
    # German
    r"wie (?:w[üu]rdest du|w[üu]rden sie|w[üu]rde man|entwirft man|entwerfe ich|designt man|baut man)|"
    r"(?:kannst du|k[öo]nnen sie|k[öo]nntest du) [^?]{0,60}(?:entwerfen|designen)|^\W*(?:entwirf|entwerfen sie)\b|"
    # Hindi in Latin letters
    r"design kar(?:o|en|enge|oge|iye|ein)|design kaise)\b"
    # Chinese, Japanese, Hindi
    r"|设计|設計|डिज़ाइन|डिजाइन|आर्किटेक्चर",
    re.I | re.M,
)
_SYSTEM_RE = re.compile(
    # a system known from such designs
    r"\b(?:caches?|caching layer|rate[- ]?limit\w*|url[- ]?shorten\w*|link shorten\w*|short(?:ened)? links?|"
    r"payments?(?: system| platform| service| gateway| processing| backend)|payment system|"
    r"news ?feeds?|(?:home|user|social|news) (?:feed|timeline)s?|chat (?:app|system|service|backend|server)|messaging (?:app|system|service|backend|platform)|"
    r"notification (?:system|service)|search (?:engine|backend|system|service)|web ?crawler|crawler|"
    r"key[- ]value stores?|kv stores?|message (?:queue|broker|bus)|job (?:queue|scheduler)|task queue|pub[/-]?sub|"
    r"load balanc\w*|cdn|content delivery network|ride[- ]?(?:sharing|hailing)|food delivery|"
    r"(?:ticket(?:ing)?|booking|reservation) (?:system|platform|service|backend)|e-?commerce (?:platform|backend|system|site)|"
    r"(?:video|live|music) streaming|streaming (?:platform|service)|recommendation (?:system|engine|service)|"
    r"leaderboards?|file (?:storage|sharing|sync\w*|hosting)|object storage|social network|microservices?|"
    r"distributed (?!teams?\b|workforce\b|work\b)(?:\w+ ){0,2}\w+|(?:highly available|high[- ]availability|fault[- ]tolerant|scalable|"
    r"high[- ]throughput|low[- ]latency|multi[- ]region|globally distributed|real[- ]time) (?:\w+ ){0,2}"
    r"(?:system|service|platform|app|application|backend|architecture|api|store|database|queue|pipeline)|"
    r"(?:backend|back end|architecture|infrastructure) (?:for|of)|api gateway|autocomplete|typeahead|"
    r"pastebin|tinyurl|bit\.?ly|uber|lyft|twitter|instagram|facebook|whatsapp|telegram|wechat|weibo|"
    r"netflix|youtube|tiktok|spotify|dropbox|google (?:docs|drive|maps|search)|gmail|airbnb|slack|discord|"
    r"zoom|amazon|ticketmaster|reddit|yelp|doordash|venmo|paypal|stripe|bizum|upi|irctc|"
    # Spanish, Portuguese
    r"acortador\w*|encurtador\w*|cach[eé] distribuid[ao]|limitador\w*|sistema de (?:pagos?|pagamentos?|reservas|mensajer[ií]a|"
    r"mensagens|notificaciones|notifica[cç][oõ]es|recomendaci[oó]n|recomenda[cç][aã]o|colas|filas|archivos|arquivos)|"
    r"motor de b[uú]squeda|mecanismo de busca|plataforma de (?:pagos?|pagamentos?|streaming|v[ií]deo)|"
    # French
    r"syst[eè]me de (?:cache|paiement|r[ée]servation|messagerie|notifications?|recommandation|files? d'attente)|"
    r"raccourcisseur\w*|limiteur\w*|moteur de recherche|file d'attente distribu[ée]e|"
    # German
    r"verteilte[nrs]? (?!teams?\b)\w+|zahlungs(?:system|plattform|dienst)\w*|buchungssystem\w*|nachrichtensystem\w*|"
    r"url-k[üu]rzer\w*|ratenbegrenz\w*|suchmaschine\w*|empfehlungssystem\w*|warteschlange\w*|"
    r"(?:hochverf[üu]gbare[nrs]?|skalierbare[nrs]?|ausfallsichere[nrs]?) \w+)\b"
    # Chinese, Japanese, Hindi (and the loanwords above in their scripts)
    r"|分布式|高可用|高并发|缓存|緩存|限流|短链|短鏈|短网址|支付系统|支付系統|消息队列|訊息佇列|推荐系统|秒杀|"
    r"搜索引擎|信息流|feed流|时间线|分散|キャッシュ|レートリミット|短縮URL|URL短縮|決済|メッセージキュー|"
    r"検索エンジン|タイムライン|レコメンド|高可用性|スケーラブル|"
    r"कैश|पेमेंट सिस्टम|भुगतान प्रणाली|डिस्ट्रिब्यूटेड|वितरित|स्केलेबल|रेट लिमिटर|यूआरएल शॉर्टनर",
    re.I,
)
_NOT_A_SYSTEM_RE = re.compile(  # what a design of the object makes it: a schema, a graphic, a room
    r"\b(?:schema|schemas|tables?|er diagram|class diagram|logos?|posters?|flyers?|cards?|t-?shirts?|"
    r"banners?|icons?|backgrounds?|wallpapers?|fonts?|covers?|invitations?|tattoos?|gardens?|kitchens?|rooms?|outfits?|"
    r"esquema|tablas?|tabelas?|sch[ée]ma|tableaux?|tabellen?|logotipo|cartel|affiche|plakat|cart[aã]o|carte|karte)\b"
    r"|表结构|数据表|テーブル|スキーマ|ロゴ|ポスター|टेबल|लोगो|पोस्टर",
    re.I,
)
_MEANING_RE = re.compile(  # "what is system design?", "what does a load balancer do?": no design asked for
    r"^\W*(?:what(?:'s| is| are| does)|explain|define|qu[eé] es|qu'est-ce|was ist|o que [eé]|什么是|とは)\b",
    re.I,
)


_GATE = ("design", "architect", "build", "scale", "baut", "diseñ", "disen", "projet", "desenh", "arquitet", "conce", "conç",
         "entw", "設計", "设计", "डिज़ाइन", "डिजाइन", "आर्किटेक्चर")
"""Words one of which every ask :data:`_VERB_RE` takes holds (lower case): a cheap first look, so that
most requests never reach the expressions."""


def _size(text: str) -> int:
    return len(text) + 2 * len(CJK_RE.findall(text[: MAX_CHARS + 1]))


def designs_a_system(text: str) -> bool:
    """Is ``text`` a short ask to design a large software system ("How would you design Uber?",
    "¿Cómo diseñarías un acortador de URLs?", "如何设计一个分布式缓存？")?"""
    t = text.strip()
    if not t or len(t) > MAX_CHARS:
        return False
    low = t.lower()
    if not any(k in low for k in _GATE) or _size(t) > MAX_CHARS:
        return False
    if _VERB_RE.search(t) is None or _MEANING_RE.search(t):
        return False
    if _NOT_A_SYSTEM_RE.search(t):
        return False
    return _SYSTEM_RE.search(t) is not None
