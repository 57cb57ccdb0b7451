"""Settings: defaults, then `config.toml`, then `VAXTERM_<SECTION>__<KEY>` variables, then flags.

Settings hold no personal data: a server address, a username, timeouts and preferences. A bad
file or variable is a `SettingsError` whose message names the file, line and key.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from api_client.timeouts import Timeouts
from vaxterm.paths import config_file

_DEFAULT_TIMEOUTS = Timeouts()

MAX_IDLE_LOCK_MINUTES = 30


class SettingsError(Exception):
    """One line that says where the problem is and what is wrong."""


@dataclass(frozen=True)
class ServerSettings:
    url: str = ""
    """Base URL of the registry API, e.g. https://registry.example/api/v2."""
    ca_bundle: str = ""
    """A PEM file of CA certificates to trust instead of the system's."""
    pin_sha256: str = ""
    """Base64 SHA-256 of the server's public key (SPKI); connections to any other key fail."""
    proxy: str = ""
    """An http:// CONNECT proxy for an https:// registry, e.g. http://proxy.example:3128.
    Proxy and CA variables of the environment (HTTPS_PROXY, SSL_CERT_FILE...) are never used."""
    # The client's own defaults, written once in api_client/timeouts.py.
    connect_timeout: float = _DEFAULT_TIMEOUTS.connect
    read_timeout: float = _DEFAULT_TIMEOUTS.read
    write_timeout: float = _DEFAULT_TIMEOUTS.write
    pool_timeout: float = _DEFAULT_TIMEOUTS.pool
    total_timeout: float = _DEFAULT_TIMEOUTS.total
    """The most one call may take, connect to the last byte of the answer: no screen waits
    longer (a write whose answer does not come in time is treated as 'not confirmed')."""


@dataclass(frozen=True)
class LoginSettings:
    username: str = ""
    """Remembered so the vaccinator types only the password and the code."""
    remember_password: bool = False
    """Keep the password in the OS keyring (only an encrypted backend is accepted)."""


@dataclass(frozen=True)
class SecuritySettings:
    idle_lock_minutes: int = 15
    """Lock the screen after this many idle minutes (at most 30)."""


@dataclass(frozen=True)
class UiSettings:
    theme: str = "textual-dark"
    """A Textual theme name; `textual-ansi` or a high-contrast theme for bright rooms."""


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    login: LoginSettings = field(default_factory=LoginSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    ui: UiSettings = field(default_factory=UiSettings)


ENV_PREFIX = "VAXTERM_"
# Not settings keys: the folders of the settings and the support log, and, in training
# only, the mock's seed (tests) and a trainer's room key.
_RESERVED_ENV = {"VAXTERM_CONFIG_DIR", "VAXTERM_LOG_DIR", "VAXTERM_MOCK_SEED", "VAXTERM_ROOM_KEY"}


def _key_line(text: str, section: str, key: str | None) -> int | None:
    """The line of `[section]` / `key = ...` in a TOML text, for error messages."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([A-Za-z0-9_.-]+)\s*\]", stripped)
        if header:
            current = header.group(1)
            if key is None and current == section:
                return number
            continue
        if key is not None and current == section and re.match(
                rf"^{re.escape(key)}\s*=", stripped):
            return number
    return None


def _key_at(text: str, number: int) -> str | None:
    """`section.key` of the `key = ...` line `number` of a TOML text (for a value TOML
    itself refused, whose message names only the line)."""
    lines = text.splitlines()
    if not 1 <= number <= len(lines):
        return None
    found = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", lines[number - 1])
    if found is None:
        return None
    section = ""
    for line in lines[:number - 1]:
        header = re.match(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]", line)
        if header:
            section = header.group(1)
    return f"{section}.{found.group(1)}" if section else found.group(1)


def _coerce(value: Any, target: type | str, where: str, *, from_text: bool = False) -> Any:
    """`value` as the setting's type. Only an environment variable (`from_text`) is text by
    nature; in the file, true/false must be TOML booleans ("yes" in quotes is text)."""
    kind = target if isinstance(target, str) else target.__name__
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if from_text and isinstance(value, str) and value.lower() in {
                "1", "true", "yes", "on", "0", "false", "no", "off"}:
            return value.lower() in {"1", "true", "yes", "on"}
        if from_text:
            raise SettingsError(f"{where}: expected true or false, got {value!r}")
        raise SettingsError(f"{where}: must be true or false (a boolean, without quotes), "
                            f"got {value!r}")
    if kind == "int":
        if isinstance(value, bool):
            raise SettingsError(f"{where}: expected a whole number, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SettingsError(f"{where}: expected a whole number, got {value!r}") from None
    if kind == "float":
        if isinstance(value, bool):
            raise SettingsError(f"{where}: expected a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise SettingsError(f"{where}: expected a number, got {value!r}") from None
    if not isinstance(value, str):
        raise SettingsError(f"{where}: expected text, got {value!r}")
    return value


def _out_of_range(section: str, key: str, value: Any) -> str | None:
    """Why a coerced value is out of its range, or None."""
    if (section, key) == ("security", "idle_lock_minutes"):
        if not 1 <= value <= MAX_IDLE_LOCK_MINUTES:
            return f"must be 1 to {MAX_IDLE_LOCK_MINUTES} minutes; got {value}"
    elif section == "server" and key.endswith("_timeout") and not 0 < value <= 300:
        return f"must be more than 0 and at most 300 seconds; got {value}"
    return None


def _merge(base: Settings, values: Mapping[str, Mapping[str, Any]],
           where: Any, *, from_text: bool = False) -> Settings:
    """Apply {section: {key: value}}; `where(section, key)` names the source in errors."""
    sections = {f.name: f for f in fields(Settings)}
    updated: dict[str, Any] = {}
    for section, table in values.items():
        if section not in sections:
            raise SettingsError(f"{where(section, None)}: unknown section [{section}]; "
                                f"known: {', '.join(sections)}")
        if not isinstance(table, Mapping):
            raise SettingsError(f"{where(section, None)}: [{section}] must be a table")
        current = getattr(base, section)
        known = {f.name: f for f in fields(current)}
        changes = {}
        for key, value in table.items():
            if key not in known:
                raise SettingsError(f"{where(section, key)}: unknown key {section}.{key}; "
                                    f"known: {', '.join(known)}")
            named = f"{where(section, key)}: {section}.{key}"
            changes[key] = _coerce(value, known[key].type, named, from_text=from_text)
            wrong = _out_of_range(section, key, changes[key])
            if wrong is not None:
                raise SettingsError(f"{named} {wrong}")
        updated[section] = replace(current, **changes)
    return validate(replace(base, **updated))


def validate(settings: Settings) -> Settings:
    """Every bounded setting within its range (the file and variables are checked as they
    are read, where the message can name them)."""
    for section in fields(Settings):
        group = getattr(settings, section.name)
        for item in fields(group):
            wrong = _out_of_range(section.name, item.name, getattr(group, item.name))
            if wrong is not None:
                raise SettingsError(f"{section.name}.{item.name} {wrong}")
    return settings


def from_file(path: Path, base: Settings) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return base
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read: {exc.__class__.__name__}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the text: "... (at line 2, column 20)".
        found = re.search(r"^(.*) \(at line (\d+), column \d+\)$", str(exc))
        if found is None:
            raise SettingsError(f"{path}: {exc}") from None
        number = int(found.group(2))
        key = _key_at(text, number)
        if key is None:
            raise SettingsError(f"{path}:{number}: {found.group(1)}") from None
        raise SettingsError(f"{path}:{number}: {key}: {found.group(1).lower()} (numbers and "
                            f"true/false are written as they are, text in quotes)") from None

    def where(section: str, key: str | None) -> str:
        line = _key_line(text, section, key)
        return f"{path}:{line}" if line else str(path)

    return _merge(base, data, where)


def from_environment(environ: Mapping[str, str], base: Settings) -> Settings:
    values: dict[str, dict[str, str]] = {}
    names: dict[tuple[str, str | None], str] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name in _RESERVED_ENV:
            continue
        section, sep, key = name[len(ENV_PREFIX):].lower().partition("__")
        if not sep:
            raise SettingsError(f"{name}: use VAXTERM_<SECTION>__<KEY>, "
                                f"e.g. VAXTERM_SERVER__URL")
        values.setdefault(section, {})[key] = value
        names[(section, key)] = names[(section, None)] = name
    return _merge(base, values, lambda s, k: names.get((s, k), names.get((s, None), "env")),
                  from_text=True)


def load(environ: Mapping[str, str] | None = None, path: Path | None = None) -> Settings:
    """Defaults, then the file, then the environment. Flags are applied by the CLI."""
    env = os.environ if environ is None else environ
    settings = from_file(path or config_file(env), Settings())
    return from_environment(env, settings)


def describe() -> str:
    """Every setting with its default, for `--help`."""
    lines = []
    defaults = Settings()
    for section in fields(Settings):
        default = getattr(defaults, section.name)
        for item in dataclasses.fields(default):
            lines.append(f"  [{section.name}] {item.name} = {getattr(default, item.name)!r}")
    return "\n".join(lines)
