"""The command line. Every subcommand calls the same core services as the GUI.

Exit codes: 0 success; 1 a refusal or error, explained in one Chinese line on stderr;
2 wrong command-line usage.
"""

from __future__ import annotations

import argparse
import sys

from xinfang_desk import APP_TITLE, __version__
from xinfang_desk.cli import admin, answers, cases, papers, report, server

# The command groups, in the order `--help` lists them.
GROUPS = (cases, papers, report, admin, answers, server)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own words, prefixed so the user knows
        self.print_usage(sys.stderr)
        self.exit(2, f"命令行参数有误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xinfang-desk", description=f"{APP_TITLE}（xinfang-desk）")
    parser.add_argument("--version", action="version", version=f"xinfang-desk {__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="数据目录（默认为系统用户数据目录；也可用环境变量 XINFANG_DATA_DIR）")
    parser.add_argument("--db-url", metavar="URL",
                        help="使用共享数据库服务器 postgresql://用户@服务器:端口/数据库"
                             "（也可用环境变量 XINFANG_DB_URL；默认使用本机数据目录中的数据库）")
    parser.add_argument("--user", metavar="NAME",
                        help="操作人用户名（已设置用户账户时必填；也可用环境变量 XINFANG_USER，"
                             "密码用 XINFANG_PASSWORD 或在终端输入）")
    parser.add_argument("--demo", action="store_true",
                        help="数据库为空时先填入演示数据，再打开窗口")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def _configure_stdio() -> None:
    # Windows consoles default to a legacy code page; Chinese must not become '?' or crash.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass




def _handler(command: str):
    for group in GROUPS:
        if command in group.COMMANDS:
            return group.COMMANDS[command]
    raise KeyError(command)


def main(argv: list[str] | None = None) -> int:
    _configure_stdio()
    args = build_parser().parse_args(argv)
    from xinfang_desk.core.drivers import import_peewee

    import_peewee()  # before anything else does: no server driver unless a server is opened
    if args.command is None:
        from xinfang_desk.app import run_gui

        return run_gui(args.data_dir, demo=args.demo, db_url=args.db_url)
    from xinfang_desk.core.errors import XinfangError

    try:
        return _handler(args.command)(args)
    except XinfangError as exc:
        print(f"错误：{exc}".replace("\n", " "), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except OSError as exc:
        from xinfang_desk.core.errors import os_reason

        print(f"错误：无法读写 {exc.filename or '文件'}：{os_reason(exc)}。", file=sys.stderr)
        return 1
    finally:
        _close_database()


def _close_database() -> None:
    """A clean close (the next start then owes no full check); nothing if none was opened."""
    storage = sys.modules.get("xinfang_desk.core.store.storage")
    if storage is not None:
        try:
            storage.close()
        except Exception:  # noqa: BLE001 - the command's own result is what counts
            pass


if __name__ == "__main__":
    sys.exit(main())
