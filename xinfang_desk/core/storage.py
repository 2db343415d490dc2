"""Opening a data directory: folders, database connection, migrations, calendar top-up."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import peewee

from xinfang_desk.core import migrations
from xinfang_desk.core.calendar_store import top_up_calendar
from xinfang_desk.core.db import database, make_sqlite, storage_errors
from xinfang_desk.core.paths import DataDir

log = logging.getLogger(__name__)


def open_data_dir(root: Path, *, today: dt.date | None = None) -> DataDir:
    """Create the folder if needed, open (and migrate) the database, bind the models to it."""
    data_dir = DataDir(Path(root))
    with storage_errors():
        data_dir.ensure()
        db = make_sqlite(data_dir.database)
        database.initialize(db)
        db.connect(reuse_if_open=True)
        migrations.migrate(data_dir.database, data_dir.backups)
        top_up_calendar(today or dt.date.today())
    return data_dir


def open_url(url: str) -> peewee.Database:
    """A shared server database (e.g. postgresql://…) for a multi-seat office."""
    from playhouse.db_url import connect

    db = connect(url)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    migrations.migrate(None, None)
    return db


def close() -> None:
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()
