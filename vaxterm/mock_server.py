"""`vaxterm mock-server`: the mock registry over uvicorn for a training room."""

from __future__ import annotations

import contextlib
import sys

from api_client.mock.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from api_client.mock.population import SITUATIONS


def banner(host: str, port: int, announce_room: bool) -> str:
    base = f"http://{host}:{port}/api/v2"
    lines = [
        "vaxterm mock registry (TRAINING: synthetic people only)",
        f"  API:            {base}",
        f"  current codes:  {base}/training/accounts",
        "",
        f"Demo accounts (password {DEMO_PASSWORD}; add the secret to an authenticator app,",
        "or read the current code from the address above):",
    ]
    lines += [f"  {user:<14} {name:<28} secret {secret}"
              for user, name, _centre, secret in DEMO_ACCOUNTS]
    lines += ["  trainee01..trainee40 share the same password; one per trainee.", "",
              "Demo mobiles:"]
    lines += [f"  {s.mobile}  {s.shows}" for s in SITUATIONS]
    if announce_room:
        lines += ["", "Trainees start:  vaxterm --server http://<this machine>:"
                      f"{port}/api/v2"]
    lines += ["", "Ctrl+C stops the server."]
    return "\n".join(lines)


def serve(host: str, port: int, announce_room: bool) -> int:
    import uvicorn

    from api_client.mock import create_app

    print(banner(host, port, announce_room), flush=True)
    config = uvicorn.Config(create_app(), host=host, port=port, log_level="warning",
                            access_log=False)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
    print("mock registry stopped.", file=sys.stderr)
    return 0
