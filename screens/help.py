"""F1: the current screen's steps and keys, in a box that fits 80x24 and scrolls. Escape or
F1 closes it; the footer under it stays, F1 included."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from screens.base import Dialog
from screens.widgets import KeysFooter
from vaxterm import help_text


class HelpScreen(Dialog[None]):
    """Leads with what the screen underneath is for and its own keys, then the keys that
    work everywhere. Textual's generic key list (every Input binding) is left out: one line
    covers editing."""

    CSS_PATH = "help.tcss"
    # A modal screen hides the app's keys, F1 among them: it closes the help here.
    BINDINGS = [Binding("escape", "close", "Close", id="help.close"),
                Binding("f1", "close_help", "Close", id="help.toggle")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self._under = under
        self._own, self._everywhere = self._keys(under)

    def _keys(self, under: Screen[object]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(key, words) of the screen's own keys and of the app's, as they work now."""
        own: list[tuple[str, str]] = []
        everywhere: list[tuple[str, str]] = []
        for key, active in under.active_bindings.items():
            binding = active.binding
            words = help_text.KEYS.get(binding.id or "", binding.description)
            # Textual's own (Tab, Shift+Tab) have no id: the editing line covers them.
            if not active.enabled or not words or binding.id is None:
                continue
            if active.node is under:
                own.append((help_text.key_name(key), words))
            elif active.node is under.app:
                everywhere.append((help_text.key_name(key), words))
        everywhere.append(("Ctrl+P", help_text.PALETTE))
        return own, everywhere

    def compose_dialog(self) -> ComposeResult:
        words = help_text.for_screen(type(self._under).__name__,
                                     getattr(self._under, "HELP", "") or "")
        with Vertical(id="help-box"):
            yield Label(f"Help · {words.title}", classes="title", markup=False)
            with VerticalScroll(id="help-body"):
                if words.steps:
                    yield Static(_table([(f"{n}.", step) for n, step in
                                         enumerate(words.steps, 1)], bold=False),
                                 id="help-steps")
                if self._own:
                    yield Label("Keys on this screen", classes="heading")
                    yield Static(_table(self._own), id="help-own")
                yield Label("Keys everywhere", classes="heading")
                yield Static(_table(self._everywhere), id="help-everywhere")
                yield Static(help_text.EDITING, id="help-editing", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()  # the arrows and PgDn scroll

    def action_close(self) -> None:
        self.dismiss(None)

    def action_close_help(self) -> None:
        self.dismiss(None)


def _table(rows: list[tuple[str, str]], *, bold: bool = True) -> Table:
    """Key and words side by side; long words wrap under themselves, not under the key."""
    table = Table.grid(padding=(0, 2 if bold else 1))
    table.add_column(no_wrap=True, style="bold" if bold else "")
    table.add_column()
    for key, words in rows:
        table.add_row(Text(key), Text(words))
    return table
