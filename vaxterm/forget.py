"""`vaxterm forget`: remove the password this workstation keeps for the configured user."""

from __future__ import annotations

from urllib.parse import urlsplit

from vaxterm.credentials import CredentialError, CredentialStore
from vaxterm.settings import Settings


def forget(settings: Settings, store: CredentialStore | None = None) -> tuple[int, str]:
    """(exit code, one line to print). Nothing stored is not an error: the end state holds."""
    username = settings.login.username
    if not username:
        return 2, ("no username is configured ([login] username in config.toml, or "
                   "VAXTERM_LOGIN__USERNAME), so there is no stored password to remove")
    host = urlsplit(settings.server.url).hostname or ""
    store = store or CredentialStore(host)
    try:
        removed = store.delete(username)
    except CredentialError as problem:
        return 2, str(problem)
    if removed:
        return 0, f"the password stored for {username} on this workstation was removed"
    return 0, f"no password was stored for {username} on this workstation"
