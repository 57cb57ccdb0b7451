"""`vaxterm mock-server`: the mock registry over uvicorn for a training room."""

from __future__ import annotations

import contextlib
import secrets
import sys

from api_client.mock.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from api_client.mock.population import SITUATIONS
from api_client.models import AuditEntry
from vaxterm.privacy import redact

# No 0/o, 1/l/i: the key is read off the trainer's screen and typed.
_KEY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_room_key() -> str:
    """A fresh key for this start: three groups of four, about 60 bits."""
    return "-".join("".join(secrets.choice(_KEY_ALPHABET) for _ in range(4))
                    for _ in range(3))


def banner(host: str, port: int, announce_room: bool, *, scheme: str = "http",
           clock_offset: float = 0.0, room_key: str = "") -> str:
    base = f"{scheme}://{host}:{port}/api/v2"
    lines = [
        "vaxterm mock registry (TRAINING: synthetic people only)",
        f"  API:            {base}",
        f"  current codes:  {base}/training/accounts",
        *([f"  clock:          {clock_offset:+.0f} s off real time (--clock-offset)"]
          if clock_offset else []),
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
        lines += ["", f"Trainees start:  vaxterm --server {scheme}://<this machine>:"
                      f"{port}/api/v2"]
    lines += ["", f"Room key (the trainer's; do not show it to the class):  {room_key}",
              "  Reset and scenarios need it. In the trainer's vaxterm: F12, Scenarios, type",
              "  the key; or start it with VAXTERM_ROOM_KEY set. Trainees without it see",
              "  neither reset nor scenarios, and the server refuses them (403 TRAIN0002).",
              "  Over HTTP: the header X-Room-Key, e.g. on POST /api/v2/training/reset.",
              "", "Ctrl+C stops the server. Live log:"]
    return "\n".join(lines)


# What the trainer follows: who signed in, who was sent an OTP, which dose was recorded.
LIVE_ACTIONS = {"login": "signed in", "logout": "signed out", "consent": "OTP confirmed",
                "vaccinate": "recorded", "vaccinate refused": "refused",
                "entered-in-error": "marked entered in error", "alert": "ALERT",
                "room reset": "RESET THE ROOM", "scenario": "set the scenario",
                "trainer refused": "refused, trainer only"}


def live_line(entry: AuditEntry) -> str | None:
    """One line of the room's log. Audit entries are masked already (reference IDs to their
    last 4 digits, no names, no numbers typed), so nothing personal reaches the terminal."""
    if entry.action == "search" and entry.detail == "OTP sent":
        what = "OTP sent"
    elif entry.action in LIVE_ACTIONS:
        what = LIVE_ACTIONS[entry.action]
    else:
        return None
    parts = [entry.time[11:19], f"{entry.vaccinator:<14}", what]
    if entry.beneficiary_reference_id:
        parts.append(f"ref {entry.beneficiary_reference_id[-4:]}")
    if entry.detail and entry.action != "search":
        parts.append(entry.detail)
    return "  ".join(parts)


def serve(host: str, port: int, announce_room: bool, *, clock_offset: float = 0.0,
          certfile: str = "", keyfile: str = "", room_key: str = "",
          seed: int | None = None) -> int:
    """Serve until Ctrl+C. `clock_offset` shifts the mock's clock (a server whose time is
    wrong, for clock-skew checks); `certfile`/`keyfile` serve https; `room_key` is the
    trainer's (a new one when not given); `seed` repeats the codes (tests only)."""
    import uvicorn

    from api_client.mock import MockConfig, create_app
    from api_client.mock.clock import OffsetClock, SystemClock
    from api_client.mock.registry import chosen_seed
    from api_client.mock.serving import server_config

    try:
        seed = chosen_seed(seed)
    except ValueError as exc:
        print(f"vaxterm: {exc}", file=sys.stderr)
        return 2
    room_key = room_key or new_room_key()

    def show(entry: AuditEntry) -> None:
        line = live_line(entry)
        if line:
            print(redact(line), flush=True)  # the same redaction as every other log

    # Ctrl+C may come at any moment, start-up included: it always ends here, cleanly.
    with contextlib.suppress(KeyboardInterrupt):
        app = create_app(OffsetClock(clock_offset) if clock_offset else SystemClock(),
                         MockConfig(seed=seed, room_key=room_key))
        app.state.registry.observers.append(show)
        scheme = "https" if certfile else "http"
        print(banner(host, port, announce_room, scheme=scheme, clock_offset=clock_offset,
                     room_key=room_key), flush=True)
        # Header and keep-alive timeouts: a client that drips its request is cut off.
        config = server_config(app, host, port, log_level="warning", access_log=False,
                               ssl_certfile=certfile or None, ssl_keyfile=keyfile or None)
        uvicorn.Server(config).run()
    print("mock registry stopped.", file=sys.stderr)
    return 0
