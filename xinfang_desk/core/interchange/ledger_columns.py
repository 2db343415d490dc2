"""The columns of an office's ledger (台账): which row is the header, what each column means,
and the mapping a clerk saves for their own layout.

Ledgers start with title rows ("某某县信访局2026年来访登记台账"), merged header cells and group
headers ("信访人情况" over 姓名/身份证号码/联系电话); the header is the row among the first 30
whose cells name the most known columns, a cell left empty there taking the text above it (a
header merged over two rows). Column names are matched after removing spaces, line breaks and
bracketed remarks ("身份证号码（18位）"): exactly, else by the longest known name they contain.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from xinfang_desk.core import atomic
from xinfang_desk.core.errors import XinfangError

MAPPING_FORMAT = "xinfang-desk-ledger-mapping"
HEADER_SCAN_ROWS = 30
MIN_HEADER_HITS = 3

# Our fields: key -> (label, the column names offices use). "" (IGNORE) keeps a column out.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ledger_no": ("原台账编号", ("序号", "编号", "登记编号", "案件编号", "流水号", "信访编号",
                               "登记号", "件号")),
    "received_on": ("登记日期", ("登记日期", "来访日期", "来信日期", "来电日期", "收到日期",
                                "收信日期", "受理日期", "日期", "时间", "来访时间", "登记时间",
                                "接访日期", "接待日期", "信访日期")),
    "names": ("姓名", ("姓名", "来访人", "信访人", "来访人姓名", "信访人姓名", "反映人",
                      "当事人", "来信人", "来电人", "姓名或单位", "名称")),
    "id_number": ("身份证号码", ("身份证号码", "身份证号", "证件号码", "身份证", "公民身份号码",
                              "证件号")),
    "phone": ("联系电话", ("联系电话", "电话", "手机", "联系方式", "手机号码", "电话号码",
                         "手机号")),
    "address": ("住址", ("住址", "家庭住址", "地址", "现住址", "户籍地址", "居住地址",
                       "单位或住址", "联系地址", "通讯地址")),
    "people_count": ("来访人数", ("来访人数", "人数", "涉及人数", "来访人次", "到访人数")),
    "channel": ("信访形式", ("信访形式", "来访方式", "信访方式", "信访渠道", "渠道", "来源",
                           "信访来源", "方式")),
    "category": ("问题类别", ("问题类别", "信访类别", "类别", "问题性质", "性质", "事项类别",
                            "信访性质", "诉求类别")),
    "field": ("涉及领域", ("涉及领域", "领域", "问题领域", "所属领域", "业务领域", "问题分类",
                         "事项分类", "内容分类")),
    "summary": ("反映问题", ("反映问题", "信访事项", "反映内容", "主要问题", "事由", "来访事由",
                           "问题", "内容", "简要内容", "信访内容", "主要内容", "反映事项",
                           "来信内容", "来电内容", "事项")),
    "request": ("诉求", ("诉求", "请求", "主要诉求", "要求", "信访诉求", "具体诉求")),
    "facts": ("事实", ("事实", "事实和理由", "事实与理由", "基本情况", "具体情况", "情况")),
    "unit": ("承办单位", ("承办单位", "交办单位", "责任单位", "办理单位", "转办单位", "转送单位",
                        "处理单位", "交办部门", "承办部门", "责任部门", "转交单位")),
    "result": ("办理情况", ("办理情况", "办理结果", "处理情况", "处理结果", "答复情况",
                          "办理结果及答复情况", "处理意见", "办理意见", "答复意见", "办理进度",
                          "落实情况")),
    "status": ("是否办结", ("是否办结", "办结情况", "办理状态", "状态", "办结")),
    "closed_on": ("办结日期", ("办结日期", "办结时间", "答复日期", "完成日期", "结案日期",
                             "办结日", "答复时间")),
    "satisfaction": ("是否满意", ("是否满意", "满意度", "满意情况", "群众满意度", "评价",
                                "满意度评价", "回访情况")),
    "clerk": ("接待人", ("接待人", "登记人", "经办人", "接待人员", "接访人", "记录人")),
    "notes": ("备注", ("备注", "说明", "附注")),
}
IGNORE = ""
FIELD_LABELS = {key: label for key, (label, _) in FIELDS.items()}
_SYNONYMS = sorted(((name, key) for key, (_, names) in FIELDS.items() for name in names),
                   key=lambda pair: -len(pair[0]))
_EXACT = {name: key for name, key in _SYNONYMS}
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_SPACES = re.compile(r"[\s\u3000]+")


def clean_header(text) -> str:
    """A header cell as written, tidied: no line breaks or repeated spaces."""
    if text is None:
        return ""
    return _SPACES.sub(" ", str(text)).strip()


def _key_text(text: str) -> str:
    return _SPACES.sub("", _BRACKETS.sub("", text)).replace("：", "").replace(":", "")


def guess_field(header: str) -> str | None:
    """Our field for a column named `header`, or None if the name is not known."""
    key = _key_text(clean_header(header))
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for name, field_key in _SYNONYMS:  # longest first: 反映问题及诉求 is the matter
        if len(name) >= 2 and name in key:
            return field_key
    return None


@dataclass
class Header:
    row: int  # 0-based index of the header row in the sheet; data starts below it
    names: list[str]  # one per column (merged cells filled in from the row above)


def find_header(rows: list[list]) -> Header | None:
    """The header row: among the first HEADER_SCAN_ROWS, the one naming the most known
    columns (at least MIN_HEADER_HITS, one of them the date or the name). None if none does."""
    best: tuple[int, int] | None = None
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        names = _merged_names(rows, i)
        hits = {guess_field(n) for n in names} - {None}
        if len(hits) >= MIN_HEADER_HITS and hits & {"received_on", "names"}:
            if best is None or len(hits) > best[1]:
                best = (i, len(hits))
    if best is None:
        return None
    return Header(best[0], _merged_names(rows, best[0]))


def _merged_names(rows: list[list], i: int) -> list[str]:
    row = rows[i]
    above = rows[i - 1] if i > 0 else []
    names = []
    for c in range(max(len(row), len(above))):
        name = clean_header(row[c]) if c < len(row) else ""
        if not name and c < len(above):
            name = clean_header(above[c])  # a header cell merged over this row and the one above
        names.append(name)
    return names


@dataclass
class Mapping:
    """What each column means (column name -> field key, IGNORE to leave it out; a column not
    named here is guessed) and the office's own words for our values (field -> word -> ours),
    saved by name so that next year's ledger imports the same way."""

    name: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def field_of(self, header: str) -> str | None:
        header = clean_header(header)
        if header in self.columns:
            return self.columns[header] or None
        return guess_field(header)

    def resolve(self, headers: list[str]) -> dict[int, str]:
        """Column index -> field; when two columns mean the same field, the first wins (the
        others go to the notes)."""
        out: dict[int, str] = {}
        taken: set[str] = set()
        for i, h in enumerate(headers):
            key = self.field_of(h) if h else None
            if key and key not in taken:
                out[i] = key
                taken.add(key)
        return out

    def as_json(self) -> dict:
        return {"format": MAPPING_FORMAT, "version": 1, "name": self.name,
                "columns": dict(self.columns), "values": {k: dict(v) for k, v in self.values.items()}}


def load_mapping(path: Path | str) -> Mapping:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise XinfangError(f"找不到列映射文件 {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise XinfangError(f"列映射文件 {path.name} 无法读取（应为 UTF-8 的 JSON）：{exc}") from exc
    if not isinstance(data, dict) or data.get("format") != MAPPING_FORMAT:
        raise XinfangError(f"{path.name} 不是信访接待台的列映射文件（format 应为 {MAPPING_FORMAT}）")
    columns = data.get("columns") or {}
    values = data.get("values") or {}
    if not isinstance(columns, dict) or not isinstance(values, dict):
        raise XinfangError(f"列映射文件 {path.name} 的 columns 和 values 应为对象")
    bad = sorted({str(k) for k in columns.values() if k not in FIELDS and k != IGNORE})
    if bad:
        raise XinfangError(f"列映射文件 {path.name} 中有未知的字段：{'、'.join(bad)}；可用的字段："
                           + "、".join(FIELDS))
    return Mapping(name=str(data.get("name") or path.stem),
                   columns={clean_header(k): str(v) for k, v in columns.items()},
                   values={str(f): {str(a): str(b) for a, b in (m or {}).items()}
                           for f, m in values.items() if isinstance(m, dict)})


def save_mapping(mapping: Mapping, path: Path | str) -> None:
    atomic.write_text(Path(path), json.dumps(mapping.as_json(), ensure_ascii=False, indent=1) + "\n")


_BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def saved_mappings(folder: Path) -> list[str]:
    """The names of the mappings saved in `folder` (DataDir.mappings), sorted."""
    try:
        return sorted(p.stem for p in Path(folder).glob("*.json"))
    except OSError:
        return []


def save_named_mapping(mapping: Mapping, folder: Path) -> Path:
    """Save under its name (e.g. 本局台账2025) in `folder`; a name a file cannot have is refused."""
    name = (mapping.name or "").strip()
    if not name or _BAD_NAME.search(name) or name in (".", ".."):
        raise XinfangError("映射名称不能为空，也不能含有 \\ / : * ? \" < > | 等字符")
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / f"{name}.json"
    save_mapping(mapping, path)
    return path


def load_named_mapping(name: str, folder: Path) -> Mapping:
    return load_mapping(Path(folder) / f"{name}.json")
