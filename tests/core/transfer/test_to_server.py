"""Moving an office onto the server: the whole history arrives (counts, audit chain with the
same head, the monthly reports of a year identical), the server goes on numbering after it,
and a server that already holds data is never written to."""

import datetime as dt

import pytest

from tests.core.helpers import intake
from tests.core.server_db import PG_URL, needs_server, wipe

pytestmark = needs_server
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def office(tmp_path):
    """A local data directory with a year of demo history, accounts and their audit rows."""
    pytest.importorskip("psycopg")
    from xinfang_desk.core import session
    from xinfang_desk.core.demo.generate import generate_demo
    from xinfang_desk.core.people import users
    from xinfang_desk.core.store import storage

    wipe()
    root = tmp_path / "office"
    storage.open_data_dir(root)
    generate_demo(400, seed=7, today=TODAY)
    admin = users.create_user("admin", "admin2026a", session.ADMIN, "王建国")
    with session.acting_as(users.actor_of(admin)):
        users.create_user("zhangmin", "pass2026a", session.CLERK, "张敏")
    storage.close()
    yield root
    storage.close()


def test_the_whole_history_moves_and_is_proved(office):
    from xinfang_desk.core.cases.records import register_case
    from xinfang_desk.core.cases.search import search_cases
    from xinfang_desk.core.store import server
    from xinfang_desk.core.store.models import Case, CaseEvent, User
    from xinfang_desk.core.transfer.to_server import copy_to_server

    steps = []
    report = copy_to_server(office, server.ServerChoice.from_url(PG_URL), today=TODAY,
                            progress=steps.append)
    assert report.ok
    assert report.counts["xf_case"] == (400, 400)
    assert report.counts["user"] == (2, 2)
    assert all(here == there for here, there in report.counts.values())
    assert report.audit_ok and "哈希链校验通过" in report.audit_target
    assert report.months[0] == "2025-11" and report.months[-1] == "2026-10"
    assert report.report_differences == []
    assert any(step.startswith("已复制 xf_case：400") for step in steps)
    assert report.lines()[-1] == "迁移完成，核对通过。"

    # Bound to the server now: the history is there and the numbering goes on after it.
    assert Case.select().count() == 400 and User.get(User.username == "zhangmin").role == "clerk"
    last_event = CaseEvent.select().order_by(CaseEvent.id.desc()).first().id
    saved = register_case(intake(received_on=dt.date(2026, 11, 20)), today=TODAY)
    assert Case.get(Case.case_no == saved.case_no).id == 401
    assert saved.case_no not in {c.case_no for c in Case.select().where(Case.id <= 400)}
    assert search_cases("拖欠工资").total >= 1
    assert CaseEvent.select().order_by(CaseEvent.id.desc()).first().id >= last_event


def test_a_server_that_holds_data_is_not_touched(office, tmp_path):
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.store import server, storage
    from xinfang_desk.core.store.models import Case
    from xinfang_desk.core.transfer.to_server import copy_to_server

    choice = server.ServerChoice.from_url(PG_URL)
    server.open_server(tmp_path / "desk", choice)
    from xinfang_desk.core.cases.records import register_case

    register_case(intake(), today=TODAY)
    storage.close()
    with pytest.raises(XinfangError, match="已有数据（事项 1 件"):
        copy_to_server(office, choice, today=TODAY)
    server.open_server(tmp_path / "desk", choice)
    assert Case.select().count() == 1


def test_attachments_and_their_bytes_move_with_equal_hashes(tmp_path):
    """The files' bytes go through COPY's text format as bytea: every byte value arrives."""
    pytest.importorskip("psycopg")
    import hashlib

    from tests.core.papers import files
    from xinfang_desk.core.cases.records import register_case
    from xinfang_desk.core.papers import attachments as att
    from xinfang_desk.core.store import check, server, storage
    from xinfang_desk.core.store.models import FileBlob
    from xinfang_desk.core.transfer.to_server import copy_to_server

    wipe()
    root = tmp_path / "office"
    storage.open_data_dir(root)
    no = register_case(intake(received_on=dt.date(2026, 11, 2)), today=TODAY).case_no
    every_byte = files.pdf(1) + bytes(range(256)) * 64 + b"\\\t\n\r\x00"  # COPY's escapes too
    papers = {"来信": files.pdf(3), "照片": files.jpeg(), "扫描": files.tiff(2),
              "全字节": every_byte}
    for title, data in papers.items():
        att.add_attachment(no, data, f"{title}.bin", title=title)
    removed = att.list_attachments(no)[1]
    att.remove_attachment(removed.id, "重复", on=dt.date(2026, 11, 3))
    storage.close()
    try:
        report = copy_to_server(root, server.ServerChoice.from_url(PG_URL), today=TODAY)
        assert report.ok and report.counts["file_blob"] == (4, 4)
        assert report.counts["attachment"] == (4, 4)
        moved = att.list_attachments(no)
        assert {a.title for a in moved} == set(papers) and moved[-1].removed
        for a in moved:
            _info, data = att.attachment_data(a.id)
            assert data == papers[a.title] and hashlib.sha256(data).hexdigest() == a.sha256
        assert check.damaged_blobs() == []  # hashed by the server itself
        assert FileBlob.select().count() == 4
    finally:
        storage.close()
