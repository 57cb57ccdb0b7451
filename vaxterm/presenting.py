"""Turning records into the words on screen. Identifiers appear masked, names in full
(the vaccinator must match the person), dates as DD-MM-YYYY."""

from __future__ import annotations

from datetime import date, timedelta

from api_client import models as m
from api_client.dates import ddmmyyyy, parse_ddmmyyyy
from api_client.rules import GivenDose, check_dose, next_due
from vaxterm.dose_form import DoseDraft, history


def age(birth_year: str, today: date) -> str:
    try:
        return f"{today.year - int(birth_year)} years"
    except ValueError:
        return "age unknown"


def masked_id(person: m.BeneficiarySummary) -> str:
    return f"{person.photo_id_type} ending {person.photo_id_number[-4:]}"


def person_line(person: m.BeneficiarySummary, today: date) -> str:
    return (f"{person.name}\n  {person.gender}, {age(person.birth_year, today)} · "
            f"{person.vaccination_status.lower()}")


def dose_lines(person: m.Beneficiary) -> list[str]:
    if not person.doses:
        return ["No dose recorded."]
    lines = []
    for d in sorted(person.doses, key=lambda d: d.dose):
        kind = "Precaution" if d.is_precaution else f"Dose {d.dose}"
        error = " (entered in error)" if d.status == "entered-in-error" else ""
        lines.append(f"{kind:<10} {d.date}  {d.vaccine} {d.vaccine_batch}{error}")
    return lines


def due_line(person: m.Beneficiary, today: date) -> str:
    due = next_due(history(person), int(person.birth_year), today)
    if due.dose == 0:
        return due.message
    kind = "Precaution dose" if due.is_precaution else f"Dose {due.dose}"
    when = "today" if due.earliest is None or due.earliest <= today else (
        f"from {ddmmyyyy(due.earliest)}")
    return f"{kind} due {when}: {' or '.join(due.vaccines)}."


def recorded_today(person: m.Beneficiary, today: date) -> m.DoseGiven | None:
    """The dose the registry holds from today, if any (entered-in-error ones do not count)."""
    return next((d for d in person.doses if d.status == "completed"
                 and parse_ddmmyyyy(d.date) == today), None)


def eligibility_line(person: m.Beneficiary, session: m.Session | None, today: date
                     ) -> tuple[bool, str]:
    """The shared rules' verdict for this session's vaccine (the registry has the last word)."""
    given = recorded_today(person, today)
    if given is not None:  # also what a dose whose answer was lost turns out to be
        return False, f"Dose {given.dose} ({given.vaccine}) recorded today. Nothing more today."
    done = history(person)
    due = next_due(done, int(person.birth_year), today)
    if due.dose == 0:
        return False, due.message
    if session is None:
        return False, "Pick a session to check eligibility."
    verdict = check_dose(done, int(person.birth_year), session.vaccine, due.dose, today)
    if verdict.allowed:
        return True, f"Eligible today for dose {due.dose} of {session.vaccine}."
    return False, verdict.message


def session_line(session: m.Session) -> str:
    ages = f"{session.min_age_limit}+" if session.max_age_limit is None else (
        f"{session.min_age_limit}-{session.max_age_limit}")
    return f"{session.vaccine} · {ages} · {session.centre_name}"


def next_dose_note(person: m.Beneficiary, draft: DoseDraft, today: date) -> str:
    """What comes after the dose on the form, so the vaccinator can tell the person."""
    after = [*history(person), GivenDose(draft.dose, draft.vaccine, today, draft.precaution)]
    due = next_due(after, int(person.birth_year), today + timedelta(days=1))
    if due.dose == 0 or due.earliest is None:
        return "After this dose: no further dose is due."
    kind = "the precaution dose" if due.is_precaution else f"dose {due.dose}"
    return f"After this dose: {kind} is due from {ddmmyyyy(due.earliest)}."
