"""Redaction: the one function every log line, trace line and error message passes through.

It masks what could identify a beneficiary or open an account:
- numbers of five digits or more (mobiles, reference IDs, Aadhaar, OTPs), however spaced or
  hyphenated;
- words that mix letters with four digits or more (PAN, passport, voter, licence numbers);
- token-like strings (URL-safe base64 or hex, 20 characters or more) and bearer credentials;
- the names of the people the app holds at that moment, whole or in part, in any case.

What support needs survives: dates (ISO, and the registry's dd-mm-yyyy) and times, the
registry's error codes, short counts and durations, and the last four characters of a
reference, which the screen shows anyway.
It errs towards masking: a long count or a stray serial number is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from api_client.codes import CODES

NUMBER = "[number]"
IDENTIFIER = "[id]"
TOKEN = "[token]"
NAME = "[name]"

_KNOWN_CODES = frozenset(CODES)
# Names in code (a path's {beneficiary_reference_id}, BeneficiaryOtpScreen, entered-in-error)
# are long but are not tokens: a random token does not come out as whole words.
_IDENTIFIER_NAME = re.compile(r"[a-z]{2,}(?:[_-][a-z]{2,})+|(?:[A-Z][a-z]{1,15}){2,}")

# Alternatives are tried in order at each position, so a date is kept before its digits are
# read as a number, and a spaced Aadhaar is read as one number before as three short words.
_PATTERN = re.compile(r"""
    (?P<bearer>\b(?:Bearer|Token|Basic)\s+)\S+
  | (?P<date>(?<![\w-])\d{4}-\d{2}-\d{2}(?:[T\ ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?
        (?:Z|[+-]\d{2}:?\d{2})?)?(?![\w-]))
  | (?P<day>(?<![\w/-])\d{2}(?P<sep>[-/])\d{2}(?P=sep)\d{4}(?![\w/-]))
  | (?P<token>[\w\-=]{20,})
  | (?P<number>\+?\d(?:[\ \-]?\d){4,})
  | (?P<word>(?<![^\W_])(?=(?:[^\W\d_]*\d){4})(?=\d*[^\W\d_])[^\W_]+(?![^\W_]))
""", re.VERBOSE)


def _mask(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group(0)
    if kind == "bearer":
        return match.group("bearer") + TOKEN
    if kind in ("date", "day"):
        return text
    if kind == "token":
        return text if _IDENTIFIER_NAME.fullmatch(text) else TOKEN
    if kind == "number":
        return NUMBER
    # A word with four digits or more: PAN, passport and the like, or an error code.
    return text if text in _KNOWN_CODES else IDENTIFIER


@lru_cache(maxsize=4)
def _names_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    """Whole names and each part of two letters or more, longest first, any letter case."""
    parts = {variant for name in names for part in [name, *name.split()] if len(part) >= 2
             for variant in (part, part.upper(), part.casefold())}
    if not parts:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
    # Bounded by anything but a letter: "Asha:" and "Asha1" are masked, "Ashapur" is not.
    return re.compile(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])", re.IGNORECASE)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """`text` with personal and secret values masked; `names` are the people in memory."""
    pattern = _names_pattern(frozenset(n.strip() for n in names if n.strip()))
    if pattern is not None:
        text = pattern.sub(NAME, text)
    return _PATTERN.sub(_mask, text)


def forget_names() -> None:
    """Drop the compiled name patterns (they hold the names) when a person is done."""
    _names_pattern.cache_clear()


def reference_tail(reference: str) -> str:
    """A reference for a log line: its last four characters, enough to match a report."""
    return f"…{reference[-4:]}" if len(reference) > 4 else reference


def forget_cached_text() -> None:
    """Rich and Textual memoise rendered text (cell widths, styled lines) in process-wide
    caches that outlive every screen, so names and numbers would stay in memory after
    sign-out. Emptied at sign-out and exit; they refill with whatever is shown next."""
    import functools
    import sys

    lru = functools._lru_cache_wrapper
    for name, module in list(sys.modules.items()):
        # urllib.parse caches whole URLs, reference IDs in their paths included.
        if module is None or not name.startswith(("rich", "textual", "urllib.parse")):
            continue
        for value in list(vars(module).values()):
            members = vars(value).values() if isinstance(value, type) else (value,)
            for member in list(members):
                if isinstance(member, lru):
                    member.cache_clear()
