"""Who runs a CLI command. Once user accounts exist, commands that read or change cases act
as a named user (--user / XINFANG_USER, password from XINFANG_PASSWORD or asked), recorded in
the audit trail; before that, as SYSTEM."""

from __future__ import annotations

import getpass
import os
import sys

USER_ENV, PASSWORD_ENV = "XINFANG_USER", "XINFANG_PASSWORD"
NO_USER = ("已设置用户账户，请用 --user 或环境变量 XINFANG_USER 指明操作人"
           "（密码用环境变量 XINFANG_PASSWORD 提供，或在终端中输入）。")
NO_PASSWORD = ("请用环境变量 XINFANG_PASSWORD 提供用户“{name}”的密码"
               "（命令不在终端中运行，无法询问密码）。")


def sign_in_for_cli(args) -> None:
    """Make the CLI's user the acting user (called after the data directory is open).

    No active account: SYSTEM, as before accounts existed. Otherwise the user named by
    --user or XINFANG_USER signs in with XINFANG_PASSWORD, or a password typed at the
    terminal; a wrong password raises LoginError (exit 1) after the usual audit row."""
    from xinfang_desk.core import session
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.people import users

    if not users.accounts_exist():
        session.set_current(None)
        return
    name = (getattr(args, "user", None) or os.environ.get(USER_ENV) or "").strip()
    if not name:
        raise XinfangError(NO_USER)
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not (sys.stdin is not None and sys.stdin.isatty()):
            raise XinfangError(NO_PASSWORD.format(name=name))
        password = getpass.getpass(f"用户“{name}”的密码：")
    users.sign_in(name, password)
