"""Correcting a registered case: field edits with a reason, each change on the audit trail
(who, when, old → new), and the change history the case detail window shows.

Editable: the matter text (summary, request, facts, reasons), the reference of a forwarded
letter, the field (taxonomy path), the unit, the number of people, the confidential flag and a
petitioner's phones and address. The class (信访类别), dates, disposition and the timeline are
not edited here: they change only through the case's events. Values are checked as at the
intake desk. Lifting the confidential flag is a leader's decision.

A petitioner's contact details belong to the person, not the case: a corrected phone number
shows on every case of that person. In the audit trail phones are masked and an address is
cut to its first characters (the trail outlives retention purges); text fields are kept whole.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from xinfang_desk.core import session
from xinfang_desk.core.cases.records import find_field, find_unit, search_text_for
from xinfang_desk.core.errors import FieldError, ValidationError, XinfangError
from xinfang_desk.core.people.access import get_visible_case
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import MAX_PEOPLE, check_text, mask_phone, normalize_phone
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import (
    AuditLog,
    Case,
    CasePetitioner,
    Field,
    Petitioner,
    Unit,
    User,
)

CASE_FIELDS = {
    "summary": "事项摘要", "request": "诉求", "facts": "事实", "reasons": "理由",
    "channel_ref": "来文号", "field": "涉及领域", "unit": "承办单位", "people_count": "涉及人数",
    "confidential": "保密",
}
PETITIONER_FIELDS = {"phone": "联系电话", "phone_alt": "备用电话", "address": "住址"}
NOTHING_CHANGED = "没有修改任何内容。"


class StaleEdit(XinfangError):
    """The case changed since the editor opened it (another desk saved first): nothing saved."""


def _who(username: str) -> str:
    if not username:
        return "其他用户"
    user = User.get_or_none(User.username == username)
    return f"{user.display_name}（{username}）" if user and user.display_name else username


def stale_message(case: Case) -> str:
    when = case.updated_at.strftime("%Y-%m-%d %H:%M") if case.updated_at else ""
    return (f"事项 {case.case_no} 在您打开之后已被{_who(case.updated_by)}于 {when} 修改，"
            "您的修改未保存（以免覆盖对方的修改）。请关闭后重新打开该事项，核对后再改。")
ADDRESS_KEPT = 6  # characters of an address kept in the audit trail


class FieldChange(NamedTuple):
    field: str  # a key of CASE_FIELDS, or "petitioners[0].phone"
    label: str
    old: Any
    new: Any


class HistoryEntry(NamedTuple):
    at: str  # "YYYY-MM-DD HH:MM:SS", local time, as recorded
    actor: str
    action: str  # Chinese label of the audit action
    field: str  # what changed (Chinese), "" when the row is not about one field
    old: str
    new: str


def _mask_address(text: str) -> str:
    return text if len(text) <= ADDRESS_KEPT else text[:ADDRESS_KEPT] + "……"


def _audit_value(key: str, value: Any) -> Any:
    if key in ("phone", "phone_alt"):
        return mask_phone(value) if value else ""
    if key == "address":
        return _mask_address(value or "")
    return value


# ---------------------------------------------------------------------------- checking

def _text(key: str, value: Any, errors: list[FieldError], *, max_len: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    try:
        check_text(text, CASE_FIELDS.get(key, key))  # NUL, lone surrogates: as at intake
    except FieldError as exc:
        errors.append(exc)
        return text
    if max_len is not None and len(text) > max_len:
        errors.append(FieldError(CASE_FIELDS.get(key, key), f"不超过{max_len}字"))
    return text


def _check_case_values(case: Case, changes: dict, n_petitioners: int,
                       errors: list[FieldError]) -> dict[str, Any]:
    """The new values of the case's own columns, normalised (model attribute -> value)."""
    out: dict[str, Any] = {}
    for key, raw in changes.items():
        label = CASE_FIELDS[key]
        if key == "summary":
            text = _text(key, raw, errors)
            if not text:
                errors.append(FieldError(label, "不能为空"))
            elif len(text) > 200:
                errors.append(FieldError(label, "不超过200字，详细内容请写入“事实”"))
            out[key] = text
        elif key == "request":
            text = _text(key, raw, errors)
            if not text:
                errors.append(FieldError(label, "不能为空（第十九条）"))
            out[key] = text
        elif key == "facts":
            text = _text(key, raw, errors)
            if not text and case.category in ("检举控告", "申诉求决"):
                errors.append(FieldError(label, f"{case.category}类事项须记录事实（第十九条）"))
            out[key] = text
        elif key == "reasons":
            out[key] = _text(key, raw, errors)
        elif key == "channel_ref":
            out[key] = _text(key, raw, errors, max_len=100)
        elif key == "field":
            try:
                row, _ = find_field(_text(key, raw, errors), create=False)
                out["field"] = row.id if row is not None else None
            except FieldError as exc:
                errors.append(exc)
        elif key == "unit":
            name = _text(key, raw, errors)
            if not name and case.disposition in ("转送", "交办"):
                errors.append(FieldError(label, f"{case.disposition}须选择承办单位"))
            try:
                row, _ = find_unit(name, create=False)
                out["unit"] = row.id if row is not None else None
            except FieldError as exc:
                errors.append(exc)
        elif key == "people_count":
            try:
                n = int(raw)
            except (TypeError, ValueError):
                errors.append(FieldError(label, "应为整数"))
                continue
            if n > MAX_PEOPLE:
                errors.append(FieldError(label, f"不能超过{MAX_PEOPLE}人"))
            elif n < max(n_petitioners, 1):
                errors.append(FieldError(label, f"不能少于登记的信访人数（{n_petitioners}人）"))
            elif n < case.reps_present:
                errors.append(FieldError(label, f"不能少于到场代表人数（{case.reps_present}人）"))
            out[key] = n
        elif key == "confidential":
            if not isinstance(raw, bool):
                errors.append(FieldError(label, "应为是或否"))
                continue
            out[key] = raw
    return out


def _check_petitioner_values(raw: Any, pets: list[tuple[CasePetitioner, Petitioner]],
                             errors: list[FieldError]) -> dict[int, dict[str, str]]:
    if not isinstance(raw, dict):
        errors.append(FieldError("信访人", "应按序号给出要修改的联系电话或住址"))
        return {}
    out: dict[int, dict[str, str]] = {}
    for pos, values in raw.items():
        try:
            index = int(pos)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < len(pets) or not isinstance(values, dict):
            errors.append(FieldError("信访人", f"没有第{pos}位信访人"))
            continue
        name = pets[index][1].name
        tag = f"信访人{name}" if index == 0 else f"第{index + 1}位信访人{name}"
        clean: dict[str, str] = {}
        for key, value in values.items():
            if key not in PETITIONER_FIELDS:
                errors.append(FieldError(f"{tag}{key}", "不能在此修改"))
                continue
            text = "" if value is None else str(value).strip()
            try:
                check_text(text, f"{tag}{PETITIONER_FIELDS[key]}")
            except FieldError as exc:
                errors.append(exc)
                continue
            if key in ("phone", "phone_alt") and text:
                try:
                    text = normalize_phone(text, field=f"{tag}{PETITIONER_FIELDS[key]}")
                except FieldError as exc:
                    errors.append(exc)
                    continue
            if key == "address" and len(text) > 200:
                errors.append(FieldError(f"{tag}住址", "不超过200字"))
                continue
            clean[key] = text
        out[index] = clean
    return out


# ---------------------------------------------------------------------------- the edit

def update_case(case_no: str, changes: dict[str, Any], reason: str, *,
                expected_version: int | None = None) -> list[FieldChange]:
    """Apply field corrections in one transaction; returns what changed.

    `changes`: keys of CASE_FIELDS with their new values (field: "一级/二级" path, unit: a unit
    name, "" for none), and "petitioners": {position: {"phone"|"phone_alt"|"address": value}}
    (0-based, in the recorded order). Needs `register` and a visible case; lifting the
    confidential flag needs a leader. Each changed field: one `case_changed` audit row with
    old, new and the reason. ValidationError names every wrong field; XinfangError
    (NOTHING_CHANGED) when every value equals the stored one. `expected_version`: the case's
    version when the editor opened it; StaleEdit (naming who changed it since, and when) if
    it is no longer that."""
    actor = session.require("register")
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("修改原因", "请说明修改原因（记入审计日志）")
    if len(reason) > 200:
        raise FieldError("修改原因", "不超过200字")
    unknown = [k for k in changes if k not in CASE_FIELDS and k != "petitioners"]
    if unknown:
        raise ValidationError([FieldError(k, "不能在此修改（类别、日期和办理过程通过办理记录变更）")
                               for k in unknown])
    with storage_errors(), write_transaction():
        case = get_visible_case(case_no)
        if expected_version is not None and case.version != expected_version:
            raise StaleEdit(stale_message(case))
        pets = [(link, link.petitioner) for link in
                CasePetitioner.select(CasePetitioner, Petitioner).join(Petitioner)
                .where(CasePetitioner.case == case.id).order_by(CasePetitioner.position,
                                                                CasePetitioner.id)]
        errors: list[FieldError] = []
        case_values = _check_case_values(
            case, {k: val for k, val in changes.items() if k in CASE_FIELDS}, len(pets), errors)
        pet_values = (_check_petitioner_values(changes["petitioners"], pets, errors)
                      if "petitioners" in changes else {})
        if errors:
            raise ValidationError(errors)

        done: list[FieldChange] = []
        case_updates: dict[str, Any] = {}
        for key, new in case_values.items():
            old = getattr(case, f"{key}_id") if key in ("field", "unit") else getattr(case, key)
            if old == new:
                continue
            case_updates[key] = new
            done.append(FieldChange(key, CASE_FIELDS[key], _display(case, key, old),
                                    _display(case, key, new)))
        pet_updates: list[tuple[Petitioner, dict[str, str]]] = []
        for index, values in sorted(pet_values.items()):
            person = pets[index][1]
            diff = {k: val for k, val in values.items() if (getattr(person, k) or "") != val}
            if diff:
                pet_updates.append((person, diff))
                for k, val in diff.items():
                    done.append(FieldChange(f"petitioners[{index}].{k}",
                                            f"{_person_label(index, person)}{PETITIONER_FIELDS[k]}",
                                            getattr(person, k) or "", val))
        if not done:
            raise XinfangError(NOTHING_CHANGED)
        if case_updates.get("confidential") is False and not actor.can("see_confidential"):
            raise session.PermissionDenied("取消保密须由负责人决定。")

        if any(k in case_updates for k in ("summary", "request", "facts")):
            merged = {k: case_updates.get(k, getattr(case, k)) for k in ("summary", "request", "facts")}
            case_updates["search_text"] = search_text_for(
                [p.name for _l, p in pets], merged["summary"], merged["request"], merged["facts"])
        # Contact details belong to the person, but correcting them is a change of this case too.
        Case.update(Case.changed_by(actor.username), **case_updates
                    ).where(Case.id == case.id).execute()
        for person, diff in pet_updates:
            Petitioner.update(**diff).where(Petitioner.id == person.id).execute()
        for change in done:
            key = change.field.rsplit(".", 1)[-1]
            audit.record("case_changed", case.case_no, {
                "field": change.field, "label": change.label,
                "old": _audit_value(key, change.old), "new": _audit_value(key, change.new),
                "reason": reason})
    return done


def _person_label(index: int, person: Petitioner) -> str:
    return f"信访人{person.name}" if index == 0 else f"第{index + 1}位信访人{person.name}"


def _display(case: Case, key: str, value: Any) -> Any:
    """Ids as names for the audit trail and the history."""
    if key == "field":
        row = Field.get_or_none(Field.id == value) if value else None
        return row.path if row else ""
    if key == "unit":
        row = Unit.get_or_none(Unit.id == value) if value else None
        return row.name if row else ""
    return value


# ---------------------------------------------------------------------------- history

def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_text_of(x) for x in value)
    return str(value)


def _entry(row: AuditLog) -> HistoryEntry:
    import json

    try:
        d = json.loads(row.details) if row.details else {}
    except ValueError:
        d = {}
    if not isinstance(d, dict):
        d = {}
    label = audit.ACTION_LABELS.get(row.action, row.action)
    field = old = new = ""
    if row.action == "case_changed":
        field, old, new = d.get("label", d.get("field", "")), _text_of(d.get("old")), _text_of(d.get("new"))
    elif row.action == "event":
        t = d.get("type", "")
        field = "受理" if t == "accept" else v.EVENT_LABELS.get(t, t)
        status = d.get("status")
        if isinstance(status, list) and len(status) == 2:
            old, new = (v.STATUS_LABELS.get(s, s) for s in status)
    elif row.action == "printed":
        field = d.get("title", d.get("doc", ""))
    elif row.action in ("access_granted", "access_revoked"):
        field, new = "可查看人员", _text_of(d.get("user"))
    elif row.action == "reveal_id":
        field = "完整证件号码"
        new = _text_of(d.get("id") or d.get("ids"))
    elif row.action == "case_created":
        field, new = "信访类别", _text_of(d.get("category"))
    elif row.action == "approval":
        field = _text_of(d.get("what"))
    return HistoryEntry(at=row.at, actor=row.actor, action=label, field=field, old=old, new=new)


def change_history(case_no: str) -> list[HistoryEntry]:
    """Everything the audit trail holds about the case, oldest first: registration, field
    corrections (old → new), events with their status change, prints, reveals, grants.
    ID numbers appear masked. Needs a visible case."""
    with storage_errors():
        case = get_visible_case(case_no)
        rows = list(AuditLog.select().where(AuditLog.object == case.case_no).order_by(AuditLog.id))
    return [_entry(r) for r in rows]

