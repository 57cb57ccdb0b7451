"""Run inside a D-Bus session with gnome-keyring: store, read or check the vaccinator's
password through `CredentialStore`, as the login screen does. One JSON line out."""

from __future__ import annotations

import json
import sys

from vaxterm.credentials import CredentialError, CredentialStore

SERVER_HOST = "registry.example"


def main(step: str, username: str, password: str = "") -> None:
    store = CredentialStore(SERVER_HOST)
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
    main(*sys.argv[1:])
