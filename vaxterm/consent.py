"""Asking a beneficiary's consent, without a screen: read what the vaccinator typed (a mobile
or a reference ID) and ask the registry to send the OTP to the registered mobile; keep the
consent given, so the same beneficiary is not sent a second OTP while it lives."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api_client import errors as e
from api_client import models as m
from api_client.dates import zone_named
from vaxterm.desk import Desk, KeptConsent
from vaxterm.validators import SearchKind, read_search

if TYPE_CHECKING:
    from api_client.client import ApiClient, Consent

# A kept consent is used again only with this much of its life left: enough to open the
# record and check the ID (the dose form asks for a new OTP if it runs out there).
REUSE_MIN_SECONDS = 60.0


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


def _key(lookup: Lookup) -> str:
    return hashlib.sha256(f"{lookup.kind.value}:{lookup.value}".encode()).hexdigest()


def keep_consent(desk: Desk, lookup: Lookup, consent: Consent) -> None:
    """The beneficiary gave their OTP: this consent is the one in use, and is kept."""
    desk.consent = consent
    desk.kept = KeptConsent(_key(lookup), consent)


def reusable_consent(desk: Desk, lookup: Lookup, seconds_left: Callable[[Consent], float]
                     ) -> Consent | None:
    """The kept consent, when it covers what is searched (the same mobile or reference ID,
    or a person it already covers) and lives long enough; else None (and a spent one goes)."""
    kept = desk.kept
    if kept is None:
        return None
    covers = kept.key == _key(lookup) or (lookup.kind is SearchKind.REFERENCE_ID
                                           and lookup.value in kept.consent.references)
    if not covers:
        return None
    if seconds_left(kept.consent) < REUSE_MIN_SECONDS:
        desk.kept = None
        return None
    return kept.consent


def drop_consent(desk: Desk, consent: Consent | None) -> None:
    """The registry no longer accepts this consent: it is not offered again."""
    if desk.kept is not None and desk.kept.consent is consent:
        desk.kept = None


async def learn_zone(api: ApiClient, desk: Desk) -> None:
    """The registry's zone from /meta, once per run, before anyone's dates are shown. If
    /meta does not answer, IST stands and the next OTP asks again."""
    if desk.zone is not None:
        return
    try:
        meta = await api.meta()
    except e.ApiError:
        return
    desk.zone = zone_named(meta.time_zone)
