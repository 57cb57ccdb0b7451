"""Login: username, password (from the keyring if the vaccinator chose so), the 6-digit code."""

from __future__ import annotations

import logging

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Label, Static

from api_client import errors as e
from api_client.dates import zone_named
from screens.base import WorkScreen
from screens.widgets import Field, Problem, TickBox
from vaxterm import supportlog
from vaxterm.credentials import NO_KEYRING, CredentialError
from vaxterm.outcomes import code_not_answered
from vaxterm.signin import SignIn


class RememberBox(TickBox):
    """Remember the password in the keyring: on or off, plainly."""


class LoginScreen(WorkScreen):
    IS_BASE = True
    CSS_PATH = "login.tcss"
    HELP = """
## Sign in
Type your **username** and **password**, then the **6-digit code** from your authenticator
app. The code changes every 30 seconds and works once.

Tick *Remember password* to keep the password in this computer's encrypted keyring; the code
is still asked every time. `vaxterm forget` removes it.

**Ctrl+G** support: your support reference, the last errors and the log's place.
"""
    BINDINGS = [Binding("escape", "back", "Back", show=False, id="login.back")]

    def __init__(self, username: str = "") -> None:
        super().__init__()
        self._username = username  # filled in after a forced sign-out, else from settings
        self._signing_in: SignIn | None = None  # built on first use: the client loads late

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="login-row"):
            with Vertical(id="login-form"):
                yield Label("Sign in to record vaccinations", classes="title")
                yield Label("Username")
                yield Field(self._username or self.vax.settings.login.username, id="username",
                            placeholder="your username", advance=True)
                yield Label("Password")
                yield Field(id="password", password=True, placeholder="password",
                            advance=True)
                yield Label("Code from your authenticator")
                yield Field(id="code", placeholder="6 digits", max_length=6,
                            restrict=r"[0-9]*")
                yield RememberBox("Remember password here", id="remember",
                                  value=self.vax.settings.login.remember_password)
                yield Problem(id="problem")
                yield Button("Sign in", id="sign-in", variant="primary")
            if self.vax.training:
                yield self._demo_panel()

    @staticmethod
    def _demo_panel() -> Vertical:
        from textual.widgets import DataTable  # training only

        return Vertical(Label("Demo accounts (training)", classes="title"),
                        DataTable(id="accounts", show_cursor=False),
                        Static("trainee01…trainee40 use the same password.", id="demo-note"),
                        id="demo")

    def on_mount(self) -> None:
        self.refresh_context()
        if not self.vax.training:
            self.learn_environment()
        username = self.query_one("#username", Field)
        if username.value:
            self.query_one("#password", Field).focus()
            if self.vax.settings.login.remember_password:
                self.fill_password(username.value)
        else:
            username.focus()
        if self.vax.training:
            self._start_demo_panel()

    def _start_demo_panel(self) -> None:
        from textual.widgets import DataTable

        table = self.query_one("#accounts", DataTable)
        table.add_columns("Username", "Password", "Code now")
        # After the first paint: the form is usable while the demo panel fills in.
        self.call_after_refresh(self.load_demo_accounts)
        self.set_interval(5, self.load_demo_accounts)

    @work(exclusive=True, group="environment", exit_on_error=False)
    async def learn_environment(self) -> None:
        """A training server (a classroom) gets the TRAINING banner and the demo panel; a
        production one over plain http is refused before any password is sent."""
        try:
            api = await self.vax.connected()
            meta = await api.meta()
        except e.InsecureConnection as refused:
            self.problem().say(self.vax.describe(refused))
            self.query_one("#sign-in", Button).disabled = True
            return
        except e.ApiError:
            return  # unreachable now: signing in will say so
        supportlog.server_facts(meta.environment, meta.version)
        self.vax.desk.zone = zone_named(meta.time_zone)  # one /meta: the OTP screen won't ask
        self._say_base(api.base_url)
        if meta.environment == "training" and not self.vax.training:
            self.vax.declare_training()
            # Mounted beside the form, not recomposed: what is being typed keeps its field
            # and its focus (a recompose dropped both, and the next keys went astray).
            await self.query_one("#login-row", Horizontal).mount(self._demo_panel())
            self._start_demo_panel()

    def _say_base(self, used: str) -> None:
        """The address given lacked /api/v2 and the registry answered there: say which base
        is used, so the trainer can write it down (credentials, query and all never shown)."""
        from api_client.addresses import safe_url

        given = self.vax.settings.server.url.rstrip("/")
        if given and used != given:  # the connection logged it for support
            self.problem().say(f"Registry found at {safe_url(used)}", note=True)

    @on(Checkbox.Changed, "#remember")
    def remember_changed(self, event: Checkbox.Changed) -> None:
        # The keyring is probed only when it will be used: loading it costs start-up time.
        if event.value:
            self.check_keyring()

    @work(thread=True, group="keyring-status", exit_on_error=False)
    def check_keyring(self) -> None:
        """No encrypted keyring here: the option goes, and the screen says why."""
        store = self.vax.credentials
        status = store.status() if store is not None else None
        if status is None or not status.usable:
            reason = status.reason if status else NO_KEYRING
            self.app.call_from_thread(self._no_keyring, reason)

    def _no_keyring(self, reason: str) -> None:
        remember = self.query_one("#remember", Checkbox)
        remember.value = False
        remember.disabled = True
        self.problem().say(reason, note=True)

    @work(thread=True, exclusive=True, group="keyring", exit_on_error=False)
    def fill_password(self, username: str) -> None:
        """The keyring may block on D-Bus: read it off the UI thread."""
        store = self.vax.credentials
        if store is None:
            return
        try:
            password = store.get(username)
        except CredentialError as problem:
            self.app.call_from_thread(self._no_keyring, str(problem))
            return
        if password:
            self.app.call_from_thread(self._prefill, password)

    def _prefill(self, password: str) -> None:
        self.query_one("#password", Field).value = password
        self.query_one("#code", Field).focus()

    @work(exclusive=True, group="demo", exit_on_error=False)
    async def load_demo_accounts(self) -> None:
        from textual.widgets import DataTable

        try:
            accounts = await (await self.vax.connected()).demo_accounts()
        except e.ApiError:
            return  # the panel is a convenience; the login itself reports failures
        table = self.query_one("#accounts", DataTable)
        table.clear()
        for account in accounts:
            if not account.username.startswith("trainee"):
                table.add_row(account.username, account.password,
                              "locked" if account.locked else account.current_code)

    @on(Field.Submitted)
    def next_field(self, event: Field.Submitted) -> None:
        if self.vax.user is not None:  # signed in (the password is gone): ask again
            self.sign_in()
            return
        order = ["username", "password", "code"]
        for name in order:
            field = self.query_one(f"#{name}", Field)
            if not field.value:
                field.focus()
                return
        self.sign_in()

    @on(Button.Pressed, "#sign-in")
    def pressed(self) -> None:
        self.sign_in()

    def sign_in(self) -> None:
        from vaxterm.validators import check_otp  # loads the wire models: not before the form

        if self.vax.user is not None:  # signed in; today's sessions did not come: ask again
            self.problem().say("Signing in…", note=True)
            self.run_start_work()
            return
        username = self.query_one("#username", Field).value.strip()
        password = self.query_one("#password", Field).value
        code = check_otp(self.query_one("#code", Field).value)
        problem = self.problem()
        if not username or not password:
            problem.say("Type your username and password.")
            return
        if not code.ok:
            problem.say(code.message)
            self.query_one("#code", Field).focus()
            return
        problem.say("Signing in…", note=True)
        self.query_one("#sign-in", Button).disabled = True
        self.run_login(username, password, code.value)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def run_login(self, username: str, password: str, code: str) -> None:
        problem = self.problem()
        if self._signing_in is None:
            self._signing_in = SignIn(self.vax.api)
        try:
            user = await self._signing_in.sign_in(username, password, code)
        except e.ApiError as error:
            self._failed(problem, error)
            return
        finally:
            self.query_one("#sign-in", Button).disabled = False
        remember = self.query_one("#remember", Checkbox).value
        if remember:
            self.save_password(username, password)
        self.query_one("#password", Field).value = ""
        logging.getLogger("vaxterm").info("signed in at %s", user.centre_name)
        self._kept_doses(user.username)
        await self.start_work()

    def _kept_doses(self, username: str) -> None:
        """Doses held since a sign-out at the lock go on being tried for the vaccinator they
        belong to; another vaccinator may not send them, so for anyone else they are let go."""
        kept_for, self.vax.kept_for = self.vax.kept_for, ""
        outbox = self.vax.desk.outbox
        if kept_for and kept_for != username and outbox:
            supportlog.decision(f"{len(outbox)} dose(s) held for the previous vaccinator let go")
            outbox.clear()

    def _failed(self, problem: Problem, error: e.ApiError) -> None:
        code = self.query_one("#code", Field)
        lost = code_not_answered(error, "code")
        if (lost is not None and isinstance(error, e.OutcomeUnknown)
                and not (self._signing_in and self._signing_in.code_sent)):
            # Step 1's answer was lost: the code has not been used yet.
            lost = ("The registry did not confirm your password; your code has not been "
                    "used. Press Enter to sign in with the same code.", True)
        if lost is not None:
            self.vax.explain(error)  # logged for support
            problem.say(f"{lost[0]} (ref {error.reference})")
            code.focus()
            return  # the same code again: the registry answers it as before
        problem.say(self.vax.describe(error))
        code.value = ""
        if isinstance(error, e.WrongPassword):
            self.query_one("#password", Field).focus()
        else:
            code.focus()

    @work(thread=True, group="keyring", exit_on_error=False)
    def save_password(self, username: str, password: str) -> None:
        store = self.vax.credentials
        if store is None:
            return
        try:
            store.set(username, password)
        except CredentialError as problem:
            self.app.call_from_thread(self.app.notify, str(problem), title="Keyring",
                                      severity="warning", markup=False)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def run_start_work(self) -> None:
        await self.start_work()

    async def start_work(self) -> None:
        """Today's sessions; the picker only when there is more than one."""
        from screens.search import SearchScreen
        from screens.session_picker import SessionPickerScreen

        try:
            sessions = await self.vax.api.sessions()
        except e.ApiError as error:
            self.problem().say(f"Signed in, but today's sessions did not come: "
                               f"{self.vax.describe(error)} Press Enter to ask again.")
            return
        desk = self.vax.desk
        desk.sessions = sessions
        desk.session = sessions[0] if len(sessions) == 1 else None
        # From the App's own queue, not from this worker: screens started here would copy the
        # worker's context (asyncio does) and keep it, with the password it was given, alive
        # all session. Not awaited: switching removes this screen and cancels this worker.
        self.app.call_later(self.app.switch_screen, SearchScreen())
        if len(sessions) > 1:
            self.app.call_later(self.app.push_screen, SessionPickerScreen())
