"""The monthly report as an Excel workbook (openpyxl, imported only here): a sheet per
table and 事项清单, frozen headers, numbers as numbers, dates as dates, ID numbers masked unless a
leader asks otherwise."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from xinfang_desk.core.cases.search import field_paths, petitioner_names
from xinfang_desk.core.people.access import visible_cases_clause
from xinfang_desk.core.report.figures import Report, received_between
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import mask_id
from xinfang_desk.core.store.db import storage_errors
from xinfang_desk.core.store.models import Case, CasePetitioner, Petitioner


def _period_cases(start: dt.date, end: dt.date, masked: bool) -> list[list]:
    # Confidential cases the user may not see are not listed (they are still counted).
    rows = list(Case.select(Case.id, Case.case_no, Case.received_on, Case.channel,
                            Case.category, Case.field, Case.summary, Case.status,
                            Case.confidential)
                .where(received_between(start, end) & visible_cases_clause())
                .order_by(Case.received_on, Case.case_no).tuples())
    ids = [r[0] for r in rows]
    names = petitioner_names(ids)
    first_id: dict[int, str] = {}
    for chunk in range(0, len(ids), 500):
        query = (CasePetitioner.select(CasePetitioner.case, Petitioner.id_number)
                 .join(Petitioner).where(CasePetitioner.case.in_(ids[chunk:chunk + 500]))
                 .order_by(CasePetitioner.case, CasePetitioner.position, CasePetitioner.id))
        for cid, number in query.tuples():
            first_id.setdefault(cid, number or "")
    paths = field_paths()
    out = []
    for cid, no, received, channel, category, field_id, summary, status, confidential in rows:
        number = first_id.get(cid, "")
        who = names.get(cid, "")
        if masked:
            number = mask_id(number) if number else ""
            if confidential:
                who = "（保密）"
        top = paths.get(field_id, "").split("/")[0] if field_id else ""
        out.append([no, received, channel, category, top, summary,
                    v.STATUS_LABELS.get(status, status), who, number])
    return out


def _sheet(wb, title: str, header: list[str], rows: list[list], widths: list[int]):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    return ws


def _share_rows(counts: dict[str, int], total: int) -> list[list]:
    return [[k, n, (n / total if total else None)] for k, n in counts.items()]


def write_xlsx(report: Report, path, *, cases_masked: bool = True) -> None:
    """The workbook: 总览, 按形式, 按类别, 按领域, 按单位, 满意度, 事项清单. Numbers are numbers
    (rates as fractions with a percent format), dates are dates; written to a temporary file
    in the same folder and moved into place."""
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    r = report
    overview = [
        ["统计期间", f"{r.start:%Y-%m-%d} 至 {r.end:%Y-%m-%d}", None, None],
        ["受理登记信访事项（件）", r.received_total, r.previous.get("received_total"),
         r.change.get("received_total")],
        ["集体访（批）", r.group_visits, None, None],
        ["集体访人数", r.group_people, None, None],
        ["涉及人数（人次）", r.people_involved, None, None],
        ["重复来访（次）", r.repeat_visits, None, None],
        ["转送、交办（次）", r.forwarded, r.previous.get("forwarded"), r.change.get("forwarded")],
        ["催办（次）", r.chased, None, None],
        ["收到承办单位反馈（次）", r.feedback_received, None, None],
        ["15日内告知/转送应告知（件）", r.notice_due, None, None],
        ["其中按期（件）", r.notice_on_time, None, None],
        ["15日内告知/转送按期率", r.notice_on_time_rate, r.previous.get("notice_on_time_rate"),
         r.change.get("notice_on_time_rate")],
        ["答复（件次）", r.replies, None, None],
        ["其中60日内按期（件次）", r.handling_on_time, None, None],
        ["60日内办结按期率", r.handling_on_time_rate, r.previous.get("handling_on_time_rate"),
         r.change.get("handling_on_time_rate")],
        ["期末超期事项（件）", r.overdue_at_end, r.previous.get("overdue_at_end"),
         r.change.get("overdue_at_end")],
        ["延期（次）", r.extensions, None, None],
        *[[f"建议{k}（件）", n, None, None] for k, n in r.adoption.items()],
        ["申请复查（件）", r.review_requests, None, None],
        ["申请复核（件）", r.rereview_requests, None, None],
        ["满意率", r.satisfaction_rate, r.previous.get("satisfaction_rate"),
         r.change.get("satisfaction_rate")],
    ]
    rate_rows = {"15日内告知/转送按期率", "60日内办结按期率", "满意率"}
    ws = _sheet(wb, "总览", ["项目", "本期", "上期", "增减"], overview, [30, 24, 12, 12])
    for row in ws.iter_rows(min_row=2):
        if row[0].value in rate_rows:
            for cell in row[1:]:
                cell.number_format = "0.0%"
        for cell in row[1:]:
            if cell.value is None and cell.column > 1 and row[0].value in rate_rows:
                cell.value = "—"
    total = r.received_total
    for title, key, counts in (("按形式", "信访形式", r.by_channel),
                               ("按类别", "信访类别", r.by_category),
                               ("按领域", "涉及领域", r.by_field),
                               ("按单位", "承办单位", r.by_unit)):
        ws = _sheet(wb, title, [key, "件数", "占比"], _share_rows(counts, total), [24, 10, 10])
        for (cell,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
            cell.number_format = "0.0%"
    ws = _sheet(wb, "满意度", ["评价", "件数"],
                [[k, n] for k, n in r.satisfaction.items()] + [["满意率", r.satisfaction_rate
                                                                if r.satisfaction_rate is not None
                                                                else "—"]], [16, 10])
    ws.cell(row=ws.max_row, column=2).number_format = "0.0%"
    with storage_errors():
        cases = _period_cases(r.start, r.end, cases_masked)
    id_header = "证件号码（已遮蔽）" if cases_masked else "证件号码"
    ws = _sheet(wb, "事项清单", ["事项编号", "收到日期", "信访形式", "信访类别", "涉及领域",
                                 "事项摘要", "状态", "信访人", id_header],
                cases, [16, 12, 10, 10, 12, 40, 12, 20, 22])
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.number_format = "yyyy-mm-dd"

    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    try:
        wb.save(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
