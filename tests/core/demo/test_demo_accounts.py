"""Demo accounts: one per role with the documented demo password, only on an account-less
database, and the sign-in hint that names them."""

import pytest

from xinfang_desk.core import session
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.people import users
from xinfang_desk.core.store.models import AuditLog


def test_demo_accounts_one_per_role(store):
    assert users.demo_hint() == ""
    created = users.create_demo_accounts()
    assert [(u.username, u.role) for u in created] == [
        ("admin", session.ADMIN), ("leader", session.LEADER), ("clerk", session.CLERK),
        ("clerk2", session.CLERK)]
    for info in created:
        assert users.authenticate(info.username, users.DEMO_PASSWORD).role == info.role
    assert session.current() is session.SYSTEM  # creating them signs no one in
    creators = {row.object: row.actor for row in
                AuditLog.select().where(AuditLog.action == "user_created")}
    assert creators == {"admin": "admin", "leader": "admin", "clerk": "admin", "clerk2": "admin"}


def test_demo_hint_names_the_accounts_and_the_password(store):
    users.create_demo_accounts()
    hint = users.demo_hint()
    assert users.DEMO_PASSWORD in hint and "仅用于演示数据" in hint
    for name in ("admin", "leader", "clerk", "clerk2"):
        assert name in hint
    with session.acting_as(users.actor_of(users.get_user("admin"))):
        for name in ("leader", "clerk", "clerk2"):
            users.update_user(name, active=False)
    assert "leader" not in users.demo_hint() and "admin" in users.demo_hint()


def test_no_demo_accounts_beside_real_ones(store):
    users.create_user("管理员", "admin2026", session.ADMIN)
    with pytest.raises(XinfangError, match="已有用户账户"):
        users.create_demo_accounts()
    assert users.demo_hint() == ""
