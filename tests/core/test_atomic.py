"""A failed write leaves the old file whole and no temporary file behind."""

import pytest

from xinfang_desk.core import atomic


def test_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    atomic.write_text(target, "新内容\n")
    assert target.read_text(encoding="utf-8") == "新内容\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_failure_mid_write_keeps_old_file(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous report")
    with pytest.raises(OSError), atomic.replacing(target) as tmp:
        tmp.write_bytes(b"half of the new")
        raise OSError(28, "No space left on device")
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_missing_folder_is_an_oserror_and_creates_nothing(tmp_path):
    with pytest.raises(OSError):
        atomic.write_bytes(tmp_path / "no-such-dir" / "a.pdf", b"%PDF")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_or_a_folder_as_target_names_what_the_user_chose(tmp_path):
    """The error names the folder or file the user gave, never our temporary file."""
    import errno

    with pytest.raises(FileNotFoundError) as missing:
        atomic.write_text(tmp_path / "no-such-folder" / "a.json", "x")
    assert missing.value.filename == str(tmp_path / "no-such-folder")
    with pytest.raises(IsADirectoryError) as folder:
        atomic.write_text(tmp_path, "x")
    assert folder.value.errno == errno.EISDIR and folder.value.filename == str(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing left behind
