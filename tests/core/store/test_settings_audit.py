"""The taxonomy, units and the holiday calendar are settings: the admin's, and recorded."""

import datetime as dt

import pytest

from xinfang_desk.core import session
from xinfang_desk.core.cases import taxonomy
from xinfang_desk.core.deadlines.calendar import set_day
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.models import AuditLog, Field, Unit

ADMIN = session.Actor("王建国", session.ADMIN)
CLERK = session.Actor("张敏", session.CLERK)


def test_admin_changes_are_recorded(store):
    with session.acting_as(ADMIN):
        taxonomy.add_unit("区水务局")
        row = taxonomy.add_field("水务", default_unit="区水务局")
        taxonomy.rename_field(row.id, "水利水务")
        taxonomy.set_field_active(row.id, False)
        set_day(dt.date(2026, 12, 31), "holiday", "单位调整")
    rows = list(AuditLog.select().where(AuditLog.action == "settings_changed").order_by(AuditLog.id))
    assert [r.actor for r in rows] == ["王建国"] * 5
    assert "区水务局" in rows[0].details and '"水务","水利水务"' in rows[2].details
    assert rows[-1].object == "calendar" and "2026-12-31" in rows[-1].details
    assert audit.verify().ok


def test_clerk_cannot_change_the_taxonomy_or_calendar(store):
    with session.acting_as(CLERK):
        with pytest.raises(session.PermissionDenied):
            taxonomy.add_unit("区水务局")
        with pytest.raises(session.PermissionDenied):
            taxonomy.add_field("水务")
        with pytest.raises(session.PermissionDenied):
            set_day(dt.date(2026, 12, 31), "holiday")
    assert not Unit.select().where(Unit.name == "区水务局").exists()
    assert not Field.select().where(Field.name == "水务").exists()
