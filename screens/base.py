"""The two kinds of screen: a work screen (banner, context line, body, footer) and a dialog
over it. Both reach the app through `vax` and the form's message line through `problem()`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeVar, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen

from screens.widgets import (
    ADVANCE_BINDING,
    ContextBar,
    KeysFooter,
    Problem,
    TrainingBanner,
    advance_on_enter,
)

if TYPE_CHECKING:
    from screens.app import VaxtermApp


class _Reaches:
    """What every screen and dialog of vaxterm reaches: the app, and its own message line."""

    @property
    def vax(self) -> VaxtermApp:
        return cast("VaxtermApp", cast(Screen[object], self).app)

    def problem(self) -> Problem:
        """The line under the form where this screen says what is wrong or going on."""
        return cast(Screen[object], self).query_one("#problem", Problem)


class WorkScreen(_Reaches, Screen[None]):
    """Banner (in training), context line, the screen's body, the footer."""

    BINDINGS = [Binding("escape", "back", "Back", id="screen.back"), ADVANCE_BINDING]
    # A base screen is where work starts (sign in, search): Escape does not leave it, and
    # "back to search" or signing out closes everything above it.
    IS_BASE = False

    def action_advance_on_enter(self) -> None:
        advance_on_enter(self)

    DEFAULT_CSS = """
    WorkScreen #top { dock: top; height: auto; }
    """

    def compose(self) -> ComposeResult:
        # One docked container: two widgets docked to the same edge would overlap.
        with Vertical(id="top"):
            if self.vax.training:
                yield TrainingBanner()
            yield ContextBar(id="context")
        yield from self.compose_body()
        yield KeysFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self) -> None:
        logging.getLogger("vaxterm.screens").info("%s", type(self).__name__)
        self.refresh_context()

    def refresh_context(self) -> None:
        desk, user = self.vax.desk, self.vax.user
        if user is None:
            self.query_one(ContextBar).show([])
            return
        parts = [user.username]
        if desk.session is not None:
            parts += [desk.session.vaccine, f"{desk.doses_recorded} recorded"]
        parts.append(("⚠ " if desk.outbox else "") + desk.outbox.status())
        self.query_one(ContextBar).show(parts, place=f" @ {user.centre_name}")

    def action_back(self) -> None:
        """One step back: this screen closes; what it held goes with it."""
        if not self.IS_BASE:
            self.dismiss()


R = TypeVar("R")


class Dialog(_Reaches, ModalScreen[R]):
    """A modal box over the current screen; the TRAINING banner stays visible above it."""

    DEFAULT_CSS = """
    Dialog { align: center middle; background: $background 60%; }
    Dialog TrainingBanner { dock: top; }
    Dialog > Vertical {
        width: 64; max-width: 96%; height: auto; max-height: 90%; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    Dialog .title { text-style: bold; margin-bottom: 1; }
    Dialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    Dialog Button { margin-left: 2; }
    """
    BINDINGS = [ADVANCE_BINDING]

    def action_advance_on_enter(self) -> None:
        advance_on_enter(self)

    def compose(self) -> ComposeResult:
        if self.vax.training:
            yield TrainingBanner()
        yield from self.compose_dialog()

    def compose_dialog(self) -> ComposeResult:
        yield from ()
