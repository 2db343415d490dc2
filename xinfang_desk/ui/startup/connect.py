"""连接服务器: which database this desk works on, chosen at start.

Host, port, database, user and password of the office's PostgreSQL server; 测试连接 says what
is there (version, schema, or why not) without leaving the dialog; 连接 remembers the choice for
this PC (server.json in the data directory: never the password, which goes to the system's
credential store when the clerk ticks 记住密码 and one exists, else is asked at each start);
使用本机数据库 goes back to the local file. Every connection attempt runs on the worker: a
server that does not answer must not freeze the window (it gives up after a few seconds).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk import APP_TITLE
from xinfang_desk.core.store import server
from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE, password_edit
from xinfang_desk.ui.widgets.tables import action_button
from xinfang_desk.ui.widgets.tasks import TaskRunner

LOCAL = "local"  # the choice "use this PC's own database"
OK_STYLE = "color:#2e7d32"


def database_row(where: str, on_connect) -> QWidget:
    """The sign-in's and first admin's line: which database, and 连接服务器… to change it."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(where)
    label.setObjectName("databaseWhere")
    label.setStyleSheet(HINT_STYLE)
    label.setWordWrap(True)
    button = action_button("连接服务器…", "connectServerButton", on_connect)
    button.setAutoDefault(False)
    layout.addWidget(label, 1)
    layout.addWidget(button)
    return row


class ConnectServerDialog(QDialog):
    sig_chosen = Signal(object)
    """A ServerChoice (with its password) that connected, or LOCAL."""

    def __init__(self, tasks: TaskRunner, *, choice: server.ServerChoice | None = None,
                 message: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("connectServerDialog")
        self.setWindowTitle(f"{APP_TITLE} — 连接服务器")
        self._tasks = tasks
        self.busy = False

        intro = QLabel("多个接待台共用一台数据库服务器（PostgreSQL）时，在此填写服务器信息。"
                       "单机使用请选“使用本机数据库”。")
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)
        self.host = QLineEdit(choice.host if choice else "")
        self.host.setObjectName("serverHost")
        self.host.setPlaceholderText("服务器地址，如 192.168.1.10")
        self.port = QSpinBox()
        self.port.setObjectName("serverPort")
        self.port.setRange(1, 65535)
        self.port.setValue(choice.port if choice else server.DEFAULT_PORT)
        self.database = QLineEdit(choice.database if choice else "xinfang")
        self.database.setObjectName("serverDatabase")
        self.user = QLineEdit(choice.user if choice else "xinfang")
        self.user.setObjectName("serverUser")
        self.password = password_edit("serverPassword")
        if choice and choice.password:
            self.password.setText(choice.password)
        self.remember = QCheckBox("记住密码（保存在本机系统凭据管理器中，不写入任何文件）")
        self.remember.setObjectName("serverRemember")
        if not server.has_keyring():
            self.remember.setEnabled(False)
            self.remember.setText("本机没有系统凭据管理器：密码不保存，每次启动时输入")
        form = QFormLayout()
        form.addRow("服务器：", self.host)
        form.addRow("端口：", self.port)
        form.addRow("数据库：", self.database)
        form.addRow("用户名：", self.user)
        form.addRow("密码：", self.password)
        form.addRow("", self.remember)

        self.result_label = QLabel(message)
        self.result_label.setObjectName("serverResult")
        self.result_label.setWordWrap(True)
        self.result_label.setStyleSheet(ERROR_STYLE if message else "")
        self.test_button = action_button("测试连接", "serverTest", self.test)
        self.connect_button = action_button("连接", "serverConnect", self.connect_server)
        self.connect_button.setDefault(True)
        self.local_button = action_button("使用本机数据库", "serverLocal", self.use_local)
        self.quit_button = action_button("退出", "serverQuit", self.reject)
        buttons = QHBoxLayout()
        for button in (self.test_button, self.connect_button, self.local_button, self.quit_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        self.resize(520, 0)
        self._fit()
        (self.password if choice and not choice.password else self.host).setFocus()

    def choice(self) -> server.ServerChoice | None:
        host, name, user = (w.text().strip() for w in (self.host, self.database, self.user))
        if not host or not name or not user:
            self._say("请填写服务器地址、数据库名和用户名。", ERROR_STYLE)
            return None
        return server.ServerChoice(host=host, database=name, user=user, port=self.port.value(),
                                   password=self.password.text())

    def _say(self, text: str, style: str = "") -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(style)
        self._fit()

    def _fit(self) -> None:
        # A long reason wraps over several lines: grow the dialog, never squeeze the fields.
        layout = self.layout()
        layout.activate()
        need = layout.totalHeightForWidth(self.width())
        if need > self.height():
            self.resize(self.width(), need)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        for button in (self.test_button, self.connect_button, self.local_button):
            button.setEnabled(not busy)
        if busy:
            self._say(text, HINT_STYLE)

    def test(self) -> None:
        choice = self.choice()
        if choice is None or self.busy:
            return
        self._set_busy(True, f"正在连接 {choice.label}……")
        self._tasks.run(lambda: server.test_connection(choice), self._tested, self._failed)

    def _tested(self, text: str) -> None:
        self._set_busy(False)
        self._say(f"连接成功：{text}", OK_STYLE)

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self._say(str(exc), ERROR_STYLE)

    def connect_server(self) -> None:
        """Try it, then hand it over (the launcher opens it and remembers it)."""
        choice = self.choice()
        if choice is None or self.busy:
            return
        self._set_busy(True, f"正在连接 {choice.label}……")
        self._tasks.run(lambda: server.test_connection(choice),
                        lambda _text: self._connected(choice), self._failed)

    def _connected(self, choice: server.ServerChoice) -> None:
        self._set_busy(False)
        self.sig_chosen.emit(choice)
        self.accept()

    def remember_password(self) -> bool:
        return self.remember.isEnabled() and self.remember.isChecked()

    def use_local(self) -> None:
        self.sig_chosen.emit(LOCAL)
        self.accept()

    def reject(self) -> None:
        if not self.busy:
            super().reject()
