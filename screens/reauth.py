"""Sign in again on top of the current screen when the login expired mid-task; the form
underneath keeps everything typed."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label

from api_client import errors as e
from screens.base import Dialog
from screens.widgets import Field, Problem
from vaxterm.signin import SignIn
from vaxterm.validators import check_otp


class ReauthModal(Dialog[bool]):
    BINDINGS = [Binding("escape", "give_up", "Cancel", id="reauth.cancel")]

    def __init__(self, username: str) -> None:
        super().__init__()
        self._username = username
        self._signing_in: SignIn | None = None

    def compose_dialog(self) -> ComposeResult:
        with Vertical():
            yield Label("Your login has expired", classes="title")
            yield Label(f"Sign in again as {self._username}; your form is kept.", markup=False)
            yield Field(id="password", password=True, placeholder="password", advance=True)
            yield Field(id="code", placeholder="6-digit code", max_length=6,
                        restrict=r"[0-9]*")
            yield Problem(id="problem")

    def on_mount(self) -> None:
        self.query_one("#password", Field).focus()

    @on(Field.Submitted)
    def submitted(self) -> None:
        password = self.query_one("#password", Field)
        code = check_otp(self.query_one("#code", Field).value)
        if not password.value:
            password.focus()
            self.problem().say("Type your password, then the code.")
        elif not code.ok:
            self.query_one("#code", Field).focus()
            self.problem().say(code.message)
        else:
            self.sign_in(password.value, code.value)

    @work(exclusive=True, group="reauth", exit_on_error=False)
    async def sign_in(self, password: str, code: str) -> None:
        if self._signing_in is None:
            self._signing_in = SignIn(self.vax.api)
        try:
            await self._signing_in.sign_in(self._username, password, code)
        except e.WrongPassword as error:
            # The registry counts these with the lock's: the same limit, the same sign-out.
            self.query_one("#password", Field).value = ""
            said = self.vax.wrong_password("re-login", error)
            if said is None:
                return
            self.problem().say(said)
            self.query_one("#password", Field).focus()
            return
        except e.ApiError as error:
            self.query_one("#code", Field).value = ""
            self.problem().say(self.vax.describe(error))
            return
        self.dismiss(True)

    def action_give_up(self) -> None:
        self.dismiss(False)
