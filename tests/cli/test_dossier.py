"""`print CASE_NO --doc dossier --out FILE.pdf`: the case file written, its printing on the
timeline; a clerk who may not see a confidential case gets no file."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tests.core.papers.test_dossier import EXPECTED_PAGES, handled_case
from tests.core.people.test_access import PASSWORD, accusation, make_office
from xinfang_desk.cli import identity as cli_identity
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases.records import events_of, get_case, register_case
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.models import AuditLog


@pytest.fixture(autouse=True)
def _no_identity_env(monkeypatch):
    for var in (cli_identity.USER_ENV, cli_identity.PASSWORD_ENV):
        monkeypatch.delenv(var, raising=False)


def main(root, *args) -> int:
    try:
        return cli.main(["--data-dir", str(root), *args])
    finally:
        storage.close()


def test_cli_writes_the_dossier_and_records_it(tmp_path, capsys):
    root = tmp_path / "data"
    storage.open_data_dir(root)
    case_no = handled_case()
    storage.close()
    out = tmp_path / "卷宗.pdf"
    assert main(root, "print", case_no, "--doc", "dossier", "--out", str(out),
                "--on", "2026-10-20") == 0
    assert f"已生成 卷宗：{out}" in capsys.readouterr().out
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == EXPECTED_PAGES
    assert "卷宗目录" in reader.pages[0].extract_text()
    storage.open_data_dir(root)
    try:
        last = events_of(get_case(case_no))[-1]
        assert (last.type, last.note, last.on) == ("printed", "卷宗", dt.date(2026, 10, 20))
        reads = AuditLog.select().where(AuditLog.action == "attachment_viewed").count()
        assert reads == 3  # the PDF, the JPEG and the TIFF; the Word file is only listed
    finally:
        storage.close()


def test_a_clerk_gets_no_dossier_of_a_confidential_case_they_cannot_see(tmp_path, capsys,
                                                                         monkeypatch):
    root = tmp_path / "data"
    storage.open_data_dir(root)
    secret = register_case(accusation(clerk="张敏"), today=dt.date(2026, 10, 20)).case_no
    make_office()
    storage.close()
    monkeypatch.setenv(cli_identity.PASSWORD_ENV, PASSWORD)
    out = tmp_path / "卷宗.pdf"
    assert main(root, "--user", "王芳", "print", secret, "--doc", "dossier", "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and not out.exists()
    assert main(root, "--user", "张敏", "print", secret, "--doc", "dossier", "--out", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF")
