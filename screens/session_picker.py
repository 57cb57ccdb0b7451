"""Pick today's session (shown only when the centre runs more than one)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from screens.base import WorkScreen
from vaxterm.dose_form import usable_batches
from vaxterm.presenting import session_line


class SessionPickerScreen(WorkScreen):
    CSS_PATH = "session_picker.tcss"
    HELP = """
## Today's sessions
Pick the session you are vaccinating in with the arrow keys and **Enter**. The vaccine and
batches of the session fill the dose form. **F3** on the search screen comes back here.
"""

    def compose_body(self) -> ComposeResult:
        yield Label("Pick today's session", classes="title")
        today = self.vax.today()
        options = []
        for session in self.vax.desk.sessions:
            batches = ", ".join(f"{b.vaccine_batch} (expires {b.expiry_date})"
                                for b in usable_batches(session, today)) or "no usable batch"
            options.append(Option(f"{session_line(session)}\n  batches: {batches}",
                                  id=session.session_id))
        yield OptionList(*options, id="sessions")

    def on_mount(self) -> None:
        self.refresh_context()
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        desk = self.vax.desk
        desk.session = next(s for s in desk.sessions if s.session_id == event.option.id)
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Right after sign-in no session is chosen yet and there is nothing to go back to:
        # Escape is neither offered nor bound until one is.
        if action == "back":
            return self.vax.desk.session is not None
        return True

    def action_back(self) -> None:
        """Back to Search with the session as it was."""
        if self.vax.desk.session is not None:
            self.app.pop_screen()
