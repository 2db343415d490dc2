"""打印卷宗: the case file as one PDF — contents, register form, timeline, the letters printed,
the attachments (images a page each, PDFs as they are, other kinds listed as not included),
every page numbered; building reads the attachments audited and records nothing else."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tests.core.helpers import intake
from tests.core.papers import files
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import events_of, get_case, record_event, register_case
from xinfang_desk.core.documents.build import record_printed
from xinfang_desk.core.papers import attachments as att
from xinfang_desk.core.papers.dossier import NOT_INCLUDED, build_dossier, record_dossier_printed
from xinfang_desk.core.people import users
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store.models import AuditLog, Unit

TODAY = dt.date(2026, 10, 20)
PDF_TEXT = "承办单位办理情况报告"
# contents + register + timeline + receipt + PDF (2) + JPEG (1) + TIFF (3)
EXPECTED_PAGES = 1 + 1 + 1 + 1 + 2 + 1 + 3


def flat(s: str) -> str:
    return "".join(s.split())


def page_texts(pdf: bytes) -> list[str]:
    return [flat(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def handled_case() -> str:
    """Forwarded, fed back and replied; the receipt printed; five files attached, one removed."""
    Unit.get_or_create(name="区人社局")
    no = register_case(intake(disposition="转送", unit="区人社局"), today=dt.date(2026, 9, 21)).case_no
    record_printed(no, "receipt", on=dt.date(2026, 9, 21))
    record_event(no, EventData(type="forwarded", on=dt.date(2026, 9, 24), unit="区人社局",
                               ref="顺信转〔2026〕12号", deadline=dt.date(2026, 11, 20)))
    record_event(no, EventData(type="feedback", on=dt.date(2026, 10, 12), note="人社局已约谈单位负责人"))
    record_event(no, EventData(type="replied", on=dt.date(2026, 10, 16), outcome="支持",
                               note="单位已补发工资"))
    att.add_attachment(no, files.pdf(2, PDF_TEXT), "人社局办理报告.pdf", kind="反馈材料")
    att.add_attachment(no, files.jpeg(), "来信扫描.jpg", kind="来信原件")
    att.add_attachment(no, files.tiff(3), "工资条扫描.tif", kind="证据材料")
    att.add_attachment(no, files.docx(), "补充说明.docx", kind="证据材料")
    wrong = att.add_attachment(no, files.png(), "误传的照片.png")
    att.remove_attachment(wrong.id, "与本事项无关，误传", on=TODAY)
    return no


@pytest.fixture
def case_no(store):
    return handled_case()


def test_the_dossier_holds_every_section_in_order_with_page_numbers(case_no):
    pdf = build_dossier(case_no, today=TODAY)
    pages = page_texts(pdf)
    assert len(pages) == EXPECTED_PAGES
    for n, text in enumerate(pages, start=1):
        assert f"第{n}页共{EXPECTED_PAGES}页" in text, n
    contents, register, timeline, receipt = pages[:4]
    assert "卷宗目录" in contents and case_no in contents and "反映单位拖欠工资三个月" in contents
    assert "2026-09-21" in contents and "已答复" in contents
    for entry in ("来访登记表", "办理过程", "文书：回执", "附件1：人社局办理报告",
                  "附件2：来信扫描", "附件3：工资条扫描", "附件4：补充说明"):
        assert entry in contents, entry
    assert flat(NOT_INCLUDED) in contents and "Word文档" in contents
    assert "信访事项登记表" in register
    for line in ("2026-09-24转送区人社局（顺信转〔2026〕12号），反馈期限2026-11-20",
                 "2026-10-12承办单位反馈：人社局已约谈单位负责人", "2026-10-16答复：支持。单位已补发工资",
                 "2026-09-21打印文书：回执", "2026-10-20移除附件：误传的照片：与本事项无关，误传"):
        assert line in timeline, line
    assert "存根" in receipt and case_no in receipt
    assert f"{PDF_TEXT}第1页" in pages[4] and f"{PDF_TEXT}第2页" in pages[5]  # text stays text
    assert "附件2：来信扫描" in pages[6]
    assert [("第1/3页" in p, "第3/3页" in p) for p in pages[7:10]] == [
        (True, False), (False, False), (False, True)]
    # the removed file is neither listed nor included: only the timeline tells of its removal
    assert "".join(pages).count("误传的照片") == 1 and "误传的照片" not in contents


def test_contents_gives_the_first_page_of_each_section(case_no):
    contents = page_texts(build_dossier(case_no, today=TODAY))[0]
    # each row: 序号 材料 说明 页数 起始页
    for row in ("1来访登记表登记时的全部记录12", "2办理过程共6条记录13", "3文书：回执2026-09-21打印14",
                "4附件1：人社局办理报告反馈材料，PDF文件25", "5附件2：来信扫描来信原件，JPEG图片17",
                "6附件3：工资条扫描证据材料，TIFF图片38",
                "7附件4：补充说明证据材料，Word文档；未收入（请另行调阅原件）——"):
        assert row in contents, row


def test_a_long_contents_moves_the_page_numbers(store):
    no = register_case(intake(), today=TODAY).case_no
    for i in range(40):  # a bulky file of papers that cannot be rendered: a long contents
        att.add_attachment(no, files.docx() + bytes([i]), f"补充说明{i + 1}.docx")
    att.add_attachment(no, files.png(), "现场照片.png")
    pages = page_texts(build_dossier(no, today=TODAY))
    register = next(i for i, p in enumerate(pages) if "信访事项登记表" in p)
    assert register >= 2  # the contents took more than one page
    contents = "".join(pages[:register])
    assert f"1来访登记表登记时的全部记录1{register + 1}" in contents
    assert f"43附件41：现场照片其他，PNG图片1{len(pages)}" in contents
    assert "附件41：现场照片" in pages[-1]


def test_building_reads_attachments_audited_and_records_no_printing(case_no):
    before = [e.type for e in events_of(get_case(case_no))]
    build_dossier(case_no, today=TODAY)
    assert [e.type for e in events_of(get_case(case_no))] == before
    reads = [r for r in AuditLog.select().where(AuditLog.action == "attachment_viewed")]
    assert len(reads) == 3 and all('"dossier"' in r.details for r in reads)  # not the docx
    assert not AuditLog.select().where(AuditLog.action == "printed",
                                       AuditLog.details.contains("dossier")).exists()


def test_recording_the_printing_and_printing_again(case_no):
    record_dossier_printed(case_no, on=TODAY)
    last = events_of(get_case(case_no))[-1]
    assert (last.type, last.note) == ("printed", "卷宗")
    pages = page_texts(build_dossier(case_no, today=TODAY))
    assert len(pages) == EXPECTED_PAGES  # the dossier itself is not a letter to include
    assert "打印文书：卷宗" in pages[2]


def test_a_letter_no_longer_available_is_listed_as_not_included(store):
    no = register_case(intake(), today=dt.date(2026, 9, 21)).case_no
    record_printed(no, "reply", on=dt.date(2026, 10, 1))  # e.g. a reply since struck from the record
    pages = page_texts(build_dossier(no, today=TODAY))
    assert len(pages) == 3  # contents, register, timeline
    assert "文书：答复意见书" in pages[0] and "现已不能重新出具" in pages[0]


def test_a_clerk_cannot_build_the_dossier_of_a_confidential_case_they_cannot_see(store):
    admin = users.create_user("admin", "admin2026a", session.ADMIN, "管理员")
    with session.acting_as(users.actor_of(admin)):
        users.create_user("zhangmin", "pass2026a", session.CLERK, "张敏")
        users.create_user("zhaolei", "pass2026a", session.CLERK, "赵磊")
        users.create_user("leader", "pass2026a", session.LEADER, "李红梅")
        with pytest.raises(session.PermissionDenied):
            build_dossier("XF2026-000001", today=TODAY)  # the administrator does not print
    with session.acting_as(users.actor_of(users.get_user("zhangmin"))):
        secret = register_case(intake(category="检举控告", confidential=True, clerk="zhangmin"),
                               today=TODAY).case_no
        att.add_attachment(secret, files.jpeg(), "举报材料.jpg", kind="证据材料")
        assert len(page_texts(build_dossier(secret, today=TODAY))) == 4
    with session.acting_as(users.actor_of(users.get_user("zhaolei"))), \
            pytest.raises(session.PermissionDenied):
        build_dossier(secret, today=TODAY)
    with session.acting_as(users.actor_of(users.get_user("leader"))):
        assert "举报材料" in page_texts(build_dossier(secret, today=TODAY))[0]


def test_a_damaged_pdf_is_listed_not_fatal(store):
    no = register_case(intake(), today=TODAY).case_no
    broken = files.pdf(1)[:200]  # a PDF cut short: judged a PDF, unreadable
    att.add_attachment(no, broken, "残缺的报告.pdf")
    pages = page_texts(build_dossier(no, today=TODAY))
    assert len(pages) == 3 and "文件无法读取" in pages[0]
