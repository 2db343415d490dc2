"""`migrate-to`: copy every table of a SQLite data directory into an empty PostgreSQL
database, then prove the copy.

The copy is one transaction on the server (a crash or a dropped connection leaves it empty, as
it was): the schema is created by the same migrations as any server, the tables they seeded
are emptied, and every row is copied with its own id, table by table in the order of the
foreign keys, in batches; the id sequences then continue after the highest id. The source is
only read. The proof reads both databases again afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import peewee

from xinfang_desk.core.errors import StorageError, XinfangError
from xinfang_desk.core.report.figures import monthly_figures, report_json
from xinfang_desk.core.store import audit, migrations
from xinfang_desk.core.store import server as srv
from xinfang_desk.core.store.db import database, storage_errors, write_transaction
from xinfang_desk.core.store.models import ALL_MODELS, AuditLog, Case, User
from xinfang_desk.core.store.storage import open_data_dir

BATCH = 5000
REPORT_MONTHS = 12


@dataclass
class TransferReport:
    source: str
    target: str
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (here, there)
    audit_source: str = ""
    audit_target: str = ""
    audit_ok: bool = False
    months: list[str] = field(default_factory=list)  # the report months compared
    report_differences: list[str] = field(default_factory=list)

    @property
    def counts_equal(self) -> bool:
        return all(a == b for a, b in self.counts.values())

    @property
    def ok(self) -> bool:
        return self.counts_equal and self.audit_ok and not self.report_differences

    def lines(self) -> list[str]:
        out = [f"已把 {self.source} 的全部数据复制到服务器 {self.target}。"]
        cases = self.counts.get(Case._meta.table_name, (0, 0))
        out.append(f"核对记录数：{len(self.counts)} 个表"
                   + ("全部相等" if self.counts_equal else "有不相等")
                   + f"（事项 {cases[0]} 件 → {cases[1]} 件）")
        for table, (a, b) in self.counts.items():
            if a != b:
                out.append(f"  表 {table}：本机 {a} 条，服务器 {b} 条")
        out.append(f"审计日志：本机 {self.audit_source}；服务器 {self.audit_target}")
        if self.months:
            out.append(f"统计报表（{self.months[0]} 至 {self.months[-1]}，逐月）："
                       + ("两边完全一致" if not self.report_differences
                          else "不一致：" + "；".join(self.report_differences)))
        out.append("迁移完成，核对通过。" if self.ok else "迁移后核对未通过，请勿启用服务器，保留本机数据并联系技术支持。")
        return out


def _check_target_empty(db: peewee.Database, label: str) -> None:
    if srv.is_empty(db):
        return
    tables = set(db.get_tables())
    with db.bind_ctx([Case, User, AuditLog], bind_refs=False, bind_backrefs=False):
        held = {model: model.select().count() for model in (Case, User, AuditLog)
                if model._meta.table_name in tables}
    if any(held.values()):
        raise XinfangError(
            f"服务器数据库 {label} 已有数据（事项 {held.get(Case, 0)} 件，用户 "
            f"{held.get(User, 0)} 个），为免覆盖，迁移只写入空数据库。"
            "请让管理员新建一个空数据库后再迁移。")


def _copy_table(model, src: peewee.Database, dst: peewee.Database) -> int:
    fields = model._meta.sorted_fields
    pk = model._meta.primary_key
    copied = 0
    last = None
    while True:
        with src.bind_ctx([model], bind_refs=False, bind_backrefs=False):
            query = model.select(*fields).order_by(pk).limit(BATCH)
            if last is not None:
                query = query.where(pk > last)
            rows = list(query.tuples())
        if not rows:
            return copied
        _write_rows(dst, model, fields, rows)
        copied += len(rows)
        last = rows[-1][fields.index(pk)]


def _write_rows(dst: peewee.Database, model, fields, rows: list[tuple]) -> None:
    """COPY … FROM STDIN: about 20 times faster than INSERTs, which matters for an office
    with a million cases (the values go through the fields' own conversion first)."""
    table = f'"{model._meta.table_name}"'
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    converters = [f.db_value for f in fields]
    cursor = dst.cursor()
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([convert(value) for convert, value in zip(converters, row, strict=True)])


def _reset_sequences(dst: peewee.Database) -> None:
    for model in ALL_MODELS:
        pk = model._meta.primary_key
        if isinstance(pk, peewee.AutoField):
            table, column = f'"{model._meta.table_name}"', f'"{pk.column_name}"'
            dst.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk.column_name}'), "
                f"COALESCE((SELECT MAX({column}) FROM {table}), 1), "
                f"(SELECT MAX({column}) FROM {table}) IS NOT NULL)")


def _counts(db: peewee.Database) -> dict[str, int]:
    with db.bind_ctx(ALL_MODELS, bind_refs=False, bind_backrefs=False):
        return {m._meta.table_name: m.select().count() for m in ALL_MODELS}


def _last_months(today: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    months = []
    first = today.replace(day=1)
    for _ in range(n):
        end = first - dt.timedelta(days=1)
        first = end.replace(day=1)
        months.append((first, end))
    return list(reversed(months))


def _reports(today: dt.date) -> list[str]:
    """The JSON text of the last months' reports, as the bound database gives them."""
    return [json.dumps(report_json(monthly_figures(a, b, today=today)), ensure_ascii=False,
                       sort_keys=True, default=str) for a, b in _last_months(today, REPORT_MONTHS)]


def _audit_line(result) -> str:
    return result.message


def copy_to_server(source_root: Path, choice: srv.ServerChoice, *, today: dt.date | None = None,
                   progress: Callable[[str], None] | None = None) -> TransferReport:
    """Copy the data directory at `source_root` into the empty server database `choice`, then
    prove it (see the module doc). Leaves the models bound to the server."""
    today = today or dt.date.today()
    say = progress or (lambda _text: None)
    open_data_dir(Path(source_root))
    src = database.obj
    report = TransferReport(source=str(source_root), target=choice.label)
    dst = srv.make_database(choice)
    try:
        dst.connect()
    except peewee.PeeweeException as exc:
        raise srv._connect_error(exc, choice) from exc
    _check_target_empty(dst, choice.label)

    source_head = audit.verify()
    report.audit_source = _audit_line(source_head)
    if not source_head.ok:
        raise XinfangError("本机审计日志校验未通过，未迁移：" + source_head.message)
    source_reports = _reports(today)

    database.initialize(dst)
    with storage_errors():
        migrations.migrate(None, None)
        say("已在服务器上建立数据结构")
        with write_transaction():
            tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
            dst.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            for model in peewee.sort_models(ALL_MODELS):
                n = _copy_table(model, src, dst)
                say(f"已复制 {model._meta.table_name}：{n} 条")
            _reset_sequences(dst)
    # Planner statistics now, not when autovacuum gets round to it: right after a copy the
    # server's plans are blind (a 3-character search 140 ms instead of 22 on 10,000 cases).
    with storage_errors():
        dst.execute_sql("ANALYZE")
    src_counts = _counts(src)
    dst_counts = _counts(dst)
    report.counts = {t: (src_counts[t], dst_counts.get(t, -1)) for t in src_counts}
    with storage_errors():
        target_head = audit.verify(known_head=source_head.head)
    report.audit_target = _audit_line(target_head)
    report.audit_ok = target_head.ok and target_head.head == source_head.head
    with storage_errors():
        target_reports = _reports(today)
    months = _last_months(today, REPORT_MONTHS)
    report.months = [f"{a:%Y-%m}" for a, _ in months]
    report.report_differences = [f"{a:%Y-%m}" for (a, _), x, y
                                 in zip(months, source_reports, target_reports, strict=True) if x != y]
    src.close()
    if not report.ok:
        raise StorageError("\n".join(report.lines()))
    return report
