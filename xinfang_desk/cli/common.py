"""What every subcommand shares: opening the data directory as the acting user, and the
argument types for dates and months."""

from __future__ import annotations

import argparse
import datetime as dt


def parse_date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为YYYY-MM-DD：{raw}") from None


def parse_month(raw: str) -> tuple[dt.date, dt.date]:
    from xinfang_desk.core.report.figures import month_range

    try:
        return month_range(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份应为YYYY-MM：{raw}") from None


def open_data(args, *, daily_check: bool = True):
    """Open (check, migrate) the database the arguments name and sign the CLI user in: the
    server of --db-url / XINFANG_DB_URL, else the server this PC's desk was connected to
    (server.json in the data directory), else the data directory's own SQLite file.
    `daily_check` False: a command that only reads (or checks for itself) does not wait for
    the day's whole-file check; the check after an unclean stop still runs."""
    from xinfang_desk.cli.identity import sign_in_for_cli
    from xinfang_desk.core.paths import DataDir, resolve_data_dir
    from xinfang_desk.core.store.storage import open_data_dir

    root = resolve_data_dir(args.data_dir)
    choice = server_choice(args, DataDir(root))
    if choice is not None:
        data_dir = open_server_asking(root, choice)
    else:
        data_dir = open_data_dir(root, scheduled=daily_check)
    sign_in_for_cli(args)
    return data_dir


def server_choice(args, data_dir):
    """The server named on the command line or remembered for this PC, or None."""
    import os

    if not (getattr(args, "db_url", None) or os.environ.get("XINFANG_DB_URL")
            or data_dir.server_choice.exists()):
        return None  # the local file: the server module is not even imported
    from xinfang_desk.core.store import server

    url = server.url_from_environment(getattr(args, "db_url", None))
    choice = server.ServerChoice.from_url(url) if url else server.load_choice(data_dir)
    return server.with_known_password(choice) if choice is not None else None


def open_server_asking(root, choice):
    """open_server; when the server wants a password nobody gave, ask once at a terminal."""
    import getpass
    import sys

    from xinfang_desk.core.errors import StorageError
    from xinfang_desk.core.store import server
    from xinfang_desk.core.store.db import BAD_LOGIN

    try:
        return server.open_server(root, choice)
    except StorageError as exc:
        asked = not choice.password and sys.stdin is not None and sys.stdin.isatty()
        if not (asked and str(exc).startswith(BAD_LOGIN)):
            raise
    password = getpass.getpass(f"数据库 {choice.label} 的密码：")
    return server.open_server(root, choice.with_password(password))
