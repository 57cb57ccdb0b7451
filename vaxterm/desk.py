"""What the app holds in memory while a vaccinator works: never written anywhere.

`forget_beneficiary` runs when a person is done (recorded, or abandoned with Escape back to
Search); `forget_everything` at logout, lock expiry or exit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from api_client import models as m
from vaxterm.dose_form import DoseDraft

if TYPE_CHECKING:
    from api_client.client import Consent


@dataclass
class Desk:
    user: m.User | None = None
    sessions: list[m.Session] = field(default_factory=list)
    session: m.Session | None = None
    consent: Consent | None = None
    person: m.Beneficiary | None = None
    draft: DoseDraft | None = None
    # Only the ids of this login's doses: the tally counts them; nobody's record is kept.
    recorded: list[str] = field(default_factory=list)
    # The idempotency keys of doses sent whose outcome the registry has not confirmed:
    # quitting asks first while any is here. A confirmed retry removes its key.
    unconfirmed: set[str] = field(default_factory=set)

    def names(self) -> list[str]:
        """The people held right now: what redaction masks in logs and messages."""
        held = list(self.consent.beneficiaries) if self.consent else []
        return [p.name for p in held] + ([self.person.name] if self.person else [])

    @property
    def doses_recorded(self) -> int:
        return len(self.recorded)

    def forget_beneficiary(self) -> None:
        from vaxterm.privacy import forget_names

        forget_names()  # redaction's compiled patterns hold the names
        self.consent = None
        self.person = None
        self.draft = None

    def forget_everything(self) -> None:
        self.forget_beneficiary()
        self.user = None
        self.sessions = []
        self.session = None
        self.recorded.clear()
        self.unconfirmed.clear()
