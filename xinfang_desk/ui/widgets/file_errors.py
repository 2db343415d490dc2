"""What a page says when reading or writing a file the clerk chose went wrong."""

from __future__ import annotations

from xinfang_desk.core.errors import XinfangError, os_reason


def file_error_text(action: str, exc: BaseException, on_disk: str) -> str:
    """A refusal of the core as it is; an OSError as `on_disk` with "{reason}" replaced by the
    reason in plain words; anything else as a program error."""
    if isinstance(exc, XinfangError):
        return f"未能{action}：{exc}"
    if isinstance(exc, OSError):
        return on_disk.replace("{reason}", os_reason(exc))
    return f"未能{action}（程序错误）：{exc}"
