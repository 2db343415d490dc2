"""What a page says when reading or writing a file the clerk chose went wrong."""

from __future__ import annotations

import errno

OS_REASONS = {
    errno.ENOENT: "文件夹不存在",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘为只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.EISDIR: "该名称是一个文件夹",
}


def file_error_text(action: str, exc: BaseException, on_disk: str) -> str:
    """A refusal of the core as it is; an OSError as `on_disk` with "{reason}" replaced by the
    reason in plain words; anything else as a program error."""
    from xinfang_desk.core.errors import XinfangError

    if isinstance(exc, XinfangError):
        return f"未能{action}：{exc}"
    if isinstance(exc, OSError):
        reason = OS_REASONS.get(exc.errno) or exc.strerror or str(exc)
        return on_disk.replace("{reason}", reason)
    return f"未能{action}（程序错误）：{exc}"
