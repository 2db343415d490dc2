"""One program per data directory; a crashed holder never blocks the next start."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests import paths
from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.store import instance_lock

ROOT = paths.ROOT

HOLDER = textwrap.dedent("""
    import sys, time
    from xinfang_desk.core.store import instance_lock
    handle = instance_lock.acquire(sys.argv[1])
    print("HELD", flush=True)
    time.sleep(120)
""")

TRY = textwrap.dedent("""
    import sys
    from xinfang_desk.core.store import instance_lock
    from xinfang_desk.core.errors import StorageError
    try:
        instance_lock.release(instance_lock.acquire(sys.argv[1]))
    except StorageError as exc:
        print(exc)
        sys.exit(3)
    print("GOT IT")
""")


def _python(code, *args, **kw):
    return [sys.executable, "-c", code, *map(str, args)], dict(cwd=ROOT, text=True,
                                                               encoding="utf-8", **kw)


def _try(data_dir):
    cmd, kw = _python(TRY, data_dir)
    return subprocess.run(cmd, capture_output=True, timeout=60, **kw)


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock on tmp_path (killed at the end if still alive)."""
    cmd, kw = _python(HOLDER, tmp_path)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, **kw)
    assert proc.stdout.readline().strip() == "HELD"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    proc.stdout.close()


def test_a_second_process_is_refused_with_a_chinese_message(tmp_path, holder):
    with pytest.raises(StorageError) as err:
        instance_lock.acquire(tmp_path)
    message = str(err.value)
    assert message.startswith("该数据目录已被另一个信访接待台窗口打开")
    assert f"进程 {holder.pid}" in message
    other = _try(tmp_path)
    assert other.returncode == 3 and "已被另一个信访接待台窗口打开" in other.stdout


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_killed_holder_does_not_block_the_next_start(tmp_path, holder):
    assert _try(tmp_path).returncode == 3
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    handle = instance_lock.acquire(tmp_path)  # no waiting, no stale-lock prompt
    try:
        assert handle.held and (tmp_path / instance_lock.LOCK_FILENAME).exists()
        assert _try(tmp_path).returncode == 3  # and now this process holds it
    finally:
        instance_lock.release(handle)
    assert _try(tmp_path).stdout.strip() == "GOT IT"


def test_release_lets_the_next_one_in_and_is_idempotent(tmp_path):
    handle = instance_lock.acquire(tmp_path / "new")  # creates the folder
    with pytest.raises(StorageError, match="已被另一个信访接待台窗口打开"):
        instance_lock.acquire(tmp_path / "new")  # a second window of this process too
    instance_lock.release(handle)
    instance_lock.release(handle)
    assert not handle.held
    with instance_lock.acquire(tmp_path / "new") as again:
        assert again.held
    assert _try(tmp_path / "new").returncode == 0


def test_locks_are_per_data_directory(tmp_path):
    with instance_lock.acquire(tmp_path / "a"), instance_lock.acquire(tmp_path / "b"):
        pass


def test_cli_restore_is_refused_while_a_window_holds_the_data_directory(tmp_path, holder):
    (tmp_path / "b.sqlite3").write_bytes(b"x")
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "xinfang_desk", "--data-dir", str(tmp_path),
                             "restore", str(tmp_path / "b.sqlite3"), "--yes"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60,
                            encoding="utf-8")
    assert result.returncode == 1 and "已被另一个信访接待台窗口打开" in result.stderr
    assert time.monotonic() - start < 30
    assert not (tmp_path / "xinfang.sqlite3").exists()
