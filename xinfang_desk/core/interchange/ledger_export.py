"""The cases written back as the office's own ledger (台账): an Excel workbook with the office's
columns in the office's order (from the saved column mapping), or our standard layout.

One sheet, a title row above the header (as offices keep them), dates as dates, ID numbers and
phones as text (never as numbers that Excel would round), the 办理情况 in words. The file is
written atomically. Importing it again into the same data directory adds nothing (every row
is a case already there). Needs `export`; unmasked ID numbers only for a leader; audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xinfang_desk.core import atomic, session
from xinfang_desk.core.cases.detail import describe_event
from xinfang_desk.core.deadlines.engine import current_rules
from xinfang_desk.core.interchange.jsonl import case_records
from xinfang_desk.core.interchange.ledger_columns import FIELDS, IGNORE, Mapping, guess_field
from xinfang_desk.core.people.access import FULL_DATA
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData, initial_state, replay_lenient
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import storage_errors

STANDARD = ("序号", "登记日期", "姓名", "身份证号码", "联系电话", "住址", "来访人数", "信访形式",
            "反映问题", "诉求", "问题类别", "涉及领域", "承办单位", "办理情况", "是否办结", "办结日期",
            "是否满意", "接待人", "备注")
_TEXT = ("id_number", "phone", "ledger_no")
_CLOSING = ("closed", "ledger_closed", "rereview_answered")
_SHOWN_EVENTS = ("forwarded", "assigned", "notified", "feedback", "extended", "replied",
                 "review_requested", "review_answered", "rereview_requested",
                 "rereview_answered", "closed", "ledger_closed", "reopened")


def layout(mapping: Mapping | None) -> list[tuple[str, str]]:
    """(header, field) in the order the office's ledger has them: the mapped columns of the
    saved mapping (columns it leaves out are left out), else the standard layout."""
    if mapping is not None:
        cols = [(h, f) for h, f in mapping.columns.items() if f and f != IGNORE and f in FIELDS]
        if cols:
            return cols
    return [(h, guess_field(h)) for h in STANDARD]


def _event(e: dict) -> EventData:
    day = dt.date.fromisoformat
    return EventData(type=e["type"], on=day(e["on"]), unit=e.get("unit") or "",
                     deadline=day(e["deadline"]) if e.get("deadline") else None,
                     days=e.get("days"), reason=e.get("reason") or "",
                     outcome=e.get("outcome") or "", rating=e.get("rating") or "",
                     note=e.get("note") or "", ref=e.get("ref") or "",
                     approver=e.get("approver") or "")


def _row_values(rec: dict, window_end) -> dict[str, object]:
    events = [_event(e) for e in rec["events"]]
    received = dt.date.fromisoformat(rec["received_on"])
    state, _ = replay_lenient(initial_state(
        category=rec["category"], disposition=rec["disposition"], channel=rec["channel"],
        received_on=received, accepted_on=dt.date.fromisoformat(rec["accepted_on"])
        if rec["accepted_on"] else None), events, window_end)
    people = rec["petitioners"]
    first = people[0] if people else {}
    done = [e for e in events if e.type in _CLOSING]
    closed_on = state.closed_on if state.status == v.CLOSED else None
    if done and state.status == v.CLOSED:
        closed_on = done[-1].on
    words = {"当场答复": f"当场答复：{rec['answer']}", "不予受理": f"不予受理：{rec['reject_reason']}",
             "引导": f"引导：{rec['approach']}"}
    result = [words[rec["disposition"]]] if rec["disposition"] in words else []
    result += [describe_event(e) for e in events if e.type in _SHOWN_EVENTS]
    ratings = [e.rating for e in events if e.type == "satisfaction"]
    notes = rec.get("notes", "")
    if rec.get("history_gaps"):
        notes = "\n".join(filter(None, [f"历史导入，缺：{'、'.join(rec['history_gaps'])}", notes]))
    return {
        "ledger_no": rec["case_no"], "received_on": received,
        "names": "、".join(p["name"] for p in people),
        "id_number": "、".join(p["id_number"] for p in people if p.get("id_number")),
        "phone": "、".join(p["phone"] for p in people if p.get("phone")),
        "address": first.get("address", ""), "people_count": rec["people_count"],
        "channel": rec["channel"], "category": rec["category"], "field": rec["field"] or "",
        "summary": rec["summary"], "request": rec["request"], "facts": rec["facts"],
        "unit": rec["unit"] or "", "result": "；".join(filter(None, result)),
        "status": "是" if state.status == v.CLOSED else "否", "closed_on": closed_on,
        "satisfaction": ratings[-1] if ratings else "", "clerk": rec["clerk"], "notes": notes,
    }


def export_ledger(path: Path | str, *, mapping: Mapping | None = None, masked: bool = False,
                  today: dt.date | None = None) -> int:
    """Write every case the acting user may see as a ledger workbook; returns the rows."""
    from openpyxl import Workbook  # only when a workbook is written
    from openpyxl.styles import Alignment, Font

    actor = session.require("export")
    if not masked and not actor.can(FULL_DATA):
        raise session.PermissionDenied(
            "导出含完整证件号码和电话的台账须由负责人操作；接待员请选择遮蔽号码的导出。")
    today = today or dt.date.today()
    cols = layout(mapping)
    with storage_errors():
        records = case_records(masked=masked)
        window_end = current_rules().window_end
        office = settings.get("office_name")
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    title = f"{office or ''}信访事项台账（导出于{today:%Y年%m月%d日}）"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(cols), 1))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append([h for h, _ in cols])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A3"
    for rec in records:
        values = _row_values(rec, window_end)
        ws.append([values.get(f, "") for _, f in cols])
        row = ws[ws.max_row]
        for (_, f), cell in zip(cols, row, strict=True):
            if f in _TEXT:
                cell.number_format = "@"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    widths = {"received_on": 12, "closed_on": 12, "names": 14, "id_number": 21, "phone": 15,
              "summary": 36, "result": 40, "notes": 30, "address": 24}
    for i, (_, f) in enumerate(cols, start=1):
        ws.column_dimensions[ws.cell(2, i).column_letter].width = widths.get(f, 10)
    details = {"count": len(records), "masked": masked, "target": Path(path).name,
               "format": "ledger"}
    with audit.recorded("exported", "", details), atomic.replacing(Path(path)) as tmp:
        wb.save(tmp)
    return len(records)
