"""扫描文件夹: the per-PC folder kept in the data directory, the finished scans offered (not
those still being written, not what cannot be attached), and an attached scan moved out."""

import datetime as dt
import os
import time

import pytest

from tests.core.papers import files
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.papers import scan_folder as sf
from xinfang_desk.core.paths import DataDir


@pytest.fixture
def data_dir(tmp_path):
    return DataDir(tmp_path / "data").ensure()


def put(folder, name, data, age=10.0):
    path = folder / name
    path.write_bytes(data)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def test_the_folder_is_kept_per_pc_in_the_data_directory(data_dir, tmp_path):
    assert sf.get_folder(data_dir) is None
    folder = tmp_path / "扫描"
    folder.mkdir()
    assert sf.set_folder(data_dir, str(folder)) == folder
    assert sf.get_folder(data_dir) == folder
    assert (data_dir.root / "scan_folder.json").exists()
    with pytest.raises(XinfangError, match="不存在"):
        sf.set_folder(data_dir, tmp_path / "没有")
    assert sf.get_folder(data_dir) == folder  # a refused choice changes nothing
    assert sf.set_folder(data_dir, "") is None and sf.get_folder(data_dir) is None
    (data_dir.root / "scan_folder.json").write_text("{broken", "utf-8")
    assert sf.get_folder(data_dir) is None


def test_finished_scans_are_offered_newest_first(tmp_path):
    folder = tmp_path / "scan"
    folder.mkdir()
    put(folder, "a.jpg", files.jpeg(), age=30)
    put(folder, "b.tif", files.tiff(2), age=20)
    put(folder, "c.pdf", files.pdf(1), age=0)  # just written: not yet
    put(folder, "d.exe.jpg", files.exe(), age=30)  # a program, whatever its name
    put(folder, "e.jpg", b"", age=30)  # empty
    put(folder, ".hidden.jpg", files.jpeg(), age=30)
    (folder / "sub").mkdir()
    offered = sf.new_files(folder)
    assert [(f.name, f.judged.file_type) for f in offered] == [("b.tif", "tiff"),
                                                               ("a.jpg", "jpeg")]
    # Its size unchanged since the last look, the new file counts as finished too.
    again = sf.new_files(folder, previous=sf.sizes(offered) | {"c.pdf": len(files.pdf(1))})
    assert [f.name for f in again] == ["c.pdf", "b.tif", "a.jpg"]
    assert sf.new_files(folder, previous={"c.pdf": 1})[0].name == "b.tif"  # still growing
    assert sf.new_files(tmp_path / "gone") == [] and sf.new_files(None) == []
    # Looked into every few seconds: a file judged once is not read again.
    cache = {}
    assert [f.name for f in sf.new_files(folder, judged=cache)] == ["b.tif", "a.jpg"]
    assert len(cache) == 3  # b.tif, a.jpg and the refused d.exe.jpg
    key = next(k for k in cache if k[0] == "a.jpg")
    cache[key] = None  # as if refused: the cache is what counts
    assert [f.name for f in sf.new_files(folder, judged=cache)] == ["b.tif"]


def test_take_moves_the_scan_into_the_data_directory(data_dir, tmp_path):
    folder = tmp_path / "scan"
    folder.mkdir()
    day = dt.date(2026, 10, 9)
    first = put(folder, "SCAN.jpg", files.jpeg())
    moved = sf.take(data_dir, first, on=day)
    assert moved == data_dir.root / "scans" / "taken" / "2026-10-09" / "SCAN.jpg"
    assert not first.exists() and moved.read_bytes() == files.jpeg()
    second = put(folder, "SCAN.jpg", files.png())  # the copier reuses the name
    assert sf.take(data_dir, second, on=day).name == "SCAN（2）.jpg"
    assert sf.take(data_dir, second, on=day).name == "SCAN.jpg"  # already gone: no error
