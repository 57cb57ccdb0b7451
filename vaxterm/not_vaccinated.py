"""An encounter that ended without a dose, without a screen: the fixed reasons, the date a
deferred person may come back from, and the request (FHIR Immunization status not-done)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, get_args

from api_client import models as m
from api_client.dates import ddmmyyyy
from vaxterm.screening import ILLNESS_DEFER_DAYS

if TYPE_CHECKING:
    from api_client.client import ApiClient
    from vaxterm.desk import Desk

REASONS: tuple[m.NotVaccinatedReason, ...] = get_args(m.NotVaccinatedReason)
# What each reason means, for the list on screen.
EXPLAINED: dict[str, str] = {
    "refused": "The person chose not to be vaccinated.",
    "unwell and deferred": "Unwell today (fever, acute illness, recent COVID-19): come back "
                           "from the date shown.",
    "contraindicated": "Must not get this product (e.g. a severe allergic reaction).",
    "vaccine not available": "No dose of the right vaccine in this session: come back from "
                             "the date shown.",
    "already vaccinated elsewhere": "The dose was given elsewhere and is not on the record.",
}

# For the tally's narrow columns.
SHORT: dict[str, str] = {"unwell and deferred": "deferred", "vaccine not available": "no vaccine",
                         "already vaccinated elsewhere": "elsewhere"}


def come_back_for(reason: str, today: date, deferred_until: date | None = None
                  ) -> date | None:
    """When the person may come back, for the reasons that have such a date: the screening's
    date for a deferral (or the table's days for illness), tomorrow's session when the
    vaccine ran out."""
    if reason == "unwell and deferred":
        return deferred_until or today + timedelta(days=ILLNESS_DEFER_DAYS)
    if reason == "vaccine not available":
        return today + timedelta(days=1)
    return None


@dataclass
class Encounter:
    reference_id: str
    name: str
    session: m.Session
    reason: m.NotVaccinatedReason
    screening: tuple[m.ScreeningCode, ...] = ()
    come_back: date | None = None
    idempotency_key: str = field(default_factory=lambda: str(uuid.uuid4()))

    def request(self) -> m.NotVaccinatedRequest:
        return m.NotVaccinatedRequest(session_id=self.session.session_id, reason=self.reason,
                                      screening=list(self.screening),
                                      come_back_date=ddmmyyyy(self.come_back))

    def summary(self) -> list[tuple[str, str]]:
        lines = [("Beneficiary", f"{self.name} (ref ending {self.reference_id[-4:]})"),
                 ("Reason", self.reason)]
        if self.come_back is not None:
            lines.append(("Come back", f"from {ddmmyyyy(self.come_back)}"))
        return lines


def tell_them(answer: m.NotVaccinatedResponse) -> str:
    """What the vaccinator tells the person."""
    if answer.come_back_date:
        return f"Tell them: they may come back from {answer.come_back_date}."
    if answer.reason == "contraindicated":
        return "Tell them: they must not get this vaccine; the medical officer advises."
    return "Nothing was given; the record says why."


async def record(api: ApiClient, desk: Desk, encounter: Encounter) -> m.NotVaccinatedResponse:
    from api_client import errors as e

    consent = desk.consent
    if consent is None:
        raise e.ConsentExpired(code="CONSENT-GONE")
    return await api.not_vaccinated(encounter.reference_id, consent, encounter.request(),
                                    encounter.idempotency_key)
