"""Dose rules of India's COVID-19 programme (2021-2023), as pure table-driven code.

One implementation: the mock server enforces these rules and the app uses them to warn
before it submits (the server stays the authority). Every rule cites the reference sheet
(`cowin-reference.md` §2). Nothing here knows about HTTP or the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from api_client.dates import ddmmyyyy


class AgeGroup(Enum):
    ADULT = "18+"
    TEEN = "15-17"
    CHILD = "12-14"
    TOO_YOUNG = "under 12"

    @property
    def min_age(self) -> int:
        """§2.2: the youngest age in the group."""
        return _MIN_AGE[self]


_MIN_AGE = {AgeGroup.ADULT: 18, AgeGroup.TEEN: 15, AgeGroup.CHILD: 12, AgeGroup.TOO_YOUNG: 0}


@dataclass(frozen=True)
class VaccineSpec:
    """One product's primary series (§2.1)."""

    name: str
    primary_doses: int
    interval_days: int  # minimum gap between consecutive primary doses
    primary_for: frozenset[AgeGroup]


VACCINES: dict[str, VaccineSpec] = {
    spec.name: spec
    for spec in (
        # §2.1: 84-112 days since 13 May 2021; apps enforce the 84-day minimum.
        VaccineSpec("COVISHIELD", 2, 84, frozenset({AgeGroup.ADULT})),
        # §2.1: 28 days; the only vaccine for 15-17 from 3 Jan 2022.
        VaccineSpec("COVAXIN", 2, 28, frozenset({AgeGroup.ADULT, AgeGroup.TEEN})),
        VaccineSpec("SPUTNIK V", 2, 21, frozenset({AgeGroup.ADULT})),
        # §2.1: the only vaccine for 12-14 from 16 Mar 2022; adults get it as precaution only.
        VaccineSpec("CORBEVAX", 2, 28, frozenset({AgeGroup.CHILD})),
        # §2.1: three needle-free doses, day 0/28/56; used for adults.
        VaccineSpec("ZYCOV-D", 3, 28, frozenset({AgeGroup.ADULT})),
        VaccineSpec("COVOVAX", 2, 21, frozenset({AgeGroup.ADULT})),
    )
}

# §2.3: precaution gap 39 weeks until 6 Jul 2022, 26 weeks from then on.
PRECAUTION_GAP_CHANGED = date(2022, 7, 6)
PRECAUTION_GAP_BEFORE = 273
PRECAUTION_GAP_AFTER = 182
# §2.3: CORBEVAX as a heterologous precaution dose from 12 Aug 2022, for those primed with
# COVISHIELD or COVAXIN.
HETEROLOGOUS_PRECAUTION: dict[str, tuple[date, frozenset[str]]] = {
    "CORBEVAX": (date(2022, 8, 12), frozenset({"COVISHIELD", "COVAXIN"})),
}


class Reason(Enum):
    """Why a dose may not be given. Values are the API's `errorCode`s."""

    TOO_YOUNG = "DOSE0001"
    VACCINE_NOT_FOR_AGE = "DOSE0002"
    TOO_EARLY = "DOSE0003"
    DIFFERENT_VACCINE = "DOSE0004"
    SERIES_COMPLETE = "DOSE0005"
    WRONG_DOSE_NUMBER = "DOSE0006"
    BATCH_EXPIRED = "DOSE0007"
    VACCINATED_TODAY = "DOSE0008"
    ALREADY_RECORDED = "DOSE0009"
    UNKNOWN_VACCINE = "DOSE0010"


@dataclass(frozen=True)
class GivenDose:
    dose: int
    vaccine: str
    given_on: date
    is_precaution: bool = False


@dataclass(frozen=True)
class Due:
    """What is due next for a person, on a given day."""

    dose: int  # 0 when nothing more is due
    earliest: date | None
    vaccines: tuple[str, ...]
    is_precaution: bool = False
    reason: Reason | None = None  # why nothing is due, when dose == 0
    message: str = ""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: Reason | None = None
    message: str = ""
    earliest: date | None = None
    due: Due | None = field(default=None, compare=False)


def age_group(birth_year: int, on: date) -> AgeGroup:
    """§2.2 mock rule: age is the reference year minus the birth year."""
    return group_for_age(on.year - birth_year)


def group_for_age(age: int) -> AgeGroup:
    return next((group for group in AgeGroup if age >= group.min_age), AgeGroup.TOO_YOUNG)


def min_age(vaccine: str) -> int:
    """The youngest age a product's primary series is given at (a session's age limit)."""
    return min(group.min_age for group in VACCINES[vaccine].primary_for)


def precaution_gap_days(on: date) -> int:
    return PRECAUTION_GAP_BEFORE if on < PRECAUTION_GAP_CHANGED else PRECAUTION_GAP_AFTER


def precaution_vaccines(primary: str, on: date) -> tuple[str, ...]:
    """§2.3: homologous, or a heterologous product whose policy is in force on that day."""
    allowed = [primary]
    for product, (since, primed_with) in HETEROLOGOUS_PRECAUTION.items():
        if on >= since and primary in primed_with and product != primary:
            allowed.append(product)
    return tuple(allowed)


def primary_vaccines(group: AgeGroup) -> tuple[str, ...]:
    """The products a first dose may be for this age group (§2.1)."""
    return tuple(name for name, spec in VACCINES.items() if group in spec.primary_for)


def _valid(history: Sequence[GivenDose]) -> list[GivenDose]:
    return sorted(history, key=lambda d: (d.dose, d.given_on))


def next_due(history: Sequence[GivenDose], birth_year: int, today: date) -> Due:
    """The next dose a person may get, the earliest day for it and the products allowed."""
    doses = _valid(history)
    group = age_group(birth_year, today)
    if not doses:
        if group is AgeGroup.TOO_YOUNG:
            return Due(0, None, (), reason=Reason.TOO_YOUNG,
                       message="Not eligible: vaccination starts at 12 years of age.")
        return Due(1, today, primary_vaccines(group))
    primary = doses[0].vaccine
    spec = VACCINES.get(primary)
    if spec is None:
        return Due(0, None, (), reason=Reason.UNKNOWN_VACCINE,
                   message=f"The first dose was {primary}, which these rules do not know.")
    last = doses[-1]
    if any(d.is_precaution for d in doses):
        return Due(0, None, (), reason=Reason.SERIES_COMPLETE,
                   message="Fully vaccinated: the precaution dose has been given.")
    if len(doses) < spec.primary_doses:
        earliest = last.given_on + timedelta(days=spec.interval_days)
        return Due(last.dose + 1, earliest, (primary,))
    # Primary series complete: a precaution dose for adults only (§2.3).
    if group is not AgeGroup.ADULT:
        return Due(0, None, (), reason=Reason.SERIES_COMPLETE,
                   message="Fully vaccinated: there is no precaution dose under 18.")
    earliest = last.given_on + timedelta(days=precaution_gap_days(today))
    return Due(spec.primary_doses + 1, earliest, precaution_vaccines(primary, today),
               is_precaution=True)


def check_dose(
    history: Sequence[GivenDose],
    birth_year: int,
    vaccine: str,
    dose: int,
    today: date,
    batch_expiry: date | None = None,
) -> Verdict:
    """May this dose of this vaccine be given today? Checks run from the most to the least
    definite reason, so the vaccinator reads the one that matters."""
    if vaccine not in VACCINES:
        return Verdict(False, Reason.UNKNOWN_VACCINE, f"{vaccine} is not a known vaccine.")
    if any(d.dose == dose for d in history):
        return Verdict(False, Reason.ALREADY_RECORDED,
                       f"Dose {dose} is already recorded for this person.")
    if any(d.given_on == today for d in history):
        return Verdict(False, Reason.VACCINATED_TODAY,
                       "This person was already vaccinated today.")
    if batch_expiry is not None and batch_expiry < today:
        return Verdict(False, Reason.BATCH_EXPIRED,
                       f"This batch expired on {ddmmyyyy(batch_expiry)}; use another batch.")
    due = next_due(history, birth_year, today)
    if due.dose == 0:
        assert due.reason is not None
        return Verdict(False, due.reason, due.message, due=due)
    if dose != due.dose:
        return Verdict(False, Reason.WRONG_DOSE_NUMBER,
                       f"The dose due is dose {due.dose}, not dose {dose}.", due=due)
    if vaccine not in due.vaccines:
        if history:
            allowed = " or ".join(due.vaccines)
            return Verdict(False, Reason.DIFFERENT_VACCINE,
                           f"Not {vaccine}: this person needs {allowed} (first dose was "
                           f"{_valid(history)[0].vaccine}).", due=due)
        group = age_group(birth_year, today)
        return Verdict(False, Reason.VACCINE_NOT_FOR_AGE,
                       f"{vaccine} is not given to the {group.value} age group; "
                       f"use {' or '.join(due.vaccines)}.", due=due)
    if due.earliest is not None and today < due.earliest:
        return Verdict(False, Reason.TOO_EARLY,
                       f"Too early for dose {dose}: due from {ddmmyyyy(due.earliest)}.",
                       earliest=due.earliest, due=due)
    return Verdict(True, due=due)
