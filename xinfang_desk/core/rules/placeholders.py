"""The marks an unfinished text carries (【缺：…】, 【未知：…】, 【请…】), which must never reach a
receipt or a letter, and the case number and query code that fill the two marks only a saved
case can fill."""

from __future__ import annotations

import re


def fill_numbers(text: str, case_no: str, query_code: str) -> str:
    """An on-the-spot answer chosen at intake, with the case number and query code that only
    exist once the case is saved put where the answer left them marked missing."""
    return (text or "").replace("【缺：编号】", case_no).replace("【缺：查询码】", query_code)


# What an answer filled from the library leaves for the clerk: a value not known (【缺：受理日期】),
# a placeholder not known (【未知：…】), or an instruction written into the answer (【请写明…】).
_GAP = re.compile(r"【(?:缺：[^】]+|未知：[^】]+|请[^】]*)】")


FILLED_ON_SAVE = ("【缺：编号】", "【缺：查询码】")


def unfinished(text: str, *, allow: tuple[str, ...] = ()) -> list[str]:
    """The marks still in an answer text that must not reach a letter or a receipt, in order,
    once each ([] when the text is finished). `allow`: marks that will be filled in."""
    return [m for m in dict.fromkeys(_GAP.findall(text or "")) if m not in allow]


def unfinished_reason(marks: list[str]) -> str:
    return f"还有未补全的内容：{'、'.join(marks)}，请补全或删去后再保存"
