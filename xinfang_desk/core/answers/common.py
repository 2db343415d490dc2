"""Plain data of the approved-answer library (答复口径库) and the small helpers every part of
it shares: one version as `AnswerText`, the split of keyword and field lists, the Chinese date.

Kept apart from core.answers.library so that the fill, suggest, policy and interchange modules can
use them without importing each other in a circle."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.rules.validators import check_text
from xinfang_desk.core.store.models import AnswerVersion

DRAFT, APPROVED, RETIRED = "draft", "approved", "retired"
STATUS_LABELS = {DRAFT: "草稿", APPROVED: "已审定", RETIRED: "已停用"}
PURPOSES = {"on_spot": "当场答复", "reply": "书面答复"}
PRESET_APPROVER = "系统预置"
MAX_TITLE = 100
MAX_BASIS = 100

# Keywords may be typed one a line or separated by 、，, ; and spaces.
_KEYWORD_SPLIT = re.compile(r"[\n\r\t 　、，,；;]+")


@dataclass(frozen=True)
class AnswerText:
    """One version of an answer, as plain data (safe to hand to the GUI thread)."""

    version_id: int
    answer_id: int
    version: int
    title: str
    fields: tuple[str, ...]
    keywords: tuple[str, ...]
    body: str
    basis_name: str
    basis_article: str
    basis_date: dt.date | None
    status: str
    status_label: str
    drafted_by: str
    drafted_at: dt.datetime
    approved_by: str
    approved_at: dt.datetime | None
    note: str

    @property
    def basis(self) -> str:
        """"《信访工作条例》第三十五条（2022-05-01）", or "" when no basis is recorded."""
        text = f"{self.basis_name}{self.basis_article}".strip()
        if not text:
            return ""
        return f"{text}（{self.basis_date:%Y-%m-%d}）" if self.basis_date else text


@dataclass(frozen=True)
class AnswerDraft:
    """What the editor sends to save_draft."""

    title: str
    body: str
    fields: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    basis_name: str = ""
    basis_article: str = ""
    basis_date: dt.date | None = None
    note: str = ""


def split_keywords(values) -> tuple[str, ...]:
    """Keywords from a list or a text, trimmed, without blanks and duplicates, order kept."""
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values or ():
        for word in _KEYWORD_SPLIT.split(str(value)):
            word = word.strip()
            if word and word not in out:
                out.append(word)
    return tuple(out)


def split_fields(values) -> tuple[str, ...]:
    """Taxonomy paths "一级" or "一级/二级" from a list or a text (one a line), normalised."""
    if isinstance(values, str):
        values = values.splitlines()
    out: list[str] = []
    for value in values or ():
        parts = [p.strip() for p in str(value).strip().strip("/").split("/") if p.strip()]
        path = "/".join(parts)
        if path and path not in out:
            out.append(path)
    return tuple(out)


def to_text(row: AnswerVersion) -> AnswerText:
    return AnswerText(
        version_id=row.id, answer_id=row.answer_id, version=row.version, title=row.title,
        fields=split_fields(row.fields), keywords=split_keywords(row.keywords.split("\n")),
        body=row.body, basis_name=row.basis_name, basis_article=row.basis_article,
        basis_date=row.basis_date, status=row.status,
        status_label=STATUS_LABELS.get(row.status, row.status), drafted_by=row.drafted_by,
        drafted_at=row.drafted_at, approved_by=row.approved_by, approved_at=row.approved_at,
        note=row.note)


def cn_date(day: dt.date | None) -> str:
    """"2026年11月29日" (the form official letters use), or "" for no date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def checked_draft(draft: AnswerDraft, *, where: str = "") -> AnswerDraft:
    """The draft with its texts trimmed and normalised; FieldError (Chinese, prefixed by `where`,
    e.g. "第3条") when the title or body is missing, too long or holds unsavable characters."""
    def label(name: str) -> str:
        return f"{where}{name}"

    for name, value in (("标题", draft.title), ("正文", draft.body), ("依据名称", draft.basis_name),
                        ("依据条款", draft.basis_article), ("说明", draft.note)):
        if not isinstance(value, str):
            raise FieldError(label(name), "应为文字")
        check_text(value, label(name))
    title = " ".join(draft.title.split())
    if not title:
        raise FieldError(label("标题"), "不能为空")
    if len(title) > MAX_TITLE:
        raise FieldError(label("标题"), f"不超过{MAX_TITLE}字")
    body = draft.body.strip()
    if not body:
        raise FieldError(label("正文"), "不能为空")
    for name, value in (("依据名称", draft.basis_name), ("依据条款", draft.basis_article)):
        if len(value.strip()) > MAX_BASIS:
            raise FieldError(label(name), f"不超过{MAX_BASIS}字")
    if draft.basis_date is not None and not isinstance(draft.basis_date, dt.date):
        raise FieldError(label("依据日期"), "应为日期")
    fields = split_fields(draft.fields)
    keywords = split_keywords(draft.keywords)
    for text in fields + keywords:
        check_text(text, label("领域或关键词"))
    for path in fields:
        if len(path.split("/")) > 2:
            raise FieldError(label("适用领域"), f"“{path}”超过两级")
    return AnswerDraft(title=title, body=body, fields=fields, keywords=keywords,
                       basis_name=draft.basis_name.strip(),
                       basis_article=draft.basis_article.strip(),
                       basis_date=draft.basis_date, note=draft.note.strip())


def same_text(row: AnswerVersion, draft: AnswerDraft) -> bool:
    """Whether a stored version says exactly what the (checked) draft says."""
    return (row.title == draft.title and row.body == draft.body
            and split_fields(row.fields) == draft.fields
            and split_keywords(row.keywords.split("\n")) == draft.keywords
            and row.basis_name == draft.basis_name and row.basis_article == draft.basis_article
            and row.basis_date == draft.basis_date and row.note == draft.note)
