"""Widgets every screen shares: the TRAINING banner, the context line, the text field and the
message line under a form."""

from __future__ import annotations

from typing import Any

from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static


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
    """Who is signed in, where, which session, how many doses so far and whether the registry
    confirmed them all. Where the line is too narrow, the place gives way first: the count
    and the doses not confirmed must always be seen."""

    DEFAULT_CSS = """
    ContextBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """
    SEPARATOR = " │ "

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._parts: list[str] = []
        self._place = ""

    def show(self, parts: list[str], place: str = "") -> None:
        """`place` follows the first part when there is room for it."""
        self._parts, self._place = parts, place
        self.update(self._line(self.content_size.width or 1000))

    def _line(self, width: int) -> str:
        if not self._parts:
            return "Not signed in"
        with_place = [self._parts[0] + self._place, *self._parts[1:]]
        line = self.SEPARATOR.join(with_place)
        return line if len(line) <= width else self.SEPARATOR.join(self._parts)

    def on_resize(self) -> None:
        self.update(self._line(self.content_size.width))


class KeysFooter(Footer):
    """Textual's Footer without its leak (textual 8.2.8, upstream issue #6666).

    Each rebuild of the keys (every change of bindings: focus moves, a screen above closes)
    makes new FooterKeys, each data-bound to `Footer.compact`; the binding leaves (key, setter)
    on this footer's watcher list, which Textual prunes of closed keys only when `compact`
    changes, and ours never does. On the Search screen, which lives all session, that kept
    every key ever shown: about 15 widgets and 0.35 MB a dose. Announcing the unchanged value
    after each rebuild makes Textual drop the closed keys (and sets the live ones to the value
    they already have)."""

    async def recompose(self) -> None:
        await super().recompose()
        self.mutate_reactive(Footer.compact)


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
