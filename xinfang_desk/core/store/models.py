"""The peewee models. Portable: nothing here is SQLite-only (FTS lives in the migrations)."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from xinfang_desk.core.errors import NotFoundError
from xinfang_desk.core.store.db import database


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


class Meta(BaseModel):
    """Key/value facts about the database itself (schema version)."""

    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()


class Setting(BaseModel):
    """Office settings; values are JSON text, typed in core.store.settings."""

    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()


class Unit(BaseModel):
    """A department or organ a matter can be forwarded or assigned to (承办单位)."""

    name = pw.CharField(unique=True, max_length=100)
    phone = pw.CharField(default="", max_length=40)
    active = pw.BooleanField(default=True)


class Field(BaseModel):
    """The editable two-level taxonomy of fields (涉及领域)."""

    name = pw.CharField(max_length=50)
    parent = pw.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    default_unit = pw.ForeignKeyField(Unit, null=True, on_delete="SET NULL")
    sort_order = pw.IntegerField(default=0)
    active = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("parent", "name"), True),)

    @property
    def path(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name


class Petitioner(BaseModel):
    """A person or organisation who petitions. One row per person known by ID number."""

    kind = pw.CharField(default="个人", max_length=4)
    name = pw.CharField(max_length=100, index=True)
    doc_type = pw.CharField(default="无", max_length=8)
    id_number = pw.CharField(null=True, max_length=40, index=True)
    sex = pw.CharField(null=True, max_length=2)
    birth_date = pw.DateField(null=True)
    phone = pw.CharField(default="", max_length=40, index=True)
    phone_alt = pw.CharField(default="", max_length=40, index=True)
    address = pw.CharField(default="", max_length=200)
    created_at = pw.DateTimeField(default=_now)


class Case(BaseModel):
    """A petition matter (信访事项). Status is derived from the event timeline and cached here."""

    case_no = pw.CharField(unique=True, max_length=32)
    query_code = pw.CharField(unique=True, max_length=8)
    received_on = pw.DateField(index=True)
    channel = pw.CharField(max_length=8, index=True)
    channel_ref = pw.CharField(default="", max_length=100)
    category = pw.CharField(max_length=8, index=True)
    field = pw.ForeignKeyField(Field, null=True, on_delete="RESTRICT", index=True)
    people_count = pw.IntegerField(default=1)
    reps_present = pw.IntegerField(default=1)
    summary = pw.CharField(max_length=200)
    request = pw.TextField(default="")
    facts = pw.TextField(default="")
    reasons = pw.TextField(default="")
    disposition = pw.CharField(max_length=8, index=True)
    answer_given = pw.TextField(default="")
    unit = pw.ForeignKeyField(Unit, null=True, on_delete="RESTRICT", index=True)
    promised_reply_on = pw.DateField(null=True)
    reject_reason = pw.TextField(default="")
    approach_body = pw.CharField(default="", max_length=200)
    accepted_on = pw.DateField(null=True)
    confidential = pw.BooleanField(default=False, index=True)
    status = pw.CharField(max_length=16, index=True)
    clerk = pw.CharField(default="", max_length=50)
    # Names + matter text in one column: the substring index is built on it.
    search_text = pw.TextField(default="")
    # What a historical record brought that has no field of its own (the ledger's other
    # columns, its old number, repeats noticed on import), one "label：value" a line (v7).
    notes = pw.TextField(default="", constraints=[pw.SQL("DEFAULT ''")])
    # The narrative fields today's intake requires that a historical record lacked, e.g.
    # "事实、答复内容" (v7); empty for every case registered at the desk.
    history_gaps = pw.CharField(default="", max_length=200, constraints=[pw.SQL("DEFAULT ''")])
    created_at = pw.DateTimeField(default=_now)
    updated_at = pw.DateTimeField(default=_now)
    # Bumped by every change to the case (v8): a desk that opened version N and saves after
    # another desk saved N+1 is refused, naming `updated_by` and `updated_at`.
    version = pw.IntegerField(default=1, constraints=[pw.SQL("DEFAULT 1")])
    updated_by = pw.CharField(default="", max_length=50, constraints=[pw.SQL("DEFAULT ''")])

    class Meta:
        table_name = "xf_case"  # "case" is an SQL keyword

    @classmethod
    def changed_by(cls, who: str) -> dict:
        """What every change to a case sets besides the change itself: when, by whom, and the
        next version (computed by the database, so it can never go backwards)."""
        return {cls.updated_at: _now(), cls.updated_by: (who or "")[:50],
                cls.version: cls.version + 1}

    @classmethod
    def by_number(cls, case_no: str) -> Case:
        """The case numbered `case_no`; NotFoundError (in Chinese) if there is none."""
        case = cls.get_or_none(cls.case_no == (case_no or "").strip())
        if case is None:
            raise NotFoundError(f"没有编号为{case_no}的信访事项")
        return case


class CasePetitioner(BaseModel):
    """Who petitions in a case (many for a group visit), in the order recorded."""

    case = pw.ForeignKeyField(Case, backref="links", on_delete="CASCADE")
    petitioner = pw.ForeignKeyField(Petitioner, backref="links", on_delete="RESTRICT")
    position = pw.IntegerField(default=0)
    is_representative = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("case", "petitioner"), True),)


class CaseEvent(BaseModel):
    """One entry of a case's append-only timeline."""

    case = pw.ForeignKeyField(Case, backref="events", on_delete="CASCADE")
    type = pw.CharField(max_length=24)
    on = pw.DateField()
    unit = pw.ForeignKeyField(Unit, null=True, on_delete="RESTRICT")
    ref = pw.CharField(default="", max_length=100)
    deadline = pw.DateField(null=True)
    days = pw.IntegerField(null=True)
    reason = pw.TextField(default="")
    approver = pw.CharField(default="", max_length=50)
    outcome = pw.CharField(default="", max_length=8)
    rating = pw.CharField(default="", max_length=8)
    note = pw.TextField(default="")
    actor = pw.CharField(default="", max_length=50)
    created_at = pw.DateTimeField(default=_now)

    class Meta:
        indexes = ((("case", "type"), False),)


class CaseCounter(BaseModel):
    """The last case sequence number used per year."""

    year = pw.IntegerField(primary_key=True)
    last = pw.IntegerField(default=0)


class CalendarDay(BaseModel):
    """A day that breaks the Monday–Friday rule: a holiday, or a 调休 working weekend day."""

    day = pw.DateField(primary_key=True)
    kind = pw.CharField(max_length=8)  # "holiday" | "workday"
    name = pw.CharField(default="", max_length=50)


class CalendarYear(BaseModel):
    """Which years the calendar has data for, and how sure that data is."""

    year = pw.IntegerField(primary_key=True)
    status = pw.CharField(max_length=12)  # "official" | "provisional"
    source = pw.CharField(default="", max_length=100)


class User(BaseModel):
    """A person who signs in: 接待员 (clerk), 负责人 (leader) or 管理员 (admin).

    `username` is what is recorded on cases, events and audit rows (a person's name is fine).
    The password is kept only as a salted slow hash (core.people.users)."""

    username = pw.CharField(unique=True, max_length=50)
    display_name = pw.CharField(default="", max_length=50)
    role = pw.CharField(max_length=8)  # "clerk" | "leader" | "admin"
    password_hash = pw.CharField(max_length=255)
    active = pw.BooleanField(default=True)
    failed_logins = pw.IntegerField(default=0)
    locked_until = pw.DateTimeField(null=True)
    password_changed_at = pw.DateTimeField(default=_now)
    created_at = pw.DateTimeField(default=_now)


class CaseAccess(BaseModel):
    """A user named on a confidential case, who may see it besides its clerk and the leaders."""

    case = pw.ForeignKeyField(Case, backref="access", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, backref="case_access", on_delete="CASCADE")

    class Meta:
        indexes = ((("case", "user"), True),)


class AuditLog(BaseModel):
    """The append-only audit trail. Each row's `hash` covers its content and the previous row's
    hash (core.store.audit); triggers refuse UPDATE and DELETE. No foreign keys on purpose: audit rows
    outlive the cases and users they name (retention purges)."""

    id = pw.IntegerField(primary_key=True)  # assigned by core.store.audit: last + 1, hashed
    at = pw.CharField(max_length=19)  # YYYY-MM-DD HH:MM:SS local time, exactly as hashed
    actor = pw.CharField(max_length=50)
    action = pw.CharField(max_length=32, index=True)
    object = pw.CharField(default="", max_length=64, index=True)  # e.g. case number, username
    success = pw.BooleanField(default=True)
    details = pw.TextField(default="")  # canonical JSON; never a full ID number
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)




class Answer(BaseModel):
    """The stable identity of one approved answer (答复口径); its texts are AnswerVersions, so a
    case that used version 1 still shows version 1 after version 2 is approved."""

    created_at = pw.DateTimeField(default=_now)


class AnswerVersion(BaseModel):
    """One text of an Answer. At most one approved and one draft version per Answer
    (core.answers.library enforces it); older approved ones become retired, never deleted."""

    answer = pw.ForeignKeyField(Answer, backref="versions", on_delete="CASCADE")
    version = pw.IntegerField()
    title = pw.CharField(max_length=100)
    fields = pw.TextField(default="")  # taxonomy paths, one per line; empty: any field
    keywords = pw.TextField(default="")  # one per line
    body = pw.TextField(default="")  # with {placeholders}
    basis_name = pw.CharField(default="", max_length=100)
    basis_article = pw.CharField(default="", max_length=100)
    basis_date = pw.DateField(null=True)
    status = pw.CharField(max_length=8, index=True)  # "draft" | "approved" | "retired"
    drafted_by = pw.CharField(default="", max_length=50)
    drafted_at = pw.DateTimeField(default=_now)
    approved_by = pw.CharField(default="", max_length=50)
    approved_at = pw.DateTimeField(null=True)
    note = pw.TextField(default="")

    class Meta:
        indexes = ((("answer", "version"), True),)


class PolicyDoc(BaseModel):
    """A policy or regulation answers rest on (政策依据)."""

    name = pw.CharField(unique=True, max_length=100)
    issuer = pw.CharField(default="", max_length=100)
    doc_no = pw.CharField(default="", max_length=100)
    issued_on = pw.DateField(null=True)
    effective_on = pw.DateField(null=True)
    note = pw.TextField(default="")


class PolicyArticle(BaseModel):
    """One article of a PolicyDoc: its verbatim text (原文) or the office's summary (要点)."""

    doc = pw.ForeignKeyField(PolicyDoc, backref="articles", on_delete="CASCADE")
    article = pw.CharField(max_length=50)
    sort_order = pw.IntegerField(default=0)
    text = pw.TextField(default="")
    text_kind = pw.CharField(default="原文", max_length=4)  # "原文" | "要点"

    class Meta:
        indexes = ((("doc", "article"), True),)


class CaseAnswer(BaseModel):
    """Which answer version a case used, and for what (on the spot, or the reply)."""

    case = pw.ForeignKeyField(Case, backref="answers_used", on_delete="CASCADE", index=True)
    version = pw.ForeignKeyField(AnswerVersion, on_delete="RESTRICT")
    purpose = pw.CharField(max_length=8)  # "on_spot" | "reply"
    used_at = pw.DateTimeField(default=_now)
    actor = pw.CharField(default="", max_length=50)


class FileBlob(BaseModel):
    """The bytes of an attached file, stored once per content (SHA-256), in the database itself
    (v10): backups, restore, the server and transactions cover them with the cases, and a
    failed attach leaves nothing behind. Kept while any attachment, removed or not, uses it."""

    sha256 = pw.CharField(primary_key=True, max_length=64)
    size = pw.IntegerField()
    data = pw.BlobField()


class Attachment(BaseModel):
    """A paper of a matter (来信原件、证据材料、答复文书 …): which file, what it is, who added it.
    Removing one is a timeline event with a reason; the row and the bytes stay until the case
    is purged under the retention rules."""

    case = pw.ForeignKeyField(Case, backref="attachments", on_delete="CASCADE")
    blob = pw.ForeignKeyField(FileBlob, backref="attachments")  # blob_id: the SHA-256
    kind = pw.CharField(max_length=16)  # 来信原件 / 身份证明 / 证据材料 / 答复文书 / 反馈材料 / 其他
    title = pw.CharField(max_length=100)
    file_name = pw.CharField(max_length=255)
    file_type = pw.CharField(max_length=16)  # judged from the content: jpeg png tiff pdf docx …
    pages = pw.IntegerField(default=1)  # pages of a PDF or a multi-page TIFF
    size = pw.IntegerField()
    added_by = pw.CharField(max_length=50)
    added_at = pw.DateTimeField(default=_now)
    position = pw.IntegerField(default=0)  # the order in the case file
    removed_at = pw.DateTimeField(null=True)
    removed_by = pw.CharField(default="", max_length=50)
    removed_reason = pw.CharField(default="", max_length=200)


ALL_MODELS = [Meta, Setting, Unit, Field, Petitioner, Case, CasePetitioner, CaseEvent,
              CaseCounter, CalendarDay, CalendarYear, User, CaseAccess, AuditLog,
              Answer, AnswerVersion, PolicyDoc, PolicyArticle, CaseAnswer, FileBlob, Attachment]
ATTACHMENT_MODELS = [FileBlob, Attachment]
# The tables the first schema version created; later versions add theirs in migrations.
V1_MODELS = ALL_MODELS[:11]
ANSWER_MODELS = [Answer, AnswerVersion, PolicyDoc, PolicyArticle, CaseAnswer]
