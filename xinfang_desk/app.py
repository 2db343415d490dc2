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


def run_gui(data_dir_arg: str | None = None, *, demo: bool = False, db_url: str | None = None) -> int:
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox
    except ImportError:
        print("错误：未安装图形界面组件 PySide6，请执行 make run 或安装 .[gui]。", file=sys.stderr)
        return 1
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.paths import resolve_data_dir
    from xinfang_desk.ui.style import setup_application

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application(app)
    from xinfang_desk.ui.gc_guard import GuiThreadCollector

    collector = GuiThreadCollector(parent=app)  # never a collection on a worker thread
    try:
        root = resolve_data_dir(data_dir_arg)
    except (XinfangError, OSError) as exc:
        QMessageBox.critical(None, APP_TITLE, str(exc))
        return 1
    from xinfang_desk.ui.startup.recovery import Launcher

    # Lock the data directory (a second copy is told so and exits 1) → open the database (a
    # damaged one offers the restore from the newest good backup) → first admin → sign-in →
    # main window → (sign-out → sign-in …): the launcher decides when the program ends, not the
    # last window closing (between two windows there is none).
    app.setQuitOnLastWindowClosed(False)
    launcher = Launcher(root, demo=demo, db_url=db_url,  # demo: on an empty database
                        on_logs=setup_logging)
    launcher.sig_quit.connect(app.exit)
    launcher.start()
    try:
        return app.exec()
    finally:
        launcher.release()
        collector.stop()


