"""JSON Lines interchange: one case per line, for moving cases between offices and for backups
that a person can read.

Every line is a JSON object (UTF-8, not ASCII-escaped) holding one case, its petitioners and
its event timeline. Export is deterministic (cases by received_on, case_no; events in timeline
order), so exporting, importing into an empty data directory and exporting again gives the same
bytes. Import is all-or-nothing: every line is parsed and checked first (the same intake checks
as the desk, the same state machine as the case timeline, with the office's calendar); any
problem refuses the whole file, naming the line and the key, and nothing is written.

Records are taken as history (made before the desk's intake rules): a narrative field today's
intake requires may be missing (imported, marked in Case.history_gaps), and an event that only
repeats what the disposition did (a 办结 after 当场答复) is left out and noted. `strict` keeps
today's rules. Invalid values (a wrong ID check character, a date that does not exist, an
unknown channel) are refused either way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinfang_desk.core import atomic, session
from xinfang_desk.core.answers.common import PURPOSES
from xinfang_desk.core.cases import records as case_service
from xinfang_desk.core.cases.numbering import is_query_code, normalize_query_code, note_used_case_no
from xinfang_desk.core.deadlines.engine import current_rules
from xinfang_desk.core.errors import FieldError, ValidationError, WorkflowError, XinfangError
from xinfang_desk.core.people.access import FULL_DATA, require_visible, visibility_condition
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import check_text, displayable, mask_id, mask_phone
from xinfang_desk.core.rules.workflow import CaseState, EventData, initial_state, replay
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import (
    AnswerVersion,
    Case,
    CaseAnswer,
    CaseEvent,
    CasePetitioner,
    Field,
    Petitioner,
    Unit,
)

FORMAT_NOTE = "信访事项交换格式（JSON Lines，每行一件）"
MAX_PROBLEMS_SHOWN = 20

# Case-level keys, in the order they are written.
CASE_KEYS = (
    "case_no", "query_code", "received_on", "channel", "channel_ref", "petitioners",
    "people_count", "reps_present", "category", "field", "summary", "request", "facts",
    "reasons", "disposition", "unit", "answer", "reject_reason", "approach", "accepted_on",
    "promised_reply_on", "confidential", "clerk", "events", "answers_used", "notes",
    "history_gaps",
)
REQUIRED_KEYS = ("received_on", "channel", "petitioners", "category", "summary", "request",
                 "disposition")
# Narrative keys a historical record may lack (imported and marked, unless --strict).
NARRATIVE_KEYS = ("summary", "request")
PETITIONER_KEYS = ("name", "kind", "doc_type", "id_number", "phone", "phone_alt", "address",
                   "representative")
# Optional event keys, in the order they are written (only when non-empty).
EVENT_KEYS = ("unit", "ref", "deadline", "days", "reason", "approver", "outcome", "rating", "note")
# 复查/复核 answers: the reply outcomes, or what the review organ did with the first opinion.
REVIEW_OUTCOMES = v.REPLY_OUTCOMES + ("维持", "变更", "撤销")

KEY_LABELS = {
    "case_no": "案件编号", "query_code": "查询码", "received_on": "收到日期", "channel": "信访形式",
    "channel_ref": "来文号", "petitioners": "信访人", "people_count": "涉及人数",
    "reps_present": "到场代表人数", "category": "信访类别", "field": "涉及领域",
    "summary": "事项摘要", "request": "诉求", "facts": "事实", "reasons": "理由",
    "disposition": "处理方式", "unit": "承办单位", "answer": "答复内容",
    "reject_reason": "不予受理理由", "approach": "应向何处反映", "accepted_on": "受理日期",
    "promised_reply_on": "约定答复日期", "confidential": "保密", "clerk": "接待人",
    "events": "办理过程", "answers_used": "使用的答复口径", "notes": "备注",
    "history_gaps": "历史记录缺项",
}
PETITIONER_LABELS = {
    "name": "姓名", "kind": "类型", "doc_type": "证件类型", "id_number": "身份证号",
    "phone": "联系电话", "phone_alt": "备用电话", "address": "住址", "representative": "代表",
}
EVENT_KEY_LABELS = {
    "type": "类型", "on": "日期", "unit": "承办单位", "ref": "文号", "deadline": "反馈期限",
    "days": "延期天数", "reason": "理由", "approver": "批准人", "outcome": "结果",
    "rating": "满意度", "note": "说明",
}
# check_case labels (errors.FieldError.field) -> our keys.
_CHECK_LABEL_KEYS = {label: key for key, label in KEY_LABELS.items()}
_CHECK_PETITIONER_RE = re.compile(r"^(?:第(\d+)位)?信访人(.+)$")
_CHECK_PETITIONER_LABELS = {label: key for key, label in PETITIONER_LABELS.items()}
_CHECK_PETITIONER_LABELS["身份证号"] = "id_number"
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The key a case carries in a .zip interchange package (`bundle`): its attachments.
ATTACHMENTS_KEY = "attachments"
ATTACHMENTS_IGNORED = "附件（attachments）只能随 .zip 交换包导入，此文件中的附件信息已忽略"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行 {self.field}：{self.message}" if self.field else \
            f"第{self.line}行：{self.message}"


class ImportFailed(XinfangError):
    """The file was refused as a whole; nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(self.problems) - len(shown)
        tail = f"\n……另有{more}处问题未列出" if more > 0 else ""
        super().__init__(f"导入失败，共发现{len(self.problems)}处问题，未导入任何数据：\n"
                         + "\n".join(shown) + tail)


@dataclass
class ImportReport:
    cases: int = 0
    new_fields: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    case_nos: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Historical records imported without a narrative field today's intake requires:
    # (line, "事实、答复内容"); and events that repeated what the disposition did: (line, note).
    gaps: list[tuple[int, str]] = field(default_factory=list)
    repeats: list[tuple[int, str]] = field(default_factory=list)
    attachments: int = 0  # attachments imported with the cases (a .zip package)


class LineExtra:
    """What a package adds to each line of the JSON Lines import (bundle: the attachments):
    its own keys, its own checks (problems refuse the whole import, as the line's own do),
    and its own rows, written in the same transaction right after each case."""

    keys: tuple[str, ...] = ()

    def check(self, line: int, obj: dict, errs: _LineErrors) -> None:
        """Check the line's extra keys; add problems to `errs`."""

    def write(self, line: int, case_id: int, case_no: str, report: ImportReport) -> None:
        """Write the line's extra rows (inside the import's transaction)."""

    def audit_details(self) -> dict[str, Any]:
        return {}


# --------------------------------------------------------------------------- export


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# What an export reads (never the search text); FKs under the names the records use.
_CASE_COLUMNS = (Case.id, Case.case_no, Case.query_code, Case.received_on, Case.channel,
                 Case.channel_ref, Case.people_count, Case.reps_present, Case.category,
                 Case.field.alias("field_id"), Case.summary, Case.request, Case.facts,
                 Case.reasons, Case.disposition, Case.unit.alias("unit_id"), Case.answer_given,
                 Case.reject_reason, Case.approach_body, Case.accepted_on,
                 Case.promised_reply_on, Case.confidential, Case.clerk, Case.notes,
                 Case.history_gaps)
_PETITIONER_COLUMNS = (Petitioner.name, Petitioner.kind, Petitioner.doc_type,
                       Petitioner.id_number, Petitioner.phone, Petitioner.phone_alt,
                       Petitioner.address)
_EVENT_COLUMNS = (CaseEvent.case.alias("case_id"), CaseEvent.type, CaseEvent.on,
                  CaseEvent.unit.alias("unit_id"), CaseEvent.ref, CaseEvent.deadline,
                  CaseEvent.days, CaseEvent.reason, CaseEvent.approver, CaseEvent.outcome,
                  CaseEvent.rating, CaseEvent.note)


def case_records(case_nos: list[str] | None = None, *, masked: bool = False) -> list[dict[str, Any]]:
    """The interchange objects of the chosen cases (all the acting user may see, by default),
    in export order. `masked`: ID and phone numbers masked (such a file cannot be imported)."""
    units = {u.id: u.name for u in Unit.select(Unit.id, Unit.name)}
    fields_by_id = {f.id: f for f in Field.select(Field.id, Field.name, Field.parent)}

    def field_path(fid: int | None) -> str | None:
        if not fid:
            return None
        row = fields_by_id[fid]
        if row.parent_id:
            return f"{fields_by_id[row.parent_id].name}/{row.name}"
        return row.name

    hidden = visibility_condition()
    # A whole history as named tuples, not model objects: hundreds of thousands of rows, and
    # building a model object for each was most of an export's time. (Both carry the same
    # attributes, field_id and unit_id included.)
    query = Case.select(*_CASE_COLUMNS).order_by(Case.received_on, Case.case_no)
    if case_nos is not None:  # a few chosen cases: model objects, read once
        wanted = [c.strip() for c in case_nos]
        rows = []
        for chunk in _chunks(wanted):
            rows.extend(Case.select().where(Case.case_no.in_(chunk)))
        for c in rows:  # a case asked for by number that the user may not see: refused
            require_visible(c)
        rows.sort(key=lambda c: (c.received_on, c.case_no))
    else:
        if hidden is not None:  # others' confidential cases are left out
            query = query.where(hidden)
        rows = list(query.namedtuples())
    ids = [c.id for c in rows]
    people: dict[int, list[dict]] = defaultdict(list)
    events: dict[int, list[dict]] = defaultdict(list)
    used: dict[int, list[dict]] = defaultdict(list)
    for chunk in _chunks(ids):
        links = (CasePetitioner.select(CasePetitioner.case.alias("case_id"),
                                       CasePetitioner.is_representative, *_PETITIONER_COLUMNS)
                 .join(Petitioner)
                 .where(CasePetitioner.case.in_(chunk))
                 .order_by(CasePetitioner.case, CasePetitioner.position, CasePetitioner.id))
        for link in links.namedtuples():
            people[link.case_id].append(_petitioner_record(link, link.is_representative,
                                                           masked=masked))
        for e in (CaseEvent.select(*_EVENT_COLUMNS).where(CaseEvent.case.in_(chunk))
                  .order_by(CaseEvent.case, CaseEvent.on, CaseEvent.id).namedtuples()):
            events[e.case_id].append(_event_record(e, units))
        for case_id, record in _answers_used(chunk):
            used[case_id].append(record)
    out = []
    for c in rows:
        out.append({
            "case_no": c.case_no,
            "query_code": c.query_code,
            "received_on": _iso(c.received_on),
            "channel": c.channel,
            "channel_ref": c.channel_ref,
            "petitioners": people.get(c.id, []),
            "people_count": c.people_count,
            "reps_present": c.reps_present,
            "category": c.category,
            "field": field_path(c.field_id),
            "summary": c.summary,
            "request": c.request,
            "facts": c.facts,
            "reasons": c.reasons,
            "disposition": c.disposition,
            "unit": units.get(c.unit_id) if c.unit_id else None,
            "answer": c.answer_given,
            "reject_reason": c.reject_reason,
            "approach": c.approach_body,
            "accepted_on": _iso(c.accepted_on),
            "promised_reply_on": _iso(c.promised_reply_on),
            "confidential": bool(c.confidential),
            "clerk": c.clerk,
            "events": events.get(c.id, []),
        })
        if used.get(c.id):  # only cases that used an approved answer carry the key
            out[-1]["answers_used"] = used[c.id]
        if c.notes:  # imported history only
            out[-1]["notes"] = c.notes
        if c.history_gaps:
            out[-1]["history_gaps"] = c.history_gaps.split("、")
    return out


def _answers_used(case_ids: list[int]):
    """(case id, record) of the approved-answer versions the cases used, in the order used.
    The version is named by title and number: ids differ between offices."""
    query = (CaseAnswer.select(CaseAnswer.case, CaseAnswer.purpose, CaseAnswer.used_at,
                               CaseAnswer.actor, AnswerVersion.title, AnswerVersion.version,
                               AnswerVersion.basis_name, AnswerVersion.basis_article)
             .join(AnswerVersion).where(CaseAnswer.case.in_(case_ids))
             .order_by(CaseAnswer.case, CaseAnswer.used_at, CaseAnswer.id))
    for case_id, purpose, used_at, actor, title, version, basis, article in query.tuples():
        yield case_id, {"purpose": purpose, "title": title, "version": version,
                        "basis": f"{basis}{article}",
                        "used_at": used_at.strftime("%Y-%m-%d %H:%M:%S"), "actor": actor}


def _petitioner_record(p, representative: bool, *, masked: bool = False) -> dict[str, Any]:
    """p: a Petitioner, or a row with its columns."""
    rec: dict[str, Any] = {"name": p.name}
    if p.kind != "个人":
        rec["kind"] = p.kind
    derived_doc = "身份证" if p.id_number else "无"
    if p.doc_type != derived_doc:
        rec["doc_type"] = p.doc_type
    number = p.id_number or ""
    rec["id_number"] = mask_id(number) if masked and number else number
    rec["phone"] = mask_phone(p.phone) if masked and p.phone else p.phone
    if p.phone_alt:
        rec["phone_alt"] = mask_phone(p.phone_alt) if masked else p.phone_alt
    rec["address"] = p.address
    if representative:
        rec["representative"] = True
    return rec


def _event_record(e, units: dict[int, str]) -> dict[str, Any]:
    """e: a CaseEvent, or a row with its columns and unit_id."""
    rec: dict[str, Any] = {"type": e.type, "on": e.on.isoformat()}
    values = {
        "unit": units.get(e.unit_id, "") if e.unit_id else "",
        "ref": e.ref, "deadline": _iso(e.deadline), "days": e.days, "reason": e.reason,
        "approver": e.approver, "outcome": e.outcome, "rating": e.rating, "note": e.note,
    }
    for key in EVENT_KEYS:
        value = values[key]
        if value not in (None, ""):
            rec[key] = value
    return rec


def dumps_record(rec: dict[str, Any]) -> str:
    return json.dumps(rec, ensure_ascii=False)


def export_cases(fp_or_path, *, case_nos: list[str] | None = None, masked: bool = False) -> int:
    """Write the cases (all the acting user may see, or those numbered) as JSON Lines; returns
    how many were written. Needs `export`; in full (masked=False: ID and phone numbers as
    stored, the interchange format) only a leader (access.FULL_DATA). Audited (exported)."""
    actor = session.require("export")
    if not masked and not actor.can(FULL_DATA):
        raise session.PermissionDenied(
            "完整导出（含完整证件号码和电话）须由负责人操作；接待员请选择遮蔽号码的导出。")
    with storage_errors():
        records = case_records(case_nos, masked=masked)
    text = "".join(dumps_record(r) + "\n" for r in records)
    target = "stdout" if hasattr(fp_or_path, "write") else Path(fp_or_path).name
    details = {"count": len(records), "masked": masked, "target": target,
               "selected": case_nos is not None}
    with audit.recorded("exported", "", details):
        if hasattr(fp_or_path, "write"):
            fp_or_path.write(text)
        else:
            atomic.write_text(fp_or_path, text)
    return len(records)


# --------------------------------------------------------------------------- import: parsing


class _LineErrors:
    """Problems of one line, collected without stopping at the first."""

    def __init__(self, line: int):
        self.line = line
        self.problems: list[ImportProblem] = []

    def add(self, key: str, message: str) -> None:
        # Messages quote what the file holds: never a character that cannot be printed.
        self.problems.append(ImportProblem(self.line, displayable(key), displayable(message)))


def _label(key: str) -> str:
    """`petitioners[1].id_number` -> `petitioners[1].id_number（身份证号）`."""
    base = key.rsplit(".", 1)[-1]
    base = re.sub(r"\[\d+\]$", "", base)
    if key.startswith("petitioners[") and "." in key:
        label = PETITIONER_LABELS.get(base)
    elif key.startswith("events[") and "." in key:
        label = EVENT_KEY_LABELS.get(base)
    else:
        label = KEY_LABELS.get(base)
    return f"{key}（{label}）" if label else key


def _str(obj: dict, key: str, errs: _LineErrors, where: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            errs.add(_label(where), "缺少此项")
        return ""
    if not isinstance(value, str):
        errs.add(_label(where), "应为文字（字符串）")
        return ""
    try:
        check_text(value, "")
    except FieldError as exc:  # NUL, a lone surrogate from a JSON escape such as "\ud800"
        errs.add(_label(where), exc.reason)
        return ""
    if required and not value.strip():
        errs.add(_label(where), "不能为空")
    return value


def _date(obj: dict, key: str, errs: _LineErrors, where: str, *, required: bool = False) -> dt.date | None:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            errs.add(_label(where), "缺少此项")
        return None
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        errs.add(_label(where), f"日期“{value}”格式应为YYYY-MM-DD")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errs.add(_label(where), f"日期“{value}”不存在")
        return None


def _int(obj: dict, key: str, errs: _LineErrors, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errs.add(_label(where), f"应为整数，实为“{value}”")
        return None
    return value


def _bool(obj: dict, key: str, errs: _LineErrors, where: str) -> bool | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        errs.add(_label(where), "应为 true 或 false")
        return None
    return value


def _enum(value: str, allowed: tuple[str, ...], errs: _LineErrors, where: str) -> None:
    if value and value not in allowed:
        errs.add(_label(where), f"“{value}”不在{'、'.join(allowed)}之中")


def _warn_unknown(obj: dict, known: tuple[str, ...], where: str, warnings: list[str]) -> None:
    for key in obj:
        if key not in known:
            warnings.append(displayable(f"{where}未知的键“{key}”已忽略"))


def _check_label_to_key(label: str) -> str:
    if label in _CHECK_LABEL_KEYS:
        return _label(_CHECK_LABEL_KEYS[label])
    m = _CHECK_PETITIONER_RE.match(label)
    if m:
        index = int(m.group(1)) - 1 if m.group(1) else 0
        sub = _CHECK_PETITIONER_LABELS.get(m.group(2))
        if sub:
            return f"petitioners[{index}].{sub}（{label}）"
        return f"petitioners[{index}]（{label}）"
    return label


@dataclass
class _Parsed:
    line: int
    checked: case_service.CheckedCase
    events: list[EventData]
    warnings: list[str]
    answers_used: list[tuple[str, int, str, dt.datetime, str]] = field(default_factory=list)
    """(title, version, purpose, used at, actor) of the approved answers the case used."""
    repeats: list[str] = field(default_factory=list)
    """Events left out because the disposition already did what they record."""


def _parse_petitioners(raw: Any, errs: _LineErrors, warnings: list[str]) -> list[case_service.PetitionerInput]:
    if raw is None:
        errs.add(_label("petitioners"), "缺少此项")
        return []
    if not isinstance(raw, list) or not raw:
        errs.add(_label("petitioners"), "应为至少包含一位信访人的列表")
        return []
    out = []
    for i, p in enumerate(raw):
        where = f"petitioners[{i}]"
        if not isinstance(p, dict):
            errs.add(where, "应为对象（{…}）")
            continue
        _warn_unknown(p, PETITIONER_KEYS, f"{where}：", warnings)
        before = len(errs.problems)
        name = _str(p, "name", errs, f"{where}.name", required=True)
        kind = _str(p, "kind", errs, f"{where}.kind") or "个人"
        _enum(kind, v.PETITIONER_KINDS, errs, f"{where}.kind")
        doc_type = _str(p, "doc_type", errs, f"{where}.doc_type")
        _enum(doc_type, v.DOC_TYPES, errs, f"{where}.doc_type")
        id_number = _str(p, "id_number", errs, f"{where}.id_number")
        phone = _str(p, "phone", errs, f"{where}.phone")
        phone_alt = _str(p, "phone_alt", errs, f"{where}.phone_alt")
        address = _str(p, "address", errs, f"{where}.address")
        rep = _bool(p, "representative", errs, f"{where}.representative")
        if len(errs.problems) == before:
            out.append(case_service.PetitionerInput(
                name=name, id_number=id_number, doc_type=doc_type, phone=phone,
                phone_alt=phone_alt, address=address, kind=kind, is_representative=bool(rep)))
    return out


def _parse_events(raw: Any, errs: _LineErrors, warnings: list[str],
                  today: dt.date) -> list[tuple[int, EventData]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errs.add(_label("events"), "应为列表")
        return []
    out = []
    for i, e in enumerate(raw):
        where = f"events[{i}]"
        if not isinstance(e, dict):
            errs.add(where, "应为对象（{…}）")
            continue
        _warn_unknown(e, ("type", "on") + EVENT_KEYS, f"{where}：", warnings)
        before = len(errs.problems)
        etype = _str(e, "type", errs, f"{where}.type", required=True)
        if etype and etype not in v.EVENT_TYPES:
            errs.add(_label(f"{where}.type"), f"未知的事件类型“{etype}”，应为{'、'.join(v.EVENT_TYPES)}之一")
        on = _date(e, "on", errs, f"{where}.on", required=True)
        unit = _str(e, "unit", errs, f"{where}.unit")
        ref = _str(e, "ref", errs, f"{where}.ref")
        deadline = _date(e, "deadline", errs, f"{where}.deadline")
        days = _int(e, "days", errs, f"{where}.days")
        days_problem = case_service.event_days_problem(etype, days)
        if days_problem:
            errs.add(_label(f"{where}.days"), days_problem)
        reason = _str(e, "reason", errs, f"{where}.reason")
        approver = _str(e, "approver", errs, f"{where}.approver")
        outcome = _str(e, "outcome", errs, f"{where}.outcome")
        rating = _str(e, "rating", errs, f"{where}.rating")
        note = _str(e, "note", errs, f"{where}.note")
        if etype in ("review_answered", "rereview_answered"):
            _enum(outcome, REVIEW_OUTCOMES, errs, f"{where}.outcome")
        if etype == "satisfaction":
            _enum(rating, v.RATINGS, errs, f"{where}.rating")
        if on and on > today:
            errs.add(_label(f"{where}.on"), f"日期{on:%Y-%m-%d}晚于今天")
        if deadline and on and deadline < on:
            errs.add(_label(f"{where}.deadline"), "反馈期限早于转送/交办日期")
        if len(errs.problems) == before:
            out.append((i, EventData(type=etype, on=on, unit=unit.strip(), ref=ref,
                                     deadline=deadline, days=days, reason=reason,
                                     approver=approver, outcome=outcome, rating=rating,
                                     note=note)))
    return out


def _parse_answers_used(raw: Any, errs: _LineErrors, warnings: list[str]) -> list[tuple]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errs.add(_label("answers_used"), "应为列表")
        return []
    out = []
    for i, item in enumerate(raw):
        where = f"answers_used[{i}]"
        if not isinstance(item, dict):
            errs.add(where, "应为对象（{…}）")
            continue
        _warn_unknown(item, ("purpose", "title", "version", "basis", "used_at", "actor"),
                      f"{where}：", warnings)
        title, version, purpose = item.get("title"), item.get("version"), item.get("purpose")
        if not isinstance(title, str) or not title.strip():
            errs.add(where, "缺少口径标题（title）")
        elif isinstance(version, bool) or not isinstance(version, int) or version < 1:
            errs.add(where, "版本（version）应为正整数")
        elif purpose not in PURPOSES:
            errs.add(where, f"用途（purpose）应为{'、'.join(PURPOSES)}之一")
        else:
            try:
                at = dt.datetime.strptime(str(item.get("used_at") or ""), "%Y-%m-%d %H:%M:%S")
            except ValueError:
                errs.add(where, "使用时间（used_at）应为 YYYY-MM-DD HH:MM:SS")
                continue
            out.append((title.strip(), version, purpose, at, str(item.get("actor") or "")))
    return out


def _link_answers(case_id: int, used: list[tuple], line: int, warnings: list) -> None:
    """Link an imported case to the answer versions it used, found here by title and number;
    one missing from this office's library is named in the report (the case itself, its
    answer text included, is imported whole)."""
    for title, version, purpose, at, actor in used:
        row = (AnswerVersion.select().where((AnswerVersion.title == title)
                                            & (AnswerVersion.version == version))
               .order_by(AnswerVersion.id).first())
        if row is None:
            warnings.append((line, f"答复口径“{title}”第{version}版不在本机口径库中，未关联"))
            continue
        CaseAnswer.create(case=case_id, version=row, purpose=purpose, used_at=at, actor=actor)


def repeat_of_disposition(state: CaseState, ev: EventData) -> str | None:
    """The note for an event a historical record repeats although its disposition already did
    it (a 办结 after 当场答复, 不予受理 or 引导: closed at the desk), or None. Such an event is
    left out and noted, not refused."""
    if ev.type in ("closed", "ledger_closed") and state.status == v.CLOSED and (
            state.answered_on_spot or state.disposition in ("不予受理", "引导")):
        return (f"原记录的“办结”（{ev.on:%Y-%m-%d}）与处理方式“{state.disposition}”重复"
                "（登记时即已办结），未另记")
    return None


def _parse_line(line_no: int, text: str, today: dt.date, window_end,
                errs: _LineErrors, warnings: list[str], strict: bool = False,
                extra: LineExtra | None = None) -> _Parsed | None:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        errs.add("JSON", f"不是有效的JSON（第{exc.colno}列附近格式有误，请检查引号、逗号和括号）")
        return None
    if not isinstance(obj, dict):
        errs.add("JSON", "每行应为一个对象（{…}）")
        return None
    known = CASE_KEYS + (extra.keys if extra is not None else ())
    if ATTACHMENTS_KEY in obj and ATTACHMENTS_KEY not in known:
        warnings.append(ATTACHMENTS_IGNORED)
        known += (ATTACHMENTS_KEY,)
    _warn_unknown(obj, known, "", warnings)
    if extra is not None:
        extra.check(line_no, obj, errs)
    before = len(errs.problems)
    for key in REQUIRED_KEYS:
        if key == "petitioners":
            continue  # checked with the list itself
        if key in NARRATIVE_KEYS and not strict:
            continue  # a historical record may lack it: check_case marks it
        if key not in obj:
            errs.add(_label(key), "缺少此项")
        elif obj[key] is None or (isinstance(obj[key], str) and not obj[key].strip()):
            errs.add(_label(key), "不能为空")
    received_on = _date(obj, "received_on", errs, "received_on")
    channel = _str(obj, "channel", errs, "channel")
    category = _str(obj, "category", errs, "category")
    disposition = _str(obj, "disposition", errs, "disposition")
    strings = {k: _str(obj, k, errs, k) for k in (
        "case_no", "query_code", "channel_ref", "field", "summary", "request", "facts", "reasons",
        "unit", "answer", "reject_reason", "approach", "clerk", "notes")}
    accepted_on = _date(obj, "accepted_on", errs, "accepted_on")
    promised = _date(obj, "promised_reply_on", errs, "promised_reply_on")
    people = _int(obj, "people_count", errs, "people_count")
    reps = _int(obj, "reps_present", errs, "reps_present")
    confidential = _bool(obj, "confidential", errs, "confidential")
    petitioners = _parse_petitioners(obj.get("petitioners"), errs, warnings)
    indexed_events = _parse_events(obj.get("events"), errs, warnings, today)
    answers_used = _parse_answers_used(obj.get("answers_used"), errs, warnings)

    code = normalize_query_code(strings["query_code"]) if strings["query_code"] else ""
    if code and not is_query_code(code):
        errs.add(_label("query_code"), f"“{strings['query_code']}”不是有效的查询码（8位，不含0、O、1、I、L）")
    case_no = strings["case_no"].strip()
    if case_no and (len(case_no) > 32 or re.search(r"\s", case_no)):
        errs.add(_label("case_no"), f"“{case_no}”不是有效的案件编号")
    field_path = strings["field"].strip().strip("/")
    if field_path and len([p for p in field_path.split("/") if p.strip()]) > 2:
        errs.add(_label("field"), f"“{field_path}”超过两级")
    if people is not None and people < 1:
        errs.add(_label("people_count"), "应至少为1")
    if len(errs.problems) > before or received_on is None or not petitioners:
        return None

    data = case_service.CaseInput(
        received_on=received_on, channel=channel, category=category,
        summary=strings["summary"], request=strings["request"], petitioners=petitioners,
        disposition=disposition, facts=strings["facts"], reasons=strings["reasons"],
        field=field_path, channel_ref=strings["channel_ref"], people_count=people,
        reps_present=reps, unit=strings["unit"], answer_given=strings["answer"],
        reject_reason=strings["reject_reason"], approach_body=strings["approach"],
        accepted_on=accepted_on, promised_reply_on=promised, confidential=confidential,
        clerk=strings["clerk"], case_no=case_no, query_code=code, notes=strings["notes"],
    )
    try:
        checked = case_service.check_case(data, today=today, historical=not strict)
    except ValidationError as exc:
        for fe in exc.errors:
            errs.add(_check_label_to_key(fe.field), fe.reason)
        return None
    warnings.extend(checked.warnings)

    # The timeline is kept in date order (ties in file order): replay it in that order.
    indexed_events.sort(key=lambda pair: pair[1].on)
    state = initial_state(category=category, disposition=disposition, channel=channel,
                          received_on=received_on, accepted_on=accepted_on)
    kept, repeats = [], []
    for index, ev in indexed_events:
        repeat = None if strict else repeat_of_disposition(state, ev)
        if repeat:
            repeats.append(repeat)
            continue
        kept.append(ev)
        try:
            state = replay(state, [ev], window_end)
        except WorkflowError as exc:
            label = v.EVENT_LABELS.get(ev.type, ev.type)
            errs.add(f"events[{index}]（{label} {ev.on:%Y-%m-%d}）", str(exc))
            return None
    if repeats:
        note = "\n".join(filter(None, [checked.data.notes.strip(), *repeats]))
        checked = dataclasses.replace(checked, data=dataclasses.replace(checked.data, notes=note))
    return _Parsed(line=line_no, checked=checked, events=kept, warnings=warnings,
                   answers_used=answers_used, repeats=repeats)


def read_lines(path) -> list[tuple[int, str]]:
    if hasattr(path, "read"):
        raw = path.read()
    else:
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError as exc:
            raise XinfangError(f"找不到文件{path}") from exc
        except IsADirectoryError as exc:
            raise XinfangError(f"{path}是文件夹，请指定要导入的 .jsonl 文件") from exc
        except PermissionError as exc:
            raise XinfangError(f"没有权限读取文件{path}") from exc
        except OSError as exc:
            raise XinfangError(f"无法读取文件{path}：{exc.strerror or exc}") from exc
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad_line = raw[:exc.start].count(b"\n") + 1
            raise XinfangError(f"文件不是UTF-8编码（第{bad_line}行），请另存为UTF-8后再导入") from exc
    elif raw.startswith("\ufeff"):
        raw = raw[1:]
    out = []
    for n, line in enumerate(io.StringIO(raw, newline=None), start=1):
        line = line.strip()
        if line:
            out.append((n, line))
    return out


class _DryRunDone(Exception):
    """Raised inside the transaction of a dry run so that everything is rolled back."""


def import_cases(path, *, dry_run: bool = False, today: dt.date | None = None,
                 strict: bool = False) -> ImportReport:
    """Import a JSON Lines file (path or text stream) all-or-nothing; see the module doc.

    Records are taken as history: one lacking a narrative field today's intake requires (the
    facts of a 申诉求决 case, the answer of a 当场答复 …) is imported and marked (Case.history_gaps,
    listed in `report.gaps`), and an event that repeats its disposition is left out and noted.
    `strict` applies today's intake rules instead (the file is refused).

    With dry_run the same checks and the same writes run inside a transaction that is then
    rolled back: the report says what would be added, and nothing is kept."""
    session.require("register")
    lines = read_lines(path)
    source = Path(path).name if isinstance(path, (str, Path)) else ""
    return import_lines(lines, source, dry_run=dry_run, today=today, strict=strict)


def import_lines(lines: list[tuple[int, str]], source: str, *, dry_run: bool = False,
                 today: dt.date | None = None, strict: bool = False,
                 extra: LineExtra | None = None) -> ImportReport:
    """import_cases on lines already read ((line number, text)); `extra` adds a package's
    keys, checks and rows (bundle). `source` is the file's name for the audit row."""
    session.require("register")
    today = today or dt.date.today()
    problems: list[ImportProblem] = []
    parsed: list[_Parsed] = []
    report = ImportReport(dry_run=dry_run)
    with storage_errors():
        window_end = current_rules().window_end
        seen_nos: dict[str, int] = {}
        seen_codes: dict[str, int] = {}
        for line_no, text in lines:
            errs = _LineErrors(line_no)
            warnings: list[str] = []
            item = _parse_line(line_no, text, today, window_end, errs, warnings, strict,
                               extra)
            if item is not None:
                data = item.checked.data
                if data.case_no:
                    if data.case_no in seen_nos:
                        errs.add(_label("case_no"), f"{data.case_no}与第{seen_nos[data.case_no]}行重复")
                    elif Case.select().where(Case.case_no == data.case_no).exists():
                        errs.add(_label("case_no"), f"{data.case_no}在本机数据中已存在")
                    seen_nos.setdefault(data.case_no, line_no)
                if data.query_code:
                    if data.query_code in seen_codes:
                        errs.add(_label("query_code"),
                                 f"{data.query_code}与第{seen_codes[data.query_code]}行重复")
                    elif Case.select().where(Case.query_code == data.query_code).exists():
                        errs.add(_label("query_code"), f"{data.query_code}已被本机其他事项使用")
                    seen_codes.setdefault(data.query_code, line_no)
            if item is None and not errs.problems:
                errs.add("", "无法读取此行")
            problems.extend(errs.problems)
            report.warnings.extend((line_no, w) for w in warnings)
            if item is not None and not errs.problems:
                parsed.append(item)
        if problems:
            raise ImportFailed(problems)
        if not parsed:
            raise XinfangError("文件中没有信访事项，未导入任何数据")
        try:
            with write_transaction():
                prefix = settings.get("case_prefix")
                # Move the yearly counters past every number given in the file first, so that
                # a number generated for an earlier line never takes a later line's number.
                for item in parsed:
                    if item.checked.data.case_no:
                        note_used_case_no(item.checked.data.case_no)
                for item in parsed:
                    try:
                        saved = case_service.insert_checked(
                            item.checked, prefix=prefix, create_missing=True, events=item.events,
                            window_end=window_end)
                    except (FieldError, WorkflowError) as exc:
                        problems.append(ImportProblem(item.line, "", displayable(str(exc))))
                        continue
                    _link_answers(saved.id, item.answers_used, item.line, report.warnings)
                    if extra is not None:
                        extra.write(item.line, saved.id, saved.case_no, report)
                    if item.checked.missing:
                        report.gaps.append(
                            (item.line, case_service.history_gaps_text(item.checked.missing)))
                    report.repeats.extend((item.line, r) for r in item.repeats)
                    report.cases += 1
                    report.case_nos.append(saved.case_no)
                    for f in saved.new_fields:
                        if f not in report.new_fields:
                            report.new_fields.append(f)
                    for u in saved.new_units:
                        if u not in report.new_units:
                            report.new_units.append(u)
                if problems:
                    raise ImportFailed(problems)
                details = {"count": report.cases, "source": source,
                           "first": report.case_nos[0], "last": report.case_nos[-1]}
                if extra is not None:
                    details.update(extra.audit_details())
                audit.record("imported", "", details)
                if dry_run:
                    raise _DryRunDone
        except _DryRunDone:
            pass
    return report
