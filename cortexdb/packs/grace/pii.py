"""PII and secret detection for ingestion, and the per-source policies applied to what it finds.

Detectors (three passes, each run only when a cheap hint says it can match: a secret-shaped
prefix, an '@', a number standing alone): e-mail addresses; phone
numbers (international ``+``-prefixed, or grouped national forms, 9-15 digits, not dates);
payment card numbers (13-19 digits with optional space/dash groups, an issuer prefix, and a valid
Luhn checksum); secrets (API-key and token shapes: AWS access keys, GitHub/Slack/Stripe/OpenAI-
style keys, Google API keys, JWTs, bearer tokens, PEM private keys, ``api_key=...`` assignments).

Policies: ``block`` (the record is refused), ``mask`` (each finding becomes ``[REDACTED:kind]``),
``hash`` (each finding becomes ``[kind:<HMAC-SHA256 prefix>]``, keyed per store so equal values
still join), ``allow_with_consent`` (personal data kept as-is when the source has consent,
blocked otherwise). Secrets are never kept in clear under any policy: outside ``hash`` they are
masked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

POLICIES = ("block", "mask", "hash", "allow_with_consent")
KINDS = ("email", "phone", "card", "secret")

_SECRET = (r"AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}"
           r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}"
           r"|xox[abposr]-[A-Za-z0-9-]{10,}"
           r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
           r"|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"
           r"|AIza[0-9A-Za-z_-]{35}"
           r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
           r"|-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"
           r"|(?i:bearer)\s+[A-Za-z0-9._~+/-]{20,}=*"
           r"|(?i:api[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|password)"
           r"[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9_\-./+=]{12,}")
_SECRETS = re.compile(rf"(?P<secret>{_SECRET})")
_EMAILS = re.compile(r"(?P<email>(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-]))")
_NUMBERS = re.compile(
    r"(?P<card>(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-]))"
    r"|(?P<phone>(?<![\w+/.-])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}"
    r"|\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}|\d{3}[ .-]\d{3}[ .-]\d{4}|0\d{1,4}[ .-]\d{3,4}[ .-]\d{3,4}(?:[ .-]\d{2,4})?)"
    r"(?![\w/.-]))")
_NUMBER_HINT = re.compile(r"(?<!\w)[+(]?\d")  # a number not glued to a word (w0001 is not one)
_SECRET_HINT = re.compile(r"AKIA|ASIA|gh[pousr]_|github_pat_|xox|_live_|_test_|sk-|AIza|eyJ|-----BEGIN"
                          r"|(?i:bearer|key|secret|token|password)")
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6(?:011|5|4[4-9]|22)|35|62)")
_DATE_LIKE = re.compile(r"^\d{4}[-.]\d{2}[-.]\d{2}")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a digit string (card numbers carry one)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _kind(match: re.Match[str]) -> str | None:
    kind = match.lastgroup
    text = match.group()
    if kind == "card":
        digits = re.sub(r"\D", "", text)
        return "card" if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn_ok(digits) else None
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        return "phone" if 9 <= len(digits) <= 15 and not _DATE_LIKE.match(text) else None
    return kind


def _passes(text: str) -> list[re.Pattern[str]]:
    """The detectors worth running on ``text`` (cheap hints first: most text has no '@', no key shape)."""
    passes = []
    if _SECRET_HINT.search(text):
        passes.append(_SECRETS)
    if "@" in text:
        passes.append(_EMAILS)
    if _NUMBER_HINT.search(text):
        passes.append(_NUMBERS)
    return passes


def findings(text: str) -> list[tuple[str, str]]:
    """(kind, matched text) of every PII or secret finding in ``text`` (secrets are found first,
    and a finding's text is not scanned again by the later detectors)."""
    out: list[tuple[str, str]] = []
    for pattern in _passes(text):
        def keep(match: re.Match[str]) -> str:
            kind = _kind(match)
            if kind is None:
                return match.group()
            out.append((kind, match.group()))
            return "\x00"
        text = pattern.sub(keep, text)
    return out


@dataclass
class ScanResult:
    """A scanned (and possibly rewritten) value: the kinds found, and whether it must be blocked."""

    value: Any
    flags: list[str] = field(default_factory=list)
    blocked: bool = False
    reason: str | None = None


class PiiScanner:
    """Scan JSON values for PII and apply a policy; ``key`` makes ``hash`` per store (HMAC)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def scan(self, value: Any, policy: str, *, consent: bool = False) -> ScanResult:
        found: set[str] = set()
        rewrite = self._rewriter(policy, consent, found)
        new_value = _walk(value, rewrite)
        flags = [k for k in KINDS if k in found]
        personal = [k for k in flags if k != "secret"]
        if policy == "block" and flags:
            return ScanResult(None, flags, True, f"PII found ({', '.join(flags)}) and the source's policy is block")
        if policy == "allow_with_consent" and personal and not consent:
            return ScanResult(None, flags, True,
                              f"PII found ({', '.join(personal)}) and the source has no consent (policy allow_with_consent)")
        return ScanResult(new_value, flags)

    def _rewriter(self, policy: str, consent: bool, found: set[str]) -> Callable[[str], str]:
        def replace(match: re.Match[str]) -> str:
            kind = _kind(match)
            if kind is None:
                return match.group()
            found.add(kind)
            if policy == "hash":
                digest = hmac.new(self._key, match.group().encode(), hashlib.sha256).hexdigest()[:16]
                return f"[{kind}:{digest}]"
            if policy == "allow_with_consent" and consent and kind != "secret":
                return match.group()
            return f"[REDACTED:{kind}]"

        def rewrite(text: str) -> str:
            for pattern in _passes(text):
                text = pattern.sub(replace, text)
            return text

        return rewrite


def _walk(value: Any, rewrite: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, dict):
        return {k: _walk(v, rewrite) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, rewrite) for v in value]
    return value
