"""Editing the field taxonomy, the units directory and the holiday table."""

import datetime as dt

import pytest

from tests.core.helpers import intake
from xinfang_desk.core.cases import taxonomy
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.deadlines import calendar as calendar_store
from xinfang_desk.core.deadlines.engine import list_deadlines
from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.store import holiday_seed
from xinfang_desk.core.store.models import CalendarYear


def test_seeded_tree_has_two_levels_with_default_units(store):
    tree = {n.name: n for n in taxonomy.field_tree()}
    assert tree["城乡建设"].default_unit == "住房和城乡建设局"
    assert "城乡建设/物业管理" in [c.path for c in tree["城乡建设"].children]


def test_add_rename_retire_and_delete_fields(store):
    f = taxonomy.add_field("电梯安全", parent_path="城乡建设")
    assert f.default_unit.name == "住房和城乡建设局"  # inherited from the parent
    with pytest.raises(FieldError, match="已存在"):
        taxonomy.add_field("电梯安全", parent_path="城乡建设")
    taxonomy.rename_field(f.id, "电梯维保")
    paths = [c.path for n in taxonomy.field_tree() for c in n.children]
    assert "城乡建设/电梯维保" in paths
    taxonomy.set_field_active(f.id, False)
    assert "城乡建设/电梯维保" not in [c.path for n in taxonomy.field_tree() for c in n.children]
    taxonomy.delete_field(f.id)


def test_a_field_in_use_cannot_be_deleted(store):
    register_case(intake(field="劳动社保/劳动报酬"), today=dt.date(2026, 11, 28))
    labour = [n for n in taxonomy.field_tree() if n.name == "劳动社保"][0]
    with pytest.raises(FieldError, match="不能删除"):
        taxonomy.delete_field(labour.id)


def test_units_directory(store):
    taxonomy.add_unit("县信访局", phone="0817-1234567")
    assert "县信访局" in taxonomy.list_units()
    with pytest.raises(FieldError, match="已在名录中"):
        taxonomy.add_unit("县信访局")


def test_office_can_declare_an_extra_holiday_and_it_moves_deadlines(store):
    saved = register_case(intake(received_on=dt.date(2026, 11, 2)), today=dt.date(2026, 11, 28))
    before = [d for d in list_deadlines(today=dt.date(2026, 11, 3)) if d.kind == "notice"][0]
    assert before.due == dt.date(2026, 11, 17)
    calendar_store.set_day(dt.date(2026, 11, 17), "holiday", "本地停工")
    after = [d for d in list_deadlines(today=dt.date(2026, 11, 3))
             if d.kind == "notice" and d.case_no == saved.case_no][0]
    assert after.due == dt.date(2026, 11, 18)
    assert CalendarYear.get_by_id(2026).source == "手工录入"
    # A hand-edited year is never overwritten by re-seeding.
    holiday_seed.top_up_calendar(dt.date(2026, 11, 28))
    assert not calendar_store.load_calendar().is_working_day(dt.date(2026, 11, 17))


def test_calendar_knows_tiaoxiu(store):
    cal = calendar_store.load_calendar()
    assert cal.is_working_day(dt.date(2026, 10, 10))  # Saturday worked
    assert not cal.is_working_day(dt.date(2026, 10, 5))  # National Day
    assert not cal.is_working_day(dt.date(2026, 2, 23))  # Monday off by swap
