"""Where vaxterm keeps its (non-personal) files. Computed on each call, never at import, and
no directory is created until something needs to be written there."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "vaxterm"


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    override = env.get("VAXTERM_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    return config_dir(environ) / "config.toml"


def log_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The support log's folder: `VAXTERM_LOG_DIR`, or the user log folder."""
    env = os.environ if environ is None else environ
    override = env.get("VAXTERM_LOG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_log_path(APP_NAME, appauthor=False)
