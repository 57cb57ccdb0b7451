"""Registering a walk-in, without a screen: check what was typed, then register under the
consent the beneficiary's OTP gave, which then covers the new person for the visit.

Only what Co-WIN registered (cowin-reference.md §1.4, §3.5): name, gender, year of birth,
photo-ID type and number. No date of birth, no address. The ID number is checked here and
by the registry, sent once, and never shown back: the record keeps its last 4.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, cast, get_args

from api_client import models as m
from api_client import photo_ids
from api_client.rules import AgeGroup, age_group

if TYPE_CHECKING:
    from api_client.client import ApiClient
    from vaxterm.desk import Desk

MAX_PER_MOBILE = 4  # §3.5
GENDERS: tuple[str, ...] = get_args(m.Gender)
_NAME = re.compile(r"[A-Za-z][A-Za-z .'-]*[A-Za-z.]")
OLDEST = 120


@dataclass(frozen=True)
class Typed:
    """The walk-in form as typed."""

    name: str
    gender: str
    birth_year: str
    id_type: str
    id_number: str


@dataclass
class WalkInForm:
    """One registration: its idempotency key is made when the form opens, and every retry
    of the form sends it, so the registry registers the person once."""

    idempotency_key: str = field(default_factory=lambda: str(uuid.uuid4()))


def check(typed: Typed, today: date) -> tuple[m.RegistrationRequest | None, dict[str, str]]:
    """The request, or what is wrong with each field (by field: name, gender, birth_year,
    id_type, id_number), in words that never repeat the ID number."""
    problems: dict[str, str] = {}
    name = " ".join(typed.name.split())
    if not name:
        problems["name"] = "Type the name as on the photo ID."
    elif not 2 <= len(name) <= 64 or not _NAME.fullmatch(name):
        problems["name"] = "Use letters, spaces, dots, apostrophes and hyphens only (2-64)."
    if typed.gender not in GENDERS:
        problems["gender"] = "Choose the gender."
    year = typed.birth_year.strip()
    if not (len(year) == 4 and year.isascii() and year.isdigit()):
        problems["birth_year"] = "Type the year of birth: 4 digits (never the full date)."
    elif not today.year - OLDEST <= int(year) <= today.year:
        problems["birth_year"] = "That year of birth is not possible."
    elif age_group(int(year), today) is AgeGroup.TOO_YOUNG:
        problems["birth_year"] = ("Too young to register: vaccination starts at 12 "
                                  f"(born {today.year - 12} or earlier).")
    if typed.id_type not in m.PHOTO_ID_TYPES:
        problems["id_type"] = "Choose the photo-ID type."
    number = photo_ids.normalise(typed.id_number)
    if not number:
        problems["id_number"] = "Type the number printed on the photo ID."
    elif "id_type" not in problems:
        wrong = photo_ids.problem(typed.id_type, number)
        if wrong:
            problems["id_number"] = wrong
    if problems:
        return None, problems
    return m.RegistrationRequest(
        name=name, birth_year=year, gender=cast("m.Gender", typed.gender),
        photo_id_type=cast("m.PhotoIdType", typed.id_type), photo_id_number=number), {}


def room_for_more(desk: Desk) -> bool:
    """Whether the mobile the consent covers may take another person (the registry has the
    last word: the consent may not list everyone on the mobile)."""
    return desk.consent is not None and len(desk.consent.beneficiaries) < MAX_PER_MOBILE


async def register(api: ApiClient, desk: Desk, form: WalkInForm, request: m.RegistrationRequest
                   ) -> m.RegistrationResponse:
    """Register under the consent held; the desk's consent then covers the new person."""
    from api_client import errors as e

    consent = desk.consent
    if consent is None:
        raise e.ConsentExpired(code="CONSENT-GONE")
    answer, covering = await api.register(consent, request, form.idempotency_key)
    desk.consent = covering
    return answer
