"""The two dialogs every screen uses: a yes/no question and an error a person must read."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from screens.base import Dialog


class ConfirmModal(Dialog[bool]):
    """A question with the exact consequences, answered with Enter or Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]

    def __init__(self, title: str, body: str, *, confirm: str = "Confirm",
                 cancel: str = "Back", lines: list[tuple[str, str]] | None = None,
                 default_no: bool = False) -> None:
        super().__init__()
        self._title, self._body, self._confirm, self._cancel = title, body, confirm, cancel
        self._lines = lines or []
        # For what cannot be undone (closing a session): Enter at once answers No.
        self._default_no = default_no

    def compose_dialog(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title", markup=False)
            if self._body:
                yield Static(self._body, markup=False)
            for label, value in self._lines:
                yield Static(f"{label + ':':<13}{value}", markup=False)
            with Horizontal():
                yield Button(self._cancel, id="cancel")
                yield Button(self._confirm, id="confirm", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#cancel" if self._default_no else "#confirm", Button).focus()

    @on(Button.Pressed, "#confirm")
    def confirmed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ErrorModal(Dialog[bool]):
    """What happened, what to do, and the reference support asks for. Returns True when
    the person chose to retry (offered only where retrying is safe)."""

    DEFAULT_CSS = "ErrorModal > Vertical { border: thick $error; }"

    BINDINGS = [Binding("escape", "close", "Close", id="error.close")]

    def __init__(self, title: str, message: str, reference: str, *, retry: bool = False
                 ) -> None:
        super().__init__()
        self._title, self._message, self._reference, self._retry = (
            title, message, reference, retry)

    def compose_dialog(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title", markup=False)
            yield Static(self._message, markup=False)
            yield Static(f"Reference for support: {self._reference}", markup=False,
                         classes="reference")
            with Horizontal():
                yield Button("Close", id="close")
                if self._retry:
                    yield Button("Retry (safe)", id="retry", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#retry" if self._retry else "#close", Button).focus()

    @on(Button.Pressed, "#retry")
    def retried(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(False)
