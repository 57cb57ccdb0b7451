"""The trainer's panel (F12, training only): scenarios, the SMS inbox, the demo accounts and
their codes, the demo mobiles, and the audit log of what this trainee has opened."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, OptionList, TabbedContent, TabPane
from textual.widgets.option_list import Option

from api_client import errors as e
from screens.base import Dialog
from vaxterm.scenarios import SCENARIOS


class TrainingPanel(Dialog[None]):
    DEFAULT_CSS = """
    TrainingPanel > Vertical { width: 100%; height: 1fr; max-height: 100%; padding: 0 1; }
    TrainingPanel TabbedContent { height: 1fr; }
    TrainingPanel DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="panel.close"),
                Binding("f12", "close", "Close", show=False, id="panel.toggle")]

    def compose_dialog(self) -> ComposeResult:
        with Vertical():
            yield Label("Training panel · Tab, then ← → between tabs · F12 closes",
                        classes="title")
            with TabbedContent(id="tabs"):
                with TabPane("Scenarios", id="tab-scenarios"):
                    yield OptionList(*(Option(f"{s.title}: {s.teaches}", id=s.key)
                                       for s in SCENARIOS), id="scenarios")
                with TabPane("SMS inbox", id="tab-sms"):
                    yield DataTable(id="sms", show_cursor=False)
                with TabPane("Accounts", id="tab-accounts"):
                    yield DataTable(id="accounts", show_cursor=False)
                with TabPane("Demo mobiles", id="tab-mobiles"):
                    yield DataTable(id="mobiles", show_cursor=False)
                with TabPane("My accesses", id="tab-audit"):
                    yield DataTable(id="audit", show_cursor=False)

    def on_mount(self) -> None:
        self.query_one("#sms", DataTable).add_columns("Sent", "To", "OTP")
        self.query_one("#accounts", DataTable).add_columns("Username", "Password", "Code now",
                                                           "Centre")
        self.query_one("#mobiles", DataTable).add_columns("Mobile", "Situation")
        self.query_one("#audit", DataTable).add_columns("Time", "Action", "Reference",
                                                        "Detail")
        self.query_one("#scenarios", OptionList).focus()
        self.load()

    @work(exclusive=True, group="panel", exit_on_error=False)
    async def load(self) -> None:
        api = self.vax.api
        accounts = self.query_one("#accounts", DataTable)
        try:
            for account in await api.demo_accounts():
                if not account.username.startswith("trainee") or account.username == (
                        self.vax.user.username if self.vax.user else ""):
                    accounts.add_row(account.username, account.password,
                                     "locked" if account.locked else account.current_code,
                                     account.centre_name)
            # The server's own list: a classroom server may hold other people than this laptop.
            mobiles = self.query_one("#mobiles", DataTable)
            for mobile in await api.demo_mobiles():
                mobiles.add_row(mobile.mobile, mobile.shows)
            if not api.logged_in:
                return  # the inbox and the audit log are per trainee: sign in first
            sms = self.query_one("#sms", DataTable)
            for message in reversed(await api.sms_inbox()):
                sms.add_row(message.sent_at[11:19], message.masked_mobile, message.otp)
            audit = self.query_one("#audit", DataTable)
            for entry in reversed(await api.audit_log()):
                audit.add_row(entry.time[11:19], entry.action, entry.beneficiary_reference_id,
                              entry.detail)
        except e.ApiError as error:
            self.vax.report(error)

    @on(OptionList.OptionSelected, "#scenarios")
    def scenario_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.vax.apply_scenario(event.option.id)
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
