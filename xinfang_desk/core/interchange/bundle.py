"""The .zip interchange package: the JSON Lines file with each case's attachments.

Layout: `cases.jsonl` holds the same lines as a JSON Lines export, each case with one more
key, `attachments` (a list, possibly empty, in the case file's order: kind, title, file_name,
file_type, pages, size, sha256, added_by, added_at, and for a removed one removed_at,
removed_by, removed_reason); `files/<sha256>` holds each file's bytes once, however many
attachments use it. Export is deterministic (fixed timestamps inside the zip), so exporting,
importing into an empty data directory and exporting again gives the same bytes.

Export is a full export (leader only, as the JSON Lines one): an ID copy cannot be masked.
Only the cases the acting user may see are written, so a confidential case's papers go only
with it. A stored file that no longer matches its SHA-256 refuses the export by name.

Import is the JSON Lines import (all-or-nothing, nothing written on any problem) with the
attachments checked first: a file missing from the package, or whose bytes do not match its
SHA-256 (altered or damaged), or that is no kind of file we attach, is named (case number,
title, file name) and refuses the whole package. The type and page count are judged again
from the bytes. The attachments keep who added them and when; one `imported` audit row
records the counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinfang_desk.core import atomic, session
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.interchange import jsonl
from xinfang_desk.core.papers.attachments import MAX_TITLE, store_blob
from xinfang_desk.core.papers.kinds import PAPER_KINDS, UnknownKind, judge
from xinfang_desk.core.people.access import FULL_DATA
from xinfang_desk.core.rules.validators import displayable
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import storage_errors
from xinfang_desk.core.store.models import Attachment, Case, FileBlob

CASES_NAME = "cases.jsonl"
FILES_DIR = "files/"
SUFFIX = ".zip"
# Fixed member timestamps: the same cases and files always give the same package bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SHA_RE = re.compile(r"[0-9a-f]{64}")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ATTACHMENT_KEYS = ("kind", "title", "file_name", "file_type", "pages", "size", "sha256",
                   "added_by", "added_at", "removed_at", "removed_by", "removed_reason")


def is_package(path: Path | str) -> bool:
    """A file named *.zip is taken as an interchange package."""
    return Path(path).suffix.lower() == SUFFIX


def member_name(sha256: str) -> str:
    return f"{FILES_DIR}{sha256}"


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class PackageExport:
    cases: int
    attachments: int
    files: int


def _time(value: dt.datetime | None) -> str | None:
    return value.strftime(_TIME_FORMAT) if value else None


def _attachment_record(row: Attachment) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "kind": row.kind, "title": row.title, "file_name": row.file_name,
        "file_type": row.file_type, "pages": row.pages, "size": row.size,
        "sha256": row.blob_id, "added_by": row.added_by, "added_at": _time(row.added_at),
    }
    if row.removed_at is not None:
        rec.update(removed_at=_time(row.removed_at), removed_by=row.removed_by,
                   removed_reason=row.removed_reason)
    return rec


def _attachments_of(case_nos: list[str]) -> dict[str, list[Attachment]]:
    out: dict[str, list[Attachment]] = {no: [] for no in case_nos}
    for start in range(0, len(case_nos), 500):
        chunk = case_nos[start:start + 500]
        query = (Attachment.select(Attachment, Case.case_no).join(Case)
                 .where(Case.case_no.in_(chunk))
                 .order_by(Attachment.case, Attachment.position, Attachment.id))
        for row in query:
            out[row.case.case_no].append(row)
    return out


def _zip_info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def _checked_bytes(sha256: str, rows: list[tuple[str, Attachment]]) -> bytes:
    data = FileBlob.select(FileBlob.data).where(FileBlob.sha256 == sha256).scalar()
    data = bytes(data) if data is not None else b""
    if hashlib.sha256(data).hexdigest() != sha256:
        named = "、".join(f"事项 {no} 的附件“{row.title}”（{row.file_name}）" for no, row in rows)
        raise XinfangError(f"{named}的内容与登记时的校验值不符（文件已损坏），未导出；"
                           "请从备份恢复或联系管理员")
    return data


def export_package(path: Path | str, *, case_nos: list[str] | None = None) -> PackageExport:
    """Write the cases the acting user may see (or those numbered) with their attachments as
    a .zip package, atomically. A full export: needs `export` and access.FULL_DATA (a
    leader). Audited (exported, with the numbers of attachments and files)."""
    actor = session.require("export")
    if not actor.can(FULL_DATA):
        raise session.PermissionDenied(
            "带附件导出（含完整证件号码、电话和附件原件）须由负责人操作；"
            "附件中的身份证明等材料无法遮蔽。")
    path = Path(path)
    details: dict[str, Any] = {"count": 0, "masked": False, "target": path.name,
                               "selected": case_nos is not None, "attachments": 0, "files": 0}
    with audit.recorded("exported", "", details):
        with storage_errors():
            records = jsonl.case_records(case_nos)
            papers = _attachments_of([r["case_no"] for r in records])
        files: dict[str, list[tuple[str, Attachment]]] = {}
        lines = []
        for rec in records:
            rows = papers.get(rec["case_no"], [])
            rec[jsonl.ATTACHMENTS_KEY] = [_attachment_record(row) for row in rows]
            for row in rows:
                files.setdefault(row.blob_id, []).append((rec["case_no"], row))
            lines.append(jsonl.dumps_record(rec) + "\n")
        details.update(count=len(records), attachments=sum(len(r) for r in papers.values()),
                       files=len(files))
        with atomic.replacing(path) as tmp, zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr(_zip_info(CASES_NAME, zipfile.ZIP_DEFLATED), "".join(lines).encode())
            for sha256, rows in files.items():  # first use order: deterministic
                with storage_errors():
                    data = _checked_bytes(sha256, rows)
                zf.writestr(_zip_info(member_name(sha256), zipfile.ZIP_STORED), data)
    return PackageExport(cases=details["count"], attachments=details["attachments"],
                         files=details["files"])


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class _Paper:
    kind: str
    title: str
    file_name: str
    file_type: str
    pages: int
    size: int
    sha256: str
    added_by: str
    added_at: dt.datetime
    removed_at: dt.datetime | None
    removed_by: str
    removed_reason: str


def _text(item: dict, key: str, problems: list[str], *, required: bool = False,
          limit: int = 0) -> str:
    value = item.get(key)
    if value is None:
        if required:
            problems.append(f"缺少 {key}")
        return ""
    if not isinstance(value, str):
        problems.append(f"{key} 应为文字")
        return ""
    value = value.strip()
    if required and not value:
        problems.append(f"{key} 不能为空")
    if limit and len(value) > limit:
        problems.append(f"{key} 超过{limit}字")
    return value


def _when(item: dict, key: str, problems: list[str], *, required: bool = False
          ) -> dt.datetime | None:
    value = item.get(key)
    if value in (None, ""):
        if required:
            problems.append(f"缺少 {key}")
        return None
    try:
        return dt.datetime.strptime(str(value), _TIME_FORMAT)
    except ValueError:
        problems.append(f"{key} 应为 YYYY-MM-DD HH:MM:SS")
        return None


@dataclass
class _PackagePapers(jsonl.LineExtra):
    """The attachments of each line: checked against the package's files before anything is
    written, then stored with their case."""

    zf: zipfile.ZipFile
    keys: tuple[str, ...] = (jsonl.ATTACHMENTS_KEY,)
    pending: dict[int, list[_Paper]] = field(default_factory=dict)
    judged: dict[str, tuple[str, int] | str] = field(default_factory=dict)  # sha -> type or problem
    new_files: set[str] = field(default_factory=set)
    count: int = 0

    def _file(self, sha256: str, file_name: str) -> tuple[str, int] | str:
        """(type, pages) of the package's file, or why it cannot be taken (cached per file)."""
        if sha256 in self.judged:
            return self.judged[sha256]
        try:
            data = self.zf.read(member_name(sha256))
        except KeyError:
            result: tuple[str, int] | str = f"压缩包中缺少此文件（{member_name(sha256)}）"
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            result = "压缩包中的此文件已损坏，无法读出"
        else:
            if hashlib.sha256(data).hexdigest() != sha256:
                result = "文件内容与其校验值（sha256）不符，文件已被改动或损坏"
            else:
                try:
                    got = judge(data, file_name)
                    result = (got.file_type, got.pages)
                except UnknownKind as exc:
                    result = f"不是可以附加的文件：{exc}"
        self.judged[sha256] = result
        return result

    def check(self, line: int, obj: dict, errs) -> None:
        raw = obj.get(jsonl.ATTACHMENTS_KEY)
        if raw is None:
            return
        if not isinstance(raw, list):
            errs.add("attachments（附件）", "应为列表")
            return
        case_no = obj.get("case_no") if isinstance(obj.get("case_no"), str) else ""
        owner = f"事项 {case_no} 的" if case_no else "此事项的"
        papers: list[_Paper] = []
        for i, item in enumerate(raw):
            where = f"attachments[{i}]（附件）"
            if not isinstance(item, dict):
                errs.add(where, "应为对象（{…}）")
                continue
            problems: list[str] = []
            title = _text(item, "title", problems, required=True, limit=MAX_TITLE)
            file_name = _text(item, "file_name", problems, required=True, limit=255)
            name = displayable(f"{owner}附件“{title or '（无标题）'}”（{file_name or '无文件名'}）")
            kind = _text(item, "kind", problems, required=True)
            if kind and kind not in PAPER_KINDS:
                problems.append(f"类别“{kind}”应为{'、'.join(PAPER_KINDS)}之一")
            sha256 = _text(item, "sha256", problems, required=True).lower()
            if sha256 and not _SHA_RE.fullmatch(sha256):
                problems.append("sha256 应为64位十六进制校验值")
            size = item.get("size")
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                problems.append("size 应为正整数（字节数）")
            added_by = _text(item, "added_by", problems, limit=50)
            added_at = _when(item, "added_at", problems, required=True)
            removed_at = _when(item, "removed_at", problems)
            removed_by = _text(item, "removed_by", problems, limit=50)
            removed_reason = _text(item, "removed_reason", problems, limit=200)
            unknown = [k for k in item if k not in ATTACHMENT_KEYS]
            if unknown:
                problems.append(f"未知的键 {'、'.join(map(str, unknown))}")
            if not problems:
                found = self._file(sha256, file_name)
                if isinstance(found, str):
                    problems.append(found)
                elif size != self.zf.getinfo(member_name(sha256)).file_size:
                    problems.append(f"登记的大小 {size} 字节与文件的 "
                                    f"{self.zf.getinfo(member_name(sha256)).file_size} 字节不符")
            if problems:
                errs.add(where, displayable(f"{name}：{'；'.join(problems)}"))
                continue
            file_type, pages = found
            papers.append(_Paper(kind, title, file_name, file_type, pages, size, sha256,
                                 added_by, added_at, removed_at, removed_by, removed_reason))
        self.pending[line] = papers

    def write(self, line: int, case_id: int, case_no: str, report: jsonl.ImportReport) -> None:
        for position, paper in enumerate(self.pending.get(line, []), start=1):
            if not FileBlob.select().where(FileBlob.sha256 == paper.sha256).exists():
                data = self.zf.read(member_name(paper.sha256))
                if store_blob(data) != paper.sha256:  # checked before; the package is open
                    raise XinfangError(f"事项 {case_no} 的附件“{paper.title}”（{paper.file_name}）"
                                       "在导入过程中变化，未导入任何数据")
                self.new_files.add(paper.sha256)
            Attachment.create(
                case=case_id, blob=paper.sha256, kind=paper.kind, title=paper.title,
                file_name=paper.file_name, file_type=paper.file_type, pages=paper.pages,
                size=paper.size, added_by=paper.added_by, added_at=paper.added_at,
                position=position, removed_at=paper.removed_at, removed_by=paper.removed_by,
                removed_reason=paper.removed_reason)
            self.count += 1
        report.attachments = self.count

    def audit_details(self) -> dict[str, Any]:
        return {"attachments": self.count, "new_files": len(self.new_files)}


def import_package(path: Path | str, *, dry_run: bool = False, today: dt.date | None = None,
                   strict: bool = False) -> jsonl.ImportReport:
    """Import a .zip package (cases and their attachments) all-or-nothing; see the module doc.
    `report.attachments` counts the attachments taken."""
    session.require("register")
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise XinfangError(f"找不到文件{path}") from exc
    except IsADirectoryError as exc:
        raise XinfangError(f"{path}是文件夹，请指定要导入的 .zip 交换包") from exc
    except PermissionError as exc:
        raise XinfangError(f"没有权限读取文件{path}") from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise XinfangError(f"{path.name}不是有效的 zip 压缩包（文件不完整或已损坏），"
                           "未导入任何数据") from exc
    with zf:
        try:
            raw = zf.read(CASES_NAME)
        except KeyError:
            raise XinfangError(f"{path.name}中没有 {CASES_NAME}，不是信访事项交换包，"
                               "未导入任何数据") from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise XinfangError(f"{path.name}中的 {CASES_NAME} 已损坏，未导入任何数据") from exc
        lines = jsonl.read_lines(io.BytesIO(raw))
        return jsonl.import_lines(lines, path.name, dry_run=dry_run, today=today,
                                  strict=strict, extra=_PackagePapers(zf))
