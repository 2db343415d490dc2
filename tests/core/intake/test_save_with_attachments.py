"""save_intake with the visitor's files: attached in the case's own transaction; a refused
file refuses the whole save with its reason, and nothing is written."""

import datetime as dt

import pytest

from tests.core.helpers import intake
from tests.core.papers import files
from xinfang_desk.core.errors import FieldError, XinfangError
from xinfang_desk.core.intake.desk import NewAttachment, save_intake
from xinfang_desk.core.papers.attachments import list_attachments
from xinfang_desk.core.store.models import Attachment, AuditLog, Case, FileBlob

TODAY = dt.date(2026, 10, 9)


def test_the_files_are_attached_with_the_case(store):
    saved = save_intake(intake(disposition="转送", unit="人力资源和社会保障局"), today=TODAY,
                        attachments=[NewAttachment(files.jpeg(), "来信.jpg", "来信原件"),
                                     NewAttachment(files.pdf(2), "材料.pdf", "证据材料", "工资条")])
    infos = list_attachments(saved.case_no)
    assert [(i.title, i.kind, i.pages) for i in infos] == [("来信", "来信原件", 1),
                                                           ("工资条", "证据材料", 2)]
    assert AuditLog.select().where(AuditLog.action == "attachment_added").count() == 2


@pytest.mark.parametrize("bad, error, words", [
    (NewAttachment(files.exe(), "合同.pdf"), XinfangError, "可执行程序"),
    (NewAttachment(b"", "空白.jpg"), XinfangError, "空文件"),
    (NewAttachment(files.png(), "照片.png", "照片"), FieldError, "附件类别"),
])
def test_a_refused_file_refuses_the_save(store, bad, error, words):
    with pytest.raises(error, match=words):
        save_intake(intake(), today=TODAY,
                    attachments=[NewAttachment(files.jpeg(), "来信.jpg"), bad])
    assert Case.select().count() == 0
    assert Attachment.select().count() == 0 and FileBlob.select().count() == 0
