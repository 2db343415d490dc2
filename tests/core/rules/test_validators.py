"""Resident ID, phone and date validation.

Check characters below were worked out by hand (GB 11643-1999, ISO 7064 MOD 11-2):
  11010519491231002X: weighted sum of the first 17 digits = 167, 167 mod 11 = 2 -> "X"
  34052419800101001X: weighted sum = 189, 189 mod 11 = 2 -> "X"
  110105199001011232: weighted sum = 142, 142 mod 11 = 10 -> "2"
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.rules.validators import (
    IdInfo,
    mask_id,
    mask_phone,
    normalize_phone,
    parse_iso_date,
    parse_resident_id,
)

TODAY = dt.date(2026, 11, 28)


def reason(exc_info: pytest.ExceptionInfo[FieldError]) -> str:
    return exc_info.value.reason


# --------------------------------------------------------------------------- resident ID


def test_valid_18_digit_id():
    info = parse_resident_id("11010519491231002X", today=TODAY)
    assert info == IdInfo(
        number="11010519491231002X",
        birth_date=dt.date(1949, 12, 31),
        sex="女",  # 17th digit 2 is even
        upgraded_from_15=False,
    )


def test_valid_male_id_with_digit_check():
    info = parse_resident_id("110105199001011232", today=TODAY)
    assert info.birth_date == dt.date(1990, 1, 1)
    assert info.sex == "男"  # 17th digit 3 is odd
    assert info.number == "110105199001011232"


def test_lower_case_x_and_spaces_are_normalised():
    info = parse_resident_id(" 110105 19491231 002x ", today=TODAY)
    assert info.number == "11010519491231002X"


def test_full_width_digits_are_converted():
    info = parse_resident_id("１１０１０５１９４９１２３１００２Ｘ", today=TODAY)
    assert info.number == "11010519491231002X"


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(FieldError) as e:
        parse_resident_id("110105194912310025", today=TODAY)
    assert e.value.field == "身份证号"
    assert reason(e) == "校验位应为X，实为5，请核对号码"
    assert str(e.value) == "身份证号：校验位应为X，实为5，请核对号码"


def test_field_label_is_used():
    with pytest.raises(FieldError) as e:
        parse_resident_id("110105194912310025", field="代理人身份证号", today=TODAY)
    assert str(e.value).startswith("代理人身份证号：")


def test_february_30_does_not_exist():
    with pytest.raises(FieldError) as e:
        parse_resident_id("110105198002300016", today=TODAY)
    assert reason(e) == "出生日期19800230不存在"


def test_future_birth_date_is_refused():
    with pytest.raises(FieldError) as e:
        parse_resident_id("110105202612010010", today=TODAY)
    assert "晚于今天" in reason(e)
    # The same birth date is fine once it has passed.
    # 110105202612010010 -> weighted sum 1*7+1*9+0+1*5+0+5*4+2*2+0+2*6+6*3+1*7+2*9+0+1*5+0+0+1*2
    # = 7+9+5+20+4+12+18+7+18+5+2 = 107, 107 mod 11 = 8 -> check "4"
    info = parse_resident_id("110105202612010014", today=dt.date(2026, 12, 1))
    assert info.birth_date == dt.date(2026, 12, 1)


def test_birth_year_before_1900_is_refused():
    with pytest.raises(FieldError) as e:
        parse_resident_id("110105189912310010", today=TODAY)
    assert "1900" in reason(e)


def test_15_digit_legacy_number_is_upgraded():
    info = parse_resident_id("340524800101001", today=TODAY)
    assert info.number == "34052419800101001X"
    assert info.birth_date == dt.date(1980, 1, 1)
    assert info.sex == "男"  # last digit 1 is odd
    assert info.upgraded_from_15 is True


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1101051949123100", "应为18位（或旧式15位），实为16位"),
        ("11010519491231002X1", "应为18位（或旧式15位），实为19位"),
        ("", "不能为空"),
        ("   ", "不能为空"),
    ],
)
def test_wrong_length(raw, expected):
    with pytest.raises(FieldError) as e:
        parse_resident_id(raw, today=TODAY)
    assert reason(e) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "①1010519491231002X",  # circled digit: str.isdigit() would say True
        "11010519491231002٣",  # Arabic-Indic digit three
        "1101051949123100-X",
        "11010519491231002Y",
    ],
)
def test_illegal_characters(raw):
    with pytest.raises(FieldError) as e:
        parse_resident_id(raw, today=TODAY)
    assert "非法字符" in reason(e)


def test_x_in_the_middle_or_in_15_digits():
    with pytest.raises(FieldError) as e:
        parse_resident_id("1101051949X231002X", today=TODAY)
    assert "最后一位" in reason(e)
    with pytest.raises(FieldError):
        parse_resident_id("34052480010100X", today=TODAY)


@pytest.mark.parametrize("raw", ["010105194912310025", "910105194912310025"])
def test_area_code_must_start_with_1_to_8(raw):
    with pytest.raises(FieldError) as e:
        parse_resident_id(raw, today=TODAY)
    assert "地址码" in reason(e)


@given(st.text())
def test_id_parser_only_raises_field_error_on_arbitrary_text(raw):
    try:
        parse_resident_id(raw, today=TODAY)
    except FieldError:
        pass


@given(st.text(alphabet="0123456789Xx ①٣０９Ｘ", min_size=14, max_size=19))
def test_id_parser_only_raises_field_error_on_id_like_text(raw):
    try:
        info = parse_resident_id(raw, today=TODAY)
    except FieldError:
        return
    assert len(info.number) == 18


# Independent formulation of MOD 11-2: with weights 2^(17-i) mod 11 the full 18-character
# number (X = 10) must have a weighted sum of 1 modulo 11.
def _check_char(first17: str) -> str:
    s = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    c = (1 - s) % 11
    return "X" if c == 10 else str(c)


def test_independent_check_char_matches_hand_examples():
    assert _check_char("11010519491231002") == "X"
    assert _check_char("34052419800101001") == "X"
    assert _check_char("11010519900101123") == "2"


@given(
    area=st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    seq=st.integers(min_value=0, max_value=999),
    lower=st.booleans(),
)
def test_generated_valid_ids_round_trip(area, birth, seq, lower):
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    number = first17 + _check_char(first17)
    raw = number.lower() if lower else number
    info = parse_resident_id(raw, today=TODAY)
    assert info.number == number
    assert info.birth_date == birth
    assert info.sex == ("男" if seq % 2 else "女")
    assert not info.upgraded_from_15


@given(
    area=st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_generated_15_digit_ids_upgrade(area, birth, seq):
    old = f"{area}{birth:%y%m%d}{seq:03d}"
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    info = parse_resident_id(old, today=TODAY)
    assert info.number == first17 + _check_char(first17)
    assert info.birth_date == birth
    assert info.upgraded_from_15


def test_mask_id():
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("340524800101001") == "34***********01"
    assert mask_id("1234") == "****"
    assert mask_id("") == ""


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13800000000", "13800000000"),
        ("138 0000 0000", "13800000000"),
        ("138-0000-0000", "13800000000"),
        ("+86 138 0000 0000", "13800000000"),
        ("+8613800000000", "13800000000"),
        ("0086 13800000000", "13800000000"),
        ("8613800000000", "13800000000"),
        ("１３８００００００００", "13800000000"),  # full-width digits from a Chinese IME
        ("＋８６　１３８－００００－００００", "13800000000"),
        ("0817-2345678", "0817-2345678"),
        ("08172345678", "0817-2345678"),
        ("0817 234 5678", "0817-2345678"),
        ("(010)6512-3456", "010-65123456"),
        ("（０１０）６５１２－３４５６", "010-65123456"),
        ("01065123456", "010-65123456"),
        ("021-87654321", "021-87654321"),
        ("+86 10 6512 3456", "010-65123456"),
        ("0817-2345678转123", "0817-2345678-123"),
        ("0817-2345678 转 123", "0817-2345678-123"),
        ("0817-2345678-123", "0817-2345678-123"),
        ("0817-2345678 ext 123", "0817-2345678-123"),
        ("0817-2345678 ext.123", "0817-2345678-123"),
        ("0817-2345678x123", "0817-2345678-123"),
        ("(010)6512-3456-8001", "010-65123456-8001"),
        ("0817-2345678-1", "0817-2345678-1"),
        ("2345678 转 12", "2345678-12"),
        ("2345678", "2345678"),
        ("65123456", "65123456"),
        ("400-123-4567", "4001234567"),
        ("800 123 4567", "8001234567"),
        ("400-123-4567转8", "4001234567-8"),
        ("400-123-4567-8", "4001234567-8"),
    ],
)
def test_normalize_phone_accepts(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("", "不能为空"),
        ("1380000000", "手机号码应为11位，实为10位"),
        ("138000000001", "手机号码应为11位，实为12位"),
        ("12800000000", "号段128"),
        ("13800000000转123", "手机号码不能带分机号"),
        ("138OOOO0000", "非法字符“O”"),
        ("①3800000000", "非法字符“①”"),
        ("0817-23456", "本地号码应为7或8位，实为5位"),
        ("010-6512345", "区号010的本地号码应为8位，实为7位"),
        ("081-72345678", "区号081有误"),
        ("0817-0345678", "不应以0或1开头"),
        ("+1 212 555 0100", "只支持中国大陆号码"),
        ("12345", "手机号码应为11位"),
        ("转123", "缺少电话号码"),
        ("()-", "缺少电话号码"),
        ("400-123-456", "400服务号码应为10位，实为9位"),
        ("+86 1380000000", "区号013有误"),
        ("011-65123456", "区号011有误"),
    ],
)
def test_normalize_phone_refuses(raw, fragment):
    with pytest.raises(FieldError) as e:
        normalize_phone(raw)
    assert e.value.field == "联系电话"
    assert fragment in reason(e)


@given(st.text())
def test_phone_normaliser_only_raises_field_error(raw):
    try:
        normalize_phone(raw)
    except FieldError:
        pass


@given(st.text(alphabet="0123456789+-() 转xX８６（）", max_size=20))
def test_phone_normaliser_only_raises_field_error_on_phone_like_text(raw):
    try:
        out = normalize_phone(raw)
    except FieldError:
        return
    assert out == normalize_phone(out)  # canonical output is a fixed point


def test_mask_phone():
    assert mask_phone("13800000000") == "138****0000"
    assert mask_phone("0817-2345678") == "0817-****5678"
    assert mask_phone("010-65125678") == "010-****5678"
    assert mask_phone("0817-2345678-123") == "0817-****5678-123"
    assert mask_phone("2345678") == "***5678"
    assert mask_phone("4001234567") == "400***4567"
    assert mask_phone("12345") == "***45"
    assert mask_phone("12") == "**"
    assert mask_phone("") == ""


# --------------------------------------------------------------------------- dates


def test_parse_iso_date():
    assert parse_iso_date("2028-02-29", "受理日期") == dt.date(2028, 2, 29)
    assert parse_iso_date(" 2026-10-01 ", "受理日期") == dt.date(2026, 10, 1)


@pytest.mark.parametrize(
    "raw", ["2026-1-5", "2026/01/05", "20260105", "", "２０２６-01-05", "2026-01-05T00"]
)
def test_parse_iso_date_format(raw):
    with pytest.raises(FieldError) as e:
        parse_iso_date(raw, "受理日期")
    assert str(e.value) == "受理日期：日期格式应为YYYY-MM-DD"


@pytest.mark.parametrize("raw", ["2026-02-29", "2026-13-01", "0000-01-01", "2026-04-31"])
def test_parse_iso_date_nonexistent(raw):
    with pytest.raises(FieldError) as e:
        parse_iso_date(raw, "受理日期")
    assert str(e.value) == "受理日期：日期不存在"
