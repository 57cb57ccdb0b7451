"""Record the dose: vaccine and batch from the session, dose number from the record, one
confirmation, then a single submission under the form's idempotency key."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Label, OptionList, Select, Static

from api_client import errors as e
from api_client import models as m
from screens.base import WorkScreen
from screens.widgets import Problem
from vaxterm.dose_form import DoseDraft, batch_label
from vaxterm.presenting import next_dose_note
from vaxterm.recording import DoseRecording, RecordingState

if TYPE_CHECKING:
    from api_client.client import Consent
    from vaxterm.batches import SessionBatches


class BatchSelect(Select[str]):
    """The session's batches: those in date to choose from, then the expired ones, listed
    disabled with why, so the vaccinator sees them and can never pick one."""

    def __init__(self, draft: DoseDraft, *, id: str) -> None:
        options = ([(batch_label(b, True), b.vaccine_batch) for b in draft.batches]
                   + [(batch_label(b, True, finished=True), b.vaccine_batch)
                      for b in draft.finished]
                   + [(batch_label(b, False), b.vaccine_batch) for b in draft.expired])
        # With nothing in date the field stays blank: the form says not to vaccinate.
        blank = not draft.batches
        super().__init__(options, value=draft.batch or Select.NULL, allow_blank=blank, id=id)
        first = len(draft.batches) + (1 if blank else 0)  # the blank option comes first
        self._disabled = range(first, first + len(draft.finished) + len(draft.expired))

    def on_mount(self) -> None:
        # After Select's own mount handler (Textual runs it after this one) fills the list.
        self.call_later(self._disable_expired)

    def _disable_expired(self) -> None:
        overlay = self.query_one(OptionList)  # the list that opens
        for index in self._disabled:
            overlay.disable_option_at_index(index)


class RecordDoseScreen(WorkScreen):
    CSS_PATH = "record_dose.tcss"
    HELP = """
## Record the dose
The vaccine and batch come from your session: the batch of your last dose stays chosen
(change it in the list). Only batches that have not expired can be chosen (an expired one is
listed, greyed, with its date). **F5** marks the chosen batch finished for this session;
**F7** says you opened a new vial now (the form warns when the open vial passes its
open-vial limit, counted from the first dose drawn from it). Check the dose number, then
**Enter** to review and **Enter** again to record.
If the network fails, **Retry** is safe: the dose is never recorded twice.
"""
    BINDINGS = [Binding("f10", "review", "Review & record", id="dose.review"),
                Binding("f6", "not_vaccinated", "No dose", id="dose.not_vaccinated"),
                # Out of the footer (it must fit 80 columns with F4 shown): F1 lists them,
                # and the vial line names F7 when it is needed.
                Binding("f5", "batch_finished", "Finished", show=False,
                        id="dose.batch_finished"),
                Binding("f7", "new_vial", "New vial", show=False, id="dose.new_vial")]

    def compose_body(self) -> ComposeResult:
        draft = self.draft
        with Vertical(id="dose-box"):
            yield Label(f"Record a dose for {draft.name}", classes="title", markup=False)
            yield Static(f"Vaccine  [b]{draft.vaccine}[/b]\nDose     [b]{draft.dose}[/b]"
                         + (" (precaution)" if draft.precaution else ""), id="what")
            yield Label("Batch (vial)")
            yield BatchSelect(draft, id="batch")
            yield Static(id="vial", markup=False)
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
        return next_dose_note(person, self.draft, self.vax.today()) if person else ""

    def _used(self) -> SessionBatches:
        return self.vax.desk.batches_of(self.draft.session.session_id)

    def _show_vial(self) -> None:
        draft = self.draft
        note = self.query_one("#vial", Static)
        if not draft.batch:
            note.update("")
            return
        said, warn = self._used().vial_note(draft.vaccine, draft.batch, draft.doses_per_vial,
                                            self.vax.clock())
        note.update(("⚠ " if warn else "") + said)
        note.set_class(warn, "warning")

    def on_mount(self) -> None:
        self.refresh_context()
        self._show_vial()
        if self.draft.session.closed:
            self.problem().say("This session is closed: no more doses can be recorded in it. "
                               "Choose another session (F3 on Search).")
        if not self.draft.batches:
            self.problem().say(
                "This session has no batch that is still in date. Do not vaccinate; "
                "tell your supervisor.")
            self.query_one("#record", Button).disabled = True
        self.query_one("#record", Button).focus()

    def settled_in_background(self, recorded: bool, why: str) -> None:
        """The app's retry heard the registry's answer for this very form."""
        if recorded:
            self.query_one("#record", Button).disabled = True
            self.problem().say("Recorded: the registry confirmed this dose. Escape goes back.",
                               note=True)
        else:
            self.problem().say(f"Not recorded: {self.vax.redact(why)}")

    def action_back(self) -> None:
        """Not while the dose is on its way: leaving would hide what the registry answers."""
        if self.draft.idempotency_key in self.vax.desk.in_flight:
            self.problem().say("Recording… wait for the registry's answer before leaving this "
                               "form.")
            return
        super().action_back()

    @on(Select.Changed, "#batch")
    def batch_changed(self, event: Select.Changed) -> None:
        usable = {b.vaccine_batch for b in self.draft.batches}
        if isinstance(event.value, str) and event.value in usable:
            self.draft.batch = event.value
            self._used().choose(event.value)  # the next person's form starts on it
            self._show_vial()

    async def action_batch_finished(self) -> None:
        """The chosen batch is used up: no more doses from it in this session."""
        draft = self.draft
        if draft.idempotency_key in self.vax.desk.in_flight or not draft.batch:
            return
        done = draft.batch
        self._used().finish(done)
        draft.finish_batch()
        await self.query_one("#batch", BatchSelect).remove()
        await self.query_one("#dose-box", Vertical).mount(BatchSelect(draft, id="batch"),
                                                          before=self.query_one("#vial"))
        self._show_vial()
        if draft.batch:
            self._used().choose(draft.batch)
            self.problem().say(f"{done} marked finished for this session; now {draft.batch}.",
                               note=True)
        else:
            self.query_one("#record", Button).disabled = True
            self.problem().say(f"{done} marked finished. No batch is left in this session: "
                               "do not vaccinate; tell your supervisor.")

    def action_new_vial(self) -> None:
        """A new vial of the chosen batch is opened now (the last one broke or passed its
        limit): its open-vial time counts from now."""
        draft = self.draft
        if draft.batch:
            self._used().new_vial(draft.batch, self.vax.clock())
            self._show_vial()

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
        button = self.query_one("#record", Button)
        problem = self.problem()
        button.disabled = True
        problem.say("Recording…", note=True)
        recording = DoseRecording(self.vax.api, self.vax.desk, self.draft)
        try:
            outcome = await recording.submit(ask_consent=self._ask_consent,
                                             ask_retry=self._ask_retry, run=self.vax.call_api)
        finally:
            button.disabled = False
            self.vax.outbox_changed()  # held, or settled: the status line says so
        if outcome.state is RecordingState.RECORDED:
            assert outcome.answer is not None
            self._recorded(outcome.answer)
        elif outcome.state is RecordingState.UNKNOWN:
            problem.say("Not confirmed by the registry yet: vaxterm keeps trying (F4). Enter "
                        "sends this same form again; it is never recorded twice.")
        elif outcome.state is RecordingState.NOT_SENT:
            problem.say("Not recorded: nothing was sent. Press Enter to try again.")
        elif isinstance(outcome.error, e.ConsentExpired):
            problem.say("Not recorded: the beneficiary's consent expired.")
        elif outcome.error is not None:
            await self._refused(outcome.error)

    async def _ask_consent(self, reference_id: str) -> Consent | None:
        from screens.reconsent import ReconsentModal

        return await self.app.push_screen_wait(ReconsentModal(reference_id))

    async def _ask_retry(self, error: e.ApiError) -> bool:
        from screens.dialogs import ErrorModal

        message = self.vax.explain(error)
        self.vax.outbox_changed()  # the dose may be held now: the status line says so first
        if isinstance(error, e.OutcomeUnknown):
            self.problem().say("Not confirmed by the registry yet.")
            said = (f"{message}\n\nWe do not know yet whether the dose was recorded. Retry "
                    "sends the same form again; it is never recorded twice. If you close this, "
                    "vaxterm keeps trying in the background (F4).")
        else:  # no connection was made: nothing left this computer
            self.problem().say("Not recorded: nothing was sent.")
            said = f"{message}\n\nRetry sends the form when the network is back."
        retry: bool | None = await self.app.push_screen_wait(ErrorModal(
            error.title, said, error.reference, retry=True))
        return bool(retry)

    async def _refused(self, error: e.ApiError) -> None:
        from screens.dialogs import ErrorModal

        message = self.vax.explain(error)
        self.problem().say(f"Not recorded: {message}")
        await self.app.push_screen_wait(ErrorModal(
            f"Not recorded: {error.title.lower()}", message, error.reference))

    def action_not_vaccinated(self) -> None:
        """No dose after all: record why (not while a dose is on its way)."""
        from screens.not_vaccinated import NotVaccinatedScreen

        if self.draft.idempotency_key in self.vax.desk.in_flight:
            return
        self.app.push_screen(NotVaccinatedScreen(screening=self.draft.screening))

    def _recorded(self, done: m.VaccinateResponse) -> None:
        draft = self.draft
        self._used().dose_recorded(draft.batch, draft.doses_per_vial, self.vax.clock())
        logging.getLogger("vaxterm").info("dose %d of %s recorded", draft.dose,
                                          draft.session.vaccine)
        from vaxterm.certificate import after_dose, sent_line

        desk = self.vax.desk
        # "Send again" on Search needs the dose and the consent, never the certificate.
        desk.certificate = (after_dose(done, draft.reference_id, desk.consent)
                            if desk.consent is not None else None)
        # Search's line under the field offers F5 to send it again.
        self.app.notify(f"Dose {draft.dose} recorded. {sent_line(done.certificate_sent_to)}",
                        title="Recorded", markup=False)
        self.vax.back_to_search()
