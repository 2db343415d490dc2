"""Bad input at the intake desk (hypothesis): whatever text lands in whatever field — random
Unicode, 100,000 characters, control characters, SQL, emoji, rare CJK (Extension A/B) — a save
either keeps the text exactly (as stripped, the one documented normalisation) and the case is
found by search, or is refused with a Chinese message naming the field. Never another
exception, never a partial write.

Two kinds of character are never saved: NUL (the search index would stop at it) and lone
surrogates (not text at all: a broken paste, a JSON escape such as "\ud800"). A save holding
one is refused naming the field (core.validators.check_text); the random inputs hold them,
except those of the tests of text that must be accepted. Pinned by the tests at the end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.core.helpers import intake
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.cases import search
from xinfang_desk.core.cases.records import PetitionerInput
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.rules.validators import parse_resident_id
from xinfang_desk.core.store import audit, storage
from xinfang_desk.core.store.models import Case, CaseCounter

TODAY = dt.date(2026, 11, 28)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

SPECIAL = [
    "'; DROP TABLE xf_case;--", "\" OR 1=1 --", "%", "_", "\\", "NULL", "*", "NEAR(", "\"\"",
    "\x07", "\x1b[31m", "\r\n", "\t", "\x0b", "\x1c", "\x7f", "\x85", "\u2028", "\u202e",
    "\u200b", "\ufeff", "\u3000", "😀", "👨‍👩‍👧", "🇨🇳", "䶮", "𠀀", "𪚥", "𰻞", "e\u0301", "①",
    "١٢٣", "０８１７", "Ｘ", "﹏", "<script>alert(1)</script>", "${jndi:ldap://x}", "İı",
    "ß", "\U000e0001", "\ue000",
]
# The characters a save refuses (naming the field): NUL and lone surrogates. Every other code
# point is kept exactly.
UNSAVABLE = ["\x00", "\ud800", "\udbff", "\udc00", "\udfff"]
SAVABLE_CHAR = st.characters(codec="utf-8", exclude_characters="\x00")
ANY_CHAR = st.one_of(st.characters(), st.sampled_from(UNSAVABLE))  # every code point
RARE_CJK = st.one_of(st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
                     st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
                     st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF))


def _texts(char, special):
    """(nasty text, field text: mostly nasty, sometimes 100,000 characters) made of `char`."""
    pieces = st.one_of(st.sampled_from(special), st.text(char, max_size=6),
                       st.text(RARE_CJK, min_size=1, max_size=8))
    nasty = st.lists(pieces, max_size=8).map("".join)
    huge = st.text(st.one_of(char, RARE_CJK), min_size=1, max_size=4).map(
        lambda s: (s * (100_000 // len(s) + 1))[:100_000])
    return nasty, st.one_of(nasty, nasty, nasty, huge)


nasty_text, field_text = _texts(ANY_CHAR, SPECIAL + UNSAVABLE)  # kept or refused
savable_text, savable_field_text = _texts(SAVABLE_CHAR, SPECIAL)  # must be kept

# Every text field of the intake, and the label its refusal must name.
CASE_FIELDS = {
    "summary": "事项摘要", "request": "诉求", "facts": "事实", "reasons": "理由",
    "channel_ref": "来文号", "answer_given": "答复内容", "reject_reason": "不予受理理由",
    "approach_body": "应向何处反映", "clerk": "接待人", "unit": "承办单位", "field": "涉及领域",
    "channel": "信访形式", "category": "信访类别", "disposition": "处理方式",
}
PETITIONER_FIELDS = {
    "name": "姓名", "id_number": "身份证", "phone": "电话", "phone_alt": "电话",
    "address": "住址", "kind": "类型", "doc_type": "证件类型",
}
# Stored as typed, trimmed at both ends (str.strip), and read back exactly.
STRIPPED_CASE = ("summary", "request", "facts", "reasons", "channel_ref", "answer_given",
                 "reject_reason", "approach_body")
SEARCHED = ("summary", "request", "facts")  # with the petitioners' names

CANONICAL_PHONE = re.compile(
    r"1[3-9][0-9]{9}|0[0-9]{2,3}-[2-9][0-9]{6,7}(-[0-9]{1,6})?|[2-9][0-9]{6,7}(-[0-9]{1,6})?"
    r"|[48]00[0-9]{7}(-[0-9]{1,6})?")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def store(tmp_path):
    storage.open_data_dir(tmp_path / "data", today=TODAY)
    yield
    storage.close()


def fingerprint() -> tuple:
    """What a refused save must leave unchanged."""
    counters = tuple(CaseCounter.select(CaseCounter.year, CaseCounter.last).tuples())
    return Case.select().count(), audit.head(), counters


def apply(changes: dict[str, str], second_petitioner: bool = False) -> cases.CaseInput:
    data = intake()
    pet = dataclasses.replace(data.petitioners[0], id_number="")  # no reuse across examples
    case_changes = {k: v for k, v in changes.items() if k in CASE_FIELDS}
    pet_changes = {k: v for k, v in changes.items() if k in PETITIONER_FIELDS}
    pets = [dataclasses.replace(pet, **pet_changes)]
    if second_petitioner:
        pets.append(PetitionerInput(name="李建国", phone="0817-2234567"))
    return dataclasses.replace(data, petitioners=pets, **case_changes)


def search_windows(text: str) -> list[str]:
    """Up to two 3-character pieces of `text` a clerk could type as one search term."""
    ok = [i for i in range(len(text) - 2)
          if all(c.isprintable() and not c.isspace() for c in text[i:i + 3])]
    return sorted({text[i:i + 3] for i in (ok[:1] + ok[-1:])})


def found_by(term: str, case_no: str) -> bool:
    return case_no in [r.case_no for r in search.search_cases(term, limit=1000).rows]


def check_saved(saved: cases.Saved, data: cases.CaseInput) -> None:
    case = cases.get_case(saved.case_no)
    for name in STRIPPED_CASE:
        assert getattr(case, name) == getattr(data, name).strip(), name
    assert case.clerk == (data.clerk.strip() or "系统")
    links = cases.petitioners_of(case)
    assert len(links) == len(data.petitioners)
    for (row, _), given_pet in zip(links, data.petitioners, strict=True):
        assert row.name == given_pet.name.strip()
        assert row.address == given_pet.address.strip()
        for attr in ("phone", "phone_alt"):
            stored = getattr(row, attr)
            if getattr(given_pet, attr).strip():
                assert CANONICAL_PHONE.fullmatch(stored), (attr, stored)
            else:
                assert stored == "", (attr, stored)
        if row.id_number and row.doc_type == "身份证":
            assert parse_resident_id(row.id_number).number == row.id_number
    # What the clerk sees in the case window is the same text.
    from xinfang_desk.core.cases.detail import load_case_detail

    shown = dict(load_case_detail(saved.case_no, today=TODAY).fields)
    assert shown["事项摘要"] == case.summary and shown["事实"] == case.facts
    # Found by search: a few characters of any name or matter text.
    for text in [case.summary, case.request, case.facts] + [r.name for r, _ in links]:
        for term in search_windows(text):
            assert found_by(term, saved.case_no), (term, text[:50])


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(sorted(CASE_FIELDS) + sorted(PETITIONER_FIELDS)),
                               field_text, min_size=1, max_size=3),
       second=st.booleans())
def test_any_text_in_any_field_is_kept_exactly_or_refused_in_chinese(store, changes, second):
    data = apply(changes, second)
    before = fingerprint()
    try:
        saved = cases.register_case(data, today=TODAY)
    except XinfangError as exc:
        event("refused")
        message = str(exc)
        assert CHINESE.search(message), message
        labels = [CASE_FIELDS.get(k) or PETITIONER_FIELDS[k] for k in changes]
        assert any(label in message for label in labels), (message, labels)
        assert fingerprint() == before  # nothing half-written
        return
    event("saved")
    check_saved(saved, data)


@FUZZ
@given(text=savable_field_text, where=st.sampled_from(SEARCHED + ("name",)))
def test_accepted_text_is_found_by_any_three_characters(store, text, where):
    """Texts that must be accepted (non-empty, summary ≤ 200, no NUL or lone surrogate) are
    saved and searchable."""
    if where == "summary":
        text = text[:200]
    if not text.strip():
        text += "内容"
    data = apply({where: text})
    saved = cases.register_case(data, today=TODAY)
    check_saved(saved, data)


def resident_id(region: int, birth: dt.date, seq: int) -> str:
    first17 = f"{region:06d}{birth:%Y%m%d}{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


valid_ids = st.builds(resident_id, st.integers(110000, 829999),
                      st.dates(dt.date(1900, 1, 1), TODAY), st.integers(0, 999))
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@FUZZ
@given(number=valid_ids, style=st.sampled_from(["plain", "lower", "spaces", "fullwidth"]))
def test_every_valid_id_number_is_accepted_however_typed(store, number, style):
    typed = {"plain": number, "lower": number.lower(),
             "spaces": f" {number[:6]} {number[6:14]} {number[14:]} ",
             "fullwidth": number.translate(FULLWIDTH)}[style]
    saved = cases.register_case(apply({"id_number": typed}), today=TODAY)
    (row, _), = cases.petitioners_of(cases.get_case(saved.case_no))
    assert row.id_number == number
    assert row.birth_date == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert row.sex == ("男" if int(number[16]) % 2 else "女")


ID_ALPHABET = st.sampled_from(list("0123456789Xx ") + ["①", "١", "０", "\u3000", "-", "٣", "𝟗"])


@FUZZ
@given(typed=st.one_of(st.text(ID_ALPHABET, max_size=20), nasty_text,
                       valid_ids.map(lambda n: n[:-1] + ("1" if n[-1] == "0" else "0"))))
def test_a_wrong_id_number_is_refused_naming_the_field(store, typed):
    before = fingerprint()
    try:
        saved = cases.register_case(apply({"id_number": typed}), today=TODAY)
    except XinfangError as exc:
        event("refused")
        assert "身份证号" in str(exc), str(exc)
        assert fingerprint() == before
        return
    (row, _), = cases.petitioners_of(cases.get_case(saved.case_no))
    if typed.strip():
        assert re.fullmatch(r"[1-8][0-9]{16}[0-9X]", row.id_number), row.id_number
        assert parse_resident_id(row.id_number).number == row.id_number  # check digit right


mobiles = st.builds(lambda p, n: f"1{p}{n:09d}", st.sampled_from("3456789"),
                    st.integers(0, 10**9 - 1))


@FUZZ
@given(number=mobiles, style=st.sampled_from(["plain", "+86", "0086", "dashes", "fullwidth"]))
def test_every_mobile_number_is_accepted_however_typed(store, number, style):
    typed = {"plain": number, "+86": f"+86 {number}", "0086": f"0086{number}",
             "dashes": f"{number[:3]}-{number[3:7]}-{number[7:]}",
             "fullwidth": number.translate(FULLWIDTH)}[style]
    saved = cases.register_case(apply({"phone": typed}), today=TODAY)
    (row, _), = cases.petitioners_of(cases.get_case(saved.case_no))
    assert row.phone == number


@FUZZ
@given(text=st.text(ANY_CHAR, max_size=30))
def test_the_search_box_takes_any_text(store, text):
    if not Case.select().exists():
        cases.register_case(intake(), today=TODAY)
    try:
        result = search.search_cases(text)
    except XinfangError:
        return
    assert result.total >= len(result.rows)


# --------------------------------------------------------------------------- NUL, surrogates


SURROGATE_FIELDS = ["summary", "request", "facts", "channel_ref", "name", "address"]


@pytest.mark.parametrize("where", SURROGATE_FIELDS)
def test_lone_surrogates_are_refused_with_a_message(store, where):
    """A lone surrogate (a broken paste, a JSON escape) cannot be stored as UTF-8: refused,
    naming the field and the character, before anything is written."""
    before = fingerprint()
    with pytest.raises(XinfangError) as info:
        cases.register_case(apply({where: "拖欠工资\ud800三个月"}), today=TODAY)
    label = CASE_FIELDS.get(where) or PETITIONER_FIELDS[where]
    assert label in str(info.value) and "U+D800" in str(info.value), str(info.value)
    assert "\ud800" not in str(info.value)  # the message itself can be shown and printed
    assert fingerprint() == before


@pytest.mark.parametrize("where", SURROGATE_FIELDS)
def test_a_lone_surrogate_leaves_nothing_half_saved(store, where):
    before = fingerprint()
    with pytest.raises(XinfangError):
        cases.register_case(apply({where: "拖欠工资\ud800三个月"}), today=TODAY)
    assert fingerprint() == before
    assert storage.database.execute_sql(
        "SELECT COUNT(*) FROM petitioner WHERE id NOT IN (SELECT petitioner_id FROM "
        "case_petitioner)").fetchone()[0] == 0


def test_a_nul_character_does_not_hide_the_rest_of_the_text(store):
    """The FTS5 trigram index (and LIKE) stop at a NUL: a text holding one is refused."""
    try:
        saved = cases.register_case(apply({"facts": "复印件\x00鉴定书编号甲乙丙"}), today=TODAY)
    except XinfangError:
        return  # refusing it is fine too
    assert found_by("甲乙丙", saved.case_no)


@pytest.mark.parametrize("where", ["facts", "name", "unit", "clerk"])
def test_a_nul_is_refused_naming_the_field_and_where_it_is(store, where):
    before = fingerprint()
    with pytest.raises(XinfangError) as info:
        cases.register_case(apply({where: "  复印件\x00鉴定书"}), today=TODAY)
    message = str(info.value)
    label = CASE_FIELDS.get(where) or PETITIONER_FIELDS[where]
    assert label in message and "第4个字符" in message and "U+0000" in message, message
    assert "\x00" not in message
    assert fingerprint() == before


@pytest.mark.parametrize("note", ["再次来访\x00", "再次\ud800来访"])
def test_an_event_text_that_cannot_be_saved_is_refused(store, note):
    from xinfang_desk.core.intake import desk as intake_service
    from xinfang_desk.core.rules.workflow import EventData

    saved = cases.register_case(intake(), today=TODAY)
    before = fingerprint(), len(cases.events_of(cases.get_case(saved.case_no)))
    with pytest.raises(XinfangError, match="说明"):
        intake_service.record_repeat_visit(saved.case_no, TODAY, note=note)
    with pytest.raises(XinfangError, match="文号"):
        cases.record_event(saved.case_no, EventData(type="notified", on=TODAY, ref=note))
    assert (fingerprint(), len(cases.events_of(cases.get_case(saved.case_no)))) == before


def test_a_nul_in_the_search_box_is_not_an_error(store):
    """A NUL (or another control character, or a lone surrogate) separates terms."""
    saved = cases.register_case(intake(), today=TODAY)
    for text in ("拖欠\x00工资", "拖欠\ud800工资", "拖欠\x07工资", "\x00", "\ud800"):
        result = search.search_cases(text)
        if text.startswith("拖欠"):
            assert [r.case_no for r in result.rows] == [saved.case_no], text


@pytest.mark.parametrize(("changes", "label"), [
    ({"people_count": 10**30}, "涉及人数"), ({"people_count": 100_000}, "涉及人数"),
    ({"people_count": 2.5}, "涉及人数"), ({"reps_present": 10**30}, "到场代表人数"),
    ({"people_count": 10**30, "reps_present": 10**30}, "涉及人数"),
])
def test_counts_out_of_range_are_refused_naming_the_field(store, changes, label):
    before = fingerprint()
    with pytest.raises(XinfangError, match=label):
        cases.register_case(dataclasses.replace(apply({}), **changes), today=TODAY)
    assert fingerprint() == before


def test_event_days_out_of_range_are_refused(store):
    from xinfang_desk.core.rules.workflow import EventData

    saved = cases.register_case(intake(), today=TODAY)
    before = fingerprint()
    with pytest.raises(XinfangError, match="延期天数"):
        cases.record_event(saved.case_no, EventData(type="notified", on=TODAY, days=10**30))
    with pytest.raises(XinfangError):  # the workflow: at most 30 days in all
        cases.record_event(saved.case_no, EventData(type="extended", on=TODAY, days=10**30,
                                                    reason="情况复杂"))
    assert fingerprint() == before
