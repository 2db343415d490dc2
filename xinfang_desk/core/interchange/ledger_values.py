"""The values of a ledger's cells as offices really type them, made ours or refused with the
reason in Chinese (LedgerValueError).

Dates: Excel dates, Excel serial numbers, 2026/10/14, 2026.10.14, 2026-10-14, 20261014,
2026年10月14日, and 10月14日 / 10-14 with the year taken from the sheet's or the file's name.
ID numbers: text with spaces or full-width digits; a number cell is exact up to 15 digits
(legacy IDs), but an 18-digit ID that Excel stored as a number (shown 5.11302E+17) has lost
its last digits and is refused, never stored wrong. Names: several in one cell (张三、李四,
张三等5人). Classes, channels, fields and ratings: the office's words mapped to ours.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from xinfang_desk.core.rules import vocab as v

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug)
_SEPARATORS = re.compile(r"[、，,；;/／\n]+|\s{1,}")
_YEAR = re.compile(r"(19[5-9]\d|20\d\d)")


class LedgerValueError(ValueError):
    """A cell's value cannot be taken; the message says why, in Chinese."""


def text_of(value) -> str:
    """The cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else \
            value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def shown_as_excel(value: float) -> str:
    """A large number as Excel's General format shows it in a narrow column: 5.11302E+17."""
    return f"{value:.5E}".replace("E+0", "E+").replace(".00000E", "E")


def _halfwidth(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# ------------------------------------------------------------------------------------ dates

def year_hint(*names: str) -> int | None:
    """The year a sheet or file is about ("2026年来访台账", "台账2025"), or None."""
    for name in names:
        found = _YEAR.findall(name or "")
        if found:
            return int(found[0])
    return None


def parse_date(value, year: int | None = None) -> dt.date | None:
    """A date cell (None when empty); LedgerValueError when it is no real date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise LedgerValueError("不是日期")
    if isinstance(value, (int, float)):
        return _serial(value)
    text = _halfwidth(str(value)).strip()
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)  # a time of day after the date
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if m:
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    m = re.fullmatch(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if m:
        if year is None:
            raise LedgerValueError("日期没有年份，工作表名和文件名中也没有年份（如“2026年”）")
        return _day(year, int(m.group(1)), int(m.group(2)), text)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):  # a serial number saved as text (CSV)
        return _serial(float(text))
    raise LedgerValueError("不是可识别的日期（应如 2026-10-14、2026/10/14、2026年10月14日）")


def _serial(number: float) -> dt.date:
    if not 1 <= number < 2958466:
        raise LedgerValueError("不是日期")
    day = EXCEL_EPOCH + dt.timedelta(days=int(number))
    if day.year < 1950:
        raise LedgerValueError("不是日期（数值过小，可能填的是序号或人数）")
    return day


def _day(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise LedgerValueError(f"日期{text}不存在") from None


# ------------------------------------------------------------------------------------ people

def id_numbers(value) -> list[str]:
    """The ID numbers of a cell, as text (still to be validated); LedgerValueError for a number
    that Excel stored in scientific notation and so lost its last digits."""
    if value is None or value == "":
        return []
    if isinstance(value, bool):
        raise LedgerValueError("不是身份证号码")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return [str(int(value))]  # 15 digits fit a number exactly (the old IDs)
        raise _lost_digits(shown_as_excel(value))
    if isinstance(value, int):
        return [str(value)]
    text = _halfwidth(str(value)).strip().lstrip("'")
    if re.fullmatch(r"\d(\.\d+)?\s*[eE]\s*\+?\s*\d+", text):
        raise _lost_digits(text)
    parts = [p for p in re.split(r"[、，,；;/／\n]+", text) if p.strip()]
    return [re.sub(r"\s+", "", p) for p in parts]


def _lost_digits(shown: str) -> LedgerValueError:
    return LedgerValueError(
        f"身份证号码显示为“{shown}”：Excel 把它存成了数字（科学计数法），位数不全，原号码已无法"
        "还原。请在原表中把该列设为“文本”格式，重新录入号码后再导入")


def phones(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, float) and not value.is_integer():
        raise LedgerValueError(f"电话显示为“{shown_as_excel(value)}”，不是电话号码")
    text = text_of(value)
    return [p.strip() for p in re.split(r"[、，,；;/／\n]+", text) if p.strip()]


_GROUP = re.compile(r"^(?P<name>.+?)等\s*(?P<n>\d+)\s*[人名位]$")


def names(value) -> tuple[list[str], int | None]:
    """The names in a cell and, for "张三等5人", the number of people it says came."""
    text = _halfwidth(text_of(value)).strip()
    if not text:
        return [], None
    m = _GROUP.match(text)
    count = None
    if m:
        text, count = m.group("name"), int(m.group("n"))
    parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    return parts, count


def people_count(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and value >= 1:
            return int(value)
        raise LedgerValueError("人数应为正整数")
    m = re.fullmatch(r"(\d+)\s*[人名位次]?", _halfwidth(str(value)).strip())
    if not m or int(m.group(1)) < 1:
        raise LedgerValueError("人数应为正整数")
    return int(m.group(1))


# ------------------------------------------------------------------------------------ words

# The office's words for our values (checked after the exact value and the saved mapping).
CHANNEL_WORDS = {
    "来访": ("来访", "走访", "上访", "来访接待", "接访", "当面", "现场", "到访"),
    "来信": ("来信", "信件", "书信", "信访件", "信函", "邮寄"),
    "来电": ("来电", "电话", "热线", "12345", "来话"),
    "网上": ("网上", "网络", "网上信访", "网信", "网站", "网上投诉", "微信", "邮箱", "电子邮件"),
    "传真": ("传真",),
    "领导信箱": ("领导信箱", "书记信箱", "局长信箱", "县长信箱", "市长信箱"),
    "上级转送": ("上级转送", "转送", "上级转办", "转办", "批转"),
    "上级交办": ("上级交办", "交办", "督办"),
    "其他": ("其他", "其它"),
}
CATEGORY_WORDS = {
    "建议意见": ("建议意见", "建议", "意见", "建言献策", "建言"),
    "检举控告": ("检举控告", "检举", "控告", "举报", "揭发"),
    "申诉求决": ("申诉求决", "申诉", "求决", "投诉", "诉求", "求助", "反映", "维权"),
    "咨询": ("咨询", "询问", "政策咨询", "咨询政策"),
    "其他": ("其他", "其它"),
}
RATING_WORDS = {
    "满意": ("满意", "非常满意", "是", "好"),
    "基本满意": ("基本满意", "比较满意", "较满意", "一般"),
    "不满意": ("不满意", "否", "很不满意", "不太满意"),
    "未表态": ("未表态", "未评价", "未回访", "无法联系", "未联系上", "不表态", "未反馈"),
}


def word_to(value: str, words: dict[str, tuple[str, ...]], mapping: dict[str, str] | None,
            allowed: tuple[str, ...]) -> tuple[str | None, bool]:
    """Our value for the office's word: (value, exact) — exact when the cell already held our
    word; (None, False) when nothing maps it."""
    text = _halfwidth(value).strip()
    if text in allowed:
        return text, True
    if mapping and text in mapping and mapping[text] in allowed:
        return mapping[text], False
    for ours, theirs in words.items():
        if text in theirs:
            return ours, False
    # A longer word inside the cell ("来访（集体）", "举报信", "很不满意"): the longest wins, so
    # that 不满意 is not read as 满意.
    hits = [(len(w), ours) for ours, theirs in words.items() for w in theirs
            if len(w) >= 2 and w in text]
    if hits:
        return max(hits)[1], False
    return None, False


def channel(value: str, mapping=None) -> tuple[str | None, bool]:
    return word_to(value, CHANNEL_WORDS, mapping, v.CHANNELS)


def category(value: str, mapping=None) -> tuple[str | None, bool]:
    return word_to(value, CATEGORY_WORDS, mapping, v.CATEGORIES)


def rating(value: str, mapping=None) -> tuple[str | None, bool]:
    return word_to(value, RATING_WORDS, mapping, v.RATINGS)
