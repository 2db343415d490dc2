"""Repeat detection: known earlier cases, typed intakes, expected ranking written by hand."""

import datetime as dt

import pytest

from xinfang_desk.core.cases import repeats
from xinfang_desk.core.cases.records import CaseInput, PetitionerInput, register_case
from xinfang_desk.core.cases.repeats import find_repeats, longest_common_substring

TODAY = dt.date(2024, 12, 31)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


ID_A = resident_id("51072219700315001")  # 陈明 (A)
ID_B = resident_id("51072219820704002")  # 刘芳 (B)
PHONE_A = "13912345678"
LANDLINE_D = "0817-2345678"


def add(person: PetitionerInput, summary: str, request: str, on: dt.date, facts="详见陈述"):
    return register_case(CaseInput(
        received_on=on, channel="来访", category="申诉求决", summary=summary, request=request,
        facts=facts, petitioners=[person], disposition="受理"), today=TODAY)


@pytest.fixture
def earlier(store):
    """Eight earlier cases; returns {key: case_no}."""
    a = PetitionerInput(name="陈明", id_number=ID_A, phone=PHONE_A, address="城关镇幸福路12号")
    b = PetitionerInput(name="刘芳", id_number=ID_B, phone="13700001111", address="东坝镇杨柳村")
    c = PetitionerInput(name="陈明", address="西河乡石桥村5组")  # same name, another person
    d = PetitionerInput(name="王强", phone=LANDLINE_D, address="人民路8号")
    e = PetitionerInput(name="陈明", address="城关镇幸福路12号附3号")  # same name, near A
    f = PetitionerInput(name="黄丽", address="南山镇")
    g = PetitionerInput(name="孙丽", address="北辰街道")
    cases = {
        "a_wage": add(a, "反映宏达建筑公司拖欠工资", "请求支付拖欠的工资8000元", dt.date(2023, 3, 1)),
        "g_clinic": add(g, "反映卫生院乱收费", "请求退还多收的费用", dt.date(2023, 4, 1)),
        "b_wage": add(b, "反映永丰纺织厂拖欠工资", "请求督促支付拖欠工资", dt.date(2023, 5, 1)),
        "a_trash": add(a, "反映小区垃圾无人清运", "请求物业及时清运垃圾", dt.date(2023, 6, 1)),
        "c_pension": add(c, "咨询养老保险补缴政策", "了解补缴办法", dt.date(2023, 7, 1)),
        "d_noise": add(d, "反映人民路夜间施工噪声扰民", "请求制止夜间施工", dt.date(2023, 8, 1)),
        "e_leak": add(e, "反映楼上房屋漏水", "请求协调维修", dt.date(2023, 9, 1)),
        "f_bus": add(f, "建议增设公交线路", "建议开通到南山镇的公交", dt.date(2023, 10, 1)),
    }
    return {k: s.case_no for k, s in cases.items()}


def ranked(matches, earlier):
    by_no = {no: k for k, no in earlier.items()}
    return [by_no[m.case_no] for m in matches]


def test_id_and_matter_rank_the_persons_matching_case_first(earlier):
    got = find_repeats(id_number=ID_A, text="宏达建筑公司拖欠工资三个月")
    assert ranked(got, earlier) == ["a_wage", "a_trash", "b_wage"]
    assert got[0].reasons[0] == "身份证号相同"
    assert got[0].reasons[1].startswith("事项内容相似：“")
    assert "宏达建筑公司拖欠工资" in got[0].reasons[1]
    assert got[1].reasons == ["身份证号相同"]
    assert got[2].reasons == ["事项内容相似：“拖欠工资”"]
    assert got[0].score > got[1].score > got[2].score


def test_phone_match_with_masked_phone_in_the_reason(earlier):
    got = find_repeats(phone="139 1234 5678")
    assert ranked(got, earlier) == ["a_trash", "a_wage"]  # ties: newest first
    assert got[0].reasons == ["电话相同（139****5678）"]
    got = find_repeats(phone=LANDLINE_D)
    assert ranked(got, earlier) == ["d_noise"]
    assert got[0].reasons == ["电话相同（0817-****5678）"]


def test_name_with_similar_address_ranks_above_name_only(earlier):
    got = find_repeats(name="陈明", address="城关镇幸福路12号")
    assert ranked(got, earlier) == ["e_leak", "a_trash", "a_wage", "c_pension"]
    assert got[0].reasons == ["姓名相同、住址相近"]
    assert got[-1].reasons == ["同名"]


def test_name_alone_means_same_name(earlier):
    got = find_repeats(name="陈明")
    assert ranked(got, earlier) == ["e_leak", "c_pension", "a_trash", "a_wage"]
    assert all(m.reasons == ["同名"] for m in got)


def test_matter_text_ranks_above_a_bare_name(earlier):
    got = find_repeats(name="陈明", text="楼上房屋漏水严重")  # e: name+text; others name only
    assert ranked(got, earlier)[0] == "e_leak"
    got = find_repeats(name="孙丽", text="反映永丰纺织厂拖欠工资")
    # b's case (the same matter) and a's (拖欠工资) by the text (10-18) before g's case by the
    # bare name (5)
    assert ranked(got, earlier) == ["b_wage", "a_wage", "g_clinic"]
    assert got[0].reasons == ["事项内容相似：“反映永丰纺织厂拖欠工资”"]
    assert got[2].reasons == ["同名"]


def test_id_beats_phone_beats_name_and_address(earlier):
    got = find_repeats(id_number=ID_B, phone=PHONE_A)
    assert ranked(got, earlier) == ["b_wage", "a_trash", "a_wage"]
    got = find_repeats(phone=LANDLINE_D, name="陈明", address="城关镇幸福路12号")
    assert ranked(got, earlier)[0] == "d_noise"


def test_text_only_finds_similar_matters_with_the_shared_words(earlier):
    got = find_repeats(text="拖欠工资")
    assert ranked(got, earlier) == ["b_wage", "a_wage"]
    assert all(m.reasons == ["事项内容相似：“拖欠工资”"] for m in got)
    got = find_repeats(text="夜间施工，噪声很大！")
    assert ranked(got, earlier) == ["d_noise"]
    assert got[0].reasons == ["事项内容相似：“夜间施工噪声”"]
    assert find_repeats(text="完全无关的内容文字") == []


def test_partial_or_invalid_input_is_ignored(earlier):
    assert find_repeats(id_number=ID_A[:17]) == []
    assert find_repeats(id_number=ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")) == []
    assert find_repeats(phone="1391234") == []  # 7 digits: a local number nobody has
    assert find_repeats(phone="139123") == []
    assert find_repeats(name="陈") == []
    assert find_repeats(text="拖欠工") == []  # under 4 characters
    # the partial ID does not stop the other signals
    assert ranked(find_repeats(id_number=ID_A[:10], phone=LANDLINE_D), earlier) == ["d_noise"]


def test_legacy_and_spaced_id_numbers(earlier):
    assert ranked(find_repeats(id_number="510722700315001"), earlier) == ["a_trash", "a_wage"]
    spaced = f"{ID_A[:6]} {ID_A[6:14]} {ID_A[14:]}"
    assert ranked(find_repeats(id_number=spaced), earlier) == ["a_trash", "a_wage"]


def test_reasons_never_show_a_full_id_or_phone(earlier):
    got = find_repeats(id_number=ID_A, phone=PHONE_A, name="陈明", address="城关镇幸福路12号",
                       text="宏达建筑公司拖欠工资")
    assert got
    for m in got:
        for reason in m.reasons:
            assert ID_A not in reason and PHONE_A not in reason


def test_match_fields_exclude_and_limit(earlier):
    first = find_repeats(id_number=ID_A, text="宏达建筑公司拖欠工资")[0]
    assert first.case_no == earlier["a_wage"]
    assert first.received_on == dt.date(2023, 3, 1)
    assert first.summary == "反映宏达建筑公司拖欠工资"
    assert first.petitioners == "陈明"
    assert first.status_label == "办理中"
    got = find_repeats(id_number=ID_A, exclude_case_id=first.case_id)
    assert ranked(got, earlier) == ["a_trash"]
    assert len(find_repeats(name="陈明", limit=2)) == 2


def test_like_fallback_when_not_on_sqlite(earlier, monkeypatch):
    monkeypatch.setattr(repeats, "is_sqlite", lambda db=None: False)
    got = find_repeats(id_number=ID_A, text="宏达建筑公司拖欠工资三个月")
    assert ranked(got, earlier)[:2] == ["a_wage", "a_trash"]
    assert ranked(find_repeats(text="拖欠工资"), earlier) == ["b_wage", "a_wage"]


def test_longest_common_substring():
    assert longest_common_substring("宏达公司拖欠工资", "永丰厂拖欠工资了") == "拖欠工资"
    assert longest_common_substring("abc", "xyz") == ""
    assert longest_common_substring("", "abc") == ""
