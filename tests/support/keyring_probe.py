"""Run inside a D-Bus session with gnome-keyring: store, read or check the vaccinator's
password through `CredentialStore`, as the login screen does. One JSON line out.

    python -m tests.support.keyring_probe store|read USERNAME [PASSWORD] [--mock]

The store is chosen as `vaxterm` chooses it: for the configured server, or with `--mock` for
the built-in training mock."""

from __future__ import annotations

import json
import sys

from vaxterm.credentials import CredentialError, CredentialStore
from vaxterm.settings import load


def main(step: str, username: str, password: str = "", *, mock: bool = False) -> None:
    store = CredentialStore.for_server(load().server.url, mock=mock)
    status = store.status()
    result: dict[str, object] = {"usable": status.usable, "backend": status.backend}
    try:
        if step == "store":
            store.set(username, password)
        result["read"] = store.get(username)
    except CredentialError as problem:
        result["error"] = str(problem)
    print(json.dumps(result))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--mock"]
    main(*args, mock="--mock" in sys.argv[1:])
