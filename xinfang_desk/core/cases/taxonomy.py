"""The editable field taxonomy (涉及领域, two levels) and the units directory."""

from __future__ import annotations

from dataclasses import dataclass

from xinfang_desk.core import session
from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Case, Field, Unit


@dataclass(frozen=True)
class FieldNode:
    id: int
    name: str
    path: str
    default_unit: str
    active: bool
    children: tuple[FieldNode, ...] = ()


def _audit(what: str, details: dict) -> None:
    """The taxonomy is part of the settings: changes are the admin's and recorded."""
    audit.record("settings_changed", what, details)


def field_tree(include_inactive: bool = False) -> list[FieldNode]:
    with storage_errors():
        units = {u.id: u.name for u in Unit.select(Unit.id, Unit.name)}
        rows = list(Field.select().order_by(Field.sort_order, Field.id))
    kids: dict[int, list[Field]] = {}
    for row in rows:
        if row.parent_id:
            kids.setdefault(row.parent_id, []).append(row)

    def node(row: Field, parent_name: str = "") -> FieldNode:
        unit = units.get(row.default_unit_id, "")
        path = f"{parent_name}/{row.name}" if parent_name else row.name
        children = tuple(node(c, row.name) for c in kids.get(row.id, [])
                         if include_inactive or c.active)
        return FieldNode(row.id, row.name, path, unit, row.active, children)

    return [node(r) for r in rows if r.parent_id is None and (include_inactive or r.active)]


def add_field(name: str, parent_path: str = "", default_unit: str = "") -> Field:
    session.require("settings")
    name = name.strip()
    if not name or "/" in name:
        raise FieldError("领域名称", "不能为空，也不能含“/”")
    with storage_errors(), write_transaction():
        parent = None
        if parent_path:
            parent = Field.get_or_none((Field.name == parent_path.strip()) & Field.parent.is_null())
            if parent is None:
                raise FieldError("上级领域", f"“{parent_path}”不存在")
        clash = Field.select().where((Field.name == name) & (
            Field.parent.is_null() if parent is None else Field.parent == parent))
        if clash.exists():
            raise FieldError("领域名称", f"“{name}”已存在")
        unit = None
        if default_unit:
            unit = Unit.get_or_none(Unit.name == default_unit.strip())
            if unit is None:
                raise FieldError("默认承办单位", f"“{default_unit}”不在单位名录中")
        elif parent is not None:
            unit = parent.default_unit
        row = Field.create(name=name, parent=parent, default_unit=unit, sort_order=999)
        _audit("field", {"add": row.path})
        return row


def set_field_active(field_id: int, active: bool) -> None:
    """Fields in use are never deleted (reports count by them); they are retired instead."""
    session.require("settings")
    with storage_errors(), write_transaction():
        Field.update(active=active).where(Field.id == field_id).execute()
        _audit("field", {"field": Field.get_by_id(field_id).path, "active": active})


def rename_field(field_id: int, new_name: str) -> None:
    session.require("settings")
    new_name = new_name.strip()
    if not new_name or "/" in new_name:
        raise FieldError("领域名称", "不能为空，也不能含“/”")
    with storage_errors(), write_transaction():
        row = Field.get_by_id(field_id)
        siblings = Field.select().where((Field.name == new_name) & (Field.id != field_id) & (
            Field.parent.is_null() if row.parent_id is None else Field.parent == row.parent_id))
        if siblings.exists():
            raise FieldError("领域名称", f"“{new_name}”已存在")
        old = row.path
        row.name = new_name
        row.save()
        _audit("field", {"rename": [old, row.path]})


def delete_field(field_id: int) -> None:
    session.require("settings")
    with storage_errors(), write_transaction():
        row = Field.get_by_id(field_id)
        used = Case.select().where(Case.field.in_(
            [row.id] + [c.id for c in Field.select(Field.id).where(Field.parent == row.id)])).exists()
        if used or Field.select().where(Field.parent == row.id).exists():
            raise FieldError("领域", f"“{row.name}”已有事项或下级领域，不能删除，可停用")
        _audit("field", {"delete": row.path})
        row.delete_instance()


def list_units(include_inactive: bool = False) -> list[str]:
    with storage_errors():
        q = Unit.select(Unit.name).order_by(Unit.name)
        if not include_inactive:
            q = q.where(Unit.active == True)  # noqa: E712 - peewee expression
        return [u.name for u in q]


def add_unit(name: str, phone: str = "") -> Unit:
    session.require("settings")
    name = name.strip()
    if not name:
        raise FieldError("单位名称", "不能为空")
    with storage_errors(), write_transaction():
        if Unit.select().where(Unit.name == name).exists():
            raise FieldError("单位名称", f"“{name}”已在名录中")
        row = Unit.create(name=name, phone=phone.strip())
        _audit("unit", {"add": name})
        return row


def set_default_unit(field_id: int, unit_name: str) -> None:
    """The unit a field's matters are usually forwarded to ("" clears it)."""
    session.require("settings")
    with storage_errors(), write_transaction():
        unit = None
        if unit_name.strip():
            unit = Unit.get_or_none(Unit.name == unit_name.strip())
            if unit is None:
                raise FieldError("默认承办单位", f"“{unit_name}”不在单位名录中")
        Field.update(default_unit=unit).where(Field.id == field_id).execute()
        _audit("field", {"field": Field.get_by_id(field_id).path, "default_unit": unit_name.strip()})
