"""The intake desk's service: save a new intake (with its forwarding), record a repeat visit,
and the plain data the intake form needs. Qt-free; the GUI calls these on its worker thread."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from xinfang_desk.core import session
from xinfang_desk.core.answers.library import check_usable, write_use
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.cases import taxonomy
from xinfang_desk.core.cases.records import CaseInput, Saved
from xinfang_desk.core.cases.taxonomy import FieldNode
from xinfang_desk.core.deadlines.engine import default_promised_reply
from xinfang_desk.core.papers.attachments import (
    _check_kind_title,
    attach_in_transaction,
    check_file,
)
from xinfang_desk.core.papers.kinds import Judged
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Case

# Dispositions whose forwarding happens at the desk, and the event that records it.
FORWARD_EVENTS = {"转送": "forwarded", "交办": "assigned"}


@dataclass(frozen=True)
class NewAttachment:
    """A file to attach with the intake (its bytes read by the caller)."""

    data: bytes
    file_name: str
    kind: str = "其他"
    title: str = ""


@dataclass(frozen=True)
class IntakeChoices:
    """Everything the intake form's pick lists need, as plain data."""

    channels: tuple[str, ...]
    categories: tuple[str, ...]
    dispositions: tuple[str, ...]
    doc_types: tuple[str, ...]
    units: tuple[str, ...]
    fields: tuple[FieldNode, ...]
    field_paths: tuple[tuple[str, str], ...]  # ("一级/二级", default unit name or "")
    group_threshold: int


def intake_choices() -> IntakeChoices:
    with storage_errors():
        tree = taxonomy.field_tree()
        units = taxonomy.list_units()
        threshold = settings.get("group_threshold")
    paths: list[tuple[str, str]] = []
    for top in tree:
        paths.append((top.path, top.default_unit))
        paths.extend((child.path, child.default_unit or top.default_unit) for child in top.children)
    return IntakeChoices(
        channels=v.CHANNELS, categories=v.CATEGORIES, dispositions=v.DISPOSITIONS,
        doc_types=v.DOC_TYPES, units=tuple(units), fields=tuple(tree),
        field_paths=tuple(paths), group_threshold=int(threshold),
    )


def _checked(attachments) -> list[tuple[NewAttachment, str, str, Judged]]:
    """Every file judged before anything is written: the first refusal refuses the save."""
    checked = []
    for a in attachments or ():
        kind, title = _check_kind_title(a.kind, a.title, a.file_name)
        checked.append((a, kind, title, check_file(a.data, a.file_name)))
    return checked


def save_intake(data: CaseInput, *, answer_version_id: int | None = None,
                today: dt.date | None = None,
                attachments: list[NewAttachment] | None = None) -> Saved:
    """Register the case; for 转送/交办 also record the forwarding the same day; with
    `answer_version_id`, record the approved answer (答复口径) the on-the-spot answer came from;
    with `attachments`, attach the files the visitor brought (each checked first: a refused
    file refuses the whole save, with its reason).

    Every write shares one transaction (peewee nests them as savepoints), so a refused event,
    a retired answer or a refused file leaves no case behind: the clerk never finds a
    half-saved intake."""
    today = today or dt.date.today()
    event_type = FORWARD_EVENTS.get(data.disposition)
    with storage_errors():
        checked = _checked(attachments)
    with storage_errors(), write_transaction():
        used = check_usable(answer_version_id) if answer_version_id is not None else None
        if data.promised_reply_on is None and isinstance(data.received_on, dt.date):
            # The clerk did not set a date: the statutory one goes on the receipt.
            data = dataclasses.replace(data, promised_reply_on=default_promised_reply(
                data.received_on, data.disposition, data.accepted_on))
        saved = cases.register_case(data, today=today)
        if used is not None:
            clerk = data.clerk.strip() or session.current().username
            write_use(Case.get_by_id(saved.id), used, "on_spot", clerk)
        if checked:
            case = Case.get_by_id(saved.id)
            who = session.current().username
            for a, kind, title, judged in checked:
                attach_in_transaction(case, a.data, a.file_name, kind, title, judged, who)
        if event_type is None:
            return saved
        # The forwarding is done now, at the desk; it cannot predate the receipt.
        on = max(today, data.received_on)
        state = cases.record_event(
            saved.case_no, EventData(type=event_type, on=on, unit=data.unit.strip()),
            actor=data.clerk)
        return dataclasses.replace(saved, status=state.status)


def record_repeat_visit(case_no: str, on: dt.date, note: str = "", actor: str = "") -> str:
    """The visitor came again about an existing matter: a `visit` event, not a new case.
    Returns the new status code of the case."""
    state = cases.record_event(case_no, EventData(type="visit", on=on, note=note.strip()),
                               actor=actor)
    return state.status


def suggest_promised_reply(received_on: dt.date, disposition: str) -> dt.date | None:
    """The reply date to agree with the visitor (the statutory limit), or None."""
    with storage_errors():
        return default_promised_reply(received_on, disposition)
