"""A dialog about one of today's records (entered in error, a reaction): what the record is,
a few fields, Back and a confirm button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from screens.base import Dialog
from screens.widgets import Problem

if TYPE_CHECKING:
    from api_client.models import SummaryRecord


class RecordDialog(Dialog[bool]):
    """A dialog about one of today's records: what the record is, a few fields, Back and a
    confirm button. Subclasses give the fields and the call; this class sends it."""

    TITLE_TEXT = ""
    CONFIRM = "Confirm"
    CONFIRM_VARIANT: Literal["primary", "error"] = "primary"
    DONE = ""
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="record-dialog.cancel")]

    def __init__(self, record: SummaryRecord) -> None:
        super().__init__()
        self.record = record

    def compose_dialog(self) -> ComposeResult:
        r = self.record
        with Vertical():
            yield Label(self.TITLE_TEXT, classes="title")
            yield Static(f"Dose {r.dose} of {r.vaccine}, batch {r.vaccine_batch}, reference "
                         f"{r.beneficiary_reference_id[-6:]}, at {r.time[11:16]}", markup=False)
            yield from self.compose_fields()
            yield Problem(id="problem")
            with Horizontal():
                yield Button("Back", id="cancel")
                yield Button(self.CONFIRM, id="confirm", variant=self.CONFIRM_VARIANT)

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def prepared(self) -> Callable[[], Awaitable[object]] | str:
        """The call to make, or what is missing in words for the vaccinator."""
        raise NotImplementedError

    @on(Button.Pressed, "#confirm")
    def confirmed(self) -> None:
        call = self.prepared()
        if isinstance(call, str):
            self.problem().say(call)
        else:
            self.send(call)

    @work(exclusive=True, group="record-dialog", exit_on_error=False)
    async def send(self, call: Callable[[], Awaitable[object]]) -> None:
        from api_client.errors import ApiError

        try:
            await self.vax.call_api(call)
        except ApiError as error:
            self.problem().say(self.vax.describe(error))
            return
        self.vax.notify(self.DONE, title="Done")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
