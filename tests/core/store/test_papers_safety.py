"""Attachments are inside the database, so data safety covers them: a backup brings them
back after they were changed or removed (SQLite and, with XINFANG_TEST_PG_URL, the server),
and the database check hashes every stored file again and names the damaged ones."""

import datetime as dt
import hashlib

import pytest

from tests.core.helpers import intake
from tests.core.papers import files
from tests.core.server_db import PG_URL, needs_server, wipe
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.papers import attachments as att
from xinfang_desk.core.store import backup, check, restore, storage
from xinfang_desk.core.store.models import Attachment, FileBlob

TODAY = dt.date(2026, 10, 20)


def _papers() -> tuple[str, dict[str, str]]:
    """A case with three papers; their titles -> SHA-256."""
    no = register_case(intake(), today=TODAY).case_no
    made = {}
    for title, data, name in (("来信原件", files.pdf(3), "来信.pdf"), ("身份证", files.jpeg(), "身份证.jpg"),
                              ("工资表", files.xls(), "工资表.xls")):
        made[title] = att.add_attachment(no, data, name, kind="证据材料", title=title).sha256
    return no, made


def _change_then_restore(data_dir, no: str, made: dict[str, str]) -> None:
    path = backup.backup_now(data_dir)
    listed = {a.title: a for a in att.list_attachments(no)}
    att.remove_attachment(listed["身份证"].id, "误传")
    att.add_attachment(no, files.png(), "新照片.png")
    Attachment.delete().where(Attachment.title == "工资表").execute()
    FileBlob.delete().where(FileBlob.sha256 == made["工资表"]).execute()
    assert len(att.list_attachments(no)) == 3

    restore.restore(data_dir, path)

    back = att.list_attachments(no)
    assert {a.title: a.sha256 for a in back} == made and not any(a.removed for a in back)
    for a in back:
        info, data = att.attachment_data(a.id)
        assert hashlib.sha256(data).hexdigest() == made[a.title] == info.sha256
    assert att.verify_blobs() == []


def test_backup_and_restore_bring_the_papers_back(store):
    no, made = _papers()
    _change_then_restore(store, no, made)


def _damage(sha256: str) -> None:
    FileBlob.update(data=b"%PDF-1.4 altered").where(FileBlob.sha256 == sha256).execute()


def test_the_check_names_damaged_files(store):
    no, made = _papers()
    backup.backup_now(store)
    report = check.check_database(store)
    line = next(x for x in report.lines if x.label == "附件文件")
    assert report.ok and line.text == "3 个附件文件均与登记时的校验值（SHA-256）相符"
    _damage(made["来信原件"])
    report = check.check_database(store)
    assert [x.label for x in report.problems] == ["附件文件"]
    assert f"{no}“来信原件”" in report.problems[0].text and "身份证" not in report.problems[0].text
    assert att.verify_blobs() == ["来信原件"]


# --- on the server -------------------------------------------------------------------------------

@pytest.fixture
def desk(tmp_path, monkeypatch):
    pytest.importorskip("psycopg")
    from xinfang_desk.core.paths import DataDir
    from xinfang_desk.core.store import server_backup

    monkeypatch.setattr(backup, "SCRYPT_LOG_N", 10)
    monkeypatch.delenv(server_backup.PG_BIN_ENV, raising=False)
    if server_backup.find_tool("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    wipe()
    storage.open_url(PG_URL)
    yield DataDir(tmp_path / "desk").ensure()
    storage.close()


@needs_server
def test_backup_and_restore_of_the_server_bring_the_papers_back(desk):
    no, made = _papers()
    _change_then_restore(desk, no, made)


@needs_server
def test_the_check_on_the_server_names_damaged_files(desk):
    no, made = _papers()
    report = check.check_database(desk)
    assert next(x for x in report.lines if x.label == "附件文件").ok
    _damage(made["身份证"])
    assert check.damaged_blobs() == [made["身份证"]]
    report = check.check_database(desk)
    assert [x.label for x in report.problems] == ["附件文件"]
    assert f"{no}“身份证”" in report.problems[0].text
