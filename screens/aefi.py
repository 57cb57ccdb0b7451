"""Report a minor reaction (AEFI) seen during the 30-minute observation after a dose."""

from __future__ import annotations

from typing import get_args

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select

from api_client import errors as e
from api_client import models as m
from screens.chrome import Dialog, Field, Problem


class AefiModal(Dialog[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="aefi.cancel")]

    def __init__(self, record: m.SummaryRecord) -> None:
        super().__init__()
        self._record = record

    def compose_dialog(self) -> ComposeResult:
        r = self._record
        with Vertical():
            yield Label("Report a minor reaction", classes="title")
            yield Label(f"After dose {r.dose} of {r.vaccine} at {r.time[11:16]}, reference "
                        f"{r.beneficiary_reference_id[-6:]}", markup=False)
            yield Select([(x, x) for x in get_args(m.Reaction)], prompt="Reaction",
                         id="reaction")
            yield Field(id="onset", placeholder="minutes after the dose (0-30)", max_length=2,
                        restrict=r"[0-9]*")
            yield Problem(id="problem")
            with Horizontal():
                yield Button("Back", id="cancel")
                yield Button("Report", id="confirm", variant="primary")

    @on(Button.Pressed, "#confirm")
    def confirmed(self) -> None:
        reaction = self.query_one("#reaction", Select).value
        onset = self.query_one("#onset", Field).value
        problem = self.query_one("#problem", Problem)
        if not isinstance(reaction, str):
            problem.say("Choose the reaction.")
        elif not onset.isdigit() or int(onset) > 30:
            problem.say("Type the minutes after the dose, 0 to 30.")
        else:
            self.report(reaction, int(onset))

    @work(exclusive=True, group="aefi", exit_on_error=False)
    async def report(self, reaction: str, onset: int) -> None:
        vax = self.vax
        try:
            await vax.call_api(lambda: vax.api.report_aefi(
                self._record.vaccination_id, reaction, onset))  # type: ignore[arg-type]
        except e.ApiError as error:
            self.query_one("#problem", Problem).say(f"{error.message} (ref {error.reference})")
            return
        vax.notify("The reaction is reported.", title="AEFI")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
