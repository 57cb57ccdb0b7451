"""The idle lock: an opaque screen over everything, so no personal detail stays visible on an
unattended terminal. The password (checked by the registry) unlocks it, and the work
underneath continues exactly where it was. Anyone may type at it: after a few wrong
passwords vaxterm signs out, before the registry's own count locks the vaccinator's account;
and it does not quit from here (the work and the doses not confirmed are the vaccinator's)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from api_client import errors as e
from screens.base import Dialog
from screens.widgets import Field, Problem
from vaxterm import supportlog
from vaxterm.signin import check_password


class LockScreen(Dialog[None]):
    DEFAULT_CSS = """
    LockScreen { background: $background; }
    """
    ABOVE_LOCK = True  # the one screen that opens while locked
    # Escape must not uncover the screen underneath.
    BINDINGS = [Binding("escape", "stay", show=False, id="lock.stay")]

    def __init__(self, username: str, why: str) -> None:
        super().__init__()
        self._username, self._why = username, why

    def compose_dialog(self) -> ComposeResult:
        with Vertical():
            yield Label("Locked", classes="title")
            yield Static(f"{self._why} Signed in as {self._username}; your work is kept.",
                         markup=False)
            yield Field(id="password", password=True, placeholder="password to unlock")
            yield Problem(id="problem")

    def on_mount(self) -> None:
        self.query_one("#password", Field).focus()

    def action_stay(self) -> None:
        """Nothing: only the password opens the lock."""

    def refuse_quit(self) -> None:
        """Ctrl+Q while locked. Quitting would end the vaccinator's work and drop the doses the
        registry has not confirmed (the quit guard would name their people on this screen),
        so whoever is at the terminal must unlock first."""
        supportlog.decision("quit refused: the screen is locked")
        self.problem().say("Unlock first: type the password, then quit (Ctrl+Q).")

    @on(Field.Submitted, "#password")
    def submitted(self, event: Field.Submitted) -> None:
        if event.value:
            self.unlock(event.value)

    @work(exclusive=True, group="unlock", exit_on_error=False)
    async def unlock(self, password: str) -> None:
        field = self.query_one("#password", Field)
        try:
            await check_password(self.vax.api, self._username, password)
        except e.WrongPassword as error:
            field.value = ""
            said = self.vax.wrong_password("unlock", error)
            if said is not None:
                self.problem().say(said)
            return
        except e.ApiError as error:
            supportlog.decision(f"unlock failed ({error.code})")
            field.value = ""
            self.problem().say(self.vax.describe(error))
            return
        self.vax.unlocked()  # closes this screen, then what waited under it
