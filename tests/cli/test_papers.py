"""The papers on the command line: attach, list, and the .zip package out and back in."""

import datetime as dt
import hashlib
import json
import zipfile

from tests.core.helpers import intake
from tests.core.papers import files
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.papers import attachments as att
from xinfang_desk.core.store import storage


def _case(root) -> str:
    storage.open_data_dir(root)
    no = register_case(intake(received_on=dt.date(2026, 9, 20)), today=dt.date(2026, 10, 9)).case_no
    storage.close()
    return no


def test_attach_list_export_and_import(tmp_path, capsys):
    root = tmp_path / "data"
    no = _case(root)
    letter = tmp_path / "来信扫描.pdf"
    letter.write_bytes(files.pdf(3))
    digest = hashlib.sha256(letter.read_bytes()).hexdigest()
    base = ["--data-dir", str(root)]

    assert cli.main(base + ["attach", no, str(letter), "--kind", "来信原件"]) == 0
    out = capsys.readouterr().out
    assert f"已为 {no} 添加附件 1：“来信扫描”（来信原件）" in out
    assert "PDF 文件，3 页" in out and f"校验值 {digest[:12]}" in out
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(files.jpeg())
    assert cli.main(base + ["attach", no, str(photo), "--kind", "证据材料", "--title", "现场照片"]) == 0
    capsys.readouterr()
    storage.open_data_dir(root)
    att.remove_attachment(2, "拍错了")
    storage.close()

    assert cli.main(base + ["attachments", no]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].startswith("1\t来信原件\t来信扫描\tPDF 文件\t3\t") and table[1].endswith("在卷")
    assert table[2].startswith("2\t证据材料\t现场照片\t") and "已移除" in table[2] and "拍错了" in table[2]
    assert cli.main(base + ["attachments", no, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["sha256"], r["removed"]) for r in rows][0] == (1, digest, False)
    assert rows[1]["removed"] and rows[1]["removed_reason"] == "拍错了"

    package = tmp_path / "交换包.zip"
    assert cli.main(base + ["export", "--with-attachments", "--out", str(package)]) == 0
    assert "已导出 1 件事项、附件 2 份（文件 2 个）" in capsys.readouterr().err
    other = ["--data-dir", str(tmp_path / "other")]
    assert cli.main(other + ["import", str(package), "--dry-run"]) == 0
    assert "检查通过，可导入 1 件事项，附件 2 份。" in capsys.readouterr().out
    assert cli.main(other + ["import", str(package)]) == 0
    assert "已导入 1 件事项，附件 2 份。" in capsys.readouterr().out
    assert cli.main(other + ["attachments", no, "--json"]) == 0
    assert [r["sha256"] for r in json.loads(capsys.readouterr().out)] == [r["sha256"] for r in rows]


def test_refusals_are_one_chinese_line(tmp_path, capsys):
    root = tmp_path / "data"
    no = _case(root)
    base = ["--data-dir", str(root)]
    program = tmp_path / "合同.pdf"
    program.write_bytes(files.exe())
    assert cli.main(base + ["attach", no, str(program), "--kind", "证据材料"]) == 1
    assert "可执行程序" in capsys.readouterr().err
    assert cli.main(base + ["export", "--with-attachments"]) == 1
    assert "须用 --out 指定 .zip 文件" in capsys.readouterr().err
    assert cli.main(base + ["export", "--with-attachments", "--masked", "--out", "x.zip"]) == 1
    assert "不能与 --masked" in capsys.readouterr().err

    letter = tmp_path / "来信.txt"
    letter.write_bytes(files.text_gbk())
    assert cli.main(base + ["attach", no, str(letter), "--kind", "来信原件"]) == 0
    package = tmp_path / "p.zip"
    assert cli.main(base + ["export", "--with-attachments", "--out", str(package)]) == 0
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            zout.writestr(name, data.replace(b"2026", b"2025") if name.startswith("files/") else data)
    capsys.readouterr()
    assert cli.main(["--data-dir", str(tmp_path / "other"), "import", str(tampered)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：导入失败") and f"事项 {no} 的附件“来信”（来信.txt）" in err
    assert "未导入任何数据" in err and "\n" not in err.strip()
