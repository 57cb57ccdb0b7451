"""The `vaxterm` command line. Parses first; heavy modules are imported only by the command
that needs them, so `--help` and `--version` stay fast."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence

from vaxterm import __version__
from vaxterm.settings import Settings, SettingsError, describe, load

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NOT_AVAILABLE = 3

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
    commands.add_parser("doctor", help="check config, server, TLS, clock and keyring",
                        description="Check config, server, TLS, clock skew and keyring.")
    commands.add_parser("forget", help="remove the stored password from the OS keyring",
                        description="Remove the stored password from the OS keyring.")
    return parser


def _apply_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    from dataclasses import replace

    if args.server:
        settings = replace(settings, server=replace(settings.server, url=args.server))
    return settings


def _not_available(what: str) -> int:
    print(f"vaxterm: {what} is not available in this version yet; nothing was done.",
          file=sys.stderr)
    return EXIT_NOT_AVAILABLE


def _serve_mock(host: str, port: int) -> int:
    if not 0 < port < 65536:
        print(f"vaxterm: --port must be 1 to 65535; got {port}", file=sys.stderr)
        return EXIT_USAGE
    from vaxterm.mock_server import serve

    loopback = host in ("localhost",) or _is_loopback(host)
    return serve(host, port, announce_room=not loopback)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "mock-server":
        return _serve_mock(args.host, args.port)
    try:
        settings = _apply_flags(load(), args)
    except SettingsError as exc:
        print(f"vaxterm: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "doctor":
        return _not_available("'vaxterm doctor'")
    if args.command == "forget":
        from vaxterm.forget import forget

        code, line = forget(settings)
        print(f"vaxterm: {line}", file=sys.stderr if code else sys.stdout)
        return code
    from vaxterm.tui import run

    return run(settings, mock=args.mock, debug=args.debug)
