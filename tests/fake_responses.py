"""Response bodies of the fake OpenAI server (see ``tests/fake_openai_server.py``).

Pure functions from a request body plus script parameters to the JSON the real
API would send: a whole response and its streaming chunks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import struct
from collections.abc import Callable
from typing import Any

from tests.fake_schema import example_from_schema

CREATED = 1_700_000_000


def message_text(content: Any) -> str:
    """Text of an OpenAI message content (string, list of parts or ``None``)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(message_text(p.get("text") if isinstance(p, dict) else p) for p in content)
    return str(content)


def prompt_tokens(body: dict[str, Any]) -> int:
    """``chars // 4 + 1`` over every message text (or the legacy ``prompt``)."""
    if "messages" in body:
        chars = sum(len(message_text(m.get("content"))) for m in body.get("messages") or [])
    else:
        prompt = body.get("prompt", "")
        chars = sum(len(str(p)) for p in prompt) if isinstance(prompt, list) else len(str(prompt))
    return chars // 4 + 1


def _usage(body: dict[str, Any], completion_chars: int, params: dict[str, Any]) -> dict[str, Any]:
    p = prompt_tokens(body)
    c = max(1, completion_chars // 4)
    usage: dict[str, Any] = {
        "prompt_tokens": p,
        "completion_tokens": c,
        "total_tokens": p + c,
        "prompt_tokens_details": {
            "cached_tokens": int(params.get("cached_tokens") or 0),
            "audio_tokens": 0,
        },
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }
    usage.update(params.get("usage") or {})
    return usage


def _tool_calls(body: dict[str, Any], params: dict[str, Any], n: int) -> list[dict[str, Any]]:
    scripted = params.get("tool_calls")
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    choice = body.get("tool_choice")
    if isinstance(scripted, list):
        calls = scripted
    elif scripted is False or not tools or choice == "none":
        return []
    else:
        by_name = {t.get("function", {}).get("name"): t for t in tools}
        if isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name") or choice.get("name")
            tool = by_name.get(name, tools[0])
        elif choice == "required" or scripted is True:
            tool = tools[0]
        else:  # auto: call on a fresh user turn, answer in text after a tool result
            messages = body.get("messages") or [{}]
            if params.get("reply") is not None or messages[-1].get("role") != "user":
                return []
            tool = tools[0]
        fn = tool.get("function", {})
        calls = [
            {
                "name": fn.get("name"),
                "arguments": example_from_schema(
                    fn.get("parameters") or {"type": "object", "properties": {}}
                ),
            }
        ]
    out = []
    for i, call in enumerate(calls):
        args = call.get("arguments", {})
        out.append(
            {
                "id": call.get("id") or f"call_{n}_{i}",
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
        )
    return out


def _content(
    body: dict[str, Any], params: dict[str, Any], model: str, default_reply: Callable[[str], str]
) -> str:
    reply = params.get("reply")
    if reply is not None:
        return str(reply)
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
        return json.dumps(example_from_schema(schema))
    if fmt.get("type") == "json_object":
        return json.dumps({"answer": default_reply(model)})
    return default_reply(model)


def _pieces(text: str, count: int = 3) -> list[str]:
    if not text:
        return [""]
    size = max(1, math.ceil(len(text) / count))
    return [text[i : i + size] for i in range(0, len(text), size)]


def build_chat(
    body: dict[str, Any], params: dict[str, Any], n: int, default_reply: Callable[[str], str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(chat.completion, [chat.completion.chunk, ...])`` for one request."""
    model = str(body.get("model") or "unknown-model")
    calls = _tool_calls(body, params, n)
    content: str | None = None
    finish = "tool_calls" if calls else "stop"
    if not calls:
        content = _content(body, params, model, default_reply)
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and limit > 0 and len(content) // 4 > limit:
            content, finish = content[: 4 * limit], "length"
    finish = params.get("finish_reason") or finish
    chars = len(content or "") + sum(len(c["function"]["arguments"]) for c in calls)
    usage = _usage(body, chars, params)
    cid = f"chatcmpl-fake-{n}"
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if calls:
        message["tool_calls"] = calls
    whole = {
        "id": cid,
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "system_fingerprint": None,
        "usage": usage,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
    }
    _answers(whole, body)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        c: dict[str, Any] = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "system_fingerprint": None,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }
        if include_usage:
            c["usage"] = None
        return c

    chunks: list[dict[str, Any]] = []
    if calls:
        for i, call in enumerate(calls):
            head: dict[str, Any] = {
                "tool_calls": [
                    {
                        "index": i,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                ]
            }
            if i == 0:
                head = {"role": "assistant", "content": None, **head}
            chunks.append(chunk(head))
            for piece in _pieces(call["function"]["arguments"], 2):
                chunks.append(
                    chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
                )
    else:
        for i, piece in enumerate(_pieces(content or "")):
            chunks.append(
                chunk({"role": "assistant", "content": piece} if i == 0 else {"content": piece})
            )
    chunks.append(chunk({}, finish))
    if include_usage:
        chunks.append(
            {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "system_fingerprint": None,
                "choices": [],
                "usage": usage,
            }
        )
    if params.get("no_usage"):  # a provider that reports no usage at all
        del whole["usage"]
        chunks = [c for c in chunks if c["choices"]]
        for c in chunks:
            c.pop("usage", None)
    return whole, chunks


def _answers(whole: dict[str, Any], body: dict[str, Any]) -> None:
    """A non-streamed answer to a request for ``n`` choices (``best_of`` generated, legacy
    completions): the one choice repeated ``n`` times, and the usage of every answer generated
    (the completion tokens of ``max(n, best_of)`` answers, as the provider bills them)."""
    n = body.get("n") if isinstance(body.get("n"), int) else 1
    generated = max(n, body.get("best_of") if isinstance(body.get("best_of"), int) else 1)
    if generated <= 1:
        return
    first = whole["choices"][0]
    whole["choices"] = [{**first, "index": i} for i in range(n)]
    usage = whole["usage"]
    usage["completion_tokens"] *= generated
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]


def build_completion(
    body: dict[str, Any], params: dict[str, Any], n: int, default_reply: Callable[[str], str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(text_completion, [chunks])`` for the legacy ``/v1/completions`` endpoint."""
    model = str(body.get("model") or "unknown-model")
    reply = params.get("reply")
    text = str(reply) if reply is not None else default_reply(model)
    finish = "stop"
    limit = body.get("max_tokens")
    if isinstance(limit, int) and limit > 0 and len(text) // 4 > limit:
        text, finish = text[: 4 * limit], "length"
    finish = params.get("finish_reason") or finish
    usage = _usage(body, len(text), params)
    cid = f"cmpl-fake-{n}"

    def make(piece: str, fin: str | None) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "text_completion",
            "created": CREATED,
            "model": model,
            "choices": [{"text": piece, "index": 0, "logprobs": None, "finish_reason": fin}],
        }

    whole = make(text, finish)
    whole["usage"] = usage
    _answers(whole, body)
    chunks = [make(p, None) for p in _pieces(text)] + [make("", finish)]
    if (body.get("stream_options") or {}).get("include_usage"):
        chunks.append(
            {
                "id": cid,
                "object": "text_completion",
                "created": CREATED,
                "model": model,
                "choices": [],
                "usage": usage,
            }
        )
    return whole, chunks


def embed_text(text: str, dims: int = 64) -> list[float]:
    """Deterministic unit vector from hashed words and character trigrams."""
    vec = [0.0] * dims
    lowered = text.lower()
    feats = lowered.split() + [lowered[i : i + 3] for i in range(max(0, len(lowered) - 2))]
    for f in feats:
        h = int.from_bytes(
            hashlib.blake2b(f.encode("utf-8", "replace"), digest_size=8).digest(), "little"
        )
        vec[h % dims] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0:
        vec[0], norm = 1.0, 1.0
    return [v / norm for v in vec]


def build_embeddings(body: dict[str, Any]) -> dict[str, Any]:
    """``/v1/embeddings`` response; honours ``dimensions`` and ``encoding_format``."""
    raw = body.get("input", "")
    if isinstance(raw, str) or (isinstance(raw, list) and raw and isinstance(raw[0], int)):
        raw = [raw]
    texts = [t if isinstance(t, str) else " ".join(map(str, t)) for t in raw]
    dims = int(body.get("dimensions") or 64)
    data = []
    for i, t in enumerate(texts):
        vec: Any = embed_text(t, dims)
        if body.get("encoding_format") == "base64":
            vec = base64.b64encode(struct.pack(f"<{dims}f", *vec)).decode()
        data.append({"object": "embedding", "index": i, "embedding": vec})
    tokens = sum(len(t) for t in texts) // 4 + 1
    return {
        "object": "list",
        "data": data,
        "model": body.get("model", "unknown-model"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
