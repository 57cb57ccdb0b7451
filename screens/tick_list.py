"""A list of boxes to tick that shows which are ticked (apart from widgets.py: only the
screening and the session's close load SelectionList, not the first screen)."""

from __future__ import annotations

from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets._toggle_button import ToggleButton  # not exported: its box glyph

from screens.widgets import NO_TICK, TICK


class TickList(SelectionList[str]):
    """A SelectionList whose boxes show a tick when chosen and nothing when not."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip  # not an option's line
        chosen = self.get_option_at_index(self.scroll_offset.y + y).value in self._selected
        segments[1] = segments[1]._replace(text=TICK if chosen else NO_TICK)
        return Strip(segments, strip.cell_length)

