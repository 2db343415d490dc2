"""Errors the core raises. Every message is Chinese and meant to be shown to the user as is."""

from __future__ import annotations


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
