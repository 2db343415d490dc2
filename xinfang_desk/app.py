"""Composition root of the GUI: paths, logging, database, QApplication, main window."""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler

from xinfang_desk import APP_TITLE

log = logging.getLogger("xinfang_desk")


def setup_logging(logs_dir) -> None:
    handler = RotatingFileHandler(logs_dir / "xinfang-desk.log", maxBytes=2_000_000,
                                  backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def run_gui(data_dir_arg: str | None = None, *, demo: bool = False) -> int:
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox
    except ImportError:
        print("错误：未安装图形界面组件 PySide6，请执行 make run 或安装 .[gui]。", file=sys.stderr)
        return 1
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.paths import resolve_data_dir
    from xinfang_desk.core.storage import open_data_dir
    from xinfang_desk.ui.style import setup_application

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    try:
        data_dir = open_data_dir(resolve_data_dir(data_dir_arg))
        setup_logging(data_dir.logs)
        if demo:
            from xinfang_desk.core.cases import count_cases
            from xinfang_desk.core.demo import generate_demo

            if count_cases() == 0:
                generate_demo(300, seed=1)
    except XinfangError as exc:
        QMessageBox.critical(None, APP_TITLE, str(exc))
        return 1
    window = build_main_window(data_dir)
    window.show()
    return app.exec()


def build_main_window(data_dir, today=None):
    """The main window over an opened data directory (also used by tests and the screenshot
    script). A log-in step, once it exists, is bypassed only through an explicit argument."""
    from xinfang_desk.ui.main_window import MainWindow

    return MainWindow(data_dir, today=today)
