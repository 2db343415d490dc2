"""Environment trouble gets a plain Chinese message and loses nothing already saved."""

import datetime as dt
import sqlite3

import pytest

from tests.core.helpers import intake
from xinfang_desk.core.cases.records import count_cases, register_case
from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.store.db import database

TODAY = dt.date(2026, 11, 28)


def test_a_locked_database_is_reported_and_the_save_can_be_retried(store):
    register_case(intake(), today=TODAY)
    database.execute_sql("PRAGMA busy_timeout=200")  # do not wait the full 10 s in a test
    other = sqlite3.connect(store.database)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(StorageError, match="占用"):
            register_case(intake(summary="第二件"), today=TODAY)
    finally:
        other.rollback()
        other.close()
    assert count_cases() == 1  # nothing half-written
    assert register_case(intake(summary="第二件"), today=TODAY).case_no == "XF2026-000002"
