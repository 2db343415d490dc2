"""Printed documents (PDF, via ReportLab): the receipt with its stub and the office's letters.

Public API (the GUI codes against exactly this):
- DOCUMENTS: code -> Chinese title
- available_documents(case_no, today=None) -> {code: None if it fits the case now, else why not}
- build_document(case_no, doc, *, today=None) -> PDF bytes
- record_printed(case_no, doc, *, on=None, actor="", approval=None) -> adds a `printed` event
- check_print_approval(doc, approval=None) -> approver (PermissionDenied if a leader is needed)
- missing_glyphs(text) -> characters no configured font can draw
"""

from __future__ import annotations

import datetime as dt

from xinfang_desk.core.cases.records import _record_event
from xinfang_desk.core.documents.context import Ctx, load
from xinfang_desk.core.documents.fonts import missing_glyphs
from xinfang_desk.core.errors import WorkflowError, XinfangError
from xinfang_desk.core.people.access import APPROVAL_DOCUMENTS, check_approval
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData

__all__ = ["DOCUMENTS", "available_documents", "build_document", "check_print_approval",
           "missing_glyphs", "record_printed"]

DOCUMENTS: dict[str, str] = {
    "receipt": "回执",
    "register": "来访登记表",
    "accept": "受理告知书",
    "reject": "不予受理告知书",
    "forward": "转送单/交办单",
    "extend": "延期告知书",
    "reply": "答复意见书",
    "adoption": "采纳情况告知书",
    "service": "送达回执",
}

_ACCEPTING = ("受理", "建议记录", "转送", "交办")


def _has(ctx: Ctx, *types: str) -> bool:
    return any(e.type in types for e in ctx.events)


def _reasons(ctx: Ctx) -> dict[str, str | None]:
    c = ctx.case
    out: dict[str, str | None] = {"receipt": None, "register": None}
    if c.disposition in _ACCEPTING or ctx.state.status == v.ACCEPTED:
        out["accept"] = None
    else:
        out["accept"] = f"处理方式为“{c.disposition}”，事项未受理，不能出具受理告知书"
    if c.disposition in ("不予受理", "引导"):
        out["reject"] = None
    else:
        out["reject"] = f"处理方式为“{c.disposition}”，不是不予受理或引导，不能出具不予受理告知书"
    out["forward"] = None if _has(ctx, "forwarded", "assigned") else \
        "事项尚未转送或交办（请先记录转送/交办），不能出具转送单/交办单"
    out["extend"] = None if _has(ctx, "extended") else "事项没有延期记录，不能出具延期告知书"
    replied = _has(ctx, "replied")
    if c.category == v.SUGGESTION:
        out["reply"] = "建议意见类事项应出具采纳情况告知书，而非答复意见书"
        out["adoption"] = None if replied else "建议意见尚未答复（请先记录答复及采纳情况）"
    else:
        out["reply"] = None if replied else "事项尚未答复（请先记录答复），不能出具答复意见书"
        out["adoption"] = f"采纳情况告知书只用于建议意见类事项（本件为{c.category}）"
    out["service"] = None
    return {k: out[k] for k in DOCUMENTS}


def available_documents(case_no: str, today: dt.date | None = None) -> dict[str, str | None]:
    """For each document: None if it fits the case's state now, else the reason (Chinese)."""
    return _reasons(load(case_no, today))


def build_document(case_no: str, doc: str, *, today: dt.date | None = None) -> bytes:
    """The PDF of one document. Raises WorkflowError (the reason) if it does not fit the case,
    XinfangError if some character cannot be printed with the configured fonts."""
    from xinfang_desk.core.documents import letters, receipt

    if doc not in DOCUMENTS:
        raise XinfangError(f"未知的文书类型“{doc}”，应为{'、'.join(DOCUMENTS)}之一")
    ctx = load(case_no, today)
    reason = _reasons(ctx)[doc]
    if reason:
        raise WorkflowError(reason)
    builders = {
        "receipt": receipt.build, "register": letters.register, "accept": letters.accept,
        "reject": letters.reject, "forward": letters.forward, "extend": letters.extend,
        "reply": letters.reply, "adoption": letters.adoption, "service": letters.service,
    }
    return builders[doc](ctx)


def check_print_approval(doc: str, approval=None) -> str:
    """For the letters that carry a leader's decision (延期告知书, 答复意见书, 采纳情况告知书):
    the approver's username ("" for SYSTEM), or PermissionDenied when neither the acting user
    nor `approval` (a leader authenticated on the spot) may approve. Other documents: ""."""
    if doc not in APPROVAL_DOCUMENTS:
        return ""
    return check_approval(doc, APPROVAL_DOCUMENTS[doc], approval)


def record_printed(case_no: str, doc: str, *, on: dt.date | None = None, actor: str = "",
                   approval=None) -> None:
    """Note on the case's timeline that a document was printed (no change of state).

    Needs `print`; the letters of APPROVAL_DOCUMENTS also a leader (the acting user or
    `approval`, see check_print_approval), whose username goes into the event's approver.
    Audited as `printed` in the same transaction."""
    if doc not in DOCUMENTS:
        raise XinfangError(f"未知的文书类型“{doc}”")
    _record_event(case_no, EventData(type="printed", on=on or dt.date.today(), note=DOCUMENTS[doc]),
                  actor=actor, approval=approval,
                  approval_kind=doc if doc in APPROVAL_DOCUMENTS else "",
                  audit_action="printed", audit_extra={"doc": doc, "title": DOCUMENTS[doc]})
