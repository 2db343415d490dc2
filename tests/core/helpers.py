"""Small builders for core tests: hand-written intakes, not generated data."""

import datetime as dt

from xinfang_desk.core.cases.records import CaseInput, PetitionerInput

# Valid resident ID numbers, check characters worked out by hand (GB 11643 MOD 11-2).
ID_WANG = "11010519491231002X"  # 1949-12-31, female (sequence 002)
ID_LI = "34052419800101001X"  # upgraded from 340524800101001, male (sequence 001)


def intake(**overrides) -> CaseInput:
    values = dict(
        received_on=dt.date(2026, 9, 21),
        channel="来访",
        category="申诉求决",
        summary="反映单位拖欠工资三个月",
        request="要求单位支付拖欠的工资",
        facts="2026年6月至8月工资未发放，共计一万二千元",
        reasons="已多次向单位讨要未果",
        petitioners=[PetitionerInput(name="王秀英", id_number=ID_WANG, phone="13800001234",
                                     address="四川省南充市顺庆区中城街道1号")],
        disposition="受理",
        field="劳动社保/劳动报酬",
        clerk="张三",
    )
    values.update(overrides)
    return CaseInput(**values)
