"""The record-dose form without its screen: defaults, warnings and the exact request.

The form gets its idempotency key when it opens; every retry of the same form sends the
same key, so the registry records the dose once whatever the network does.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from api_client import models as m
from api_client.dates import ddmmyyyy, parse_ddmmyyyy
from api_client.rules import GivenDose, Reason, check_dose, next_due


def history(person: m.Beneficiary) -> list[GivenDose]:
    """Completed doses as the rules see them (entered-in-error ones do not count)."""
    doses = []
    for d in person.doses:
        given = parse_ddmmyyyy(d.date)
        if d.status == "completed" and given is not None:
            doses.append(GivenDose(d.dose, d.vaccine, given, d.is_precaution))
    return doses


def usable_batches(session: m.Session, today: date) -> list[m.Batch]:
    """Batches not yet expired, the soonest to expire first (first expiry, first out)."""
    usable = [(parse_ddmmyyyy(b.expiry_date), b) for b in session.batches]
    return [b for expiry, b in sorted((x for x in usable if x[0] and x[0] >= today),
                                      key=lambda x: x[0] or today)]


def expired_batches(session: m.Session, today: date) -> list[m.Batch]:
    """Batches the session still lists but that must not be used: expired (or with an
    unreadable date). Shown in the form, disabled, so the vaccinator sees why."""
    return [b for b in session.batches
            if (expiry := parse_ddmmyyyy(b.expiry_date)) is None or expiry < today]


def batch_label(batch: m.Batch, usable: bool, *, finished: bool = False) -> str:
    """A batch in the form's list: its expiry, or why it cannot be chosen."""
    if finished:
        return f"{batch.vaccine_batch}  · finished in this session"
    if usable:
        return f"{batch.vaccine_batch}  · vial expires {batch.expiry_date}"
    if parse_ddmmyyyy(batch.expiry_date) is None:
        return f"{batch.vaccine_batch}  · expiry date unreadable: do not use"
    return f"{batch.vaccine_batch}  · expired {batch.expiry_date}: do not use"


@dataclass
class DoseDraft:
    reference_id: str
    name: str
    session: m.Session
    dose: int
    batches: list[m.Batch]
    batch: str
    warnings: list[str]
    precaution: bool = False
    idempotency_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    expired: list[m.Batch] = field(default_factory=list)  # listed, never chosen
    finished: list[m.Batch] = field(default_factory=list)  # marked finished: listed, not chosen
    # The screening's answer codes ("NONE" for none of these), set before the form shows.
    screening: tuple[m.ScreeningCode, ...] = ()

    @property
    def vaccine(self) -> str:
        return self.session.vaccine

    @property
    def doses_per_vial(self) -> int:
        return next((b.doses_per_vial for b in self.batches if b.vaccine_batch == self.batch), 1)

    def finish_batch(self) -> None:
        """The chosen batch is used up: listed as finished, and the next one chosen."""
        done = [b for b in self.batches if b.vaccine_batch == self.batch]
        self.batches = [b for b in self.batches if b.vaccine_batch != self.batch]
        self.finished += done
        self.batch = self.batches[0].vaccine_batch if self.batches else ""

    def request(self) -> m.VaccinateRequest:
        return m.VaccinateRequest(session_id=self.session.session_id,
                                  vaccine=self.session.vaccine, vaccine_batch=self.batch,
                                  dose=self.dose, id_verified=True,
                                  screening=list(self.screening))

    def summary(self, today: date) -> list[tuple[str, str]]:
        """Exactly what will be recorded, for the confirmation."""
        expiry = next((b.expiry_date for b in self.batches if b.vaccine_batch == self.batch), "")
        return [
            ("Beneficiary", f"{self.name} (ref ending {self.reference_id[-4:]})"),
            ("Vaccine", self.vaccine),
            ("Dose", f"dose {self.dose}" + (" (precaution)" if self.precaution else "")),
            ("Batch", f"{self.batch} (vial expires {expiry})"),
            ("Date", ddmmyyyy(today)),
            ("Centre", self.session.centre_name),
        ]


def warnings_for(person: m.Beneficiary, session: m.Session, dose: int, today: date
                 ) -> list[str]:
    """What the vaccinator should see before recording; the registry has the last word."""
    done = history(person)
    verdict = check_dose(done, int(person.birth_year), session.vaccine, dose, today)
    found: list[str] = []
    if any(d.given_on == today for d in done):
        found.append("Already vaccinated today: check the record before giving anything.")
    if verdict.reason is Reason.DIFFERENT_VACCINE:
        found.append(f"First dose was {done[0].vaccine}; this session gives {session.vaccine}.")
    elif not verdict.allowed and verdict.reason is not Reason.VACCINATED_TODAY:
        found.append(verdict.message)
    return found


def open_draft(person: m.Beneficiary, session: m.Session, today: date,
               finished: Collection[str] = (), chosen: str = "") -> DoseDraft:
    """The form for the person's due dose: the batch chosen for the session's last dose
    (`chosen`), else the first to expire; batches marked `finished` listed but not chosen."""
    due = next_due(history(person), int(person.birth_year), today)
    dose = due.dose or (max((d.dose for d in person.doses), default=0) + 1)
    in_date = usable_batches(session, today)
    batches = [b for b in in_date if b.vaccine_batch not in finished]
    codes = [b.vaccine_batch for b in batches]
    return DoseDraft(
        reference_id=person.beneficiary_reference_id, name=person.name, session=session,
        dose=dose, batches=batches,
        batch=chosen if chosen in codes else (codes[0] if codes else ""),
        warnings=warnings_for(person, session, dose, today), precaution=due.is_precaution,
        expired=expired_batches(session, today),
        finished=[b for b in in_date if b.vaccine_batch in finished])
