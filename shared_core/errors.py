"""One exception hierarchy, rooted in :class:`RouterError`.

Every message names what is wrong, the offending value, and what would be accepted,
so a user can fix the problem from the message alone. API keys never appear in
messages: :func:`redact` scrubs anything that looks like one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .pricing import Usage

_SECRET_RE = re.compile(
    # provider-prefixed keys (OpenAI, Anthropic, Groq, xAI, Stripe-style, Google, Hugging Face,
    # GitHub, GitLab, AWS, Slack, Replicate, Perplexity, Fireworks ...)
    r"((?:sk|gsk|xai|pk|rk|sk-ant|sk-proj|pplx|fw|r8|key)[-_][A-Za-z0-9_\-]{8,}"
    r"|AIza[A-Za-z0-9_\-]{20,}"
    r"|(?:hf|ghp|gho|ghs|ghu|ghr|github_pat|glpat|xox[abprs])[_-][A-Za-z0-9_\-]{16,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|(?i:api[_-]?key|authorization|bearer|token|secret|password)['\"]?\s*[:=]?\s*['\"]?"
    r"[A-Za-z0-9_\-\.+/=]{8,}"
    # no prefix: long hex (>= 32 digits, e.g. Azure / Mistral keys) ...
    r"|\b[0-9a-fA-F]{32,}\b"
    # ... and long base64-like runs mixing upper and lower case and digits (>= 32 characters)
    r"|(?<![A-Za-z0-9+/_\-])(?=[A-Za-z0-9+/_\-]*[0-9])(?=[A-Za-z0-9+/_\-]*[a-z])"
    r"(?=[A-Za-z0-9+/_\-]*[A-Z])"
    r"[A-Za-z0-9+/_\-]{32,}={0,2})"
)


def redact(text: str) -> str:
    """Replace anything that looks like a secret with ``***``: provider-prefixed keys, bearer
    tokens and ``key=...`` pairs, long hex strings and long base64-like strings."""
    return _SECRET_RE.sub("***", text)


def scrub_exception(exc: BaseException) -> BaseException:
    """Redact secrets from an exception's message in place (its type is kept, so callers'
    ``except`` clauses still match): ``args`` and the ``message`` / ``body`` attributes that
    provider SDKs (``openai.APIStatusError`` ...) show in ``str()``. Returns ``exc``."""
    try:
        exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
        for attr in ("message", "body", "detail"):
            value = getattr(exc, attr, None)
            if isinstance(value, (str, dict, list)):
                setattr(exc, attr, _redact_value(value))
    except Exception:  # a read-only attribute: keep what could be scrubbed
        pass
    return exc


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    return value


_CALL_ID_RE = re.compile(r"[0-9a-f]{32}")
"""The form of the call ids the router makes (``uuid4().hex``)."""


class RouterError(Exception):
    """Base class of every error this package raises on purpose."""

    def __str__(self) -> str:  # messages may quote user values: never show a key
        return redact(super().__str__())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigError(RouterError, ValueError):
    """A configuration value is invalid. ``field`` names it, ``value`` is what was given."""

    def __init__(self, message: str, *, field: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class ToolsUnsupportedError(ConfigError, NotImplementedError):
    """Tools were bound, but a tier's model cannot call tools (e.g. a LangChain chat model
    without its own ``bind_tools``, a LlamaIndex LLM that is not a ``FunctionCallingLLM``).

    Raised before any provider is called. ``tiers`` maps each tier at fault to its model's
    class name. Also a :class:`NotImplementedError`, which is what the frameworks raise for a
    model without tool calling, so ``except NotImplementedError`` code keeps working.
    """

    def __init__(self, message: str, *, tiers: Mapping[str, str]) -> None:
        names = list(tiers)
        field = f"tiers.{names[0]}.supports_tools" if len(names) == 1 else "tiers"
        super().__init__(message, field=field, value=dict(tiers))
        self.tiers = dict(tiers)

    @classmethod
    def no_tier(cls, tiers: Mapping[str, str], why: str, fix: str) -> ToolsUnsupportedError:
        """No tier at all can call tools: the tools cannot be routed anywhere."""
        listed = ", ".join(f"{name!r} ({model})" for name, model in tiers.items())
        return cls(
            f"tools were bound, but no tier can call tools: {listed}: {why}. Give at least one "
            f"tier {fix}; tiers that cannot call tools are then skipped for tool calls "
            "(supports_tools: false)",
            tiers=tiers,
        )

    @classmethod
    def for_tiers(cls, tiers: Mapping[str, str], why: str, fix: str) -> ToolsUnsupportedError:
        """These tiers would be sent tools (forced, or ``supports_tools`` is true for them)."""
        listed = ", ".join(f"tier {name!r} ({model})" for name, model in tiers.items())
        return cls(
            f"{listed} cannot call tools: {why}. Give it {fix}, or set supports_tools: false "
            "for it in the router config so that tool calls skip it",
            tiers=tiers,
        )


class NotPicklableError(RouterError, TypeError):
    """A routed model cannot be pickled or deep-copied: it holds a live router (ledger, budgets,
    classifier) that a copy would split. Rebuild it where it is needed instead."""

    def __init__(self, cls_name: str, rebuild: str) -> None:
        super().__init__(
            f"{cls_name} cannot be pickled or deep-copied: it holds a live router (its ledger, "
            f"budgets and classifier), and a copy would count costs apart from it. Rebuild it in "
            f"the other process instead: {rebuild}"
        )


class InputError(RouterError, ValueError):
    """The request itself cannot be routed (e.g. no messages at all)."""


class UnknownCallError(InputError):
    """``record_feedback`` for a ``call_id`` the ledger holds no record of (nothing is stored)."""

    def __str__(self) -> str:
        # the router's own call ids (32 hex digits) look like a key to redact(): show them
        text = super().__str__()
        cid = self.call_id
        if isinstance(cid, str) and _CALL_ID_RE.fullmatch(cid):
            text = text.replace("'***'", repr(cid), 1)
        return text

    def __init__(self, call_id: str) -> None:
        self.call_id = call_id
        super().__init__(
            f"record_feedback: the ledger has no call {call_id!r}; pass the call_id of the "
            "answer's router metadata (response_metadata['router']['call_id'] in LangChain, "
            "additional_kwargs['router']['call_id'] in LlamaIndex, RouteDecision.call_id), and "
            "record feedback after the call's record was written"
        )


class UnknownModelError(RouterError, KeyError):
    """A tier, label or model name that is not in the configuration."""

    def __init__(self, name: str, known: Sequence[str], what: str = "tier") -> None:
        self.name = name
        self.known = list(known)
        msg = f"unknown {what} {name!r}; known: {', '.join(map(repr, self.known)) or '(none)'}"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return redact(str(self.args[0]))


class DataFormatError(RouterError, ValueError):
    """A data file (JSONL, models JSON, router file) is malformed: names file and line."""

    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class UnsafeFormatError(DataFormatError):
    """A persisted file is in a format that could execute code (pickle) or is unknown."""


class MismatchedWeightsError(DataFormatError):
    """A model's JSON sits beside weights (``.npz``) from another save: a save stopped between
    its two files, or two saves to the same path ran at once. ``path`` is the JSON,
    ``weights_path`` the weights file; ``expected`` / ``found`` their sha256 digests."""

    def __init__(self, path: str, weights_path: str, expected: str, found: str) -> None:
        self.weights_path = str(weights_path)
        self.expected = expected
        self.found = found
        super().__init__(
            path,
            f"its weights file {self.weights_path} is not the one saved with it (sha256 "
            f"{found[:12]}..., the JSON records {expected[:12]}...): the two files come from "
            "different saves (one stopped between them, or two saves to this path at once). "
            "Save or train the model to this path again (tier-router train --output ...), or put "
            "back both files of one save",
        )


_NOT_SENT = "the request was not sent to any provider"


class BudgetExceededError(RouterError):
    """A hard budget limit would be passed; raised before any provider is called."""

    def __init__(
        self, scope: str, limit_usd: float, spent_usd: float, period: str,
        needed_usd: float | None = None,
    ) -> None:
        self.scope = scope
        self.limit_usd = limit_usd
        self.spent_usd = spent_usd
        self.period = period
        self.needed_usd = needed_usd  # what the refused call asked to hold (None: a check refused it)
        needs = "" if needed_usd is None else (
            f"; this call needs to hold up to ${needed_usd:.6f} (its worst case: the input and the "
            f"output budget once per answer, or the per-request cap) and "
            f"${max(0.0, limit_usd - spent_usd):.6f} is left"
        ) if needed_usd else "; the limit is already spent"  # (holds nothing: no output budget)
        super().__init__(
            f"budget for scope {scope!r} exceeded: spent ${spent_usd:.6f} of ${limit_usd:.6f} "
            f"this {period} (money held by calls in flight counts as spent){needs}; {_NOT_SENT}"
        )


class BudgetUnavailableError(BudgetExceededError):
    """The ledger could not be reached to check a hard limit and ``on_ledger_error`` is
    ``closed``, or it was busy (:class:`LedgerBusyError`, whatever ``on_ledger_error`` says):
    the request is refused before any provider is called."""

    def __init__(self, scope: str, limit_usd: float, period: str, cause: str, *, busy: bool = False) -> None:
        why = (
            "the ledger is busy, and a hard limit never lets a call through unheld"
            if busy else "budget.on_ledger_error is 'closed'"
        )
        RouterError.__init__(
            self,
            f"budget for scope {scope!r} could not be checked ({cause}); "
            f"{why}, so the request was not sent to any provider",
        )
        self.busy = busy
        self.scope = scope
        self.limit_usd = limit_usd
        self.spent_usd = float("nan")
        self.period = period
        self.needed_usd = None


class LedgerUnavailableError(RouterError):
    """A ledger's database did not answer (down, unreachable, locked past its timeout)."""


class LedgerBusyError(LedgerUnavailableError):
    """The ledger's database answers, but every connection of this process stayed in use for
    the whole wait (a burst of concurrent calls). Not an outage: a budget never lets a call
    through unheld for it, whatever ``on_ledger_error`` says (it refuses the call instead)."""


class RequestCostCapError(RouterError):
    """The per-request cost cap leaves no tier that can be tried."""


class BadResponseError(RouterError):
    """A provider answered (HTTP 200) with something that holds no answer, such as
    ``"choices": []``. A fault of kind ``bad_response``: it falls back to the next tier.
    ``usage``: what the answer said it used (its record carries it), ``None`` when it said none."""

    usage: Usage | None = None

    @classmethod
    def no_choices(
        cls, tier: str, cause: BaseException | None = None, *, usage: Usage | None = None
    ) -> BadResponseError:
        why = f" ({type(cause).__name__} while the client read it)" if cause is not None else ""
        err = cls(f"tier {tier!r}: the provider's answer holds no choices{why}")
        err.usage = usage
        return err


class TierAttemptError(RouterError):
    """One failed attempt on one tier (kept inside :class:`AllTiersFailedError`), or a tier
    the call could not try (``attempted`` false: the budget, the per-request cap, the
    deadline or a cool-down stopped it before any request was sent)."""

    def __init__(self, tier: str, error: BaseException, kind: str, *, attempted: bool = True) -> None:
        self.tier = tier
        self.error = error
        self.kind = kind
        self.attempted = attempted
        not_sent = "" if attempted else " (not sent)"
        super().__init__(f"{tier}: {kind}{not_sent}: {redact(str(error))[:300]}")


def _attempts(errors: Sequence[TierAttemptError]) -> str:
    n = sum(1 for e in errors if e.attempted)
    return f"{n} attempt{'' if n == 1 else 's'}"


class AllTiersFailedError(RouterError):
    """Every tier in the fallback chain failed; ``errors`` holds one entry per attempt, and
    one per tier the call could not try (``attempted`` false)."""

    def __init__(self, errors: Sequence[TierAttemptError]) -> None:
        self.errors = list(errors)
        lines = "\n".join(f"  - {e}" for e in self.errors) or "  (no tier was eligible)"
        super().__init__(f"all tiers failed ({_attempts(self.errors)}):\n{lines}")


class FallbackRefusedError(AllTiersFailedError):
    """A tier failed, and the budget or the per-request cap refused the tier the call would
    have fallen back to: that tier was never called.

    Raised as one of its two subclasses, each also the refusal's own type, so that the
    caller's ``except BudgetExceededError`` / ``except RequestCostCapError`` (as for a
    refused first attempt) and ``except AllTiersFailedError`` both catch it. ``tier`` is the
    refused tier, ``refusal`` the budget's error, ``errors`` every attempt (the refused tier
    last, ``attempted`` false); ``__cause__`` is the provider's failure that started the
    fallback."""

    refusal: BaseException
    tier: str

    def _setup(self, errors: Sequence[TierAttemptError], refusal: BaseException, by: str) -> None:
        self.errors = list(errors)
        self.refusal = refusal
        self.tier = self.errors[-1].tier
        tried = [e for e in self.errors if e.attempted]
        last = tried[-1].tier if tried else "?"
        lines = "\n".join(f"  - {e}" for e in self.errors)
        RouterError.__init__(
            self,
            f"the fallback from tier {last!r} to {self.tier!r} was refused by {by}: "
            # the refusal's "the request was not sent to any provider" said of the refused tier
            f"{redact(str(refusal)).replace(_NOT_SENT, f'{self.tier!r} was not called')[:400]}; "
            "every tier tried failed "
            f"({_attempts(self.errors)}):\n{lines}",
        )


class FallbackOverBudgetError(FallbackRefusedError, BudgetExceededError):
    """:class:`FallbackRefusedError` whose refusal is a hard budget limit's
    (:class:`BudgetExceededError`, whose ``scope`` / ``limit_usd`` / ``spent_usd`` /
    ``period`` it carries)."""

    def __init__(self, errors: Sequence[TierAttemptError], refusal: BudgetExceededError) -> None:
        self.scope = refusal.scope
        self.limit_usd = refusal.limit_usd
        self.spent_usd = refusal.spent_usd
        self.period = refusal.period
        self.needed_usd = getattr(refusal, "needed_usd", None)
        self._setup(errors, refusal, "the budget")


class FallbackOverCapError(FallbackRefusedError, RequestCostCapError):
    """:class:`FallbackRefusedError` whose refusal is ``budget.per_request_cap_usd``'s
    (:class:`RequestCostCapError`)."""

    def __init__(self, errors: Sequence[TierAttemptError], refusal: RequestCostCapError) -> None:
        self._setup(errors, refusal, "the per-request cap")


class TierCoolingDownError(AllTiersFailedError):
    """The tier chosen for a request is cooling down (it failed ``cooldown_failures`` times
    in a row, or its provider asked to wait with ``Retry-After``), and fallback is off
    (``fallback.enabled: false`` or an empty ``fallback.on``), so the request may not move
    to another tier: it is refused before any provider is called, and recorded ``refused``.

    An :class:`AllTiersFailedError` (the one tier the call may use cannot be tried), so
    existing ``except AllTiersFailedError`` clauses catch it. ``tier`` and ``model`` name
    the tier, ``seconds_left`` (also ``retry_after_s``) how long until it is tried again;
    ``errors`` holds one entry for it (kind ``cooldown``, ``attempted`` false)."""

    def __init__(self, tier: str, model: str, seconds_left: float) -> None:
        self.tier = tier
        self.model = model
        self.seconds_left = self.retry_after_s = seconds_left
        why = (
            f"tier {tier!r} ({model}) is cooling down for {seconds_left:.1f} s more (after "
            "failures or the provider's Retry-After)"
        )
        self.errors = [TierAttemptError(tier, RouterError(why), "cooldown", attempted=False)]
        RouterError.__init__(
            self,
            f"{why} and fallback is off, so the request was not sent to any provider; call "
            "again after that, or turn fallback on to let it move to another tier",
        )


class NoEligibleTierError(RouterError):
    """No tier can serve this request (context window, tools or vision)."""
