"""Build a deterministic example value that validates against a JSON schema.

Used by the fake OpenAI server for tool-call arguments and ``response_format``
answers. Covers what pydantic / LangChain / LlamaIndex emit: objects, arrays,
scalars, enums, consts, ``$ref`` into ``$defs``/``definitions``, ``anyOf`` /
``oneOf`` / ``allOf``, ``default``, string formats and numeric bounds.
"""

from __future__ import annotations

from typing import Any

_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def example_from_schema(schema: Any, root: Any = None, name: str = "value", depth: int = 0) -> Any:
    """A value valid for ``schema`` (all properties filled, required or not)."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 12:
        return None if depth > 12 else "example"
    if "$ref" in schema:
        return example_from_schema(_resolve(schema["$ref"], root), root, name, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [
                o for o in schema[key] if not (isinstance(o, dict) and o.get("type") == "null")
            ]
            return example_from_schema((options or schema[key])[0], root, name, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part = (
                _resolve(part["$ref"], root) if isinstance(part, dict) and "$ref" in part else part
            )
            for k, v in (part or {}).items():
                if k == "properties":
                    merged.setdefault("properties", {}).update(v)
                elif k == "required":
                    merged.setdefault("required", []).extend(v)
                else:
                    merged.setdefault(k, v)
        return example_from_schema(merged, root, name, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return _by_type(kind, schema, root, name, depth)


def _by_type(kind: str, schema: dict[str, Any], root: Any, name: str, depth: int) -> Any:
    if kind == "object":
        props = schema.get("properties") or {}
        return {k: example_from_schema(v, root, k, depth + 1) for k, v in props.items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        if "maxItems" in schema:
            count = min(count, int(schema["maxItems"]))
        items = schema.get("items", {"type": "string"})
        return [example_from_schema(items, root, name, depth + 1) for _ in range(count)]
    if kind == "integer":
        return int(_number(schema, 1))
    if kind == "number":
        return float(_number(schema, 1.5))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]
    text = f"example {name}"
    lo, hi = int(schema.get("minLength", 0)), schema.get("maxLength")
    if len(text) < lo:
        text = text + "x" * (lo - len(text))
    if hi is not None:
        text = text[: int(hi)]
    return text


def _number(schema: dict[str, Any], fallback: float) -> float:
    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
    hi = schema.get("maximum", schema.get("exclusiveMaximum"))
    value = fallback
    if lo is not None:
        value = max(value, float(lo) + (1 if "exclusiveMinimum" in schema else 0))
    if hi is not None:
        value = min(value, float(hi) - (1 if "exclusiveMaximum" in schema else 0))
    return value


def _resolve(ref: str, root: Any) -> Any:
    node = root
    for part in ref.lstrip("#/").split("/"):
        if not part:
            continue
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node
