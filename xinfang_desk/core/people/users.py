"""User accounts: passwords (salted scrypt), log-in with lock-out, roles, administration.

Passwords are never stored: only `scrypt$N$r$p$salt$hash`. The cost parameters travel with
each hash, so they can be raised later without breaking old accounts (the test suite lowers
SCRYPT_N for speed). Failed log-ins count per account; the fifth locks it for five minutes.
Every log-in, failure, lock and account change is written to the audit trail.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from xinfang_desk.core import session
from xinfang_desk.core.errors import FieldError, NotFoundError, XinfangError
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Setting, User

# OWASP: scrypt N=2^17, r=8, p=1 (~0.3 s here; log-in runs off the GUI thread).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=5)
ROLES = (session.CLERK, session.LEADER, session.ADMIN)
BAD_LOGIN = "用户名或密码不正确。"


class LoginError(XinfangError):
    """Wrong name or password, locked or disabled account."""


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: str
    active: bool
    locked_until: dt.datetime | None

    @property
    def role_label(self) -> str:
        return session.ROLE_LABELS[self.role]


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, maxmem=256 * 1024 * 1024, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), maxmem=256 * 1024 * 1024, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def check_password(password: str) -> None:
    """At least 8 characters with both letters and digits (等保2.0 complexity)."""
    if len(password) < 8:
        raise FieldError("密码", "至少8位")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[0-9]", password):
        raise FieldError("密码", "须同时包含字母和数字")


def _check_username(username: str) -> str:
    name = username.strip()
    if not name:
        raise FieldError("用户名", "不能为空")
    if len(name) > 50 or any(ch in name for ch in "\r\n\t"):
        raise FieldError("用户名", "过长或含有换行、制表符")
    return name


def accounts_exist() -> bool:
    with storage_errors():
        return User.select().where(User.active == True).exists()  # noqa: E712


def _info(u: User) -> UserInfo:
    return UserInfo(u.username, u.display_name, u.role, u.active, u.locked_until)


def actor_of(u: User | UserInfo) -> session.Actor:
    return session.Actor(u.username, u.role, u.display_name)


def list_users() -> list[UserInfo]:
    with storage_errors():
        return [_info(u) for u in User.select().order_by(User.role, User.username)]


def get_user(username: str) -> UserInfo:
    u = User.get_or_none(User.username == username)
    if u is None:
        raise NotFoundError(f"没有用户“{username}”。")
    return _info(u)


def create_user(username: str, password: str, role: str, display_name: str = "") -> UserInfo:
    """The first account must be an admin and needs no one signed in; later ones need `users`."""
    name = _check_username(username)
    if role not in ROLES:
        raise FieldError("角色", "应为接待员、负责人或管理员")
    check_password(password)
    first = not accounts_exist()
    if first and role != session.ADMIN:
        raise FieldError("角色", "第一个账户必须是管理员")
    if not first:
        session.require("users")
    hashed = hash_password(password)
    with storage_errors(), write_transaction():
        if User.select().where(User.username == name).exists():
            raise FieldError("用户名", f"“{name}”已存在")
        u = User.create(username=name, display_name=display_name.strip(), role=role,
                        password_hash=hashed)
        audit.record("user_created", name, {"role": role, "first_admin": first},
                     actor=name if first else None)
    return _info(u)


def authenticate(username: str, password: str, *, now: dt.datetime | None = None,
                 event: str = "login") -> session.Actor:
    """The account's Actor if the password is right; LoginError (and an audit row) otherwise.
    `event` names the audit row of a success ("unlocked" when the idle lock is lifted)."""
    now = now or _now()
    name = username.strip()
    u = User.get_or_none(User.username == name)
    if u is None:
        verify_password(password, hash_password("x"))  # same time whether or not the name exists
        audit.record("login_failed", name, {"reason": "unknown user"}, success=False, actor=name)
        raise LoginError(BAD_LOGIN)
    if not u.active:
        audit.record("login_failed", name, {"reason": "disabled"}, success=False, actor=name)
        raise LoginError("该账户已停用，请联系管理员。")
    if u.locked_until and u.locked_until > now:
        minutes = max(1, -(-int((u.locked_until - now).total_seconds()) // 60))
        audit.record("login_failed", name, {"reason": "locked"}, success=False, actor=name)
        raise LoginError(f"连续{MAX_FAILURES}次密码错误，账户已锁定，请{minutes}分钟后再试。")
    ok = verify_password(password, u.password_hash)
    with storage_errors(), write_transaction():
        if ok:
            User.update(failed_logins=0, locked_until=None).where(User.id == u.id).execute()
            audit.record(event, name, actor=name)
        else:
            failures = u.failed_logins + 1
            locked = now + LOCKOUT if failures >= MAX_FAILURES else None
            User.update(failed_logins=0 if locked else failures,
                        locked_until=locked).where(User.id == u.id).execute()
            audit.record("login_failed", name, {"reason": "wrong password", "failures": failures},
                         success=False, actor=name)
            if locked:
                audit.record("locked", name, {"until": locked.isoformat(sep=" ")}, actor=name)
    if not ok:
        if locked:
            raise LoginError(f"连续{MAX_FAILURES}次密码错误，账户已锁定{LOCKOUT.seconds // 60}分钟。")
        left = MAX_FAILURES - failures
        raise LoginError(f"{BAD_LOGIN}再错{left}次账户将被锁定{LOCKOUT.seconds // 60}分钟。")
    return actor_of(u)


def sign_in(username: str, password: str, *, now: dt.datetime | None = None) -> session.Actor:
    """authenticate + make the account the process's actor."""
    actor = authenticate(username, password, now=now)
    session.set_current(actor)
    return actor


def change_password(username: str, old: str, new: str) -> None:
    """A user changes their own password (the old one is asked again)."""
    authenticate(username, old)
    check_password(new)
    hashed = hash_password(new)
    with storage_errors(), write_transaction():
        User.update(password_hash=hashed, password_changed_at=_now()).where(
            User.username == username).execute()
        audit.record("password_changed", username, actor=username)


def reset_password(username: str, new: str) -> None:
    """The admin sets a new password (and lifts a lock-out)."""
    session.require("users")
    check_password(new)
    get_user(username)
    hashed = hash_password(new)
    with storage_errors(), write_transaction():
        User.update(password_hash=hashed, password_changed_at=_now(), failed_logins=0,
                    locked_until=None).where(User.username == username).execute()
        audit.record("password_changed", username, {"by_admin": True})


def update_user(username: str, *, role: str | None = None, active: bool | None = None,
                display_name: str | None = None) -> UserInfo:
    """The admin changes a role, disables/enables an account or its display name. The last
    active admin can be neither demoted nor disabled (the office would be locked out)."""
    session.require("users")
    u = User.get_or_none(User.username == username)
    if u is None:
        raise NotFoundError(f"没有用户“{username}”。")
    if role is not None and role not in ROLES:
        raise FieldError("角色", "应为接待员、负责人或管理员")
    changes = {}
    if role is not None and role != u.role:
        changes["role"] = [u.role, role]
    if active is not None and active != u.active:
        changes["active"] = [u.active, active]
    if display_name is not None and display_name.strip() != u.display_name:
        changes["display_name"] = [u.display_name, display_name.strip()]
    if not changes:
        return _info(u)
    losing_admin = u.role == session.ADMIN and u.active and (
        (role is not None and role != session.ADMIN) or active is False)
    with storage_errors(), write_transaction():
        if losing_admin and User.select().where(User.role == session.ADMIN, User.active == True,  # noqa: E712
                                                User.id != u.id).count() == 0:
            raise XinfangError("不能停用或降级最后一个管理员账户。")
        User.update(**{k: v[1] for k, v in changes.items()}).where(User.id == u.id).execute()
        audit.record("user_changed", username, changes)
    return get_user(username)


def sign_out(username: str) -> None:
    """The user signed out (or closed the program): an audit row; the caller resets the actor."""
    audit.record("logout", username, actor=username)


def screen_locked(username: str, idle_minutes: int | None = None) -> None:
    """The GUI hid its data behind the idle lock (or the user locked it): an audit row."""
    audit.record("locked", username, {"screen": "idle" if idle_minutes else "manual",
                                      "idle_minutes": idle_minutes}, actor=username)


# --------------------------------------------------------------------------- demo accounts

# Only for the demo database (`xinfang-desk --demo` on an empty database): one account per role
# so an evaluator can try each. The password is public, so it must never protect real data.
DEMO_PASSWORD = "demo2026a"
DEMO_ACCOUNTS = (
    ("admin", "王建国", session.ADMIN),
    ("leader", "李红梅", session.LEADER),
    ("clerk", "张敏", session.CLERK),
    ("clerk2", "赵磊", session.CLERK),
)
_DEMO_MARK = "demo_accounts"  # a Setting row (not in settings.SPECS): the demo accounts exist


def create_demo_accounts() -> list[UserInfo]:
    """Create the demo accounts (admin first) with DEMO_PASSWORD; only where none exist yet."""
    import json


    if accounts_exist() or User.select().exists():
        raise XinfangError("已有用户账户，不能再创建演示账户。")
    (admin_name, admin_display, admin_role), *others = DEMO_ACCOUNTS
    created = [create_user(admin_name, DEMO_PASSWORD, admin_role, admin_display)]
    with session.acting_as(actor_of(created[0])):  # the audit rows name the demo admin
        for username, display_name, role in others:
            created.append(create_user(username, DEMO_PASSWORD, role, display_name))
    with storage_errors(), write_transaction():
        Setting.insert(key=_DEMO_MARK, value=json.dumps([u for u, _n, _r in DEMO_ACCOUNTS])
                       ).on_conflict_replace().execute()
    return created


def demo_hint() -> str:
    """The sign-in dialog's hint naming the demo accounts and password, or "" when this is not
    the demo database (the mark is absent or none of the demo accounts is still active)."""
    with storage_errors():
        if Setting.get_or_none(Setting.key == _DEMO_MARK) is None:
            return ""
        names = {u.username for u in User.select().where(User.active == True)}  # noqa: E712
    present = [(u, n, r) for u, n, r in DEMO_ACCOUNTS if u in names]
    if not present:
        return ""
    accounts = "\n".join(f"{u}　{session.ROLE_LABELS[r]}" for u, _n, r in present)
    return f"演示账户（仅用于演示数据，密码均为 {DEMO_PASSWORD}）：\n{accounts}"
