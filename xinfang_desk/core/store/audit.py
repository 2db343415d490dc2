"""The audit trail: who did what, when, to which object — append-only and hash-chained.

Each row's hash is SHA-256 over the previous row's hash and the row's own content, written in
the same transaction as the change it records (call `record` inside the caller's write
transaction). Triggers refuse UPDATE and DELETE (migration v3), and `verify` recomputes the
chain, so editing the database file behind the program's back is found: the first row whose
content, order or link does not match is named. Deleting the newest rows leaves a valid but
shorter chain; that is caught by comparing with a head (last id + hash) kept outside the
database, e.g. in backup manifests (`verify(known_head=...)`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from xinfang_desk.core import session
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import AuditLog

GENESIS = "0" * 64
# An ID number must never reach the audit trail in clear (it outlives purges): any run of
# 15–18 ID characters is masked as a safety net, whatever the caller passed.
_ID_LIKE = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{5,8}([0-9]{3}[0-9Xx])(?![0-9Xx])")

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出", "locked": "锁定",
    "unlocked": "解锁", "user_created": "新建用户", "user_changed": "修改用户",
    "password_changed": "修改密码", "case_created": "登记事项", "case_changed": "修改事项",
    "event": "办理记录", "status_changed": "状态变化", "printed": "打印文书", "exported": "导出",
    "imported": "导入", "report": "统计报表", "reveal_id": "查看完整证件号码",
    "backup": "备份", "restore": "恢复", "purge": "清理过期数据", "settings_changed": "修改设置",
    "access_granted": "授权查看保密事项", "check": "检查数据库", "approval": "审批",
    "answer_drafted": "起草答复口径", "answer_approved": "审定答复口径",
    "answer_retired": "停用答复口径", "answer_used": "使用答复口径",
    "answers_imported": "导入答复口径库", "answers_exported": "导出答复口径库",
    "policy_saved": "修改政策依据",
    "attachment_added": "添加附件", "attachment_viewed": "查看附件",
    "attachment_exported": "导出附件", "attachment_removed": "移除附件",
}


def _mask(value):
    if isinstance(value, str):
        return _ID_LIKE.sub(lambda m: m.group(1) + "********" + m.group(2), value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask(v) for v in value]
    return value


def canonical(details) -> str:
    """The exact text stored and hashed for `details`."""
    if details in (None, "", {}):
        return ""
    return json.dumps(_mask(details), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def row_hash(prev_hash: str, id_: int, at: str, actor: str, action: str, obj: str,
             success: bool, details: str) -> str:
    payload = json.dumps([prev_hash, id_, at, actor, action, obj, bool(success), details],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(action: str, obj: str = "", details=None, *, success: bool = True,
           actor: str | None = None, at: dt.datetime | None = None) -> AuditLog:
    """Append one row. Inside a write transaction the row commits (or not) with the change."""
    who = actor if actor is not None else session.current().username
    when = (at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    text = canonical(details)
    with write_transaction():
        last = (AuditLog.select(AuditLog.id, AuditLog.hash)
                .order_by(AuditLog.id.desc()).limit(1).tuples().first())
        id_, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        digest = row_hash(prev, id_, when, who, action, obj, success, text)
        AuditLog.insert(id=id_, at=when, actor=who, action=action, object=obj, success=success,
                        details=text, prev_hash=prev, hash=digest).execute()
    return AuditLog(id=id_, at=when, actor=who, action=action, object=obj, success=success,
                    details=text, prev_hash=prev, hash=digest)


@contextmanager
def recorded(action: str, obj: str = "", details: dict | None = None) -> Iterator[dict | None]:
    """Record an act that writes outside the database (an export file) once it has ended:
    `success=False` if the body raised (the error goes on), else a success row. The body may
    still fill `details` (counts known only at the end)."""
    try:
        yield details
    except BaseException:
        with storage_errors():
            record(action, obj, details, success=False)
        raise
    with storage_errors():
        record(action, obj, details)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    head: tuple[int, str] | None  # (last id, its hash)
    first_bad: int | None = None  # id of the first row that does not match
    reason: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            last = f"，最后一条编号 {self.head[0]}" if self.head else ""
            return f"审计日志完整：共 {self.rows} 条{last}，哈希链校验通过。"
        where = f"第 {self.first_bad} 条" if self.first_bad is not None else "末尾"
        return f"审计日志被改动：{where}记录校验失败（{self.reason}）。"


def head() -> tuple[int, str] | None:
    last = (AuditLog.select(AuditLog.id, AuditLog.hash)
            .order_by(AuditLog.id.desc()).limit(1).tuples().first())
    return (last[0], last[1]) if last else None


def verify(known_head: tuple[int, str] | None = None, *, batch: int = 5000) -> VerifyResult:
    """Recompute the chain from the first row. `known_head` (from outside the database) must
    still be in the chain with the same hash, else rows were cut off or rewritten."""
    prev, expected_id, rows, last = GENESIS, 1, 0, None
    seen_known = known_head is None
    after = 0
    while True:
        chunk = list(AuditLog.select(AuditLog.id, AuditLog.at, AuditLog.actor, AuditLog.action,
                                     AuditLog.object, AuditLog.success, AuditLog.details,
                                     AuditLog.prev_hash, AuditLog.hash)
                     .where(AuditLog.id > after).order_by(AuditLog.id).limit(batch).tuples())
        if not chunk:
            break
        for id_, at, actor, action, obj, success, details, prev_hash, digest in chunk:
            if id_ != expected_id:
                return VerifyResult(False, rows, last, expected_id, "记录缺失或编号不连续")
            if prev_hash != prev:
                return VerifyResult(False, rows, last, id_, "与上一条的链接不符")
            if row_hash(prev, id_, at, actor, action, obj, success, details) != digest:
                return VerifyResult(False, rows, last, id_, "内容与哈希不符")
            if known_head is not None and id_ == known_head[0]:
                if digest != known_head[1]:
                    return VerifyResult(False, rows, last, id_, "与备份时记下的哈希不符")
                seen_known = True
            prev, expected_id, rows, last = digest, id_ + 1, rows + 1, (id_, digest)
        after = chunk[-1][0]
    if not seen_known:
        return VerifyResult(False, rows, last, None,
                            f"备份时已有 {known_head[0]} 条，现只剩 {rows} 条，末尾记录被删除")
    return VerifyResult(True, rows, last)


def entries(*, obj: str | None = None, limit: int = 500) -> list[AuditLog]:
    """Newest first; for one object (a case number, a username) when given."""
    q = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
    if obj is not None:
        q = q.where(AuditLog.object == obj)
    return list(q)
