"""The monthly report against a hand-written history whose answers were worked out by hand.

Calendar facts used (the seeded 2026 holiday table, period start day not counted, a last day
off work moving to the next working day): notice due = received + 15 days →
09-01→09-16, 09-10→09-28 (09-25 中秋), 09-15→09-30, 10-08→10-23, 10-12→10-27, 10-13→10-28,
10-15→10-30, 10-20→11-04, 10-26→11-10, 10-28→11-12, 10-30→11-16; handling (60 days):
08-05→10-08, 10-08→12-07, 10-12→12-11.
"""

import datetime as dt
import json

import openpyxl
import pytest

from tests.core.helpers import ID_WANG, intake
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases.records import PetitionerInput, record_event, register_case
from xinfang_desk.core.report.figures import monthly_figures, previous_period, report_json
from xinfang_desk.core.report.xlsx import write_xlsx
from xinfang_desk.core.rules.workflow import EventData as E
from xinfang_desk.core.store import storage

D = dt.date
TODAY = D(2026, 11, 12)
OCT = (D(2026, 10, 1), D(2026, 10, 31))
HRSS = "人力资源和社会保障局"
JW = "纪委监委"
ZJ = "住房和城乡建设局"
NY = "农业农村局"


def case(received, events=(), **kw) -> str:
    no = register_case(intake(received_on=received, **kw), today=TODAY).case_no
    for ev in events:
        record_event(no, ev)
    return no


def history() -> dict[str, str]:
    """Four September cases, one August case and ten October cases (A–J)."""
    c = {}
    # ---- August: replied late in October (due 10-08), 复查 requested in October.
    c["S2"] = case(D(2026, 8, 5), unit=HRSS, events=[
        E("notified", D(2026, 8, 10)),
        E("replied", D(2026, 10, 9), outcome="不予支持"),
        E("satisfaction", D(2026, 10, 10), rating="未表态"),
        E("review_requested", D(2026, 10, 15))])
    # ---- September
    c["S1"] = case(D(2026, 9, 1), unit=HRSS, events=[
        E("notified", D(2026, 9, 10)),
        E("extended", D(2026, 10, 20), days=10, reason="需进一步调查")])
    c["S3"] = case(D(2026, 9, 10), channel="来信", unit=HRSS,
                   events=[E("visit", D(2026, 10, 22))])  # never notified: overdue since 09-28
    c["S4"] = case(D(2026, 9, 20), category="咨询", field="民政/社会救助", disposition="当场答复",
                   answer_given="已解释政策", events=[E("satisfaction", D(2026, 9, 20), rating="满意")])
    c["S5"] = case(D(2026, 9, 15), disposition="转送", unit="民政局", field="民政/养老服务",
                   events=[E("forwarded", D(2026, 9, 16), unit="民政局")])
    # ---- October
    c["A"] = case(D(2026, 10, 12), unit=HRSS, events=[
        E("notified", D(2026, 10, 20)),
        E("replied", D(2026, 10, 30), outcome="支持"),
        E("satisfaction", D(2026, 10, 31), rating="满意")])
    c["B"] = case(D(2026, 10, 13), unit=HRSS, field="劳动社保/社会保险", people_count=6,
                  events=[E("visit", D(2026, 10, 20))])
    c["C"] = case(D(2026, 10, 15), channel="来信", category="检举控告", field="纪检监察/违纪违法",
                  disposition="转送", unit=JW, events=[
                      E("forwarded", D(2026, 10, 16), unit=JW),
                      E("chased", D(2026, 10, 25)),
                      E("feedback", D(2026, 10, 28))])
    c["D"] = case(D(2026, 10, 20), channel="网上", category="建议意见", field="城乡建设/城市管理",
                  disposition="建议记录", unit=ZJ, events=[E("notified", D(2026, 11, 5))])
    c["E"] = case(D(2026, 10, 8), channel="来电", category="建议意见", field="城乡建设/物业管理",
                  disposition="建议记录", unit=ZJ, events=[
                      E("notified", D(2026, 10, 23)),  # the due day itself: on time
                      E("replied", D(2026, 10, 26), outcome="部分采纳"),
                      E("satisfaction", D(2026, 10, 27), rating="基本满意")])
    c["F"] = case(D(2026, 10, 1), category="咨询", field="民政/社会救助", disposition="当场答复",
                  answer_given="已解释", people_count=8, events=[
                      E("satisfaction", D(2026, 10, 1), rating="不满意", reason="未解决")])
    c["G"] = case(D(2026, 10, 26), field="农村农业/宅基地", unit=NY)
    c["H"] = case(D(2026, 10, 30), channel="来信", disposition="交办", unit=HRSS,
                  events=[E("assigned", D(2026, 10, 31), unit=HRSS, deadline=D(2026, 12, 1))])
    c["I"] = case(D(2026, 10, 28), channel="领导信箱", category="检举控告",
                  field="纪检监察/作风问题", unit=JW)
    c["J"] = case(D(2026, 10, 29), category="其他", field="", disposition="引导",
                  approach_body="向人民法院起诉",
                  petitioners=[PetitionerInput(name="李四", phone="13900001111")])
    return c


def test_every_figure_of_october(store):
    history()
    r = monthly_figures(*OCT, today=TODAY)
    assert r.received_total == 10
    assert r.by_channel == {"来访": 5, "来信": 2, "来电": 1, "网上": 1, "传真": 0, "领导信箱": 1,
                            "上级转送": 0, "上级交办": 0, "其他": 0}
    assert r.by_category == {"建议意见": 2, "检举控告": 2, "申诉求决": 4, "咨询": 1, "其他": 1}
    assert r.by_field == {"劳动社保": 3, "城乡建设": 2, "纪检监察": 2, "农村农业": 1, "民政": 1,
                          "（未分类）": 1}
    assert r.by_unit == {HRSS: 3, ZJ: 2, JW: 2, "（未指定）": 2, NY: 1}
    assert (r.group_visits, r.group_people, r.people_involved) == (2, 14, 22)
    assert r.repeat_visits == 2
    assert r.units_most_complained == [(HRSS, 3), (JW, 2), (NY, 1)]
    assert (r.forwarded, r.chased, r.feedback_received) == (2, 1, 1)
    # A, C, E, H on time; B, G never notified; D notified 11-05 after 11-04; I not yet due.
    assert (r.notice_due, r.notice_on_time) == (7, 4)
    assert r.notice_on_time_rate == pytest.approx(4 / 7)
    # A and E on time; S2 replied 10-09, due 10-08.
    assert (r.replies, r.handling_on_time) == (3, 2)
    assert r.handling_on_time_rate == pytest.approx(2 / 3)
    # S3 (notice due 09-28) and B (due 10-28).
    assert r.overdue_at_end == 2
    assert {d.kind for d in r.overdue_items} == {"notice"}
    assert r.extensions == 1
    assert r.adoption == {"采纳": 0, "部分采纳": 1, "不采纳": 0}
    assert (r.review_requests, r.rereview_requests) == (1, 0)
    assert r.satisfaction == {"满意": 1, "基本满意": 1, "不满意": 1, "未表态": 1}
    assert r.satisfaction_rate == pytest.approx(2 / 3)


def test_month_over_month(store):
    history()
    r = monthly_figures(*OCT, today=TODAY)
    assert (r.previous_start, r.previous_end) == (D(2026, 9, 1), D(2026, 9, 30))
    # September: S1, S3, S4, S5 received; S5 forwarded; notice S1, S5 on time, S3 not;
    # no replies; S4 满意; S3 overdue on 09-30.
    assert r.previous["received_total"] == 4
    assert r.previous["forwarded"] == 1
    assert r.previous["overdue_at_end"] == 1
    assert r.previous["notice_on_time_rate"] == pytest.approx(2 / 3)
    assert r.previous["handling_on_time_rate"] is None
    assert r.previous["satisfaction_rate"] == 1
    assert r.change["received_total"] == 6
    assert r.change["forwarded"] == 1
    assert r.change["overdue_at_end"] == 1
    assert r.change["notice_on_time_rate"] == pytest.approx(4 / 7 - 2 / 3)
    assert r.change["handling_on_time_rate"] is None
    assert r.change["satisfaction_rate"] == pytest.approx(2 / 3 - 1)


def test_previous_period():
    assert previous_period(D(2026, 3, 1), D(2026, 3, 31)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert previous_period(D(2026, 1, 1), D(2026, 3, 31)) == (D(2025, 10, 1), D(2025, 12, 31))
    assert previous_period(D(2026, 3, 5), D(2026, 3, 14)) == (D(2026, 2, 23), D(2026, 3, 4))


def test_an_empty_month_has_no_rates(store):
    r = monthly_figures(*OCT, today=TODAY)
    assert r.received_total == 0 and r.people_involved == 0 and r.group_visits == 0
    assert set(r.by_channel.values()) == {0} and r.by_field == {} and r.by_unit == {}
    assert r.notice_on_time_rate is None
    assert r.handling_on_time_rate is None
    assert r.satisfaction_rate is None
    assert r.change["received_total"] == 0 and r.change["satisfaction_rate"] is None
    data = report_json(r)
    assert data["notice_on_time_rate"] is None and data["satisfaction"]["满意"] == 0


def test_workbook_holds_the_same_numbers(store, tmp_path):
    c = history()
    r = monthly_figures(*OCT, today=TODAY)
    path = tmp_path / "十月.xlsx"
    write_xlsx(r, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["总览", "按形式", "按类别", "按领域", "按单位", "满意度", "事项清单"]
    overview = {row[0]: row[1:] for row in wb["总览"].iter_rows(min_row=2, values_only=True)}
    assert overview["受理登记信访事项（件）"] == (10, 4, 6)
    assert overview["期末超期事项（件）"] == (2, 1, 1)
    assert overview["15日内告知/转送按期率"][0] == pytest.approx(4 / 7)
    assert overview["60日内办结按期率"][1:] == ("—", "—")
    channels = {row[0]: row[1] for row in wb["按形式"].iter_rows(min_row=2, values_only=True)}
    assert channels["来访"] == 5 and isinstance(channels["来访"], int)
    fields = {row[0]: row[1] for row in wb["按领域"].iter_rows(min_row=2, values_only=True)}
    assert fields["劳动社保"] == 3
    ratings = {row[0]: row[1] for row in wb["满意度"].iter_rows(min_row=2, values_only=True)}
    assert ratings["不满意"] == 1 and ratings["满意率"] == pytest.approx(2 / 3)
    ws = wb["事项清单"]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["F"].width == 40
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 10
    first = rows[0]  # F, received 10-01
    assert first[0] == c["F"] and isinstance(first[1], dt.datetime)
    assert first[1].date() == D(2026, 10, 1)
    assert first[4] == "民政" and first[6] == "已办结"
    assert first[7] == "王秀英" and first[8] == "110105********002X"
    by_no = {row[0]: row for row in rows}
    assert by_no[c["C"]][7] == "（保密）"  # 检举控告: the accuser's name stays out
    write_xlsx(r, path, cases_masked=False)
    rows = list(openpyxl.load_workbook(path)["事项清单"].iter_rows(min_row=2, values_only=True))
    assert rows[0][8] == ID_WANG
    assert {row[0]: row for row in rows}[c["C"]][7] == "王秀英"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # written atomically


def test_cli_json_and_usage(tmp_path, capsys):
    storage.open_data_dir(tmp_path)
    register_case(intake(received_on=D(2026, 10, 12)), today=TODAY)
    storage.close()
    assert cli.main(["--data-dir", str(tmp_path), "report", "--month", "2026-10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    storage.close()
    for key in ("received_total", "by_channel", "by_category", "by_field", "group_visits",
                "people_involved", "forwarded", "feedback_received", "overdue_at_end",
                "extensions", "satisfaction", "notice_on_time_rate", "handling_on_time_rate",
                "repeat_visits", "units_most_complained", "chased", "adoption",
                "review_requests", "rereview_requests", "satisfaction_rate", "change"):
        assert key in data
    assert data["received_total"] == 1 and data["by_field"] == {"劳动社保": 1}
    assert data["start"] == "2026-10-01" and data["end"] == "2026-10-31"
    xlsx = tmp_path / "r.xlsx"
    assert cli.main(["--data-dir", str(tmp_path), "report", "--month", "2026-10",
                     "--xlsx", str(xlsx)]) == 0
    storage.close()
    assert openpyxl.load_workbook(xlsx)["总览"]["B3"].value == 1
    with pytest.raises(SystemExit) as exc:
        cli.main(["--data-dir", str(tmp_path), "report", "--month", "2026-13"])
    assert exc.value.code == 2
    assert "月份应为YYYY-MM：2026-13" in capsys.readouterr().err


def test_overdue_matches_the_deadline_list(store):
    from xinfang_desk.core.deadlines.engine import current_rules, list_deadlines
    from xinfang_desk.core.report.figures import overdue_on

    c = history()
    days = [D(2026, 9, 30), D(2026, 10, 31), D(2026, 11, 12)]
    found = overdue_on(days, current_rules())
    for day in days:
        expected = [d for d in list_deadlines(today=day) if d.overdue]
        assert found[day] == expected
    assert {d.case_no for d in found[D(2026, 10, 31)]} == {c["S3"], c["B"]}


def test_cli_text_shows_dash_for_no_rate(tmp_path, capsys):
    assert cli.main(["--data-dir", str(tmp_path), "report", "--month", "2026-10"]) == 0
    out = capsys.readouterr().out
    storage.close()
    assert "受理登记信访事项（件）\t0\t较上期+0" in out
    assert "满意率\t—\t较上期—" in out
