"""Turning records into the words on screen. Identifiers appear masked, names in full
(the vaccinator must match the person), dates as DD-MM-YYYY."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from api_client import models as m
from api_client.dates import ddmmyyyy, parse_ddmmyyyy
from api_client.rules import Due, GivenDose, Reason, Verdict, check_dose, next_due
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
    found = eligibility(person, session, (), today)
    return found.ok, found.why


@dataclass(frozen=True)
class Eligibility:
    """The rules' verdict on the person screen: whether to go on to the ID check and the
    form, why not, and what to do instead. The registry stays the judge when recording."""

    ok: bool
    why: str
    advice: str = ""
    # Today's other sessions whose vaccine this person may get today: F3 changes to them.
    other_sessions: tuple[m.Session, ...] = ()


def eligibility(person: m.Beneficiary, session: m.Session | None,
                sessions: Sequence[m.Session], today: date) -> Eligibility:
    """The verdict for `session`, and, when it is no, what to do: another of today's
    `sessions` that gives a vaccine they may have, or the day to come back."""
    born = int(person.birth_year)
    done = history(person)
    given = recorded_today(person, today)
    if given is not None:  # also what a dose whose answer was lost turns out to be
        after = next_due(done, born, today + timedelta(days=1))
        return Eligibility(False, f"Dose {given.dose} ({given.vaccine}) recorded today. "
                           "Nothing more today.", _next_visit(after))
    due = next_due(done, born, today)
    if due.dose == 0:
        return Eligibility(False, due.message, _nothing_due(due.reason, born))
    if session is None:
        return Eligibility(False, "Pick a session to check eligibility.",
                           "F3 picks one of today's sessions.")
    verdict = check_dose(done, born, session.vaccine, due.dose, today)
    if verdict.allowed:
        return Eligibility(True, f"Eligible today for dose {due.dose} of {session.vaccine}.")
    others = tuple(s for s in sessions if s.session_id != session.session_id
                   and check_dose(done, born, s.vaccine, due.dose, today).allowed)
    return Eligibility(False, verdict.message, _instead(verdict, others, due.vaccines),
                       others)


def _instead(verdict: Verdict, others: Sequence[m.Session], vaccines: Sequence[str]) -> str:
    """What to do when this session cannot give the dose today."""
    if others:
        names = " or ".join(dict.fromkeys(s.vaccine for s in others))
        return f"Press F3 to change to today's {names} session; the consent still holds."
    if verdict.reason is Reason.TOO_EARLY and verdict.earliest is not None:
        return (f"Do not vaccinate today. Ask them to come back on or after "
                f"{ddmmyyyy(verdict.earliest)}.")
    if verdict.reason in (Reason.DIFFERENT_VACCINE, Reason.VACCINE_NOT_FOR_AGE) and vaccines:
        return (f"None of today's sessions here gives {' or '.join(vaccines)}: send them to "
                "a session or centre that does.")
    return "Do not vaccinate. Check the record with your supervisor."


def _next_visit(due: Due) -> str:
    if due.dose == 0 or due.earliest is None:
        return "No further dose is due."
    kind = "the precaution dose" if due.is_precaution else f"dose {due.dose}"
    return f"Next: {kind} from {ddmmyyyy(due.earliest)}."


def _nothing_due(reason: Reason | None, birth_year: int) -> str:
    if reason is Reason.TOO_YOUNG:
        return (f"Do not vaccinate. They may come back from 01-01-{birth_year + 12}, the year "
                "they turn 12.")
    if reason is Reason.SERIES_COMPLETE:
        return "Nothing to give: their vaccination is complete."
    return "Do not vaccinate. Check the record with your supervisor."


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
