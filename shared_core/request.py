"""What the router looks at: plain-dict messages reduced to the text that matters.

By default that is the last user turn plus a bounded slice of earlier turns, never
a framework's whole template; text only from multimodal content (attachments are
counted as a signal); long text is cut to head + tail, so a 1 MB prompt costs the
same to classify as a 4 KB one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._construct import construct
from .config import ExtractionConfig
from .errors import InputError, redact
from .pricing import text_size
from .storable import key_id, key_tags, storable_meta
from .tags import user_tags

Message = Mapping[str, Any]

_KNOWN_ROLES = {"system", "developer", "user", "human", "assistant", "ai", "tool", "function"}
_ROLE_ALIASES = {"human": "user", "ai": "assistant", "developer": "system", "function": "tool"}
_CANONICAL_ROLES = {role: _ROLE_ALIASES.get(role, role) for role in _KNOWN_ROLES}
# zero-width and bidi control characters carry no meaning for classification
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00]")
_MAX_DEPTH = 16
_ATTACHMENT_TYPES = {
    "image": "image", "image_url": "image", "input_image": "image",
    "audio": "audio", "input_audio": "audio",
    "file": "file", "input_file": "file", "document": "file", "video": "video",
}


def clean_text(text: str) -> str:
    """Drop invisible characters and lone surrogates; keep everything else verbatim."""
    if not text:
        return ""
    if text.isascii() and "\x00" not in text:
        return text  # fast path: NUL is the only ASCII character removed below
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


MAX_SEND_DEPTH = 64
"""Deepest content nesting a request may have to be sent to a provider."""


def ensure_sendable(messages: Sequence[Mapping[str, Any]]) -> None:
    """Raise :class:`InputError` for what a provider client cannot send: a lone surrogate
    in a text (it cannot be encoded as UTF-8) or content nested deeper than
    :data:`MAX_SEND_DEPTH` (clients recurse into it). Adapters call this before any provider
    call; :meth:`Router.decide` itself tolerates both (it only classifies)."""
    for i, m in enumerate(messages):
        content = m.get("content")
        if content.__class__ is str and content.isascii():
            continue  # the common case: plain ASCII text, nothing to walk
        stack: list[tuple[Any, int]] = [(content, 0)]
        while stack:
            item, depth = stack.pop()
            if depth > MAX_SEND_DEPTH:
                raise InputError(
                    f"message {i}: content is nested more than {MAX_SEND_DEPTH} levels deep; "
                    "flatten it (a provider cannot take it and clients fail on it)"
                )
            if isinstance(item, str):
                if not item.isascii():
                    try:
                        item.encode("utf-8")
                    except UnicodeEncodeError as exc:
                        raise InputError(
                            f"message {i}: text has a lone surrogate {item[exc.start]!r} at "
                            f"character {exc.start}, which cannot be encoded as UTF-8; fix the "
                            "text, e.g. text.encode('utf-8', 'replace').decode('utf-8')"
                        ) from None
            elif isinstance(item, Mapping):
                stack.extend((v, depth + 1) for v in item.values())
            elif isinstance(item, (list, tuple)):
                stack.extend((v, depth + 1) for v in item)


def head_tail(text: str, max_chars: int, head_fraction: float = 0.75) -> str:
    """Keep the first and last parts of a long text, joined by a marker."""
    if len(text) <= max_chars:
        return text
    head = int(max_chars * head_fraction)
    tail = max_chars - head
    return text[:head] + "\n…\n" + text[len(text) - tail :]


def content_text(content: Any, attachments: list[str] | None = None) -> str:
    """Text of a message content: a string, a list of blocks, or ``None``.

    Non-text blocks are appended to ``attachments`` by kind. Nesting deeper than
    16 levels is ignored rather than recursed into.
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    stack: list[tuple[Any, int]] = [(content, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, Mapping):
            kind = str(item.get("type", "text"))
            if kind in _ATTACHMENT_TYPES:
                if attachments is not None:
                    attachments.append(_ATTACHMENT_TYPES[kind])
                continue
            text = item.get("text")
            if isinstance(text, str):
                parts.append(text)
            elif "content" in item:
                stack.append((item["content"], depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((x, depth + 1) for x in reversed(item))
        elif isinstance(item, bytes):
            if attachments is not None:
                attachments.append("file")
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Request:
    """The routed view of one request."""

    text: str
    """The text that is classified (extracted, cleaned, bounded)."""
    input_tokens: int = 0
    """Estimated input tokens of the whole request (:func:`~shared_core.pricing.text_size` / 4:
    characters / 4 for ASCII text, a token per CJK character), for eligibility and budgets."""
    attachments: tuple[str, ...] = ()
    n_messages: int = 1
    has_tools: bool = False
    tool_choice_required: bool = False
    structured_output: bool = False
    notes: tuple[str, ...] = ()
    """Things noticed while extracting (unknown roles, no user turn ...)."""
    thread_id: str | None = None
    user: str | None = None
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    ask_start: int = 0
    """Where in :attr:`text` the last user message (the ask) begins; 0 when the text is only
    the ask. Earlier turns and the system prompt sit before it as context."""

    def __post_init__(self) -> None:
        a = self.ask_start
        if type(a) is not int or not 0 <= a <= len(self.text):
            raise InputError(
                f"ask_start must be an int offset into text (0..{len(self.text)}), got {a!r}"
            )
        # who and which thread reach the ledger and the budget scopes: text (a UUID object as
        # its str()), a lone surrogate from a JSON body kept: each ledger stores keys one-to-one
        # (shared_core.ledger.key_text); escaped here, "eve\ud800" was another user's id
        d = self.__dict__
        u, t = d["user"], d["thread_id"]
        if (u is not None and u.__class__ is not str) or (t is not None and t.__class__ is not str):
            d["user"], d["thread_id"] = key_id(u), key_id(t)
        if d["tags"]:
            d["tags"] = key_tags(d["tags"])
        if d["metadata"]:
            d["metadata"] = storable_meta(d["metadata"])

    @property
    def ask(self) -> str:
        """The last user message as classified (``text`` without the context before it)."""
        return self.text[self.ask_start :] if self.ask_start else self.text

    @property
    def needs_vision(self) -> bool:
        return any(a in ("image", "video") for a in self.attachments)

    @classmethod
    def coerce(cls, value: Request | str) -> Request:
        if isinstance(value, Request):
            return value
        if isinstance(value, str):
            text = clean_text(head_tail(value, 8000))  # bounded work for any length
            return cls(text=head_tail(text, 4000), input_tokens=text_size(value) // 4 + 1)
        raise InputError(f"expected a Request or a str, got {type(value).__name__}")


def normalize_messages(messages: Any) -> list[dict[str, Any]]:
    """Accept a string, one dict, or a list of dicts; return a list of role/content dicts."""
    if messages is None:
        raise InputError("no messages: got None; pass a string or a list of {role, content} dicts")
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if isinstance(messages, (bytes, bytearray, memoryview)):  # a Sequence of ints otherwise
        raise InputError(f"messages must be text, got {type(messages).__name__}; decode it first")
    if isinstance(messages, Mapping):
        messages = [messages]
    if not isinstance(messages, Sequence):
        raise InputError(
            f"messages must be a string or a list of {{role, content}} dicts, got {type(messages).__name__}"
        )
    out: list[dict[str, Any]] = []
    for i, m in enumerate(messages):
        if isinstance(m, str):
            out.append({"role": "user", "content": m})
        elif isinstance(m, Mapping):
            out.append(dict(m))
        else:
            raise InputError(f"message {i} must be a dict with 'role' and 'content', got {type(m).__name__}")
    if not out:
        raise InputError("empty message list: there is nothing to route")
    return out


def extract(
    messages: Any,
    config: ExtractionConfig | None = None,
    *,
    has_tools: bool = False,
    tool_choice_required: bool = False,
    structured_output: bool = False,
    thread_id: str | None = None,
    user: str | None = None,
    tags: Iterable[str] = (),
    metadata: Mapping[str, Any] | None = None,
) -> Request:
    """Reduce messages to a :class:`Request` (see module docstring)."""
    cfg = config or ExtractionConfig()
    msgs = _message_list(messages)
    notes: list[str] = []
    attachments: list[str] = []
    last_user = None
    canonical = _CANONICAL_ROLES.get  # a known role, already lower case: without _role's call
    for idx in range(len(msgs) - 1, -1, -1):
        raw = msgs[idx].get("role", "user")
        role = (raw.__class__ is str and canonical(raw)) or _role(msgs[idx], notes)
        if role == "user":
            last_user = idx
            break
    total_chars = messages_size(msgs, attachments)  # cheap: no copies of the text
    if last_user is None:
        # no user turn: classify what there is (system-only prompts, tool results)
        notes.append("no user message; classified the last message with text")
        focus = ""
        for m in reversed(msgs):
            focus = content_text(m.get("content"))
            if focus.strip():
                break
        history: list[str] = []
    else:
        c = msgs[last_user].get("content")
        focus = c if c.__class__ is str else content_text(c)
        history = []
        budget = cfg.history_chars
        turns = 0
        for idx in range(last_user - 1, -1, -1):
            if turns >= cfg.history_turns or budget <= 0:
                break
            raw = msgs[idx].get("role", "user")
            role = (raw.__class__ is str and canonical(raw)) or _role(msgs[idx], notes)
            if role not in ("user", "assistant"):
                continue
            t = content_text(msgs[idx].get("content"))
            if not t:
                continue
            t = t[-budget:]
            history.append(t)
            budget -= len(t)
            turns += 1
        history.reverse()
    system = ""
    if cfg.include_system:
        for m in msgs:
            if _role(m, notes) == "system":
                system = content_text(m.get("content"))[: cfg.history_chars]
                break
    max_chars = cfg.max_chars
    if len(focus) > max_chars:  # (head_tail keeps a text within its size as it is)
        focus = head_tail(focus, 2 * max_chars, cfg.head_fraction)  # O(max_chars)
    if not focus.isascii() or "\x00" in focus:  # (clean_text keeps other text as it is)
        focus = clean_text(focus)
    text = head_tail(focus, max_chars, cfg.head_fraction) if len(focus) > max_chars else focus
    ask_start = 0
    if system or history:
        ctx = "\n".join(clean_text(s) for s in ([system] if system else []) + history)
        room = max(0, cfg.max_chars - len(text))
        if room:
            ask_len = len(text)
            text = ctx[-room:] + "\n" + text
            ask_start = len(text) - ask_len
    if attachments:
        notes.append(f"attachments: {', '.join(sorted(set(attachments)))}")
    # every value is built here: construct() fills the frozen dataclass in one step
    return construct(Request, {
        "text": text,
        "input_tokens": input_tokens_of(total_chars, len(msgs)),
        "attachments": tuple(attachments),
        "n_messages": len(msgs),
        "has_tools": has_tools,
        "tool_choice_required": tool_choice_required,
        "structured_output": structured_output,
        "notes": tuple(dict.fromkeys(notes)) if notes else (),
        "thread_id": thread_id,
        "user": user,
        "tags": user_tags(tags) if tags else (),
        "metadata": dict(metadata) if metadata else {},
        "ask_start": ask_start,
    })


def messages_size(msgs: Sequence[Message], attachments: list[str] | None = None) -> int:
    """The text of ``msgs`` in quarter tokens (:func:`~shared_core.pricing.text_size`); the
    kinds of their non-text blocks are appended to ``attachments``."""
    total = 0
    for m in msgs:
        c = m.get("content")
        if c.__class__ is str and c.isascii():  # the common case first, without isinstance
            total += len(c)
        elif isinstance(c, str):
            total += len(c) if c.isascii() else text_size(c)
        elif c is not None:
            total += text_size(content_text(c, attachments))
    return total


def input_tokens_of(size: int, n_messages: int) -> int:
    """A request's estimated input tokens: its text (``size`` in quarter tokens, from
    :func:`messages_size`) and 4 per message for the chat format's own tokens."""
    return size // 4 + 4 * n_messages if n_messages < 100_000 else size // 4


def estimate_input_tokens(messages: Any) -> int:
    """The input tokens the router estimates for ``messages`` (a string, or ``{role, content}``
    dicts), as :attr:`Request.input_tokens` holds them: what a call whose provider reported
    no usage is billed from (``CostCallbackHandler`` estimates alike)."""
    msgs = _message_list(messages)
    return input_tokens_of(messages_size(msgs), len(msgs))


def _message_list(messages: Any) -> Sequence[Message]:
    """The messages as a list of mappings, for reading only (``extract`` never mutates them)."""
    if type(messages) is list and messages:
        for m in messages:
            if type(m) is not dict:
                break
        else:  # hot path (adapters pass a fresh list of plain dicts): no copies, no ABC checks
            return messages
    return normalize_messages(messages)


def _role(m: Mapping[str, Any], notes: list[str]) -> str:
    raw = m.get("role", "user")
    if type(raw) is str:  # hot path: a known role, already lower case
        known = _CANONICAL_ROLES.get(raw)
        if known is not None:
            return known
    role = str(raw).lower() if raw is not None else "user"
    if role not in _KNOWN_ROLES:
        notes.append(f"unknown role {redact(str(raw)[:40])!r} treated as user")
        return "user"
    return _ROLE_ALIASES.get(role, role)


def normalize_for_hash(text: str) -> str:
    return unicodedata.normalize("NFC", text)
