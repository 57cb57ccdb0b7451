"""A deterministic synthetic population for the mock registry.

Every name is drawn at random from lists of common given names and surnames, every number is
made up; nothing belongs to a real person. The first mobiles are the documented demo
situations (README, trainer guide); the rest fill the registry to a realistic size.
Dates are relative to the mock clock's today, so the situations hold on any day.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from api_client.rules import (
    PRECAUTION_GAP_AFTER,
    VACCINES,
    AgeGroup,
    group_for_age,
    primary_vaccines,
)

GIVEN_FEMALE = (
    "Aarti", "Anjali", "Bhavna", "Deepa", "Divya", "Gauri", "Hema", "Ishita", "Jyoti", "Kavita",
    "Lakshmi", "Meena", "Neha", "Pooja", "Priya", "Rekha", "Sangeeta", "Sunita", "Tanvi", "Usha",
)
GIVEN_MALE = (
    "Aakash", "Arjun", "Deepak", "Ganesh", "Harish", "Imran", "Jatin", "Kiran", "Manoj", "Mohan",
    "Naveen", "Prakash", "Rahul", "Rajesh", "Sanjay", "Suresh", "Tarun", "Vijay", "Vinod", "Yusuf",
)
SURNAMES = (
    "Agarwal", "Bhat", "Chauhan", "Das", "Desai", "Ghosh", "Iyer", "Joshi", "Kulkarni", "Menon",
    "Mishra", "Nair", "Patel", "Pillai", "Rao", "Reddy", "Saxena", "Shah", "Singh", "Verma",
)
ADULT_IDS = ("Aadhaar Card", "PAN Card", "Passport", "Voter ID", "Driving Licence")
MINOR_IDS = ("Aadhaar Card", "PAN Card", "Ration card with photo", "Student photo ID")


@dataclass
class DoseEntry:
    vaccination_id: str
    dose: int
    vaccine: str
    vaccine_batch: str
    given_on: date
    is_precaution: bool = False
    status: str = "completed"  # or "entered-in-error"
    vaccinator: str = "registry"
    session_id: str = ""
    recorded_at: datetime | None = None
    certificate_id: str = ""
    screening: tuple[str, ...] = ()  # the pre-vaccination screening's answer codes


@dataclass
class Person:
    reference_id: str
    name: str
    birth_year: int
    gender: str
    mobile: str  # full number: the mock must know where to "send" the OTP; never served
    photo_id_type: str
    photo_id_last4: str  # stored masked, as the real registry does
    comorbidity: bool
    doses: list[DoseEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Situation:
    mobile: str
    shows: str


# (age, vaccine history as (vaccine, days ago) for each dose, last is precaution?)
_DemoSpec = tuple[int, tuple[tuple[str, int], ...], bool]
DEMO: tuple[tuple[str, str, tuple[_DemoSpec, ...]], ...] = (
    ("9000000001", "adult, never vaccinated: dose 1 due", ((34, (), False),)),
    ("9000000002", "Covishield dose 2 due", ((41, (("COVISHIELD", 100),), False),)),
    ("9000000003", "Covishield dose 2 too early (dose 1 was 30 days ago)",
     ((29, (("COVISHIELD", 30),), False),)),
    ("9000000004", "precaution dose due (Covaxin, or Corbevax as heterologous)",
     ((63, (("COVAXIN", 400), ("COVAXIN", 300)), False),)),
    ("9000000005", "complete: primary series and precaution dose given",
     ((52, (("COVISHIELD", 700), ("COVISHIELD", 600), ("COVISHIELD", 300)), True),)),
    ("9000000006", "15-17, never vaccinated: Covaxin only", ((16, (), False),)),
    ("9000000007", "12-14, never vaccinated: Corbevax only", ((13, (), False),)),
    ("9000000008", "a family of four on one mobile (dose 1, dose 2 and precaution due)",
     ((45, (), False), (43, (("COVAXIN", 40),), False), (17, (("COVAXIN", 35),), False),
      (71, (("COVISHIELD", 500), ("COVISHIELD", 410)), False))),
    ("9000000009", "under 12: not eligible", ((10, (), False),)),
    ("9000000010", "already vaccinated today (dose 1 this morning)",
     ((38, (("COVAXIN", 0),), False),)),
    ("9000000011", "precaution too early (dose 2 was 60 days ago)",
     ((47, (("COVISHIELD", 200), ("COVISHIELD", 60)), False),)),
    # Nobody registered: walk-ins to register (F7 on Search), up to 4 on each.
    ("9000000012", "nobody registered: register a walk-in", ()),
    ("9000000013", "nobody registered: register a walk-in", ()),
    ("9000000014", "nobody registered: register a walk-in", ()),
    ("9000000015", "nobody registered: register a walk-in", ()),
)
SITUATIONS = tuple(Situation(mobile, shows) for mobile, shows, _ in DEMO)

# The products adults got in the random population, weighted as drawn; which product fits
# which age, and the gaps between doses, come from the rules.
ADULT_MIX = ("COVISHIELD", "COVISHIELD", "COVAXIN")
# Precaution doses a week past the minimum gap (§2.3), for doses 2 long enough ago.
_PRECAUTION_AFTER = PRECAUTION_GAP_AFTER + 8


def _person(rng: random.Random, ref: str, mobile: str, age: int, today: date) -> Person:
    female = rng.random() < 0.5
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    ids = ADULT_IDS if age >= 18 else MINOR_IDS
    return Person(
        reference_id=ref,
        name=f"{given} {rng.choice(SURNAMES)}",
        birth_year=today.year - age,
        gender="Female" if female else "Male",
        mobile=mobile,
        photo_id_type=rng.choice(ids),
        photo_id_last4=f"{rng.randrange(10_000):04d}",
        comorbidity=age >= 45 and rng.random() < 0.2,
    )


def _add_doses(rng: random.Random, ids: random.Random, person: Person,
               history: tuple[tuple[str, int], ...], last_is_precaution: bool,
               today: date) -> None:
    for number, (vaccine, days_ago) in enumerate(history, start=1):
        person.doses.append(DoseEntry(
            # Random, so that an id tells nothing about whose dose it is or how many exist.
            vaccination_id=str(uuid.UUID(int=ids.getrandbits(128), version=4)),
            dose=number,
            vaccine=vaccine,
            vaccine_batch=f"HIST-{rng.randrange(1000, 9999)}",
            given_on=today - timedelta(days=days_ago),
            is_precaution=last_is_precaution and number == len(history),
            certificate_id=f"CERT{person.reference_id[-8:]}{number}",
        ))


def _random_history(rng: random.Random, age: int) -> tuple[tuple[tuple[str, int], ...], bool]:
    """A plausible dose history for someone of this age, spread over every state."""
    group = group_for_age(age)
    if group is AgeGroup.TOO_YOUNG:
        return (), False
    products = ADULT_MIX if group is AgeGroup.ADULT else primary_vaccines(group)
    vaccine = products[0] if len(products) == 1 else rng.choice(products)
    state = rng.choices(("none", "one", "two", "precaution"), weights=(3, 3, 3, 1))[0]
    if state == "none":
        return (), False
    first = rng.randrange(20, 900)
    history = [(vaccine, first)]
    interval = VACCINES[vaccine].interval_days
    if state in ("two", "precaution") and first > interval:
        second = first - interval - rng.randrange(0, 20)
        history.append((vaccine, max(second, 1)))
        if (state == "precaution" and group is AgeGroup.ADULT
                and history[-1][1] > _PRECAUTION_AFTER + 10):
            history.append((vaccine, history[-1][1] - _PRECAUTION_AFTER))
            return tuple(history), True
    return tuple(history), False


def build_population(seed: int, today: date, size: int = 2000) -> dict[str, Person]:
    """The demo situations first, then random households until `size` people exist."""
    rng = random.Random(seed)
    ids = random.Random(f"{seed}/vaccination-ids")  # apart, so the people stay the same
    people: dict[str, Person] = {}
    counter = 0

    def next_ref() -> str:
        nonlocal counter
        counter += 1
        return f"{99990000000000 + counter:014d}"

    for mobile, _shows, members in DEMO:
        for age, history, precaution in members:
            person = _person(rng, next_ref(), mobile, age, today)
            _add_doses(rng, ids, person, history, precaution, today)
            people[person.reference_id] = person

    used = {mobile for mobile, _, _ in DEMO}
    while len(people) < size:
        mobile = f"{rng.choice('6789')}{rng.randrange(10**9):09d}"
        if mobile in used:
            continue
        used.add(mobile)
        household = min(rng.choices((1, 2, 3, 4), weights=(5, 3, 2, 1))[0], size - len(people))
        for _ in range(household):
            age = rng.choice((rng.randrange(18, 90), rng.randrange(18, 90), rng.randrange(10, 18)))
            person = _person(rng, next_ref(), mobile, age, today)
            history, precaution = _random_history(rng, age)
            _add_doses(rng, ids, person, history, precaution, today)
            people[person.reference_id] = person
    return people
