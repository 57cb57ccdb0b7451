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
from vaxterm.presenting import (
    age,
    dose_lines,
    due_line,
    eligibility_line,
    masked_id,
    person_line,
)


class BeneficiaryScreen(WorkScreen):
    CSS_PATH = "beneficiary.tcss"
    HELP = """
## Beneficiary
Pick the person in front of you (arrows), check the record, then **Enter** to check their
photo ID. Opening a record is logged with your name and the beneficiary's consent.
"""
    # Priority, so the footer shows it although the list has focus (its Enter would select).
    BINDINGS = [Binding("enter", "check_id", "Check photo ID", priority=True,
                        id="beneficiary.next"),
                # Offered in words when a read fails; the footer stays short at 80 columns.
                Binding("f5", "reload", "Read again", show=False, id="beneficiary.reload"),
                # Short words: the footer keeps F1 in sight at 80 columns.
                Binding("f6", "not_vaccinated", "No dose", id="beneficiary.not_vaccinated"),
                Binding("f7", "add_person", "Add", id="beneficiary.add_person")]

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
            self.query_one("#details", Static).update("")
            self.query_one("#eligibility", Static).update("")
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
        ok, verdict = eligibility_line(person, desk.session, today)
        eligibility = self.query_one("#eligibility", Static)
        eligibility.set_class(not ok, "-refused")
        eligibility.update(("✔ " if ok else "✘ ") + verdict)

    def action_check_id(self) -> None:
        from screens.id_check import IdCheckScreen

        person = self.vax.desk.person
        highlighted = self.query_one("#people", OptionList).highlighted_option
        if person is None or highlighted is None or (
                highlighted.id != person.beneficiary_reference_id):
            return
        self.app.push_screen(IdCheckScreen())

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
