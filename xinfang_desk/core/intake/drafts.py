"""The intake form's draft: survives a crash or a power cut, so no visitor is asked twice.

A small JSON file in the data directory, replaced atomically (temp file, fsync, rename)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path

from xinfang_desk.core import atomic, session
from xinfang_desk.core.paths import DataDir

log = logging.getLogger(__name__)

DRAFT_NAME = "intake.json"


def draft_path(data_dir: DataDir) -> Path:
    """One draft per signed-in user: a clerk who signs in after another never gets the other's
    unsaved visitor. The name is a hash, so any username is a safe file name."""
    actor = session.current()
    if actor is session.SYSTEM or actor.role == session.SYSTEM_ROLE:
        return data_dir.root / "drafts" / DRAFT_NAME
    tag = hashlib.sha256(actor.username.encode("utf-8")).hexdigest()[:16]
    return data_dir.root / "drafts" / f"intake-{tag}.json"


def save_draft(data_dir: DataDir, draft: dict) -> None:
    path = draft_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, json.dumps(draft, ensure_ascii=False, indent=1))


def load_draft(data_dir: DataDir) -> dict | None:
    """The saved draft, or None. A damaged file is moved aside (intake.json.bad), not lost."""
    path = draft_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        draft = json.loads(text)
        if not isinstance(draft, dict):
            raise ValueError("draft is not an object")
    except ValueError:
        log.warning("damaged intake draft moved aside: %s", path)
        with contextlib.suppress(OSError):
            os.replace(path, path.with_name(path.name + ".bad"))
        return None
    return draft


def clear_draft(data_dir: DataDir) -> None:
    with contextlib.suppress(FileNotFoundError):
        draft_path(data_dir).unlink()
