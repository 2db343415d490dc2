"""Make the README screenshots: every tab of the main window over demo data, the sign-in
dialog, the users page, 数据安全, the ledger import wizard and 连接服务器, offscreen.

    .venv/bin/python docs/screenshots/make_screenshots.py [--out docs/screenshots]

The demo history is generated with a fixed seed into a temporary data directory, so the
pictures are reproducible and no real data can appear in them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 27)


def settle(app, window, rounds: int = 40) -> None:
    for _ in range(rounds):
        window.tasks.wait(5000)
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from xinfang_desk.core.demo.generate import generate_demo
    from xinfang_desk.core.store import storage
    from xinfang_desk.ui.main_window import build_main_window
    from xinfang_desk.ui.style import setup_application

    app = QApplication(sys.argv)
    setup_application(app)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = storage.open_data_dir(Path(tmp))
        generate_demo(400, seed=7, today=TODAY)
        window = build_main_window(data_dir, today=TODAY)
        window.resize(1280, 800)
        window.show()
        settle(app, window)
        names = ["intake", "cases", "followup", "answers", "report", "settings"]
        # A returning visitor being typed in, so the history panel has something to show.
        from xinfang_desk.core.store.models import Petitioner

        person = Petitioner.select().where(Petitioner.id_number.is_null(False)).first()
        block = window.intake.petitioners.primary
        block.name.setText(person.name)
        block.id_number.setText(person.id_number)
        window.intake.summary.setText("再次反映拖欠工资问题")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # let the debounced history lookup run
            settle(app, window, 1)
            time.sleep(0.05)
        for index, name in enumerate(names):
            window.tabs.setCurrentIndex(index)
            settle(app, window, 10)
            window.grab().save(str(out / f"{name}.png"))
        window.tabs.setCurrentIndex(1)
        settle(app, window, 10)
        case_no = window.cases.model.index(0, 0).data()
        if case_no:
            window.open_case(case_no)
            settle(app, window)
            dialog = window._details[case_no]
            dialog.resize(1000, 760)
            settle(app, window, 10)
            dialog.grab().save(str(out / "case-detail.png"))
            dialog.close()
        ledger_screenshot(app, window, Path(tmp), out)
        window.close()
        account_screenshots(app, data_dir, out)
        storage.close()
    connect_screenshot(app, out)
    print(f"screenshots written to {out}")
    return 0


def connect_screenshot(app, out: Path) -> None:
    """连接服务器 as a desk sees it when the office's server cannot be reached at start
    (connect-server.png)."""
    from xinfang_desk.core.store.db import CANNOT_CONNECT
    from xinfang_desk.core.store.server import ServerChoice
    from xinfang_desk.ui.startup.connect import ConnectServerDialog
    from xinfang_desk.ui.widgets.tasks import TaskRunner

    choice = ServerChoice("192.168.1.10", "xinfang", "xinfang")
    dialog = ConnectServerDialog(TaskRunner(), choice=choice,
                                 message=f"{CANNOT_CONNECT}（{choice.label}）")
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(out / "connect-server.png"))
    dialog.close()


def ledger_screenshot(app, window, tmp: Path, out: Path) -> None:
    """数据 › 导入台账… after 检查 (ledger-import.png), over a workbook shaped like an office's:
    a title row, a header under it, an ID number Excel turned into 5.11302E+17, the office's
    own words for the class."""
    from openpyxl import Workbook

    path = tmp / "2025年来访登记台账.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(["某某县信访局2025年来访登记台账"])
    ws.merge_cells("A1:J1")
    ws.append(["序号", "来访日期", "姓名", "身份证号码", "联系电话", "反映问题", "问题类别",
               "交办单位", "办理情况", "接访领导"])
    ws.append([1, dt.datetime(2025, 3, 4), "王秀英", "11010519491231002X", "13800001234",
               "反映单位拖欠工资三个月", "投诉", "区人社局", "已转区人社局办理，已答复，支持", "李局长"])
    ws.append([2, dt.datetime(2025, 3, 5), "李建国、赵桂兰", "34052419800101001X", "",
               "原丝绸厂职工集体反映安置费未落实", "求决", "", "当场答复，告知政策依据", ""])
    ws.append([3, dt.datetime(2025, 3, 6), "陈昇", 5.11302194812015e17, "", "反映噪音扰民",
               "投诉", "", "办理中", ""])
    ws.append([4, "2025.3.7", "周喆", "", "", "建议增设公交站点", "建议", "", "已办结", ""])
    wb.save(path)
    dialog = window.data_menu.open_import()
    dialog.resize(1200, 800)
    dialog.open_file(path)
    settle(app, window)
    dialog.check()
    settle(app, window)
    dialog.result_tabs.setCurrentIndex(0)
    settle(app, window, 10)
    dialog.grab().save(str(out / "ledger-import.png"))
    dialog.close()


def account_screenshots(app, data_dir, out: Path) -> None:
    """The sign-in dialog of the demo database (login.png) and, signed in as the demo admin,
    设置 › 用户与安全 (users.png)."""
    from xinfang_desk.core import session
    from xinfang_desk.core.people import users
    from xinfang_desk.ui.main_window import build_main_window
    from xinfang_desk.ui.startup.login import LoginDialog

    users.create_demo_accounts()
    login = LoginDialog(None, username="clerk", hint=users.demo_hint())
    login.show()
    app.processEvents()
    login.grab().save(str(out / "login.png"))
    login.close()
    session.set_current(users.actor_of(users.get_user("admin")))
    window = build_main_window(data_dir, today=TODAY)
    window.resize(1280, 800)
    window.show()
    window.tabs.setCurrentWidget(window.settings)
    window.settings.tabs.setCurrentWidget(window.settings.users)
    settle(app, window)
    window.settings.users.select_user("clerk")
    settle(app, window, 10)
    window.grab().save(str(out / "users.png"))
    security_screenshot(app, window, data_dir, out)
    window.close()
    session.set_current(None)


def security_screenshot(app, window, data_dir, out: Path) -> None:
    """设置 › 数据安全 (security.png): a few automatic backups and the database check."""
    from xinfang_desk.core.store import backup

    for day in (TODAY - dt.timedelta(days=1), TODAY):
        backup.auto_backup(data_dir, today=day)
    backup.exit_backup(data_dir, now=dt.datetime.combine(TODAY - dt.timedelta(days=1),
                                                         dt.time(17, 35)))
    page = window.settings.backup
    window.settings.tabs.setCurrentIndex(window.settings.tabs.indexOf(
        page.parentWidget().parentWidget()))  # the page sits in a scroll area
    page.refresh()
    settle(app, window)
    page.table.selectRow(0)
    page.check()
    settle(app, window)
    window.grab().save(str(out / "security.png"))


if __name__ == "__main__":
    sys.exit(main())
