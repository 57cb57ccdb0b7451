"""Could not vaccinate: pick the reason from the fixed list, confirm, and the encounter is
recorded (FHIR Immunization not-done). A deferral shows the date to tell the person."""

from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from api_client import errors as e
from api_client import models as m
from api_client.dates import ddmmyyyy
from screens.base import WorkScreen
from screens.widgets import Problem
from vaxterm.not_vaccinated import EXPLAINED, REASONS, Encounter, come_back_for, record, tell_them


class NotVaccinatedScreen(WorkScreen):
    CSS_PATH = "not_vaccinated.tcss"
    HELP = """
## Could not vaccinate
Choose why no dose was given (arrows), then **Enter** and **Enter** again to record it. When
the person may come back, the date is shown: tell them. Escape goes back without recording.
"""
    BINDINGS = [Binding("enter", "record", "Record", priority=True, id="notvac.record")]

    def __init__(self, reason: m.NotVaccinatedReason | None = None, *,
                 screening: tuple[m.ScreeningCode, ...] = (), come_back: date | None = None,
                 why: str = "") -> None:
        super().__init__()
        self._reason = reason
        self._screening = screening
        self._deferred_until = come_back
        self._why = why
        self._encounter: Encounter | None = None  # one key for every retry of this record
        self._done = False

    def compose_body(self) -> ComposeResult:
        person = self.vax.desk.person
        with Vertical(id="notvac-box"):
            yield Label(f"Could not vaccinate {person.name if person else ''}", classes="title",
                        markup=False)
            if self._why:
                yield Static(self._why, id="why", markup=False)
            yield OptionList(*(Option(reason, id=reason) for reason in REASONS), id="reasons")
            yield Static(id="explained")
            yield Problem(id="problem")

    def on_mount(self) -> None:
        self.refresh_context()
        reasons = self.query_one("#reasons", OptionList)
        reasons.focus()
        reasons.highlighted = REASONS.index(self._reason) if self._reason else 0

    def _chosen(self) -> m.NotVaccinatedReason:
        highlighted = self.query_one("#reasons", OptionList).highlighted
        return REASONS[highlighted or 0]

    def _come_back(self, reason: str) -> date | None:
        return come_back_for(reason, self.vax.today(), self._deferred_until)

    @on(OptionList.OptionHighlighted, "#reasons")
    def highlighted(self) -> None:
        reason = self._chosen()
        when = self._come_back(reason)
        self.query_one("#explained", Static).update(
            EXPLAINED[reason] + (f"\nThey may come back from [b]{ddmmyyyy(when)}[/b]."
                                 if when else ""))

    def action_record(self) -> None:
        from screens.dialogs import ConfirmModal

        if self._done:
            self.vax.back_to_search()
            return
        desk = self.vax.desk
        if desk.person is None or desk.session is None:
            self.problem().say("No record is open: Escape, then search again.")
            return
        reason = self._chosen()
        if self._encounter is None or self._encounter.reason != reason:
            self._encounter = Encounter(
                desk.person.beneficiary_reference_id, desk.person.name, desk.session, reason,
                screening=self._screening if reason in ("contraindicated",
                                                        "unwell and deferred") else (),
                come_back=self._come_back(reason))
        encounter = self._encounter

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.send(encounter)

        self.app.push_screen(ConfirmModal(
            "Record: not vaccinated?", "No dose is recorded; the registry keeps why:",
            confirm="Record", lines=encounter.summary()), answered)

    @work(exclusive=True, group="notvac", exit_on_error=False)
    async def send(self, encounter: Encounter) -> None:
        problem = self.problem()
        problem.say("Recording…", note=True)
        try:
            answer = await self.vax.call_api(lambda: record(self.vax.api, self.vax.desk,
                                                            encounter))
        except e.OutcomeUnknown as unknown:
            problem.say(f"{self.vax.explain(unknown)} Enter sends it again; it is recorded "
                        f"once. (ref {unknown.reference})")
            return
        except e.ApiError as error:
            problem.say(f"Not recorded: {self.vax.describe(error)}")
            return
        self._done = True
        self.query_one("#reasons", OptionList).disabled = True
        said = tell_them(answer)
        problem.say(f"Recorded: not vaccinated ({answer.reason}). {said} Enter: back to "
                    "Search.", note=True)
        self.app.notify(said, title="Not vaccinated: recorded", markup=False, timeout=15)
