"""The answer library as a file, so that a county bureau can hand its approved answers and
policy references to the offices below it.

Format (JSON, UTF-8): {"format": "xinfang-desk-answers", "version": 1, "exported_at", "office",
"answers": [{title, fields, keywords, body, basis_name, basis_article, basis_date, status,
version, approved_by, approved_at, note}], "policies": [{name, issuer, doc_no, issued_on,
effective_on, note, articles: [{article, text, text_kind}]}]}.

Import is all-or-nothing: the whole file is checked first, a broken entry is named in Chinese,
then everything is written in one transaction. Answers are matched by title: an identical one
is unchanged, a different text becomes a new version (approved when the file says so and the
importer may approve, else a draft)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from xinfang_desk.core import atomic, session
from xinfang_desk.core.answers.common import (
    APPROVED,
    DRAFT,
    RETIRED,
    AnswerDraft,
    checked_draft,
    same_text,
    split_fields,
    split_keywords,
)
from xinfang_desk.core.answers.library import approve_row, write_draft
from xinfang_desk.core.answers.policy import check_article, upsert_article
from xinfang_desk.core.errors import FieldError, XinfangError
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Answer, AnswerVersion, PolicyArticle, PolicyDoc

FORMAT = "xinfang-desk-answers"
FORMAT_VERSION = 1
IMPORTED_APPROVER = "（导入）"


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    policies: int
    messages: tuple[str, ...]

    def summary(self) -> str:
        return (f"新增口径 {self.added} 条，更新 {self.updated} 条，未变 {self.unchanged} 条；"
                f"政策条文新增或更新 {self.policies} 条")


def _iso(value) -> str:
    if value is None:
        return ""
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()


# --------------------------------------------------------------------------- export

def _answer_entries() -> list[dict]:
    """Per Answer its approved version, then its open draft (an answer wholly retired is not
    handed on), by title."""
    rows = list(AnswerVersion.select().where(AnswerVersion.status != RETIRED)
                .order_by(AnswerVersion.answer, AnswerVersion.version))
    by_answer: dict[int, list[AnswerVersion]] = {}
    for r in rows:
        by_answer.setdefault(r.answer_id, []).append(r)
    groups = sorted(by_answer.values(),
                    key=lambda g: (next((r.title for r in g if r.status == APPROVED), g[0].title),
                                   g[0].answer_id))
    out = []
    for group in groups:
        for r in sorted(group, key=lambda r: (r.status != APPROVED, r.version)):
            out.append({
                "title": r.title, "fields": list(split_fields(r.fields)),
                "keywords": list(split_keywords(r.keywords.split("\n"))), "body": r.body,
                "basis_name": r.basis_name, "basis_article": r.basis_article,
                "basis_date": _iso(r.basis_date), "status": r.status, "version": r.version,
                "approved_by": r.approved_by, "approved_at": _iso(r.approved_at), "note": r.note,
            })
    return out


def _policy_entries() -> list[dict]:
    out = []
    for doc in PolicyDoc.select().order_by(PolicyDoc.name):
        arts = (PolicyArticle.select().where(PolicyArticle.doc == doc)
                .order_by(PolicyArticle.sort_order, PolicyArticle.id))
        out.append({
            "name": doc.name, "issuer": doc.issuer, "doc_no": doc.doc_no,
            "issued_on": _iso(doc.issued_on), "effective_on": _iso(doc.effective_on),
            "note": doc.note,
            "articles": [{"article": a.article, "text": a.text, "text_kind": a.text_kind}
                         for a in arts],
        })
    return out


def export_library(path: Path) -> int:
    """Write the approved answers, open drafts and policy references to `path` (atomically:
    the old file stays whole if anything fails). Returns the number of answer entries."""
    session.require("export")
    with storage_errors():
        data = {
            "format": FORMAT, "version": FORMAT_VERSION,
            "exported_at": _iso(dt.datetime.now().replace(microsecond=0)),
            "office": settings.get("office_name"),
            "answers": _answer_entries(), "policies": _policy_entries(),
        }
    atomic.write_text(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    with storage_errors(), write_transaction():
        audit.record("answers_exported", "", {"answers": len(data["answers"]),
                                              "file": Path(path).name})
    return len(data["answers"])


# --------------------------------------------------------------------------- reading a file

@dataclass(frozen=True)
class _Entry:
    draft: AnswerDraft
    status: str
    approved_by: str
    approved_at: dt.datetime | None


@dataclass(frozen=True)
class _Article:
    doc_name: str
    issuer: str
    doc_no: str
    issued_on: dt.date | None
    effective_on: dt.date | None
    note: str
    article: str
    text: str
    text_kind: str


def _read(path: Path) -> dict:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise XinfangError(f"找不到文件：{path}") from None
    except OSError as exc:
        raise XinfangError(f"无法读取文件：{path}（{exc.strerror or exc}）") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise XinfangError("文件不是UTF-8编码的文本，不是答复口径库文件，未导入任何内容") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise XinfangError(f"文件内容不是有效的JSON（第{exc.lineno}行第{exc.colno}列附近），"
                           "文件可能已损坏，未导入任何内容") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise XinfangError("文件不是信访接待台的答复口径库文件（缺少 format: "
                           f"\"{FORMAT}\"），未导入任何内容")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise XinfangError("答复口径库文件缺少有效的格式版本号，未导入任何内容")
    if version > FORMAT_VERSION:
        raise XinfangError(f"答复口径库文件的格式版本为{version}，本程序只支持到版本"
                           f"{FORMAT_VERSION}，请升级程序后再导入")
    return data


def _date(value, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise FieldError(label, "应为YYYY-MM-DD格式的日期")
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise FieldError(label, f"“{value}”不是YYYY-MM-DD格式的日期") from None


def _datetime(value, label: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        return dt.datetime.fromisoformat(str(value).strip()).replace(microsecond=0, tzinfo=None)
    except ValueError:
        raise FieldError(label, f"“{value}”不是有效的时间") from None


def _text(item: dict, key: str, label: str) -> str:
    value = item.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(label, "应为文字")
    return value


def _list(item: dict, key: str, label: str) -> list[str]:
    value = item.get(key, [])
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(label, "应为文字列表")
    return value


def _entry(i: int, item) -> _Entry:
    where = f"第{i + 1}条答复口径"
    if not isinstance(item, dict):
        raise XinfangError(f"{where}格式不对（应为对象），未导入任何内容")
    title = item.get("title")
    if isinstance(title, str) and title.strip():
        where = f"{where}（“{' '.join(title.split())[:30]}”）"
    for key, label in (("title", "标题"), ("body", "正文")):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise XinfangError(f"{where}缺少{label}，未导入任何内容")
    status = item.get("status", APPROVED) or APPROVED
    if status not in (APPROVED, DRAFT, RETIRED):
        raise XinfangError(f"{where}：状态“{status}”应为 approved、draft 或 retired，未导入任何内容")
    try:
        draft = checked_draft(AnswerDraft(
            title=item["title"], body=item["body"],
            fields=tuple(_list(item, "fields", "适用领域")),
            keywords=tuple(_list(item, "keywords", "关键词")),
            basis_name=_text(item, "basis_name", "依据名称"),
            basis_article=_text(item, "basis_article", "依据条款"),
            basis_date=_date(item.get("basis_date"), "依据日期"),
            note=_text(item, "note", "说明")), where=f"{where}：")
        return _Entry(draft=draft, status=status,
                      approved_by=" ".join(_text(item, "approved_by", "审定人").split())[:50],
                      approved_at=_datetime(item.get("approved_at"), "审定时间"))
    except FieldError as exc:
        message = str(exc) if str(exc).startswith(where) else f"{where}：{exc}"
        raise XinfangError(f"{message}，未导入任何内容") from None


def _articles(data: dict) -> list[_Article]:
    docs = data.get("policies", [])
    if docs is None:
        return []
    if not isinstance(docs, list):
        raise XinfangError("答复口径库文件的 policies 应为列表，未导入任何内容")
    out = []
    for i, doc in enumerate(docs):
        where = f"第{i + 1}份政策文件"
        if not isinstance(doc, dict):
            raise XinfangError(f"{where}格式不对（应为对象），未导入任何内容")
        name = doc.get("name")
        if isinstance(name, str) and name.strip():
            where = f"{where}（{name.strip()[:30]}）"
        arts = doc.get("articles", [])
        if not isinstance(arts, list):
            raise XinfangError(f"{where}的 articles 应为列表，未导入任何内容")
        try:
            meta = dict(issuer=_text(doc, "issuer", "发布机关").strip(),
                        doc_no=_text(doc, "doc_no", "文号").strip(),
                        issued_on=_date(doc.get("issued_on"), "发布日期"),
                        effective_on=_date(doc.get("effective_on"), "施行日期"),
                        note=_text(doc, "note", "说明").strip())
            for j, art in enumerate(arts):
                if not isinstance(art, dict):
                    raise FieldError(f"第{j + 1}条", "格式不对（应为对象）")
                # A text whose kind is not stated is not claimed to be verbatim.
                kind = art.get("text_kind") or "要点"
                doc_name, article, text = check_article(
                    name if isinstance(name, str) else "", _text(art, "article", "条款"),
                    _text(art, "text", "条文"), kind, where=f"第{j + 1}条")
                out.append(_Article(doc_name=doc_name, article=article, text=text,
                                    text_kind=kind, **meta))
        except FieldError as exc:
            raise XinfangError(f"{where}：{exc}，未导入任何内容") from None
    return out


# --------------------------------------------------------------------------- writing

def _by_title() -> dict[str, int]:
    """Title → answer id; an approved title wins over a draft's, a draft's over a retired one."""
    rank = {APPROVED: 0, DRAFT: 1, RETIRED: 2}
    best: dict[str, tuple[int, int]] = {}
    for r in AnswerVersion.select(AnswerVersion.title, AnswerVersion.answer, AnswerVersion.status):
        key = (rank[r.status], r.answer_id)
        if r.title not in best or key < best[r.title]:
            best[r.title] = key
    return {title: answer for title, (_, answer) in best.items()}


def _apply_answer(entry: _Entry, titles: dict[str, int], may_approve: bool, actor: str,
                  messages: list[str]) -> str:
    """Write one entry; returns "added", "updated" or "unchanged"."""
    d = entry.draft
    answer_id = titles.get(d.title)
    # With no accounts the file's approver (and time) is recorded; a leader approves as self.
    if session.current().role == session.SYSTEM_ROLE and entry.approved_by:
        approver, at = entry.approved_by, entry.approved_at
    elif session.current().role == session.SYSTEM_ROLE:
        approver, at = IMPORTED_APPROVER, None
    else:
        approver, at = actor, None
    if entry.status == RETIRED:
        if answer_id is None:
            messages.append(f"“{d.title}”在文件中已停用，未导入")
        return "unchanged"
    if answer_id is None:
        row = write_draft(d, None, actor)
        titles[d.title] = row.answer_id
        if entry.status == APPROVED and may_approve:
            approve_row(row, approver, at)
        elif entry.status == APPROVED:
            messages.append(f"“{d.title}”须经负责人审定，已作为草稿导入")
        return "added"
    rows = list(AnswerVersion.select().where(AnswerVersion.answer == answer_id))
    approved = next((r for r in rows if r.status == APPROVED), None)
    draft = next((r for r in rows if r.status == DRAFT), None)
    if approved is not None and same_text(approved, d):
        return "unchanged"
    if draft is not None and same_text(draft, d):
        if entry.status == APPROVED and may_approve:
            approve_row(draft, approver, at)
            return "updated"
        return "unchanged"
    row = write_draft(d, Answer.get_by_id(answer_id), actor)
    if entry.status == APPROVED and may_approve:
        approve_row(row, approver, at)
    elif entry.status == APPROVED:
        messages.append(f"“{d.title}”的新文本须经负责人审定，已作为草稿导入")
    return "updated"


def _apply_article(a: _Article) -> bool:
    _, changed = upsert_article(a.doc_name, a.article, a.text, a.text_kind, a.issued_on)
    doc = PolicyDoc.get(PolicyDoc.name == a.doc_name)
    for attr in ("issuer", "doc_no", "effective_on", "note"):
        value = getattr(a, attr)
        if value not in (None, "") and getattr(doc, attr) != value:
            setattr(doc, attr, value)
            doc.save()
    return changed


def import_library(path: Path) -> ImportReport:
    """Import an answer library file (all or nothing). Needs a clerk or a leader; only a
    leader (or, with no accounts, anyone) imports approved answers as approved and the policy
    references; a clerk's import makes drafts. Audited (answers_imported)."""
    acting = session.require("register")
    data = _read(Path(path))
    items = data.get("answers", [])
    if not isinstance(items, list):
        raise XinfangError("答复口径库文件的 answers 应为列表，未导入任何内容")
    entries = [_entry(i, item) for i, item in enumerate(items)]
    articles = _articles(data)
    may_approve = acting.can("approve")
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    messages: list[str] = []
    policies = 0
    with storage_errors(), write_transaction():
        titles = _by_title()
        for entry in entries:
            counts[_apply_answer(entry, titles, may_approve, acting.username, messages)] += 1
        if articles and not may_approve:
            messages.append(f"政策依据须由负责人导入，已跳过{len(articles)}条")
        elif articles:
            policies = sum(1 for a in articles if _apply_article(a))
        audit.record("answers_imported", "", {
            "file": Path(path).name, "office": str(data.get("office", ""))[:100],
            "added": counts["added"], "updated": counts["updated"],
            "unchanged": counts["unchanged"], "policies": policies})
    return ImportReport(added=counts["added"], updated=counts["updated"],
                        unchanged=counts["unchanged"], policies=policies,
                        messages=tuple(messages))
