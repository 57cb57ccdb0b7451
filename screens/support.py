"""The support screen (Ctrl+G, or Support in the palette): what a helpdesk asks for on the
phone, to read out without restarting; and a way to log every HTTP call from now on."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from screens.base import Dialog
from vaxterm import supportlog


class SupportDialog(Dialog[None]):
    # Compact, so the buttons stay on screen at 80x24 under the TRAINING banner.
    DEFAULT_CSS = """
    SupportDialog > Vertical { width: 96; max-height: 100%; padding: 0 1; }
    SupportDialog .title { margin-bottom: 0; margin-top: 1; }
    SupportDialog #errors { height: auto; max-height: 5; }
    SupportDialog Horizontal { margin-top: 0; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="support.close")]

    def compose_dialog(self) -> ComposeResult:
        facts = supportlog.screen_facts(self.vax.settings.server.url, mock=self.vax.mock)
        errors = supportlog.error_lines()
        with Vertical():
            yield Label("Support", classes="title")
            yield Static("\n".join(f"{label + ':':<13}{value}" for label, value in facts),
                         id="facts", markup=False)
            yield Label(f"Last errors ({len(errors)}, newest first, times in UTC)",
                        classes="title")
            with VerticalScroll(id="errors"):
                yield Static("\n".join(errors) or "None in this session.", markup=False)
            with Horizontal():
                yield Button("Close", id="close")
                yield Button("Raise the log level now", id="raise", variant="primary",
                             disabled=supportlog.is_raised())

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#raise")
    def raise_level(self) -> None:
        supportlog.raise_level()
        supportlog.decision("log level raised from the support screen")
        self.dismiss(None)
        self.vax.notify("Every HTTP call is logged for the rest of this session.",
                        title="Support", markup=False)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
