"""Several desks on one server: they never get the same case number or query code, never
break the audit chain, never overwrite each other's edits; a dropped connection is said in
Chinese and the next try works."""

import datetime as dt
import json
import subprocess
import sys
import time

import pytest

from tests import paths
from tests.core.helpers import ID_WANG, intake
from tests.core.server_db import PG_URL, needs_server, server  # noqa: F401 - the fixture

pytestmark = needs_server
TODAY = dt.date(2026, 11, 28)
DESKS, EACH = 4, 200

# One desk: waits for the common start, then registers EACH cases as fast as it can, and
# forwards every second one (a write that takes no case number: only the audit chain and the
# case itself are shared with the other desks then).
DESK = r"""
import datetime as dt, json, os, sys, time
from pathlib import Path
from tests.core.helpers import intake
from xinfang_desk.core.cases.records import record_event, register_case
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import server as srv
desk, start, root = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
srv.open_server(Path(root), srv.ServerChoice.from_url(os.environ["XINFANG_TEST_PG_URL"]))
while time.time() < start:
    time.sleep(0.005)
saved, errors = [], []
for i in range(int(sys.argv[4])):
    try:
        case = register_case(intake(summary=f"第{desk}号接待台登记的第{i}件", clerk=f"desk{desk}",
                                    disposition="转送", unit="人力资源和社会保障局"),
                             today=dt.date(2026, 11, 28))
        saved.append([case.case_no, case.query_code])
        if i % 2:
            record_event(case.case_no, EventData("forwarded", dt.date(2026, 9, 22), ref=f"转{i}号"))
    except Exception as exc:
        errors.append(repr(exc))
print(json.dumps({"saved": saved, "errors": errors}))
"""


def test_four_desks_saving_at_once(server, tmp_path):  # noqa: F811
    from xinfang_desk.core.store import audit
    from xinfang_desk.core.store.models import Case

    start = time.time() + 3  # every desk connected and waiting by then
    procs = [subprocess.Popen([sys.executable, "-c", DESK, str(d), str(start),
                               str(tmp_path / f"desk{d}"), str(EACH)],
                              cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for d in range(DESKS)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    errors = [e for r in results for e in r["errors"]]
    saved = [tuple(pair) for r in results for pair in r["saved"]]
    assert errors == []
    assert len(saved) == DESKS * EACH
    assert len({no for no, _ in saved}) == DESKS * EACH  # no number twice
    assert len({code for _, code in saved}) == DESKS * EACH  # no query code twice
    assert Case.select().count() == DESKS * EACH
    numbers = sorted(int(no.rsplit("-", 1)[1]) for no, _ in saved)
    assert numbers == list(range(1, DESKS * EACH + 1))  # and no gap either
    result = audit.verify()
    assert result.ok, result.message
    assert result.rows == DESKS * EACH + DESKS * EACH // 2  # every save and every forwarding
    assert Case.select().where(Case.status == "forwarded").count() == DESKS * EACH // 2


def test_an_edit_based_on_an_older_version_is_refused_naming_the_editor(server):  # noqa: F811
    _edit_conflict()


def test_the_same_on_the_local_file(store):
    _edit_conflict()


def _edit_conflict():
    from xinfang_desk.core import session
    from xinfang_desk.core.cases.edit import StaleEdit, update_case
    from xinfang_desk.core.cases.records import get_case, register_case
    from xinfang_desk.core.people import users

    admin = users.create_user("admin", "admin2026a", session.ADMIN, "管理员")
    with session.acting_as(users.actor_of(admin)):
        users.create_user("zhangmin", "pass2026a", session.CLERK, "张敏")
        users.create_user("zhaolei", "pass2026a", session.CLERK, "赵磊")
    with session.acting_as(users.actor_of(users.get_user("zhangmin"))):
        saved = register_case(intake(), today=TODAY)
    opened = get_case(saved.case_no).version  # both desks open the case
    with session.acting_as(users.actor_of(users.get_user("zhangmin"))):
        update_case(saved.case_no, {"summary": "反映单位拖欠工资四个月"}, "来访人更正",
                    expected_version=opened)
    with session.acting_as(users.actor_of(users.get_user("zhaolei"))), \
            pytest.raises(StaleEdit) as refused:
        update_case(saved.case_no, {"facts": "2026年6月至9月工资未发放"}, "补充事实",
                    expected_version=opened)
    assert "张敏（zhangmin）" in str(refused.value) and "未保存" in str(refused.value)
    case = get_case(saved.case_no)
    assert case.summary == "反映单位拖欠工资四个月"  # the first edit stands
    assert case.facts.startswith("2026年6月至8月")  # the second did not overwrite anything
    assert case.version == opened + 1 and case.updated_by == "zhangmin"
    with session.acting_as(users.actor_of(users.get_user("zhaolei"))):  # reopened: accepted
        update_case(saved.case_no, {"facts": "2026年6月至9月工资未发放"}, "补充事实",
                    expected_version=case.version)
    assert get_case(saved.case_no).updated_by == "zhaolei"


def test_events_move_the_version_too(store):
    from xinfang_desk.core.cases.records import get_case, record_event, register_case
    from xinfang_desk.core.rules.workflow import EventData

    saved = register_case(intake(disposition="转送", unit="人力资源和社会保障局"), today=TODAY)
    before = get_case(saved.case_no).version
    record_event(saved.case_no, EventData("forwarded", dt.date(2026, 9, 22), ref="转1号"))
    assert get_case(saved.case_no).version == before + 1


def test_a_dropped_connection_is_said_in_chinese_and_the_retry_works(server):  # noqa: F811
    """The server goes away in the middle of a save: StorageError in Chinese, nothing half
    written; the next save connects again. (Between two saves peewee notices a dead connection
    itself and reconnects, so the clerk usually never sees this.)"""
    from playhouse.db_url import connect

    from xinfang_desk.core.cases.records import register_case
    from xinfang_desk.core.errors import StorageError
    from xinfang_desk.core.store.db import (
        CONNECTION_LOST,
        database,
        storage_errors,
        write_transaction,
    )
    from xinfang_desk.core.store.models import Case

    register_case(intake(), today=TODAY)
    with pytest.raises(StorageError) as lost, storage_errors(), write_transaction():
        (pid,) = database.obj.execute_sql("SELECT pg_backend_pid()").fetchone()
        other = connect(PG_URL)  # the server restarts, or the network drops this desk
        other.execute_sql("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        other.close()
        register_case(intake(summary="断线时保存"), today=TODAY)
    assert str(lost.value) == CONNECTION_LOST
    again = register_case(intake(summary="断线时保存"), today=TODAY)  # the clerk clicks again
    assert again.case_no.endswith("000002")
    assert Case.select().count() == 2


def test_a_server_schema_newer_than_the_program_is_refused_untouched(server, tmp_path):  # noqa: F811
    from xinfang_desk.core.errors import StorageError
    from xinfang_desk.core.store import server as srv
    from xinfang_desk.core.store import storage
    from xinfang_desk.core.store.db import database

    choice, _ = server
    database.obj.execute_sql("UPDATE meta SET value='99' WHERE key='schema_version'")
    storage.close()
    with pytest.raises(StorageError, match="更新版本"):
        srv.open_server(tmp_path / "other", choice)
    from playhouse.db_url import connect

    raw = connect(PG_URL)
    assert raw.execute_sql("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("99",)
    raw.close()


def test_id_number_written_on_the_server_is_read_back(server):  # noqa: F811
    from xinfang_desk.core.cases.records import get_case, petitioners_of, register_case

    saved = register_case(intake(), today=TODAY)
    assert petitioners_of(get_case(saved.case_no))[0][0].id_number == ID_WANG
