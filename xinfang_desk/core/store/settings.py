"""Office settings: typed, with defaults, read and written in one place."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from xinfang_desk.core import session
from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import write_transaction
from xinfang_desk.core.store.models import Setting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: Any
    choices: tuple | None = None
    minimum: int | None = None
    maximum: int | None = None


SPECS = {
    s.key: s
    for s in (
        SettingSpec("office_name", "单位名称", "某某县信访接待室"),
        SettingSpec("office_address", "单位地址", ""),
        SettingSpec("office_phone", "咨询电话", ""),
        SettingSpec("reception_hours", "接待时间", "工作日 上午9:00-12:00 下午14:00-17:30"),
        # organ: 第二十三条 (written notice within 15 days); bureau: 第二十二条 (forward within 15 days)
        SettingSpec("office_mode", "机构类型", "organ", choices=("organ", "bureau")),
        SettingSpec("case_prefix", "案件编号前缀", "XF"),
        SettingSpec("deadline_rule", "期限计算方式", "calendar", choices=("calendar", "working")),
        SettingSpec("group_threshold", "集体访人数起点", 5, minimum=2, maximum=1000),
        SettingSpec("feedback_days", "转送/交办默认反馈期限（日）", 60, minimum=1, maximum=365),
        SettingSpec("due_soon_days", "临期提醒天数", 3, minimum=0, maximum=60),
        # A second folder for the automatic backups, e.g. a USB stick (core.store.backup); empty: none.
        SettingSpec("backup_mirror_dir", "备份副本文件夹（如U盘）", ""),
        SettingSpec("backup_keep_days", "自动备份按日保留（天）", 14, minimum=1, maximum=366),
        SettingSpec("backup_keep_months", "自动备份按月保留（月）", 12, minimum=0, maximum=120),
        # Path of the office PC's own TrueType font for documents (e.g. C:\\Windows\\Fonts\\simsun.ttc);
        # empty: the bundled fonts.
        SettingSpec("document_font", "文书字体文件", ""),
        # 个人信息保护法 第十九条、第四十七条: closed cases older than this are purged or
        # anonymised (core.cases.retention).
        SettingSpec("retention_years", "办结事项保存年限（年）", 5, minimum=1, maximum=100),
        # 等保2.0 (session timeout): after this many minutes without keyboard or mouse input the
        # GUI hides all data and asks for the signed-in user's password. There is no "never".
        SettingSpec("idle_lock_minutes", "无操作自动锁定（分钟）", 10, minimum=1, maximum=120),
        # The largest file a case may hold (core.papers): scans of a long letter stay well below.
        SettingSpec("attachment_max_mb", "附件大小上限（MB）", 50, minimum=1, maximum=500),
    )
}


def get(key: str) -> Any:
    return get_many(key)[key]


def get_many(*keys: str) -> dict[str, Any]:
    """Several settings from one query (a save reads four)."""
    specs = {key: SPECS[key] for key in keys}
    stored = dict(Setting.select(Setting.key, Setting.value)
                  .where(Setting.key.in_(list(specs))).tuples())
    return _decoded(specs, stored)


def all_settings() -> dict[str, Any]:
    return _decoded(SPECS, dict(Setting.select(Setting.key, Setting.value).tuples()))


def _decoded(specs: dict[str, SettingSpec], stored: dict[str, str]) -> dict[str, Any]:
    """Stored JSON values; the default for a missing or unreadable one."""
    out = {}
    for key, spec in specs.items():
        try:
            out[key] = json.loads(stored[key]) if key in stored else spec.default
        except ValueError:
            out[key] = spec.default
    return out


def validate(key: str, value: Any) -> Any:
    if key not in SPECS:
        raise FieldError(key, "没有这个设置项")
    spec = SPECS[key]
    if isinstance(spec.default, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise FieldError(spec.label, "应为整数") from None
        if spec.minimum is not None and value < spec.minimum:
            raise FieldError(spec.label, f"不得小于{spec.minimum}")
        if spec.maximum is not None and value > spec.maximum:
            raise FieldError(spec.label, f"不得大于{spec.maximum}")
    else:
        value = str(value).strip()
        if spec.choices and value not in spec.choices:
            raise FieldError(spec.label, f"应为{'/'.join(spec.choices)}之一")
        if key == "document_font" and value:
            from pathlib import Path

            if not Path(value).is_file():
                raise FieldError(spec.label, f"找不到字体文件{value}")
            if Path(value).suffix.lower() not in (".ttf", ".ttc"):
                raise FieldError(spec.label, "须为TrueType字体（.ttf或.ttc；.otf无法嵌入PDF）")
        if key == "case_prefix" and not (1 <= len(value) <= 8 and value.isascii() and value.isalnum()):
            raise FieldError(spec.label, "应为1–8位字母或数字")
    return value


def _store(key: str, value: Any) -> None:
    """Write one validated value and its audit row (inside the caller's transaction)."""
    old = get(key)
    text = json.dumps(value, ensure_ascii=False)
    Setting.insert(key=key, value=text).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: text}).execute()
    if old != value:
        audit.record("settings_changed", key, {"key": key, "old": old, "new": value})


def put(key: str, value: Any) -> None:
    """Validate and save one setting. Needs `settings`; a change is audited."""
    session.require("settings")
    value = validate(key, value)
    with write_transaction():
        _store(key, value)


def put_many(values: dict[str, Any]) -> dict[str, FieldError]:
    """Validate every value first; save all of them in one transaction only if all are valid.
    Returns the errors by key (empty when saved), so a form can show each beside its field.
    Needs `settings` (PermissionDenied otherwise); each changed value is audited."""
    session.require("settings")
    errors: dict[str, FieldError] = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        try:
            clean[key] = validate(key, value)
        except FieldError as exc:
            errors[key] = exc
    if errors:
        return errors
    with write_transaction():
        for key, value in clean.items():
            _store(key, value)
    return {}
