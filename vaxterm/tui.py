"""Start the terminal app. Guards run before Textual is imported: Textual's own log,
screenshot and devtools variables record every key typed, so outside training they are
removed; core dumps, which would hold the screen's data, are switched off."""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

from vaxterm.settings import Settings

# Variables through which Textual writes logs or screenshots, or streams the app elsewhere.
TEXTUAL_LEAKS = ("TEXTUAL", "TEXTUAL_LOG", "TEXTUAL_DEBUG", "TEXTUAL_PRESS",
                 "TEXTUAL_DEVTOOLS_HOST", "TEXTUAL_DEVTOOLS_PORT", "TEXTUAL_SCREENSHOT",
                 "TEXTUAL_SCREENSHOT_LOCATION", "TEXTUAL_SCREENSHOT_FILENAME")


def neutralise_textual_env(environ: MutableMapping[str, str], *, debug_training: bool
                           ) -> list[str]:
    """Remove the leaking TEXTUAL_* variables unless this is a debug run of training."""
    if debug_training:
        return []
    removed = [name for name in TEXTUAL_LEAKS if name in environ]
    for name in removed:
        del environ[name]
    return removed


def disable_core_dumps() -> None:
    try:
        import resource
    except ImportError:  # Windows has no core dumps to disable
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(settings: Settings, *, mock: bool, debug: bool) -> int:
    import gc

    # No collection while start-up builds the app (tens of ms of passes over objects that live
    # as long as it does); the App freezes them and switches the collector on after the first
    # paint.
    gc.disable()
    try:
        return _run(settings, mock=mock, debug=debug)
    finally:
        gc.enable()  # whatever happened, the process goes on with a collector


def _run(settings: Settings, *, mock: bool, debug: bool) -> int:
    neutralise_textual_env(os.environ, debug_training=debug and mock)
    disable_core_dumps()
    from functools import partial

    from api_client.addresses import check_base_url
    from api_client.errors import InsecureConnection
    from screens.app import VaxtermApp
    from vaxterm.connection import NoServerConfigured, client_for
    from vaxterm.credentials import CredentialStore

    try:
        if not mock:
            if not settings.server.url:
                raise NoServerConfigured
            check_base_url(settings.server.url)
    except NoServerConfigured as problem:
        print(f"vaxterm: {problem}", file=sys.stderr)
        return 2
    except InsecureConnection as problem:
        print(f"vaxterm: {problem.message}", file=sys.stderr)
        return 2
    from vaxterm import supportlog

    trace = supportlog.log_trace  # failed calls always; every call with --debug
    api = partial(client_for, settings.server, mock=mock, trace=trace)  # built on first use
    credentials = CredentialStore.for_server(settings.server.url, mock=mock)
    from vaxterm.scenarios import room_key_from

    # A trainer may start with the room's key; with --mock none is needed.
    app = VaxtermApp(api, settings, training=mock, credentials=credentials,
                     room_key="" if mock else room_key_from(os.environ))
    log = supportlog.start(app.desk.names, command="app --mock" if mock else "app",
                           debug=debug, settings=settings)
    try:
        app.run()
    finally:
        supportlog.stop()
        if debug and log is not None:
            print(f"vaxterm: the redacted debug log is in {log}", file=sys.stderr)
    return app.return_code or 0  # 1 after a crash
