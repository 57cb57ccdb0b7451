"""Holding and trimming sensitive values.

`Secret` keeps a token out of reprs, logs and crash reports (Textual's crash screen shows
local variables). `minimise` masks identifiers a server should have masked and leaves every
field the contract lacks (date of birth, address...) to be dropped on decode.
"""

from __future__ import annotations

from typing import Any

MASKED_KEYS = {"photo_id_number": "XXXXXXXX", "mobile_number": ""}


class Secret:
    """A value that never shows itself: `repr` and `str` are masked; use `reveal()`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled or copied to disk")


def last4(value: str) -> str:
    digits = [ch for ch in value if ch.isdigit()]
    return "".join(digits[-4:])


def minimise(data: Any) -> Any:
    """Mask identifier fields to their last 4 digits wherever they appear in decoded JSON."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key in MASKED_KEYS and isinstance(value, str):
                out[key] = MASKED_KEYS[key] + last4(value)
            else:
                out[key] = minimise(value)
        return out
    if isinstance(data, list):
        return [minimise(item) for item in data]
    return data


SERVER_TEXT_LIMIT = 200  # characters of a server's sentence shown or traced


def clean_text(value: str, limit: int = SERVER_TEXT_LIMIT) -> str:
    """Server text made safe to show and trace: control and format characters (escape
    sequences, newlines, bidi overrides, zero-width) dropped, then cut to `limit`."""
    import unicodedata

    kept = "".join(ch if not unicodedata.category(ch).startswith("C") else " "
                   for ch in value[: limit * 4])
    return " ".join(kept.split())[:limit]
