"""Accounts: first admin, password rules, salted hashes, log-in lock-out, roles, audit rows."""

import datetime as dt

import pytest

from xinfang_desk.core import session
from xinfang_desk.core.errors import FieldError, XinfangError
from xinfang_desk.core.people import users
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.models import AuditLog, User

T0 = dt.datetime(2026, 11, 29, 9, 0, 0)


def _admin():
    users.create_user("管理员", "admin2026", session.ADMIN, "王管理")
    users.sign_in("管理员", "admin2026")


def test_first_account_must_be_admin(store):
    assert not users.accounts_exist()
    with pytest.raises(FieldError, match="第一个账户必须是管理员"):
        users.create_user("张敏", "abc12345", session.CLERK)
    _admin()
    assert users.accounts_exist()
    row = User.get(User.username == "管理员")
    assert "admin2026" not in row.password_hash and row.password_hash.startswith("scrypt$")
    assert AuditLog.get(AuditLog.action == "user_created").actor == "管理员"


@pytest.mark.parametrize("pw, reason", [("abc1234", "至少8位"), ("abcdefgh", "字母和数字"),
                                        ("12345678", "字母和数字")])
def test_weak_passwords_refused(store, pw, reason):
    with pytest.raises(FieldError, match=reason):
        users.create_user("管理员", pw, session.ADMIN)
    assert not users.accounts_exist()


def test_same_password_different_hashes(store):
    assert users.hash_password("abc12345") != users.hash_password("abc12345")
    assert users.verify_password("abc12345", users.hash_password("abc12345"))
    assert not users.verify_password("abc12346", users.hash_password("abc12345"))


def test_only_admin_creates_users(store):
    _admin()
    users.create_user("张敏", "abc12345", session.CLERK)
    users.sign_in("张敏", "abc12345")
    with pytest.raises(session.PermissionDenied, match="无权管理用户"):
        users.create_user("李四", "abc12345", session.CLERK)
    assert [u.username for u in users.list_users()] == ["管理员", "张敏"]


def test_lockout_after_five_failures(store):
    _admin()
    users.create_user("张敏", "abc12345", session.CLERK)
    for i in range(4):
        with pytest.raises(users.LoginError, match=f"再错{4 - i}次"):
            users.authenticate("张敏", "wrong999", now=T0)
    with pytest.raises(users.LoginError, match="已锁定5分钟"):
        users.authenticate("张敏", "wrong999", now=T0)
    with pytest.raises(users.LoginError, match="已锁定，请5分钟后再试"):
        users.authenticate("张敏", "abc12345", now=T0 + dt.timedelta(seconds=10))
    actor = users.authenticate("张敏", "abc12345", now=T0 + dt.timedelta(minutes=5, seconds=1))
    assert actor.role == session.CLERK
    actions = [r.action for r in AuditLog.select().where(AuditLog.object == "张敏")]
    assert actions.count("login_failed") == 6 and "locked" in actions and actions[-1] == "login"
    assert audit.verify().ok


def test_unknown_user_same_message(store):
    _admin()
    with pytest.raises(users.LoginError) as exc:
        users.authenticate("没有这个人", "abc12345")
    assert str(exc.value) == users.BAD_LOGIN


def test_disabled_account_and_last_admin(store):
    _admin()
    users.create_user("张敏", "abc12345", session.CLERK)
    users.update_user("张敏", active=False)
    with pytest.raises(users.LoginError, match="已停用"):
        users.authenticate("张敏", "abc12345")
    with pytest.raises(XinfangError, match="最后一个管理员"):
        users.update_user("管理员", role=session.LEADER)
    assert users.get_user("管理员").role == session.ADMIN


def test_change_password_needs_old_one(store):
    _admin()
    with pytest.raises(users.LoginError):
        users.change_password("管理员", "wrong123", "newpass99")
    users.change_password("管理员", "admin2026", "newpass99")
    assert users.authenticate("管理员", "newpass99").username == "管理员"
