"""Bad import files (hypothesis): JSON Lines files with random values in any key, keys missing,
random lines, nasty text. An import either takes every line exactly (text trimmed at both ends,
as at the desk) or refuses the file with a Chinese message naming the bad lines — and only
those — leaving the database exactly as it was. A dry run always predicts the real import.

Values that cannot be saved — NUL and lone surrogates (JSON escapes such as "\ud800"),
integers out of range (beyond SQLite's 64 bits too) — are among the random inputs: their lines
are refused like any other bad line. Pinned by the tests at the end.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.core.intake.test_fuzz_intake import ANY_CHAR, nasty_text, savable_text
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.interchange import jsonl as interchange
from xinfang_desk.core.interchange.jsonl import ImportFailed, import_cases
from xinfang_desk.core.store import audit, storage
from xinfang_desk.core.store.models import Case, CaseCounter, CaseEvent, Field, Petitioner, Unit

TODAY = dt.date(2026, 11, 28)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

GOOD = [
    {"received_on": "2026-09-21", "channel": "来访", "category": "申诉求决",
     "petitioners": [{"name": "王秀英", "id_number": "11010519491231002X", "phone": "13800001234",
                      "address": "四川省南充市顺庆区中城街道1号"}],
     "field": "劳动社保/劳动报酬", "summary": "反映单位拖欠工资三个月", "request": "要求支付工资",
     "facts": "2026年6月至8月工资未发放", "reasons": "多次讨要未果", "disposition": "受理",
     "clerk": "张丽", "events": [{"type": "notified", "on": "2026-09-25", "note": "送达受理告知书"}]},
    {"received_on": "2026-08-03", "channel": "来信", "category": "检举控告",
     "petitioners": [{"name": "周喆", "address": "顺庆区北湖路8号"}],
     "field": "纪检监察/新领域", "summary": "举报村干部优亲厚友", "request": "请求调查处理",
     "facts": "村主任将亲属纳入低保", "reasons": "违反廉洁纪律", "disposition": "转送",
     "unit": "某某镇纪委", "channel_ref": "市信转〔2026〕12号",
     "events": [{"type": "forwarded", "on": "2026-08-05", "unit": "某某镇纪委",
                 "ref": "顺信转〔2026〕5号", "deadline": "2026-09-05"},
                {"type": "feedback", "on": "2026-08-30", "note": "经核查部分属实，已处理"}]},
    {"received_on": "2026-10-10", "channel": "来电", "category": "咨询",
     "petitioners": [{"name": "陈昇", "phone": "15908171234", "address": ""},
                     {"name": "𠀀德福", "kind": "个人", "representative": True}],
     "summary": "咨询退休待遇计算办法", "request": "询问养老金如何计算",
     "disposition": "当场答复", "answer": "已解释计发办法",
     "events": [{"type": "satisfaction", "on": "2026-10-10", "rating": "满意"}]},
]
# Text keys kept exactly (trimmed at both ends), and where to find them in the export.
CASE_TEXT = ("summary", "request", "facts", "reasons", "channel_ref", "clerk", "answer")
PETITIONER_TEXT = ("name", "address")
EVENT_TEXT = ("note", "ref")  # kept as given, not trimmed

# JSON values of every kind: integers far beyond SQLite's 64-bit range too, strings with NUL
# and lone surrogates too.
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(),
                         st.sampled_from([2**63, -2**63 - 1, 10**30, -10**30, 10**400]),
                         st.floats(allow_nan=True), nasty_text,
                         st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(str))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(ANY_CHAR, max_size=8), inner,
                                                 max_size=3)), max_leaves=6)


def _paths(rec: dict) -> list[tuple]:
    """Every key path of a record: ("summary",), ("petitioners", 0, "name"), ..."""
    out: list[tuple] = [(k,) for k in rec]
    for key in ("petitioners", "events"):
        items = rec.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    out += [(key, i, k) for k in item]
    return out


def _set(rec: dict, path: tuple, value) -> None:
    target = rec
    for part in path[:-1]:
        target = target[part]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


_DELETE = object()


@st.composite
def mutated_record(draw):
    """A good record with 1–3 of its values replaced (by any JSON value or by nasty text),
    deleted, or an unknown key added."""
    rec = copy.deepcopy(draw(st.sampled_from(GOOD)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(rec)
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["value", "text", "text", "delete", "add"]))
        if how == "value":
            _set(rec, path, draw(json_values))
        elif how == "text":
            _set(rec, path, draw(nasty_text))
        elif how == "delete":
            _set(rec, path, _DELETE)
        else:
            rec[draw(st.text(ANY_CHAR, min_size=1, max_size=6))] = draw(json_values)
    return rec


def _dumps(rec: dict, ascii_: bool) -> str:
    text = json.dumps(rec, ensure_ascii=ascii_)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate can only be written as a JSON escape
        text = json.dumps(rec, ensure_ascii=True)
    return text


random_line = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=60)


@st.composite
def import_file(draw):
    """(text of the file, {line number: the record or None for a random line}) — lines
    numbered as the importer numbers them (physical lines; blank lines skipped)."""
    kinds = draw(st.lists(st.sampled_from(["good", "mutated", "mutated", "random"]),
                          min_size=1, max_size=4))
    ascii_ = draw(st.booleans())
    lines, meaning = [], {}
    for kind in kinds:
        if kind == "random":
            text, rec, bad = draw(random_line), None, True
        else:
            rec = copy.deepcopy(draw(st.sampled_from(GOOD))) if kind == "good" \
                else draw(mutated_record())
            text, bad = _dumps(rec, ascii_), kind != "good"
        lines.append(text)
        meaning[len(lines)] = (rec, bad)
    bom = "\ufeff" if draw(st.booleans()) else ""
    return bom + "\n".join(lines) + "\n", meaning


@pytest.fixture
def store(tmp_path):
    storage.open_data_dir(tmp_path / "data", today=TODAY)
    yield tmp_path
    storage.close()


def snapshot() -> tuple:
    return (Case.select().count(), CaseEvent.select().count(), Petitioner.select().count(),
            Unit.select().count(), Field.select().count(), audit.head(),
            tuple(CaseCounter.select(CaseCounter.year, CaseCounter.last).tuples()))


def _outcome(path):
    try:
        report = import_cases(path, today=TODAY)
    except ImportFailed as exc:
        return "refused", [str(p) for p in exc.problems], exc
    except XinfangError as exc:
        return "refused", [str(exc)], exc
    return "imported", (report.case_nos, report.warnings, report.new_units), report


def _physical_lines(text: str) -> dict[int, str]:
    return {n: line for n, line in enumerate(io.StringIO(text.removeprefix("\ufeff"), newline=None),
                                             start=1) if line.strip()}


def _exported(case_no: str) -> dict:
    (rec,) = interchange.case_records([case_no])
    return rec


def _check_imported(case_no: str, rec: dict) -> None:
    out = _exported(case_no)
    for key in CASE_TEXT:
        if isinstance(rec.get(key), str):
            assert out[key] == rec[key].strip(), key
    for got, given_pet in zip(out["petitioners"], rec["petitioners"], strict=True):
        for key in PETITIONER_TEXT:
            if isinstance(given_pet.get(key), str):
                assert got[key] == given_pet[key].strip(), key
    # The timeline is kept in date order, ties in file order.
    events = sorted(rec.get("events") or [], key=lambda e: e["on"])
    assert [e["type"] for e in out["events"]] == [e["type"] for e in events]
    for got, given_ev in zip(out["events"], events, strict=True):
        for key in EVENT_TEXT:
            if given_ev.get(key):
                assert got[key] == given_ev[key], key


@FUZZ
@given(file=import_file())
def test_an_import_file_is_taken_exactly_or_refused_naming_its_bad_lines(store, file):
    text, meaning = file
    path = store / "in.jsonl"
    path.write_text(text, encoding="utf-8")
    before = snapshot()
    dry = _outcome_dry(path)
    assert snapshot() == before  # a dry run keeps nothing
    kind, details, result = _outcome(path)
    assert (kind, details) == (dry[0], dry[1]), "the dry run did not predict the import"
    lines = _physical_lines(text)
    if kind == "refused":
        event("refused")
        assert snapshot() == before
        message = str(result)
        if isinstance(result, ImportFailed):
            assert "未导入任何数据" in message
            for problem in result.problems:
                assert problem.line in lines
                assert f"第{problem.line}行" in message or len(result.problems) > 20
                # A good line is never blamed (GOOD lines carry no case numbers to clash).
                assert meaning[problem.line][1], (problem, lines[problem.line][:80])
        else:
            assert "没有信访事项" in message or "第" in message, message
        return
    event("imported")
    assert all(meaning[n][0] is not None for n in lines)  # no random line got in
    report = result
    assert report.cases == len(lines)
    after = snapshot()
    assert after[0] == before[0] + report.cases
    for case_no, n in zip(report.case_nos, sorted(lines), strict=True):
        _check_imported(case_no, meaning[n][0])
    assert audit.verify().ok


def _outcome_dry(path):
    try:
        report = import_cases(path, dry_run=True, today=TODAY)
    except ImportFailed as exc:
        return "refused", [str(p) for p in exc.problems]
    except XinfangError as exc:
        return "refused", [str(exc)]
    return "imported", (report.case_nos, report.warnings, report.new_units)


@FUZZ
@given(texts=st.dictionaries(st.sampled_from(CASE_TEXT + ("name", "address", "note")),
                             savable_text.map(lambda t: t if t.strip() else t + "内容"),
                             min_size=1, max_size=4))
def test_any_text_in_a_good_line_comes_back_exactly(store, texts):
    rec = copy.deepcopy(GOOD[1])
    for key, value in texts.items():
        if key in ("name", "address"):
            rec["petitioners"][0][key] = value
        elif key == "note":
            rec["events"][1]["note"] = value
        else:
            rec[key] = value
    path = store / "in.jsonl"
    path.write_text(_dumps(rec, False) + "\n", encoding="utf-8")
    before = snapshot()
    try:
        report = import_cases(path, today=TODAY)
    except ImportFailed as exc:
        event("refused")
        # Only a summary over 200 characters may be refused here.
        assert all("summary" in p.field and "200" in p.message for p in exc.problems), exc
        assert snapshot() == before
        return
    event("imported")
    _check_imported(report.case_nos[0], rec)


# --------------------------------------------------------------------------- unsavable values


@pytest.mark.parametrize("where", ["summary", "facts", "name", "note"])
def test_lone_surrogates_in_a_file_are_refused_naming_the_line(store, where):
    """A JSON escape such as "\\ud800" decodes to a lone surrogate, which cannot be stored."""
    rec = copy.deepcopy(GOOD[1])
    value = "举报\ud800村干部"
    if where == "name":
        rec["petitioners"][0]["name"] = value
    elif where == "note":
        rec["events"][1]["note"] = value
    else:
        rec[where] = value
    path = store / "in.jsonl"
    path.write_text(_dumps(GOOD[0], True) + "\n" + _dumps(rec, True) + "\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(ImportFailed) as info:
        import_cases(path, today=TODAY)
    assert [p.line for p in info.value.problems] == [2]
    assert "第2行" in str(info.value) and "U+D800" in str(info.value)
    assert "\ud800" not in str(info.value)  # the message can be shown and printed
    assert snapshot() == before


def test_a_nul_in_a_file_is_refused_naming_the_line(store):
    rec = copy.deepcopy(GOOD[1])
    rec["facts"] = "村主任\u0000将亲属纳入低保"
    path = store / "in.jsonl"
    path.write_text(_dumps(GOOD[0], False) + "\n" + _dumps(rec, False) + "\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(ImportFailed) as info:
        import_cases(path, today=TODAY)
    assert [(p.line, p.field) for p in info.value.problems] == [(2, "facts（事实）")]
    assert snapshot() == before


HUGE = 10**30


@pytest.mark.parametrize("where", ["people_count", "reps_present", "events.days"])
def test_huge_integers_are_refused_naming_the_line(store, where):
    """An integer beyond SQLite's 64-bit range (or just beyond reason) is refused."""
    rec = copy.deepcopy(GOOD[0])
    if where == "events.days":
        rec["events"][0]["days"] = HUGE  # on a "notified" event: not checked by the workflow
    else:
        rec["people_count"] = HUGE
        rec["reps_present"] = HUGE if where == "reps_present" else 1
    path = store / "in.jsonl"
    path.write_text(_dumps(rec, False) + "\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(ImportFailed) as info:
        import_cases(path, today=TODAY)
    assert "第1行" in str(info.value)
    assert snapshot() == before


@pytest.mark.parametrize("value", ["举报\ud800村干部", HUGE])
def test_such_a_file_leaves_nothing_behind(store, value):
    rec = copy.deepcopy(GOOD[0])
    rec["people_count" if isinstance(value, int) else "summary"] = value
    path = store / "in.jsonl"
    path.write_text(_dumps(GOOD[2], True) + "\n" + _dumps(rec, True) + "\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(ImportFailed) as info:
        import_cases(path, today=TODAY)
    assert [p.line for p in info.value.problems] == [2]
    assert snapshot() == before
