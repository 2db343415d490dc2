"""Bringing an office's ledger (台账) in: every sheet with a recognised header, row by row.

Unlike the all-or-nothing JSON Lines import, a ledger import takes the good rows and reports
the refused ones (sheet, row, column, value, reason). Rows that are blank, totals (合计) or a
repeated header are skipped and counted; a row already in the database (same person, same
date, same matter) or twice in the file is skipped and reported, so importing the same ledger
twice adds nothing. Records are history: a narrative field today's intake requires may be
missing (imported, marked, listed); an invalid value (a wrong ID check character, a date that
does not exist, an unknown channel) refuses the row.

The accepted rows are written in one transaction (core.cases.batch): a crash, a full disk or
a cancel in the middle leaves the database as it was. One audit row records the import (file
name, SHA-256, counts). A ledger number that fits our numbering (prefix + year + sequence,
the year received, still free) is kept; any other is kept in the notes as 原台账编号.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xinfang_desk.core import session
from xinfang_desk.core.cases.batch import BatchCase, BatchWriter
from xinfang_desk.core.cases.numbering import parse_case_no
from xinfang_desk.core.cases.records import NARRATIVE_LABELS, check_case, history_gaps_text
from xinfang_desk.core.deadlines.engine import current_rules
from xinfang_desk.core.errors import ValidationError, WorkflowError, XinfangError
from xinfang_desk.core.interchange import ledger_values as lv
from xinfang_desk.core.interchange.ledger_columns import (
    FIELD_LABELS,
    Mapping,
    clean_header,
    find_header,
)
from xinfang_desk.core.interchange.ledger_rows import (
    LedgerCase,
    RowContext,
    RowError,
    build_case,
    case_key,
    person_key,
)
from xinfang_desk.core.interchange.sheets import Sheet, SheetError, read_sheets
from xinfang_desk.core.rules.workflow import initial_state, replay
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Case, CasePetitioner, Field, Petitioner, Unit

BATCH = 2000
REASON_HEADER = "未导入原因"  # the column the rejects workbook adds (ignored on re-import)
ROW_HEADER = "原行号"  # and the row number it came from (ignored too)
_OURS = (REASON_HEADER, ROW_HEADER)
NOTES_LABEL = "（记入备注）"
IGNORED_LABEL = "（不导入）"
_TOTAL = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|共\s*计|累\s*计)")
_CHANNEL_HINTS = (("来信", "来信"), ("来电", "来电"), ("网上", "网上"), ("来访", "来访"),
                  ("接访", "来访"))


class ImportCancelled(XinfangError):
    """The clerk cancelled the import; nothing was written."""


@dataclass(frozen=True)
class RowProblem:
    sheet: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.sheet} 第{self.row}行"
        if self.column:
            where += f" {self.column}"
            if self.value:
                where += f"（{self.value}）"
        return f"{where}：{self.reason}"


@dataclass
class SheetPlan:
    name: str
    header_row: int  # 1-based, as the office sees it
    headers: list[str]
    columns: dict[int, str]  # column index -> field key
    data: list[tuple[int, list]]  # (1-based row number, cells) below the header
    ignored: set[int] = field(default_factory=set)  # columns the mapping leaves out

    def kept_in_notes(self) -> list[int]:
        """The columns that mean none of our fields: their values go to the case's notes."""
        return [i for i, h in enumerate(self.headers)
                if h and h not in _OURS and i not in self.columns and i not in self.ignored]


@dataclass
class LedgerReport:
    file: str
    dry_run: bool = False
    sheets: list[str] = field(default_factory=list)
    rows: int = 0  # data rows read (skipped ones included)
    imported: int = 0  # written (or, in a dry run, that would be)
    refused: list[RowProblem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # 空行 / 合计行 / 重复表头
    duplicates: list[RowProblem] = field(default_factory=list)
    mapped: Counter = field(default_factory=Counter)  # (field label, theirs, ours) -> rows
    unmapped: list[str] = field(default_factory=list)  # columns kept in the notes
    columns: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # sheet -> (header, label)
    gaps: Counter = field(default_factory=Counter)  # narrative label -> rows lacking it
    gap_rows: list[tuple[str, int, str]] = field(default_factory=list)
    kept_numbers: int = 0
    new_fields: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    case_nos: list[str] = field(default_factory=list)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        """Something was (or would be) imported, or everything was already there."""
        return self.imported > 0

    def lines(self) -> list[str]:
        """The report as the CLI prints it and the GUI shows it."""
        verb = "可导入" if self.dry_run else "已导入"
        out = [f"{self.file}：读取工作表 {'、'.join(self.sheets)}，数据行 {self.rows} 行；"
               f"{verb} {self.imported} 件，未导入 {len(self.refused)} 行，"
               f"已有或重复 {len(self.duplicates)} 行"
               + "".join(f"，{k} {n} 行" for k, n in sorted(self.skipped.items()) if n) + "。"]
        for sheet, cols in self.columns.items():
            out.append(f"{sheet} 的列：" + "、".join(
                f"{h}→{label or NOTES_LABEL}" for h, label in cols))
        for (label, theirs, ours), n in sorted(self.mapped.items()):
            out.append(f"取值对应：{label}“{theirs}”→“{ours}”（{n} 行）")
        if self.gaps:
            out.append("历史记录，缺少今日登记要求的内容（已导入并标记）："
                       + "、".join(f"{k} {n} 件" for k, n in self.gaps.items()))
        if self.kept_numbers:
            out.append(f"沿用台账编号 {self.kept_numbers} 件")
        if self.new_fields:
            out.append("新增领域：" + "、".join(self.new_fields))
        if self.new_units:
            out.append("新增单位：" + "、".join(self.new_units))
        out.extend(f"未导入 {p}" for p in self.refused)
        out.extend(f"已有 {p}" for p in self.duplicates)
        return out


# --------------------------------------------------------------------------- reading


def _is_blank(cells: list) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _is_total(cells: list) -> bool:
    return any(isinstance(c, str) and _TOTAL.match(c) for c in cells[:4])


def _is_header_again(cells: list, headers: list[str]) -> bool:
    same = sum(1 for c, h in zip(cells, headers, strict=False) if h and clean_header(c) == h)
    return same >= max(2, len([h for h in headers if h]) // 2)


def plan_sheets(sheets: list[Sheet], mapping: Mapping, *, only: str | None = None
                ) -> list[SheetPlan]:
    """The sheets to import (those with a recognised header, or the one named), their header
    and column meanings. SheetError when there is none."""
    if only is not None:
        chosen = [s for s in sheets if s.name == only]
        if not chosen:
            raise SheetError(f"没有名为“{only}”的工作表（有：{'、'.join(s.name for s in sheets)}）")
    else:
        chosen = sheets
    plans = []
    for sheet in chosen:
        header = find_header(sheet.rows)
        if header is None:
            if only is not None:
                raise SheetError(f"工作表“{sheet.name}”的前30行中没有找到表头（应有“登记日期”、"
                                 "“姓名”、“反映问题”等列名），请指定列映射")
            continue
        headers = header.names
        resolved = mapping.resolve(headers)
        for i, h in enumerate(headers):
            if h in _OURS:
                resolved.pop(i, None)
        data = [(n + 1, row) for n, row in enumerate(sheet.rows) if n > header.row]
        ignored = {i for i, h in enumerate(headers) if mapping.columns.get(h) == ""}
        plans.append(SheetPlan(sheet.name, header.row + 1, headers, resolved, data, ignored))
    if not plans:
        raise SheetError("文件中没有找到台账表头（前30行中应有“登记日期”“姓名”“反映问题”等列名）；"
                         "请检查文件，或指定列映射")
    return plans


@dataclass
class SheetPreview:
    """What the import wizard shows of one sheet before anything is decided."""

    name: str
    header_row: int | None  # 1-based; None when no header was recognised
    headers: list[str]
    fields: dict[int, str]  # column index -> field key, as the mapping resolves it
    rows: list[list[str]]  # the first data rows, as text


def preview(path: Path | str, mapping: Mapping | None = None, rows: int = 20) -> list[SheetPreview]:
    """Every sheet of the file with its header and first rows (SheetError if unreadable)."""
    mapping = mapping or Mapping()
    out = []
    for sheet in read_sheets(path):
        header = find_header(sheet.rows)
        if header is None:
            out.append(SheetPreview(sheet.name, None, [], {},
                                    [[lv.text_of(c) for c in r] for r in sheet.rows[:rows]]))
            continue
        data = sheet.rows[header.row + 1:header.row + 1 + rows]
        fields = {i: f for i, f in mapping.resolve(header.names).items()
                  if header.names[i] not in _OURS}
        out.append(SheetPreview(sheet.name, header.row + 1, header.names, fields,
                                [[lv.text_of(c) for c in r] for r in data]))
    return out


# --------------------------------------------------------------------------- the rows


def _field_paths() -> dict[str, str]:
    paths: dict[str, str] = {}
    rows = list(Field.select(Field.id, Field.name, Field.parent).tuples())
    names = {fid: name for fid, name, _ in rows}
    for _fid, name, parent in rows:
        path = f"{names[parent]}/{name}" if parent else name
        paths.setdefault(path, path)
        paths.setdefault(name, path)
    return paths


def _default_channel(*names: str) -> str:
    for name in names:
        for word, channel in _CHANNEL_HINTS:
            if word in (name or ""):
                return channel
    return "其他"


def _column_of(label: str, headers: dict[str, str]) -> str:
    """The ledger column a check_case error names (信访人姓名 -> the 姓名 column)."""
    label = re.sub(r"^(第\d+位)?信访人", "", label)
    for key, field_label in FIELD_LABELS.items():
        if key in headers and label in (field_label, headers[key]):
            return headers[key]
    lookup = {"事项摘要": "summary", "诉求": "request", "事实": "facts", "信访形式": "channel",
              "信访类别": "category", "涉及领域": "field", "承办单位": "unit", "收到日期": "received_on",
              "身份证号": "id_number", "联系电话": "phone", "备用电话": "phone", "住址": "address",
              "涉及人数": "people_count", "到场代表人数": "people_count", "姓名": "names",
              "接待人": "clerk", "答复内容": "result", "不予受理理由": "result",
              "应向何处反映": "result"}
    key = lookup.get(label)
    return headers.get(key, label) if key else label


def _cases_of(plans: list[SheetPlan], report: LedgerReport, file_name: str,
              today: dt.date, values: dict) -> list[LedgerCase]:
    field_paths = _field_paths()
    out: list[LedgerCase] = []
    for plan in plans:
        headers = {key: plan.headers[i] for i, key in plan.columns.items()}
        report.sheets.append(plan.name)
        report.columns[plan.name] = [
            (h, FIELD_LABELS[plan.columns[i]] if i in plan.columns else
             (IGNORED_LABEL if i in plan.ignored else ""))
            for i, h in enumerate(plan.headers) if h and h not in _OURS]
        extra_cols = plan.kept_in_notes()
        for i in extra_cols:
            h = plan.headers[i]
            name = f"{plan.name}：{h}" if len(plans) > 1 else h
            if name not in report.unmapped:
                report.unmapped.append(name)
        ctx = RowContext(sheet=plan.name, headers=headers,
                         year=lv.year_hint(plan.name, Path(file_name).stem),
                         default_channel=_default_channel(plan.name, file_name),
                         values=values, field_paths=field_paths, today=today)
        for row_no, cells in plan.data:
            report.rows += 1
            if _is_blank(cells):
                report.skipped["空行"] += 1
                continue
            if _is_header_again(cells, plan.headers):
                report.skipped["重复表头"] += 1
                continue
            if _is_total(cells):
                report.skipped["合计行"] += 1
                continue
            by_field = {key: cells[i] if i < len(cells) else None for i, key in plan.columns.items()}
            extra = [(plan.headers[i], cells[i] if i < len(cells) else None) for i in extra_cols]
            try:
                case = build_case(ctx, row_no, by_field, extra)
            except RowError as exc:
                report.refused.append(RowProblem(plan.name, row_no, exc.column, exc.value, exc.reason))
                continue
            out.append(case)
    return out


@dataclass
class _Ready:
    case: LedgerCase
    item: BatchCase


def _check(cases: list[LedgerCase], report: LedgerReport, today: dt.date) -> list[_Ready]:
    window_end = current_rules().window_end
    ready = []
    for case in cases:
        headers = case.headers
        try:
            checked = check_case(case.data, today=today, historical=True)
        except ValidationError as exc:
            first = exc.errors[0]
            column = _column_of(first.field, headers)
            report.refused.append(RowProblem(case.sheet, case.row, column, "",
                                             "；".join(f"{e.field}{e.reason}" if e is not first
                                                       else e.reason for e in exc.errors)))
            continue
        state = initial_state(category=case.data.category, disposition=case.data.disposition,
                              channel=case.data.channel, received_on=case.data.received_on,
                              accepted_on=case.data.accepted_on)
        try:
            state = replay(state, case.events, window_end)
        except WorkflowError as exc:
            report.refused.append(RowProblem(case.sheet, case.row, headers.get("result", "办理情况"),
                                             "", f"办理过程无法记入：{exc}"))
            continue
        case.key = case_key(case.data.received_on,
                            [person_key(p.name, p.id_number) for p in checked.petitioners],
                            case.data.summary)
        ready.append(_Ready(case, BatchCase(checked, case.events, state)))
    return ready


def _existing_keys(ready: list[_Ready]) -> set[tuple]:
    """The keys of the cases already in the database on the ledger's dates."""
    if not ready:
        return set()
    days = sorted({r.case.data.received_on for r in ready})
    names: dict[int, list[str]] = {}
    heads: dict[int, tuple] = {}
    query = (Case.select(Case.id, Case.received_on, Case.summary, Petitioner.name,
                         Petitioner.id_number)
             .join(CasePetitioner, on=(CasePetitioner.case == Case.id))
             .join(Petitioner, on=(CasePetitioner.petitioner == Petitioner.id))
             .where(Case.received_on.between(days[0], days[-1])))
    wanted = set(days)
    for cid, received, summary, name, id_number in query.tuples():
        received = received if isinstance(received, dt.date) else dt.date.fromisoformat(str(received)[:10])
        if received not in wanted:
            continue
        heads[cid] = (received, summary)
        names.setdefault(cid, []).append(person_key(name, id_number))
    return {case_key(day, names[cid], summary) for cid, (day, summary) in heads.items()}


def _numbers(ready: list[_Ready], report: LedgerReport) -> None:
    """Keep the ledger numbers that fit ours; note the others as 原台账编号."""
    prefix = settings.get("case_prefix")
    wanted: dict[str, _Ready] = {}
    for r in ready:
        no = r.case.ledger_no.strip()
        if not no:
            continue
        parsed = parse_case_no(no)
        fits = (parsed is not None and parsed[0] == prefix
                and parsed[1] == r.case.data.received_on.year and no not in wanted
                and re.fullmatch(re.escape(prefix) + r"\d{4}-\d{6}", no))
        if fits:
            wanted[no] = r
        else:
            _note(r, f"原台账编号：{no}")
    taken: set[str] = set()
    numbers = list(wanted)
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        taken.update(n for (n,) in Case.select(Case.case_no).where(Case.case_no.in_(chunk)).tuples())
    for no, r in wanted.items():
        if no in taken:
            _note(r, f"原台账编号：{no}（本机已有此编号，已另编）")
        else:
            r.item.case_no = no
            report.kept_numbers += 1


def _note(ready: _Ready, line: str) -> None:
    data = ready.item.checked.data
    data.notes = "\n".join(filter(None, [line, data.notes]))


def _new_names(ready: list[_Ready]) -> tuple[list[str], list[str]]:
    """The fields and units the import would create (for a dry run)."""
    paths = set(_field_paths())
    units = {name for (name,) in Unit.select(Unit.name).tuples()}
    new_fields, new_units = [], []
    for r in ready:
        data = r.item.checked.data
        if data.field and data.field not in paths and data.field not in new_fields:
            new_fields.append(data.field)
        for name in [data.unit] + [e.unit for e in r.item.events]:
            if name and name not in units and name not in new_units:
                new_units.append(name)
    return new_fields, new_units


# --------------------------------------------------------------------------- the import


def import_ledger(path: Path | str, *, sheet: str | None = None, mapping: Mapping | None = None,
                  dry_run: bool = False, today: dt.date | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> LedgerReport:
    """Import a ledger (.xlsx, .xls, .csv); see the module doc. `progress(done, total)` is
    called as batches are written; `cancelled()` returning True stops the import with
    ImportCancelled, nothing written. Needs `register`."""
    session.require("register")
    path = Path(path)
    today = today or dt.date.today()
    mapping = mapping or Mapping()
    report = LedgerReport(file=path.name, dry_run=dry_run)
    sheets = read_sheets(path)
    report.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    plans = plan_sheets(sheets, mapping, only=sheet)
    with storage_errors():
        cases = _cases_of(plans, report, path.name, today, mapping.values)
        for case in cases:
            for item in case.mapped:
                report.mapped[item] += 1
        ready = _check(cases, report, today)
        existing = _existing_keys(ready)
        seen: dict[tuple, tuple[str, int]] = {}
        unique = []
        for r in ready:
            key = r.case.key
            where = RowProblem(r.case.sheet, r.case.row, "", "", "")
            if key in existing:
                report.duplicates.append(RowProblem(where.sheet, where.row, "", "",
                                                    "同一人同一天的同一事项已在本机数据中，未重复导入"))
            elif key in seen:
                s, n = seen[key]
                report.duplicates.append(RowProblem(where.sheet, where.row, "", "",
                                                    f"与{s} 第{n}行重复（同一人同一天的同一事项）"))
            else:
                seen[key] = (r.case.sheet, r.case.row)
                unique.append(r)
        _numbers(unique, report)
        for r in unique:
            missing = r.item.checked.missing
            if missing:
                report.gaps.update(missing)
                report.gap_rows.append((r.case.sheet, r.case.row, history_gaps_text(missing)))
        report.gaps = Counter({k: report.gaps[k] for k in NARRATIVE_LABELS if report.gaps[k]})
        report.refused.sort(key=lambda p: (report.sheets.index(p.sheet), p.row))
        if dry_run:
            report.imported = len(unique)
            report.new_fields, report.new_units = _new_names(unique)
            return report
        if not unique:
            return report
        with write_transaction():
            writer = BatchWriter()
            writer.reserve(r.item.case_no for r in unique)
            for start in range(0, len(unique), BATCH):
                if cancelled is not None and cancelled():
                    raise ImportCancelled("已取消导入，未写入任何数据")
                writer.write([r.item for r in unique[start:start + BATCH]])
                if progress is not None:
                    progress(min(start + BATCH, len(unique)), len(unique))
            totals = writer.finish()
            report.imported = totals.cases
            report.case_nos = totals.case_nos
            report.new_fields, report.new_units = totals.new_fields, totals.new_units
            audit.record("imported", path.name[:64], {
                "format": "ledger", "file": path.name, "sha256": report.sha256,
                "sheets": report.sheets, "rows": report.rows, "imported": report.imported,
                "refused": len(report.refused), "duplicates": len(report.duplicates),
                "skipped": sum(report.skipped.values()),
                "first": totals.case_nos[0], "last": totals.case_nos[-1]})
    return report


def write_rejects(report: LedgerReport, plans_source: Path | str, out: Path | str, *,
                  mapping: Mapping | None = None, sheet: str | None = None) -> int:
    """The refused rows, under their own headers with a 未导入原因 column, as a workbook the
    clerk corrects and imports again (the reason column is ignored then). Returns the rows."""
    from openpyxl import Workbook  # only when a workbook is written

    from xinfang_desk.core import atomic

    plans = plan_sheets(read_sheets(plans_source), mapping or Mapping(), only=sheet)
    by_row: dict[tuple[str, int], list[str]] = {}
    for p in report.refused:
        by_row.setdefault((p.sheet, p.row), []).append(
            f"{p.column}（{p.value}）：{p.reason}" if p.value else
            (f"{p.column}：{p.reason}" if p.column else p.reason))
    wb = Workbook()
    wb.remove(wb.active)
    written = 0
    for plan in plans:
        rows = [(n, cells) for n, cells in plan.data if (plan.name, n) in by_row]
        if not rows:
            continue
        ws = wb.create_sheet(plan.name[:31])
        ws.append([ROW_HEADER, *plan.headers, REASON_HEADER])
        for n, cells in rows:
            values = [_cell_for_excel(c) for c in cells]
            values += [None] * (len(plan.headers) - len(values))
            ws.append([n, *values[:len(plan.headers)], "；".join(by_row[(plan.name, n)])])
            for cell in ws[ws.max_row][1:len(plan.headers) + 1]:
                if isinstance(cell.value, str):
                    cell.number_format = "@"  # a corrected ID number stays text
            written += 1
    if not written:
        ws = wb.create_sheet("未导入")
        ws.append(["没有未导入的行"])
    with atomic.replacing(Path(out)) as tmp:
        wb.save(tmp)
    return written


def _cell_for_excel(value):
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value
