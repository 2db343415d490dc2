"""Render page 1 of every printed document for README, from sample cases in a temp dir, and
pages 1–2 of the monthly report (October 2026) over 600 demo cases.

    .venv/bin/python docs/documents/make_samples.py      (needs pdftoppm, Debian poppler-utils)
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from xinfang_desk.core.cases import records as cases  # noqa: E402
from xinfang_desk.core.cases.records import CaseInput, PetitionerInput  # noqa: E402
from xinfang_desk.core.cases.taxonomy import add_unit  # noqa: E402
from xinfang_desk.core.documents.build import build_document  # noqa: E402
from xinfang_desk.core.rules.workflow import EventData  # noqa: E402
from xinfang_desk.core.store import settings, storage  # noqa: E402

TODAY = dt.date(2026, 11, 27)
RECEIVED = dt.date(2026, 9, 21)


def case(**kw) -> str:
    values = dict(
        received_on=RECEIVED, channel="来访", category="申诉求决",
        summary="反映单位拖欠工资三个月", request="要求单位支付拖欠的工资",
        facts="2026年6月至8月工资未发放，共计一万二千元", reasons="已多次向单位讨要未果",
        petitioners=[PetitionerInput(name="王秀英", id_number="11010519491231002X",
                                     phone="13800001234", address="四川省南充市顺庆区中城街道1号")],
        disposition="受理", field="劳动社保/劳动报酬", clerk="张三")
    values.update(kw)
    return cases.register_case(CaseInput(**values), today=TODAY).case_no


def main() -> int:
    out = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        storage.open_data_dir(Path(tmp))
        for key, value in (("office_name", "南充市顺庆区信访局"), ("office_phone", "0817-2222333"),
                           ("office_address", "顺庆区人民南路1号")):
            settings.put(key, value)
        add_unit("区纪委监委")
        accepted = case(promised_reply_on=dt.date(2026, 11, 20))
        cases.record_event(accepted, EventData("extended", dt.date(2026, 11, 10), days=20,
                                               reason="需要到企业现场核查账目", approver="李局长"))
        cases.record_event(accepted, EventData(
            "replied", dt.date(2026, 11, 25), outcome="支持",
            note="经调查核实，该单位确有拖欠工资情形。区人力资源和社会保障局已责令该单位于2026年"
                 "12月10日前足额支付拖欠的工资一万二千元，并将跟踪落实情况。"))
        accusation = case(category="检举控告", summary="举报村干部侵占集体资金",
                          request="要求查处", disposition="转送", unit="区纪委监委",
                          field="纪检监察/违纪违法")
        cases.record_event(accusation, EventData("forwarded", dt.date(2026, 9, 22),
                                                 ref="顺信转〔2026〕12号",
                                                 deadline=dt.date(2026, 11, 20)))
        rejected = case(disposition="不予受理", reject_reason="该事项已进入劳动仲裁程序",
                        approach_body="南充市顺庆区劳动人事争议仲裁委员会")
        suggestion = case(category="建议意见", summary="建议增设北城街道公交线路",
                          request="增设公交线路", facts="", disposition="建议记录")
        cases.record_event(suggestion, EventData("replied", dt.date(2026, 11, 1), outcome="部分采纳",
                                                 note="已将早晚高峰班次加密，线路调整列入明年规划。"))
        plan = {"receipt": accepted, "register": accepted, "accept": accepted, "extend": accepted,
                "reply": accepted, "service": accepted, "forward": accusation, "reject": rejected,
                "adoption": suggestion}
        for doc, case_no in plan.items():
            pdf = Path(tmp) / f"{doc}.pdf"
            pdf.write_bytes(build_document(case_no, doc, today=TODAY))
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile",
                            str(pdf), str(out / doc)], check=True)
        storage.close()
    _report_pages(out)
    print(f"written to {out}")
    return 0


def _report_pages(out: Path) -> None:
    from xinfang_desk.core.demo.generate import generate_demo
    from xinfang_desk.core.report.figures import month_range, monthly_figures
    from xinfang_desk.core.report.pdf import write_pdf

    with tempfile.TemporaryDirectory() as tmp:
        storage.open_data_dir(Path(tmp))
        settings.put("office_name", "南充市顺庆区信访局")
        generate_demo(600, seed=1, today=TODAY)
        pdf = Path(tmp) / "report.pdf"
        write_pdf(monthly_figures(*month_range("2026-10"), today=TODAY), pdf)
        for page, name in ((1, "report-cover"), (2, "report-charts")):
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(page), "-l", str(page),
                            "-singlefile", str(pdf), str(out / name)], check=True)
        storage.close()


if __name__ == "__main__":
    sys.exit(main())
