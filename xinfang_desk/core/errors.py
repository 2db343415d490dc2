"""Errors the core raises. Every message is Chinese and meant to be shown to the user as is."""

from __future__ import annotations

import errno

# What went wrong with a file, in the clerk's words.
OS_REASONS = {
    errno.ENOENT: "文件夹不存在",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘为只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.EISDIR: "该名称是一个文件夹",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Chinese where the cause is a common one."""
    return OS_REASONS.get(exc.errno) or exc.strerror or str(exc)


class XinfangError(Exception):
    """Base of every error whose message is meant for the user."""


class FieldError(XinfangError):
    """One field of user input is wrong: names the field and the reason."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}：{reason}")


class ValidationError(XinfangError):
    """Several field errors at once (a whole form or an import line)."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("；".join(str(e) for e in self.errors))


class WorkflowError(XinfangError):
    """An action the case's current state does not allow."""


class NotFoundError(XinfangError):
    """A case, unit or other record that does not exist."""


class StorageError(XinfangError):
    """The database cannot be used: locked, read-only, full, damaged, too new."""


class BackupError(StorageError):
    """A backup could not be made, read or restored; the message says why, in Chinese. Here,
    not in core.store.backup, because the server's tools (core.store.server_backup, below it)
    raise it too."""
