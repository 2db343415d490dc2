"""Who runs a CLI command. Once user accounts exist, commands that read or change cases act
as a named user (--user / XINFANG_USER, password from XINFANG_PASSWORD or asked), recorded in
the audit trail; before that, as SYSTEM."""

from __future__ import annotations


def sign_in_for_cli(args) -> None:
    """Make the CLI's user the acting user (called after the data directory is open)."""
