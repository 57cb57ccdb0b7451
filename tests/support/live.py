"""The real app against a real registry over a socket: a `vaxterm mock-server` process, with
the fault proxy (`tests.support.fault_proxy`) in between.

That registry runs on the real clock in its own process, so a test cannot move its time or
read its state. Instead: login codes are computed from the demo accounts' published secrets
(each works once, as on a phone), the people to vaccinate are chosen from the mock's seeded
population (the same one the process built today), and what the registry holds is read
through the API itself.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import anyio
import pyotp

from api_client.client import ApiClient
from api_client.mock import MockConfig
from api_client.mock.accounts import CENTRES, build_accounts
from api_client.mock.clock import IST
from api_client.mock.population import Person, build_population
from api_client.mock.registry import chosen_seed
from api_client.retry import RetryPolicy
from api_client.rules import GivenDose, check_dose, next_due
from api_client.timeouts import Timeouts
from screens.app import VaxtermApp
from vaxterm.settings import LoginSettings, Settings

# Small enough that a stalled or trickled answer ends within about 1.5 s, with one retry for
# reads and dose writes, as the client's own policy has (only shorter); large enough that a
# loaded machine still answers an ordinary call in time.
FAST = Timeouts(connect=1.0, read=1.0, write=1.0, pool=1.0, total=1.5)
ONE_RETRY = RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.1, total=5.0)
# The centre of each account (odd trainees at North, even ones at South) and the vaccine of
# the session a test uses there.
NORTH, SOUTH = CENTRES[0].centre_id, CENTRES[1].centre_id
VACCINE = {NORTH: "COVISHIELD", SOUTH: "CORBEVAX"}
FIRST_RANDOM = 30  # people after the documented demo situations (README)


class ShiftClock:
    """Real time in IST, as the registry's; a test moves it on (the idle lock), never back."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(IST) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


class Authenticator:
    """Each demo account's authenticator app. The registry takes a code once, from the
    current 30-second step or the next one, so an account can sign in twice a step."""

    def __init__(self) -> None:
        self._secrets = {a.username: a.totp_secret for a in build_accounts().values()}
        self._used: dict[str, int] = {}

    def _take(self, username: str) -> str | None:
        totp = pyotp.TOTP(self._secrets[username])
        current = int(time.time()) // totp.interval
        for counter in (current, current + 1):
            if counter > self._used.get(username, -1):
                self._used[username] = counter
                return str(totp.generate_otp(counter))
        return None

    async def code(self, username: str) -> str:
        """A code the registry has not seen yet; waits for the next step if need be."""
        for _ in range(2):
            code = self._take(username)
            if code is not None:
                return code
            await anyio.sleep(30 - time.time() % 30 + 0.05)
        raise AssertionError(f"no fresh code for {username}")


def _history(person: Person) -> list[GivenDose]:
    return [GivenDose(d.dose, d.vaccine, d.given_on, d.is_precaution)
            for d in person.doses if d.status == "completed"]


def due_today(person: Person, vaccine: str, today: date) -> int:
    """The dose number this person may get today of `vaccine`, or 0."""
    done = _history(person)
    due = next_due(done, person.birth_year, today)
    if due.dose and check_dose(done, person.birth_year, vaccine, due.dose, today).allowed:
        return due.dose
    return 0


@dataclass
class People:
    """People of the mock's population who may get a dose of each vaccine today, handed out
    once each: a person can be vaccinated once a day."""

    today: date
    _free: dict[str, Iterator[Person]] = field(default_factory=dict)
    _taken: set[str] = field(default_factory=set)

    @classmethod
    def of_today(cls) -> People:
        today = datetime.now(IST).date()
        config = MockConfig()  # the server process was started with the tests' seed
        people = list(build_population(chosen_seed(config.seed), today,
                                       config.population).values())
        free = {vaccine: iter([p for p in people[FIRST_RANDOM:]
                               if due_today(p, vaccine, today)])
                for vaccine in VACCINE.values()}
        return cls(today, free)

    def take(self, vaccine: str) -> Person:
        person = next(p for p in self._free[vaccine] if p.reference_id not in self._taken)
        self._taken.add(person.reference_id)
        return person


@dataclass
class Accounts:
    """The trainee accounts in turn, per centre, so that consecutive tests sign in as
    different people (the search limit and the audit alert count per vaccinator)."""

    _turns: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def take(self, centre: int) -> str:
        names = [a.username for a in build_accounts().values()
                 if a.username.startswith("trainee") and a.centre_id == centre]
        turn = self._turns[centre]
        self._turns[centre] = turn + 1
        return names[turn % len(names)]


def live_app(base_url: str, username: str, clock: ShiftClock, *,
             timeouts: Timeouts = FAST, retry: RetryPolicy = ONE_RETRY
             ) -> tuple[VaxtermApp, ApiClient]:
    """The real app whose client talks to `base_url` (the proxy), with `username` typed."""
    api = ApiClient(base_url, timeouts=timeouts, retry=retry)
    settings = Settings(login=LoginSettings(username=username))
    app = VaxtermApp(lambda: api, settings, training=True, clock=clock.now, blink=False)
    app.animation_level = "none"
    return app, api
