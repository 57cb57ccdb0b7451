"""`vaxterm forget`: remove the password this workstation keeps for the configured user, for
the configured registry and for the built-in training mock alike."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import IO, Any

from vaxterm.credentials import CredentialError, CredentialStore
from vaxterm.settings import Settings


def stores_to_forget(settings: Settings, **options: Any) -> list[CredentialStore]:
    """Every keyring entry vaxterm may have written for this user: the configured server's and
    the one `--mock` runs use."""
    stores = [CredentialStore.for_server(settings.server.url, mock=False, **options),
              CredentialStore.for_server("", mock=True, **options)]
    return list({store.service: store for store in stores}.values())


def username_to_forget(settings: Settings, given: str = "", *,
                       stdin: IO[str] | None = None,
                       ask: Callable[[str], str] = input) -> str:
    """`--user`, else the configured username, else the one typed at the terminal; "" when
    there is none and no terminal to ask on (a script)."""
    if given.strip():
        return given.strip()
    if settings.login.username:
        return settings.login.username
    if not (stdin or sys.stdin).isatty():
        return ""
    try:
        return ask("Username whose stored password to remove: ").strip()
    except (EOFError, KeyboardInterrupt):
        return ""


def forget(settings: Settings, stores: Sequence[CredentialStore] | None = None, *,
           username: str | None = None) -> tuple[int, str]:
    """(exit code, one line to print). Nothing stored is not an error: the end state holds.
    `username` defaults to the configured one."""
    username = settings.login.username if username is None else username
    if not username:
        return 2, ("no username given: run `vaxterm forget --user NAME` (or set [login] "
                   "username in config.toml, or VAXTERM_LOGIN__USERNAME)")
    removed = 0
    try:
        for store in stores if stores is not None else stores_to_forget(settings):
            removed += store.delete(username)
    except CredentialError as problem:
        return 2, str(problem)
    if removed:
        return 0, f"the password stored for {username} on this workstation was removed"
    return 0, f"no password was stored for {username} on this workstation"
