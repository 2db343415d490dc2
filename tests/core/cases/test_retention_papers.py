"""Retention and the papers of a matter: purging a case deletes its attachments, and every
stored file no other attachment uses; the bytes are gone from the database files; an
anonymised case loses its papers too, its timeline saying how many."""

import datetime as dt
import json

import pytest

from tests.core.helpers import intake
from tests.core.people.test_access import make_office
from xinfang_desk.core import session
from xinfang_desk.core.cases import retention
from xinfang_desk.core.cases.records import get_case, register_case
from xinfang_desk.core.papers import attachments as att
from xinfang_desk.core.store.db import database
from xinfang_desk.core.store.models import Attachment, AuditLog, CaseEvent, FileBlob

RECEIVED = dt.date(2026, 9, 1)
PURGE_DAY = dt.date(2032, 1, 10)
MARKER = "QX7-ZHOU-SECRET-5a1f"


def paper(n: int, marker: str = MARKER) -> bytes:
    """A text file of some 40 KB whose first and last bytes carry a unique marker."""
    body = f"信访人补充材料{n}：{marker}\n" + "身份证号码复印件说明，工资条明细。\n" * 1500
    return (body + marker + "\n").encode("gbk")


@pytest.fixture
def office(store):
    """An old consultation answered on the spot (due), and an open matter (kept), each with
    papers; one file is attached to both."""
    spot = register_case(intake(received_on=RECEIVED, disposition="当场答复", category="咨询",
                                facts="", answer_given="已告知补缴流程"), today=RECEIVED).case_no
    kept = register_case(intake(received_on=RECEIVED), today=RECEIVED).case_no
    for n in range(6):  # interleaved, so the pages split while both grow
        att.add_attachment(spot, paper(n), f"周某材料{n}.txt", kind="证据材料")
        att.add_attachment(kept, paper(n, marker=f"KEEP-{n}-7c2e"), f"材料{n}.txt")
    shared = paper(99, marker="SHARED-FILE-88e1")
    att.add_attachment(spot, shared, "共用.txt")
    att.add_attachment(kept, shared, "共用.txt")
    return spot, kept, make_office()


def _raw(store) -> bytes:
    files = [store.database, store.database.with_name(store.database.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_purge_deletes_the_papers_and_their_bytes(office, store, mode):
    spot, kept, staff = office
    db = database.obj
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    assert MARKER.encode() in _raw(store)  # the search can see it
    db.execute_sql("PRAGMA secure_delete=OFF")  # as most SQLite builds have it by default
    with session.acting_as(staff["管理员"]):
        report = retention.purge([spot], mode=mode, today=PURGE_DAY)
    assert (report.cases, report.attachments, report.files_removed) == (1, 7, 6)
    assert "删除附件7份" in report.summary
    raw = _raw(store)
    assert MARKER.encode() not in raw  # (titles stay in the audit trail, which is never purged)
    assert b"KEEP-3-7c2e" in raw and b"SHARED-FILE-88e1" in raw  # the kept case's papers
    assert Attachment.select().count() == 7 and FileBlob.select().count() == 7
    assert att.verify_blobs() == []
    for a in att.list_attachments(kept):
        assert att.attachment_data(a.id)[1].endswith(b"\n")
    details = json.loads(AuditLog.get(AuditLog.action == "purge").details)
    assert (details["attachments"], details["files_removed"]) == (7, 6)
    if mode == "anonymise":
        case = get_case(spot)
        entries = [(e.type, e.on, e.note) for e in CaseEvent.select().where(CaseEvent.case == case)]
        assert entries == [("attachment_removed", PURGE_DAY, "保存期满，附件7份随匿名化删除")]
        assert not Attachment.select().where(Attachment.case == case).exists()
