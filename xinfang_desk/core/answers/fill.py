"""Filling an answer's placeholders ({姓名}, {受理日期} …) from a case or the intake form.

A value that is not known is never printed as "{受理日期}" nor silently dropped: it is left as
【缺：受理日期】 and named in `Filled.missing`, so the clerk sees what to complete before the
text goes to the visitor. A placeholder the program does not know is marked 【未知：…】."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from xinfang_desk.core.answers.common import cn_date
from xinfang_desk.core.cases.records import get_visible_case, petitioners_of
from xinfang_desk.core.deadlines.engine import default_promised_reply
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.db import storage_errors

PLACEHOLDERS: dict[str, str] = {
    "{姓名}": "信访人姓名（多人时为“某某等N人”）",
    "{事项}": "事项摘要",
    "{受理日期}": "受理日期",
    "{登记日期}": "收到（登记）日期",
    "{承办单位}": "承办单位",
    "{答复期限}": "约定或法定的答复日期",
    "{编号}": "案件编号",
    "{查询码}": "查询码",
    "{本机关}": "本机关名称（设置中的单位名称）",
    "{今天}": "今天的日期",
}
KNOWN = frozenset(key[1:-1] for key in PLACEHOLDERS)
# Half- or full-width braces, spaces inside tolerated: "{ 姓名 }" and "｛姓名｝" are placeholders too.
_PLACEHOLDER = re.compile(r"[{｛][ \t　]*([^{}｛｝\n]{1,20}?)[ \t　]*[}｝]")


@dataclass(frozen=True)
class Filled:
    text: str                  # placeholders resolved; a missing value left as 【缺：受理日期】
    missing: tuple[str, ...]   # known placeholders without a value, e.g. ("受理日期",)
    unknown: tuple[str, ...]   # placeholders the program does not know, marked 【未知：…】

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unknown


def fill(body: str, values: dict[str, str]) -> Filled:
    """`body` with each placeholder replaced by its value. `values` is keyed by the name
    ("姓名") or the placeholder ("{姓名}")."""
    clean = {}
    for key, value in (values or {}).items():
        name = key[1:-1] if key.startswith("{") and key.endswith("}") else key
        clean[name.strip()] = "" if value is None else str(value).strip()
    missing: list[str] = []
    unknown: list[str] = []

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name not in KNOWN and name not in clean:
            if name not in unknown:
                unknown.append(name)
            return f"【未知：{name}】"
        value = clean.get(name, "")
        if not value:
            if name not in missing:
                missing.append(name)
            return f"【缺：{name}】"
        return value

    return Filled(text=_PLACEHOLDER.sub(one, body or ""), missing=tuple(missing),
                  unknown=tuple(unknown))


def _names_phrase(names: list[str], people: int | None = None) -> str:
    """"王秀英", or "李建国等36人" for a group (the people involved, not only those named)."""
    names = [n.strip() for n in names if n and n.strip()]
    if not names:
        return ""
    count = max(people or 0, len(names))
    return f"{names[0]}等{count}人" if count > 1 else names[0]


def values_for_intake(*, names: list[str], summary: str, received_on: dt.date | None,
                      unit: str, promised_reply_on: dt.date | None,
                      today: dt.date | None = None,
                      people_count: int | None = None) -> dict[str, str]:
    """The placeholder values known while the intake form is typed: no case number or query
    code yet (`fill_numbers` completes them when the case is saved)."""
    today = today or dt.date.today()
    with storage_errors():
        office = settings.get("office_name")
    return {
        "姓名": _names_phrase(list(names or []), people_count), "事项": (summary or "").strip(),
        "受理日期": "", "登记日期": cn_date(received_on), "承办单位": (unit or "").strip(),
        "答复期限": cn_date(promised_reply_on), "编号": "", "查询码": "",
        "本机关": office, "今天": cn_date(today),
    }


def values_for_case(case_no: str, *, today: dt.date | None = None) -> dict[str, str]:
    """The placeholder values of a registered case (the acting user must be able to see it)."""
    today = today or dt.date.today()
    with storage_errors():
        case = get_visible_case(case_no)
        pets = petitioners_of(case)
        reps = [p.name for p, rep in pets if rep] or [p.name for p, _ in pets]
        promised = case.promised_reply_on or default_promised_reply(
            case.received_on, case.disposition, case.accepted_on)
        return {
            "姓名": _names_phrase(reps, case.people_count),
            "事项": case.summary, "受理日期": cn_date(case.accepted_on),
            "登记日期": cn_date(case.received_on),
            "承办单位": case.unit.name if case.unit_id else "",
            "答复期限": cn_date(promised), "编号": case.case_no, "查询码": case.query_code,
            "本机关": settings.get("office_name"), "今天": cn_date(today),
        }


