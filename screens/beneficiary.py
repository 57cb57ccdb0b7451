"""The people the OTP covers, and the chosen one's record. Every opening is audited."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from api_client import errors as e
from screens.base import WorkScreen
from screens.widgets import Problem
from vaxterm.consent import drop_consent
from vaxterm.presenting import (
    Eligibility,
    age,
    dose_lines,
    due_line,
    eligibility,
    masked_id,
    person_line,
    session_line,
)


class BeneficiaryScreen(WorkScreen):
    CSS_PATH = "beneficiary.tcss"
    HELP = """
## Beneficiary
Pick the person in front of you (arrows), check the record, then **Enter** to check their
photo ID. Opening a record is logged with your name and the beneficiary's consent.
When the record says **✘ Not eligible**, nothing can be recorded: the screen says what to
do instead. **F3** changes to another of today's sessions when that one gives a vaccine
the person may have; the beneficiary's consent still holds, no new OTP is sent.
"""
    # Priority, so the footer shows it although the list has focus (its Enter would select).
    BINDINGS = [Binding("enter", "check_id", "Check photo ID", priority=True,
                        id="beneficiary.next"),
                # Offered in words when a read fails; the footer stays short at 80 columns.
                Binding("f5", "reload", "Read again", show=False, id="beneficiary.reload"),
                # Only while another of today's sessions can give this person their dose.
                Binding("f3", "change_session", "Change session",
                        id="beneficiary.session"),
                # Short words: the footer keeps F1 in sight at 80 columns.
                Binding("f6", "not_vaccinated", "No dose", id="beneficiary.not_vaccinated"),
                Binding("f7", "add_person", "Add", id="beneficiary.add_person")]

    def __init__(self) -> None:
        super().__init__()
        self._verdict: Eligibility | None = None

    def compose_body(self) -> ComposeResult:
        consent = self.vax.desk.consent
        people = consent.beneficiaries if consent else ()
        today = self.vax.today()
        with Horizontal(id="columns"):
            with Vertical(id="people-box"):
                yield Label(f"On this mobile ({len(people)})", classes="title")
                yield OptionList(*(Option(person_line(p, today), id=p.beneficiary_reference_id)
                                   for p in people), id="people")
            with Vertical(id="record"):
                yield Static(id="details")
                yield Static(id="eligibility")
                yield Static(id="advice")
                yield Problem(id="problem")
        yield Static("Your access to this record is recorded.", id="audited")

    def on_mount(self) -> None:
        self.refresh_context()
        people = self.query_one("#people", OptionList)
        people.focus()
        if people.option_count:
            people.highlighted = 0

    @on(OptionList.OptionHighlighted, "#people")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.load(event.option.id)

    @on(OptionList.OptionSelected, "#people")
    def selected(self) -> None:
        self.action_check_id()

    def on_screen_resume(self) -> None:
        # Back from the ID check or the dose form: what the registry holds may have changed
        # (a dose whose answer was lost may have landed), so read the record again.
        if self.is_mounted and self.vax.desk.person is not None:
            self.action_reload()

    def action_reload(self) -> None:
        """Read the highlighted person again: the consent still covers them."""
        highlighted = self.query_one("#people", OptionList).highlighted_option
        if highlighted is not None and highlighted.id:
            self.load(highlighted.id)

    @work(exclusive=True, group="record", exit_on_error=False)
    async def load(self, reference: str) -> None:
        desk = self.vax.desk
        consent = desk.consent
        if consent is None:
            return
        problem = self.problem()
        try:
            person = await self.vax.call_api(lambda: self.vax.api.beneficiary(reference,
                                                                              consent))
        except e.ApiError as error:
            desk.person = None  # never act on a record that could not be read again
            self._verdict = None
            if isinstance(error, e.ConsentExpired):
                drop_consent(desk, consent)  # a later search of this mobile sends a new OTP
            self.query_one("#details", Static).update("")
            self.query_one("#eligibility", Static).update("")
            self.query_one("#advice", Static).update("")
            self.refresh_bindings()
            again = "" if isinstance(error, e.ConsentExpired | e.ConsentScope) else (
                " F5 reads it again; the beneficiary's consent still holds.")
            problem.say(self.vax.describe(error) + again)
            return
        problem.say("")
        desk.person = person
        today = self.vax.today()
        lines = [
            f"[b]{person.name}[/b]",
            f"{person.gender} · born {person.birth_year} ({age(person.birth_year, today)})",
            f"Photo ID: {masked_id(person)} · mobile ending {person.mobile_number[-4:]}",
            f"Reference ID ending {person.beneficiary_reference_id[-4:]}",
            "",
            "[b]Doses[/b]",
            *dose_lines(person),
            "",
            due_line(person, today),
        ]
        self.query_one("#details", Static).update("\n".join(lines))
        self.judge()

    def judge(self) -> None:
        """The rules' verdict on the record read, for the session now chosen."""
        desk = self.vax.desk
        if desk.person is None:
            return
        verdict = eligibility(desk.person, desk.session, desk.sessions, self.vax.today())
        self._verdict = verdict
        shown = self.query_one("#eligibility", Static)
        shown.set_class(not verdict.ok, "-refused")
        shown.update(f"✔ {verdict.why}" if verdict.ok else f"✘ {verdict.why}")
        self.query_one("#advice", Static).update(verdict.advice)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "check_id":  # not offered for someone the rules already refuse
            return self._verdict is None or self._verdict.ok
        if action == "change_session":
            return self._verdict is not None and bool(self._verdict.other_sessions)
        return True

    def action_check_id(self) -> None:
        from screens.id_check import IdCheckScreen

        person = self.vax.desk.person
        highlighted = self.query_one("#people", OptionList).highlighted_option
        if person is None or highlighted is None or (
                highlighted.id != person.beneficiary_reference_id):
            return
        verdict = self._verdict
        if verdict is not None and not verdict.ok:
            # The rules already say no: no ID check, no form. (The registry judges again
            # when a dose is recorded; this only spares a walk to a certain refusal.)
            self.problem().say("Nothing can be recorded in this session today: see what "
                               "to do above.")
            return
        self.app.push_screen(IdCheckScreen())

    def action_change_session(self) -> None:
        """To another of today's sessions, keeping the person and their consent: one that
        fits is taken at once, several are offered in the session picker."""
        from screens.session_picker import SessionPickerScreen

        others = self._verdict.other_sessions if self._verdict else ()
        if len(others) > 1:
            self.app.push_screen(SessionPickerScreen())  # back here, the record is read again
            return
        if not others:
            return
        self.vax.desk.session = others[0]
        self.refresh_context()
        self.judge()
        self.problem().say(f"Session changed to {session_line(others[0])}. The consent "
                           "still holds.", note=True)

    # --- the rest of the encounter ----------------------------------------------------------

    def action_not_vaccinated(self) -> None:
        """Record why the person whose record is open was not vaccinated."""
        from screens.not_vaccinated import NotVaccinatedScreen

        if self.vax.desk.person is not None and self.vax.desk.session is not None:
            self.app.push_screen(NotVaccinatedScreen())

    def action_add_person(self) -> None:
        """Register a walk-in on this mobile, under the consent just given."""
        from screens.walk_in import WalkInScreen
        from vaxterm.walk_in import MAX_PER_MOBILE, room_for_more

        if not room_for_more(self.vax.desk):
            self.problem().say(f"This mobile already has {MAX_PER_MOBILE} people: no one "
                               "more can be registered on it.")
            return
        person = self.vax.desk.person
        self.app.push_screen(WalkInScreen(person.mobile_number if person else ""))
