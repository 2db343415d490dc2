"""设置 › 承办单位与领域: the units directory and the two-level field taxonomy (涉及领域)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.ui.widgets.tasks import TaskRunner

ERROR_STYLE = "color:#c62828"
IdRole = Qt.ItemDataRole.UserRole + 1
ActiveRole = Qt.ItemDataRole.UserRole + 2
TopRole = Qt.ItemDataRole.UserRole + 3


def _load_taxonomy():
    from xinfang_desk.core.cases import taxonomy

    return taxonomy.list_units(), taxonomy.field_tree(include_inactive=True)


class TaxonomyEditor(QWidget):
    sig_loaded = Signal()
    """Units and fields are listed (also after a refused or failed change)."""
    sig_changed = Signal()
    """A unit or a field was added or changed."""

    def __init__(self, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("taxonomySettings")
        self._tasks = tasks

        # --- units
        self.units = QListWidget()
        self.units.setObjectName("unitList")
        self.unit_name = QLineEdit()
        self.unit_name.setObjectName("unitName")
        self.unit_name.setPlaceholderText("单位名称，如：县住房和城乡建设局")
        self.unit_phone = QLineEdit()
        self.unit_phone.setObjectName("unitPhone")
        self.unit_phone.setPlaceholderText("联系电话（可不填）")
        self.add_unit_button = QPushButton("添加单位")
        self.add_unit_button.setObjectName("addUnitButton")
        self.add_unit_button.clicked.connect(self.add_unit)
        unit_box = QGroupBox("承办单位名录")
        ul = QVBoxLayout(unit_box)
        ul.addWidget(self.units, 1)
        ul.addWidget(self.unit_name)
        row = QHBoxLayout()
        row.addWidget(self.unit_phone, 1)
        row.addWidget(self.add_unit_button)
        ul.addLayout(row)

        # --- fields
        self.fields = QTreeWidget()
        self.fields.setObjectName("fieldTree")
        self.fields.setHeaderLabels(["涉及领域", "默认承办单位", "状态"])
        self.fields.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.fields.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.fields.setColumnWidth(1, 200)
        self.fields.setColumnWidth(2, 60)
        self.fields.currentItemChanged.connect(self._field_selected)
        self.field_name = QLineEdit()
        self.field_name.setObjectName("fieldName")
        self.field_name.setPlaceholderText("领域名称")
        self.add_top_button = QPushButton("添加为一级领域")
        self.add_top_button.setObjectName("addTopFieldButton")
        self.add_top_button.clicked.connect(lambda: self.add_field(child=False))
        self.add_child_button = QPushButton("添加为所选领域的下级")
        self.add_child_button.setObjectName("addChildFieldButton")
        self.add_child_button.clicked.connect(lambda: self.add_field(child=True))
        self.rename_button = QPushButton("重命名所选")
        self.rename_button.clicked.connect(self.rename_field)
        self.active_button = QPushButton("停用")
        self.active_button.setToolTip("停用的领域不再供登记选择，已有事项和统计不受影响")
        self.active_button.clicked.connect(self.toggle_active)
        self.delete_button = QPushButton("删除")
        self.delete_button.setToolTip("只能删除尚未使用、没有下级的领域；已使用的请停用")
        self.delete_button.clicked.connect(self.delete_field)
        self.default_unit = QComboBox()
        self.default_unit.setObjectName("defaultUnit")
        self.default_unit.setMinimumWidth(200)
        self.default_unit_button = QPushButton("设为默认承办单位")
        self.default_unit_button.clicked.connect(self.set_default_unit)
        field_box = QGroupBox("涉及领域分类（两级）")
        fl = QVBoxLayout(field_box)
        fl.addWidget(self.fields, 1)
        grid = QGridLayout()
        grid.addWidget(QLabel("名称："), 0, 0)
        grid.addWidget(self.field_name, 0, 1, 1, 2)
        grid.addWidget(self.add_top_button, 0, 3)
        grid.addWidget(self.add_child_button, 0, 4)
        grid.addWidget(QLabel("默认单位："), 1, 0)
        grid.addWidget(self.default_unit, 1, 1, 1, 2)
        grid.addWidget(self.default_unit_button, 1, 3)
        actions = QHBoxLayout()
        actions.addWidget(self.rename_button)
        actions.addWidget(self.active_button)
        actions.addWidget(self.delete_button)
        grid.addLayout(actions, 1, 4)
        grid.setColumnStretch(2, 1)
        fl.addLayout(grid)

        self.message = QLabel("")
        self.message.setObjectName("taxonomyMessage")
        self.message.setWordWrap(True)
        panes = QHBoxLayout()
        panes.addWidget(unit_box, 2)
        panes.addWidget(field_box, 5)
        layout = QVBoxLayout(self)
        layout.addLayout(panes, 1)
        layout.addWidget(self.message)
        self._field_selected()

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        self._tasks.run(_load_taxonomy, self._show, self._failed)

    def _show(self, data) -> None:
        units, tree = data
        self.units.clear()
        self.units.addItems(units)
        keep = self.default_unit.currentText()
        self.default_unit.clear()
        self.default_unit.addItem("（无）", "")
        for name in units:
            self.default_unit.addItem(name, name)
        self.default_unit.setCurrentIndex(max(self.default_unit.findText(keep), 0))
        current = self.selected_field_id()
        expanded = {self.fields.topLevelItem(i).text(0)
                    for i in range(self.fields.topLevelItemCount())
                    if self.fields.topLevelItem(i).isExpanded()}
        self.fields.clear()
        select = None
        for node in tree:
            top = self._field_item(node, top=True)
            self.fields.addTopLevelItem(top)
            top.setExpanded(node.name in expanded)
            for child in node.children:
                item = self._field_item(child, top=False)
                top.addChild(item)
                if child.id == current:
                    select = item
                    top.setExpanded(True)
            if node.id == current:
                select = top
        if select is not None:
            self.fields.setCurrentItem(select)
        self._field_selected()
        self.sig_loaded.emit()

    @staticmethod
    def _field_item(node, top: bool) -> QTreeWidgetItem:
        item = QTreeWidgetItem([node.name, node.default_unit, "启用" if node.active else "已停用"])
        item.setData(0, IdRole, node.id)
        item.setData(0, ActiveRole, node.active)
        item.setData(0, TopRole, top)
        if not node.active:
            grey = QBrush(QColor("#999"))
            for col in range(3):
                item.setForeground(col, grey)
        return item

    def selected_field_id(self) -> int | None:
        item = self.fields.currentItem()
        return item.data(0, IdRole) if item is not None else None

    def _field_selected(self, *_args) -> None:
        item = self.fields.currentItem()
        has = item is not None
        for button in (self.rename_button, self.active_button, self.delete_button,
                       self.default_unit_button):
            button.setEnabled(has)
        # The taxonomy has two levels: children only under a top-level field.
        self.add_child_button.setEnabled(has and bool(item.data(0, TopRole)))
        if has:
            self.active_button.setText("停用" if item.data(0, ActiveRole) else "重新启用")
            self.default_unit.setCurrentIndex(max(self.default_unit.findText(item.text(1)), 0))

    def find_field(self, name: str, parent: str = "") -> QTreeWidgetItem | None:
        for i in range(self.fields.topLevelItemCount()):
            top = self.fields.topLevelItem(i)
            if not parent and top.text(0) == name:
                return top
            if parent and top.text(0) == parent:
                for j in range(top.childCount()):
                    if top.child(j).text(0) == name:
                        return top.child(j)
        return None

    # ------------------------------------------------------------------ changes

    def _change(self, work, done_text: str, after=None) -> None:
        def ok(_result):
            if after is not None:
                after()
            self.message.setText(done_text)
            self.sig_changed.emit()
            self.refresh()

        self._tasks.run(work, ok, self._failed)

    def _failed(self, exc) -> None:
        self.message.setText(f"<span style='{ERROR_STYLE}'>{exc}</span>")
        self.sig_loaded.emit()

    def add_unit(self) -> None:
        from xinfang_desk.core.cases import taxonomy

        name, phone = self.unit_name.text().strip(), self.unit_phone.text().strip()

        def work():
            taxonomy.add_unit(name, phone=phone)

        def clear():  # only on success: a refused name stays for correction
            self.unit_name.clear()
            self.unit_phone.clear()

        self._change(work, f"已添加单位“{name}”。", clear)

    def add_field(self, child: bool) -> None:
        from xinfang_desk.core.cases import taxonomy

        name = self.field_name.text().strip()
        parent = ""
        if child:
            item = self.fields.currentItem()
            if item is None or not item.data(0, TopRole):
                self.message.setText(f"<span style='{ERROR_STYLE}'>请先选择一个一级领域。</span>")
                return
            parent = item.text(0)
        unit = self.default_unit.currentData() if not child else ""
        where = f"“{parent}”下" if parent else "一级"

        def expand():  # show the new child under its parent
            if parent and (top := self.find_field(parent)) is not None:
                top.setExpanded(True)

        self._change(lambda: taxonomy.add_field(name, parent_path=parent, default_unit=unit),
                     f"已在{where}添加领域“{name}”。", expand)

    def rename_field(self) -> None:
        from xinfang_desk.core.cases import taxonomy

        field_id, name = self.selected_field_id(), self.field_name.text().strip()
        if field_id is None:
            return
        self._change(lambda: taxonomy.rename_field(field_id, name), f"已改名为“{name}”。")

    def toggle_active(self) -> None:
        from xinfang_desk.core.cases import taxonomy

        item = self.fields.currentItem()
        if item is None:
            return
        field_id, active = item.data(0, IdRole), not item.data(0, ActiveRole)
        self._change(lambda: taxonomy.set_field_active(field_id, active),
                     f"已{'重新启用' if active else '停用'}“{item.text(0)}”。")

    def delete_field(self) -> None:
        from xinfang_desk.core.cases import taxonomy

        item = self.fields.currentItem()
        if item is None:
            return
        field_id, name = item.data(0, IdRole), item.text(0)
        self._change(lambda: taxonomy.delete_field(field_id), f"已删除“{name}”。")

    def set_default_unit(self) -> None:
        from xinfang_desk.core.cases import taxonomy

        item = self.fields.currentItem()
        if item is None:
            return
        field_id, unit = item.data(0, IdRole), self.default_unit.currentData() or ""
        text = f"“{item.text(0)}”的默认承办单位已设为“{unit}”。" if unit else \
            f"已清除“{item.text(0)}”的默认承办单位。"
        self._change(lambda: taxonomy.set_default_unit(field_id, unit), text)
