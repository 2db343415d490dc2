"""Core helpers behind the settings page: saving several settings at once, the calendar of one
year, a field's default unit."""

import datetime as dt

import pytest

from xinfang_desk.core.cases import taxonomy
from xinfang_desk.core.deadlines import calendar as calendar_store
from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.store import settings


def test_put_many_saves_all_or_nothing(store):
    errors = settings.put_many({"office_name": "顺庆区信访局", "case_prefix": "X-1",
                                "group_threshold": 1})
    assert set(errors) == {"case_prefix", "group_threshold"}
    assert errors["case_prefix"].reason == "应为1–8位字母或数字"
    assert settings.get("office_name") == "某某县信访接待室"
    assert settings.put_many({"office_name": " 顺庆区信访局 ", "case_prefix": "SQ"}) == {}
    assert (settings.get("office_name"), settings.get("case_prefix")) == ("顺庆区信访局", "SQ")


def test_days_and_status_of_a_year(store):
    days = calendar_store.days_of_year(2026)
    assert (dt.date(2026, 10, 1), "holiday", "国庆节") in days
    assert any(kind == "workday" for _d, kind, _n in days)
    assert days == sorted(days)
    assert calendar_store.year_status(2026) == ("official", "holidays")
    assert calendar_store.year_status(2099) == (None, "")
    calendar_store.set_day(dt.date(2099, 3, 3), "holiday", "测试")
    assert calendar_store.days_of_year(2099) == [(dt.date(2099, 3, 3), "holiday", "测试")]
    assert calendar_store.year_status(2099) == ("official", "手工录入")
    assert 2099 in calendar_store.known_years()


def test_set_default_unit(store):
    field = taxonomy.add_field("安全生产")
    taxonomy.add_unit("县应急管理局")
    taxonomy.set_default_unit(field.id, "县应急管理局")
    node = [n for n in taxonomy.field_tree() if n.name == "安全生产"][0]
    assert node.default_unit == "县应急管理局"
    with pytest.raises(FieldError, match="不在单位名录中"):
        taxonomy.set_default_unit(field.id, "不存在的局")
    taxonomy.set_default_unit(field.id, "")
    assert [n for n in taxonomy.field_tree() if n.name == "安全生产"][0].default_unit == ""
