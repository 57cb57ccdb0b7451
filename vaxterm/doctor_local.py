"""Doctor's checks of this computer: settings, address form, environment variables,
keyring, log folder, terminal, versions. No network here."""

from __future__ import annotations

import base64
import binascii
import os
import platform
import re
import stat
from pathlib import Path
from urllib.parse import urlsplit

from vaxterm import __version__, paths, supportlog
from vaxterm.doctor_model import (
    Check,
    Context,
    TookTooLong,
    bounded,
    fail,
    ok,
    warn,
)
from vaxterm.paths import config_file

MIN_COLUMNS, MIN_LINES = 80, 24
TIMES = "\u00d7"  # the multiplication sign, as in 80 by 24
PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
CA_VARS = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")
SETTINGS_FIX = ("Correct the line named, or rename the file to start from the defaults; "
                "`vaxterm --help` lists every key.")


# --- settings and address ---------------------------------------------------------------------


def settings_check(ctx: Context) -> Check:
    file = config_file(ctx.environ)
    if ctx.settings_error:
        return fail(ctx.settings_error, SETTINGS_FIX, file=str(file))
    assert ctx.settings is not None
    server = ctx.settings.server
    if server.ca_bundle:
        bundle = Path(server.ca_bundle)
        try:
            text = bundle.read_text(encoding="ascii", errors="replace")
        except OSError as exc:
            return fail(f"server.ca_bundle {bundle} cannot be read ({type(exc).__name__})",
                        "Point server.ca_bundle at the registry's CA file (PEM), readable by "
                        "you.", file=str(file))
        if "-----BEGIN CERTIFICATE-----" not in text:
            return fail(f"server.ca_bundle {bundle} holds no PEM certificate",
                        "Point server.ca_bundle at a PEM file (-----BEGIN CERTIFICATE-----).",
                        file=str(file))
    if server.pin_sha256 and not _is_pin(server.pin_sha256):
        return fail("server.pin_sha256 is not a base64 SHA-256 (44 characters ending in =)",
                    "Copy the pin again from the registry's operators, whole.", file=str(file))
    changed = supportlog.changed_settings(ctx.settings)
    where = f"{file}" if file.exists() else f"no file at {file}, defaults"
    return ok(f"{where}; changed: {', '.join(changed) or 'nothing'}", file=str(file),
              file_exists=file.exists(), changed=changed)


def _is_pin(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def address_check(ctx: Context) -> Check:
    assert ctx.settings is not None
    url = ctx.settings.server.url
    if not url:
        return fail("no registry address is configured",
                    "Pass --server https://registry.example/api/v2, or set server.url in "
                    "config.toml (or VAXTERM_SERVER__URL).")
    shown = supportlog.safe_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return fail(f"{shown}: the port is not a number from 1 to 65535",
                    "Write the address as https://host[:port]/api/v2.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return fail(f"{shown}: not an http(s) address",
                    "Write the address as https://registry.example/api/v2.")
    ctx.url, ctx.scheme, ctx.host = url.rstrip("/"), parts.scheme, parts.hostname
    ctx.port = port or (443 if parts.scheme == "https" else 80)
    data = {"url": shown, "scheme": parts.scheme, "host": parts.hostname, "port": ctx.port,
            "path": parts.path}
    if parts.username or parts.password or parts.query or parts.fragment:
        return warn(f"{shown} (with a user, password, query or fragment, not shown)",
                    "Remove everything but scheme, host, port and path from the address.",
                    **data)
    from api_client.addresses import is_loopback

    notes = []
    if parts.scheme == "http":
        if not is_loopback(parts.hostname):
            return warn(f"{shown}: plain http to another machine",
                        "Use the https:// address, unless this is a training server (that is "
                        "checked at /meta).", **data)
        notes.append("plain http to this computer")
    if not parts.path.rstrip("/").endswith("/api/v2"):
        notes.append("no /api/v2 in the path: /meta will try both")
    return ok(shown + (f" ({'; '.join(notes)})" if notes else ""), **data)


# --- environment variables -----------------------------------------------------------------------


def environment_check(ctx: Context) -> Check:
    """Proxy and CA variables: reported, never used by doctor's own connections."""
    found = {name: value for name, value in ctx.environ.items()
             if name.upper() in PROXY_VARS + CA_VARS}
    if not found:
        return ok("no proxy or CA variable set", variables={})
    shown = {}
    for name, value in sorted(found.items()):
        upper = name.upper()
        shown[name] = (supportlog.safe_url(value) if upper.endswith("_PROXY")
                       and upper != "NO_PROXY" else value)
    proxies = [n for n in found if n.upper() in PROXY_VARS[:3]]
    fixes = []
    if proxies:
        fixes.append("the app's connections go through the proxy (except hosts in NO_PROXY) "
                     "while these checks connected directly, so if the app fails where doctor "
                     "passes, ask IT about the proxy")
    if any(n.upper() in CA_VARS[:2] for n in found):
        fixes.append("SSL_CERT_FILE/SSL_CERT_DIR change which CAs are trusted when "
                     "server.ca_bundle is not set")
    if any(n.upper() == "REQUESTS_CA_BUNDLE" for n in found):
        fixes.append("REQUESTS_CA_BUNDLE is not read by vaxterm (set server.ca_bundle)")
    if not fixes:
        fixes.append("NO_PROXY alone changes nothing")
    detail = "set: " + ", ".join(f"{n}={v}" for n, v in shown.items())
    fix = "; ".join(fixes)
    return warn(detail + " (not used by these checks)", fix[0].upper() + fix[1:] + ".",
                variables=shown)


# --- keyring ------------------------------------------------------------------------------------


def keyring_check(ctx: Context) -> Check:
    from vaxterm.credentials import CredentialError, CredentialStore

    if ctx.settings is None:
        store = ctx.credentials or CredentialStore("")
        username = ""
    else:
        store = ctx.credentials or CredentialStore.for_server(ctx.settings.server.url,
                                                              mock=False)
        username = ctx.settings.login.username

    def look() -> Check:
        status = store.status()
        data: dict[str, object] = {"backend": status.backend, "encrypted": status.usable,
                                   "service": store.service, "password_stored": None}
        if not status.usable:
            what = ("no keyring is available" if "fail.Keyring" in status.backend
                    else f"{status.backend} does not keep passwords encrypted")
            return warn(f"{what}: vaxterm will not keep the password here",
                        "To have vaxterm remember the password, install and unlock an "
                        "encrypted keyring (GNOME Keyring, KWallet); otherwise the password is "
                        "typed at each sign-in.", **data)
        if ctx.settings is None:
            return ok(f"{status.backend} (encrypted); stored password not looked up: the "
                      f"settings could not be read", **data)
        if not username:
            return ok(f"{status.backend} (encrypted); no user configured, so no stored "
                      f"password to look up", **data)
        try:
            stored = store.get(username) is not None
        except CredentialError as problem:
            return warn(f"{status.backend}: {problem}",
                        "Unlock the keyring (sign in to the desktop again), then retry.",
                        **data)
        data["password_stored"] = stored
        return ok(f"{status.backend} (encrypted); a password is "
                  f"{'stored' if stored else 'not stored'} for the configured user", **data)

    try:
        return bounded(look, ctx.timeout + 2)
    except TookTooLong:
        return warn(f"the keyring did not answer in {ctx.timeout + 2:g} s (locked, or "
                    f"waiting for an unlock prompt)",
                    "Unlock the keyring (sign in to the desktop again), then retry.")
    except Exception as exc:  # keyring raises many types: no D-Bus, denied, broken config
        return warn(f"the keyring could not be asked ({type(exc).__name__})",
                    "Check PYTHON_KEYRING_BACKEND and the desktop's keyring service.")


# --- log folder ---------------------------------------------------------------------------------


def logs_check(ctx: Context) -> Check:
    folder = paths.log_dir(ctx.environ)
    current = supportlog.path()
    if not folder.is_dir() or current is None:
        return fail(f"the support log cannot be written in {folder}",
                    "Make the folder writable by you, or set VAXTERM_LOG_DIR to one that is.",
                    folder=str(folder))
    files = supportlog.session_files(folder)
    sessions = len({supportlog.session_id(p) for p in files})
    size = sum(p.stat().st_size for p in files)
    mode = stat.S_IMODE(folder.stat().st_mode)
    data = {"folder": str(folder), "mode": f"{mode:04o}", "sessions": sessions,
            "bytes": size, "current": str(current)}
    # The reference, not the file's whole name: redaction would mask that in the log.
    detail = (f"{folder} ({mode:04o}): {sessions} session(s), {size / 1024:.0f} KiB; this "
              f"one's file ends -{supportlog.session_reference()}.log")
    if os.name == "nt":
        return ok(detail, **data)
    if mode & 0o077:
        return warn(f"{folder} is mode {mode:04o}: others can list it",
                    f"Run: chmod 700 {folder}", **data)
    wide = [p.name for p in files if stat.S_IMODE(p.stat().st_mode) & 0o077]
    if wide:
        return warn(f"{len(wide)} log file(s) readable by others, e.g. {wide[0]}",
                    f"Run: chmod 600 {folder}/{supportlog.PREFIX}*", **data)
    if folder.stat().st_uid != os.getuid():
        return warn(f"{folder} belongs to another user", "Set VAXTERM_LOG_DIR to a folder "
                    "of your own.", **data)
    return ok(detail, **data)


# --- terminal -----------------------------------------------------------------------------------


# Terminals whose own shortcuts take F-keys vaxterm uses (F1 help, F10 review).
FKEY_THIEVES = (
    ("VTE_VERSION", None, "GNOME Terminal and other VTE terminals take F1 and F10"),
    ("TERM_PROGRAM", "vscode", "VS Code's terminal takes F1"),
    ("TERM_PROGRAM", "Apple_Terminal", "macOS Terminal sends F-keys only with fn"),
)


def terminal_size(ctx: Context) -> tuple[int, int] | None:
    try:  # as shutil does: the variables first
        return int(ctx.environ["COLUMNS"]), int(ctx.environ["LINES"])
    except (KeyError, ValueError):
        pass
    for descriptor in (1, 2, 0):
        try:
            size = os.get_terminal_size(descriptor)
            return size.columns, size.lines
        except OSError:
            continue
    return None


def colours(environ: dict[str, str]) -> str:
    if "NO_COLOR" in environ:
        return "none (NO_COLOR is set)"
    if environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "true colour"
    term = environ.get("TERM", "")
    return "256 colours" if "256color" in term else "16 colours or fewer"


def terminal_check(ctx: Context) -> Check:
    env = dict(ctx.environ)
    term = env.get("TERM", "")
    size = terminal_size(ctx)
    palette = colours(env)
    thief = next((why for name, value, why in FKEY_THIEVES
                  if env.get(name) and (value is None or env.get(name) == value)), "")
    shown = f"{size[0]}{TIMES}{size[1]}" if size else "size unknown"
    data = {"columns": size[0] if size else None, "lines": size[1] if size else None,
            "term": term or None, "colorterm": env.get("COLORTERM") or None,
            "colours": palette, "fkeys": thief or None}
    detail = f"{shown}, TERM={term or '(not set)'}, {palette}"
    if not term or term == "dumb":
        return warn(detail, "Run vaxterm in a terminal emulator (TERM such as "
                    "xterm-256color), not a plain console or pipe.", **data)
    if size is None:
        return warn(detail + " (not run in a terminal)",
                    "Run `vaxterm doctor` in the terminal window vaccinators use.", **data)
    if size[0] < MIN_COLUMNS or size[1] < MIN_LINES:
        return warn(f"{detail}: smaller than {MIN_COLUMNS}{TIMES}{MIN_LINES}",
                    f"Enlarge the window or use a smaller font: vaxterm needs at least "
                    f"{MIN_COLUMNS}{TIMES}{MIN_LINES}.", **data)
    if thief:
        return warn(f"{detail}; {thief}",
                    "Turn off the terminal's own F-key shortcuts, or use Ctrl+P: the command "
                    "palette has every action.", **data)
    return ok(f"{detail}; if an F-key does nothing, Ctrl+P has every action", **data)


# --- versions -----------------------------------------------------------------------------------


def pinned_textual() -> str:
    """The Textual version vaxterm's metadata requires (exact pin), if known."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        wanted = requires("vaxterm") or []
    except PackageNotFoundError:
        return ""
    for line in wanted:
        found = re.match(r"^textual\s*==\s*([\w.]+)", line)
        if found:
            return found.group(1)
    return ""


def versions_check(ctx: Context) -> Check:
    textual = supportlog.textual_version()
    data = {"vaxterm": __version__, "python": platform.python_version(), "textual": textual,
            "os": supportlog.os_text()}
    detail = (f"vaxterm {__version__} · Python {data['python']} · Textual {textual} · "
              f"{data['os']}")
    pinned = pinned_textual()
    if pinned and textual != pinned:
        return warn(f"{detail}; vaxterm was built for Textual {pinned}",
                    "Reinstall vaxterm so its dependencies match (pip install --force-reinstall "
                    "vaxterm).", **data)
    return ok(detail, **data)
