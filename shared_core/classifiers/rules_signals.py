"""The rules' difficulty signals: regexes gated by cheap substring tests.

Each signal that fires proposes a difficulty in [0, 1] and a confidence; see
:func:`estimate_difficulty` for how they combine.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Signal", "estimate_difficulty"]


class _LazyRe:
    """A regex compiled on first use, so importing the package compiles nothing."""

    __slots__ = ("_args", "_re")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._re: re.Pattern[str] | None = None

    def _get(self) -> re.Pattern[str]:
        if self._re is None:
            self._re = re.compile(*self._args)
        return self._re

    def search(self, text: str) -> re.Match[str] | None:
        return self._get().search(text)

    def match(self, text: str) -> re.Match[str] | None:
        return self._get().match(text)

    def findall(self, text: str) -> list[Any]:
        return self._get().findall(text)


_I = re.IGNORECASE
_IM = re.IGNORECASE | re.MULTILINE


@dataclass(frozen=True)
class Signal:
    """One rule: a name, a pattern test, the difficulty it proposes and how sure it is."""

    name: str
    difficulty: float
    confidence: float


# -- easy signals (only trusted on short texts) -------------------------------------
_GREETING = _LazyRe(
    r"^\W*(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening|night)|thanks?( you)?( so much)?"
    r"|thx|ty|cheers|ok(ay)?|cool|great|nice|bye|goodbye|see you|how are you( doing)?( today)?"
    r"|what'?s up|gm|hallo|bonjour|hola|ciao|merci|danke|gracias)"
    r"\b[\s\W]*(there|all|everyone|again|friend|bot)?[\s\W]*$",
    _I,
)
_FACT = _LazyRe(
    r"^\W*(what|who|when|where|which|how (many|much|old|tall|far|long|big))\b"
    r"(\s+(is|was|are|were|did|does|do)\b)?",
    _I,
)
_DEFINE = _LazyRe(r"^\W*(define|definition of|meaning of|what does \S+ mean|spell)\b", _I)
_YES_NO = _LazyRe(
    r"^\W*(is|are|was|were|does|do|did|can|could|has|have|will|should)\s+\w[^?]{0,100}\?\s*$", _I
)
_FORMAT = _LazyRe(
    r"\b(re-?format|format (this|these|it|the following)|convert (this|these|it|the following)"
    r"|to (upper|lower|title)[ -]?case|capitali[sz]e|upper-?case|lower-?case|bullet(ed)? (points?|list)"
    r"|fix (the |my |any )?(typos?|spelling|grammar|punctuation)|proof-?read|spell-?check"
    r"|translate (this|these|it|the following|to|into)|rephrase|paraphrase|reword"
    r"|alphabeti[sz]e|sort (these|this|the following)|make (it|this) (shorter|more formal|polite)"
    r"|as a (table|json|csv|list))\b",
)  # matched against lower-cased text

# -- hard signals ----------------------------------------------------------------------
_CODE_LINES = _LazyRe(
    r"^\s*(def |class |import |from \S+ import|#include|public (static )?\w|fn |func |let |const |var "
    r"|function\b|SELECT\b.+\bFROM\b|return\b|if\s*\(|for\s*\(|while\s*\(|\}\s*$)",
    re.MULTILINE,
)
_TRACE = _LazyRe(
    r"Traceback \(most recent call last\)|^\s+at [\w.$<>]+\(.*:\d+\)|Exception in thread|^panic: "
    r"|Segmentation fault|core dumped|error\[E\d{4}\]|^\s*File \".+\", line \d+|\w+(Error|Exception): \S"
    r"|Uncaught \w+Error|stack ?trace",
    _IM,
)
_PROOF = _LazyRe(
    r"\b(prove|proof|show that|demonstrate that|theorem|lemma|corollary|rigorous(ly)?|by induction"
    r"|if and only if|iff|q\.?e\.?d|axiom|formal(ly)? verif\w*)\b",
)  # matched against lower-cased text
_MATH = _LazyRe(
    r"\\(int|frac|sum|prod|lim|sqrt|partial|nabla|begin\{)|[∫∑∏√∂∇≤≥≠∞]"
    r"|\b(integral|integrate|derivative|differentiate|eigen\w*|determinant|differential equation"
    r"|probability that|expected value|variance of|solve for|system of equations|optimi[sz]e .{0,30}subject to"
    r"|asymptotic|big-?o|complexity of|recurrence|combinatori\w*|modular arithmetic)\b",
)  # matched against lower-cased text
_ARITH = _LazyRe(r"\d+(\.\d+)?\s*[-+*/^×÷=]\s*\(?\d")
_STEPS = _LazyRe(
    r"\b(step[- ]by[- ]step|show (your|all) work|multi-?step|explain your reasoning)\b"
)  # lower-cased text
_DESIGN = _LazyRe(
    r"\b(design|architect|architecture for|build)\b.{0,60}\b(system|architecture|service|platform|pipeline"
    r"|database|schema|api|infrastructure|backend|protocol|framework|compiler|engine)\b"
    r"|\b(scalab\w+|distributed (system|database|cache|lock|transaction)s?|fault[- ]toleran\w+"
    r"|high[- ]availability|microservices?|sharding|consensus (algorithm|protocol)|load balanc\w+"
    r"|exactly-once|event sourcing|cap theorem)\b",
)  # matched against lower-cased text
_IMPLEMENT = _LazyRe(
    r"\b(implement|write|code|build|create|refactor|debug|optimi[sz]e)\b.{0,50}\b(algorithm|function|class"
    r"|program|script|parser|compiler|interpreter|module|library|data structure|unit tests?|regex|query)\b",
)  # matched against lower-cased text
_ANALYSIS = _LazyRe(
    r"\b(analy[sz]e|compare and contrast|trade-?offs?|critically|evaluate|pros and cons|in depth"
    r"|comprehensive|detailed (plan|analysis|report|explanation)|strategy|research)\b",
)  # matched against lower-cased text
_CONSTRAINT_WORDS = (
    " must ",
    " should ",
    " ensure ",
    " at least ",
    " at most ",
    " no more than ",
    " exactly ",
    " without ",
    " do not ",
    " don't ",
    " make sure ",
    " required",
    " constraint",
    " only use ",
    " never ",
    " always ",
)
_WINDOW = 1600
_LIST_ITEM = _LazyRe(r"^\s*(\d+[.)]|[-*•]|[a-z][.)])\s+\S", re.MULTILINE)

# cheap substring gates: a regex runs only when one of its words could be present
_TRACE_GATE = (
    "traceback",
    "exception",
    "error",
    "panic",
    "segmentation",
    "dumped",
    "  at ",
    "\tat ",
    'file "',
    "stack",
)
_CODE_GATE = (
    "def ",
    "class ",
    "import",
    "#include",
    "public ",
    "fn ",
    "func ",
    "let ",
    "const ",
    "var ",
    "function",
    "select",
    "return",
    "if",
    "for",
    "while",
    "}",
)
_PROOF_GATE = (
    "prov",
    "proof",
    "show that",
    "demonstrate",
    "theorem",
    "lemma",
    "corollary",
    "rigor",
    "induction",
    "if and only",
    "iff",
    "q.e.d",
    "qed",
    "axiom",
    "formal",
)
_MATH_GATE = (
    "\\",
    "∫",
    "∑",
    "∏",
    "√",
    "∂",
    "∇",
    "≤",
    "≥",
    "≠",
    "∞",
    "integra",
    "deriv",
    "differen",
    "eigen",
    "determinant",
    "probability",
    "expected value",
    "variance",
    "solve",
    "system of equations",
    "optimi",
    "asymptotic",
    "big-o",
    "big o",
    "complexity",
    "recurrence",
    "combinator",
    "modular",
)
_STEPS_GATE = ("step", "show your", "show all", "explain your")
_DESIGN_GATE = (
    "design",
    "architect",
    "build",
    "scalab",
    "distributed",
    "toleran",
    "availability",
    "microservice",
    "sharding",
    "consensus",
    "load balanc",
    "exactly-once",
    "event sourcing",
    "cap theorem",
)
_IMPLEMENT_GATE = ("implement", "write", "code", "build", "create", "refactor", "debug", "optimi")
_ANALYSIS_GATE = (
    "analy",
    "compare",
    "trade",
    "critical",
    "evaluat",
    "pros and cons",
    "in depth",
    "comprehensive",
    "detailed",
    "strategy",
    "research",
)
_FORMAT_GATE = (
    "format",
    "convert",
    "case",
    "capitali",
    "bullet",
    "typo",
    "spell",
    "grammar",
    "punctuation",
    "proof",
    "translate",
    "phrase",
    "reword",
    "alphabeti",
    "sort",
    "make it",
    "make this",
    "as a ",
)
_DIGIT = _LazyRe(r"\d")


def _hit(low: str, gate: tuple[str, ...]) -> bool:
    return any(g in low for g in gate)


def estimate_difficulty(
    text: str, input_tokens: int = 0, *, no_signal_confidence: float = 0.3
) -> tuple[float, float, list[str]]:
    """``(difficulty in [0, 1], confidence in [0, 1], reasons)`` from the rules alone."""
    stripped = text.strip()
    n_chars = len(stripped)
    tokens = max(input_tokens, n_chars // 4)
    hard: list[Signal] = []
    easy: list[Signal] = []

    # keyword regexes read a bounded window (instructions sit at the start or the end);
    # cheap substring tests gate each one, so typical prompts cost tens of microseconds
    full_low = text.lower()
    if len(text) > _WINDOW:
        text = text[: _WINDOW * 3 // 4] + "\n" + text[-_WINDOW // 4 :]
    low = text.lower()
    if _hit(low, _TRACE_GATE) and _TRACE.search(text):
        hard.append(Signal("stack trace", 0.65, 0.8))
    if (
        "```" in full_low
        or "~~~" in full_low
        or (_hit(low, _CODE_GATE) and len(_CODE_LINES.findall(text)) >= 3)
    ):
        hard.append(Signal("code block", 0.6, 0.7))
    if _hit(low, _PROOF_GATE) and _PROOF.search(low):
        hard.append(Signal("proof", 0.9, 0.85))
    math_hits = 0
    if _hit(low, _MATH_GATE):
        math_hits += len(_MATH.findall(low))
    if _DIGIT.search(text):
        math_hits += len(_ARITH.findall(text)) >= 3
    if _hit(low, _STEPS_GATE):
        math_hits += bool(_STEPS.search(low))
    if math_hits >= 2 or (math_hits and n_chars > 200):
        hard.append(Signal("multi-step math", 0.65, 0.7 + min(0.15, 0.05 * math_hits)))
    if _hit(low, _DESIGN_GATE) and _DESIGN.search(low):
        hard.append(Signal("system design", 0.88, 0.85))
    if _hit(low, _IMPLEMENT_GATE) and _IMPLEMENT.search(low):
        hard.append(Signal("implementation task", 0.58, 0.65))
    if _hit(low, _ANALYSIS_GATE) and len(_ANALYSIS.findall(low)) >= 2:
        hard.append(Signal("in-depth analysis", 0.6, 0.6))
    n_items = len(_LIST_ITEM.findall(text))
    if n_items >= 3 or n_chars > 600:
        n_constraints = sum(full_low.count(w) for w in _CONSTRAINT_WORDS)
        if n_constraints >= 4:
            hard.append(
                Signal(f"{n_constraints} constraints", 0.72, min(0.9, 0.6 + 0.04 * n_constraints))
            )
    if tokens >= 30_000:
        hard.append(Signal(f"very long input (~{tokens} tokens)", 0.85, 0.8))
    elif tokens >= 3_000:
        hard.append(Signal(f"long input (~{tokens} tokens)", 0.68, 0.6))

    single_line = "\n" not in stripped
    if n_chars <= 80 and _GREETING.match(stripped):
        easy.append(Signal("greeting / small talk", 0.03, 0.95))
    if n_chars <= 100 and single_line and (_FACT.match(stripped) or _DEFINE.match(stripped)):
        easy.append(Signal("short look-up question", 0.1, 0.75))
    if n_chars <= 120 and single_line and _YES_NO.match(stripped):
        easy.append(Signal("yes/no question", 0.12, 0.7))
    if n_chars <= 1500 and _hit(low, _FORMAT_GATE) and _FORMAT.search(low) and "```" not in text:
        easy.append(Signal("formatting / rewrite chore", 0.12, 0.75))

    if hard:
        top = max(hard, key=lambda s: (s.difficulty, s.confidence))
        extra = len(hard) - 1
        d = min(1.0, top.difficulty + 0.05 * extra)
        conf = min(0.95, max(s.confidence for s in hard) + 0.05 * extra)
        reasons = [f"rules: {s.name}" for s in hard]
        if easy:
            conf = max(0.0, conf - 0.25)
            reasons.append(f"rules: also {', '.join(s.name for s in easy)} (conflicting)")
        return d, round(conf, 4), reasons
    if easy:
        d = min(s.difficulty for s in easy)
        conf = min(0.97, max(s.confidence for s in easy) + 0.03 * (len(easy) - 1))
        return d, round(conf, 4), [f"rules: {s.name}" for s in easy]
    # no strong signal: a weak length prior, never confident
    frac = math.log(max(n_chars, 20) / 20) / math.log(3000 / 20)
    d = 0.15 + 0.45 * min(1.0, frac)
    conf = no_signal_confidence * (0.8 if n_chars < 40 else 0.5)
    return round(d, 4), round(conf, 4), ["rules: no strong signal (length only)"]
