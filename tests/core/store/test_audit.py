"""The audit trail: append-only, hash-chained, tampering named by verify."""

import sqlite3

import peewee
import pytest

from xinfang_desk.core import session
from xinfang_desk.core.store import audit, storage
from xinfang_desk.core.store.db import database, write_transaction
from xinfang_desk.core.store.models import AuditLog


def _three():
    with session.acting_as(session.Actor("张敏", session.CLERK)):
        audit.record("login", "张敏")
        audit.record("case_created", "XF2026-000001", {"summary": "拖欠工资"})
        audit.record("printed", "XF2026-000001", {"doc": "receipt"})


def _raw(store):
    """A connection behind the program's back, as someone with the file would use."""
    storage.close()
    con = sqlite3.connect(store.database)
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return con


def test_rows_chain_and_verify(store):
    _three()
    rows = list(AuditLog.select().order_by(AuditLog.id))
    assert [r.actor for r in rows] == ["张敏"] * 3
    assert rows[0].prev_hash == audit.GENESIS and rows[1].prev_hash == rows[0].hash
    result = audit.verify()
    assert result.ok and result.rows == 3 and result.head == (3, rows[2].hash)
    assert "共 3 条" in result.message


def test_program_cannot_update_or_delete(store):
    _three()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        AuditLog.update(actor="李四").where(AuditLog.id == 2).execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        AuditLog.delete().where(AuditLog.id == 3).execute()
    assert audit.verify().ok


def test_edit_behind_the_back_is_named(store):
    _three()
    con = _raw(store)
    con.execute("UPDATE audit_log SET details='{\"doc\":\"reply\"}' WHERE id=3")
    con.commit()
    con.close()
    storage.open_data_dir(store.root)
    result = audit.verify()
    assert not result.ok and result.first_bad == 3
    assert "第 3 条" in result.message


def test_deleted_middle_row_and_cut_tail(store):
    _three()
    known = audit.head()
    con = _raw(store)
    con.execute("DELETE FROM audit_log WHERE id=3")
    con.commit()
    con.close()
    storage.open_data_dir(store.root)
    assert audit.verify().ok  # a shorter chain is consistent in itself…
    cut = audit.verify(known_head=known)  # …but not with the head kept outside
    assert not cut.ok and "末尾记录被删除" in cut.message
    con = _raw(store)
    con.execute("DELETE FROM audit_log WHERE id=1")
    con.commit()
    con.close()
    storage.open_data_dir(store.root)
    gap = audit.verify()
    assert not gap.ok and gap.first_bad == 1


def test_row_rolls_back_with_the_change(store):
    with pytest.raises(RuntimeError), write_transaction():
        audit.record("case_changed", "XF2026-000009")
        raise RuntimeError("save failed")
    assert AuditLog.select().count() == 0
    audit.record("login", "张敏")
    assert AuditLog.get().id == 1 and audit.verify().ok


def test_id_numbers_never_stored_in_clear(store):
    audit.record("reveal_id", "XF2026-000001", {"note": "11010519491231002X 与 110105491231002"})
    details = AuditLog.get().details
    assert "11010519491231002X" not in details and "110105491231002" not in details
    assert "110105********002X" in details and "110105********1002" in details


def test_default_actor_is_system(store):
    audit.record("check")
    assert AuditLog.get().actor == session.SYSTEM.username
    assert database.obj is not None
