"""What the app holds in memory while a vaccinator works: never written anywhere.

`forget_beneficiary` runs when a person is done (recorded, or abandoned with Escape back to
Search); `forget_everything` at logout, lock expiry or exit. The last consent a beneficiary
gave is kept until it expires (10 minutes), a dose is recorded or the login ends, so that
searching the same mobile again (say after changing session) sends them no second OTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

from vaxterm.batches import SessionBatches
from vaxterm.outbox import Outbox

if TYPE_CHECKING:  # the wire models load with the client, after the first paint
    from api_client import models as m
    from api_client.client import Consent
    from vaxterm.certificate import SentCertificate
    from vaxterm.dose_form import DoseDraft


@dataclass(frozen=True)
class KeptConsent:
    """A consent with the lookup it answered, as a digest: the typed mobile is not kept."""

    key: str
    consent: Consent


@dataclass
class Desk:
    sessions: list[m.Session] = field(default_factory=list)
    session: m.Session | None = None
    consent: Consent | None = None
    person: m.Beneficiary | None = None
    draft: DoseDraft | None = None
    # Only the ids of this login's doses, each with its session's id ("N recorded" counts
    # the session's own); nobody's record is kept.
    recorded: dict[str, str] = field(default_factory=dict)
    # Doses sent whose outcome the registry has not confirmed: retried in the background;
    # quitting or signing out names them first. A confirmed retry removes its own.
    outbox: Outbox = field(default_factory=Outbox)
    # Keys of dose forms whose request is on its way right now.
    in_flight: set[str] = field(default_factory=set)
    # The last consent given in this login, with the lookup it answered (see vaxterm.consent).
    kept: KeptConsent | None = None
    # The registry's zone, from /meta: "today" is its date. None until it answers (IST).
    zone: tzinfo | None = None
    # Each session's batches in use: the one chosen last, those finished, the open vials.
    batches: dict[str, SessionBatches] = field(default_factory=dict)
    # The certificate of the dose just recorded, for "send again" while the consent lasts:
    # ids and the consent token only (see vaxterm/certificate.py).
    certificate: SentCertificate | None = None

    def batches_of(self, session_id: str) -> SessionBatches:
        return self.batches.setdefault(session_id, SessionBatches())

    def names(self) -> list[str]:
        """The people held right now: what redaction masks in logs and messages."""
        held = list(self.consent.beneficiaries) if self.consent else []
        if self.kept is not None and self.kept.consent is not self.consent:
            held += self.kept.consent.beneficiaries
        return ([p.name for p in held] + ([self.person.name] if self.person else [])
                + self.outbox.names())

    @property
    def doses_recorded(self) -> int:
        """This login's doses in the session chosen now (a switch with F3 counts anew)."""
        here = self.session.session_id if self.session else None
        return sum(1 for session_id in self.recorded.values() if session_id == here)

    def note_recorded(self, vaccination_id: str, session_id: str) -> None:
        """Count a dose once, whether the form or a background retry heard of it first."""
        self.recorded.setdefault(vaccination_id, session_id)
        # A person whose dose is recorded is done: nothing of them stays, their consent
        # included (only a person left unrecorded, say to change session, keeps it).
        self.kept = None

    def standing_in(self, session_id: str, standing: list[str]) -> None:
        """The registry's list of this vaccinator's doses that stand in a session replaces
        what was counted there (one marked entered in error drops out). Reading the tally
        finishes no one: a consent kept to change session stays."""
        self.recorded = {v: s for v, s in self.recorded.items() if s != session_id}
        self.recorded.update(dict.fromkeys(standing, session_id))

    def forget_beneficiary(self) -> None:
        from vaxterm.privacy import forget_names

        forget_names()  # redaction's compiled patterns hold the names
        self.consent = None
        self.person = None
        self.draft = None

    def forget_everything(self) -> None:
        self.forget_beneficiary()
        self.kept = None
        self.sessions = []
        self.session = None
        self.recorded.clear()
        self.outbox.clear()
        self.batches.clear()
        self.certificate = None
