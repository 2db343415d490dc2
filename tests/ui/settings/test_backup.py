"""设置 › 数据安全: back up now, restore (asked first, a bad file changes nothing), the database
check, the audit trail's chain (a tampered row is named), the backup passphrase, the backup
settings and the purge of closed cases past the retention period."""

import datetime as dt
import shutil
import sqlite3

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLineEdit, QMessageBox  # noqa: E402

from tests.core.cases.test_retention import answered_on_spot  # noqa: E402
from tests.core.helpers import intake  # noqa: E402
from tests.ui import helpers  # noqa: E402
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import count_cases, register_case  # noqa: E402
from xinfang_desk.core.people import users
from xinfang_desk.core.store import backup, settings, storage  # noqa: E402
from xinfang_desk.core.store.models import AuditLog, Case  # noqa: E402
from xinfang_desk.ui.main_window import build_main_window  # noqa: E402
from xinfang_desk.ui.settings.backup import BackupPage  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 15000
ADMIN_PW = "admin2026"
PASSPHRASE = "保险柜口令 2026"


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch):
    """The scrypt cost travels in each file's header, so decryption is unaffected."""
    monkeypatch.setattr(backup, "SCRYPT_LOG_N", 10)


def register(n: int, start: int = 0) -> list[str]:
    with session.acting_as(session.SYSTEM):
        return [register_case(intake(summary=f"反映第{start + i + 1}件事"), today=TODAY).case_no
                for i in range(n)]


@pytest.fixture
def store(tmp_path, qapp):
    setup_application(qapp)
    d = storage.open_data_dir(tmp_path / "data")
    register(2)
    users.create_user("admin", ADMIN_PW, session.ADMIN, "王建国")
    session.set_current(users.actor_of(users.get_user("admin")))
    yield d
    storage.close()


tasks = helpers.store_tasks  # waited on before the store closes


def make_page(qtbot, store, tasks, today=TODAY):
    page = BackupPage(tasks, store, today=today)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    with qtbot.waitSignal(page.sig_verified, timeout=WAIT):
        page.refresh()
    return page


@pytest.fixture
def page(qtbot, store, tasks):
    return make_page(qtbot, store, tasks)


def rows(page):
    table = page.table
    return [tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def act(qtbot, page, button):
    """Click `button`; wait for the action's end and return (ok, message)."""
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        click(qtbot, button)
        assert page.busy and page.progress.isVisible()  # the busy bar while the worker runs
        assert not page.backup_button.isEnabled()
    assert not page.busy and not page.progress.isVisible()
    return tuple(blocker.args)


def backup_now(qtbot, page):
    with qtbot.waitSignal(page.sig_verified, timeout=WAIT):
        ok, text = act(qtbot, page, page.backup_button)
    assert ok, text
    return text


def answer(qtbot, box: QMessageBox, text: str):
    """Click the message box's button labelled `text`."""
    assert box is not None and box.isVisible()
    button = next(b for b in box.buttons() if b.text() == text)
    click(qtbot, button)


def test_backup_now_adds_a_row(qtbot, page):
    assert rows(page) == []
    assert not page.restore_button.isEnabled()
    text = backup_now(qtbot, page)
    assert text.startswith("已备份：manual-") and "事项 2 件" in text
    [row] = rows(page)
    assert row[1:6] == ("手动", "2", row[3], "否", "完好")
    assert row[6].startswith("manual-") and row[6].endswith(".sqlite3")
    assert row[3].endswith("KB")
    assert page.message.text() == text
    # The newest first; a second one is listed above the first.
    backup_now(qtbot, page)
    assert len(rows(page)) == 2 and rows(page)[0][0] >= rows(page)[1][0]


def test_backup_to_a_chosen_file(qtbot, page, tmp_path):
    target = tmp_path / "usb" / "拷贝.sqlite3"
    target.parent.mkdir()
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        page.backup_now(target)
    ok, text = blocker.args
    assert ok and target.exists() and f"保存在 {target.parent}" in text
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        page.backup_now(target)  # never overwrites
    assert blocker.args[0] is False and "目标文件已存在" in page.message.text()


def test_restore_brings_back_the_data_of_the_backup_after_asking(qtbot, page, store):
    backup_now(qtbot, page)
    made_later = register(1, start=2)[0]
    assert count_cases() == 3
    page.table.selectRow(0)
    assert page.restore_button.isEnabled()
    click(qtbot, page.restore_button)
    box = page.confirm_box
    assert box.objectName() == "restoreConfirm" and box.isVisible()
    assert "替换当前的全部数据" in box.text() and "先另存到 backups 文件夹" in box.text()
    assert "事项 2 件" in box.text()
    assert count_cases() == 3  # nothing happens before the answer

    restored = []
    page.sig_restored.connect(restored.append)
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        answer(qtbot, box, "恢复")
    ok, text = blocker.args
    assert ok, text
    assert count_cases() == 2 and not Case.select().where(Case.case_no == made_later).exists()
    assert "事项 2 件" in text and "pre-restore-" in text
    assert list(store.backups.glob("pre-restore-*.sqlite3"))
    last = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert last.action == "restore" and last.actor == "admin"

    done = page.result_box
    assert done.objectName() == "restoreDoneBox" and "回到登录界面" in done.text()
    assert restored == []  # the program reloads once the user has read the result
    answer(qtbot, done, "确定")
    assert len(restored) == 1 and restored[0].cases == 2


def test_cancel_leaves_everything(qtbot, page):
    backup_now(qtbot, page)
    register(1, start=2)
    page.table.selectRow(0)
    click(qtbot, page.restore_button)
    answer(qtbot, page.confirm_box, "取消")
    qtbot.wait(200)
    assert count_cases() == 3 and not page.busy


def test_a_truncated_backup_is_refused_and_nothing_changes(qtbot, page, store, tmp_path):
    backup_now(qtbot, page)
    good = page.backups[0].path
    cut = tmp_path / good.name
    cut.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    shutil.copy(f"{good}.json", f"{cut}.json")
    register(1, start=2)
    audit_rows = AuditLog.select().count()

    page.ask_restore(cut)
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        answer(qtbot, page.confirm_box, "恢复")
    ok, text = blocker.args
    assert ok is False and "清单记录的长度或校验值不符" in text
    box = page.result_box
    assert box.objectName() == "restoreFailedBox" and "当前数据未作改动" in box.text()
    assert "color:#c62828" in page.message.styleSheet()
    assert count_cases() == 3 and AuditLog.select().count() == audit_rows
    assert not list(store.backups.glob("pre-restore-*"))
    answer(qtbot, box, "确定")


def test_the_check_shows_every_line_and_ok(qtbot, page):
    backup_now(qtbot, page)
    ok, text = act(qtbot, page, page.check_button)
    assert ok and text == "检查完毕：数据库完好。"
    output = page.output.toPlainText()
    for label in ("✓ 完整性", "✓ 关联记录", "✓ 数据结构", "✓ 审计日志", "✓ 备份"):
        assert label in output
    assert output.endswith("检查完毕：数据库完好。")


def test_audit_verify_and_a_tampered_chain(qtbot, page, store):
    ok, text = act(qtbot, page, page.audit_button)
    assert ok and text.startswith("审计日志完整：共") and "哈希链校验通过" in text
    assert page.output.toPlainText() == text

    raw = sqlite3.connect(store.database)
    raw.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    raw.execute("DROP TRIGGER IF EXISTS audit_log_append_only")
    raw.execute("UPDATE audit_log SET actor='李四' WHERE id=2")
    raw.commit()
    raw.close()
    ok, text = act(qtbot, page, page.audit_button)
    assert ok is False
    assert "审计日志被改动：第 2 条记录校验失败（内容与哈希不符）" in text
    assert "color:#c62828" in page.output.styleSheet()

    ok, text = act(qtbot, page, page.check_button)
    assert ok is False and "✗ 审计日志" in page.output.toPlainText()
    assert "第 2 条" in page.output.toPlainText()


def test_passphrase_set_twice_typed_then_backups_are_encrypted(qtbot, page, store):
    assert page.passphrase_status.text() == "未设置"
    assert not page.encrypt.isEnabled() and not page.clear_passphrase_button.isEnabled()
    click(qtbot, page.set_passphrase_button)
    dialog = page.passphrase_dialog
    assert dialog.isVisible()
    dialog.edit.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE + "x")
    click(qtbot, dialog.ok_button)
    assert dialog.field_errors["再次输入"].text() == "两次输入的口令不一致"
    dialog.edit.setText("short")
    dialog.again.setText("short")
    click(qtbot, dialog.ok_button)
    assert dialog.field_errors["备份口令"].text() == "至少8个字符"
    dialog.edit.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE)
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        click(qtbot, dialog.ok_button)
    assert blocker.args == [True, "备份口令已设置。"]
    assert backup.stored_passphrase() == PASSPHRASE.strip()
    assert page.passphrase_status.text() == "已设置"
    assert page.encrypt.isEnabled() and page.encrypt.isChecked()
    # Never shown anywhere, never in the audit trail.
    assert all(PASSPHRASE not in e.text() for e in page.window().findChildren(QLineEdit))
    assert not AuditLog.select().where(AuditLog.details.contains("保险柜")).exists()

    text = backup_now(qtbot, page)
    assert "已加密" in text
    newest = rows(page)[0]
    assert newest[4] == "是" and newest[6].endswith(".xfbak") and newest[5] == "完好"
    assert backup.is_encrypted(page.backups[0].path)

    # The stored passphrase opens it again: the restore does not ask.
    register(1, start=2)
    page.table.selectRow(0)
    click(qtbot, page.restore_button)
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        answer(qtbot, page.confirm_box, "恢复")
    assert blocker.args[0] is True and count_cases() == 2
    answer(qtbot, page.result_box, "确定")

    # Unticked, the next backup is plain; 清除口令 asks first.
    page.encrypt.setChecked(False)
    assert rows(page) and backup_now(qtbot, page) and rows(page)[0][4] == "否"
    click(qtbot, page.clear_passphrase_button)
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT):
        answer(qtbot, page.confirm_box, "清除口令")
    assert backup.stored_passphrase() == "" and page.passphrase_status.text() == "未设置"
    assert not page.encrypt.isEnabled()


def test_an_encrypted_backup_without_the_stored_passphrase_asks_for_it(qtbot, page, store):
    path = backup.backup_now(store, passphrase=PASSPHRASE)
    register(1, start=2)
    page.ask_restore(path)
    answer(qtbot, page.confirm_box, "恢复")
    qtbot.waitUntil(lambda: page.passphrase_dialog is not None
                    and page.passphrase_dialog.isVisible(), timeout=WAIT)
    dialog = page.passphrase_dialog
    assert "请提供备份口令" in dialog.message.text()
    assert count_cases() == 3
    dialog.edit.setText("错误的口令123")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: page.passphrase_dialog is not None
                    and page.passphrase_dialog is not dialog
                    and page.passphrase_dialog.isVisible(), timeout=WAIT)
    dialog = page.passphrase_dialog
    assert "备份口令不正确" in dialog.message.text() and count_cases() == 3
    dialog.edit.setText(PASSPHRASE)
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        click(qtbot, dialog.ok_button)
    assert blocker.args[0] is True and count_cases() == 2
    answer(qtbot, page.result_box, "确定")


def test_backup_settings_are_saved(qtbot, page, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    page.mirror.setText(str(usb))
    page.keep_days.setValue(7)
    page.keep_months.setValue(6)
    ok, text = act(qtbot, page, page.save_settings_button)
    assert ok and text == "已保存。"
    assert settings.get("backup_mirror_dir") == str(usb)
    assert (settings.get("backup_keep_days"), settings.get("backup_keep_months")) == (7, 6)
    page.mirror.setText(str(tmp_path / "unplugged"))
    ok, text = act(qtbot, page, page.save_settings_button)
    assert ok and "无法访问（U盘是否已插入？）" in text
    page.retention_years.setValue(8)
    ok, text = act(qtbot, page, page.save_retention_button)
    assert ok and text == "已保存：办结事项保存 8 年。" and settings.get("retention_years") == 8


def test_purge_lists_the_due_cases_and_removes_them_after_confirmation(qtbot, store, tasks):
    with session.acting_as(session.SYSTEM):
        spot = answered_on_spot()  # received and closed 2026-09-01
        still_open = register(1, start=5)[0]
    page = make_page(qtbot, store, tasks, today=dt.date(2032, 3, 1))  # cutoff 2027-03-01
    click(qtbot, page.purge_button)
    dialog = page.purge_dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT)
    assert dialog.isVisible()
    assert "保存年限 5 年" in dialog.intro.text() and "共 1 件" in dialog.intro.text()
    assert [dialog.table.item(0, c).text() for c in range(4)] == [
        spot, "2026-09-01", "2026-09-01", "咨询"]
    dialog.mode_buttons["delete"].setChecked(True)
    click(qtbot, dialog.purge_button)
    box = dialog.confirm_box
    assert box.objectName() == "purgeConfirm" and "将删除列出的 1 件事项" in box.text()
    assert "不可撤销" in box.text()
    assert Case.select().where(Case.case_no == spot).exists()  # not before the answer
    with qtbot.waitSignal(dialog.sig_purged, timeout=WAIT) as blocker:
        answer(qtbot, box, "确定删除")
    report = blocker.args[0]
    assert report.cases == 1 and dialog.message.text() == report.summary
    assert not Case.select().where(Case.case_no == spot).exists()
    assert Case.select().where(Case.case_no == still_open).exists()
    qtbot.waitUntil(lambda: "无需清理" in dialog.intro.text(), timeout=WAIT)
    assert dialog.table.rowCount() == 0 and not dialog.purge_button.isEnabled()
    assert AuditLog.select().where(AuditLog.action == "purge", AuditLog.actor == "admin").exists()


def test_only_administrators_get_the_page(qtbot, store):
    window = build_main_window(store, today=TODAY)
    qtbot.addWidget(window)
    tabs = window.settings.tabs
    names = [tabs.tabText(i) for i in range(tabs.count())]
    assert "数据安全" in names and names[-1] == "用户与安全"
    assert window.settings.backup.objectName() == "settingsBackup"
    window.close()
    window.tasks.wait(WAIT)
    with session.acting_as(session.SYSTEM):
        users.create_user("zhangmin", "clerk2026", session.CLERK, "张敏")
    session.set_current(users.actor_of(users.get_user("zhangmin")))
    window = build_main_window(store, today=TODAY)
    qtbot.addWidget(window)
    assert window.settings.backup is None
    window.close()
    window.tasks.wait(WAIT)
