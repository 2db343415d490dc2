"""The same core on a shared PostgreSQL server (the multi-seat office).

Runs when XINFANG_TEST_PG_URL names an empty database this test may wipe (CI starts a local
PostgreSQL and sets it); skipped otherwise.
"""

import datetime as dt
import os

import pytest

from tests.core.helpers import ID_WANG, intake

PG_URL = os.environ.get("XINFANG_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="XINFANG_TEST_PG_URL not set (no PostgreSQL)")

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def pg():
    pytest.importorskip("psycopg")
    from playhouse.db_url import connect

    # Start from an empty schema every time.
    raw = connect(PG_URL)
    raw.execute_sql("DROP SCHEMA public CASCADE")
    raw.execute_sql("CREATE SCHEMA public")
    raw.close()
    from xinfang_desk.core.store import storage

    db = storage.open_url(PG_URL)
    yield db
    storage.close()


def test_migrations_seed_and_register_on_postgres(pg):
    from xinfang_desk.core.cases.records import get_case, petitioners_of, register_case
    from xinfang_desk.core.store import migrations
    from xinfang_desk.core.store.models import CalendarYear, Field

    assert migrations.current_version(pg) == migrations.LATEST
    assert Field.select().count() > 40
    assert CalendarYear.get_by_id(2026).status == "official"
    a = register_case(intake(), today=TODAY)
    b = register_case(intake(summary="又来反映"), today=TODAY)
    assert (a.case_no, b.case_no) == ("XF2026-000001", "XF2026-000002")
    (person, _), = petitioners_of(get_case(a.case_no))
    assert person.id_number == ID_WANG and person.sex == "女"


def test_events_and_deadlines_on_postgres(pg):
    from xinfang_desk.core.cases.records import get_case, record_event, register_case
    from xinfang_desk.core.deadlines.engine import list_deadlines
    from xinfang_desk.core.rules.workflow import EventData

    saved = register_case(intake(received_on=dt.date(2026, 9, 28), disposition="转送",
                                 unit="民政局", channel="上级转送", channel_ref="转〔2026〕1号"),
                          today=TODAY)
    dues = {d.kind: d for d in list_deadlines(today=dt.date(2026, 9, 29))}
    assert dues["objection"].due == dt.date(2026, 10, 10)
    record_event(saved.case_no, EventData("forwarded", dt.date(2026, 9, 29), ref="民转1号"))
    assert get_case(saved.case_no).status == "forwarded"


def test_search_and_repeats_on_postgres(pg):
    from xinfang_desk.core.cases.records import PetitionerInput, register_case
    from xinfang_desk.core.cases.repeats import find_repeats
    from xinfang_desk.core.cases.search import search_cases

    wage = register_case(intake(), today=TODAY)
    other = register_case(intake(summary="反映小区噪音扰民", request="要求处理噪音",
                                 facts="楼下商铺夜间施工", field="环境保护/噪声污染",
                                 petitioners=[PetitionerInput(name="赵德明", phone="0817-2223344")]),
                          today=TODAY)
    assert [r.case_no for r in search_cases("拖欠工资").rows] == [wage.case_no]
    assert [r.case_no for r in search_cases("噪音").rows] == [other.case_no]
    assert [r.case_no for r in search_cases("赵德明").rows] == [other.case_no]
    assert [r.case_no for r in search_cases("0817-2223344").rows] == [other.case_no]
    matches = find_repeats(id_number=ID_WANG, text="单位拖欠工资")
    assert matches[0].case_no == wage.case_no
    assert "身份证号相同" in matches[0].reasons


def test_answer_library_on_postgres(pg, tmp_path):
    """The seeded library, a new version approved, the case's use, suggestions and the file
    round trip: the same on the shared server."""

    from xinfang_desk.core.answers import library as answers
    from xinfang_desk.core.answers import library_file
    from xinfang_desk.core.answers.common import AnswerDraft
    from xinfang_desk.core.intake.desk import save_intake

    seeded = answers.list_answers()
    assert len(seeded) >= 8 and all(a.status == "approved" for a in seeded)
    review = next(a for a in seeded if "复查" in a.title)
    saved = save_intake(intake(), answer_version_id=review.version_id, today=TODAY)
    draft = answers.save_draft(AnswerDraft(title=review.title, body=review.body + "（修订）",
                                           basis_name=review.basis_name,
                                           basis_article=review.basis_article),
                               answer_id=review.answer_id)
    answers.approve(draft.version_id, approver="李主任")
    [(purpose, used)] = answers.used_by_case(saved.case_no)
    assert (purpose, used.version, used.status) == ("on_spot", 1, "retired")
    best = answers.suggest("对处理意见不服，想请求复查")[0]
    assert best.answer_id == review.answer_id and best.version == 2
    out = tmp_path / "lib.json"
    assert library_file.export_library(out) >= len(seeded)
    assert library_file.import_library(out).added == 0


def test_ledger_import_and_export_on_postgres(pg, tmp_path):
    """The office's workbook comes in on the shared server as on SQLite: the good rows, the
    refused one with its reason, nothing twice, the id sequences moved on for the next desk."""
    from openpyxl import load_workbook

    from tests.core.interchange import ledger_files as lf
    from xinfang_desk.core.cases.records import register_case
    from xinfang_desk.core.interchange.ledger_export import export_ledger
    from xinfang_desk.core.interchange.ledger_import import import_ledger
    from xinfang_desk.core.store.models import Case

    path = lf.write_office_xlsx(tmp_path / "台账.xlsx")
    report = import_ledger(path, today=dt.date(2026, 1, 5))
    assert report.imported == 4 and [p.row for p in report.refused] == [9]
    assert import_ledger(path, today=dt.date(2026, 1, 5)).imported == 0
    assert Case.select().count() == 4
    later = register_case(intake(), today=TODAY)  # the next desk's save after the bulk write
    assert Case.get_by_id(later.id).case_no == later.case_no
    out = tmp_path / "导出.xlsx"
    assert export_ledger(out, today=TODAY) == 5
    assert load_workbook(out).active.max_row == 7



def test_a_desks_connection_runs_without_jit(pg, tmp_path):
    """JIT compiled the monthly figures' large query before running it and made the report
    slower (docs/performance.md); no desk's connection uses it, however it was opened."""
    from xinfang_desk.core.store import server, storage

    assert pg.execute_sql("SHOW jit").fetchone()[0] == "off"
    storage.close()
    server.open_server(tmp_path / "desk", server.ServerChoice.from_url(PG_URL))
    assert storage.database.obj.execute_sql("SHOW jit").fetchone()[0] == "off"
    assert server.test_connection(server.ServerChoice.from_url(PG_URL)).startswith("PostgreSQL")
