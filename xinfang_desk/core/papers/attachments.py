"""Attaching files to a case, reading them back, removing them.

The bytes live in the database (models.FileBlob, one row per SHA-256): the same backups,
restore, server and retention purge cover them as the cases, and adding a file is one
transaction with its audit row, so a crash leaves no half-stored file and no orphan. Only
those who may see the case see its attachments; adding, viewing, exporting and removing are
audit rows; a removal is also a timeline event with its reason, and the file stays (shown as
removed) until the case itself is purged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from xinfang_desk.core import atomic, session
from xinfang_desk.core.cases.records import _record_event
from xinfang_desk.core.errors import FieldError, NotFoundError, XinfangError
from xinfang_desk.core.papers.kinds import PAPER_KINDS, Judged, UnknownKind, judge
from xinfang_desk.core.people.access import get_visible_case
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Attachment, Case, FileBlob

MAX_TITLE = 100


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    case_no: str
    kind: str
    title: str
    file_name: str
    file_type: str
    type_label: str
    pages: int
    size: int
    sha256: str
    added_by: str
    added_at: dt.datetime
    removed_at: dt.datetime | None = None
    removed_by: str = ""
    removed_reason: str = ""

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_image(self) -> bool:
        return Judged(self.file_type).is_image

    @property
    def size_text(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} MB"
        return f"{max(self.size // 1024, 1)} KB"


def _info(row: Attachment, case_no: str) -> AttachmentInfo:
    return AttachmentInfo(
        id=row.id, case_no=case_no, kind=row.kind, title=row.title, file_name=row.file_name,
        file_type=row.file_type, type_label=Judged(row.file_type).label, pages=row.pages,
        size=row.size, sha256=row.blob_id, added_by=row.added_by, added_at=row.added_at,
        removed_at=row.removed_at, removed_by=row.removed_by, removed_reason=row.removed_reason)


def max_bytes() -> int:
    return int(settings.get("attachment_max_mb")) * 1024 * 1024


def check_file(data: bytes, file_name: str) -> Judged:
    """Refuse what cannot be attached, with the reason in Chinese (before anything is written)."""
    name = Path(file_name).name or "文件"
    if not data:
        raise XinfangError(f"“{name}”是空文件（0 字节），未添加")
    limit = max_bytes()
    if len(data) > limit:
        raise XinfangError(f"“{name}”有 {len(data) / 1024 / 1024:.1f} MB，超过附件大小上限 "
                           f"{limit // 1024 // 1024} MB（可在设置中调整），未添加")
    try:
        return judge(data, name)
    except UnknownKind as exc:
        raise XinfangError(f"“{name}”{exc}，未添加") from None


def read_file(path: Path | str) -> bytes:
    """A file's bytes, with a Chinese reason if it cannot be read (and no read of a huge one)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes():
            raise XinfangError(f"“{path.name}”有 {size / 1024 / 1024:.1f} MB，超过附件大小上限 "
                               f"{max_bytes() // 1024 // 1024} MB（可在设置中调整），未添加")
        return path.read_bytes()
    except FileNotFoundError:
        raise XinfangError(f"找不到文件 {path}") from None
    except IsADirectoryError:
        raise XinfangError(f"{path} 是文件夹，不是文件") from None
    except PermissionError:
        raise XinfangError(f"无权读取文件 {path}") from None
    except OSError as exc:
        raise XinfangError(f"无法读取文件 {path}：{exc.strerror or exc}") from None


def _check_kind_title(kind: str, title: str, file_name: str) -> tuple[str, str]:
    if kind not in PAPER_KINDS:
        raise FieldError("附件类别", f"应为{'、'.join(PAPER_KINDS)}之一")
    title = (title or "").strip() or Path(file_name).stem.strip() or kind
    if len(title) > MAX_TITLE:
        raise FieldError("附件标题", f"不超过{MAX_TITLE}字")
    return kind, title


def store_blob(data: bytes) -> str:
    """Keep the bytes once (inside the caller's transaction); returns their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    if not FileBlob.select().where(FileBlob.sha256 == digest).exists():
        FileBlob.insert(sha256=digest, size=len(data), data=data).execute()
    return digest


def attach_in_transaction(case: Case, data: bytes, file_name: str, kind: str, title: str,
                          judged: Judged, who: str) -> Attachment:
    """The rows of one attachment (the caller holds the write transaction and has checked)."""
    digest = store_blob(data)
    last = (Attachment.select(Attachment.position).where(Attachment.case == case.id)
            .order_by(Attachment.position.desc()).limit(1).scalar())
    row = Attachment.create(
        case=case.id, blob=digest, kind=kind, title=title, file_name=Path(file_name).name[:255],
        file_type=judged.file_type, pages=judged.pages, size=len(data), added_by=who,
        position=(last or 0) + 1)
    audit.record("attachment_added", case.case_no, {
        "id": row.id, "kind": kind, "title": title, "file": row.file_name,
        "type": judged.file_type, "size": len(data), "sha256": digest})
    return row


def add_attachment(case_no: str, data: bytes, file_name: str, *, kind: str = "其他",
                   title: str = "") -> AttachmentInfo:
    """Attach `data` (the content of `file_name`) to a visible case; needs `register`."""
    actor = session.require("register")
    kind, title = _check_kind_title(kind, title, file_name)
    with storage_errors():
        judged = check_file(data, file_name)
        with write_transaction():
            case = get_visible_case(case_no)
            row = attach_in_transaction(case, data, file_name, kind, title, judged, actor.username)
            return _info(row, case.case_no)


def attach_path(case_no: str, path: Path | str, *, kind: str = "其他",
                title: str = "") -> AttachmentInfo:
    return add_attachment(case_no, read_file(path), Path(path).name, kind=kind, title=title)


def list_attachments(case_no: str, *, include_removed: bool = True) -> list[AttachmentInfo]:
    """The case's attachments in the case file's order (removed ones last, if asked for)."""
    with storage_errors():
        case = get_visible_case(case_no)
        query = Attachment.select().where(Attachment.case == case.id)
        if not include_removed:
            query = query.where(Attachment.removed_at.is_null())
        rows = sorted(query, key=lambda r: (r.removed_at is not None, r.position, r.id))
        return [_info(r, case.case_no) for r in rows]


def _visible_attachment(attachment_id: int) -> tuple[Attachment, Case]:
    row = Attachment.get_or_none(Attachment.id == attachment_id)
    if row is None:
        raise NotFoundError(f"没有编号为 {attachment_id} 的附件")
    case = Case.get_by_id(row.case_id)
    get_visible_case(case.case_no)  # PermissionDenied for a confidential case one may not see
    return row, case


def attachment_data(attachment_id: int, *, purpose: str = "view") -> tuple[AttachmentInfo, bytes]:
    """The bytes of an attachment one may see, audited as viewed (`purpose` "view") or as
    used for a printed case file ("dossier")."""
    actor = session.current()
    with storage_errors():
        row, case = _visible_attachment(attachment_id)
        data = FileBlob.get_by_id(row.blob_id).data
        data = bytes(data)
        if hashlib.sha256(data).hexdigest() != row.blob_id:
            raise XinfangError(f"附件“{row.title}”的内容与登记时的校验值不符（文件已损坏），"
                               "请从备份恢复或联系管理员")
        with write_transaction():
            audit.record("attachment_viewed", case.case_no, {
                "id": row.id, "title": row.title, "purpose": purpose}, actor=actor.username)
        return _info(row, case.case_no), data


def export_attachment(attachment_id: int, out: Path | str) -> Path:
    """Write an attachment to a file the clerk chose (atomically); audited as exported."""
    actor = session.current()
    with storage_errors():
        row, case = _visible_attachment(attachment_id)
        data = bytes(FileBlob.get_by_id(row.blob_id).data)
    out = Path(out)
    atomic.write_bytes(out, data)
    with storage_errors(), write_transaction():
        audit.record("attachment_exported", case.case_no, {
            "id": row.id, "title": row.title, "target": out.name}, actor=actor.username)
    return out


def remove_attachment(attachment_id: int, reason: str, *, on: dt.date | None = None) -> None:
    """Take an attachment out of the case file: a timeline event with the reason; the file
    stays in the database (shown as removed) until the case is purged. Needs `follow_up`."""
    session.require("follow_up")
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("移除原因", "请说明移除原因（记入办理过程）")
    if len(reason) > 200:
        raise FieldError("移除原因", "不超过200字")
    with storage_errors(), write_transaction():
        row, case = _visible_attachment(attachment_id)
        if row.removed_at is not None:
            raise XinfangError(f"附件“{row.title}”已于 {row.removed_at:%Y-%m-%d} 移除")
        who = session.current().username
        Attachment.update(removed_at=dt.datetime.now().replace(microsecond=0), removed_by=who,
                          removed_reason=reason).where(Attachment.id == row.id).execute()
        day = max(on or dt.date.today(), case.received_on)
        _record_event(case.case_no, EventData(type="attachment_removed", on=day,
                                              note=f"{row.title}：{reason}"[:500]),
                      audit_action="attachment_removed",
                      audit_extra={"attachment": row.id, "title": row.title})


def verify_blobs() -> list[str]:
    """Every stored file against its SHA-256: the titles of those that no longer match (for
    the database check)."""
    from xinfang_desk.core.store import check  # the database check's own (backup, server)

    with storage_errors():
        return check.damaged_titles(check.damaged_blobs())
