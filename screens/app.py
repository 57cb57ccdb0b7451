"""The vaxterm App, the root of the UI: the screen stack, global keys, error routing,
re-authentication and the lock.

The App belongs to the UI package: it and the screens import `vaxterm` (settings, desk,
workflows, words, privacy) and `api_client`, never the other way round. What the app holds
lives in `Desk`, the steps of the work in `vaxterm`'s workflows, the rules in `api_client`.
Nothing here writes to disk.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from api_client import errors as e
from screens.lock_guard import LockGuard
from vaxterm import supportlog
from vaxterm.credentials import CredentialStore
from vaxterm.desk import Desk
from vaxterm.outbox import UnconfirmedDose, try_again
from vaxterm.outcomes import may_have_acted
from vaxterm.privacy import forget_cached_text, redact
from vaxterm.settings import Settings
from vaxterm.signin import PasswordTries, wrong_password_words

if TYPE_CHECKING:
    from api_client import models as m
    from api_client.client import ApiClient

T = TypeVar("T")
# The support log (vaxterm.supportlog) adds its redacting file handler at start-up.
# The null handler keeps Python's last-resort handler from printing to the terminal.
LOG = logging.getLogger("vaxterm")
LOG.addHandler(logging.NullHandler())
LOG.propagate = False

HIGH_CONTRAST = Theme(
    name="vaxterm-high-contrast", primary="#ffff00", secondary="#00ffff", accent="#ffff00",
    foreground="#ffffff", background="#000000", surface="#000000", panel="#1a1a1a",
    success="#00ff00", warning="#ffff00", error="#ff5555", dark=True)


class VaxtermApp(LockGuard):
    CSS_PATH = "app.tcss"
    TITLE = "vaxterm"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "toggle_help", "Help", id="app.help"),
        Binding("ctrl+q", "quit_app", "Quit", priority=True, id="app.quit"),
        Binding("f4", "outbox", "Unconfirmed", id="app.outbox"),
        Binding("f8", "lock", "Lock", show=False, id="app.lock"),
        Binding("f9", "toggle_contrast", "Contrast", show=False, id="app.contrast"),
        Binding("f12", "training_panel", "Training", id="app.training"),
        Binding("ctrl+g", "support", "Support", show=False, id="app.support"),
    ]

    def __init__(self, connect: Callable[[], ApiClient], settings: Settings, *,
                 training: bool,
                 clock: Callable[[], datetime] | None = None,
                 credentials: CredentialStore | None = None, blink: bool = True,
                 room_key: str = "") -> None:
        super().__init__()
        # The client (and httpx) is built on first use, after the first paint.
        self._connect = connect
        self._api: ApiClient | None = None
        self._connecting = asyncio.Lock()
        self.settings = settings
        self.training = training
        self.mock = training  # at start only the built-in mock is training; a server says so later
        self.room_key = room_key  # the trainer's, for a room server's reset and scenarios
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.credentials = credentials
        self.blink = blink
        self.desk = Desk()
        self.last_activity = self.clock()
        # Wrong passwords at the lock and the re-login, counted against the registry's lockout.
        self.password_tries = PasswordTries()
        # Who the doses still held after a sign-out at the lock belong to ("" when none).
        self.kept_for = ""

    # --- life cycle -----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = self.settings.ui.theme
        if self.training:
            self.sub_title = "TRAINING"
        from screens.login import LoginScreen

        self.push_screen(LoginScreen())
        self.call_after_refresh(self._started)
        self.set_interval(1, self.lock_if_idle)
        self.set_interval(1, self.retry_unconfirmed)

    def _started(self) -> None:
        # tui.run switched the collector off for start-up; what start-up built lives as long
        # as the app, so it is frozen out of every later collection.
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    # --- idle lock ------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.last_activity = self.clock()
        await super().on_event(event)

    def lock_if_idle(self) -> None:
        """Lock after the configured idle minutes (at most 30) while someone is signed in."""
        minutes = self.settings.security.idle_lock_minutes
        idle = (self.clock() - self.last_activity).total_seconds()
        if idle >= minutes * 60:
            self.lock(f"Locked after {minutes} idle minutes.")

    def action_lock(self) -> None:
        """F8: the vaccinator steps away and locks the screen at once."""
        self.lock("Locked.")

    def lock(self, why: str) -> None:
        if self.user is None or self.locked:
            return
        from screens.lock import LockScreen

        self.locked = True  # from now on, screens change only under the lock
        LOG.info("%s", why)
        self.push_screen(LockScreen(self.user.username, why))

    def unlocked(self) -> None:
        LOG.info("unlocked")
        self.last_activity = self.clock()
        self.release_lock()

    def action_command_palette(self) -> None:
        if not self.locked:  # the palette would reach the screens under the lock
            super().action_command_palette()

    @property
    def user(self) -> m.User | None:
        """Who is signed in: the client learns it at login and forgets it at sign-out."""
        return self._api.user if self._api is not None else None

    async def connected(self) -> ApiClient:
        """The client, built off the event loop the first time: importing httpx and the wire
        models (and, for https, loading the trust store) takes 50-150 ms, which the login form
        should not wait for."""
        if self._api is None:
            async with self._connecting:
                if self._api is None:
                    self._api = await asyncio.to_thread(self._connect)
        return self._api

    @property
    def api(self) -> ApiClient:
        if self._api is None:
            self._api = self._connect()
        return self._api

    def today(self) -> date:
        """The registry's date (its zone from /meta, IST until then), not the workstation's:
        a dose given at 01:00 IST is recorded on the IST date."""
        from api_client.dates import registry_today

        return registry_today(self.clock(), self.desk.zone)

    async def on_unmount(self) -> None:
        self.desk.forget_everything()
        forget_cached_text()
        if self._api is not None:
            await self._api.logout()
            await self._api.aclose()

    # --- leak guards --------------------------------------------------------------------------

    def _fatal_error(self) -> None:
        """Textual's crash report is a traceback with every local variable: names, numbers,
        tokens. vaxterm prints a reference instead, and forgets what it held. (Textual has no
        public hook for this, hence the override.)"""
        import uuid

        reference = uuid.uuid4().hex[:8]
        kind = type(self._exception).__name__ if self._exception else "error"
        # The debug log (if on) gets the traceback, redacted and without locals.
        LOG.info("crash %s", reference, exc_info=self._exception)
        self.desk.forget_everything()
        self._exit_renderables.append(
            f"vaxterm stopped after an unexpected {kind}. Nothing personal was written. "
            f"Tell support the reference {reference} and what you were doing.")
        self._close_messages_no_wait()

    def copy_to_clipboard(self, text: str) -> None:
        """Outside training nothing is copied: what is on screen is someone's data, and the
        terminal's clipboard (OSC 52) outlives the session."""
        if self.training:
            super().copy_to_clipboard(text)
        else:
            self.notify("Copying is switched off: personal data never goes to the clipboard.",
                        severity="warning")

    def save_screenshot(self, filename: str | None = None, path: str | None = None,
                        time_format: str | None = None) -> str:
        """Never: a screenshot is the screen's data in a file. (TEXTUAL_SCREENSHOT and any
        action reach the screen through here or `deliver_screenshot`.)"""
        self.notify("Screenshots are switched off: the screen holds people's data.",
                    severity="warning")
        return ""

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        return self.save_screenshot()

    # --- commands -------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # The app's own commands first: some terminals drop F-keys, the palette never does.
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.show and binding.description and (
                    binding.key.startswith(("f", "ctrl+"))):
                yield SystemCommand(binding.description, f"{binding.key.upper()} on this "
                                    "screen", partial(screen.run_action, binding.action))
        yield SystemCommand("High contrast", "Switch the high-contrast theme on or off (F9)",
                            self.action_toggle_contrast)
        yield SystemCommand("Support", "Version, server, your support reference, the last "
                            "errors and the log (Ctrl+G)", self.action_support)
        if self.user is not None:
            yield SystemCommand("Lock the screen", "Step away safely; the password unlocks it "
                                "(F8)", self.action_lock)
        if self.training:
            from vaxterm.scenarios import offered

            for scenario in offered(self.mock, self.room_key):  # none to a trainee
                yield SystemCommand(f"Scenario: {scenario.title}", scenario.teaches,
                                    partial(self.choose_scenario, scenario.key))
        for command in super().get_system_commands(screen):
            # The screenshot writes the screen, beneficiary details included, to disk.
            if command.title != "Screenshot":
                yield command

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "training_panel":
            return self.training and not self.locked  # only in training, never when locked
        if action == "lock":
            return self.user is not None and not self.locked
        if action in ("support", "toggle_help"):
            return not self.locked
        if action == "outbox":  # in the footer only while a dose is open
            return bool(self.desk.outbox) and not self.locked
        return True

    def action_training_panel(self) -> None:
        from screens.training_panel import TrainingPanel

        def chosen(key: str | None) -> None:
            if key:
                self.choose_scenario(key)

        if not isinstance(self.screen, TrainingPanel):  # the panel closes itself on F12
            self.push_screen(TrainingPanel(), chosen)

    @property
    def trainer(self) -> bool:
        from vaxterm.scenarios import is_trainer

        return self.training and is_trainer(self.mock, self.room_key)

    def choose_scenario(self, key: str) -> None:
        """The trainer chose a scenario; a reset is asked first (No unless chosen)."""
        if not self.trainer:
            return
        if key != "reset":
            self.apply_scenario(key)
            return
        from screens.training_panel import ResetConfirm

        def answered(reset: bool | None) -> None:
            if reset:
                self.apply_scenario(key)

        self.push_screen(ResetConfirm(self.mock), answered)

    def apply_scenario(self, key: str) -> None:
        self.run_worker(self._apply_scenario(key), group="scenario", exclusive=True,
                        exit_on_error=False)

    async def _apply_scenario(self, key: str) -> None:
        from vaxterm.scenarios import BY_KEY

        scenario = BY_KEY[key]
        try:
            if scenario.faults is None:
                await self.api.reset_training(self.room_key)
            else:
                await self.api.set_faults(scenario.faults, self.room_key)
        except e.ApiError as error:
            if error.code == "TRAIN0002":  # not (or no longer) the room's key: forget it
                self.room_key = ""
                self.notify("The server did not accept the room key; nothing was changed. "
                            "Type the key again in the training panel (F12).",
                            title="Trainer only", severity="error", markup=False, timeout=10)
                return
            self.report(error)
            return
        supportlog.decision(f"training scenario chosen: {scenario.title}")
        self.notify(scenario.teaches, title=f"Scenario: {scenario.title}", markup=False,
                    timeout=8)

    def declare_training(self) -> None:
        """The server says it is a training server: show it on every screen from now on."""
        from screens.widgets import TrainingBanner

        self.training = True
        self.sub_title = "TRAINING"
        for screen in self.screen_stack:
            top = screen.query("#top")
            if top and not screen.query(TrainingBanner):
                top.first().mount(TrainingBanner(), before=0)

    def action_toggle_help(self) -> None:
        """F1: the screen's own help over it; F1 again (or Escape) closes it."""
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))

    def action_show_help_panel(self) -> None:
        """The palette's "Keys" command: the same help as F1, not Textual's generic panel."""
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_support(self) -> None:
        from screens.support import SupportDialog

        if not isinstance(self.screen, SupportDialog):
            self.push_screen(SupportDialog())

    def action_toggle_contrast(self) -> None:
        high = self.theme == HIGH_CONTRAST.name
        self.theme = self.settings.ui.theme if high else HIGH_CONTRAST.name

    # --- doses not confirmed ------------------------------------------------------------------

    def retry_unconfirmed(self, *, now: bool = False) -> None:
        """Each second: send again, under its own key, each open dose whose time has come."""
        if self.user is None:
            return
        clock = self.clock().timestamp()
        for dose in list(self.desk.outbox.doses.values()):
            if dose.sending:
                continue
            if not dose.next_try_at:  # just held: its form is asking the vaccinator first
                dose.next_try_at = clock + dose.next_try_after()
            if now or clock >= dose.next_try_at:
                dose.next_try_at = clock + dose.next_try_after()
                self.run_worker(self._try_dose(dose), group=f"outbox-{dose.key}",
                                exclusive=True, exit_on_error=False)

    async def _try_dose(self, dose: UnconfirmedDose) -> None:
        settled = await try_again(self.api, dose)
        if settled is not None and dose.key in self.desk.outbox:
            self.desk.outbox.settle(dose.key)
            if settled.recorded:
                if settled.answer is not None:
                    self.desk.note_recorded(settled.answer.vaccination_id,
                                            dose.draft.session.session_id)
                LOG.info("an unconfirmed dose was confirmed by the registry")
                self.notify(f"The registry confirms the dose for {dose.label()}.",
                            title="Confirmed", markup=False, timeout=10)
            else:
                LOG.info("an unconfirmed dose was not recorded")
                self.notify(f"{dose.label()}: {self.redact(settled.why)}", title="Not recorded",
                            severity="error", markup=False, timeout=30)
            from screens.record_dose import RecordDoseScreen

            for screen in self.screen_stack:  # the form, if still open, says so too
                if (isinstance(screen, RecordDoseScreen) and screen.is_mounted
                        and screen.draft.idempotency_key == dose.key):
                    screen.settled_in_background(settled.recorded, settled.why)
        self.outbox_changed()

    def outbox_changed(self) -> None:
        """The count on every screen and the F4 key follow the outbox."""
        from screens.base import WorkScreen

        for screen in self.screen_stack:
            if isinstance(screen, WorkScreen) and screen.is_mounted:
                screen.refresh_context()
        self.refresh_bindings()

    def action_outbox(self) -> None:
        from screens.outbox import OutboxDialog

        def chosen(try_now: bool | None) -> None:
            if try_now:
                self.retry_unconfirmed(now=True)

        self.push_screen(OutboxDialog(), chosen)

    def ask_before_leaving(self, leaving: str, then: Callable[[], object]) -> None:
        """Quit or sign out at once, or, with a dose open or on its way, say whose first:
        Stay is the default."""
        from screens.outbox import LeaveGuard

        doses = list(self.desk.outbox.doses.values())
        draft = self.desk.draft
        if (draft is not None and draft.idempotency_key in self.desk.in_flight
                and draft.idempotency_key not in self.desk.outbox):
            # The form's own dose on its way: named like the others, never kept.
            doses.append(UnconfirmedDose(draft, None, sending=True))
        sending_now = len(self.desk.in_flight - {d.key for d in doses})
        if not doses and not sending_now:
            then()
            return

        def answered(leave: bool | None) -> None:
            count = len(doses) + sending_now
            if leave:
                supportlog.decision(f"{leaving.lower()} with {count} dose(s) not confirmed")
                then()
            else:
                supportlog.decision(f"stayed rather than {leaving.lower()}: {count} dose(s) "
                                    "not confirmed")

        self.push_screen(LeaveGuard(leaving, doses, sending_now), answered)

    def action_quit_app(self) -> None:
        from screens.lock import LockScreen

        if self.locked and isinstance(self.screen, LockScreen):
            self.screen.refuse_quit()  # an unattended terminal: unlock first
            return
        self.ask_before_leaving("Quit", lambda: self.exit(0))

    # --- talking to the registry ------------------------------------------------------------

    async def call_api(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run an API call; when the login has expired, ask for the password and code on
        top of the current screen (which keeps its form) and try once more. Must run in a
        worker, because it may wait for the vaccinator."""
        try:
            return await call()
        except e.LoginExpired as expired:
            if self.user is None:
                raise
            from screens.reauth import ReauthModal

            supportlog.event(f"login dropped by the registry ({expired.code}): asked to sign "
                             "in again over the form")
            if not await self.push_screen_wait(ReauthModal(self.user.username)):
                supportlog.decision("did not sign in again; the form's call was not made")
                raise
            return await call()

    def redact(self, text: str) -> str:
        """`text` for a message or a log line, with the people held now masked too."""
        return redact(text, self.desk.names())

    def explain(self, error: e.ApiError) -> str:
        """An error's message for the screen, logged (redacted) for support. Server text
        may echo what was typed, hence the redaction on screen too."""
        supportlog.error(error)
        return self.redact(error.message)

    def describe(self, error: e.ApiError) -> str:
        """The message and the reference support asks for."""
        return f"{self.explain(error)} (ref {error.reference})"

    def report(self, error: e.ApiError) -> None:
        """A transient failure: a toast that says what happened, what to do, and a
        reference for support. Server text is never read as markup."""
        self.notify(f"{self.explain(error)}\nReference: {error.reference}",
                    title=error.title, severity="error", markup=False, timeout=8)

    def forget_person(self) -> None:
        """A person is done: drop what the app and the UI's text caches hold of them."""
        self.desk.forget_beneficiary()
        forget_cached_text()

    def back_to_search(self) -> None:
        """Close every step above Search; the person's data goes with them."""
        self._close_down_to_base()

    def _close_down_to_base(self) -> None:
        """Pop every screen above the base screen the work started from (Login or Search)."""
        from screens.base import WorkScreen

        def is_base(screen: Screen[object]) -> bool:
            return isinstance(screen, WorkScreen) and screen.IS_BASE

        while len(self.screen_stack) > 1 and not is_base(self.screen):
            self.pop_screen()

    def wrong_password(self, where: str, error: e.ApiError) -> str | None:
        """A wrong password at the lock or the re-login, counted together (the registry
        counts them as one): what to say, or None once the app has signed out for it."""
        left = self.password_tries.wrong(self.user)
        supportlog.decision(f"{where} failed ({error.code}); {left} tries left")
        if left <= 0:
            self.sign_out_wrong_passwords()
            return None
        return f"{wrong_password_words(left)} (ref {error.reference})"

    def sign_out_wrong_passwords(self) -> None:
        """Too many wrong passwords at the lock or the re-login: sign out here and at the
        registry before its count locks the account. Doses the registry has not confirmed
        stay held, in memory, for this vaccinator: they are tried again once they sign in
        (nobody else may send them). Run by the app: the screens asking close meanwhile."""
        self.run_worker(self._sign_out_wrong_passwords(), group="sign-out", exclusive=True,
                        exit_on_error=False)

    async def _sign_out_wrong_passwords(self) -> None:
        user = self.user
        kept = dict(self.desk.outbox.doses)
        supportlog.decision(f"signed out after {self.password_tries.limit} wrong passwords")
        # The username stays filled in, so a password typed next lands in the masked field.
        await self.sign_out(username=user.username if user is not None else "")
        self.desk.outbox.doses.update(kept)
        self.kept_for = user.username if kept and user is not None else ""
        said = (f"Signed out after {self.password_tries.limit} wrong passwords, before the "
                f"registry locks the account.")
        if kept:
            count = "1 dose" if len(kept) == 1 else f"{len(kept)} doses"
            verb = "is" if len(kept) == 1 else "are"
            said += (f" {count} not confirmed by the registry {verb} kept: sign in again as "
                     f"{self.kept_for} to let vaxterm finish them.")
        self.notify(said, title="Signed out", severity="warning", markup=False, timeout=30)

    def start_sign_out(self) -> None:
        self.run_worker(self.sign_out(), group="sign-out", exclusive=True, exit_on_error=False)

    async def sign_out(self, username: str = "") -> None:
        LOG.info("signed out")
        self.desk.forget_everything()
        self.locked = False
        untold = await self.api.logout()
        if untold is not None:  # signed out here all the same: nothing is kept locally
            LOG.info("the registry could not be told of the sign-out: %s", untold.code)
            if may_have_acted(untold):  # it reached the registry, or may have
                said = ("Signed out on this computer. It is not known whether the registry "
                        "ended your login there; if not, it expires within 15 minutes.")
            else:
                said = ("Signed out on this computer. The registry could not be told, so "
                        "your login there stays open until it expires, within 15 minutes.")
            self.notify(f"{said}\nReference: {untold.reference}", title="Signed out",
                        severity="warning", markup=False, timeout=15)
        from screens.login import LoginScreen

        self._close_down_to_base()
        await self.switch_screen(LoginScreen(username))
        forget_cached_text()
