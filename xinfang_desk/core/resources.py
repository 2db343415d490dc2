"""Locating files under resources/ in a source checkout and in a PyInstaller build."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def load_json(*parts: str):
    with resource_path(*parts).open(encoding="utf-8") as fh:
        return json.load(fh)
