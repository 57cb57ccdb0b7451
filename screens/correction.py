"""Mark a dose recorded by mistake as entered-in-error: same day, same vaccinator, with a
reason from a fixed list (free text could carry personal data). Nothing is deleted."""

from __future__ import annotations

from typing import get_args

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select

from api_client import errors as e
from api_client import models as m
from screens.chrome import Dialog, Problem


class EnteredInErrorModal(Dialog[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="correction.cancel")]

    def __init__(self, record: m.SummaryRecord) -> None:
        super().__init__()
        self._record = record

    def compose_dialog(self) -> ComposeResult:
        r = self._record
        with Vertical():
            yield Label("Mark this record as entered in error?", classes="title")
            yield Label(f"Dose {r.dose} of {r.vaccine}, batch {r.vaccine_batch}, reference "
                        f"{r.beneficiary_reference_id[-6:]}, at {r.time[11:16]}", markup=False)
            yield Select([(reason, reason) for reason in get_args(m.ErrorReason)],
                         prompt="Reason", id="reason")
            yield Problem(id="problem")
            with Horizontal():
                yield Button("Back", id="cancel")
                yield Button("Mark entered in error", id="confirm", variant="error")

    @on(Button.Pressed, "#confirm")
    def confirmed(self) -> None:
        reason = self.query_one("#reason", Select).value
        if not isinstance(reason, str):
            self.query_one("#problem", Problem).say("Choose the reason.")
            return
        self.mark(reason)

    @work(exclusive=True, group="correction", exit_on_error=False)
    async def mark(self, reason: str) -> None:
        vax = self.vax
        try:
            await vax.call_api(lambda: vax.api.entered_in_error(
                self._record.vaccination_id, reason))  # type: ignore[arg-type]
        except e.ApiError as error:
            self.query_one("#problem", Problem).say(f"{error.message} (ref {error.reference})")
            return
        vax.notify("The record is marked entered in error.", title="Corrected")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
