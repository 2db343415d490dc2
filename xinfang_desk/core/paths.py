"""Where the data directory is, and what lives inside it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from xinfang_desk import APP_NAME

ENV_VAR = "XINFANG_DATA_DIR"
DB_FILENAME = "xinfang.sqlite3"


def default_data_dir() -> Path:
    """The platform's per-user data directory (e.g. %LOCALAPPDATA%\\xinfang-desk on Windows)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """--data-dir beats XINFANG_DATA_DIR, which beats the platform default."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


@dataclass(frozen=True)
class DataDir:
    """The one folder that holds all state: database, backups, logs, exports."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def mappings(self) -> Path:
        """The ledger column mappings the office saved by name (NAME.json)."""
        return self.root / "mappings"

    @property
    def server_choice(self) -> Path:
        """The shared server this PC's desk uses (host, port, database, user; never the
        password), when the office runs on one; absent for the local database."""
        return self.root / "server.json"

    def ensure(self) -> DataDir:
        for folder in (self.root, self.backups, self.logs, self.exports):
            folder.mkdir(parents=True, exist_ok=True)
        return self
