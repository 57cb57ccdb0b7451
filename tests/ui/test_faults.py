"""The real app, driven by key presses, against a real `vaxterm mock-server` process with the
fault proxy in between, broken on purpose at each step of the work: sign-in (password, then
code), today's sessions, the search, the beneficiary's OTP, the record, the dose, the tally and
sign-out, under each fault the network has (refused, stalled past the deadline, dropped after
the registry acted, 500/502/503, reset mid-answer, trickled).

Each cell asserts that the form is kept, that the words are true (only a refused connection
may say nothing was sent; no lost answer is blamed on the code or OTP), that the job can be
finished when the fault clears, with the keys a person presses, and that the registry then
holds exactly the one dose meant (none for the steps before the dose). Then Escape, Ctrl+Q,
Ctrl+L and the idle lock while a dose is on its way.

Every fault that is not a refused connection lets the registry act first (stall, 5xx with
`forward`): the hardest case for the words. A refused connection closes the whole port, so a
step that follows another without a key press (the sessions after the code, the record after
the OTP) meets it when the person asks again.

The whole matrix takes several minutes on a small machine; by default a representative subset
runs (every step and every fault at least once, the dose under every fault).
`FAULT_MATRIX=full` runs all of it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Select, Static

from api_client.mock.population import Person
from api_client.timeouts import Timeouts
from screens.app import VaxtermApp
from tests.support import flow
from tests.support.app import settle
from tests.support.app import until as until_true
from tests.support.fault_proxy import Fault, FaultProxy, mock_server_process
from tests.support.live import (
    FAST,
    NORTH,
    SOUTH,
    VACCINE,
    Accounts,
    Authenticator,
    People,
    ShiftClock,
    live_app,
)

pytestmark = [pytest.mark.anyio, pytest.mark.loopback]
SIZE = (100, 30)
PASSWORD = "Train@2026"

# --- the registry, the proxy and the app ------------------------------------------------------


@dataclass
class World:
    """One registry process for the module; accounts, codes and people handed out in turn."""

    url: str
    codes: Authenticator
    people: People
    accounts: Accounts


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with mock_server_process() as url:
        yield World(url, Authenticator(), People.of_today(), Accounts())


@pytest.fixture
def proxy(world: World) -> Iterator[FaultProxy]:
    with FaultProxy(world.url, max_fault_seconds=5) as running:
        yield running


FAULTS: dict[str, dict[str, Any]] = {
    "refuse": {"fault": Fault.REFUSE},
    "stall": {"fault": Fault.STALL, "forward": True},
    "drop_after_forward": {"fault": Fault.DROP_AFTER_FORWARD},
    "500": {"fault": Fault.STATUS_500, "forward": True},
    "502": {"fault": Fault.STATUS_502, "forward": True},
    "503": {"fault": Fault.STATUS_503, "forward": True, "retry_after": 0.1},
    "reset_mid_answer": {"fault": Fault.RESET_MID_ANSWER},
    "trickle": {"fault": Fault.TRICKLE},
}

# Words a message may use only when nothing reached the registry.
NOTHING_SENT = ("nothing was sent", "was not sent", "not sent", "could not be told",
                "nothing left")
# Words that blame the code or OTP typed.
BLAME = ("not right", "has expired", "expired or", "tried too often", "tries left",
         "try left", "ask for a new", "press f5")


class Untrue(AssertionError):
    """What a screen said (or did not do) was false, while the rest of the cell held."""


@dataclass
class Cell:
    """One step under one fault, in one app signed in (or about to be) as one trainee."""

    pilot: Pilot[Any]
    app: VaxtermApp
    proxy: FaultProxy
    world: World
    clock: ShiftClock
    username: str
    vaccine: str
    person: Person
    fault: str
    untrue: list[str] = field(default_factory=list)  # what the screens said that is false

    @property
    def forwarded(self) -> bool:
        """The registry gets (and acts on) the request under this fault."""
        return self.fault != "refuse"

    def inject(self, method: str, path: str, fault: str | None = None) -> None:
        spec = FAULTS[fault or self.fault]
        if spec["fault"] is Fault.REFUSE:
            self.proxy.set_fault(Fault.REFUSE)
        else:
            self.proxy.set_fault(method=method, path=path, **spec)

    def clear(self) -> None:
        self.proxy.clear()

    def check_words(self, text: str, *, code_step: bool = False, says_why: bool = True
                    ) -> None:
        """Whether `text` is true of this fault; what is not is noted, and the test fails at
        its end, after the rest of the cell (form kept, job finished, doses) was checked.
        `says_why`: the text is the one that says what happened (not a line beside it)."""
        low = " ".join(text.lower().split())
        if not low:
            self.untrue.append("the screen says nothing")
            return
        if self.forwarded:
            claims = [w for w in NOTHING_SENT if w in low]
            if claims:
                self.untrue.append(f"says {claims} although the registry got it: {text!r}")
        elif says_why and not any(w in low for w in ("cannot be reached", "could not be told")):
            self.untrue.append(f"does not say the registry cannot be reached: {text!r}")
        blamed = [w for w in BLAME if w in low] if code_step else []
        if blamed:
            self.untrue.append(f"blames the code: {blamed}: {text!r}")

    def expect(self, condition: bool, untrue: str) -> None:
        if not condition:
            self.untrue.append(untrue)

    async def code(self) -> str:
        return await self.world.codes.code(self.username)


@dataclass(frozen=True)
class Route:
    """A call of the API, as the proxy matches it."""

    method: str
    regex: str  # searched in the path


LOGIN = Route("POST", r"/auth/vaccinator/login$")
CONFIRM_LOGIN = Route("POST", r"/auth/vaccinator/confirmOTP$")
SESSIONS = Route("GET", r"/vaccinator/sessions$")
SEARCH = Route("POST", r"/beneficiaries/search$")
CONFIRM_OTP = Route("POST", r"/beneficiaries/confirmOTP$")
RECORD = Route("GET", r"/beneficiaries/\d+$")
VACCINATE = Route("POST", r"/vaccinate$")
SUMMARY = Route("GET", r"/summary$")
LOGOUT = Route("POST", r"/auth/vaccinator/logout$")


def centre_for(step: str, fault: str) -> int:
    """North (a session picker) or South (one session), in turn, so both logins are run."""
    return (NORTH, SOUTH)[(list(STEPS).index(step) + list(FAULTS).index(fault)) % 2]


@asynccontextmanager
async def opened(world: World, proxy: FaultProxy, fault: str, centre: int,
                 timeouts: Timeouts = FAST) -> AsyncIterator[Cell]:
    """The app against the proxy, as the next trainee of `centre`, with a person who may get
    a dose there today; the login form is on screen."""
    username = world.accounts.take(centre)
    vaccine = VACCINE[centre]
    clock = ShiftClock()
    app, _ = live_app(proxy.base_url, username, clock, timeouts=timeouts)
    async with app.run_test(size=SIZE, notifications=True) as running:
        pilot: Pilot[Any] = running
        await settle(pilot)
        try:
            yield Cell(pilot, app, proxy, world, clock, username, vaccine,
                       world.people.take(vaccine), fault)
        finally:
            proxy.clear()  # the app signs out as it closes


# --- what a person does -------------------------------------------------------------------------


def screen(c: Cell) -> str:
    return flow.screen_name(c.pilot)


def value_of(c: Cell, selector: str, under: int = 0) -> str:
    target = c.app.screen_stack[-1 - under]
    return target.query_one(selector, Input).value


def said(c: Cell, selector: str = "Static", under: int = 0) -> str:
    """The text of the widgets `selector` picks on the front screen (or one `under` it)."""
    target = c.app.screen_stack[-1 - under]
    return "\n".join(str(w.render()) for w in target.query(selector).results(Static))


async def press(c: Cell, *keys: str) -> None:
    await c.pilot.press(*keys)
    await settle(c.pilot)


async def fill_login(c: Cell) -> str:
    """Password and a fresh code typed, the cursor in the code field; returns the code."""
    code = await c.code()
    login = c.app.screen
    login.query_one("#password", Input).value = PASSWORD
    login.query_one("#code", Input).value = code
    login.query_one("#code", Input).focus()
    return code


async def pick_session(c: Cell) -> None:
    if screen(c) == "SessionPickerScreen":
        options = c.app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        wanted = next(s.session_id for s in c.app.desk.sessions if s.vaccine == c.vaccine)
        options.highlighted = ids.index(wanted)
        await press(c, "enter")
    assert screen(c) == "SearchScreen", said(c)


async def press_sign_in(c: Cell) -> None:
    c.app.screen.query_one("#sign-in", Button).focus()
    await press(c, "enter")


async def signed_in(c: Cell) -> None:
    await fill_login(c)
    await press(c, "enter")
    await pick_session(c)


async def searched(c: Cell) -> None:
    await flow.type_into(c.pilot, "#query", c.person.reference_id)
    assert screen(c) == "BeneficiaryOtpScreen", said(c, "#reads")


async def latest_otp(c: Cell) -> str:
    return (await c.app.api.sms_inbox())[-1].otp


async def consented(c: Cell) -> None:
    await flow.type_into(c.pilot, "#otp", await latest_otp(c))
    assert screen(c) == "BeneficiaryScreen", said(c, "#problem")


def record_shown(c: Cell) -> bool:
    return c.person.name in said(c, "#details") and said(c, "#eligibility").startswith("✔")


async def at_dose_form(c: Cell) -> None:
    await signed_in(c)
    await searched(c)
    await consented(c)
    assert record_shown(c), said(c)
    await press(c, "enter")
    assert screen(c) == "IdCheckScreen"
    await flow.type_into(c.pilot, "#last4", c.person.photo_id_last4)
    await flow.screened(c.pilot)


async def review_and_record(c: Cell) -> None:
    await press(c, "enter")
    assert screen(c) == "ConfirmModal"
    await press(c, "enter")


async def doses_recorded(c: Cell) -> int:
    """The person's doses the registry holds from this account today (the registry's own
    tally of the session, read once no fault is in the way)."""
    session = c.app.desk.session
    assert session is not None
    summary = await c.app.api.session_summary(session.session_id)
    tail = c.person.reference_id[-4:]
    return sum(1 for r in summary.my_records
               if r.beneficiary_reference_id.endswith(tail) and r.status == "completed")


def notes(c: Cell) -> list[str]:
    return [f"{n.title}: {n.message}" for n in c.app._notifications]


def login_kept(c: Cell, code: str) -> None:
    assert screen(c) == "LoginScreen"
    assert value_of(c, "#username") == c.username
    assert value_of(c, "#password") == PASSWORD
    assert value_of(c, "#code") == code


# --- one step a function: reach it, break it, act, look, clear, finish ---------------------------


async def step_login_password(c: Cell) -> None:
    code = await fill_login(c)
    c.inject(LOGIN.method, LOGIN.regex)
    await press(c, "enter")
    login_kept(c, code)
    c.check_words(said(c, "#problem"), code_step=True)
    if c.forwarded:  # the code never left: only the password's answer was lost
        c.expect("confirm this code" not in said(c, "#problem"),
                 f"a lost password answer is told as the code's: {said(c, '#problem')!r}")
    c.clear()
    await press(c, "enter")
    await pick_session(c)
    assert await doses_recorded(c) == 0


async def step_login_code(c: Cell) -> None:
    code = await fill_login(c)
    c.inject(CONFIRM_LOGIN.method, CONFIRM_LOGIN.regex)
    await press(c, "enter")
    login_kept(c, code)
    c.check_words(said(c, "#problem"), code_step=True)
    if c.forwarded:
        c.expect("may still have accepted it" in said(c, "#problem"), said(c, "#problem"))
    c.clear()
    await press(c, "enter")  # the same code: the registry gives the same answer again
    await pick_session(c)
    assert await doses_recorded(c) == 0


async def step_sessions(c: Cell) -> None:
    await fill_login(c)
    # Refused is met when the vaccinator asks again; the first failure is then a 503.
    c.inject(SESSIONS.method, SESSIONS.regex, fault="503" if not c.forwarded else None)
    await press(c, "enter")
    if not c.forwarded:
        c.inject(SESSIONS.method, SESSIONS.regex)
        await press(c, "enter")  # as the screen says
    assert screen(c) == "LoginScreen" and c.app.user is not None
    problem = said(c, "#problem")
    assert "Signed in, but today's sessions did not come" in problem
    assert "Press Enter to ask again" in problem
    c.check_words(problem)
    c.clear()
    asked = c.proxy.count(path=SESSIONS.regex)
    await press(c, "enter")  # as the screen says
    if c.proxy.count(path=SESSIONS.regex) == asked:
        c.untrue.append("Enter does not ask for the sessions again, as the screen says")
        await press_sign_in(c)
    await pick_session(c)
    assert await doses_recorded(c) == 0


async def step_search(c: Cell) -> None:
    await signed_in(c)
    c.inject(SEARCH.method, SEARCH.regex)
    await flow.type_into(c.pilot, "#query", c.person.reference_id)
    assert screen(c) == "SearchScreen"
    assert value_of(c, "#query") == c.person.reference_id
    c.check_words(said(c, "#reads"))
    assert "(ref " in said(c, "#reads"), "a reference for support"
    c.clear()
    await press(c, "enter")
    assert screen(c) == "BeneficiaryOtpScreen", said(c, "#reads")
    await consented(c)
    assert await doses_recorded(c) == 0


async def step_beneficiary_otp(c: Cell) -> None:
    await signed_in(c)
    await searched(c)
    otp = await latest_otp(c)
    c.inject(CONFIRM_OTP.method, CONFIRM_OTP.regex)
    await flow.type_into(c.pilot, "#otp", otp)
    assert screen(c) == "BeneficiaryOtpScreen"
    assert value_of(c, "#otp") == otp
    c.check_words(said(c, "#problem"), code_step=True)
    if c.forwarded:
        c.expect("may still have accepted it" in said(c, "#problem"), said(c, "#problem"))
    c.clear()
    await press(c, "enter")  # the same OTP
    assert screen(c) == "BeneficiaryScreen", said(c, "#problem")
    assert record_shown(c), said(c)
    assert await doses_recorded(c) == 0


async def step_record_fetch(c: Cell) -> None:
    await signed_in(c)
    await searched(c)
    if c.forwarded:  # the record is read as the OTP is accepted
        c.inject(RECORD.method, RECORD.regex)
        await consented(c)
    else:  # refused: met when the vaccinator reads it again
        await consented(c)
        c.inject(RECORD.method, RECORD.regex)
        await press(c, "f5")
    assert screen(c) == "BeneficiaryScreen"
    people = c.app.screen.query_one("#people", OptionList)
    assert people.option_count == 1 and people.highlighted == 0, "the person is kept"
    problem = said(c, "#problem")
    assert "F5 reads it again; the beneficiary's consent still holds." in problem
    assert c.person.name not in said(c, "#details")
    c.check_words(problem)
    c.clear()
    await press(c, "f5")
    assert record_shown(c), said(c)
    assert said(c, "#problem") == ""
    assert await doses_recorded(c) == 0


async def step_vaccinate(c: Cell) -> None:
    await at_dose_form(c)
    draft = c.app.desk.draft
    assert draft is not None
    key, batch = draft.idempotency_key, draft.batch
    c.inject(VACCINATE.method, VACCINATE.regex)
    await review_and_record(c)
    assert screen(c) == "ErrorModal", said(c)
    assert c.app.screen_stack[-2].__class__.__name__ == "RecordDoseScreen"
    assert c.app.desk.draft is draft and draft.idempotency_key == key
    assert c.app.screen_stack[-2].query_one("#batch", Select).value == batch
    dialog, form = said(c), said(c, "#problem", under=1)
    c.check_words(dialog)
    c.check_words(form, says_why=False)
    assert c.app.focused is not None and c.app.focused.id == "retry"
    if c.forwarded:
        c.expect("We do not know yet whether the dose was recorded" in dialog, dialog)
        c.expect("1 dose not confirmed" in said(c, "#context", under=1),
                 f"the status line: {said(c, '#context', under=1)!r}")
    c.clear()
    await press(c, "enter")  # Retry (safe), the default
    assert screen(c) == "SearchScreen", said(c)
    assert any(f"Dose {draft.dose} recorded" in n for n in notes(c)), notes(c)
    assert len(c.app.desk.outbox) == 0
    assert await doses_recorded(c) == 1


async def step_tally(c: Cell) -> None:
    await signed_in(c)
    c.inject(SUMMARY.method, SUMMARY.regex)
    await press(c, "f2")
    assert screen(c) == "TallyScreen"
    problem = said(c, "#problem")
    assert problem.endswith("F5 tries again."), problem
    c.check_words(problem)
    c.clear()
    await press(c, "f5")
    assert said(c, "#problem") == "", "an old error line under fresh counts"
    assert "Doses (" in said(c, "#by-dose"), said(c)
    await press(c, "escape")
    assert await doses_recorded(c) == 0


async def step_sign_out(c: Cell) -> None:
    await signed_in(c)
    token = c.app.api._token
    assert token is not None
    c.inject(LOGOUT.method, LOGOUT.regex)
    await press(c, "ctrl+l")
    assert screen(c) == "LoginScreen" and c.app.user is None
    assert c.app.desk.session is None and c.app.desk.consent is None
    told = [n for n in notes(c) if n.startswith("Signed out")]
    assert told, notes(c)
    c.check_words(told[-1])
    # What the registry did: the login's token dies there only when the sign-out reached it.
    c.clear()
    async with httpx.AsyncClient() as direct:
        answer = await direct.get(f"{c.world.url}/vaccinator/sessions",
                                  headers={"Authorization": f"Bearer {token.reveal()}"})
    assert answer.status_code == (401 if c.forwarded else 200)
    await signed_in(c)  # and work goes on: the same vaccinator signs in again


STEPS: dict[str, Callable[[Cell], Awaitable[None]]] = {
    "login_password": step_login_password,
    "login_code": step_login_code,
    "sessions": step_sessions,
    "search": step_search,
    "beneficiary_otp": step_beneficiary_otp,
    "record_fetch": step_record_fetch,
    "vaccinate": step_vaccinate,
    "tally": step_tally,
    "sign_out": step_sign_out,
}

# Run by default: every step and every fault at least once, the dose under every fault.
SUBSET = {
    ("login_password", "refuse"), ("login_password", "drop_after_forward"),
    ("login_code", "stall"), ("login_code", "drop_after_forward"),
    ("sessions", "refuse"), ("sessions", "503"),
    ("search", "refuse"), ("search", "reset_mid_answer"),
    ("beneficiary_otp", "drop_after_forward"), ("beneficiary_otp", "500"),
    ("record_fetch", "refuse"), ("record_fetch", "trickle"), ("record_fetch", "502"),
    ("tally", "stall"), ("tally", "refuse"),
    ("sign_out", "refuse"), ("sign_out", "drop_after_forward"), ("sign_out", "503"),
    *(("vaccinate", fault) for fault in FAULTS),
}
FULL = os.environ.get("FAULT_MATRIX", "") == "full"



def cells() -> list[Any]:
    chosen = []
    for step in STEPS:
        for fault in FAULTS:
            if not FULL and (step, fault) not in SUBSET:
                continue
            chosen.append(pytest.param(step, fault, id=f"{step}-{fault}"))
    return chosen


@pytest.mark.parametrize(("step", "fault"), cells())
async def test_a_fault_at_each_step_keeps_the_form_tells_the_truth_and_can_be_finished(
        world: World, proxy: FaultProxy, step: str, fault: str) -> None:
    async with opened(world, proxy, fault, centre_for(step, fault)) as cell:
        await STEPS[step](cell)
    if cell.untrue:
        raise Untrue(cell.untrue)


# --- while a dose is on its way -------------------------------------------------------------

# Slower answers than in the matrix: keys are pressed while the dose is on its way (about 5 s
# in all, two tries), which must not end before they are, even on a loaded machine.
SLOW = Timeouts(connect=1.0, read=2.5, write=1.0, pool=1.0, total=3.0)


async def dose_on_its_way(c: Cell) -> None:
    """Review and confirm, then return once the registry has the dose while its answer is
    held back (until the client's deadline, for each of its two tries)."""
    await press(c, "enter")
    assert screen(c) == "ConfirmModal"
    sent = c.proxy.count(path=VACCINATE.regex, forwarded=True)
    await c.pilot.press("enter")
    await c.proxy.wait_for(sent + 1, path=VACCINATE.regex, forwarded=True)
    await c.pilot.pause()


async def until(c: Cell, condition: Callable[[], bool], within: float = 10.0) -> None:
    await until_true(c.pilot, condition, within)


def whose(c: Cell) -> str:
    """How the vaccinator is told whose dose it is: given name and reference's last 4."""
    return f"{c.person.name.split()[0]} (ref ending {c.person.reference_id[-4:]})"


def stay_is_default(c: Cell) -> None:
    assert screen(c) == "LeaveGuard"
    assert c.app.focused is not None and c.app.focused.id == "stay"


async def test_escape_while_a_dose_is_on_its_way_waits_and_the_record_then_shows_it(
        world: World, proxy: FaultProxy) -> None:
    async with opened(world, proxy, "stall", NORTH, SLOW) as c:
        await at_dose_form(c)
        draft = c.app.desk.draft
        assert draft is not None
        c.inject(VACCINATE.method, VACCINATE.regex)
        await dose_on_its_way(c)
        await c.pilot.press("escape")
        await c.pilot.pause()
        assert screen(c) == "RecordDoseScreen", "Escape does not drop a dose on its way"
        assert "wait for the registry's answer" in said(c, "#problem")
        await settle(c.pilot)
        assert screen(c) == "ErrorModal"
        c.check_words(said(c))
        c.clear()
        await press(c, "escape")  # Close, no retry now: the app keeps trying
        assert screen(c) == "RecordDoseScreen"
        assert "vaxterm keeps trying (F4)" in said(c, "#problem")
        assert len(c.app.desk.outbox) == 1
        await press(c, "escape")  # back to the person: the record is read again
        assert screen(c) == "BeneficiaryScreen"
        eligibility = said(c, "#eligibility")
        c.expect(eligibility.startswith(f"✘ Dose {draft.dose}") and "recorded today"
                 in eligibility, f"the stored dose is not shown: {eligibility!r}")
        await press(c, "f4")
        assert screen(c) == "OutboxDialog" and whose(c) in said(c)
        await press(c, "enter")  # Try now
        await until(c, lambda: len(c.app.desk.outbox) == 0)
        assert any("The registry confirms the dose" in n for n in notes(c)), notes(c)
        await press(c, "escape")
        assert screen(c) == "SearchScreen"
        assert await doses_recorded(c) == 1
    if c.untrue:
        raise Untrue(c.untrue)


async def test_ctrl_q_while_a_dose_is_on_its_way_names_it_and_stays_by_default(
        world: World, proxy: FaultProxy) -> None:
    async with opened(world, proxy, "stall", SOUTH, SLOW) as c:
        await at_dose_form(c)
        c.inject(VACCINATE.method, VACCINATE.regex)
        await dose_on_its_way(c)
        await c.pilot.press("ctrl+q")
        await c.pilot.pause()
        stay_is_default(c)
        guard = said(c)
        c.expect(whose(c) in guard, f"the quit guard does not say whose dose: {guard!r}")
        await c.pilot.press("enter")
        await c.pilot.pause()
        assert c.app.is_running
        await settle(c.pilot)
        assert screen(c) == "ErrorModal", "the dose's outcome is still asked about"
        c.clear()
        await press(c, "enter")  # Retry (safe)
        assert screen(c) == "SearchScreen"
        assert await doses_recorded(c) == 1
        assert len(c.app.desk.outbox) == 0
        await c.pilot.press("ctrl+q")  # nothing open: quits at once
        await c.pilot.pause()
        assert c.app.return_code == 0
    if c.untrue:
        raise Untrue(c.untrue)


async def test_ctrl_l_while_a_dose_is_retried_names_it_and_stays_by_default(
        world: World, proxy: FaultProxy) -> None:
    async with opened(world, proxy, "stall", NORTH, SLOW) as c:
        await at_dose_form(c)
        c.inject(VACCINATE.method, VACCINATE.regex)
        await dose_on_its_way(c)
        await c.pilot.press("ctrl+l")  # sign-out is on Search only: nothing happens here
        await c.pilot.pause()
        assert screen(c) == "RecordDoseScreen" and c.app.user is not None
        await settle(c.pilot)
        assert screen(c) == "ErrorModal"
        for _ in range(3):  # Close, then back to the person, then to Search
            await press(c, "escape")
        assert screen(c) == "SearchScreen" and len(c.app.desk.outbox) == 1
        assert "1 dose not confirmed" in said(c, "#context")
        await press(c, "f4")
        sent = c.proxy.count(path=VACCINATE.regex, forwarded=True)
        await c.pilot.press("enter")  # Try now: it stalls as well
        await c.proxy.wait_for(sent + 1, path=VACCINATE.regex, forwarded=True)
        await c.pilot.press("ctrl+l")
        await c.pilot.pause()
        stay_is_default(c)
        guard = said(c)
        c.expect(whose(c) in guard and "being sent now" in guard,
                 f"the sign-out guard does not name the dose on its way: {guard!r}")
        await c.pilot.press("enter")
        await c.pilot.pause()
        assert screen(c) == "SearchScreen" and c.app.user is not None
        c.clear()
        await until(c, lambda: not any(d.sending for d in c.app.desk.outbox.doses.values()))
        await press(c, "f4")
        await press(c, "enter")  # Try now, with the network back
        await until(c, lambda: len(c.app.desk.outbox) == 0)
        assert await doses_recorded(c) == 1
        await press(c, "ctrl+l")  # nothing open: signs out at once
        assert screen(c) == "LoginScreen" and c.app.user is None
    if c.untrue:
        raise Untrue(c.untrue)


async def test_the_idle_lock_while_a_dose_is_on_its_way_stays_on_top_and_works_after(
        world: World, proxy: FaultProxy) -> None:
    async with opened(world, proxy, "stall", SOUTH, SLOW) as c:
        await at_dose_form(c)
        c.inject(VACCINATE.method, VACCINATE.regex)
        await dose_on_its_way(c)
        c.clock.advance(minutes=15)
        await until(c, lambda: screen(c) == "LockScreen")
        await until(c, lambda: len(c.app.desk.outbox) == 1)  # the answer did not come
        await c.pilot.pause(0.2)
        assert screen(c) == "LockScreen", "a dialog is drawn over the lock"
        assert "ErrorModal" not in [type(s).__name__ for s in c.app.screen_stack], "held"
        assert c.person.name not in said(c)
        c.clear()
        await flow.type_into(c.pilot, "#password", PASSWORD)
        assert screen(c) == "ErrorModal", "what waited under the lock comes after it"
        await press(c, "enter")  # Retry (safe)
        assert screen(c) == "SearchScreen"
        assert await doses_recorded(c) == 1
        await press(c, "f8")
        assert screen(c) == "LockScreen", "F8 still locks"
        await flow.type_into(c.pilot, "#password", PASSWORD)
        assert screen(c) == "SearchScreen"
        c.clock.advance(minutes=15)
        await until(c, lambda: screen(c) == "LockScreen")
        await flow.type_into(c.pilot, "#password", PASSWORD)
        assert screen(c) == "SearchScreen"
    if c.untrue:
        raise Untrue(c.untrue)


async def test_a_dose_whose_retry_is_refused_after_a_stall_is_not_said_to_be_unsent(
        world: World, proxy: FaultProxy) -> None:
    """The network goes down while the registry's answer is awaited: the client's own retry
    cannot connect, but the first try may have landed (here it did)."""
    async with opened(world, proxy, "stall", NORTH, SLOW) as c:
        await at_dose_form(c)
        c.inject(VACCINATE.method, VACCINATE.regex)
        await dose_on_its_way(c)
        c.proxy.set_fault(Fault.REFUSE)
        await settle(c.pilot)
        assert screen(c) == "ErrorModal"
        c.check_words(said(c))
        c.check_words(said(c, "#problem", under=1), says_why=False)
        c.clear()
        await press(c, "enter")  # Retry (safe)
        assert screen(c) == "SearchScreen"
        assert await doses_recorded(c) == 1
    if c.untrue:
        raise Untrue(c.untrue)
