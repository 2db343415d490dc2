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


def open_data(args):
    """Open (check, migrate) the data directory the arguments name and sign the CLI user in."""
    from xinfang_desk.cli.identity import sign_in_for_cli
    from xinfang_desk.core.paths import resolve_data_dir
    from xinfang_desk.core.store.storage import open_data_dir

    data_dir = open_data_dir(resolve_data_dir(args.data_dir))
    sign_in_for_cli(args)
    return data_dir
