"""The shared server from the command line: preparing an empty server database and moving
an office's existing history onto it.

    xinfang-desk --db-url URL server init [--admin NAME] [--admin-name 姓名]
    xinfang-desk --db-url URL server status
    xinfang-desk [--data-dir DIR] migrate-to URL

The password of the first administrator comes from XINFANG_ADMIN_PASSWORD or is asked at the
terminal; the database password from the URL, XINFANG_DB_PASSWORD, the keyring or the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from xinfang_desk.core.errors import XinfangError

ADMIN_PASSWORD_ENV = "XINFANG_ADMIN_PASSWORD"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("server", help="共享数据库服务器（多个接待台共用）：初始化、查看状态")
    actions = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="初始化一个空的服务器数据库：建立数据结构、预置数据和首个管理员")
    init.add_argument("--admin", metavar="NAME", default="admin", help="首个管理员的用户名（默认 admin）")
    init.add_argument("--admin-name", metavar="姓名", default="管理员", help="首个管理员的姓名")
    actions.add_parser("status", help="显示服务器数据库的版本、事项数和用户数")

    p = sub.add_parser("migrate-to", help="把本机数据目录中的全部数据迁移到服务器的空数据库，并核对")
    p.add_argument("url", metavar="URL", help="postgresql://用户@服务器:端口/数据库")


def _server_args(args):
    from xinfang_desk.core.paths import DataDir, resolve_data_dir
    from xinfang_desk.core.store import server

    url = server.url_from_environment(getattr(args, "db_url", None))
    if not url:
        raise XinfangError("请用 --db-url postgresql://用户@服务器:端口/数据库 或环境变量 "
                           "XINFANG_DB_URL 指明服务器数据库。")
    return server.with_known_password(server.ServerChoice.from_url(url)), \
        DataDir(resolve_data_dir(args.data_dir))


def _admin_password(name: str) -> str:
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if password:
        return password
    if not (sys.stdin is not None and sys.stdin.isatty()):
        raise XinfangError(f"请用环境变量 {ADMIN_PASSWORD_ENV} 提供首个管理员“{name}”的密码"
                           "（命令不在终端中运行，无法询问密码）。")
    first = getpass.getpass(f"首个管理员“{name}”的密码：")
    if getpass.getpass("再输入一遍：") != first:
        raise XinfangError("两次输入的密码不一致，未初始化。")
    return first


def cmd_server(args) -> int:
    from xinfang_desk.cli.common import open_server_asking
    from xinfang_desk.core.store import server

    choice, data_dir = _server_args(args)
    if args.server_command == "status":
        print(f"{choice.label}：{server.test_connection(choice)}")
        return 0
    # init: an empty database only, so nobody's data is ever touched by it.
    db = server.make_database(choice)
    try:
        db.connect()
        empty = server.is_empty(db)
    except Exception as exc:  # noqa: BLE001 - reported in Chinese
        raise server._connect_error(exc, choice) from exc
    finally:
        if not db.is_closed():
            db.close()
    if not empty:
        print(f"{choice.label}：{server.test_connection(choice)}")
        raise XinfangError("该数据库不是空的，未作任何改动；server init 只初始化空数据库。"
                           "若要把本机已有的数据搬上去，请对一个空数据库使用 migrate-to。")
    password = _admin_password(args.admin)
    from xinfang_desk.core import session
    from xinfang_desk.core.people import users
    from xinfang_desk.core.store.db import storage_errors

    users.check_password(password)  # before anything is written
    open_server_asking(data_dir.root, choice)
    with storage_errors():
        users.create_user(args.admin, password, session.ADMIN, args.admin_name)
    summary = server.server_summary()
    print(f"已初始化 {choice.label}：数据结构版本 {summary['schema']}，预置领域、节假日和答复口径，"
          f"首个管理员 {args.admin}。各接待台可用 --db-url 或“连接服务器”连接。")
    return 0


def cmd_migrate_to(args) -> int:
    from xinfang_desk.core.paths import resolve_data_dir
    from xinfang_desk.core.store import server
    from xinfang_desk.core.transfer.to_server import copy_to_server

    choice = server.with_known_password(server.ServerChoice.from_url(args.url))
    root = resolve_data_dir(args.data_dir)
    if not (root / "xinfang.sqlite3").exists():
        raise XinfangError(f"数据目录 {root} 中没有本机数据库，无可迁移。")
    report = copy_to_server(root, choice, progress=lambda text: print(text, file=sys.stderr))
    print("\n".join(report.lines()))
    return 0


COMMANDS = {"server": cmd_server, "migrate-to": cmd_migrate_to}
