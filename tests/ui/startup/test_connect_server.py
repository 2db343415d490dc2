"""连接服务器 at start: a desk finds the office's server, says plainly when it cannot reach it
or the password is wrong, remembers the choice for this PC without writing the password
anywhere, and can always go back to its own database."""

import datetime as dt
import json

import pytest

pytest.importorskip("PySide6")

from tests.core.server_db import PG_URL, needs_server, wipe  # noqa: E402
from xinfang_desk.core.paths import DataDir  # noqa: E402
from xinfang_desk.core.store import server, storage  # noqa: E402
from xinfang_desk.ui.startup.connect import ConnectServerDialog  # noqa: E402
from xinfang_desk.ui.startup.recovery import Launcher  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

pytestmark = needs_server
TODAY = dt.date(2026, 11, 28)
WAIT = 20000


@pytest.fixture
def choice(qapp):
    pytest.importorskip("psycopg")
    setup_application(qapp)
    wipe()
    return server.ServerChoice.from_url(PG_URL)


@pytest.fixture
def memory_keyring():
    """A keyring that keeps passwords in memory, as the Windows Credential Manager would."""
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1
        stored: dict = {}

        def set_password(self, service, username, password):
            self.stored[(service, username)] = password

        def get_password(self, service, username):
            return self.stored.get((service, username))

        def delete_password(self, service, username):
            self.stored.pop((service, username), None)

    previous = keyring.get_keyring()
    backend = Memory()
    backend.stored = {}
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def launch(qtbot):
    made = []

    def make(root, **kw):
        launcher = Launcher(root, today=TODAY, **kw)
        launcher.quits = []
        launcher.sig_quit.connect(launcher.quits.append)
        launcher.start()
        made.append(launcher)
        qtbot.waitUntil(lambda: not launcher.opening, timeout=WAIT)
        return launcher

    yield make
    for launcher in made:
        flow = launcher.flow
        if flow is not None:
            for dialog in (flow.login, flow.first_admin):
                if dialog is not None:
                    dialog.close()
            flow.tasks.wait(WAIT)
        if launcher.connect_dialog is not None:
            launcher.connect_dialog.close()
        launcher.release()
    storage.close()


def fill(dialog, choice, password=None):
    dialog.host.setText(choice.host)
    dialog.port.setValue(choice.port)
    dialog.database.setText(choice.database)
    dialog.user.setText(choice.user)
    dialog.password.setText(choice.password if password is None else password)


def test_the_dialog_tests_the_connection_and_names_what_is_wrong(qtbot, tasks, choice, tmp_path):
    dialog = ConnectServerDialog(tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, choice)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
    assert dialog.result_label.text().startswith("连接成功：PostgreSQL ")
    assert "空数据库" in dialog.result_label.text()

    fill(dialog, choice, password="wrong-password")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
    assert "拒绝登录" in dialog.result_label.text()

    dialog.port.setValue(1)  # nothing listens there
    dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
    assert "无法连接数据库服务器" in dialog.result_label.text()

    dialog.host.setText("")
    dialog.test_button.click()
    assert dialog.result_label.text() == "请填写服务器地址、数据库名和用户名。"
    dialog.grab().save(str(tmp_path / "connect.png"))


def test_a_new_desk_connects_from_the_first_start_and_remembers_it(qtbot, launch, choice,
                                                                   tmp_path):
    root = tmp_path / "desk"
    launcher = launch(root)
    qtbot.waitUntil(lambda: launcher.flow is not None and launcher.flow.first_admin is not None,
                    timeout=WAIT)
    first = launcher.flow.first_admin
    assert "数据库：本机" in first.findChild(object, "databaseWhere").text()
    first.findChild(object, "connectServerButton").click()
    dialog = launcher.connect_dialog
    assert dialog is not None and dialog.isVisible()
    fill(dialog, choice)
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: launcher.flow is not None and launcher.flow.first_admin is not None,
                    timeout=WAIT)
    where = launcher.flow.first_admin.findChild(object, "databaseWhere").text()
    assert where == f"数据库：服务器 {choice.label}"
    saved = json.loads(DataDir(root).server_choice.read_text(encoding="utf-8"))
    assert saved == {"host": choice.host, "port": choice.port, "database": choice.database,
                     "user": choice.user}  # and no password


def test_a_remembered_password_goes_to_the_keyring_and_the_next_start_uses_it(
        qtbot, launch, choice, tmp_path, memory_keyring):
    root = tmp_path / "desk"
    launcher = launch(root)
    qtbot.waitUntil(lambda: launcher.flow is not None and launcher.flow.first_admin is not None,
                    timeout=WAIT)
    launcher.flow.first_admin.findChild(object, "connectServerButton").click()
    dialog = launcher.connect_dialog
    assert dialog.remember.isEnabled()
    fill(dialog, choice)
    dialog.remember.setChecked(True)
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: launcher.flow is not None and launcher.flow.first_admin is not None
                    and server.in_use() is not None, timeout=WAIT)
    assert memory_keyring.stored == {("xinfang-desk", choice.label): choice.password}
    assert "password" not in DataDir(root).server_choice.read_text(encoding="utf-8")
    launcher.flow.first_admin.close()
    launcher.flow.tasks.wait(WAIT)
    launcher.release()
    storage.close()

    again = launch(root)  # the next morning: straight to the server, nothing asked
    qtbot.waitUntil(lambda: again.flow is not None and again.flow.first_admin is not None,
                    timeout=WAIT)
    assert again.connect_dialog is None
    assert server.in_use() == choice.with_password("")


def test_an_unreachable_server_at_start_offers_the_dialog_and_the_local_database(
        qtbot, launch, choice, tmp_path, monkeypatch):
    root = tmp_path / "desk"
    unreachable = server.ServerChoice(choice.host, choice.database, choice.user, port=1)
    server.save_choice(DataDir(root), unreachable, remember_password=False)
    monkeypatch.setenv(server.ENV_PASSWORD, choice.password)
    launcher = launch(root)
    dialog = launcher.connect_dialog
    assert dialog is not None and dialog.isVisible()
    assert "无法连接数据库服务器" in dialog.result_label.text()
    assert dialog.port.value() == 1 and dialog.host.text() == choice.host  # the form kept
    dialog.local_button.click()
    qtbot.waitUntil(lambda: launcher.flow is not None and launcher.flow.first_admin is not None,
                    timeout=WAIT)
    assert "数据库：本机" in launcher.flow.first_admin.findChild(object, "databaseWhere").text()
    assert not DataDir(root).server_choice.exists()


def test_db_url_opens_the_server_with_the_password_from_the_environment(
        qtbot, launch, choice, tmp_path, monkeypatch):
    monkeypatch.setenv(server.ENV_PASSWORD, choice.password)
    launcher = launch(tmp_path / "desk", db_url=choice.url(with_password=False))
    qtbot.waitUntil(lambda: launcher.flow is not None and launcher.flow.first_admin is not None,
                    timeout=WAIT)
    assert server.in_use() == choice.with_password("")
    assert not DataDir(tmp_path / "desk").server_choice.exists()  # a URL is not remembered


def test_a_server_that_needs_an_upgrade_this_pc_cannot_back_up_says_why(
        qtbot, launch, choice, tmp_path, monkeypatch):
    """An older server schema and no pg_dump here: the dialog says the upgrade waits for a
    backup and the server is untouched; with the tools back, 连接 upgrades after the backup."""
    from xinfang_desk.core.store import backup, migrations, server_backup
    from xinfang_desk.core.store.models import ANSWER_MODELS, Meta

    storage.open_url(PG_URL)  # the server as a v5 program left it
    storage.database.obj.drop_tables(ANSWER_MODELS)
    Meta.update(value="5").where(Meta.key == "schema_version").execute()
    storage.close()
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    monkeypatch.setenv(server_backup.PG_BIN_ENV, str(empty))
    monkeypatch.setenv(server.ENV_PASSWORD, choice.password)
    root = tmp_path / "desk"
    launcher = launch(root, db_url=choice.url(with_password=False))
    dialog = launcher.connect_dialog
    assert dialog is not None and dialog.isVisible()
    said = dialog.result_label.text()
    assert said.startswith("服务器数据库需要升级数据结构（版本 5 → ") and "未作任何改动" in said
    assert "pg_dump" in said
    assert dialog.host.height() >= dialog.host.sizeHint().height()  # the long reason fits too
    dialog.grab().save(str(tmp_path / "upgrade-refused.png"))

    monkeypatch.delenv(server_backup.PG_BIN_ENV)
    if server_backup.find_tool("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    fill(dialog, choice)
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: launcher.flow is not None and launcher.flow.first_admin is not None,
                    timeout=WAIT)
    [kept] = backup.list_backups(DataDir(root).backups)
    assert (kept.reason, kept.schema_version) == ("pre-migration", 5)
    assert migrations.current_version(storage.database.obj) == migrations.LATEST
