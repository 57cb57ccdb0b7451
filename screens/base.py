"""Widgets every screen shares: the TRAINING banner, the context line, fields and the base
screen that lays them out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Static

from api_client.models import SummaryRecord

if TYPE_CHECKING:
    from vaxterm.app import VaxtermApp


class TrainingBanner(Static):
    DEFAULT_CSS = """
    TrainingBanner {
        height: 1; width: 100%; content-align: center middle;
        background: $warning; color: $background; text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__("TRAINING · synthetic people only · nothing here is real")


class ContextBar(Static):
    """Who is signed in, where, which session and how many doses so far."""

    DEFAULT_CSS = """
    ContextBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """


class Field(Input):
    """An Input whose cursor blinks only outside tests (snapshots must be stable).

    With `advance=True`, Enter moves on to the next field (see `advance_on_enter`)."""

    def __init__(self, *args: Any, advance: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.advance = advance

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)


# Enter on an advancing field is handled as a priority binding, in the app's own queue like
# Tab: a widget's Enter runs only after the keys typed behind it were already delivered to
# it, so a fast typist's password would land in the username.
ADVANCE_BINDING = Binding("enter", "advance_on_enter", show=False, priority=True,
                          id="field.advance")


def advance_on_enter(screen: Screen[Any]) -> None:
    focused = screen.focused
    # Not `focused.value`: keys typed ahead may still sit in the field's queue.
    if not isinstance(focused, Field) or not focused.advance:
        raise SkipAction  # let the focused widget handle Enter as usual
    screen.focus_next()


class Problem(Static):
    """A validation or error message under a field; empty when there is none."""

    DEFAULT_CSS = """
    Problem { color: $error; height: auto; min-height: 1; }
    Problem.-note { color: $text-muted; }
    """

    def say(self, text: str, *, note: bool = False) -> None:
        self.set_class(note, "-note")
        self.update(text)


class WorkScreen(Screen[None]):
    """Banner (in training), context line, the screen's body, the footer."""

    BINDINGS = [Binding("escape", "back", "Back", id="screen.back"), ADVANCE_BINDING]

    def action_advance_on_enter(self) -> None:
        advance_on_enter(self)

    @property
    def vax(self) -> VaxtermApp:
        return cast("VaxtermApp", self.app)

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
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self) -> None:
        logging.getLogger("vaxterm.screens").info("%s", type(self).__name__)
        self.refresh_context()

    def refresh_context(self) -> None:
        desk = self.vax.desk
        parts = []
        if desk.user is not None:
            parts.append(f"{desk.user.username} @ {desk.user.centre_name}")
        if desk.session is not None:
            parts.append(desk.session.vaccine)
            parts.append(f"{desk.doses_recorded} recorded")
        self.query_one(ContextBar).update("  │  ".join(parts) or "Not signed in")

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()


R = TypeVar("R")


class Dialog(ModalScreen[R]):
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

    @property
    def vax(self) -> VaxtermApp:
        return cast("VaxtermApp", self.app)

    def compose(self) -> ComposeResult:
        if self.vax.training:
            yield TrainingBanner()
        yield from self.compose_dialog()

    def compose_dialog(self) -> ComposeResult:
        yield from ()


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
            self.query_one("#problem", Problem).say(call)
        else:
            self.send(call)

    @work(exclusive=True, group="record-dialog", exit_on_error=False)
    async def send(self, call: Callable[[], Awaitable[object]]) -> None:
        from api_client.errors import ApiError

        try:
            await self.vax.call_api(call)
        except ApiError as error:
            self.query_one("#problem", Problem).say(self.vax.describe(error))
            return
        self.vax.notify(self.DONE, title="Done")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
