"""Widgets every screen shares: the TRAINING banner, the context line, the text field and the
message line under a form."""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Input, Static
from textual.widgets._footer import FooterKey  # not exported; the fitting reads its words


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
    """Textual's Footer, fitted to the width, and without its leak.

    Fitted: a key cut in half ("^q Q", "f12" without its word) helps nobody. When the line is
    too narrow for every key, the keys in `GIVE_WAY` leave it, in that order, until the rest
    fits; they still work, and F1 lists them. The screen's own keys and F1 always stay.

    The leak (textual 8.2.8, upstream issue #6666): each rebuild of the keys (every change of
    bindings: focus moves, a screen above closes) makes new FooterKeys, each data-bound to
    `Footer.compact`; the binding leaves (key, setter) on this footer's watcher list, which
    Textual prunes of closed keys only when `compact` changes, and ours never does. On the
    Search screen, which lives all session, that kept every key ever shown: about 15 widgets
    and 0.35 MB a dose. Announcing the unchanged value after each rebuild makes Textual drop
    the closed keys (and sets the live ones to the value they already have)."""

    GIVE_WAY = ("f12", "ctrl+q", "escape")
    _fitted_to = 0

    def compose(self) -> ComposeResult:
        shown = list(super().compose())
        width = self._fitted_to = self.size.width or self.app.size.width
        for key in self.GIVE_WAY:
            if sum(_cells(w) for w in shown) <= width:
                break
            shown = [w for w in shown if not (isinstance(w, FooterKey) and w.key == key
                                               and not w.has_class("-command-palette"))]
        yield from shown

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._fitted_to:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        await super().recompose()
        self.mutate_reactive(Footer.compact)


def _cells(widget: Widget) -> int:
    """The cells a footer key takes: " key description " (the command palette's key has a
    border instead of its left padding)."""
    if not isinstance(widget, FooterKey):
        return len(str(getattr(widget, "content", ""))) + 1
    words = f"{widget.key_display} {widget.description}" if widget.description else (
        widget.key_display)
    return cell_len(words) + 2


# The `restrict` of a field that takes digits only (a code, an OTP, a count).
DIGITS = r"[0-9]*"
_SEPARATORS = re.compile(r"[\s\-]")


class Field(Input):
    """An Input whose cursor blinks only outside tests (snapshots must be stable), and which
    says, on the message line under it, what Textual's Input would pass over in silence:

    - Enter in an empty field says what to type (`empty`; a digit or password field has a
      default), and the screen still gets the Submitted message;
    - typing or pasting past `max_length` says how long the text was and that nothing went
      in (Input refuses the whole paste with only a bell);
    - in a digit field (`restrict=DIGITS`), digits of any script (Devanagari and the
      like) go in as ASCII digits, spaces and dashes of a pasted number are dropped, and
      anything else is refused in words.

    With `advance=True`, Enter moves on to the next field (see `advance_on_enter`)."""

    def __init__(self, *args: Any, advance: bool = False, empty: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.advance = advance
        self.empty = empty

    @property
    def digits(self) -> bool:
        return self.restrict == DIGITS

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)

    def empty_message(self) -> str:
        if self.empty is not None:
            return self.empty
        if self.digits and self.max_length:
            return f"Type the {self.max_length} digits, then press Enter."
        if self.password:
            return "Type your password, then press Enter."
        return ""

    async def action_submit(self) -> None:
        if not self.value and (message := self.empty_message()):
            self.say(message)
        await super().action_submit()

    def replace(self, text: str, start: int, end: int) -> None:
        if self.digits:
            from vaxterm.validators import ascii_digits  # loads the wire models: not earlier

            text = ascii_digits(_SEPARATORS.sub("", text))
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        new = f"{value[:start]}{text}{value[end:]}"
        refused = ""
        what = "digits" if self.digits else "characters"
        if self.max_length and len(new) > self.max_length:
            refused = (f"That makes {len(new)} {what}; this field takes {self.max_length}. "
                       + ("Nothing was pasted: check what was copied." if len(text) > 1
                          else "Delete one first."))
        elif self.digits and re.fullmatch(DIGITS, new) is None:
            refused = "Digits only here."
        if refused:
            self.say(refused)
            self.restricted()
            return
        super().replace(text, start, end)

    def say(self, text: str) -> None:
        """On the message line that follows this field (or the screen's), else a toast."""
        line = self._message_line()
        if line is None:
            self.notify(text, severity="warning", markup=False)
        else:
            line.say(text)

    def _message_line(self) -> Problem | None:
        parent = self.parent
        if parent is not None:
            siblings = list(parent.children)
            for widget in siblings[siblings.index(self) + 1:]:
                if isinstance(widget, Problem):
                    return widget
        return next(iter(self.screen.query("#problem").results(Problem)), None)


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


# Textual draws the same X in a ticked and an unticked box, only in another colour (faint on
# most themes, lost on a monochrome terminal). Ours show a tick when on, an empty box when off.
TICK, NO_TICK = "✓", " "


class TickBox(Checkbox):
    """A checkbox whose box shows a tick when on and nothing when off."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return TICK if self.value else NO_TICK
