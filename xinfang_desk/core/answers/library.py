"""The approved-answer library (答复口径库): one institutional answer per question, drafted by
a clerk, approved by a leader, versioned so that every case keeps the exact text it used.

An `Answer` is the stable identity; its texts are `AnswerVersion`s. Editing an approved answer
makes a new draft version; the approved one stays in use until the draft is approved, then it
is retired (已停用) but stays readable. At most one approved and one draft version per Answer.

This module is the API the GUI and CLI call for the library; the parts live beside it in
common (data), fill (placeholders), suggest (ranking) and policy (policy references), whose
names are re-exported here. The library file (export/import) is `library_file`, which builds
on this module.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from xinfang_desk.core import session
from xinfang_desk.core.answers.common import (
    APPROVED,
    DRAFT,
    PURPOSES,
    RETIRED,
    STATUS_LABELS,
    AnswerDraft,
    AnswerText,
    checked_draft,
    to_text,
)
from xinfang_desk.core.answers.fill import (
    PLACEHOLDERS,
    Filled,
    fill,
    values_for_case,
    values_for_intake,
)
from xinfang_desk.core.answers.policy import (
    PolicyHit,
    list_policy_docs,
    save_policy_article,
    search_policy,
)
from xinfang_desk.core.answers.suggest import Suggestion, suggest
from xinfang_desk.core.cases.records import find_field, get_visible_case, record_event
from xinfang_desk.core.errors import FieldError, NotFoundError, WorkflowError
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Answer, AnswerVersion, Case, CaseAnswer

__all__ = [
    "STATUS_LABELS", "PLACEHOLDERS", "AnswerText", "AnswerDraft", "Suggestion", "Filled",
    "PolicyHit", "list_answers", "versions", "versions_of", "get_version",
    "save_draft",
    "approve", "retire", "suggest", "fill", "values_for_case", "values_for_intake",
    "record_use", "record_reply", "used_by_case", "search_policy", "list_policy_docs", "save_policy_article",
    "check_usable", "answer_object",
]


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def answer_object(answer_id: int) -> str:
    """The audit trail's object for an answer."""
    return f"答复口径{answer_id}"


# --------------------------------------------------------------------------- reading

def _current_rows(include_retired: bool) -> dict[int, AnswerVersion]:
    """Per Answer the version to show: approved, else draft, else (if asked) newest retired."""
    rank = {APPROVED: 0, DRAFT: 1, RETIRED: 2}
    best: dict[int, AnswerVersion] = {}
    for row in AnswerVersion.select().order_by(AnswerVersion.answer, AnswerVersion.version.desc()):
        if row.status == RETIRED and not include_retired:
            continue
        held = best.get(row.answer_id)
        if held is None or rank[row.status] < rank[held.status]:
            best[row.answer_id] = row
    return best


def list_answers(*, include_retired: bool = False, text: str = "") -> list[AnswerText]:
    """One row per Answer (its approved version, else its draft; with include_retired also the
    answers that are wholly retired), by title. `text` filters title, keywords and body."""
    needle = " ".join((text or "").split()).lower()
    with storage_errors():
        rows = _current_rows(include_retired).values()
    out = [to_text(r) for r in rows]
    if needle:
        out = [a for a in out
               if needle in a.title.lower() or needle in a.body.lower()
               or any(needle in k.lower() for k in a.keywords)]
    return sorted(out, key=lambda a: (a.title, a.answer_id))


def versions(answer_id: int) -> list[AnswerText]:
    """Every version of one answer, newest first, retired ones included."""
    with storage_errors():
        rows = list(AnswerVersion.select().where(AnswerVersion.answer == answer_id)
                    .order_by(AnswerVersion.version.desc()))
    if not rows:
        raise NotFoundError(f"没有编号为{answer_id}的答复口径")
    return [to_text(r) for r in rows]


def versions_of(answer_ids: list[int]) -> dict[int, list[AnswerText]]:
    """`versions` of several answers from one query per 500 (the library tab lists them all)."""
    out: dict[int, list[AnswerText]] = {i: [] for i in answer_ids}
    with storage_errors():
        for start in range(0, len(answer_ids), 500):
            chunk = answer_ids[start:start + 500]
            for r in (AnswerVersion.select().where(AnswerVersion.answer.in_(chunk))
                      .order_by(AnswerVersion.answer, AnswerVersion.version.desc())):
                out[r.answer_id].append(to_text(r))
    return out


def _version_row(version_id: int) -> AnswerVersion:
    row = AnswerVersion.get_or_none(AnswerVersion.id == version_id)
    if row is None:
        raise NotFoundError(f"没有编号为{version_id}的答复口径版本")
    return row


def get_version(version_id: int) -> AnswerText:
    with storage_errors():
        return to_text(_version_row(version_id))


# --------------------------------------------------------------------------- writing

def _check_fields_exist(fields: tuple[str, ...]) -> None:
    for path in fields:
        find_field(path)  # FieldError "涉及领域：“…”不在领域分类中"


def write_draft(draft: AnswerDraft, answer: Answer | None, actor: str) -> AnswerVersion:
    """Store a checked draft inside the caller's transaction: into the answer's open draft, or
    as its next version, or as version 1 of a new Answer when `answer` is None."""
    now = _now()
    values = dict(title=draft.title, body=draft.body, fields="\n".join(draft.fields),
                  keywords="\n".join(draft.keywords), basis_name=draft.basis_name,
                  basis_article=draft.basis_article, basis_date=draft.basis_date,
                  note=draft.note, drafted_by=actor, drafted_at=now)
    if answer is None:
        answer = Answer.create(created_at=now)
    open_draft = AnswerVersion.get_or_none((AnswerVersion.answer == answer)
                                           & (AnswerVersion.status == DRAFT))
    if open_draft is not None:
        AnswerVersion.update(**values).where(AnswerVersion.id == open_draft.id).execute()
        return AnswerVersion.get_by_id(open_draft.id)
    last = (AnswerVersion.select(pw.fn.MAX(AnswerVersion.version))
            .where(AnswerVersion.answer == answer).scalar()) or 0
    return AnswerVersion.create(answer=answer, version=last + 1, status=DRAFT, **values)


def save_draft(draft: AnswerDraft, *, answer_id: int | None = None) -> AnswerText:
    """Save the editor's text as a draft (a clerk or a leader): a new answer, or a new draft
    version of `answer_id` (its approved version stays in use until the draft is approved).
    Saving again while a draft is open updates that draft. Audited (answer_drafted)."""
    actor = session.require("register")
    draft = checked_draft(draft)
    with storage_errors(), write_transaction():
        _check_fields_exist(draft.fields)
        answer = None
        if answer_id is not None:
            answer = Answer.get_or_none(Answer.id == answer_id)
            if answer is None:
                raise NotFoundError(f"没有编号为{answer_id}的答复口径")
        row = write_draft(draft, answer, actor.username)
        audit.record("answer_drafted", answer_object(row.answer_id),
                     {"version": row.version, "title": row.title})
        return to_text(row)


def approver_name(approver: str) -> str:
    """Who approves: a signed-in leader (PermissionDenied for anyone else), or — with no
    accounts (SYSTEM) — the name given, which is then required."""
    actor = session.current()
    if actor.role == session.SYSTEM_ROLE:
        name = " ".join((approver or "").split())
        if not name:
            raise FieldError("审定人", "未设置用户账户时须填写审定人姓名")
        if len(name) > 50:
            raise FieldError("审定人", "不超过50字")
        return name
    session.require("approve")
    return actor.username


def approve_row(row: AnswerVersion, approver: str,
                at: dt.datetime | None = None) -> AnswerVersion:
    """Approve a draft inside the caller's transaction; the answer's approved version retires.
    `at` (default now) is given when an imported approval keeps its original time."""
    AnswerVersion.update(status=RETIRED).where(
        (AnswerVersion.answer == row.answer_id) & (AnswerVersion.status == APPROVED)
        & (AnswerVersion.id != row.id)).execute()
    AnswerVersion.update(status=APPROVED, approved_by=approver, approved_at=at or _now()).where(
        AnswerVersion.id == row.id).execute()
    return AnswerVersion.get_by_id(row.id)


def approve(version_id: int, *, approver: str = "") -> AnswerText:
    """A leader approves a draft version; the answer's previously approved version is retired
    (已停用) but stays readable. Audited (answer_approved)."""
    name = approver_name(approver)
    with storage_errors(), write_transaction():
        row = _version_row(version_id)
        if row.status == APPROVED:
            raise WorkflowError(f"“{row.title}”第{row.version}版已审定，无需再次审定")
        if row.status == RETIRED:
            raise WorkflowError(f"“{row.title}”第{row.version}版已停用，不能审定；"
                                "如需恢复使用，请据此另存草稿后再审定")
        previous = (AnswerVersion.select(AnswerVersion.version)
                    .where((AnswerVersion.answer == row.answer_id)
                           & (AnswerVersion.status == APPROVED)).scalar())
        row = approve_row(row, name)
        details = {"version": row.version, "title": row.title, "approver": name}
        if previous is not None:
            details["retired_version"] = previous
        audit.record("answer_approved", answer_object(row.answer_id), details)
        return to_text(row)


def retire(answer_id: int, *, approver: str = "") -> None:
    """A leader stops an answer: its approved version is retired and no longer suggested. An
    answer never approved has its draft retired instead (a draft given up). Audited."""
    name = approver_name(approver)
    with storage_errors(), write_transaction():
        rows = list(AnswerVersion.select().where(AnswerVersion.answer == answer_id))
        if not rows:
            raise NotFoundError(f"没有编号为{answer_id}的答复口径")
        target = next((r for r in rows if r.status == APPROVED), None)
        if target is None:
            target = next((r for r in rows if r.status == DRAFT), None)
        if target is None:
            raise WorkflowError(f"“{rows[0].title}”已停用")
        AnswerVersion.update(status=RETIRED).where(AnswerVersion.id == target.id).execute()
        audit.record("answer_retired", answer_object(answer_id),
                     {"version": target.version, "title": target.title, "approver": name,
                      "was": target.status})


# --------------------------------------------------------------------------- use by cases

def check_usable(version_id) -> AnswerVersion:
    """The version, if a case may use it: it exists and is approved (Chinese error otherwise)."""
    if isinstance(version_id, bool) or not isinstance(version_id, int):
        raise FieldError("答复口径", "应为口径版本编号")
    row = AnswerVersion.get_or_none(AnswerVersion.id == version_id)
    if row is None:
        raise NotFoundError(f"没有编号为{version_id}的答复口径版本")
    if row.status != APPROVED:
        raise WorkflowError(f"答复口径“{row.title}”第{row.version}版{STATUS_LABELS[row.status]}，"
                            "只能使用已审定的口径")
    return row


def write_use(case: Case, row: AnswerVersion, purpose: str, actor: str) -> CaseAnswer:
    """Record inside the caller's transaction that `case` used `row` (cases.register_case)."""
    if purpose not in PURPOSES:
        raise FieldError("用途", f"应为{'、'.join(PURPOSES)}之一")
    used = CaseAnswer.create(case=case, version=row, purpose=purpose, used_at=_now(), actor=actor)
    audit.record("answer_used", case.case_no, {"answer": row.answer_id, "version": row.version,
                                               "title": row.title, "purpose": purpose})
    return used


def record_use(case_no: str, version_id: int, purpose: str, *, actor: str = "") -> None:
    """Record that a case used an approved answer version, "on_spot" or "reply". Needs
    `follow_up` and a visible case; audited (answer_used) with the case."""
    acting = session.require("follow_up")
    if purpose not in PURPOSES:
        raise FieldError("用途", f"应为{'、'.join(PURPOSES)}之一")
    with storage_errors(), write_transaction():
        case = get_visible_case(case_no)
        row = check_usable(version_id)
        write_use(case, row, purpose, (actor or "").strip() or acting.username)


def record_reply(case_no: str, ev, version_id: int, *, approval=None):
    """Record the reply event (`ev`, an EventData of type "replied") and the approved answer
    version its text was taken from, in one transaction: a refused use (the answer was
    retired meanwhile) leaves no reply behind, so the clerk can simply record again. Returns
    the case's new state."""
    if ev.type != "replied":
        raise FieldError("办理过程", "只有答复可以记为使用答复口径")
    with storage_errors(), write_transaction():
        state = record_event(case_no, ev, approval=approval)
        record_use(case_no, version_id, "reply")
        return state


def used_by_case(case_no: str) -> list[tuple[str, AnswerText]]:
    """(purpose, version) for every answer a case used, oldest first: the exact version, even
    after the answer was re-approved or retired."""
    with storage_errors():
        case = get_visible_case(case_no)
        rows = list(CaseAnswer.select(CaseAnswer, AnswerVersion).join(AnswerVersion)
                    .where(CaseAnswer.case == case).order_by(CaseAnswer.used_at, CaseAnswer.id))
        return [(r.purpose, to_text(r.version)) for r in rows]
