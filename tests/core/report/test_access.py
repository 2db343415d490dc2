"""The report's case lists leave out confidential cases the user may not see; figures don't."""

import datetime as dt

import openpyxl

from tests.core.helpers import intake
from tests.core.report.test_figures import OCT, TODAY, history
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.report.figures import monthly_figures
from xinfang_desk.core.report.xlsx import write_xlsx
from xinfang_desk.core.store.models import Case

CLERK = session.Actor("张敏", session.CLERK)
LEADER = session.Actor("李红梅", session.LEADER)


def _listed(path) -> set[str]:
    ws = openpyxl.load_workbook(path)["事项清单"]
    return {row[0] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}


def test_clerk_report_hides_others_confidential_cases(store, tmp_path):
    history()
    # a confidential accusation, overdue at the end of October (never notified)
    secret = register_case(intake(received_on=dt.date(2026, 10, 8), category="检举控告",
                                  summary="举报某局违规发放补贴", unit="纪委监委"),
                           today=TODAY).case_no
    assert Case.get(Case.case_no == secret).confidential
    full = monthly_figures(*OCT, today=TODAY)
    assert secret in {d.case_no for d in full.overdue_items}
    with session.acting_as(CLERK):
        mine = monthly_figures(*OCT, today=TODAY)
        write_xlsx(mine, tmp_path / "clerk.xlsx")
    with session.acting_as(LEADER):
        write_xlsx(monthly_figures(*OCT, today=TODAY), tmp_path / "leader.xlsx")
    # the same figures for everyone…
    assert (mine.received_total, mine.overdue_at_end) == (full.received_total, full.overdue_at_end)
    # …but the clerk's lists do not name the confidential case
    assert secret not in {d.case_no for d in mine.overdue_items}
    assert secret not in _listed(tmp_path / "clerk.xlsx")
    assert secret in _listed(tmp_path / "leader.xlsx")
    assert _listed(tmp_path / "leader.xlsx") - _listed(tmp_path / "clerk.xlsx") >= {secret}
