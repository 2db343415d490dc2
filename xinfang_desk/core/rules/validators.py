"""Validation and normalisation of user input: resident ID numbers, phone numbers, dates, and
the characters any saved text may hold.

Pure functions, no database. Every refusal raises FieldError with a Chinese reason that can be
shown to the clerk as is. Only ASCII digits are accepted as digits: str.isdigit() would also let
through '①', Arabic-Indic digits and the like, so explicit character classes are used throughout.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from xinfang_desk.core.errors import FieldError

__all__ = [
    "MAX_PEOPLE",
    "FieldError",
    "IdInfo",
    "check_text",
    "displayable",
    "mask_id",
    "mask_phone",
    "normalize_phone",
    "parse_iso_date",
    "parse_resident_id",
    "unsavable_char",
]

# Full-width ASCII variants (U+FF01..U+FF5E) -> ASCII, ideographic space -> space, and the dashes
# a Chinese IME produces -> hyphen. Clerks often type with the IME still in full-width mode.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x2014: 0x2D, 0x2013: 0x2D, 0x2012: 0x2D, 0x2010: 0x2D})


def _to_halfwidth(s: str) -> str:
    return s.translate(_FULLWIDTH)


def _first_bad_char(s: str, allowed: str) -> str | None:
    """The first character of s not matched by the regex character class `allowed`."""
    m = re.search(f"[^{allowed}]", s)
    return m.group(0) if m else None


def _show_char(c: str) -> str:
    """A character as it can be shown in a message (control/space characters by code point)."""
    if c.isprintable() and not c.isspace():
        return f"“{c}”"
    return f"U+{ord(c):04X}"


# --------------------------------------------------------------------------- any text

# What no saved text may hold: NUL (SQLite's text functions, LIKE and the FTS5 index stop at
# it, so the rest of the text could never be found) and lone surrogates U+D800..U+DFFF (not
# characters at all: they come from a broken paste or a JSON escape such as "\ud800" and
# cannot be encoded as UTF-8). Every other code point is kept exactly as typed, control
# characters included.
_UNSAVABLE = re.compile(r"[\x00\ud800-\udfff]")


def unsavable_char(text: str) -> tuple[int, str] | None:
    """(0-based position, character) of the first character of text that cannot be saved,
    or None."""
    m = _UNSAVABLE.search(text)
    return (m.start(), m.group(0)) if m else None


def check_text(text: str, field: str) -> str:
    """text itself, or FieldError naming the field if it holds a character that cannot be
    saved (see unsavable_char). Characters are counted from the first non-blank one."""
    found = unsavable_char(text)
    if found is None:
        return text
    position, char = found
    position -= len(text) - len(text.lstrip())
    what = "空字符" if char == "\x00" else "残缺字符"
    raise FieldError(field, f"第{position + 1}个字符是无法保存的{what}（U+{ord(char):04X}，"
                            "多为复制粘贴带入），请删除后重新输入")


def displayable(text: str) -> str:
    """text for a message: characters that cannot be saved (or printed) shown as U+FFFD."""
    return _UNSAVABLE.sub("\ufffd", text)


MAX_PEOPLE = 99999  # 涉及人数: the most the case window accepts


# --------------------------------------------------------------------------- resident ID


@dataclass(frozen=True)
class IdInfo:
    number: str  # normalised: 18 characters, check character upper-case X
    birth_date: dt.date
    sex: str  # "男" / "女"
    upgraded_from_15: bool


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


def _id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643-1999)."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def parse_resident_id(raw: str, field: str = "身份证号", today: dt.date | None = None) -> IdInfo:
    """Validate a 居民身份证号码 (GB 11643-1999) and return its normalised form and content.

    Spaces are ignored, full-width digits/X are converted, a lower-case x is stored upper-case,
    and 15-digit legacy numbers are upgraded to 18 digits."""
    if not isinstance(raw, str):
        raise FieldError(field, "不能为空")
    s = re.sub(r"\s+", "", _to_halfwidth(raw))
    if not s:
        raise FieldError(field, "不能为空")
    bad = _first_bad_char(s, "0-9Xx")
    if bad is not None:
        raise FieldError(field, f"含有非法字符{_show_char(bad)}，只能填写数字，末位可以是X")
    s = s.upper()
    if len(s) not in (15, 18):
        raise FieldError(field, f"应为18位（或旧式15位），实为{len(s)}位")
    if "X" in s[:-1]:
        raise FieldError(field, "X只能出现在18位号码的最后一位")
    if len(s) == 15 and s.endswith("X"):
        raise FieldError(field, "旧式15位号码不应含有X")
    if not re.fullmatch(r"[1-8][0-9]{5}", s[:6]):
        raise FieldError(field, f"地址码{s[:6]}无效，首位应为1至8")

    upgraded = len(s) == 15
    if upgraded:
        first17 = s[:6] + "19" + s[6:]
    else:
        first17 = s[:17]

    birth_text = first17[6:14]
    year, month, day = int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:8])
    try:
        birth = dt.date(year, month, day)
    except ValueError:
        raise FieldError(field, f"出生日期{birth_text}不存在") from None
    if year < 1900:
        raise FieldError(field, f"出生日期{birth_text}早于1900年，请核对号码")
    if today is None:
        today = dt.date.today()
    if birth > today:
        raise FieldError(field, f"出生日期{birth_text}晚于今天，请核对号码")

    check = _id_check_char(first17)
    if not upgraded and s[17] != check:
        raise FieldError(field, f"校验位应为{check}，实为{s[17]}，请核对号码")

    sex = "男" if int(first17[16]) % 2 == 1 else "女"
    return IdInfo(number=first17 + check, birth_date=birth, sex=sex, upgraded_from_15=upgraded)


def mask_id(number: str) -> str:
    """Hide the middle of an ID number: 18 characters keep the first 6 and last 4
    ("110105********002X"); other lengths keep the first 2 and last 2."""
    n = len(number)
    if n == 18:
        return number[:6] + "*" * 8 + number[-4:]
    if n <= 4:
        return "*" * n
    return number[:2] + "*" * (n - 4) + number[-2:]


# --------------------------------------------------------------------------- phone numbers

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SERVICE = re.compile(r"[48]00[0-9]{7}")
# An extension at the end: "转123", "分机123", "ext 123", "ext.123", "x123", "#123".
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*([0-9]{1,6})\s*$", re.IGNORECASE)


def _area_code_length(digits: str) -> int:
    """Length of the area code at the start of digits (which start with 0) under China's
    numbering plan: 010 and 020-029 have three digits, every other area code four."""
    return 3 if digits[:2] in ("01", "02") else 4


def normalize_phone(raw: str, field: str = "联系电话") -> str:
    """Validate a phone number and return it in canonical form.

    Mobile: 11 digits ("13800000000"), an optional +86/86/0086 prefix is dropped.
    Landline: "0817-2345678" or with extension "0817-2345678-123"; a bare local number without
    area code ("2345678") is kept as is. 400/800 service numbers: 10 digits ("4001234567")."""
    if not isinstance(raw, str):
        raise FieldError(field, "不能为空")
    s = _to_halfwidth(raw).strip()
    if not s:
        raise FieldError(field, "不能为空")

    ext = ""
    m = _EXTENSION.search(s)
    if m:
        ext = m.group(1)
        s = s[: m.start()].strip()
        if not s:
            raise FieldError(field, "只有分机号，缺少电话号码")

    bad = _first_bad_char(s, r"0-9+\-() ")
    if bad is not None:
        raise FieldError(field, f"含有非法字符{_show_char(bad)}")
    if "+" in s.lstrip("+") or s.count("+") > 1:
        raise FieldError(field, "“+”只能出现在国际区号前")

    international = False
    if s.startswith("+"):
        rest = s[1:].lstrip()
        if not rest.startswith("86"):
            raise FieldError(field, "只支持中国大陆号码（+86）")
        s, international = rest[2:], True
    elif s.startswith("0086"):
        s, international = s[4:], True

    groups = re.findall(r"[0-9]+", s)
    if not groups:
        raise FieldError(field, "缺少电话号码")
    digits = "".join(groups)

    if not international and len(digits) == 13 and digits.startswith("86"):
        if _MOBILE.fullmatch(digits[2:]):
            digits, groups = digits[2:], [digits[2:]]
    if international and not digits.startswith("0") and not _MOBILE.fullmatch(digits):
        # "+86 10 6512 3456": the trunk prefix 0 is left out in international form.
        groups[0] = "0" + groups[0]
        digits = "0" + digits

    if digits.startswith("1"):
        if ext:
            raise FieldError(field, "手机号码不能带分机号")
        if len(digits) != 11:
            raise FieldError(field, f"手机号码应为11位，实为{len(digits)}位")
        if not _MOBILE.fullmatch(digits):
            raise FieldError(field, f"手机号码号段{digits[:3]}不存在，请核对")
        return digits

    if digits[:3] in ("400", "800"):
        if len(digits) > 10 and not ext and len(groups) >= 2:
            head = "".join(groups[:-1])
            if len(head) == 10 and len(groups[-1]) <= 6:
                digits, ext = head, groups[-1]
        if len(digits) == 10:
            return f"{digits}-{ext}" if ext else digits
        if len(digits) not in (7, 8):  # 7-8 digits may still be a local number
            raise FieldError(field, f"{digits[:3]}服务号码应为10位，实为{len(digits)}位")

    if international and not digits.startswith("0"):
        raise FieldError(field, "号码格式无法识别")

    if digits.startswith("0"):
        area_len = _area_code_length(digits)
        first = groups[0]
        if len(first) < area_len:
            raise FieldError(field, f"区号{first}有误：区号应为010、02X或0XXX（4位）")
        if len(first) in (3, 4) and len(groups) > 1 and len(first) != area_len:
            raise FieldError(field, f"区号{first}有误：区号应为010、02X或0XXX（4位）")
        area = first[:area_len]
        if area_len == 3 and area != "010" and not area.startswith("02"):
            raise FieldError(field, f"区号{area}有误：区号应为010、02X或0XXX（4位）")
        rest_groups = [first[area_len:]] if len(first) > area_len else []
        rest_groups += groups[1:]
    else:
        area = ""
        rest_groups = groups

    local, ext = _split_local(rest_groups, ext, field)
    if local.startswith(("0", "1")):
        raise FieldError(field, f"本地号码{local}有误：不应以0或1开头")
    if area and len(area) == 3 and len(local) != 8:
        raise FieldError(field, f"区号{area}的本地号码应为8位，实为{len(local)}位")

    result = f"{area}-{local}" if area else local
    if ext:
        result += f"-{ext}"
    return result


def _split_local(groups: list[str], ext: str, field: str) -> tuple[str, str]:
    """Split the digit groups after the area code into a 7-8 digit local number and an
    optional extension given as the last group ("0817-2345678-123")."""
    joined = "".join(groups)
    # A separate last group after a complete local number is an extension, even where the
    # digits together would also make an 8-digit number ("0817-2345678-1").
    if not ext and len(groups) >= 2:
        head = "".join(groups[:-1])
        if 7 <= len(head) <= 8 and 1 <= len(groups[-1]) <= 6:
            return head, groups[-1]
    if 7 <= len(joined) <= 8:
        return joined, ext
    if not joined:
        raise FieldError(field, "缺少本地号码")
    raise FieldError(field, f"本地号码应为7或8位，实为{len(joined)}位")


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number: "13800000000" -> "138****0000",
    "0817-2345678" -> "0817-****5678" (an extension stays visible)."""
    if not phone:
        return ""
    m = re.fullmatch(r"(0[0-9]{2,3})-([0-9]+)(-[0-9]+)?", phone)
    if m:
        area, local, ext = m.group(1), m.group(2), m.group(3) or ""
        return (
            f"{area}-****{local[-4:]}{ext}" if len(local) > 4 else f"{area}-{'*' * len(local)}{ext}"
        )
    n = len(phone)
    if n >= 10:
        return phone[:3] + "*" * (n - 7) + phone[-4:]
    if n >= 7:
        return "*" * (n - 4) + phone[-4:]
    if n > 2:
        return "*" * (n - 2) + phone[-2:]
    return "*" * n


# --------------------------------------------------------------------------- dates


def parse_iso_date(raw: str, field: str) -> dt.date:
    """A date typed as YYYY-MM-DD (strictly), which must exist."""
    s = raw.strip() if isinstance(raw, str) else ""
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", s)
    if not m:
        raise FieldError(field, "日期格式应为YYYY-MM-DD")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise FieldError(field, "日期不存在") from None
