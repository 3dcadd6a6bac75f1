"""The project's own ladder training data: seed templates filled, wrapped as applications send them.

Rows look like ``everyday_dev.jsonl`` rows: ``prompt`` (the real ask), ``tier`` 1..4,
``category``, ``lang``, and for wrapped requests ``messages`` (system prompts, retrieved
context, agent harness text, tool results or earlier turns around the ask; the tier is
the ask's). Everything is generated deterministically from
:mod:`.ladder_seeds_en`, :mod:`.ladder_seeds_intl`, the other ``ladder_seeds_*`` modules
(maths across the ladder: :mod:`.ladder_seeds_maths`; light asks over heavy-looking
material: :mod:`.ladder_seeds_tier2`; the seven other languages in volume:
:mod:`.ladder_seeds_intl2` and :mod:`.ladder_seeds_intl3`; everyday money sums and one-fact asks in
them: :mod:`.ladder_seeds_intl6`) and :mod:`.ladder_slots`.
(:mod:`.ladder_seeds_intl4`, :mod:`.ladder_seeds_intl5` and :mod:`.ladder_seeds_intl7` are written
but not read here: see their docstrings.)

A fifth of the templates (chosen by a stable hash of the template text) never reach
training: :func:`heldout_rows` is the project's own held-out set, so its figures measure
new phrasings, not slot fills of seen templates.
"""

from __future__ import annotations

import random
import re
import zlib
from typing import Any

from .ladder_seeds_en import SEEDS_EN
from .ladder_seeds_extra import SEEDS_EXTRA, SLOTS_EXTRA
from .ladder_seeds_gap_easy import CONVERSATIONS_GAP_EASY, SEEDS_GAP_EASY, SLOTS_GAP_EASY
from .ladder_seeds_gap_easy2 import CONVERSATIONS_GAP_EASY2, SEEDS_GAP_EASY2, SLOTS_GAP_EASY2
from .ladder_seeds_gap_hard import SEEDS_GAP_HARD, SEEDS_GAP_HARD_INTL, SLOTS_GAP_HARD
from .ladder_seeds_gap_hard2 import SEEDS_GAP_HARD2, SLOTS_GAP_HARD2
from .ladder_seeds_intl import SEEDS_INTL
from .ladder_seeds_intl2 import SEEDS_INTL2
from .ladder_seeds_intl3 import SEEDS_INTL3
from .ladder_seeds_intl6 import SEEDS_INTL6
from .ladder_seeds_maths import SEEDS_MATHS, SEEDS_MATHS_INTL, SLOTS_MATHS
from .ladder_seeds_more import SEEDS_MORE, SLOTS_MORE
from .ladder_seeds_tier2 import SEEDS_TIER2, SEEDS_TIER2_INTL, SLOTS_TIER2
from .ladder_seeds_wide import SEEDS_WIDE, SEEDS_WIDE_INTL, SLOTS_WIDE
from .ladder_slots import SLOTS as _BASE_SLOTS

SLOTS = {**_BASE_SLOTS, **SLOTS_MORE, **SLOTS_EXTRA, **SLOTS_WIDE, **SLOTS_GAP_EASY, **SLOTS_GAP_EASY2,
         **SLOTS_GAP_HARD, **SLOTS_GAP_HARD2, **SLOTS_MATHS, **SLOTS_TIER2}
CONVERSATIONS = CONVERSATIONS_GAP_EASY + CONVERSATIONS_GAP_EASY2
"""``(tier, category, system prompt or "", earlier (user, assistant) turns, last user message)``."""

__all__ = ["all_rows", "heldout_rows", "is_heldout", "train_rows"]

FILLS_PER_TEMPLATE = 6
LATE_FILLS = 2
"""Fills per slotted template of :mod:`.ladder_seeds_maths` and :mod:`.ladder_seeds_tier2`: chosen
by the own cross-validation (6, 3 and 2 compared); more fills of the same new templates moved
the older templates' figures more than they taught."""
WRAP_SHARE = 0.35
_SLOT_RE = re.compile(r"\{([a-z_0-9]+)\}")

_SYSTEMS = [
    "You are a helpful assistant.",
    "You are Ava, the customer-support assistant for Brightside Home. Be friendly and concise. Never "
    "promise refunds above 100 EUR without escalation. Answer in the customer's language.",
    "You are a senior software engineer helping colleagues. Prefer idiomatic code, explain trade-offs "
    "briefly, and ask for missing details only when essential.",
    "You are an internal knowledge assistant for Acme Corp. Use only the provided documents; if the answer "
    "is not in them, say so. Cite document titles in square brackets.",
    "You are a writing assistant. Keep the user's voice, fix grammar, and do not add facts.",
    "Du bist ein hilfreicher Assistent. Antworte präzise und freundlich.",
    "Tu es un assistant utile et concis.",
]
_DOCS = [
    "[Returns policy] Items can be returned within 30 days of delivery if unused and in original packaging. "
    "Refunds are issued to the original payment method within 5-7 business days. Sale items are final.",
    "[Shipping] Standard shipping takes 3-5 business days within the EU and 7-12 days internationally. "
    "Express shipping is available for orders placed before 2pm.",
    "[Employee handbook, section 4] Employees accrue 2.5 days of paid leave per month. Requests longer "
    "than five days need approval two weeks in advance. Unused leave carries over until March 31.",
    "[API docs: /v2/orders] GET returns a paginated list of orders. Query params: status, created_after, "
    "limit (max 200), cursor. Rate limit: 600 requests per minute per key. Errors use RFC 7807 bodies.",
    "[Product sheet] The X200 blender has a 1.5 L jar, 1200 W motor, 6 speeds and a pulse mode. Warranty: "
    "2 years. Dishwasher-safe parts: jar, lid, tamper.",
]
_HARNESS = (
    "You are an autonomous agent. Tools available:\n- search(query: str) -> list of results\n"
    "- python(code: str) -> stdout\n- read_file(path: str) -> str\nThink step by step, call one tool at a "
    "time, and reply with a JSON object {\"thought\": ..., \"action\": ..., \"action_input\": ...} or "
    "{\"final_answer\": ...}."
)
_TOOL_RESULTS = [
    '{"results": [{"title": "Company wiki: onboarding", "snippet": "New hires get laptop on day 1..."}, '
    '{"title": "HR portal", "snippet": "Leave requests are filed under My Time."}]}',
    '{"status": "ok", "stdout": "rows=1532\\ncolumns=[date, region, revenue, units]\\nnulls: revenue=12"}',
    '{"file": "config.yaml", "content": "server:\\n  port: 8080\\n  workers: 4\\nlogging:\\n  level: info"}',
]
_EARLIER = [
    ("hi there", "Hi! How can I help you today?"),
    ("I have a couple of questions", "Sure, go ahead."),
    ("can you help me with something for work?", "Of course. What do you need?"),
    ("thanks for the last answer", "You're welcome! Anything else?"),
]
_HEAVY_TURNS = [
    ("My Flask endpoint returns 500 with 'TypeError: Object of type datetime is not JSON serializable':\n```python\n"
     "@app.get('/events')\ndef events():\n    return jsonify([e.__dict__ for e in Event.query.all()])\n```",
     "jsonify cannot encode datetime objects. Convert them with .isoformat() in a to_dict() method, or register a "
     "custom JSON provider. Here is a version with an explicit schema and a test..."),
    ("Compare Postgres and DynamoDB for our order service: 2k writes/s, strong consistency for payments, ad-hoc "
     "reporting. Give me a recommendation with the trade-offs.",
     "Short version: Postgres. It gives you transactions for payments, flexible queries for reporting, and 2k "
     "writes/s is comfortably within one well-tuned primary. DynamoDB would force you to design access patterns..."),
    ("Design the schema and API for a multi-tenant booking system with rooms, resources and recurring events.",
     "Here is a design: tenants, resources, bookings with an exclusion constraint on (resource, tstzrange), "
     "recurrence stored as RRULE with materialised instances for the next 12 months, and these endpoints..."),
]
_LIGHT_FOLLOWUPS = [
    (1, "that worked, cheers"), (1, "great, thank you"), (1, "ok got it"), (1, "perfect 👍"),
    (1, "what was the name of the function you used again?"), (1, "cool. is it free?"),
    (2, "Write that up as a short Slack message for the channel."),
    (2, "Summarise your answer in three bullet points."),
    (2, "can you make that shorter and friendlier?"),
    (2, "rewrite that explanation for a non-technical manager, one paragraph"),
]


def light_followup_rows() -> list[dict[str, Any]]:
    """Light last turns after heavy earlier turns: the tier is the last message's."""
    out: list[dict[str, Any]] = []
    for i, (tier, ask) in enumerate(_LIGHT_FOLLOWUPS):
        for j, (u, a) in enumerate(_HEAVY_TURNS):
            msgs = [{"role": "user", "content": u}, {"role": "assistant", "content": a}, {"role": "user", "content": ask}]
            out.append({"prompt": ask, "messages": msgs, "tier": tier, "category": "followup", "lang": "en",
                        "template": f"followup|{ask}", "heldout": (i + j) % 5 == 0})
    return out


def conversation_rows() -> list[dict[str, Any]]:
    """Whole conversations written as such; the tier is the last message's."""
    out: list[dict[str, Any]] = []
    for tier, cat, system, turns, last in CONVERSATIONS:
        msgs = [{"role": "system", "content": system}] if system else []
        for u, a in turns:
            msgs += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
        msgs.append({"role": "user", "content": last})
        out.append({"prompt": last, "messages": msgs, "tier": tier, "category": cat, "lang": "en",
                    "template": f"conversation|{last}", "heldout": is_heldout("conversation", last)})
    return out


_STRING_WRAPS = [
    "### Instruction:\n{ask}\n\n### Response:",
    "User question: {ask}\nAnswer:",
    "Context:\n{doc}\n\nUsing the context if relevant, answer the question.\nQuestion: {ask}",
    "<context>\n{doc}\n{doc2}\n</context>\n\n{ask}",
    "[conversation so far]\nuser: hi\nassistant: Hello! How can I help?\n[new message]\nuser: {ask}",
]


MULTILINGUAL_BATCHES = frozenset(
    f"{lang}|{t}" for seeds in (SEEDS_INTL2, SEEDS_INTL3, SEEDS_INTL6) for lang, v in seeds.items() for _, _, t in v
)
"""``template`` keys of the multilingual batches (two of 2026-12-04, :mod:`.ladder_seeds_intl6` of
2026-12-05): their held-out rows are reported apart, being harder than the rest (short CJK proofs,
long easy pastes), so the other held-out rows stay the set they were."""


def _template_key(lang: str, template: str) -> int:
    return zlib.crc32(f"{lang}|{template}".encode())


def is_heldout(lang: str, template: str) -> bool:
    """Whether a template belongs to the project's own held-out slice (about one in five)."""
    return _template_key(lang, template) % 5 == 0


def _fill(template: str, rng: random.Random) -> str:
    return _SLOT_RE.sub(lambda m: rng.choice(SLOTS[m.group(1)]) if m.group(1) in SLOTS else m.group(0), template)


_PREFIXES = ["hey, quick question: ", "Hi! ", "pls help: ", "Hello, ", "ok so ", "Question: ", "Can you help? "]


def _vary(ask: str, rng: random.Random) -> str:
    """Surface variation people produce: lower case, no final punctuation, a chatty prefix."""
    k = rng.randrange(5)
    if k == 0 and len(ask) < 300:
        return ask.lower().rstrip("?.!")
    if k == 1:
        return rng.choice(_PREFIXES) + ask[:1].lower() + ask[1:]
    return ask


_PREFIXES_INTL = {
    "es": ["hola, una pregunta: ", "oye, ", "buenas, "],
    "fr": ["salut, ", "bonjour, petite question : ", "dis, "],
    "de": ["hallo, kurze Frage: ", "hey, ", "moin, "],
    "pt": ["oi, ", "olá, uma dúvida: ", "bom dia, "],
    "zh": ["你好，", "请问，", "麻烦问下，"],
    "ja": ["すみません、", "質問です。", "ちょっと聞きたいんだけど、"],
    "hi": ["नमस्ते, ", "भाई, ", "ek sawaal: "],
}
_END_PUNCT = "?.!。？！．"


def _vary_intl(ask: str, lang: str, rng: random.Random) -> str:
    """:func:`_vary` for the other languages: the same ask without its final punctuation (and
    lower case where the script has case), or after a chatty opening in its own language."""
    if rng.randrange(2) == 0 or lang not in _PREFIXES_INTL:
        bare = ask.rstrip(_END_PUNCT + " ")
        return bare.lower() if len(bare) < 300 else bare
    return rng.choice(_PREFIXES_INTL[lang]) + ask


def _wrap(ask: str, rng: random.Random) -> tuple[list[dict[str, str]] | None, str]:
    """``(messages, prompt)``: the ask wrapped one of the ways applications send it."""
    kind = rng.randrange(6)
    if kind == 0:
        return [{"role": "system", "content": rng.choice(_SYSTEMS)}, {"role": "user", "content": ask}], ask
    if kind == 1:
        u, a = rng.choice(_EARLIER)
        return [
            {"role": "system", "content": rng.choice(_SYSTEMS)},
            {"role": "user", "content": u},
            {"role": "assistant", "content": a},
            {"role": "user", "content": ask},
        ], ask
    if kind == 2:
        docs = "\n\n".join(rng.sample(_DOCS, 2))
        return [
            {"role": "system", "content": _SYSTEMS[3] + "\n\nDocuments:\n" + docs},
            {"role": "user", "content": ask},
        ], ask
    if kind == 3:
        return [
            {"role": "system", "content": _HARNESS},
            {"role": "user", "content": ask},
            {"role": "assistant", "content": '{"thought": "I should look this up.", "action": "search", '
             '"action_input": "' + ask[:40].replace('"', "'") + '"}'},
            {"role": "tool", "content": rng.choice(_TOOL_RESULTS)},
            {"role": "user", "content": "Tool results are above. Now: " + ask},
        ], ask
    wrap = rng.choice(_STRING_WRAPS)
    d1, d2 = rng.sample(_DOCS, 2)
    text = wrap.replace("{doc}", d1).replace("{doc2}", d2).replace("{ask}", ask)
    return None, text


def all_rows(seed: int = 0) -> list[dict[str, Any]]:
    """Every generated row (train and held-out), in a fixed order."""
    en = (SEEDS_EN + SEEDS_MORE + SEEDS_EXTRA + SEEDS_WIDE + SEEDS_GAP_EASY + SEEDS_GAP_EASY2
          + SEEDS_GAP_HARD + SEEDS_GAP_HARD2 + SEEDS_MATHS + SEEDS_TIER2)
    seeds: list[tuple[str, int, str, str]] = [("en", t, c, s) for t, c, s in en]
    for lang in sorted(SEEDS_INTL):
        more = (SEEDS_WIDE_INTL.get(lang, []) + SEEDS_GAP_HARD_INTL.get(lang, [])
                + SEEDS_MATHS_INTL.get(lang, []) + SEEDS_TIER2_INTL.get(lang, [])
                + SEEDS_INTL2.get(lang, []) + SEEDS_INTL3.get(lang, []) + SEEDS_INTL6.get(lang, []))
        seeds += [(lang, t, c, s) for t, c, s in SEEDS_INTL[lang] + more]
    late = {t for _, _, t in SEEDS_MATHS + SEEDS_TIER2}
    late |= {t for d in (SEEDS_MATHS_INTL, SEEDS_TIER2_INTL) for v in d.values() for _, _, t in v}
    out: list[dict[str, Any]] = []
    for lang, tier, cat, template in seeds:
        rng = random.Random(_template_key(lang, template) ^ seed)
        n = (LATE_FILLS if template in late else FILLS_PER_TEMPLATE) if _SLOT_RE.search(template) else 2
        seen: set[str] = set()
        for i in range(n):
            ask = _fill(template, rng)
            if i > 0:
                ask = _vary(ask, rng) if lang == "en" else _vary_intl(ask, lang, rng)
            if ask in seen and i > 0:
                continue
            seen.add(ask)
            row: dict[str, Any] = {"prompt": ask, "tier": tier, "category": cat, "lang": lang,
                                   "template": f"{lang}|{template}", "heldout": is_heldout(lang, template)}
            if i > 0 or rng.random() < WRAP_SHARE:
                if rng.random() < WRAP_SHARE * 1.5:
                    msgs, text = _wrap(ask, rng)
                    if msgs is not None:
                        row["messages"] = msgs
                    else:
                        row["prompt"] = text
            out.append(row)
    return out + light_followup_rows() + conversation_rows()


def train_rows(seed: int = 0) -> list[dict[str, Any]]:
    """Rows the shipped ladder model may learn from."""
    return [r for r in all_rows(seed) if not r["heldout"]]


def heldout_rows(seed: int = 0) -> list[dict[str, Any]]:
    """The project's own held-out rows (whole templates never trained on)."""
    return [r for r in all_rows(seed) if r["heldout"]]
