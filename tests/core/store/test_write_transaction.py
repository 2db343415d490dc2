"""db.write_transaction: a clean-up ROLLBACK that finds SQLite already rolled back never hides
the error that made it necessary (tests/core/test_faults.py has the full-disk cases)."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.store import db, storage
from xinfang_desk.core.store.db import database, storage_errors, write_transaction
from xinfang_desk.core.store.models import Unit

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def store(tmp_path):
    storage.open_data_dir(tmp_path / "data", today=TODAY)
    yield
    storage.close()


def _sqlite_rolls_back_and_fails(message: str = "database or disk is full"):
    database.obj.connection().execute("ROLLBACK")
    raise peewee.OperationalError(message)


def test_an_error_in_the_body_after_sqlites_own_rollback_is_what_comes_out(store):
    units = Unit.select().count()
    with pytest.raises(peewee.OperationalError, match="disk is full"), write_transaction():
        Unit.create(name="某某镇人民政府甲")
        _sqlite_rolls_back_and_fails()
    assert Unit.select().count() == units
    with storage_errors(), write_transaction():  # the connection is usable again
        Unit.create(name="某某镇人民政府乙")
    assert Unit.select().count() == units + 1


def test_nested_transactions_keep_the_first_error_too(store):
    units = Unit.select().count()
    with pytest.raises(StorageError) as info, storage_errors(), write_transaction():
        Unit.create(name="某某镇人民政府甲")
        with write_transaction():  # a savepoint, gone with SQLite's rollback
            Unit.create(name="某某镇人民政府乙")
            _sqlite_rolls_back_and_fails()
    assert "磁盘空间已满" in str(info.value)
    assert Unit.select().count() == units


def test_nested_transactions_still_commit_and_roll_back_a_savepoint(store):
    units = Unit.select().count()
    with write_transaction():
        Unit.create(name="某某镇人民政府甲")
        with pytest.raises(ValueError), write_transaction():
            Unit.create(name="某某镇人民政府乙")
            raise ValueError
    assert [u.name for u in Unit.select().where(Unit.name.startswith("某某镇人民政府"))] \
        == ["某某镇人民政府甲"]
    assert Unit.select().count() == units + 1


def test_a_rollback_error_of_its_own_is_not_swallowed(store):
    with pytest.raises(peewee.OperationalError, match="no transaction is active"), \
            write_transaction():
        database.obj.connection().execute("ROLLBACK")  # nothing failed: the ROLLBACK is a bug
    assert database.obj.transaction_depth() == 0


def test_the_message_is_found_behind_a_clean_up_error():
    try:
        try:
            raise peewee.OperationalError("database or disk is full")
        except peewee.OperationalError:
            raise peewee.OperationalError("cannot rollback - no transaction is active") from None
    except peewee.OperationalError as exc:
        assert db.chained_storage_message(exc) is not None
        assert db.storage_message(exc) is None


def test_a_value_the_driver_cannot_take_is_a_chinese_error_and_nothing_is_kept(store):
    """The input checks refuse these naming the field; storage_errors is the last line for a
    path without such a check."""
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.store.models import Field

    units, fields = Unit.select().count(), Field.select().count()
    with pytest.raises(XinfangError) as info, storage_errors(), write_transaction():
        Unit.create(name="某某镇人民政府")
        Unit.create(name="某某\ud800镇")
    assert str(info.value) == db.UNSAVABLE_TEXT
    with pytest.raises(XinfangError) as info, storage_errors(), write_transaction():
        Field.create(name="新领域", sort_order=10**30)
    assert str(info.value) == db.NUMBER_TOO_LARGE
    assert (Unit.select().count(), Field.select().count()) == (units, fields)
    with pytest.raises(OverflowError), storage_errors():  # not the driver's: not translated
        raise OverflowError("math range error")
