"""A short competition problem with small numbers is no arithmetic: "the remainder of 2^2025 divided
by 1000", "how many integers below 10,000 have digits summing to 10".

The ladder model reads such a line as a calculation ("what is 17*23?", "15% of 80": ``simple``):
its words are few, its numbers small, and school sums share most of them. What sets a competition
problem apart is its shape, in every language the model reads:

* a count of mathematical objects under a condition: "how many (positive) integers / pairs /
  solutions / divisors / ways …", "combien d'entiers …", "wie viele ganze Zahlen …", "多少个正整数",
  "整数はいくつ", "कितने पूर्णांक" (a count of everyday things, "how many days until Friday", "how
  many pairs of socks", "how many ways can I split a $1000 bill", is none), with a bound or a
  property (below, between, divisible, digits, such that), and over a range reaching :data:`BIG`
  a condition besides the range ("how many numbers are there between 1 and 1000?" is a
  subtraction); a pair must be of numbers, a way one to arrange, choose, place …;
* a remainder or last digits of a power or a factorial of :data:`SMALL_POWER` or more ("2^2025 mod
  1000", "resto da divisão de 2^2025 por 1000", "7^100 除以 13 的余数", "last two digits of 3^400"),
  not of a plain division or a small power ("the remainder of 17 divided by 5", "2^10 mod 7" stay
  ``simple``);
* the number of integer solutions of an equation ("x² − y² = 2024 的正整数解").

:func:`is_competition_problem` is a pure function of the text; the classifier places such a
problem at least at ``complex`` (``options: {short_problems: false}`` turns that off).
"""

from __future__ import annotations

import re

from .substrings import substrings_re

__all__ = ["MAX_CHARS", "is_competition_problem"]

MAX_CHARS = 600
"""Longer texts are left to the model (a long problem reads as work already)."""

_OBJECTS = (
    r"(?:positive |non-?negative |natural |whole |distinct |ordered |unordered |three-digit |four-digit |"
    r"five-digit |\d-digit |odd |even |prime )*"
    r"(?:integers?|numbers?|naturals?|pairs?|triples?|solutions?|divisors?|factors?|subsets?|"
    r"permutations?|arrangements?|lattice points?|primes?|multiples?|digits?|ways|sequences?|strings?|"
    r"(?:\w+ )?(?:triangles|squares|paths|committees|colou?rings|tilings))"
)
_COUNT_RE = re.compile(
    # English
    r"\bhow many " + _OBJECTS + r"\b"
    r"|\b(?:number|count) of " + _OBJECTS + r"\b"
    # Spanish, Portuguese
    r"|\bcu[aá]nt[oa]s (?:n[uú]meros|enteros|pares|soluciones|divisores|maneras|formas|subconjuntos|"
    r"permutaciones|cifras|d[ií]gitos|primos|m[uú]ltiplos|caminos|tri[aá]ngulos)\b"
    r"|\bquant[oa]s (?:n[uú]meros|inteiros|pares|solu[cç][oõ]es|divisores|maneiras|formas|subconjuntos|"
    r"permuta[cç][oõ]es|algarismos|d[ií]gitos|primos|m[uú]ltiplos|caminhos|tri[aâ]ngulos)\b"
    # French
    r"|\bcombien (?:y a-t-il )?(?:d'|de |d’)(?:entiers|nombres|couples|paires|solutions|diviseurs|fa[cç]ons|"
    r"mani[eè]res|sous-ensembles|permutations|chiffres|multiples|chemins|triangles)\b"
    # German
    r"|\bwie viele (?:positive |natürliche |ganze |verschiedene |geordnete |\w+stellige )*(?:zahlen|paare|"
    r"lösungen|teiler|möglichkeiten|teilmengen|permutationen|ziffern|primzahlen|vielfache|wege|dreiecke)\b"
    # Hindi
    r"|कितने\s+(?:धनात्मक\s+|प्राकृतिक\s+|पूर्ण\s+)?(?:पूर्णांक|संख्याएँ|संख्याएं|संख्या|जोड़े|हल|भाजक|तरीके|तरीकों)"
    r"|(?:पूर्णांक|संख्याएँ|संख्याएं|जोड़े|हल|भाजक)\s+(?:\S+\s+){0,3}कितने"
    # Chinese, Japanese
    r"|多少(?:个|個|组|組|种|種)?(?:正整数|整数|自然数|数对|有序数对|解|因数|约数|約数|质数|素数|排列|子集|方法|种方法|路径)"
    r"|(?:正整数|整数|自然数|数对|解|约数|約数|素数|質数|排列|部分集合)[^。？?！!]{0,40}?(?:多少|几|幾|いくつ|何個|何組|何通り)"
    r"|何通り|几种|幾種|共有多少组",
    re.I,
)
_BOUND_RE = re.compile(  # a bound or a property that makes the count a problem, not a look-up
    r"\b(?:below|under|less than|at most|at least|up to|between|from \d|divisible|digits?|sum(?:s|ming)? to|"
    r"such that|so that|no two|with no|without|"
    r"satisf\w+|coprime|relatively prime|palindrom\w*|perfect squares?|contain\w*|exactly|"
    r"menores? (?:que|de)|entre|divisibles?|cifras|d[ií]gitos|suman?|tales que|"
    r"inf[ée]rieurs? [àa]|entre|divisibles?|chiffres|ni par|tels? que|"
    r"kleiner als|unter|zwischen|teilbar|ziffern|so dass|sodass|"
    r"menores? que|entre|divis[ií]ve(?:is|l)|algarismos|somam|tais que)\b"
    r"|以下|以内|之间|之間|小于|小於|不超过|整除|满足|滿足|数字之和|各位|未満|の間|割り切|満たす|"
    r"से कम|के बीच|तक|विभाज्य|अंकों|[=≤≥<>]",
    re.I,
)
_POWER = r"(?:\d+\s*(?:\^|\*\*)\s*\d{2,}|\d+[⁰¹²³⁴⁵⁶⁷⁸⁹]{2,}|\d{2,}\s*!|\d+ to the (?:power of )?\d{2,})"
_POWER_RE = re.compile(_POWER)
_REMAINDER_RE = re.compile(
    r"\b(?:remainder|residue|mod(?:ulo)?|last (?:two|three|four|\d) digits|units digit|last digit|"
    r"resto|residuo|[úu]ltim[oa]s? (?:dos|tres|dois|tr[eê]s|\d) (?:cifras|d[ií]gitos|algarismos)|"
    r"reste|derniers? chiffres?|chiffre des unit[ée]s|"
    r"rest|letzten? (?:zwei|drei|\d) ziffern|einerziffer|"
    r"शेषफल|शेष)\b|余数|餘數|余り|あまり|末尾|最后两位|最後兩位|个位|個位",
    re.I,
)
_EQUATION_SOLUTIONS_RE = re.compile(  # "the integer solutions of x² − y² = 2024"
    r"\b(?:integer|positive integer|whole[- ]number) solutions?\b|\bsolutions? in (?:positive )?integers\b|"
    r"soluciones enteras|solu[cç][oõ]es inteiras|solutions enti[eè]res|ganzzahlige lösungen|"
    r"पूर्णांक हल|正整数解|整数解",
    re.I,
)


_GATE = (
    "how many", "number of", "count of", "remainder", "residu", "mod", "last ", "digit", "dígit", "solution",
    "cuánt", "cuant", "resto", "cifra", "solucion", "quant", "algarism", "soluç", "combien", "reste",
    "chiffre", "wie viel", "rest", "ziffer", "lösung", "कितन", "शेष", "हल", "多少", "几", "幾", "いくつ",
    "何個", "何組", "何通り", "余", "餘", "あまり", "末尾", "位", "解",
)
"""Words one of which every problem the expressions below take holds (lower case): a cheap first
look, so that most requests never reach the expressions (µs per request: ``Router().decide``)."""
_GATE_RE = substrings_re(_GATE)  # (the same look in one search)
_COUNT_GATE_RE = substrings_re((  # the same for :data:`_COUNT_RE` alone (lower case)
    "how many", "number of", "count of", "cuant", "cuánt", "quant",
    # ("combien", "wie viele" without the "i": under re.I an "i" also matches "İ" and "ı", whose
    # lower case is no "i")
    "comb", "ele ", "कितने", "多少", "几", "幾", "いくつ", "何個", "何組", "何通り",
))
_ASCII_DIGIT_RE = re.compile("[0-9]")  # (str.isdigit of an ASCII text; beyond it "²" is a digit too)


_WAYS = (  # a way to arrange, choose, place ... (not "ways to split a bill", "maneras de ahorrar")
    r"(?:\w+ ){0,8}?(?:arrang|rearrang|reorder|choos|chosen|select|plac|seat|sit|colou?r|distribut|partition|tile|tiling|order|"
    r"form|pick|assign|writ|express|line|stand|climb|walk|reach|paint|label|"
    r"orden|coloc|elegi|elig|escog|seleccion|sent|pint|distribu|"
    r"ordonn|arrang|plac|choisi|colori|asseoi|"
    r"anordn|anzuordn|auswähl|auszuwähl|wähl|setz|verteil|färb|einzufärb|"
    r"organiz|escolh|pint)\w*"
)
_NUMBERS = (  # a pair of numbers (not "pairs of socks", "pares de calcetines")
    r"(?:(?:positive|non-?negative|distinct|natural|whole|real|consecutive|prime) )*"
    r"(?:integers|numbers|naturals|reals|primes|digits|points|vertices|elements|letters)"
)
_HARD_RE = re.compile(  # objects or terms that make a count combinatorics, not a look-up
    r"\b(?:ordered|unordered|(?:pairs?|triples?) of " + _NUMBERS + r"|ways " + _WAYS + r"|subsets?|permutations?|"
    r"arrangements?|lattice points?|sequences?|"
    r"paths?|colou?rings?|tilings?|committees?|(?:integer|positive integer|natural|whole[- ]number) solutions?|"
    r"\d-digit|(?:two|three|four|five|six)-digit|subconjuntos|permutaciones|"
    r"caminos|soluciones enteras|(?:dos|tres|cuatro|cinco) cifras|sous-ensembles|chemins|solutions enti[eè]res|"
    r"(?:deux|trois|quatre|cinq) chiffres|teilmengen|wege|ganzzahlige|\w+stellige|caminhos|"
    r"solu[cç][oõ]es inteiras|(?:dois|tr[eê]s|quatro|cinco) (?:algarismos|d[ií]gitos)|"
    # pairs of numbers, ways to arrange, in Spanish, Portuguese, French, German
    r"(?:pares|parejas) (?:ordenad[oa]s|de (?:n[uú]meros|enteros|inteiros|d[ií]gitos|primos))|"
    r"(?:couples|paires) (?:ordonn[ée]e?s|d'entiers|de nombres|d’entiers)|"
    r"(?:geordnete |ungeordnete )?paare (?:\w+ )?(?:\w+ )?(?:zahlen|ziffern)|geordnete paare|"
    r"(?:maneras|formas|maneiras|fa[cç]ons|mani[eè]res|möglichkeiten) " + _WAYS + r")\b"
    r"|[a-z]\s*(?:\^|\*\*)\s*\d|[a-z][²³]|数对|有序|子集|排列|路径|种方法|正整数解|整数解|位数|桁|通り|जोड़े|तरीके",
    re.I,
)
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff]")
_NUMBER_RE = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?!\d)|\d+")
BIG = 500
"""A count over a range reaching this far is a problem to work out, not a fact to recall ("how many
integers below 10,000 …" against "how many prime numbers are below 50?")."""


_MONEY_RE = re.compile(
    r"[$€£¥₹]\s*[\d,.]+|[\d,.]+\s*(?:[$€£¥₹]|dollars?|euros?|pounds?|bucks|pesos|reais|rupees?|yen|yuan|"
    r"francs?|rupay\w*|रुपये|元|円)",
    re.I,
)
_RANGE_ONLY_RE = re.compile(  # bounds that only say how far the count runs ("between 1 and 1000")
    r"\b(?:below|under|less than|at most|at least|up to|between|from|and|to|"
    r"menores? (?:que|de)|entre|y|e|inf[ée]rieurs? [àa]|et|kleiner als|unter|zwischen|und|bis)\b"
    r"|以下|以内|之间|之間|小于|小於|不超过|未満|の間|से कम|के बीच|तक|[<>≤≥]",
    re.I,
)

_PROPERTY_RE = re.compile(  # a property of the counted numbers that the bound words do not name
    r"\b(?:multiples?|neither|nor|but not|primes?|squares?|cubes?|coprime|m[uú]ltiplos?|cuadrados?|ni|"
    r"carr[ée]s|premiers|vielfache\w*|weder|quadratzahlen|primzahlen|nem|quadrados?)\b"
    r"|倍数|素数|质数|質数|平方数|गुणज|अभाज्य",
    re.I,
)

_PLAIN_COUNT_RE = re.compile(  # a count of the numbers themselves (not of triangles, paths ... over them)
    r"\b(?:numbers?|integers?|naturals?|n[uú]meros|enteros|inteiros|entiers|nombres|zahlen)\b"
    r"|整数|自然数|पूर्णांक|संख्या",
    re.I,
)


def _largest(text: str) -> int:
    """The largest number of ``text`` that is no sum of money ("split a $1000 bill" runs over no range)."""
    text = _MONEY_RE.sub(" ", text)
    return max((int(re.sub(r"\D", "", n)) for n in _NUMBER_RE.findall(text)), default=0)


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_POWER_PARTS_RE = re.compile(
    r"(\d+)\s*(?:\^|\*\*)\s*(\d+)|(\d+)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\d+) to the (?:power of )?(\d+)|(\d+)\s*!"
)
SMALL_POWER = 2**20
"""A power or factorial below this is arithmetic to carry out ("what is 2^10 mod 7?"), not a problem."""


def _big_power(text: str) -> bool:
    """Does ``text`` hold a power or factorial of :data:`SMALL_POWER` or more (``2^2025``, ``12!``)?"""
    for m in _POWER_PARTS_RE.finditer(text):
        g = m.groups()
        if g[6] is not None:
            n = int(g[6])
            if n > 9:  # 10! = 3,628,800
                return True
            continue
        base, exp = (g[0], g[1]) if g[0] else (g[2], g[3].translate(_SUPERSCRIPT)) if g[2] else (g[4], g[5])
        b, e = int(base), int(exp)
        if b > 1 and (e > 64 or b**e >= SMALL_POWER):
            return True
    return False


def is_competition_problem(text: str) -> bool:
    """Is ``text`` a short competition-style problem: a count of mathematical objects under a
    condition (over a range reaching :data:`BIG`, or of combinatorial objects, or with a power),
    a remainder or last digits of a power or factorial, or the integer solutions of an equation?"""
    t = text.strip()
    if not t or len(t) > MAX_CHARS or not (_ASCII_DIGIT_RE.search(t) if t.isascii() else any(map(str.isdigit, t))):
        return False
    low = t.lower()
    if _GATE_RE.search(low) is None:
        return False
    # (each test cheapest first: the power and the "=" are rarer than the words around them)
    power = _POWER_RE.search(t) is not None
    if power and _REMAINDER_RE.search(t) and _big_power(t):
        return True
    if "=" in t and _EQUATION_SOLUTIONS_RE.search(t):
        return True
    if _COUNT_GATE_RE.search(low) is None:
        return False  # no count's words: the count expression finds nothing
    m = _COUNT_RE.search(t)
    if m is None:
        return False
    if power:  # "how many divisors does 12! have?", "… 2^10 · 3^5"
        return True
    # the bound is looked for outside the count's own words ("how many digits …"), except where the
    # count spans the condition (Chinese, Japanese: "整数のうち、4でも6でも割り切れないものはいくつ")
    rest = t if _CJK_RE.search(m.group()) else t[: m.start()] + " " + t[m.end() :]
    bounds = [b.group() for b in _BOUND_RE.finditer(rest)]
    if not bounds:
        return False
    if _HARD_RE.search(t) is not None:
        return True
    # over a long range, a condition besides the range ("how many numbers are there between 1 and 1000?"
    # counts by subtraction)
    if _largest(t) < BIG:
        return False
    if _PLAIN_COUNT_RE.search(m.group()) is None or not all(_RANGE_ONLY_RE.fullmatch(b) for b in bounds):
        return True
    return _PROPERTY_RE.search(rest) is not None
