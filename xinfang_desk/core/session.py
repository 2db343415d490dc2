"""Who is acting: the signed-in user of this process, and what each role may do.

A desktop program serves one person at a time, so the actor is process-wide (the GUI's worker
thread acts for the same person as the GUI thread). Before any user account exists — a fresh
database, the test suite, the demo generator — the actor is SYSTEM, which may do everything;
the entry points (the GUI's log-in, the CLI's --user) make sure a real user acts once accounts
exist (see core.people.users.accounts_exist).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from xinfang_desk.core.errors import XinfangError

CLERK, LEADER, ADMIN, SYSTEM_ROLE = "clerk", "leader", "admin", "system"
ROLE_LABELS = {CLERK: "接待员", LEADER: "负责人", ADMIN: "管理员", SYSTEM_ROLE: "系统"}

# What each role may do. Separation of duties (等保2.0): the admin keeps the system, not cases.
PERMISSIONS: dict[str, frozenset[str]] = {
    CLERK: frozenset({"register", "follow_up", "print", "export", "report"}),
    LEADER: frozenset({"register", "follow_up", "print", "export", "report", "approve",
                       "see_confidential"}),
    ADMIN: frozenset({"settings", "users", "backup", "restore", "purge", "check", "audit",
                      "report"}),
}
PERMISSION_LABELS = {
    "register": "登记信访事项", "follow_up": "跟踪督办", "print": "打印文书", "export": "导出数据",
    "report": "统计报表", "approve": "审批延期和答复", "see_confidential": "查看保密事项",
    "settings": "修改设置", "users": "管理用户", "backup": "备份", "restore": "恢复数据",
    "purge": "清理过期数据", "check": "检查数据库", "audit": "查看审计日志",
}


class PermissionDenied(XinfangError):
    """The acting user's role does not allow this."""


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    display_name: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name or self.username}（{ROLE_LABELS.get(self.role, self.role)}）"

    def can(self, permission: str) -> bool:
        if self.role == SYSTEM_ROLE:
            return True
        return permission in PERMISSIONS.get(self.role, frozenset())


SYSTEM = Actor("系统", SYSTEM_ROLE, "系统")
_current: Actor = SYSTEM


def current() -> Actor:
    return _current


def set_current(actor: Actor | None) -> None:
    """Sign `actor` in for this process (None: back to SYSTEM, e.g. on sign-out in tests)."""
    global _current
    _current = actor or SYSTEM


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    previous = current()
    set_current(actor)
    try:
        yield actor
    finally:
        set_current(previous)


def require(permission: str) -> Actor:
    """The current actor, or PermissionDenied naming what is missing."""
    actor = current()
    if not actor.can(permission):
        raise PermissionDenied(
            f"{actor.label}无权{PERMISSION_LABELS.get(permission, permission)}，请由有权限的用户操作。")
    return actor
