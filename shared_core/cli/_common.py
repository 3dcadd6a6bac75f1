"""Helpers shared by ``route``, ``simulate``, ``stats`` and ``demo``.

Reading prompt files, routing them with a progress bar, projecting cost against the
baseline model, and drawing the cost chart (matplotlib imported lazily, Agg backend).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataFormatError, InputError
from ..storable import storable_text

MAX_PROMPT_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class PromptItem:
    """One prompt to route: plain text or a list of chat messages."""

    id: str
    prompt: str | list[dict[str, Any]]
    kind: str | None = None

    @property
    def text(self) -> str:
        """The prompt as text (messages joined) for token estimates and display."""
        if isinstance(self.prompt, str):
            return self.prompt
        parts = []
        for m in self.prompt:
            c = m.get("content")
            parts.append(c if isinstance(c, str) else json.dumps(c, ensure_ascii=False))
        return "\n".join(parts)

    @property
    def messages(self) -> list[dict[str, Any]]:
        if isinstance(self.prompt, str):
            return [{"role": "user", "content": self.prompt}]
        return self.prompt


def _item(obj: Any, path: str, line: int | None, default_id: str) -> PromptItem:
    if isinstance(obj, str):
        return PromptItem(default_id, obj)
    if not isinstance(obj, dict):
        raise DataFormatError(
            path, f"expected an object with 'prompt' or 'messages', got {type(obj).__name__}", line
        )
    prompt = obj.get("prompt", obj.get("messages"))
    if isinstance(prompt, str):
        value: str | list[dict[str, Any]] = prompt
    elif isinstance(prompt, list) and all(isinstance(m, dict) for m in prompt) and prompt:
        value = prompt
    else:
        keys = ", ".join(sorted(map(str, obj))) or "(none)"
        raise DataFormatError(
            path,
            "each row needs 'prompt' (a string) or 'messages' (a non-empty list of "
            f"{{role, content}} objects); this row has keys: {keys}",
            line,
        )
    kind = obj.get("kind") or obj.get("task")
    return PromptItem(str(obj.get("id", default_id)), value, str(kind) if kind else None)


def parse_prompts(text: str, path: str, fmt: str) -> list[PromptItem]:
    """Prompts from file text: ``jsonl`` (one object per line), ``json`` (a list), ``txt``."""
    items: list[PromptItem] = []
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataFormatError(path, f"invalid JSON: {exc.msg}", exc.lineno) from None
        if not isinstance(data, list):
            raise DataFormatError(path, "a .json prompt file must hold a list of prompts")
        items = [_item(o, path, None, str(i)) for i, o in enumerate(data, 1)]
    elif fmt == "jsonl":
        # lines end at \n only (not str.splitlines: U+2028, U+0085 or a form feed are text in a string)
        for n, raw in enumerate(text.split("\n"), 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise DataFormatError(
                    path, f"invalid JSON ({exc.msg}); each line must be one JSON object", n
                ) from None
            items.append(_item(obj, path, n, str(n)))
    else:
        items = [
            PromptItem(str(n), raw.removesuffix("\r"))
            for n, raw in enumerate(text.split("\n"), 1)
            if raw.strip()
        ]
    if not items:
        raise DataFormatError(path, "no prompts found (the file is empty)")
    return items


def _json_list(text: str) -> bool:
    """Whether ``text`` is a JSON list (a ``.json`` prompt file piped in), not a text prompt
    that starts with ``[`` (``[INST] ...``)."""
    try:
        return isinstance(json.loads(text), list)
    except ValueError:
        return False


def load_prompts(path: str | Path) -> list[PromptItem]:
    """Read a prompt file (``-`` = stdin). The format follows the suffix: .jsonl, .json, else text."""
    name = str(path)
    if name == "-":
        text = sys.stdin.read()
        head = text.lstrip()
        fmt = "jsonl" if head.startswith("{") else "json" if head.startswith("[") and _json_list(head) else "txt"
        return parse_prompts(text, "<stdin>", fmt)
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(name, "prompt file not found" if not p.exists() else "not a file")
    if p.stat().st_size > MAX_PROMPT_FILE_BYTES:
        raise DataFormatError(name, f"larger than {MAX_PROMPT_FILE_BYTES // 2**20} MB")
    try:
        text = p.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is no part of the text
    except UnicodeDecodeError as exc:
        raise DataFormatError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    suffix = p.suffix.lower()
    fmt = "jsonl" if suffix in (".jsonl", ".ndjson") else "json" if suffix == ".json" else "txt"
    return parse_prompts(text, name, fmt)


def make_router(config: str | None) -> Any:
    """A decide-only :class:`~shared_core.Router` (:func:`decide_only_router`) on ``config`` (a
    YAML/TOML path), else on the file named by ``$TIER_ROUTER_CONFIG``, else on the bundled
    default."""
    from ..config import CONFIG_ENV

    where = "--config"
    if config is None and os.environ.get(CONFIG_ENV):
        config, where = os.environ[CONFIG_ENV], f"${CONFIG_ENV}"
    if config is not None and not Path(config).is_file():
        raise InputError(f"{where} {config!r}: file not found")
    return decide_only_router(config)


def decide_only_router(config: Any, **kw: Any) -> Any:
    """A :class:`~shared_core.Router` for a command that decides and calls no model (``route``,
    ``simulate``, ``demo``, ``calibrate``): no build WARNING about what its calls would spend
    (under a per-request cap, tiers with no ``max_tokens``) or how they would be recorded (a
    tier with no known price): it makes and records none. A cost the command projects warns
    of the prompts it leaves out (:func:`project`). A config error (a tier with no price under
    a cap) still fails. A command that calls checks first (:func:`check_calls_bounded`)."""
    from ..router import Router

    return Router(config, _decide_only=True, **kw)


def check_calls_bounded(config: Any, command: str) -> None:
    """The adapters' :class:`~shared_core.errors.ConfigError`, before the first call, when
    ``command`` would send calls (each with its tier's ``max_tokens``) under a per-request cap
    on a tier with none: every one of them would be refused at run time."""
    from ..cap_bounds import check_calls_bounded as check

    check(config, command, None, own_bound=False)


@contextmanager
def progress(total: int, label: str, enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr; yields ``advance()``. Hidden when ``enabled`` is false."""
    if not enabled:
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n=1: bar.advance(task, n)


def warm_up(router: Any) -> float:
    """One throwaway decision, so the classifier's model is loaded before decisions are
    timed (their µs then show routing alone); returns the milliseconds it took."""
    import time

    t0 = time.perf_counter()
    router.decide("Hello")
    return (time.perf_counter() - t0) * 1000.0


def route_all(router: Any, items: Sequence[PromptItem], *, show_progress: bool = True) -> list[Any]:
    """Decide every prompt (no model is called); a bad prompt stops with its id named.

    The router is warmed up first (:func:`warm_up`), so no decision's latency includes
    loading the classifier."""
    if items:
        warm_up(router)
    decisions = []
    with progress(len(items), "routing", show_progress and len(items) > 20) as advance:
        for item in items:
            try:
                decisions.append(router.decide(item.messages))
            except InputError as exc:
                raise InputError(f"prompt {item.id!r}: {exc}") from None
            advance()
    return decisions


# -- cost projection -----------------------------------------------------------------
@dataclass
class Projection:
    """Projected cost of a workload as routed, against sending all of it to the baseline."""

    baseline_model: str
    output_tokens: int
    tiers: list[str]
    models: dict[str, str]
    count: dict[str, int] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)
    routed_cost: float = 0.0
    baseline_cost: float = 0.0
    unpriced: int = 0
    """Prompts whose tier or baseline model has no known price (left out of both totals)."""
    unpriced_tiers: dict[str, int] = field(default_factory=dict)
    """Of those, per tier: the prompts routed to a tier with no known price."""

    @property
    def total(self) -> int:
        return sum(self.count.values())

    @property
    def savings_pct(self) -> float | None:
        if self.baseline_cost <= 0:
            return None
        return 100.0 * (1.0 - self.routed_cost / self.baseline_cost)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompts": self.total,
            "baseline_model": self.baseline_model,
            "assumed_output_tokens": self.output_tokens,
            "tiers": {
                t: {
                    "model": self.models[t],
                    "count": self.count.get(t, 0),
                    "share": (self.count.get(t, 0) / self.total) if self.total else 0.0,
                    "cost_usd": self.cost.get(t, 0.0),
                }
                for t in self.tiers
            },
            "routed_cost_usd": self.routed_cost,
            "baseline_cost_usd": self.baseline_cost,
            "savings_pct": self.savings_pct,
            "unpriced_prompts": self.unpriced,
            "unpriced_tiers": dict(self.unpriced_tiers),
        }


def project(
    router: Any, items: Sequence[PromptItem], decisions: Sequence[Any], output_tokens: int
) -> Projection:
    """Cost of each prompt on its chosen tier vs on the baseline model, for the same tokens.

    Input tokens are estimated (characters / 4, the tier's system prompt included); output
    tokens are ``output_tokens`` capped at the tier's ``max_tokens``. A prompt whose tier (or
    the baseline model) has no known price is left out of both totals, counted, and named in
    one WARNING (the decide-only router gives none at build: this figure is what it omits).
    """
    from ..pricing import Usage, estimate_tokens

    cfg = router.config
    baseline = router.baseline_model
    base_tier = next((t for t in cfg.tiers if t.model == baseline), None)
    proj = Projection(
        baseline_model=baseline,
        output_tokens=output_tokens,
        tiers=cfg.tier_names,
        models={t.name: t.model for t in cfg.tiers},
    )
    prices = router.prices
    base_price = prices.price(baseline, tier=base_tier)  # (no per-model WARNING: see below)
    for item, d in zip(items, decisions):
        tier = cfg.tier(d.tier)
        proj.count[tier.name] = proj.count.get(tier.name, 0) + 1
        n_in = estimate_tokens(item.text) + estimate_tokens(tier.system_prompt or "")
        n_out = min(output_tokens, tier.max_tokens or output_tokens)
        usage = Usage(n_in, n_out)
        price = prices.price(tier.model, tier=tier)
        if price is None or base_price is None:
            proj.unpriced += 1
            if price is None:
                proj.unpriced_tiers[tier.name] = proj.unpriced_tiers.get(tier.name, 0) + 1
            continue
        cost = price.cost(usage)
        proj.cost[tier.name] = proj.cost.get(tier.name, 0.0) + cost
        proj.routed_cost += cost
        proj.baseline_cost += base_price.cost(usage)
    _warn_unpriced(proj)
    return proj


def _warn_unpriced(proj: Projection) -> None:
    """One WARNING when the projected cost leaves prompts out for want of a price."""
    if not proj.unpriced:
        return
    import logging

    named = [
        f"tier {t!r} ({proj.models[t]}), where {n} prompt{'s' if n != 1 else ''} went"
        for t, n in proj.unpriced_tiers.items()
    ]
    if proj.unpriced > sum(proj.unpriced_tiers.values()):  # the baseline's price is unknown
        named.append(f"the baseline model {proj.baseline_model!r}")
    logging.getLogger("tier_router").warning(
        "no known price for %s: the projected cost leaves out %d of %d prompts; set "
        "input_price/output_price on the tier (or register the model's price)",
        "; ".join(named), proj.unpriced, proj.total,
    )


def usd(x: float | None) -> str:
    """Money for tables: more decimals for small amounts."""
    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return f"${x:,.2f}"
    if abs(x) >= 1:
        return f"${x:.3f}"
    return f"${x:.5f}"


def projection_tables(proj: Projection) -> list[Any]:
    """Rich tables: the tier distribution with cost, and the totals against the baseline."""
    from rich.table import Table

    dist = Table(title="Tier distribution and projected cost", title_justify="left")
    for col, just in (
        ("tier", "left"),
        ("model", "left"),
        ("prompts", "right"),
        ("share", "right"),
        ("cost", "right"),
    ):
        dist.add_column(col, justify=just)  # type: ignore[arg-type]
    for t in proj.tiers:
        n = proj.count.get(t, 0)
        share = n / proj.total if proj.total else 0.0
        bar = "█" * round(share * 20)
        cost = None if t in proj.unpriced_tiers else proj.cost.get(t, 0.0)  # unknown: n/a, not $0
        dist.add_row(t, proj.models[t], str(n), f"{share:6.1%} {bar}", usd(cost))
    totals = Table(title="Projected cost vs baseline", title_justify="left")
    totals.add_column("")
    totals.add_column("USD", justify="right")
    totals.add_row("routed (all tiers)", usd(proj.routed_cost))
    totals.add_row(f"baseline: everything on {proj.baseline_model}", usd(proj.baseline_cost))
    pct = proj.savings_pct
    totals.add_row(
        "savings",
        f"{usd(proj.baseline_cost - proj.routed_cost)}"
        + (f"  ({pct:.1f}%)" if pct is not None else ""),
    )
    if proj.unpriced:
        totals.add_row("prompts without a known price (not counted)", str(proj.unpriced))
    return [dist, totals]


def write_chart(proj: Projection, path: str | Path, title: str = "Cost by tier vs baseline") -> Path:
    """The cost chart as a PNG (see :mod:`shared_core.cli.chart`)."""
    from .chart import write_chart as write

    return write(proj, path, title)


def print_json_line(obj: Any) -> None:
    # a lone surrogate (a user id or tag keeps it) as the JSON escape \udXXX: it reads back as itself
    sys.stdout.write(storable_text(json.dumps(obj, ensure_ascii=False, default=str)) + "\n")


def open_ledger_arg(text: str) -> Any:
    """The ledger a command line names: a ``postgresql://`` URL, or a SQLite file that exists
    (``InputError`` naming it otherwise, before anything is created)."""
    from ..ledger import SQLiteLedger, is_postgres_url, open_ledger

    if is_postgres_url(text):
        return open_ledger(text)
    path = Path(text)
    if not path.is_file():
        raise InputError(
            f"ledger {text!r}: file not found (give a SQLite ledger path or a postgresql:// URL)"
        )
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise InputError(f"ledger {text!r}: not a SQLite database")
    try:
        return SQLiteLedger(path)
    except ConfigError as exc:  # locked by a writer past the wait, or on a read-only mount
        if not any(word in str(exc) for word in ("locked", "readonly", "read-only", "busy", "unable to open")):
            raise
        from ..ledger.sqlite_readonly import ReadOnlySQLiteLedger

        print(f"note: {text}: could not open the ledger as a writer ({str(exc).split(';')[0]}); "
              "reading it read-only (records another process still holds in memory are not shown)",
              file=sys.stderr)
        return ReadOnlySQLiteLedger(path)
