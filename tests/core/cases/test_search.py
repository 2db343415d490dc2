"""Case search: substring search (trigram FTS and LIKE), identifiers, filters, paging."""

import datetime as dt

import pytest

from xinfang_desk.core.cases import search
from xinfang_desk.core.cases.records import CaseInput, PetitionerInput, register_case
from xinfang_desk.core.cases.search import search_cases
from xinfang_desk.core.deadlines.engine import list_deadlines
from xinfang_desk.core.rules import vocab as v

TODAY = dt.date(2024, 12, 31)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


ID_ZHANG = resident_id("51072219700315001")
ID_ZHANG_15 = "510722700315001"  # the same person's legacy 15-digit number


def add(summary, request, *, name="张三丰", id_number="", phone="", phone_alt="", on, **kw):
    kw.setdefault("channel", "来访")
    kw.setdefault("category", "申诉求决")
    kw.setdefault("disposition", "受理")
    kw.setdefault("facts", "详见信访人陈述")
    person = PetitionerInput(name=name, id_number=id_number, phone=phone, phone_alt=phone_alt,
                             address="城关镇幸福路12号")
    return register_case(CaseInput(received_on=on, summary=summary, request=request,
                                   petitioners=[person], **kw), today=TODAY)


@pytest.fixture
def cases(store):
    """Six hand-written cases; returns {key: Saved}."""
    saved = {}
    saved["wage"] = add(
        "反映宏达公司拖欠工资", "请求支付拖欠的三个月工资", id_number=ID_ZHANG,
        phone="13800000001", on=dt.date(2024, 1, 10), field="劳动社保/劳动报酬",
        disposition="转送", unit="人力资源和社会保障局",
        facts="本人在宏达公司务工，工资共计12000元未发放")
    saved["light"] = add(
        "建议在人民路增设红绿灯", "建议增设信号灯", name="李四", phone="0817-2345678",
        on=dt.date(2024, 2, 5), channel="来信", category="建议意见", disposition="建议记录",
        field="交通运输/道路交通", facts="")
    saved["dibao"] = add(
        "咨询低保申请条件", "了解申请程序", name="王五", phone_alt="13900000002",
        on=dt.date(2024, 3, 1), channel="来电", category="咨询", disposition="当场答复",
        answer_given="已告知申请条件和所需材料", field="民政/社会救助", facts="")
    saved["accuse"] = add(
        "检举村干部侵占集体资金", "请求调查处理", name="赵六", on=dt.date(2024, 3, 15),
        channel="网上", category="检举控告", field="纪检监察/违纪违法",
        facts="村干部将征地补偿款据为己有")
    saved["percent"] = add(
        "反映物业费上涨100%问题", "请求物业公司降价", name="钱七", on=dt.date(2024, 3, 20),
        field="城乡建设/物业管理", facts="物业费由每月1元涨到2元")
    saved["noise"] = add(
        "反映小区夜间噪声扰民", "请求制止夜间施工", id_number=ID_ZHANG, on=dt.date(2024, 4, 1),
        field="环境保护/噪声污染", facts="工地每天晚上施工到凌晨")
    return saved


def nos(result, saved, *keys):
    """The case numbers of the result rows, and those of `keys` in the given order."""
    return [r.case_no for r in result.rows], [saved[k].case_no for k in keys]


def check(result, saved, *keys):
    got, want = nos(result, saved, *keys)
    assert got == want
    assert result.total == len(keys)


# ---------------------------------------------------------------------------- text

def test_three_or_more_characters_use_the_trigram_index(cases):
    check(search_cases("红绿灯"), cases, "light")
    check(search_cases("拖欠工资"), cases, "wage")
    check(search_cases("夜间"), cases, "noise")  # 2 characters: the index's term list
    check(search_cases("噪声扰民"), cases, "noise")


def test_two_and_one_character_queries(cases):
    check(search_cases("低保"), cases, "dibao")
    check(search_cases("灯"), cases, "light")
    check(search_cases("反映"), cases, "noise", "percent", "wage")  # newest first
    check(search_cases("资"), cases, "accuse", "wage")  # 工资, 资金


def test_two_characters_are_answered_by_the_index_not_a_scan(cases, monkeypatch):
    """A 2-character term reads the trigrams that start with it from the index's term list;
    the result is what LIKE gives, at the very end of the text too (search_text ends with a
    newline), and the LIKE scan is not used."""
    like = []
    original = search.Case.search_text.contains
    monkeypatch.setattr(search.Case.search_text, "contains",
                        lambda t: like.append(t) or original(t))
    check(search_cases("发放"), cases, "wage")  # the last two characters of the last field
    check(search_cases("12"), cases, "wage")  # digits: 12000元
    check(search_cases("凌晨 反映"), cases, "noise")
    check(search_cases("张三"), cases, "noise", "wage")  # a name
    check(search_cases("夜间 噪声扰民"), cases, "noise")  # with a 3+ character term
    check(search_cases("晨反"), cases)  # never written: no term starts with it
    check(search_cases("杨柳"), cases)
    assert like == []
    check(search_cases("资"), cases, "accuse", "wage")  # 1 character: LIKE
    assert like == ["资"]


def test_a_two_character_term_starting_too_many_trigrams_falls_back_to_like(cases, monkeypatch):
    monkeypatch.setattr(search, "_MAX_TERM_STARTS", 1)
    check(search_cases("反映"), cases, "noise", "percent", "wage")  # 反映小/反映宏/反映物
    check(search_cases("低保"), cases, "dibao")  # one trigram: still the index


def test_several_terms_must_all_match(cases):
    check(search_cases("宏达 12000"), cases, "wage")
    check(search_cases("反映 夜间"), cases, "noise")
    check(search_cases("反映　物业费"), cases, "percent")  # full-width space separates too
    check(search_cases("红绿灯 宏达"), cases)


def test_names_are_searchable(cases):
    check(search_cases("张三丰"), cases, "noise", "wage")
    check(search_cases("李四"), cases, "light")


def test_id_number_finds_the_persons_cases(cases):
    check(search_cases(ID_ZHANG), cases, "noise", "wage")
    check(search_cases(ID_ZHANG.lower()), cases, "noise", "wage")
    check(search_cases(ID_ZHANG_15), cases, "noise", "wage")
    check(search_cases(resident_id("11010519491231002")), cases)


def test_phone_numbers_find_the_persons_cases(cases):
    # the noise case is the same person (same ID number), whose row carries the phone
    check(search_cases("138 0000 0001"), cases, "noise", "wage")
    check(search_cases("+86 13800000001"), cases, "noise", "wage")
    check(search_cases("13900000002"), cases, "dibao")  # the alternative phone
    check(search_cases("0817-2345678"), cases, "light")
    check(search_cases("(0817)2345678"), cases, "light")


def test_case_number_and_query_code(cases):
    saved = cases["dibao"]
    check(search_cases(saved.case_no), cases, "dibao")
    check(search_cases(f"  {saved.case_no} "), cases, "dibao")
    code = saved.query_code
    check(search_cases(code), cases, "dibao")
    check(search_cases(f"{code[:4].lower()}-{code[4:].lower()}"), cases, "dibao")


def test_like_wildcards_in_user_text_are_literal(cases):
    check(search_cases("0%"), cases, "percent")
    check(search_cases("%"), cases, "percent")
    check(search_cases("00%"), cases, "percent")
    check(search_cases("_"), cases)
    check(search_cases("费_"), cases)
    check(search_cases("%%%"), cases)


def test_quotes_and_fts_syntax_do_not_crash(cases):
    check(search_cases('"拖欠工资'), cases)
    check(search_cases('拖欠"工资'), cases)
    check(search_cases("拖欠 OR 工资"), cases)  # OR is a term here, not an operator
    check(search_cases("宏达* NEAR(工资)"), cases)
    check(search_cases("'; DROP TABLE xf_case; --"), cases)
    assert search_cases("").total == 6


def test_a_case_added_after_the_index_exists_is_found(cases):
    check(search_cases("养老保险"), cases)
    saved = add("反映单位未缴纳养老保险", "请求补缴", name="孙八", on=dt.date(2024, 5, 1),
                field="劳动社保/社会保险")
    res = search_cases("养老保险")
    assert [r.case_no for r in res.rows] == [saved.case_no]
    assert search_cases("孙八").total == 1


# ---------------------------------------------------------------------------- rows

def test_rows_carry_what_a_list_shows(cases):
    row = search_cases("宏达公司").rows[0]
    assert row.case_no == cases["wage"].case_no
    assert row.query_code == cases["wage"].query_code
    assert row.received_on == dt.date(2024, 1, 10)
    assert (row.channel, row.category) == ("来访", "申诉求决")
    assert row.field == "劳动社保/劳动报酬"
    assert row.summary == "反映宏达公司拖欠工资"
    assert row.status == cases["wage"].status
    assert row.status_label and row.status_label != row.status
    assert row.petitioners == "张三丰"
    assert row.unit == "人力资源和社会保障局"
    assert row.confidential is False
    assert search_cases("村干部").rows[0].confidential is True


def test_group_case_lists_every_petitioner(store):
    people = [PetitionerInput(name=n, address="杨柳村") for n in ("甲一", "乙二", "丙三")]
    saved = register_case(CaseInput(
        received_on=dt.date(2024, 6, 1), channel="来访", category="申诉求决",
        summary="反映征地补偿款未发放", request="请求发放", facts="2023年征地", petitioners=people,
        disposition="受理"), today=TODAY)
    row = search_cases("乙二").rows[0]
    assert row.case_no == saved.case_no
    assert row.petitioners == "甲一、乙二、丙三"


# ---------------------------------------------------------------------------- filters

def test_status_filter(cases):
    for key, saved in cases.items():
        res = search_cases(status=saved.status)
        assert saved.case_no in [r.case_no for r in res.rows], key
        assert all(r.status == saved.status for r in res.rows)
    label = v.STATUS_LABELS[cases["wage"].status]
    assert search_cases(status=label).total == search_cases(status=cases["wage"].status).total
    both = search_cases(status=[cases["wage"].status, cases["dibao"].status])
    assert {cases["wage"].case_no, cases["dibao"].case_no} <= {r.case_no for r in both.rows}


def test_category_and_channel_filters(cases):
    check(search_cases(category="建议意见"), cases, "light")
    check(search_cases(category=["咨询", "检举控告"]), cases, "accuse", "dibao")
    check(search_cases(channel="来电"), cases, "dibao")
    check(search_cases("反映", channel="来访"), cases, "noise", "percent", "wage")
    check(search_cases("反映", category="咨询"), cases)


def test_field_filter_includes_children_of_a_top_level_field(cases):
    check(search_cases(field="劳动社保"), cases, "wage")
    check(search_cases(field="劳动社保/劳动报酬"), cases, "wage")
    check(search_cases(field="劳动社保/社会保险"), cases)
    check(search_cases(field="环境保护"), cases, "noise")
    check(search_cases(field="没有这个领域"), cases)


def test_unit_filter(cases):
    check(search_cases(unit="人力资源和社会保障局"), cases, "wage")
    check(search_cases(unit="不存在的单位"), cases)


def test_date_range_and_confidential_filters(cases):
    check(search_cases(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 20)), cases,
          "percent", "accuse", "dibao")
    check(search_cases(date_to=dt.date(2024, 1, 10)), cases, "wage")
    check(search_cases(date_from=dt.date(2024, 4, 2)), cases)
    check(search_cases(confidential=True), cases, "accuse")
    assert search_cases(confidential=False).total == 5


def test_overdue_only_uses_the_deadline_engine(cases):
    later = dt.date(2025, 6, 30)
    overdue = {d.case_no for d in list_deadlines(later) if d.overdue}
    assert overdue  # accepted cases are long past their 15-day notice
    res = search_cases(overdue_only=True, today=later)
    assert {r.case_no for r in res.rows} == overdue
    assert res.total == len(overdue)
    assert search_cases(overdue_only=True, today=dt.date(2024, 1, 11), date_to=dt.date(2024, 1, 10)).total == 0


def test_overdue_only_with_many_overdue_cases(cases, monkeypatch):
    monkeypatch.setattr(search, "_MAX_IN_PARAMS", 1)  # take the Python-side path
    later = dt.date(2025, 6, 30)
    overdue = {d.case_no for d in list_deadlines(later) if d.overdue}
    res = search_cases(overdue_only=True, today=later, limit=2)
    assert res.total == len(overdue) and len(res.rows) == min(2, len(overdue))
    assert {r.case_no for r in res.rows} <= overdue


# ---------------------------------------------------------------------------- paging

def test_total_counts_all_matches_beyond_the_page(cases):
    all_nos = [cases[k].case_no for k in ("noise", "percent", "accuse", "dibao", "light", "wage")]
    res = search_cases(limit=2)
    assert res.total == 6 and [r.case_no for r in res.rows] == all_nos[:2]
    res = search_cases(limit=2, offset=4)
    assert res.total == 6 and [r.case_no for r in res.rows] == all_nos[4:]
    res = search_cases(limit=2, offset=10)
    assert res.total == 6 and res.rows == []
    # the same for a LIKE (2-character) and an FTS (3-character) query
    res = search_cases("反映", limit=1, offset=1)
    assert res.total == 3 and [r.case_no for r in res.rows] == [cases["percent"].case_no]
    res = search_cases("反映", limit=1, offset=7)
    assert res.total == 3 and res.rows == []
    res = search_cases("张三丰", limit=1)
    assert res.total == 2 and [r.case_no for r in res.rows] == [cases["noise"].case_no]


def test_a_text_search_counts_up_to_the_limit(cases):
    """The case list's count stops at count_limit: it says so, and serves rows only that far."""
    newest = [cases[k].case_no for k in ("noise", "percent", "wage")]  # the three "反映" cases
    for term in ("反映", "反"):  # the trigram index (2 characters) and LIKE (1 character)
        res = search_cases(term, limit=1, count_limit=2)
        assert (res.total, res.capped) == (2, True) and [r.case_no for r in res.rows] == newest[:1]
        res = search_cases(term, limit=5, count_limit=2)
        assert (res.total, res.capped) == (2, True) and [r.case_no for r in res.rows] == newest[:2]
        res = search_cases(term, limit=5, offset=1, count_limit=2)
        assert [r.case_no for r in res.rows] == newest[1:2] and res.capped
        res = search_cases(term, limit=5, offset=2, count_limit=2)
        assert (res.total, res.capped, res.rows) == (2, True, [])
        res = search_cases(term, limit=1, count_limit=3)  # exactly the limit: not "more"
        assert (res.total, res.capped) == (3, False)
    res = search_cases("张三丰", limit=1, count_limit=1)
    assert (res.total, res.capped) == (1, True)
    res = search_cases(limit=1, count_limit=2)  # no text: the whole list is counted exactly
    assert (res.total, res.capped) == (6, False)
    res = search_cases("反映", limit=1)  # no limit asked: exact
    assert (res.total, res.capped) == (3, False)


# The PostgreSQL path (pg_trgm, xf_bigrams) needs a server: test_search_server.py compares it
# with this one on the same cases.


# ---------------------------------------------------------------------------- order and masking

def test_order_by_received_on_and_case_no(cases):
    check(search_cases(order_by="received_on"), cases,
          "wage", "light", "dibao", "accuse", "percent", "noise")
    check(search_cases(order_by="-received_on"), cases,
          "noise", "percent", "accuse", "dibao", "light", "wage")
    check(search_cases(order_by="case_no"), cases,
          "wage", "light", "dibao", "accuse", "percent", "noise")
    # the LIKE scan path (1–2 characters) honours the order too
    check(search_cases("反映", order_by="received_on"), cases, "wage", "percent", "noise")


def test_order_by_vocabularies_follows_their_natural_order(cases):
    # 建议意见 < 检举控告 < 申诉求决 < 咨询; ties by id in the same direction
    check(search_cases(order_by="category"), cases,
          "light", "accuse", "wage", "percent", "noise", "dibao")
    check(search_cases(order_by="-category"), cases,
          "dibao", "noise", "percent", "wage", "accuse", "light")
    # 已登记 < 办理中 < ... < 已办结
    got = [r.status for r in search_cases(order_by="status").rows]
    assert got == [v.REGISTERED, v.ACCEPTED, v.ACCEPTED, v.ACCEPTED, v.ACCEPTED, v.CLOSED]
    got = [r.channel for r in search_cases(order_by="-channel").rows]
    assert got == ["网上", "来电", "来信", "来访", "来访", "来访"]


def test_order_by_pages_are_stable(cases):
    pages = [search_cases(order_by="status", limit=2, offset=o) for o in (0, 2, 4)]
    got = [r.case_no for p in pages for r in p.rows]
    assert got == [r.case_no for r in search_cases(order_by="status").rows]
    assert all(p.total == 6 for p in pages)


def test_unknown_order_is_refused(cases):
    with pytest.raises(ValueError):
        search_cases(order_by="summary")


def test_rows_carry_the_first_petitioners_masked_id_and_phone(cases):
    rows = {r.case_no: r for r in search_cases().rows}
    wage = rows[cases["wage"].case_no]
    assert wage.id_masked == ID_ZHANG[:6] + "********" + ID_ZHANG[-4:]
    assert wage.phone_masked == "138****0001"
    assert ID_ZHANG not in repr(wage) and "13800000001" not in repr(wage)
    assert rows[cases["light"].case_no].phone_masked == "0817-****5678"
    assert rows[cases["light"].case_no].id_masked == ""
    assert rows[cases["dibao"].case_no].phone_masked == "139****0002"  # the alternative phone


def test_a_clerks_whole_list_counts_what_the_clerk_may_see(store):
    """The clerk's total comes from the partial index (visible_case_count), not from reading
    every row: it must equal the rows the clerk is actually shown."""
    import datetime as dt

    from tests.core.helpers import intake
    from xinfang_desk.core import session
    from xinfang_desk.core.cases.records import register_case
    from xinfang_desk.core.people import access, users

    day = dt.date(2026, 10, 9)
    admin = users.create_user("admin", "admin2026a", session.ADMIN, "管理员")
    with session.acting_as(users.actor_of(admin)):
        users.create_user("zhangmin", "pass2026a", session.CLERK, "张敏")
        users.create_user("zhaolei", "pass2026a", session.CLERK, "赵磊")
    for i in range(7):
        register_case(intake(summary=f"公开事项{i}"), today=day)
    mine = [register_case(intake(category="检举控告", confidential=True, clerk="zhangmin",
                                 summary=f"我登记的保密事项{i}"), today=day) for i in range(3)]
    others = [register_case(intake(category="检举控告", confidential=True, clerk="zhaolei",
                                   summary=f"别人的保密事项{i}"), today=day) for i in range(4)]
    leader = session.Actor("leader", session.LEADER, "李红梅")
    with session.acting_as(leader):
        access.grant_access(others[0].case_no, "zhangmin")  # named on one of 赵磊's
    with session.acting_as(users.actor_of(users.get_user("zhangmin"))):
        shown = search_cases(limit=5)
        every = search_cases(limit=100).rows
        assert len(every) == 7 + 3 + 1
        assert shown.total == len(every)  # the page is short of the total: counted, not listed
        assert others[1].case_no not in {r.case_no for r in every}
        assert {m.case_no for m in mine} <= {r.case_no for r in every}
    with session.acting_as(leader):
        assert search_cases(limit=5).total == 14


def test_common_terms_walk_the_date_index_and_give_the_same_pages(store, monkeypatch):
    """A term matching many cases is paged by walking received_on newest first (SQLite), a
    rare one by fetching its matches and sorting: both give the same rows, totals and capped
    counts, received dates out of id order, confidential cases hidden from a clerk."""
    import contextlib
    import random

    from tests.core.helpers import intake
    from xinfang_desk.core import session
    from xinfang_desk.core.people import users

    day = dt.date(2026, 10, 9)
    admin = users.create_user("admin", "admin2026a", session.ADMIN, "管理员")
    with session.acting_as(users.actor_of(admin)):
        users.create_user("zhangmin", "pass2026a", session.CLERK, "张敏")
        users.create_user("zhaolei", "pass2026a", session.CLERK, "赵磊")
    rng = random.Random(7)
    topics = ["拖欠工资", "供暖不足", "物业收费", "低保申请"]
    for i in range(80):
        secret = i % 9 == 0
        register_case(intake(
            summary=f"反映{topics[i % 4]}问题{i}", received_on=day - dt.timedelta(days=rng.randrange(300)),
            category="检举控告" if secret else "申诉求决", confidential=secret,
            clerk=("zhangmin", "zhaolei")[i % 2] if secret else ""), today=day)
    walked = []
    real = search._walk_newest

    def spy(expr, limit):
        walked.append(real(expr, limit))
        return walked[-1]

    def results(force):
        if force is None:
            monkeypatch.setattr(search, "_walk_newest", spy)
        else:
            monkeypatch.setattr(search, "_walk_newest", lambda expr, limit: force)
        out = []
        for actor in (None, users.actor_of(users.get_user("zhangmin"))):
            with session.acting_as(actor) if actor else contextlib.nullcontext():
                for term in ("反映", "拖欠工资", "问题1", "低保 问题", "供暖", "没有的词"):
                    for offset, limit, cap in ((0, 5, None), (3, 7, None), (0, 200, 12),
                                               (10, 5, 12), (0, 50, None)):
                        r = search_cases(term, offset=offset, limit=limit, count_limit=cap)
                        out.append((term, offset, r.total, r.capped,
                                    [row.case_no for row in r.rows]))
        return out

    walking, sorting, chosen = results(True), results(False), results(None)
    assert walking == sorting == chosen
    assert True in walked and False in walked  # both ways were taken for real
    dates = [row.received_on for row in search_cases("反映", limit=100).rows]
    assert dates == sorted(dates, reverse=True) and len(dates) == 80
