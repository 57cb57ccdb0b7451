"""The doses the registry has not confirmed: the list (F4), and the question asked before
quitting or signing out while any is open or a dose is being sent."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from screens.base import Dialog
from vaxterm.outbox import UnconfirmedDose


def dose_line(dose: UnconfirmedDose) -> str:
    if dose.sending:
        return f"• {dose.label()}: being sent now"
    state = "not confirmed yet"
    if dose.tries:
        state += f", tried again {dose.tries} time{'s' if dose.tries > 1 else ''}"
    if dose.last_problem:
        state += f" ({dose.last_problem.lower()})"
    return f"• {dose.label()}: {state}"


class OutboxDialog(Dialog[bool]):
    """What is still open, and a way to try at once. True: try now."""

    BINDINGS = [Binding("escape", "close", "Close", id="outbox.close")]

    def compose_dialog(self) -> ComposeResult:
        doses = list(self.vax.desk.outbox.doses.values())
        with Vertical():
            yield Label("Doses not confirmed by the registry", classes="title")
            yield Static("\n".join(dose_line(d) for d in doses) or "All doses are confirmed.",
                         markup=False)
            yield Static("vaxterm keeps trying with the same form, so a dose is never recorded "
                         "twice. Nothing of this is written to disk.", classes="note")
            with Horizontal():
                yield Button("Close", id="close")
                if doses:
                    yield Button("Try now", id="try", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#try" if self.query("#try") else "#close", Button).focus()

    @on(Button.Pressed, "#try")
    def try_now(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(False)


class LeaveGuard(Dialog[bool]):
    """Before quitting or signing out with doses open: says whose, and Stay is the default.
    True: leave anyway."""

    DEFAULT_CSS = "LeaveGuard > Vertical { border: thick $warning; }"
    BINDINGS = [Binding("escape", "stay", "Stay", id="guard.stay")]

    def __init__(self, leaving: str, doses: list[UnconfirmedDose], sending_now: int) -> None:
        super().__init__()
        self._leaving, self._doses, self._sending_now = leaving, doses, sending_now

    def compose_dialog(self) -> ComposeResult:
        count = len(self._doses) + self._sending_now
        what = "1 dose is" if count == 1 else f"{count} doses are"
        lines = [dose_line(d) for d in self._doses]
        if self._sending_now:
            lines.append("• the dose on the form: being sent now")
        with Vertical():
            yield Label(f"{what.capitalize()} not confirmed by the registry", classes="title")
            yield Static("\n".join(lines), markup=False)
            yield Static(f"If you {self._leaving.lower()} now, vaxterm stops trying: check these "
                         "people's records later to see whether the dose was recorded.",
                         markup=False)
            with Horizontal():
                yield Button(f"{self._leaving} anyway", id="leave", variant="error")
                yield Button("Stay", id="stay", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    @on(Button.Pressed, "#leave")
    def leave(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.dismiss(False)
