"""Record the dose: vaccine and batch from the session, dose number from the record, one
confirmation, then a single submission under the form's idempotency key."""

from __future__ import annotations

import logging
from datetime import timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Label, Select, Static

from api_client import errors as e
from api_client import models as m
from api_client.rules import GivenDose, next_due
from screens.chrome import Problem, WorkScreen
from vaxterm.dose_form import DoseDraft, history

UNCERTAIN = (e.TimedOut, e.ProtocolError, e.ServerError, e.ServerUnreachable)


class RecordDoseScreen(WorkScreen):
    CSS_PATH = "record_dose.tcss"
    HELP = """
## Record the dose
The vaccine and batch come from your session; only batches that have not expired are
offered. Check the dose number, then **Enter** to review and **Enter** again to record.
If the network fails, **Retry** is safe: the dose is never recorded twice.
"""
    BINDINGS = [Binding("f10", "review", "Review & record", id="dose.review")]

    def compose_body(self) -> ComposeResult:
        draft = self.draft
        with Vertical(id="dose-box"):
            yield Label(f"Record a dose for {draft.name}", classes="title", markup=False)
            yield Static(f"Vaccine  [b]{draft.vaccine}[/b]\nDose     [b]{draft.dose}[/b]"
                         + (" (precaution)" if draft.precaution else ""), id="what")
            yield Label("Batch (vial)")
            yield Select([(f"{b.vaccine_batch}  · vial expires {b.expiry_date}",
                           b.vaccine_batch) for b in draft.batches],
                         value=draft.batch or Select.BLANK, allow_blank=not draft.batches,
                         id="batch")
            yield Static(self._next_dose_note(), id="next-dose")
            for warning in draft.warnings:
                yield Static(f"⚠ {warning}", classes="warning", markup=False)
            yield Problem(id="problem")
            yield Button("Review and record (Enter)", id="record", variant="primary")

    @property
    def draft(self) -> DoseDraft:
        draft = self.vax.desk.draft
        assert draft is not None, "the ID check opens the form"
        return draft

    def _next_dose_note(self) -> str:
        person = self.vax.desk.person
        if person is None:
            return ""
        today = self.vax.today()
        after = [*history(person), GivenDose(self.draft.dose, self.draft.vaccine, today,
                                             self.draft.precaution)]
        due = next_due(after, int(person.birth_year), today + timedelta(days=1))
        if due.dose == 0 or due.earliest is None:
            return "After this dose: no further dose is due."
        kind = "the precaution dose" if due.is_precaution else f"dose {due.dose}"
        return f"After this dose: {kind} is due from {due.earliest:%d-%m-%Y}."

    def on_mount(self) -> None:
        self.refresh_context()
        if not self.draft.batches:
            self.query_one("#problem", Problem).say(
                "This session has no batch that is still in date. Do not vaccinate; "
                "tell your supervisor.")
            self.query_one("#record", Button).disabled = True
        self.query_one("#record", Button).focus()

    @on(Select.Changed, "#batch")
    def batch_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.draft.batch = event.value

    @on(Button.Pressed, "#record")
    def action_review(self) -> None:
        from screens.dialogs import ConfirmModal

        button = self.query_one("#record", Button)
        if button.disabled:
            return
        draft = self.draft
        self.app.push_screen(
            ConfirmModal("Record this dose?", "This is exactly what will be recorded:",
                         confirm="Record", lines=draft.summary(self.vax.today())),
            self._confirmed)

    def _confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self.submit()

    @work(exclusive=True, group="record", exit_on_error=False)
    async def submit(self) -> None:
        from screens.dialogs import ErrorModal
        from screens.reconsent import ReconsentModal

        desk, api, draft = self.vax.desk, self.vax.api, self.draft
        button = self.query_one("#record", Button)
        problem = self.query_one("#problem", Problem)
        button.disabled = True
        problem.say("Recording…", note=True)
        async def send() -> m.VaccinateResponse:
            assert desk.consent is not None
            return await api.record_dose(draft.reference_id, desk.consent, draft.request(),
                                         draft.idempotency_key)

        try:
            while True:
                try:
                    done = await self.vax.call_api(send)
                    break
                except e.ConsentExpired:
                    renewed = await self.app.push_screen_wait(
                        ReconsentModal(draft.reference_id))
                    if renewed is None:
                        problem.say("Not recorded: the beneficiary's consent expired.")
                        return
                    desk.consent = renewed
                except UNCERTAIN as error:
                    problem.say("Not confirmed by the registry yet.")
                    self.vax.uncertain_doses += 1  # quitting now asks first
                    message = self.vax.explain(error)
                    retry = await self.app.push_screen_wait(ErrorModal(
                        error.title, f"{message}\n\nWe do not know yet whether the dose was "
                        "recorded. Retry sends the same form again; it is never recorded "
                        "twice.", error.reference, retry=True))
                    if not retry:
                        return
                    self.vax.uncertain_doses -= 1
                except e.ApiError as error:
                    message = self.vax.explain(error)
                    problem.say(f"Not recorded: {message}")
                    await self.app.push_screen_wait(ErrorModal(
                        f"Not recorded: {error.title.lower()}", message, error.reference))
                    return
        finally:
            button.disabled = False
        desk.recorded.append(done.vaccination_id)
        logging.getLogger("vaxterm").info("dose %d of %s recorded", draft.dose,
                                          draft.session.vaccine)
        self.app.notify(f"Dose {draft.dose} recorded. Certificate {done.certificate_id}.",
                        title="Recorded", markup=False)
        self.vax.back_to_search()
