"""Asking a beneficiary's consent, without a screen: read what the vaccinator typed (a mobile
or a reference ID) and ask the registry to send the OTP to the registered mobile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api_client import models as m
from vaxterm.validators import SearchKind, read_search

if TYPE_CHECKING:
    from api_client.client import ApiClient


@dataclass(frozen=True)
class Lookup:
    """What to search for: a checked mobile or reference ID. Held only while the OTP screen
    is open, so a new code can be sent."""

    kind: SearchKind
    value: str
    walk_in: bool = False  # an OTP before registering someone on this mobile


def read_lookup(typed: str) -> Lookup | str:
    """The lookup the typed text asks for, or what is wrong with it in words."""
    term = read_search(typed)
    if not term.checked.ok or term.kind is None:
        return term.checked.message
    return Lookup(term.kind, term.checked.value)


async def send_otp(api: ApiClient, lookup: Lookup) -> m.SearchResponse:
    """An OTP to the mobile the lookup leads to; nothing personal comes back."""
    if lookup.walk_in:
        return await api.registration_otp(lookup.value)
    if lookup.kind is SearchKind.MOBILE:
        return await api.search(mobile=lookup.value)
    return await api.search(reference_id=lookup.value)
