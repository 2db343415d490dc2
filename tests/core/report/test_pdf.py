"""The monthly report as PDF: text extracted with pypdf, page 1 rendered with pdftoppm."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from tests.core.report.test_figures import OCT, TODAY, history
from xinfang_desk.cli import main as cli
from xinfang_desk.core.report.figures import monthly_figures
from xinfang_desk.core.report.pdf import write_pdf
from xinfang_desk.core.store import settings, storage

D = dt.date


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_october_pdf(store, tmp_path):
    c = history()
    r = monthly_figures(*OCT, today=TODAY)
    out = tmp_path / "october.pdf"
    data = write_pdf(r, out)
    assert out.read_bytes() == data and data.startswith(b"%PDF")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    reader = PdfReader(io.BytesIO(data))
    cover = reader.pages[0].extract_text()
    office = settings.get("office_name")
    assert office in cover
    assert "受理登记信访事项（件）" in cover and "10" in cover and "+6" in cover
    assert "57.1%" in cover  # notice on-time rate 4/7
    assert "第 1 页" in cover
    text = _text(data)
    assert f"第 {len(reader.pages)} 页" in text
    for label in ("按信访形式", "按信访类别", "按涉及领域", "按承办单位", "满意度", "超期事项"):
        assert label in text
    assert c["S3"] in text and c["B"] in text  # overdue at 10-31


def test_empty_month_shows_dash(store):
    data = write_pdf(monthly_figures(D(2026, 10, 1), D(2026, 10, 31), today=TODAY))
    cover = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "—" in cover
    assert "满意率" in cover
    assert "期末无超期事项" in _text(data)


def test_office_name_from_settings(store):
    settings.put("office_name", "南充市顺庆区信访局")
    data = write_pdf(monthly_figures(*OCT, today=TODAY))
    assert "南充市顺庆区信访局" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_cli_pdf(tmp_path, capsys):
    storage.open_data_dir(tmp_path / "data")
    history()
    storage.close()
    pdf = tmp_path / "r.pdf"
    assert cli.main(["--data-dir", str(tmp_path / "data"), "report", "--month", "2026-10",
                     "--pdf", str(pdf)]) == 0
    storage.close()
    assert "已生成统计报表" in capsys.readouterr().err
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "信访工作统计报表" in _text(pdf.read_bytes())


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_page_one_renders(store, tmp_path):
    history()
    pdf = tmp_path / "r.pdf"
    write_pdf(monthly_figures(*OCT, today=TODAY), pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "p")], check=True)
    assert list(tmp_path.glob("p*.png"))
