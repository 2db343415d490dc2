"""Attaching the papers of a matter: each kind an office brings is taken, judged by its
content; the bad ones are refused with the reason and nothing is stored; a confidential case's
papers stay with those who see the case; removal is on the timeline and keeps the file."""

import datetime as dt

import pytest

from tests.core.helpers import intake
from tests.core.papers import files
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import events_of, get_case, register_case
from xinfang_desk.core.errors import FieldError, XinfangError
from xinfang_desk.core.papers import attachments as att
from xinfang_desk.core.people import users
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.models import Attachment, AuditLog, FileBlob

TODAY = dt.date(2026, 10, 9)


@pytest.fixture
def case_no(store):
    return register_case(intake(), today=TODAY).case_no


@pytest.mark.parametrize("name, make, file_type, pages", [
    ("来信扫描.jpg", files.jpeg, "jpeg", 1),
    ("墙体裂缝.png", files.png, "png", 1),
    ("扫描仪.tif", lambda: files.tiff(3), "tiff", 3),
    ("人社局办理报告.pdf", lambda: files.pdf(2), "pdf", 2),
    ("补充说明.docx", files.docx, "docx", 1),
    ("工资表.xls", files.xls, "ole", 1),
    ("补充材料.txt", files.text_gbk, "txt", 1),
])
def test_each_kind_an_office_brings_is_attached(case_no, name, make, file_type, pages):
    data = make()
    info = att.add_attachment(case_no, data, name, kind="证据材料")
    assert (info.file_type, info.pages, info.size) == (file_type, pages, len(data))
    assert info.title == name.rsplit(".", 1)[0] and info.kind == "证据材料"
    assert [a.id for a in att.list_attachments(case_no)] == [info.id]
    got, back = att.attachment_data(info.id)
    assert back == data and got.sha256 == info.sha256


def test_the_type_comes_from_the_content_not_the_name(case_no):
    info = att.add_attachment(case_no, files.jpeg(), "照片.pdf")
    assert info.file_type == "jpeg"


@pytest.mark.parametrize("name, data, words", [
    ("合同.pdf", files.exe(), "可执行程序"),
    ("空白.jpg", b"", "空文件"),
    ("乱码.bin", bytes(range(256)) * 10, "无法识别"),
])
def test_bad_files_are_refused_and_nothing_is_stored(case_no, name, data, words):
    with pytest.raises(XinfangError, match=words):
        att.add_attachment(case_no, data, name)
    assert Attachment.select().count() == 0 and FileBlob.select().count() == 0


def test_a_file_over_the_limit_is_refused(case_no):
    settings.put("attachment_max_mb", 1)
    big = files.jpeg() + b"\x00" * (1024 * 1024)
    with pytest.raises(XinfangError, match="超过附件大小上限 1 MB"):
        att.add_attachment(case_no, big, "大照片.jpg")
    assert FileBlob.select().count() == 0


def test_same_file_twice_is_stored_once(case_no, store):
    data = files.pdf()
    other = register_case(intake(summary="又来反映"), today=TODAY).case_no
    att.add_attachment(case_no, data, "报告.pdf")
    att.add_attachment(other, data, "报告.pdf")
    assert Attachment.select().count() == 2 and FileBlob.select().count() == 1


def test_kind_must_be_one_of_ours(case_no):
    with pytest.raises(FieldError, match="附件类别"):
        att.add_attachment(case_no, files.png(), "a.png", kind="照片")


def test_a_clerk_does_not_see_a_confidential_cases_papers(store):
    admin = users.create_user("admin", "admin2026a", session.ADMIN, "管理员")
    with session.acting_as(users.actor_of(admin)):
        users.create_user("zhangmin", "pass2026a", session.CLERK, "张敏")
        users.create_user("zhaolei", "pass2026a", session.CLERK, "赵磊")
        users.create_user("leader", "pass2026a", session.LEADER, "李红梅")
    with session.acting_as(users.actor_of(users.get_user("zhangmin"))):
        secret = register_case(intake(category="检举控告", confidential=True, clerk="zhangmin"),
                               today=TODAY)
        info = att.add_attachment(secret.case_no, files.jpeg(), "举报材料.jpg", kind="证据材料")
    with session.acting_as(users.actor_of(users.get_user("zhaolei"))):
        with pytest.raises(session.PermissionDenied):
            att.list_attachments(secret.case_no)
        with pytest.raises(session.PermissionDenied):
            att.attachment_data(info.id)
    with session.acting_as(users.actor_of(users.get_user("leader"))):
        assert att.attachment_data(info.id)[1] == files.jpeg()


def test_removal_is_a_timeline_event_and_the_file_stays(case_no):
    info = att.add_attachment(case_no, files.png(), "误传的照片.png")
    att.remove_attachment(info.id, "与本事项无关，误传", on=TODAY)
    (shown,) = att.list_attachments(case_no)
    assert shown.removed and shown.removed_reason == "与本事项无关，误传"
    assert att.list_attachments(case_no, include_removed=False) == []
    removed = [e for e in events_of(get_case(case_no)) if e.type == "attachment_removed"]
    assert [e.note for e in removed] == ["误传的照片：与本事项无关，误传"]
    assert FileBlob.select().count() == 1  # kept until the retention purge
    with pytest.raises(XinfangError, match="已于"):
        att.remove_attachment(info.id, "再删一次")
    with pytest.raises(FieldError, match="移除原因"):
        att.remove_attachment(info.id, " ")


def test_every_act_is_on_the_audit_trail(case_no, tmp_path):
    info = att.add_attachment(case_no, files.png(), "照片.png")
    att.attachment_data(info.id)
    att.export_attachment(info.id, tmp_path / "导出.png")
    att.remove_attachment(info.id, "重复")
    actions = [r.action for r in AuditLog.select().order_by(AuditLog.id)][-4:]
    assert actions == ["attachment_added", "attachment_viewed", "attachment_exported",
                       "attachment_removed"]
    assert (tmp_path / "导出.png").read_bytes() == files.png()


def test_a_crash_during_an_attach_leaves_no_orphan(case_no, monkeypatch):
    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(att.audit, "record", boom)
    with pytest.raises(OSError):
        att.add_attachment(case_no, files.pdf(), "报告.pdf")
    assert FileBlob.select().count() == 0 and Attachment.select().count() == 0


def test_damaged_bytes_are_found(case_no, store):
    info = att.add_attachment(case_no, files.png(), "照片.png")
    assert att.verify_blobs() == []
    FileBlob.update(data=b"\x89PNG tampered").where(FileBlob.sha256 == info.sha256).execute()
    assert att.verify_blobs() == ["照片"]
    with pytest.raises(XinfangError, match="校验值不符"):
        att.attachment_data(info.id)


def test_a_long_gbk_text_is_text_wherever_the_sample_ends(case_no):
    line = "信访人补充材料：工资未发放。\r\n".encode("gbk")
    data = b"a" + line * 5000  # odd offset: the 64 KB sample ends inside a character
    assert att.add_attachment(case_no, data, "补充材料.txt").file_type == "txt"
