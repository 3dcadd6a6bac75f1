"""Prices and token usage: what a call cost, and what it would have cost on the baseline.

Known models are priced from ``genai-prices`` (Pydantic's offline price database);
a tier's own ``input_price`` / ``output_price`` / ``cached_input_price`` win over it,
and :meth:`PriceTable.register` adds custom models. An unknown model costs ``None``
(never a silent zero) and logs one warning per model name per process.

Lookups are cached, so pricing on the hot path is a dict hit; ``genai_prices`` itself
is imported only on the first lookup of a model that was not registered.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .bounds import check_price, shown, token_count
from .errors import ConfigError

if TYPE_CHECKING:
    from .tier import Tier

logger = logging.getLogger(__name__)

_MTOK = 1_000_000.0
_warned_models: set[str] = set()
_warned_lock = threading.Lock()


@dataclass(frozen=True)
class Usage:
    """Tokens of one call; ``cached_input_tokens`` is the cached part of ``input_tokens``.

    Usages add up: ``Usage(10, 5) + Usage(3, 1) == Usage(13, 6)``.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0

    def __post_init__(self) -> None:
        inp, out, cached = self.input_tokens, self.output_tokens, self.cached_input_tokens
        if type(inp) is int and type(out) is int and type(cached) is int:
            # hot path (one Usage per call): plain ints, only the ranges left to check
            if out >= 0 and 0 <= cached <= inp:
                return
        for name in ("input_tokens", "output_tokens", "cached_input_tokens"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Usage.{name} must be an int >= 0, got {value!r}")
        if self.cached_input_tokens > self.input_tokens:
            raise ValueError(
                f"Usage.cached_input_tokens ({self.cached_input_tokens}) cannot exceed "
                f"input_tokens ({self.input_tokens}): cached tokens are part of the input"
            )

    def __add__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
        )

    def __radd__(self, other: Any) -> Usage:
        if other == 0:  # lets sum() start from 0
            return self
        return NotImplemented  # type: ignore[no-any-return]

    @property
    def total(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Price:
    """USD per 1M tokens. ``cached_input`` defaults to ``input`` when unknown."""

    input: float
    output: float
    cached_input: float | None = None

    def __post_init__(self) -> None:
        for name in ("input", "output", "cached_input"):
            value = getattr(self, name)
            problem = None if value is None else check_price(name, value)
            if problem is not None:
                raise ConfigError(f"Price.{name} {problem}", field=f"price.{name}", value=value)

    @property
    def blended(self) -> float:
        """USD per 1M tokens with three output tokens for each input token, ``(input + 3 *
        output) / 4``: how tiers are put in price order and weighed by the utility rule."""
        return (self.input + 3 * self.output) / 4

    @property
    def cached(self) -> float:
        """The price of cached input tokens (the input price when not set)."""
        return self.input if self.cached_input is None else self.cached_input

    def cost(self, usage: Usage) -> float:
        """USD for this usage: cached input at the cached price, the rest at list price."""
        uncached = usage.input_tokens - usage.cached_input_tokens
        cached = self.cached_input  # (the cached property, spelled out: once per attempt)
        return (
            uncached * self.input
            + usage.cached_input_tokens * (self.input if cached is None else cached)
            + usage.output_tokens * self.output
        ) / _MTOK


def provider_usage(
    input_tokens: Any, output_tokens: Any, cached_input_tokens: Any = 0, *, source: str
) -> Usage | None:
    """The usage a provider reported, or ``None`` when a count is not believable.

    Counts must be ints in ``[0, MAX_PROVIDER_TOKENS]`` (``None`` counts as 0). A negative,
    huge (``10**400``), boolean, fractional or text count makes the whole usage unknown, as
    if the provider had sent none: one WARNING naming ``source`` (the model), and the call's
    record is still written, its tokens estimated from the text sent and received (what a
    missing usage gets, so budgets count the call). Cached tokens above the input are
    clamped to the input (they are part of it).
    """
    inp, out, cached = (
        token_count(input_tokens), token_count(output_tokens), token_count(cached_input_tokens)
    )
    if inp is None or out is None or cached is None:
        logger.warning(
            "provider usage for %r is not believable (input_tokens=%s, output_tokens=%s, "
            "cached_input_tokens=%s): treated as missing, the call's tokens are estimated from its text",
            source, shown(input_tokens), shown(output_tokens), shown(cached_input_tokens),
        )
        return None
    return Usage(inp, out, min(cached, inp))


def text_size(text: str) -> int:
    """The length of ``text`` in quarter tokens: an ASCII character counts 1, any other its
    UTF-8 length x 1.5 - 0.5 (a CJK character 4, so one token; Cyrillic or Greek 2.5; an
    emoji 5.5). Tokenizers spend about a token per CJK character where English takes four
    characters per token, so characters / 4 would hold a Chinese request at a quarter of its
    cost."""
    if text.isascii():  # O(1) in CPython
        return len(text)
    n = len(text)
    if n > _SIZE_SAMPLE:  # bounded work: the head and the tail stand for the whole
        half = _SIZE_SAMPLE // 2
        part = text[:half] + text[-half:]
        return text_size(part) * n // len(part)
    return (3 * len(text.encode("utf-8", "surrogatepass")) - n) // 2


_SIZE_SAMPLE = 65_536


def estimate_tokens(text: str) -> int:
    """A rough token count for budgeting before a call: :func:`text_size` / 4, rounded up
    (characters / 4 for ASCII text)."""
    return (text_size(text) + 3) // 4 if text else 0


def estimated_usage(sent_tokens: int, received_text: str) -> Usage:
    """The usage of a call whose provider reported none: ``sent_tokens`` (the estimated
    input) and ``received_text`` (:func:`estimate_tokens`) as output. How the router records
    such an attempt, and ``CostCallbackHandler`` such a call."""
    return Usage(max(0, int(sent_tokens)), estimate_tokens(received_text))


_PROVIDER_RE = re.compile(r"\s*[A-Za-z][A-Za-z_-]*\s*")
"""What a ``provider:`` prefix looks like (``openai``, ``azure_openai``): letters, ``_`` and
``-`` only, so a colon inside an id (Ollama's ``llama3.1:8b``, Bedrock's ``...-v1:0``) is none."""


def split_provider(model: str) -> tuple[str | None, str]:
    """``"openai:gpt-4o"`` -> ``("openai", "gpt-4o")``; ``"gpt-4o"`` -> ``(None, "gpt-4o")``;
    ``"llama3.1:8b"`` -> ``(None, "llama3.1:8b")`` (no provider: see :data:`_PROVIDER_RE`)."""
    provider, sep, bare = model.partition(":")
    if sep and _PROVIDER_RE.fullmatch(provider):
        return provider.strip(), bare.strip()
    if sep and not provider.strip():  # ":gpt-4o": an empty prefix
        return None, bare.strip()
    return None, model.strip()


class PriceTable:
    """Prices by model name, from genai-prices, registrations and per-tier overrides.

    Thread-safe; every lookup after the first for a model is a dict hit.
    """

    def __init__(self, prices: dict[str, Price] | None = None, *, use_genai_prices: bool = True):
        self._custom: dict[str, Price] = {}
        self._cache: dict[str, Price | None] = {}
        self._lock = threading.Lock()
        self._use_genai_prices = use_genai_prices
        for model, price in (prices or {}).items():
            self.register(model, price)

    def register(self, model: str, price: Price) -> None:
        """Price a custom (or re-priced) model; wins over genai-prices."""
        if not isinstance(price, Price):
            raise ConfigError(
                f"register({model!r}, ...) needs a Price, got {type(price).__name__}",
                field="price",
                value=price,
            )
        with self._lock:
            self._custom[model] = price
            self._cache.clear()

    def price(self, model: str, *, tier: Tier | None = None) -> Price | None:
        """The price of ``model``; a tier's own prices win field by field.

        ``None`` when neither the tier nor the table knows the input and output price.
        """
        try:  # (_lookup's cache hit, without the call)
            base = self._cache[model]
        except KeyError:
            base = self._lookup(model)
        if tier is None or (
            tier.input_price is None
            and tier.output_price is None
            and tier.cached_input_price is None
        ):
            return base
        inp = tier.input_price if tier.input_price is not None else (base.input if base else None)
        out = (
            tier.output_price if tier.output_price is not None else (base.output if base else None)
        )
        if inp is None or out is None:
            return None
        if tier.cached_input_price is not None:
            cached: float | None = tier.cached_input_price
        elif tier.input_price is not None:
            # the tier re-priced input: the table's cached price is no longer comparable
            cached = None
        else:
            cached = base.cached_input if base else None
        return Price(inp, out, cached)

    def cost(self, model: str, usage: Usage, *, tier: Tier | None = None) -> float | None:
        """USD for ``usage`` on ``model`` (``None`` for an unknown model, with one warning)."""
        p = self.price(model, tier=tier)
        if p is None:
            self._warn_unknown(model)
            return None
        return p.cost(usage)

    def known(self, model: str) -> bool:
        """Whether the table can price this model without a tier override."""
        return self._lookup(model) is not None

    # -- internals ----------------------------------------------------------------
    def _lookup(self, model: str) -> Price | None:
        try:
            return self._cache[model]
        except KeyError:
            pass
        provider, bare = split_provider(model)
        found = self._custom.get(model) or self._custom.get(bare)
        if found is None and self._use_genai_prices:
            found = _genai_price(bare, provider)
        with self._lock:
            self._cache[model] = found
        return found

    @staticmethod
    def warned(models: Sequence[str]) -> None:
        """Count ``models`` as warned about (a router named them when it was built): the
        per-call warning is not repeated for them."""
        with _warned_lock:
            _warned_models.update(models)

    @staticmethod
    def _warn_unknown(model: str) -> None:
        with _warned_lock:
            if model in _warned_models:
                return
            _warned_models.add(model)
        logger.warning(
            "no price known for model %r: its cost is recorded as None (unknown), not 0; "
            "set input_price/output_price on its tier or call PriceTable.register()",
            model,
        )


def _as_float(value: Any) -> float | None:
    """A genai-prices price (Decimal or TieredPrices) as float; tiered -> its base rate."""
    if value is None:
        return None
    base = getattr(value, "base", value)
    return float(base)


def _genai_price(model: str, provider: str | None) -> Price | None:
    """Look a model up in the bundled genai-prices snapshot (never the network)."""
    try:
        from datetime import datetime, timezone

        from genai_prices import data_snapshot
    except ImportError:  # pragma: no cover - it is a dependency
        return None
    snap = data_snapshot.get_snapshot()
    found = None
    for pid in (provider, None) if provider else (None,):
        try:
            found = snap.find_provider_model(model, None, pid, None)
            break
        except (LookupError, ValueError):
            continue
    if found is None:
        return None
    _, info = found
    try:
        mp = info.get_prices(datetime.now(timezone.utc))
    except Exception:  # pragma: no cover - defensive: malformed snapshot entry
        return None
    inp = _as_float(getattr(mp, "input_mtok", None))
    out = _as_float(getattr(mp, "output_mtok", None))
    if inp is None or out is None:
        return None
    return Price(inp, out, _as_float(getattr(mp, "cache_read_mtok", None)))


_default_table: PriceTable | None = None


def default_price_table() -> PriceTable:
    """A process-wide table (shared cache) for callers that do not bring their own."""
    global _default_table
    if _default_table is None:
        _default_table = PriceTable()
    return _default_table
