"""The `vaxterm` command line. Parses first; heavy modules are imported only by the command
that needs them, so `--help` and `--version` stay fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vaxterm import __version__
from vaxterm.settings import Settings, SettingsError, describe, load

EXIT_USAGE = 2

EPILOG = f"""\
settings, highest precedence first:
  1. flags (--server)
  2. environment variables VAXTERM_<SECTION>__<KEY>, e.g. VAXTERM_SERVER__URL
  3. config.toml in the user config directory (or $VAXTERM_CONFIG_DIR)
  4. defaults:
{describe()}

No personal value (mobile, ID, OTP, password) is ever taken as an argument: shell history
would keep it.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaxterm", description="Record vaccinations from the terminal.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", metavar="URL", help="registry API base URL (https://...)")
    parser.add_argument("--mock", action="store_true",
                        help="training: run against the built-in mock registry, no network")
    parser.add_argument("--debug", action="store_true",
                        help="redacted HTTP trace and a redacted log file")
    parser.add_argument("--version", action="version", version=f"vaxterm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "mock-server", help="serve the mock registry over HTTP for a training room",
        description="Serve the mock registry (synthetic people, environment 'training').")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for a room)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    serve.add_argument("--tls-cert", metavar="PEM", default="",
                       help="serve https with this certificate (chain) file")
    serve.add_argument("--tls-key", metavar="PEM", default="",
                       help="the private key of --tls-cert (if not in that file)")
    serve.add_argument("--clock-offset", metavar="SECONDS", type=float, default=0.0,
                       help="training and tests: run the mock's clock this many seconds off "
                            "real time (e.g. 120), to show what clock skew does")
    serve.add_argument("--room-key", metavar="KEY", default="",
                       help="the trainer's key for reset and scenarios (default: a new one "
                            "each start, printed at start)")
    serve.add_argument("--seed", metavar="N", type=int, default=None,
                       help="tests and snapshots: repeat the same codes and references "
                            "(default: $VAXTERM_MOCK_SEED, else new ones each start)")
    doctor = commands.add_parser(
        "doctor", help="check settings, server, TLS, clock, keyring, log and terminal",
        description="Check, in order: settings, server address, DNS, TCP, TLS, proxy and CA "
                    "variables, GET /meta, clock skew, keyring, log folder, terminal, "
                    "versions. No login, nothing personal. Exit 0: all fine or only "
                    "warnings (!); 1: a problem (✗); 2: usage or settings error.")
    doctor.add_argument("--json", action="store_true", help="the same findings as JSON")
    doctor.add_argument("--server", metavar="URL", dest="doctor_server",
                        help="check this registry address instead of the configured one")
    bundle = commands.add_parser(
        "support-bundle", help="one zip of doctor's findings and the support logs",
        description="Run doctor, then write one zip (redacted, mode 0600) of its findings "
                    "and the support logs of the last sessions, and print its path.")
    bundle.add_argument("--output", metavar="FOLDER",
                        help="where to write the zip (default: the current folder)")
    bundle.add_argument("--server", metavar="URL", dest="doctor_server",
                        help="check this registry address instead of the configured one")
    forget = commands.add_parser(
        "forget", help="remove the stored password from the OS keyring",
        description="Remove the stored password from the OS keyring: of --user, else of the "
                    "configured username, else of the username asked for on the terminal.")
    forget.add_argument("--user", metavar="NAME", default="",
                        help="the username whose stored password to remove")
    return parser


def _apply_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    from dataclasses import replace

    if args.server:
        settings = replace(settings, server=replace(settings.server, url=args.server))
    return settings


def _serve_mock(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"vaxterm: --port must be 1 to 65535; got {args.port}", file=sys.stderr)
        return EXIT_USAGE
    if args.tls_key and not args.tls_cert:
        print("vaxterm: --tls-key needs --tls-cert", file=sys.stderr)
        return EXIT_USAGE
    if not abs(args.clock_offset) <= 86400:
        print("vaxterm: --clock-offset must be within a day (86400 seconds)", file=sys.stderr)
        return EXIT_USAGE
    from api_client.addresses import is_loopback
    from vaxterm.mock_server import serve
    from vaxterm.scenarios import room_key_problem

    problem = room_key_problem(args.room_key) if args.room_key else ""
    if problem:
        print(f"vaxterm: --room-key {problem}", file=sys.stderr)
        return EXIT_USAGE
    loopback = is_loopback(args.host)
    return serve(args.host, args.port, announce_room=not loopback,
                 clock_offset=args.clock_offset, certfile=args.tls_cert, keyfile=args.tls_key,
                 room_key=args.room_key, seed=args.seed)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.mock and args.server:
        # One or the other: a registry address with --mock would be silently ignored.
        print("vaxterm: --mock runs the built-in training registry and --server names another "
              "registry; use one of them, not both", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "mock-server":
        return _serve_mock(args)
    if args.command in ("doctor", "support-bundle"):
        # Before the settings are loaded: a broken file is doctor's first finding.
        server = args.doctor_server or args.server
        if args.command == "doctor":
            from vaxterm import doctor

            return doctor.main(server=server, as_json=args.json)
        from vaxterm import bundle

        return bundle.main(server=server, output=args.output)
    try:
        settings = _apply_flags(load(), args)
    except SettingsError as exc:
        print(f"vaxterm: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "forget":
        from vaxterm.forget import forget, username_to_forget

        username = username_to_forget(settings, args.user)
        code, line = forget(settings, username=username)
        print(f"vaxterm: {line}", file=sys.stderr if code else sys.stdout)
        return code
    from vaxterm.tui import run

    return run(settings, mock=args.mock, debug=args.debug)
