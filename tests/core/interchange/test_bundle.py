"""The .zip interchange package: cases with their attachments go out and come back whole (the
same bytes, the same hashes, removals kept), a confidential case's papers only with it, and a
package whose file is missing or altered is refused by name with nothing written."""

import datetime as dt
import hashlib
import json
import zipfile

import pytest

from tests.core.helpers import intake
from tests.core.papers import files
from tests.core.people.test_access import accusation, make_office
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import events_of, register_case
from xinfang_desk.core.interchange import bundle, jsonl
from xinfang_desk.core.interchange.jsonl import ImportFailed, export_cases, import_cases
from xinfang_desk.core.papers import attachments as att
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.models import Attachment, AuditLog, Case, FileBlob

TODAY = dt.date(2026, 10, 20)


@pytest.fixture
def office(store):
    """Two ordinary cases (one with a letter, an ID copy and a removed photo; one sharing the
    letter's file) and a confidential one with evidence, registered by 张敏."""
    staff = make_office()
    with session.acting_as(staff["张敏"]):
        plain = register_case(intake(received_on=dt.date(2026, 9, 2)), today=TODAY).case_no
        other = register_case(intake(received_on=dt.date(2026, 9, 3)), today=TODAY).case_no
        secret = register_case(accusation(), today=TODAY).case_no
        letter = files.pdf(2, text="来信原件 王秀英")
        att.add_attachment(plain, letter, "来信.pdf", kind="来信原件", title="来信原件")
        att.add_attachment(plain, files.jpeg(), "身份证.jpg", kind="身份证明")
        photo = att.add_attachment(plain, files.png(), "现场.png", kind="证据材料")
        att.remove_attachment(photo.id, "重复上传", on=dt.date(2026, 9, 5))
        att.add_attachment(other, letter, "复印件.pdf", kind="来信原件")
        att.add_attachment(secret, files.tiff(2), "举报材料.tif", kind="证据材料")
    return staff, plain, other, secret


def _lines(path):
    with zipfile.ZipFile(path) as zf:
        return [json.loads(x) for x in zf.read(bundle.CASES_NAME).decode().splitlines()]


def test_export_import_export_gives_the_same_package(office, tmp_path):
    staff, plain, other, secret = office
    first = tmp_path / "交换包.zip"
    with session.acting_as(staff["李主任"]):  # a leader sees the confidential case too
        done = bundle.export_package(first)
    assert (done.cases, done.attachments, done.files) == (3, 5, 4)
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        assert names[0] == "cases.jsonl" and len(names) == 5
        for name in names[1:]:
            assert name == f"files/{hashlib.sha256(zf.read(name)).hexdigest()}"
    lines = {rec["case_no"]: rec for rec in _lines(first)}
    papers = lines[plain]["attachments"]
    assert [p["title"] for p in papers] == ["来信原件", "身份证", "现场"]
    assert papers[0] == {
        "kind": "来信原件", "title": "来信原件", "file_name": "来信.pdf", "file_type": "pdf",
        "pages": 2, "size": papers[0]["size"], "sha256": papers[0]["sha256"], "added_by": "张敏",
        "added_at": papers[0]["added_at"]}
    assert papers[2]["removed_reason"] == "重复上传" and papers[2]["removed_by"] == "张敏"
    assert lines[other]["attachments"][0]["sha256"] == papers[0]["sha256"]
    # Without the attachments the lines are those of the JSON Lines export.
    plain_export = tmp_path / "plain.jsonl"
    with session.acting_as(staff["李主任"]):
        export_cases(plain_export)
    stripped = [{k: val for k, val in rec.items() if k != "attachments"} for rec in _lines(first)]
    assert stripped == [json.loads(x) for x in plain_export.read_text("utf-8").splitlines()]
    assert AuditLog.select().where(AuditLog.action == "exported").count() == 2
    details = json.loads(AuditLog.select().where(AuditLog.action == "exported")
                         .order_by(AuditLog.id).first().details)
    assert (details["attachments"], details["files"]) == (5, 4)
    storage.close()

    storage.open_data_dir(tmp_path / "elsewhere", today=TODAY)
    report = bundle.import_package(first, today=TODAY)
    assert (report.cases, report.attachments) == (3, 5)
    assert FileBlob.select().count() == 4 and Attachment.select().count() == 5
    listed = att.list_attachments(plain)
    assert [a.title for a in listed] == ["来信原件", "身份证", "现场"] and listed[2].removed
    assert listed[0].added_by == "张敏" and listed[0].pages == 2
    _info, data = att.attachment_data(listed[1].id)
    assert hashlib.sha256(data).hexdigest() == listed[1].sha256
    assert any(e.type == "attachment_removed" for e in events_of(Case.get(Case.case_no == plain)))
    row = AuditLog.select().where(AuditLog.action == "imported").get()
    assert json.loads(row.details)["attachments"] == 5
    second = tmp_path / "again.zip"
    bundle.export_package(second)
    assert second.read_bytes() == first.read_bytes()


def test_a_clerk_gets_no_package_and_hidden_cases_keep_their_papers(office, tmp_path,
                                                                   monkeypatch):
    staff, plain, _other, secret = office
    with session.acting_as(staff["张敏"]), pytest.raises(session.PermissionDenied, match="负责人"):
        bundle.export_package(tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()
    with session.acting_as(staff["李主任"]):
        bundle.export_package(tmp_path / "all.zip")
    assert secret in {r["case_no"] for r in _lines(tmp_path / "all.zip")}
    # Whoever may make a package sees every confidential case today; should that change,
    # a case the export leaves out takes its papers with it.
    monkeypatch.setattr(jsonl, "visibility_condition", lambda: Case.confidential == False)  # noqa: E712
    with session.acting_as(staff["李主任"]):
        bundle.export_package(tmp_path / "some.zip")
    got = {r["case_no"] for r in _lines(tmp_path / "some.zip")}
    assert secret not in got and plain in got
    with zipfile.ZipFile(tmp_path / "some.zip") as zf:
        assert len(zf.namelist()) == 1 + 3  # the letter (twice used), the ID copy, the photo


def _rewrite(src, dst, *, drop=None, replace=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name == drop:
                continue
            data = zin.read(name)
            if replace and name == replace[0]:
                data = replace[1]
            zout.writestr(name, data)


@pytest.mark.parametrize("harm, words", [
    ("missing", "压缩包中缺少此文件"),
    ("tampered", "文件内容与其校验值（sha256）不符"),
])
def test_a_missing_or_altered_file_refuses_the_package_by_name(office, tmp_path, harm, words):
    staff, plain, _other, _secret = office
    package = tmp_path / "交换包.zip"
    with session.acting_as(staff["李主任"]):
        bundle.export_package(package)
    line = next(r for r in _lines(package) if r["case_no"] == plain)
    id_copy = next(p for p in line["attachments"] if p["kind"] == "身份证明")
    member = f"files/{id_copy['sha256']}"
    bad = tmp_path / "bad.zip"
    if harm == "missing":
        _rewrite(package, bad, drop=member)
    else:
        _rewrite(package, bad, replace=(member, files.jpeg(color=(10, 10, 10))))
    storage.close()

    storage.open_data_dir(tmp_path / "elsewhere", today=TODAY)
    with pytest.raises(ImportFailed) as refused:
        bundle.import_package(bad, today=TODAY)
    text = str(refused.value)
    assert "未导入任何数据" in text and words in text
    assert f"事项 {plain} 的附件“身份证”（身份证.jpg）" in text
    assert Case.select().count() == 0 and Attachment.select().count() == 0
    assert FileBlob.select().count() == 0
    assert not AuditLog.select().where(AuditLog.action == "imported").exists()


def test_a_renamed_program_in_a_package_is_refused(office, tmp_path):
    staff, plain, _other, _secret = office
    package = tmp_path / "p.zip"
    with session.acting_as(staff["李主任"]):
        bundle.export_package(package, case_nos=[plain])
    lines = _lines(package)
    program = files.exe()
    digest = hashlib.sha256(program).hexdigest()
    lines[0]["attachments"][0].update(sha256=digest, size=len(program))
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("cases.jsonl", "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
        zf.writestr(f"files/{digest}", program)
        for p in lines[0]["attachments"][1:]:
            with zipfile.ZipFile(package) as src:
                zf.writestr(f"files/{p['sha256']}", src.read(f"files/{p['sha256']}"))
    storage.close()
    storage.open_data_dir(tmp_path / "elsewhere", today=TODAY)
    with pytest.raises(ImportFailed, match="可执行程序"):
        bundle.import_package(bad, today=TODAY)
    assert Case.select().count() == 0


def test_not_a_package(store, tmp_path):
    junk = tmp_path / "x.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(Exception, match="不是有效的 zip 压缩包"):
        bundle.import_package(junk)
    empty = tmp_path / "e.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "x")
    with pytest.raises(Exception, match="没有 cases.jsonl"):
        bundle.import_package(empty)


def test_attachments_in_a_plain_jsonl_file_are_ignored_with_a_warning(office, tmp_path):
    staff, plain, _other, _secret = office
    package = tmp_path / "p.zip"
    with session.acting_as(staff["李主任"]):
        bundle.export_package(package, case_nos=[plain])
    line = tmp_path / "one.jsonl"
    line.write_text(json.dumps(_lines(package)[0], ensure_ascii=False) + "\n", "utf-8")
    storage.close()
    storage.open_data_dir(tmp_path / "elsewhere", today=TODAY)
    report = import_cases(line, today=TODAY)
    assert report.cases == 1 and Attachment.select().count() == 0
    assert any("只能随 .zip 交换包导入" in text for _n, text in report.warnings)


def test_dry_run_writes_nothing(office, tmp_path):
    staff, *_ = office
    package = tmp_path / "p.zip"
    with session.acting_as(staff["李主任"]):
        bundle.export_package(package)
    storage.close()
    storage.open_data_dir(tmp_path / "elsewhere", today=TODAY)
    report = bundle.import_package(package, dry_run=True, today=TODAY)
    assert (report.cases, report.attachments) == (3, 5)
    assert Case.select().count() == 0 and FileBlob.select().count() == 0
