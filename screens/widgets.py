"""Widgets every screen shares: the TRAINING banner, the context line, the text field and the
message line under a form."""

from __future__ import annotations

from typing import Any

from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static


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
